package io.kubus.client.api;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.List;

/**
 * One page of a list: the matching objects and the resourceVersion the list is consistent at.
 *
 * @param items              the objects, in the order the gateway returned them
 * @param resourceVersion    the list's {@code metadata.resourceVersion}: every change above it is newer than the
 *                           list; every page of one paged list carries its first page's version
 * @param continueToken      the token that asks for the next page ({@code metadata.continue}), null on the last
 * @param remainingItemCount how many objects the pages after this one hold, when the gateway knows (no selector)
 */
public record ObjectList<T extends HasMetadata>(List<T> items, String resourceVersion, String continueToken,
                                                Long remainingItemCount) {
    public ObjectList {
        items = List.copyOf(items);
    }

    /** A whole (unpaged) list. */
    public ObjectList(List<T> items, String resourceVersion) {
        this(items, resourceVersion, null, null);
    }

    /** The list's resourceVersion as the number the gateway assigns (0 when absent). */
    public long resourceVersionNumber() {
        return resourceVersion == null || resourceVersion.isEmpty() ? 0 : Long.parseLong(resourceVersion);
    }
}

package io.kubus.client.informer;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * What an informer tells its user, on the informer's one thread, in order per object. The objects are the
 * cache's own: read them, never change them.
 */
public interface ResourceEventHandler<T extends HasMetadata> {
    /** An object entered the cache: it exists and matches the informer's selection. */
    default void onAdd(T object) {
    }

    /** A cached object changed and still matches. */
    default void onUpdate(T old, T now) {
    }

    /** An object left the cache: it was deleted, or it stopped matching (then {@code last} is its new state). */
    default void onDelete(T last) {
    }
}

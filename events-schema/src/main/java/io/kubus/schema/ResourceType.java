package io.kubus.schema;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One kind of API object as the API and the event stream name it.
 *
 * @param group        API group, "" for the core group
 * @param version      API version within the group
 * @param kind         the kind, e.g. {@code Pod}
 * @param plural       the resource name in URLs, e.g. {@code pods}
 * @param namespaced   whether objects live in a namespace
 * @param shortNames   kubectl short names, e.g. {@code po}
 * @param categories   kubectl categories, e.g. {@code all}
 * @param subresources subresources served, e.g. {@code status}, {@code scale}
 * @param type         the fabric8 model class
 * @param eventOmits   what this kind's change events leave out, as JSON Pointers (a Secret's data never travels on
 *                     Kafka, nor kubectl apply's copy of it in an annotation)
 * @param storage      the version objects of this kind are stored, published and validated in, when this one is only
 *                     served and converted (autoscaling/v1 HorizontalPodAutoscalers are stored as autoscaling/v2);
 *                     null when this type is itself the stored one
 */
public record ResourceType(String group, String version, String kind, String plural, boolean namespaced,
                           List<String> shortNames, List<String> categories, Set<String> subresources,
                           Class<? extends HasMetadata> type, List<String> eventOmits, ResourceType storage) {

    public ResourceType(String group, String version, String kind, String plural, boolean namespaced,
                        List<String> shortNames, List<String> categories, Set<String> subresources,
                        Class<? extends HasMetadata> type) {
        this(group, version, kind, plural, namespaced, shortNames, categories, subresources, type, List.of(), null);
    }

    /** The type whose objects back this one: itself, or the storage version it is converted from and to. */
    public ResourceType storageType() {
        return storage == null ? this : storage;
    }

    /** True when this type is the one its objects are stored as (not a converted view of another). */
    public boolean isStorageType() {
        return storage == null;
    }

    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    public String singular() {
        return kind.toLowerCase(Locale.ROOT);
    }

    public String listKind() {
        return kind + "List";
    }

    /** "core" for the core group: the name used in topic names and CloudEvent types. */
    public String groupOrCore() {
        return group.isEmpty() ? "core" : group;
    }

    /** The Kafka change topic of this kind's storage version, e.g. {@code kubus.apps.v1.deployments}. */
    public String topic() {
        ResourceType stored = storageType();
        return "kubus." + stored.groupOrCore() + "." + stored.version + "." + stored.plural;
    }

    /** The qualified resource name kubectl prints in messages, e.g. {@code deployments.apps}. */
    public String qualifiedPlural() {
        return group.isEmpty() ? plural : plural + "." + group;
    }

    /** The path prefix of this kind's API group version, e.g. {@code /apis/apps/v1}. */
    public String groupVersionPath() {
        return group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    }

    public boolean hasSubresource(String name) {
        return subresources.contains(name);
    }
}

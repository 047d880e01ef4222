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
 */
public record ResourceType(String group, String version, String kind, String plural, boolean namespaced,
                           List<String> shortNames, List<String> categories, Set<String> subresources,
                           Class<? extends HasMetadata> type) {

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

    /** The Kafka change topic of this kind, e.g. {@code kubus.apps.v1.deployments}. */
    public String topic() {
        return "kubus." + groupOrCore() + "." + version + "." + plural;
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

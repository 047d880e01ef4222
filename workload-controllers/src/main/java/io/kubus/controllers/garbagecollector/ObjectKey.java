package io.kubus.controllers.garbagecollector;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.kubus.schema.ResourceType;
import io.kubus.client.informer.CustomKinds;

import java.util.Optional;

/**
 * One object of any kind, as the garbage collector queues it: {@code <resource>/<namespace>/<name>}, or
 * {@code <resource>/<name>} for cluster-scoped kinds, the resource qualified by its group (e.g. {@code pods/web/web-1},
 * {@code nodes/n1}, {@code replicasets.apps/web/rs}, {@code widgets.example.com/web/w}). One queue spans every kind,
 * custom ones included, so the kind is part of the key.
 *
 * @param namespace "" for cluster-scoped kinds
 */
public record ObjectKey(ResourceType type, String namespace, String name) {

    public static ObjectKey of(ResourceType type, HasMetadata object) {
        String ns = object.getMetadata().getNamespace();
        return new ObjectKey(type, type.namespaced() && ns != null ? ns : "", object.getMetadata().getName());
    }

    /** The key of a queue entry; empty for a text that names no kind Kubus serves. */
    public static Optional<ObjectKey> parse(String key, CustomKinds kinds) {
        int slash = key.indexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        String resource = key.substring(0, slash);
        String rest = key.substring(slash + 1);
        return kinds.byQualifiedPlural(resource).flatMap(t -> {
            int sep = rest.indexOf('/');
            if (t.namespaced() != (sep >= 0)) {
                return Optional.empty();
            }
            return Optional.of(t.namespaced() ? new ObjectKey(t, rest.substring(0, sep), rest.substring(sep + 1))
                    : new ObjectKey(t, "", rest));
        });
    }

    /**
     * Where {@code ref} on this object points: an owner of a namespaced kind lives in this object's namespace, a
     * cluster-scoped one in none. Empty when the reference cannot be resolved — a kind Kubus does not serve, or a
     * namespaced owner of a cluster-scoped object (invalid in Kubernetes) — and the collector then never deletes on
     * its account.
     */
    public Optional<ObjectKey> owner(OwnerReference ref, CustomKinds kinds) {
        // Any version serving the kind names the same object: the key is the storage version's, as its informer's.
        return kinds.byKind(ref.getApiVersion(), ref.getKind()).map(ResourceType::storageType)
                .filter(t -> !t.namespaced() || type.namespaced())
                .map(t -> new ObjectKey(t, t.namespaced() ? namespace : "", ref.getName()));
    }

    /** The key of the object in its kind's informer ({@code namespace/name} or {@code name}). */
    public String informerKey() {
        return namespace.isEmpty() ? name : namespace + "/" + name;
    }

    /** For API calls: the namespace, or null for cluster-scoped kinds. */
    public String namespaceOrNull() {
        return namespace.isEmpty() ? null : namespace;
    }

    @Override
    public String toString() {
        return type.qualifiedPlural() + "/" + informerKey();
    }
}

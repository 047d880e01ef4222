package io.kubus.client.informer;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A named index of an informer's cache (client-go's indexer name with its IndexFunc): {@code function} gives the
 * values an object is filed under, none to leave it out. Add it with {@link Informer#addIndex}, query it with
 * {@link Informer#byIndex}.
 *
 * <p>An index is known by its name and function, so the users of a shared informer that add the same constant share
 * one index, while a different function under a taken name is refused. Prefer the constants here to a lambda made
 * at each use: two equal lambdas are still two functions.
 */
public record Index<T>(String name, Function<? super T, ? extends Collection<String>> function) {
    /** Objects by {@code metadata.namespace}, cluster-scoped ones under "" (client-go's NamespaceIndex). */
    public static final Index<HasMetadata> NAMESPACE = new Index<>("namespace",
            o -> List.of(Objects.requireNonNullElse(o.getMetadata().getNamespace(), "")));

    /** Pods by {@code spec.nodeName}; a pod not bound yet is under none. */
    public static final Index<Pod> NODE_NAME = new Index<>("spec.nodeName", p -> {
        String node = p.getSpec() == null ? null : p.getSpec().getNodeName();
        return node == null || node.isEmpty() ? List.of() : List.of(node);
    });

    public Index {
        Objects.requireNonNull(name);
        Objects.requireNonNull(function);
    }
}

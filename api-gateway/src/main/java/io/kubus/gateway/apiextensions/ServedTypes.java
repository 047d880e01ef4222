package io.kubus.gateway.apiextensions;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.schema.CustomResourceTypes;
import io.kubus.schema.CustomResourceTypes.CustomKind;
import io.kubus.schema.KindCatalog;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.BeanProvider;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every type the API serves: the built-in catalog ({@link ResourceTypes}) and the types of the Established
 * CustomResourceDefinitions, which come and go at run time (kube-apiserver's discovery and the CRD handler's serving
 * info). Discovery, routing, the OpenAPI document, the change topics and the loops over every kind read it here.
 * It is read from the store on first use (before the watch cache follows the change topics), and then kept current
 * by {@link CustomResourceDefinitionController} from the definitions' change events. Reads see one consistent
 * snapshot; {@link #generation()} changes whenever the set of types does, for the views built from it.
 */
@Singleton
public class ServedTypes {
    private final BeanProvider<ObjectStore> store;
    private volatile Snapshot snapshot;

    /** {@code store} is read on first use, not at construction: what only asks for built-in kinds needs no store. */
    public ServedTypes(BeanProvider<ObjectStore> store) {
        this.store = store;
    }

    /** The served custom kinds, read from the store the first time. */
    private Snapshot snapshot() {
        Snapshot s = snapshot;
        if (s != null) {
            return s;
        }
        synchronized (this) {
            if (snapshot == null) {
                snapshot = Snapshot.of(store.get().listCommitted(ResourceTypes.CUSTOMRESOURCEDEFINITIONS, ""), 0);
            }
            return snapshot;
        }
    }

    /**
     * The kinds served, the strategy of each custom type (derived from the definitions, for one lookup per request),
     * and the generation they are at.
     */
    private record Snapshot(KindCatalog kinds, Map<String, Map<ResourceType, CustomResourceStrategy>> byDefinition,
                            Map<ResourceType, CustomResourceStrategy> strategies, long generation) {
        static Snapshot of(List<? extends JsonNode> crds, long generation) {
            return of(new LinkedHashMap<>(), KindCatalog.BUILT_IN, crds, generation);
        }

        /** This snapshot with {@code crd} served as it now says, or not at all if it is no longer Established. */
        Snapshot with(JsonNode crd) {
            String name = crd.path("metadata").path("name").asText();
            return of(new LinkedHashMap<>(byDefinition), kinds.without(name), List.of(crd), generation + 1);
        }

        Snapshot without(String name) {
            Map<String, Map<ResourceType, CustomResourceStrategy>> next = new LinkedHashMap<>(byDefinition);
            next.remove(name);
            return new Snapshot(kinds.without(name), next, flatten(next), generation + 1);
        }

        private static Snapshot of(Map<String, Map<ResourceType, CustomResourceStrategy>> byDefinition,
                                   KindCatalog kinds, List<? extends JsonNode> crds, long generation) {
            for (JsonNode crd : crds) {
                byDefinition.remove(crd.path("metadata").path("name").asText());
                Optional<CustomKind> kind = CustomResourceTypes.of(crd);
                if (kind.isPresent()) {
                    kinds = kinds.with(kind.get());
                    Map<ResourceType, CustomResourceStrategy> strategies = new HashMap<>();
                    for (ResourceType t : kind.get().served()) {
                        strategies.put(t, CustomResourceStrategy.of(crd, kind.get().storage(), t.version()));
                    }
                    byDefinition.put(kind.get().definition(), Map.copyOf(strategies));
                }
            }
            return new Snapshot(kinds, byDefinition, flatten(byDefinition), generation);
        }

        private static Map<ResourceType, CustomResourceStrategy> flatten(
                Map<String, Map<ResourceType, CustomResourceStrategy>> byDefinition) {
            Map<ResourceType, CustomResourceStrategy> all = new HashMap<>();
            byDefinition.values().forEach(all::putAll);
            return Map.copyOf(all);
        }
    }

    /** Every served type, built-in first, each version of a kind on its own (discovery, routing, OpenAPI). */
    public List<ResourceType> all() {
        return snapshot().kinds.served();
    }

    /** The storage types: each kind of object once, custom kinds included (change topics, loops over every kind). */
    public List<ResourceType> stored() {
        return snapshot().kinds.stored();
    }

    /** The type served at {@code group/version/plural}, if any. */
    public Optional<ResourceType> byPath(String group, String version, String plural) {
        return snapshot().kinds.byPath(group, version, plural);
    }

    /** The strategy of a custom type's version, null for a built-in type. */
    public @Nullable Strategy customStrategy(ResourceType type) {
        return snapshot().strategies.get(type);
    }

    /** The kinds a definition serves now, if it is Established. */
    public Optional<CustomKind> definition(String name) {
        return snapshot().kinds.definition(name);
    }

    /** Changes whenever the served types do. */
    public long generation() {
        return snapshot().generation;
    }

    /** The definitions as a fresh list shows them: those absent stop being served. */
    public synchronized void replaceAll(List<? extends JsonNode> crds) {
        snapshot = Snapshot.of(crds, snapshot == null ? 0 : snapshot.generation + 1);
    }

    /** One definition changed: served as it now says (not at all if it is no longer Established). */
    public synchronized void put(JsonNode crd) {
        snapshot = snapshot().with(crd);
    }

    /** One definition is gone. */
    public synchronized void remove(String name) {
        if (snapshot().kinds.definition(name).isPresent()) {
            snapshot = snapshot().without(name);
        }
    }
}

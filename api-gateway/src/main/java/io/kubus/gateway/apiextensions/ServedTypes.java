package io.kubus.gateway.apiextensions;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.schema.CustomResourceTypes;
import io.kubus.schema.CustomResourceTypes.CustomKind;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.BeanProvider;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

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
                snapshot = snapshotOf(store.get().listCommitted(ResourceTypes.CUSTOMRESOURCEDEFINITIONS, ""), 0);
            }
            return snapshot;
        }
    }

    /** One definition's kinds and the strategy of each served version. */
    record Custom(JsonNode crd, CustomKind kind, Map<ResourceType, CustomResourceStrategy> strategies) {
    }

    private record Snapshot(Map<String, Custom> byDefinition, long generation) {
    }

    /** Every served type, built-in first, each version of a kind on its own (discovery, routing, OpenAPI). */
    public List<ResourceType> all() {
        return Stream.concat(ResourceTypes.all().stream(),
                snapshot().byDefinition.values().stream().flatMap(c -> c.kind.served().stream())).toList();
    }

    /** The storage types: each kind of object once, custom kinds included (change topics, loops over every kind). */
    public List<ResourceType> stored() {
        return Stream.concat(ResourceTypes.stored().stream(),
                snapshot().byDefinition.values().stream().map(c -> c.kind.storage())).toList();
    }

    /** The type served at {@code group/version/plural}, if any. */
    public Optional<ResourceType> byPath(String group, String version, String plural) {
        Optional<ResourceType> builtIn = ResourceTypes.byPath(group, version, plural);
        if (builtIn.isPresent()) {
            return builtIn;
        }
        return snapshot().byDefinition.values().stream().flatMap(c -> c.kind.served().stream())
                .filter(t -> t.group().equals(group) && t.version().equals(version) && t.plural().equals(plural))
                .findFirst();
    }

    /** The strategy of a custom type's version, null for a built-in type. */
    public @Nullable Strategy customStrategy(ResourceType type) {
        for (Custom c : snapshot().byDefinition.values()) {
            CustomResourceStrategy s = c.strategies.get(type);
            if (s != null) {
                return s;
            }
        }
        return null;
    }

    /** The kinds a definition serves now, if it is Established. */
    public Optional<CustomKind> definition(String name) {
        return Optional.ofNullable(snapshot().byDefinition.get(name)).map(Custom::kind);
    }

    /** Changes whenever the served types do. */
    public long generation() {
        return snapshot().generation;
    }

    /** The definitions as a fresh list shows them: those absent stop being served. */
    public synchronized void replaceAll(List<? extends JsonNode> crds) {
        snapshot = snapshotOf(crds, snapshot == null ? 0 : snapshot.generation + 1);
    }

    private static Snapshot snapshotOf(List<? extends JsonNode> crds, long generation) {
        Map<String, Custom> next = new LinkedHashMap<>();
        for (JsonNode crd : crds) {
            custom(crd).ifPresent(c -> next.put(c.kind.definition(), c));
        }
        return new Snapshot(next, generation);
    }

    /** One definition changed: served as it now says (not at all if it is no longer Established). */
    public synchronized void put(JsonNode crd) {
        String name = crd.path("metadata").path("name").asText();
        Map<String, Custom> next = new LinkedHashMap<>(snapshot().byDefinition);
        Optional<Custom> custom = custom(crd);
        if (custom.isPresent()) {
            next.put(name, custom.get());
        } else if (next.remove(name) == null) {
            return;
        }
        snapshot = new Snapshot(next, snapshot().generation + 1);
    }

    /** One definition is gone. */
    public synchronized void remove(String name) {
        if (!snapshot().byDefinition.containsKey(name)) {
            return;
        }
        Map<String, Custom> next = new HashMap<>(snapshot().byDefinition);
        next.remove(name);
        snapshot = new Snapshot(next, snapshot().generation + 1);
    }

    private static Optional<Custom> custom(JsonNode crd) {
        return CustomResourceTypes.of(crd).map(kind -> {
            Map<ResourceType, CustomResourceStrategy> strategies = new HashMap<>();
            List<ResourceType> types = new ArrayList<>(kind.served());
            for (ResourceType t : types) {
                strategies.put(t, CustomResourceStrategy.of(crd, kind.storage(), t.version()));
            }
            return new Custom(crd, kind, Map.copyOf(strategies));
        });
    }
}

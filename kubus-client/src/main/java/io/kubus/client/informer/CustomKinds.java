package io.kubus.client.informer;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.kubus.schema.CustomResourceTypes;
import io.kubus.schema.CustomResourceTypes.CustomKind;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * The kinds CustomResourceDefinitions add, as a service that follows the API sees them (client-go's discovery and
 * RESTMapper, fed by an informer of the definitions rather than by polling): a kind is there while its definition is
 * Established, with the types {@link CustomResourceTypes} derives. Built-in kinds are looked up here too, so that a
 * caller resolving any kind (an owner reference, a queue key) asks one place. Listeners hear of each kind served or
 * changed and of each definition gone, on the definitions' informer thread.
 */
public final class CustomKinds {
    /** What a service does when the served kinds change. */
    public interface Listener {
        /** A definition became Established, or changed while it is. */
        void served(CustomKind kind);

        /** A definition is no longer served (deleted, or no longer Established); {@code last} is what it served. */
        void gone(CustomKind last);
    }

    private final Map<String, CustomKind> byDefinition = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    public CustomKinds(SharedInformers informers) {
        informers.informer(ResourceTypes.CUSTOMRESOURCEDEFINITIONS, CustomResourceDefinition.class)
                .addHandler(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(CustomResourceDefinition crd) {
                        update(crd);
                    }

                    @Override
                    public void onUpdate(CustomResourceDefinition old, CustomResourceDefinition now) {
                        update(now);
                    }

                    @Override
                    public void onDelete(CustomResourceDefinition last) {
                        CustomKind gone = byDefinition.remove(last.getMetadata().getName());
                        if (gone != null) {
                            listeners.forEach(l -> l.gone(gone));
                        }
                    }
                });
    }

    /** Adds a listener, which first hears of every kind served now. */
    public void addListener(Listener listener) {
        listeners.add(listener);
        byDefinition.values().forEach(listener::served);
    }

    /** The storage types of every kind, built-in and custom: each kind of object once. */
    public List<ResourceType> stored() {
        return Stream.concat(ResourceTypes.stored().stream(), byDefinition.values().stream().map(CustomKind::storage))
                .toList();
    }

    /** The type serving {@code apiVersion}/{@code kind}, built-in or custom. */
    public Optional<ResourceType> byKind(String apiVersion, String kind) {
        Optional<ResourceType> builtIn = ResourceTypes.byKind(apiVersion, kind);
        if (builtIn.isPresent()) {
            return builtIn;
        }
        return byDefinition.values().stream().flatMap(k -> k.served().stream())
                .filter(t -> t.apiVersion().equals(apiVersion) && t.kind().equals(kind)).findFirst();
    }

    /** The storage type whose {@link ResourceType#qualifiedPlural()} is {@code qualifiedPlural}. */
    public Optional<ResourceType> byQualifiedPlural(String qualifiedPlural) {
        return stored().stream().filter(t -> t.qualifiedPlural().equals(qualifiedPlural)).findFirst();
    }

    private void update(CustomResourceDefinition crd) {
        JsonNode json = KubusJson.json().valueToTree(crd);
        String name = crd.getMetadata().getName();
        Optional<CustomKind> kind = CustomResourceTypes.of(json);
        if (kind.isPresent()) {
            CustomKind before = byDefinition.put(name, kind.get());
            if (!Objects.equals(before, kind.get())) {
                listeners.forEach(l -> l.served(kind.get()));
            }
        } else {
            CustomKind gone = byDefinition.remove(name);
            if (gone != null) {
                listeners.forEach(l -> l.gone(gone));
            }
        }
    }
}

package io.kubus.client.informer;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.kubus.schema.CustomResourceTypes;
import io.kubus.schema.CustomResourceTypes.CustomKind;
import io.kubus.schema.KindCatalog;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

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

    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile KindCatalog catalog = KindCatalog.BUILT_IN;

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
                        forget(last.getMetadata().getName());
                    }
                });
    }

    /** Adds a listener, which first hears of every kind served now. */
    public synchronized void addListener(Listener listener) {
        listeners.add(listener);
        catalog.customKinds().forEach(listener::served);
    }

    /** The storage types of every kind, built-in and custom: each kind of object once. */
    public List<ResourceType> stored() {
        return catalog.stored();
    }

    /** The type serving {@code apiVersion}/{@code kind}, built-in or custom. */
    public Optional<ResourceType> byKind(String apiVersion, String kind) {
        return catalog.byKind(apiVersion, kind);
    }

    /** The storage type whose {@link ResourceType#qualifiedPlural()} is {@code qualifiedPlural}. */
    public Optional<ResourceType> byQualifiedPlural(String qualifiedPlural) {
        return catalog.byQualifiedPlural(qualifiedPlural);
    }

    private synchronized void update(CustomResourceDefinition crd) {
        JsonNode json = KubusJson.json().valueToTree(crd);
        Optional<CustomKind> kind = CustomResourceTypes.of(json);
        if (kind.isEmpty()) {
            forget(crd.getMetadata().getName());
            return;
        }
        Optional<CustomKind> before = catalog.definition(kind.get().definition());
        catalog = catalog.with(kind.get());
        if (!before.equals(kind)) {
            listeners.forEach(l -> l.served(kind.get()));
        }
    }

    /** A definition no longer served (deleted, or no longer Established). */
    private synchronized void forget(String definition) {
        Optional<CustomKind> gone = catalog.definition(definition);
        if (gone.isPresent()) {
            catalog = catalog.without(definition);
            listeners.forEach(l -> l.gone(gone.get()));
        }
    }
}

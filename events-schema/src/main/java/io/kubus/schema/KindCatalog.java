package io.kubus.schema;

import io.kubus.schema.CustomResourceTypes.CustomKind;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Every kind at one moment: the built-in ones ({@link ResourceTypes}) and those the Established
 * CustomResourceDefinitions add, by definition name. One immutable value that the gateway (which serves the kinds)
 * and the services following the API (which resolve owner references and loop over every kind) look kinds up in the
 * same way; a change of the definitions makes a new catalog. Built-in kinds come first and win a lookup.
 */
public final class KindCatalog {
    /** No custom kinds. */
    public static final KindCatalog BUILT_IN = new KindCatalog(Map.of());

    private final Map<String, CustomKind> custom;

    private KindCatalog(Map<String, CustomKind> custom) {
        // definition order, so that discovery lists custom kinds in a stable order
        this.custom = Collections.unmodifiableMap(new LinkedHashMap<>(custom));
    }

    /** This catalog with {@code kind} served (replacing what its definition served before). */
    public KindCatalog with(CustomKind kind) {
        Map<String, CustomKind> next = new LinkedHashMap<>(custom);
        next.put(kind.definition(), kind);
        return new KindCatalog(next);
    }

    /** This catalog without what {@code definition} served. */
    public KindCatalog without(String definition) {
        Map<String, CustomKind> next = new LinkedHashMap<>(custom);
        next.remove(definition);
        return new KindCatalog(next);
    }

    /** The custom kinds, one per definition, in the order their definitions came. */
    public Collection<CustomKind> customKinds() {
        return custom.values();
    }

    /** What a definition serves, if it is in the catalog. */
    public Optional<CustomKind> definition(String name) {
        return Optional.ofNullable(custom.get(name));
    }

    /** Every served type, built-in first, each version of a kind on its own (discovery, routing, OpenAPI). */
    public List<ResourceType> served() {
        return Stream.concat(ResourceTypes.all().stream(), customServed()).toList();
    }

    /** The storage types: each kind of object once, custom kinds included (change topics, loops over every kind). */
    public List<ResourceType> stored() {
        return Stream.concat(ResourceTypes.stored().stream(), custom.values().stream().map(CustomKind::storage)).toList();
    }

    /** The type served at {@code group/version/plural}, if any. */
    public Optional<ResourceType> byPath(String group, String version, String plural) {
        return ResourceTypes.byPath(group, version, plural).or(() -> customServed()
                .filter(t -> t.group().equals(group) && t.version().equals(version) && t.plural().equals(plural))
                .findFirst());
    }

    /** The type serving {@code apiVersion}/{@code kind}, if any. */
    public Optional<ResourceType> byKind(String apiVersion, String kind) {
        return ResourceTypes.byKind(apiVersion, kind).or(() -> customServed()
                .filter(t -> t.apiVersion().equals(apiVersion) && t.kind().equals(kind)).findFirst());
    }

    /** The storage type whose {@link ResourceType#qualifiedPlural()} is {@code qualifiedPlural}. */
    public Optional<ResourceType> byQualifiedPlural(String qualifiedPlural) {
        return stored().stream().filter(t -> t.qualifiedPlural().equals(qualifiedPlural)).findFirst();
    }

    private Stream<ResourceType> customServed() {
        return custom.values().stream().flatMap(k -> k.served().stream());
    }
}

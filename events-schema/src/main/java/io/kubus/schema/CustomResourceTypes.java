package io.kubus.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The types a CustomResourceDefinition adds to the API, derived in one place for the gateway (which serves them) and
 * the services that follow them (the garbage collector, the namespace controller).
 *
 * <p>A definition adds types only once it is {@code Established}, with the names it was granted
 * ({@code status.acceptedNames}, which the naming check fills from {@code spec.names}). Each served version is one
 * type; all of them are views of one storage type, whose objects are stored and published once, as the built-in
 * kinds served in several versions are. Kubus keeps a custom kind's objects under the first version that ever stored
 * them ({@code status.storedVersions[0]}) rather than under the current storage version, so that its rows and its
 * change topic ({@code kubus.<group>.<version>.<plural>}) stay where they are when the storage version changes: with
 * the {@code None} conversion, the only one Kubus serves, versions differ in their apiVersion alone.
 */
public final class CustomResourceTypes {
    public static final String ESTABLISHED = "Established";
    public static final String NAMES_ACCEPTED = "NamesAccepted";
    public static final String TERMINATING = "Terminating";

    private CustomResourceTypes() {
    }

    /**
     * The types one definition adds.
     *
     * @param definition the CustomResourceDefinition's name ({@code <plural>.<group>})
     * @param storage    the type its objects are stored and published as; in {@link #served} too when its version is served
     * @param served     one type per served version, in the definition's order
     */
    public record CustomKind(String definition, ResourceType storage, List<ResourceType> served) {
        /** The served type of {@code version}, if that version is served. */
        public Optional<ResourceType> version(String version) {
            return served.stream().filter(t -> t.version().equals(version)).findFirst();
        }
    }

    /** The types {@code crd} adds: none unless it is Established (a definition still being named adds nothing). */
    public static Optional<CustomKind> of(JsonNode crd) {
        if (!hasCondition(crd, ESTABLISHED)) {
            return Optional.empty();
        }
        JsonNode spec = crd.path("spec");
        JsonNode names = crd.path("status").path("acceptedNames");
        if (names.path("plural").asText("").isEmpty()) {
            names = spec.path("names");
        }
        String group = spec.path("group").asText();
        String storageVersion = storageVersion(crd);
        if (storageVersion == null) {
            return Optional.empty();
        }
        String stored = crd.path("status").path("storedVersions").path(0).asText(storageVersion);
        ResourceType storage = type(group, stored, names, spec, version(spec, stored).orElse(version(spec, storageVersion)
                .orElseThrow()), null);
        List<ResourceType> served = new ArrayList<>();
        for (JsonNode v : spec.path("versions")) {
            if (!v.path("served").asBoolean(false)) {
                continue;
            }
            String name = v.path("name").asText();
            served.add(name.equals(stored) ? storage : type(group, name, names, spec, v, storage));
        }
        return Optional.of(new CustomKind(crd.path("metadata").path("name").asText(), storage, List.copyOf(served)));
    }

    /** The version marked {@code storage: true}, null when none is. */
    public static String storageVersion(JsonNode crd) {
        for (JsonNode v : crd.path("spec").path("versions")) {
            if (v.path("storage").asBoolean(false)) {
                return v.path("name").asText();
            }
        }
        return null;
    }

    /** Whether the definition has condition {@code type} with status True. */
    public static boolean hasCondition(JsonNode crd, String type) {
        for (JsonNode c : crd.path("status").path("conditions")) {
            if (type.equals(c.path("type").asText()) && "True".equals(c.path("status").asText())) {
                return true;
            }
        }
        return false;
    }

    private static Optional<JsonNode> version(JsonNode spec, String name) {
        for (JsonNode v : spec.path("versions")) {
            if (v.path("name").asText().equals(name)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    private static ResourceType type(String group, String version, JsonNode names, JsonNode spec, JsonNode v,
                                     ResourceType storage) {
        Set<String> subresources = new TreeSet<>();
        if (v.path("subresources").has("status")) {
            subresources.add("status");
        }
        if (v.path("subresources").has("scale")) {
            subresources.add("scale");
        }
        return new ResourceType(group, version, names.path("kind").asText(), names.path("plural").asText(),
                !"Cluster".equals(spec.path("scope").asText()), strings(names.path("shortNames")),
                strings(names.path("categories")), Set.copyOf(subresources), GenericKubernetesResource.class, List.of(),
                storage);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return List.copyOf(out);
    }
}

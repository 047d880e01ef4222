package io.kubus.gateway.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.kubus.gateway.patch.PatchSchema;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link FieldType} for built-in kinds read from their strategic-merge {@link PatchSchema}, the only per-field
 * metadata Kubus keeps for them. Kube derives list types from the OpenAPI {@code x-kubernetes-list-type} markers
 * instead; for most fields the two agree: a {@code patchStrategy:"merge"} list with a merge key is a map list keyed
 * by it, a merge list of scalars is a set, every other list is atomic.
 *
 * <p>Some OpenAPI map lists have several keys where the patch tag has one merge key: a container's {@code ports} are
 * keyed by {@code containerPort} and {@code protocol} (protocol defaulting to TCP, so kube writes
 * {@code k:{"containerPort":80,"protocol":"TCP"}} even when the protocol is omitted), a Service's by {@code port} and
 * {@code protocol}, {@code topologySpreadConstraints} by {@code topologyKey} and {@code whenUnsatisfiable}. Those
 * known cases are mapped to kube's keys below (by field name and patch merge key).
 *
 * <p>Known differences, documented rather than hidden:
 * <ul>
 *   <li>Other lists follow the patch tag: a list OpenAPI marks as map or set but that has no patch strategy is
 *       atomic here, and a merge list whose OpenAPI keys are not in {@link #OPENAPI_KEYS} keeps its single merge
 *       key.</li>
 *   <li>Struct versus map is not recorded in a PatchSchema, so the well-known {@code map[string]...} field names
 *       below are maps and every other object is a struct; atomic structs/maps ({@code +structType=atomic}, e.g.
 *       every LabelSelector) are recognised by name too.</li>
 * </ul>
 */
public final class PatchSchemaFieldTypes implements FieldType {

    /** Field names that hold {@code map[string]X} in the built-in API types: their keys are map keys. */
    static final Set<String> MAP_FIELDS = Set.of("labels", "annotations", "data", "binaryData", "stringData",
            "limits", "requests", "capacity", "allocatable", "hard", "used", "parameters", "nodeSelector",
            "matchLabels", "overhead", "allocatedResources", "volumeAttributes", "attributes", "extra");

    /**
     * Field names kube's OpenAPI marks atomic: LabelSelector is {@code +structType=atomic} wherever it appears, a
     * Service's selector and a PodSpec's nodeSelector are {@code +mapType=atomic}.
     */
    static final Set<String> ATOMIC_FIELDS = Set.of("selector", "labelSelector", "namespaceSelector", "podSelector",
            "nodeSelector");

    /**
     * kube's x-kubernetes-list-map-keys where they differ from the patch merge key, by "field/mergeKey" (the same
     * field name keys differently in different types, e.g. a container's and a Service's ports).
     */
    static final Map<String, List<String>> OPENAPI_KEYS = Map.of(
            "ports/containerPort", List.of("containerPort", "protocol"),
            "ports/port", List.of("port", "protocol"),
            "topologySpreadConstraints/topologyKey", List.of("topologyKey", "whenUnsatisfiable"));

    /** OpenAPI defaults of key fields: an item without them is identified with the default, as kube does. */
    static final Map<String, JsonNode> KEY_DEFAULTS = Map.of("protocol", TextNode.valueOf("TCP"));

    private final PatchSchema schema;
    private final PatchSchema.Field field;
    private final String name;
    private final boolean listItem;

    private PatchSchemaFieldTypes(PatchSchema schema, PatchSchema.Field field, String name, boolean listItem) {
        this.schema = schema;
        this.field = field;
        this.name = name;
        this.listItem = listItem;
    }

    /** The type of a whole object of the kind {@code root} describes. */
    public static FieldType of(PatchSchema root) {
        return new PatchSchemaFieldTypes(root, PatchSchema.DEFAULT_FIELD, "", false);
    }

    @Override
    public FieldType field(String field) {
        if (listItem || !MAP_FIELDS.contains(name)) {
            return new PatchSchemaFieldTypes(schema.child(field), schema.field(field), field, false);
        }
        // a value of a map[string]X: scalars or untagged objects
        return new PatchSchemaFieldTypes(PatchSchema.EMPTY, PatchSchema.DEFAULT_FIELD, "", false);
    }

    @Override
    public FieldType element() {
        // the field's schema describes each element; elements themselves are never tagged lists
        return new PatchSchemaFieldTypes(field.schema(), PatchSchema.DEFAULT_FIELD, name, true);
    }

    @Override
    public ListType listType() {
        if (listItem || field.listStrategy() != PatchSchema.ListStrategy.MERGE) {
            return ListType.ATOMIC;
        }
        return field.mergeKey() == null ? ListType.SET : ListType.MAP;
    }

    @Override
    public List<String> listMapKeys() {
        if (listType() != ListType.MAP) {
            return List.of();
        }
        return OPENAPI_KEYS.getOrDefault(name + "/" + field.mergeKey(), List.of(field.mergeKey()));
    }

    @Override
    public JsonNode keyDefault(String keyField) {
        return listMapKeys().contains(keyField) ? KEY_DEFAULTS.get(keyField) : null;
    }

    @Override
    public MapType mapType() {
        if (!listItem && (field.replace() || ATOMIC_FIELDS.contains(name))) {
            return MapType.ATOMIC;
        }
        return MapType.GRANULAR;
    }

    @Override
    public boolean isNamedField(String field) {
        return listItem || !MAP_FIELDS.contains(name);
    }

    @Override
    public String toString() {
        return "PatchSchemaFieldTypes[" + name + (listItem ? "[]" : "") + " " + schema + "]";
    }
}

package io.kubus.gateway.apply;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.gateway.apiextensions.schema.StructuralSchema;
import io.kubus.gateway.patch.PatchSchemas;

import java.util.List;

/**
 * A {@link FieldType} for custom resources, read from their CRD's structural schema as kube's CRD type converter does:
 * {@code x-kubernetes-list-type} atomic/set/map with {@code x-kubernetes-list-map-keys}, {@code x-kubernetes-map-type},
 * lists without a list type are atomic, {@code properties} are struct fields and {@code additionalProperties} keys are
 * map keys. A subtree with {@code x-kubernetes-preserve-unknown-fields} (or no schema at all) is deduced: granular maps
 * of map keys, atomic lists. The root's {@code metadata} is ObjectMeta whatever the CRD says, as kube substitutes it.
 */
public final class StructuralSchemaFieldTypes implements FieldType {

    private final StructuralSchema schema;
    private final boolean root;

    private StructuralSchemaFieldTypes(StructuralSchema schema, boolean root) {
        this.schema = schema;
        this.root = root;
    }

    /** The type of a whole custom object whose version schema is {@code openAPIV3Schema}. */
    public static FieldType of(StructuralSchema openAPIV3Schema) {
        return openAPIV3Schema == null ? FieldType.DEDUCED : new StructuralSchemaFieldTypes(openAPIV3Schema, true);
    }

    private static FieldType node(StructuralSchema s) {
        return s == null ? FieldType.DEDUCED : new StructuralSchemaFieldTypes(s, false);
    }

    @Override
    public FieldType field(String field) {
        if (root && field.equals("metadata")) {
            return PatchSchemaFieldTypes.of(PatchSchemas.OBJECT_META);
        }
        StructuralSchema p = schema.propertiesView().get(field);
        if (p != null) {
            return node(p);
        }
        if (schema.additionalPropertiesSchema() != null) {
            return node(schema.additionalPropertiesSchema());
        }
        return FieldType.DEDUCED; // preserved unknown field
    }

    @Override
    public FieldType element() {
        return node(schema.itemsSchema());
    }

    @Override
    public ListType listType() {
        String t = schema.xListType();
        if ("set".equals(t)) {
            return ListType.SET;
        }
        if ("map".equals(t)) {
            return ListType.MAP;
        }
        return ListType.ATOMIC;
    }

    @Override
    public List<String> listMapKeys() {
        return listType() == ListType.MAP ? schema.xListMapKeys() : List.of();
    }

    @Override
    public MapType mapType() {
        return "atomic".equals(schema.xMapType()) ? MapType.ATOMIC : MapType.GRANULAR;
    }

    @Override
    public boolean isNamedField(String field) {
        if (root && (field.equals("apiVersion") || field.equals("kind") || field.equals("metadata"))) {
            return true;
        }
        return schema.propertiesView().containsKey(field);
    }

    @Override
    public JsonNode keyDefault(String keyField) {
        StructuralSchema item = schema.itemsSchema();
        StructuralSchema key = item == null ? null : item.propertiesView().get(keyField);
        return key == null ? null : key.defaultValueCopy();
    }

    @Override
    public String toString() {
        return "StructuralSchemaFieldTypes[" + schema.typeName() + "]";
    }
}

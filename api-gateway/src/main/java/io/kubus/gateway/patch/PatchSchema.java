package io.kubus.gateway.patch;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The strategic-merge metadata of one object type: for each field, how a list under it merges
 * and which schema describes the nested value (for lists, the element type). It is the
 * equivalent of the {@code patchStrategy}/{@code patchMergeKey} Go struct tags Kubernetes reads
 * by reflection. Schemas are immutable values, so a single description (e.g. PodSpec) is built
 * once and referenced from every position where that type appears.
 *
 * <p>Fields without an entry use {@link #DEFAULT_FIELD}: lists are replaced wholesale and nested
 * maps merge key by key, which is also how Kubernetes treats untagged fields.
 */
public final class PatchSchema {

    /** How a list-valued field combines with the list in a patch. */
    public enum ListStrategy {
        /** The patch list replaces the stored list (no {@code patchStrategy} tag). */
        REPLACE,
        /**
         * {@code patchStrategy:"merge"}: object elements merge by {@link Field#mergeKey()}; scalar
         * elements are union-merged.
         */
        MERGE
    }

    /**
     * Metadata of one field.
     *
     * @param listStrategy how a list under this field merges
     * @param mergeKey     element identity for a {@link ListStrategy#MERGE} list of objects, else null
     * @param retainKeys   the field carries the {@code retainKeys} strategy (documents intent; the
     *                     {@code $retainKeys} directive itself is honoured wherever it appears, as in k8s)
     * @param replace      {@code patchStrategy:"replace"} on an object: a patch's value replaces it whole
     * @param schema       schema of the nested object, or of each element for a list
     */
    public record Field(ListStrategy listStrategy, String mergeKey, boolean retainKeys, boolean replace,
                        PatchSchema schema) {
        public Field {
            Objects.requireNonNull(listStrategy, "listStrategy");
            Objects.requireNonNull(schema, "schema");
        }
    }

    /** A schema with no entries: every list is replaced, every map merges (JSON-merge-like). */
    public static final PatchSchema EMPTY = new PatchSchema(Map.of());

    /** What an undescribed field behaves like. */
    public static final Field DEFAULT_FIELD = new Field(ListStrategy.REPLACE, null, false, false, EMPTY);

    private final Map<String, Field> fields;

    private PatchSchema(Map<String, Field> fields) {
        this.fields = Map.copyOf(fields);
    }

    /** Metadata of the named field, {@link #DEFAULT_FIELD} when undescribed. */
    public Field field(String name) {
        return fields.getOrDefault(name, DEFAULT_FIELD);
    }

    /** Schema of the value (or list element) under the named field. */
    public PatchSchema child(String name) {
        return field(name).schema();
    }

    /** The described fields, for inspection. */
    public Map<String, Field> fields() {
        return fields;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String toString() {
        return "PatchSchema" + fields.keySet();
    }

    /** Builds a schema; later definitions of the same field win. */
    public static final class Builder {
        private final Map<String, Field> fields = new LinkedHashMap<>();

        private Builder() {
        }

        /** Copies every field of another schema (e.g. EphemeralContainer shares Container's tags). */
        public Builder include(PatchSchema other) {
            fields.putAll(other.fields);
            return this;
        }

        /** A nested object whose own fields are described by {@code schema}. */
        public Builder object(String name, PatchSchema schema) {
            return field(name, new Field(ListStrategy.REPLACE, null, false, false, schema));
        }

        /** A nested object tagged {@code patchStrategy:"replace"} (a PodDisruptionBudget's selector). */
        public Builder replaceObject(String name) {
            return field(name, new Field(ListStrategy.REPLACE, null, false, true, EMPTY));
        }

        /** A nested object tagged {@code patchStrategy:"retainKeys"}. */
        public Builder retainKeysObject(String name, PatchSchema schema) {
            return field(name, new Field(ListStrategy.REPLACE, null, true, false, schema));
        }

        /** {@code patchStrategy:"merge" patchMergeKey:"<mergeKey>"} on a list of objects. */
        public Builder mergeList(String name, String mergeKey, PatchSchema element) {
            return field(name, new Field(ListStrategy.MERGE, Objects.requireNonNull(mergeKey), false, false, element));
        }

        /** {@code patchStrategy:"merge" patchMergeKey:"<mergeKey>"} on a list of objects without tagged fields. */
        public Builder mergeList(String name, String mergeKey) {
            return mergeList(name, mergeKey, EMPTY);
        }

        /** {@code patchStrategy:"merge,retainKeys" patchMergeKey:"<mergeKey>"}. */
        public Builder mergeListRetainKeys(String name, String mergeKey, PatchSchema element) {
            return field(name, new Field(ListStrategy.MERGE, Objects.requireNonNull(mergeKey), true, false, element));
        }

        /** {@code patchStrategy:"merge"} on a list of scalars: union merge. */
        public Builder mergePrimitiveList(String name) {
            return field(name, new Field(ListStrategy.MERGE, null, false, false, EMPTY));
        }

        public Builder field(String name, Field field) {
            fields.put(Objects.requireNonNull(name), Objects.requireNonNull(field));
            return this;
        }

        public PatchSchema build() {
            return new PatchSchema(fields);
        }
    }
}

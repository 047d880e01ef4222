package io.kubus.gateway.apiextensions.schema;

import io.micronaut.core.annotation.Nullable;

import java.util.List;

/**
 * Resolves a CRD's selectableFields jsonPath through a version's schema as kube's ValidFieldPath does with array
 * notation disallowed (ValidateCustomResourceSelectableFields), keeping ValidFieldPath's error texts, which kube shows
 * after "is an invalid path: ". {@link CelRules#validFieldPath} answers only whether a rule's fieldPath resolves.
 */
public final class SelectableFields {
    private SelectableFields() {
    }

    /**
     * Where a path leads: {@code path} as field.Path prints it ({@code spec.color}, map keys as {@code [key]}),
     * {@code root} its first element, {@code type} the schema type found there ("" for none), or {@code error}.
     */
    public record Resolved(@Nullable String path, @Nullable String root, String type, @Nullable String error) {
        static Resolved failed(String error) {
            return new Resolved(null, null, "", error);
        }
    }

    public static Resolved resolve(String jsonPath, StructuralSchema schema) {
        List<String> tokens = CelRules.fieldPathTokens(jsonPath);
        StringBuilder path = new StringBuilder();
        String root = null;
        StructuralSchema at = schema;
        for (int i = 0; i < tokens.size(); i++) {
            String tok = tokens.get(i);
            if (tok.equals("[")) {
                return Resolved.failed("array notation is not allowed");
            }
            if (!tok.equals(".")) {
                return Resolved.failed("expected [ or . but got: " + tok);
            }
            if (i + 1 >= tokens.size()) {
                return Resolved.failed("unexpected end of JSON path");
            }
            String name = tokens.get(++i);
            if (at == null) {
                // past additionalProperties given as true: no schema, so no field (where kube's Go would fail on nil)
                return Resolved.failed("does not refer to a valid field");
            }
            // as NewStructural leaves an empty properties map nil, "properties: {}" names no field
            if (!at.properties.isEmpty()) {
                at = at.properties.get(name);
                if (at == null) {
                    return Resolved.failed("does not refer to a valid field");
                }
                path.append(path.isEmpty() ? "" : ".").append(name);
            } else if (at.additionalProperties != null || at.additionalPropertiesAllowed != null) {
                at = at.additionalProperties;
                path.append('[').append(name).append(']');
            } else {
                return Resolved.failed("does not refer to a valid field");
            }
            if (root == null) {
                root = path.toString();
            }
        }
        return new Resolved(path.toString(), root, at == null ? "" : at.type, null);
    }
}

package io.kubus.gateway.apiextensions.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micronaut.core.annotation.Nullable;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What kube-apiserver does to a custom object as it decodes it, before defaulting (unstructuredSchemaCoercer.apply):
 * the root metadata keeps only ObjectMeta's fields, every field the schema does not specify is pruned
 * (pruning.PruneWithOptions, sparing {@code x-kubernetes-preserve-unknown-fields} subtrees and the apiVersion, kind
 * and metadata of the root and of embedded resources), nulls the schema does not allow and cannot default are
 * dropped (PruneNonNullableNullsWithoutDefaults), and embedded resources' metadata keeps only ObjectMeta's fields
 * (objectmeta.Coerce). The removed paths are returned in kube's order, for {@code fieldValidation=Strict} to refuse as
 * {@code unknown field "spec.foo"} and Warn to warn about.
 */
public final class Pruning {
    private static final Set<String> META_FIELDS = Set.of("apiVersion", "kind", "metadata");
    /** metav1.ObjectMeta's JSON fields: what a metadata object keeps. */
    private static final Set<String> OBJECT_META_FIELDS = Set.of("name", "generateName", "namespace", "selfLink", "uid",
            "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
            "labels", "annotations", "ownerReferences", "finalizers", "managedFields");

    private Pruning() {
    }

    /**
     * Prunes {@code object} in place. The paths: the root metadata's unknown fields ({@code metadata.foo}), then
     * the pruned fields, sorted (go-openapi style, {@code spec.items[0].foo}), then the embedded metadata's unknown
     * fields, sorted (field.Path style, {@code spec.templates[a].metadata.foo}).
     */
    public static List<String> prune(ObjectNode object, StructuralSchema schema) {
        List<String> paths = new ArrayList<>(coerceMetadata(object, "metadata"));
        List<String> pruned = new ArrayList<>();
        // the root is a resource: its type and object meta are never pruned
        pruneValue(object, schema, true, "", pruned);
        pruned.sort(null);
        paths.addAll(pruned);
        pruneNulls(object, schema);
        List<String> embedded = new ArrayList<>();
        coerceEmbedded(null, object, schema, false, embedded);
        embedded.sort(null);
        paths.addAll(embedded);
        return paths;
    }

    /**
     * pruning.Prune alone, without paths: what a schema's default must already be (ValidateDefaults compares a
     * default with its pruned copy). {@code isResourceRoot} spares the value's own type and object meta.
     */
    static void pruneOnly(JsonNode value, StructuralSchema schema, boolean isResourceRoot) {
        pruneValue(value, schema, isResourceRoot || schema.embeddedResource, "", new ArrayList<>());
    }

    /** prune: {@code embedded} stands for XEmbeddedResource, which the root gets as a resource. */
    private static void pruneValue(JsonNode x, @Nullable StructuralSchema s, boolean embedded, String path, List<String> out) {
        if (s != null && Boolean.TRUE.equals(s.preserveUnknownFields)) {
            skipPrune(x, s, embedded, path, out);
            return;
        }
        if (x instanceof ObjectNode obj) {
            if (s == null) {
                // nothing is specified here: every field goes
                fieldNames(obj).forEach(k -> out.add(join(path, k)));
                obj.removeAll();
                return;
            }
            pruneFields(obj, s, embedded, path, out, true);
        } else if (x instanceof ArrayNode list) {
            StructuralSchema items = s == null ? null : s.items;
            for (int i = 0; i < list.size(); i++) {
                pruneValue(list.get(i), items, embeddedOf(items), path + "[" + i + "]", out);
            }
        }
    }

    /** skipPrune: a preserved subtree keeps its unknown fields, but what the schema does specify inside is pruned. */
    private static void skipPrune(JsonNode x, @Nullable StructuralSchema s, boolean embedded, String path, List<String> out) {
        if (s == null) {
            return;
        }
        if (x instanceof ObjectNode obj) {
            pruneFields(obj, s, embedded, path, out, false);
        } else if (x instanceof ArrayNode list) {
            for (int i = 0; i < list.size(); i++) {
                skipPrune(list.get(i), s.items, embeddedOf(s.items), path + "[" + i + "]", out);
            }
        }
    }

    /**
     * An object's fields: those the schema specifies are pruned in turn; the others go when {@code dropUnknown} (a
     * preserved subtree keeps them). The type and object meta of an embedded resource are left to their own rules.
     */
    private static void pruneFields(ObjectNode obj, StructuralSchema s, boolean embedded, String path, List<String> out,
                                    boolean dropUnknown) {
        for (String k : fieldNames(obj)) {
            if (embedded && META_FIELDS.contains(k)) {
                continue;
            }
            StructuralSchema prop = s.properties.get(k);
            if (prop != null) {
                pruneValue(obj.get(k), prop, prop.embeddedResource, join(path, k), out);
            } else if (hasAdditionalProperties(s)) {
                pruneValue(obj.get(k), s.additionalProperties, embeddedOf(s.additionalProperties), join(path, k), out);
            } else if (dropUnknown) {
                if (!META_FIELDS.contains(k) || !path.isEmpty()) {
                    out.add(join(path, k));
                }
                obj.remove(k);
            }
        }
    }

    /**
     * PruneNonNullableNullsWithoutDefaults: a null where the schema neither allows one nor has a default to put
     * there is dropped, as if the field were not given (a null the schema can default is left for defaulting).
     */
    private static void pruneNulls(JsonNode x, @Nullable StructuralSchema s) {
        if (x instanceof ObjectNode obj) {
            for (String k : fieldNames(obj)) {
                StructuralSchema sub = s == null ? null : s.properties.containsKey(k) ? s.properties.get(k) : s.additionalProperties;
                JsonNode v = obj.get(k);
                if (v.isNull() && sub != null && !sub.nullable && sub.defaultValue == null) {
                    obj.remove(k);
                } else {
                    pruneNulls(v, sub);
                }
            }
        } else if (x instanceof ArrayNode list) {
            list.forEach(v -> pruneNulls(v, s == null ? null : s.items));
        }
    }

    /**
     * objectmeta.Coerce below the root (isResourceRoot false): an embedded resource's metadata keeps ObjectMeta's
     * fields. Paths are field.Path's, map keys in brackets.
     */
    private static void coerceEmbedded(@Nullable String path, JsonNode x, @Nullable StructuralSchema s, boolean embedded,
                                       List<String> out) {
        if (s == null) {
            return;
        }
        if (x instanceof ObjectNode obj) {
            if (embedded && obj.get("metadata") instanceof ObjectNode) {
                out.addAll(coerceMetadata(obj, FieldPaths.child(path, "metadata")));
            }
            for (String k : fieldNames(obj)) {
                StructuralSchema prop = s.properties.get(k);
                if (prop != null) {
                    coerceEmbedded(FieldPaths.child(path, k), obj.get(k), prop, prop.embeddedResource, out);
                } else if (s.additionalProperties != null) {
                    coerceEmbedded(FieldPaths.key(path, k), obj.get(k), s.additionalProperties,
                            s.additionalProperties.embeddedResource, out);
                }
            }
        } else if (x instanceof ArrayNode list) {
            for (int i = 0; i < list.size(); i++) {
                coerceEmbedded(FieldPaths.index(path, i), list.get(i), s.items, embeddedOf(s.items), out);
            }
        }
    }

    /** Drops the fields ObjectMeta does not have from {@code holder.metadata}; their paths under {@code metaPath}. */
    private static List<String> coerceMetadata(ObjectNode holder, String metaPath) {
        List<String> dropped = new ArrayList<>();
        if (holder.get("metadata") instanceof ObjectNode meta) {
            for (String k : fieldNames(meta)) {
                if (!OBJECT_META_FIELDS.contains(k)) {
                    dropped.add(metaPath + "." + k);
                    meta.remove(k);
                }
            }
        }
        return dropped;
    }

    /** additionalProperties given at all: as a schema, or as a bool (which prunes everything below it). */
    private static boolean hasAdditionalProperties(StructuralSchema s) {
        return s.additionalProperties != null || s.additionalPropertiesAllowed != null;
    }

    private static boolean embeddedOf(@Nullable StructuralSchema s) {
        return s != null && s.embeddedResource;
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private static List<String> fieldNames(ObjectNode obj) {
        List<String> names = new ArrayList<>();
        obj.fieldNames().forEachRemaining(names::add);
        return names;
    }
}

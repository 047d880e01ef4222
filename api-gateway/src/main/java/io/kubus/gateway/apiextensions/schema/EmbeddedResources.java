package io.kubus.gateway.apiextensions.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.ObjectMetaValidation;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.FieldProblem;
import io.kubus.schema.validation.Names;
import io.micronaut.core.annotation.Nullable;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * objectmeta.Validate for the objects a custom object embeds ({@code x-kubernetes-embedded-resource}): each is an
 * object of its own, so it needs an apiVersion and a kind (both strings, a group/version and a kind that is a
 * DNS-1035 label but for its case), and its metadata, if any, must be valid ObjectMeta. The custom object's own root
 * is not checked here: its metadata is the generic path's, as for every kind.
 */
final class EmbeddedResources {
    private EmbeddedResources() {
    }

    /** The problems of the resources embedded in {@code value}, found at {@code path} (null for a whole object). */
    static List<FieldProblem> validate(JsonNode value, StructuralSchema schema, @Nullable String path) {
        ErrorList errs = new ErrorList();
        walk(path, value, schema, errs);
        return errs.problems();
    }

    private static void walk(@Nullable String path, JsonNode x, @Nullable StructuralSchema s, ErrorList errs) {
        if (s == null) {
            return;
        }
        if (x.isObject()) {
            if (s.embeddedResource) {
                embedded(path, (ObjectNode) x, errs);
            }
            for (Map.Entry<String, JsonNode> e : x.properties()) {
                StructuralSchema prop = s.properties.get(e.getKey());
                if (prop != null) {
                    walk(FieldPaths.child(path, e.getKey()), e.getValue(), prop, errs);
                } else if (s.additionalProperties != null) {
                    walk(FieldPaths.key(path, e.getKey()), e.getValue(), s.additionalProperties, errs);
                }
            }
        } else if (x.isArray()) {
            for (int i = 0; i < x.size(); i++) {
                walk(FieldPaths.index(path, i), x.get(i), s.items, errs);
            }
        }
    }

    /** validateEmbeddedResource. */
    private static void embedded(@Nullable String path, ObjectNode x, ErrorList errs) {
        String apiVersionPath = FieldPaths.child(path, "apiVersion");
        String kindPath = FieldPaths.child(path, "kind");
        if (!x.has("apiVersion")) {
            errs.required(apiVersionPath);
        }
        if (!x.has("kind")) {
            errs.required(kindPath);
        }
        JsonNode apiVersion = x.get("apiVersion");
        if (apiVersion != null) {
            if (!apiVersion.isTextual()) {
                errs.invalid(apiVersionPath, GoValues.show(apiVersion), "must be a string");
            } else if (apiVersion.textValue().isEmpty()) {
                errs.invalid(apiVersionPath, "", "must not be empty");
            } else if (apiVersion.textValue().split("/", -1).length > 2) {
                // schema.ParseGroupVersion takes "v1" or "group/v1"
                errs.invalid(apiVersionPath, apiVersion.textValue(), "unexpected GroupVersion string: " + apiVersion.textValue());
            }
        }
        JsonNode kind = x.get("kind");
        if (kind != null) {
            if (!kind.isTextual()) {
                errs.invalid(kindPath, GoValues.show(kind), "must be a string");
            } else if (kind.textValue().isEmpty()) {
                errs.invalid(kindPath, "", "must not be empty");
            } else {
                List<String> bad = Names.dns1035Label(kind.textValue().toLowerCase(Locale.ROOT));
                if (!bad.isEmpty()) {
                    errs.invalid(kindPath, kind.textValue(), "may have mixed case, but should otherwise match: "
                            + String.join(",", bad));
                }
            }
        }
        JsonNode metadata = x.get("metadata");
        if (metadata != null) {
            String metaPath = FieldPaths.child(path, "metadata");
            if (!metadata.isObject()) {
                errs.invalid(metaPath, GoValues.show(metadata), "json: cannot unmarshal "
                        + (metadata.isTextual() ? "string" : metadata.isNumber() ? "number" : metadata.isArray() ? "array" : "bool")
                        + " into Go value of type v1.ObjectMeta");
                return;
            }
            ObjectNode meta = ((ObjectNode) metadata).deepCopy();
            if (meta.path("name").asText("").isEmpty()) {
                meta.put("name", "fakename"); // kube's stand-in: an embedded object need not be named
            }
            // ValidateObjectMeta with path-segment names, namespaced exactly when a namespace is given
            ObjectMetaValidation.objectMeta(meta, metaPath, Names::pathSegmentName,
                    !meta.path("namespace").asText("").isEmpty(), errs);
        }
    }
}

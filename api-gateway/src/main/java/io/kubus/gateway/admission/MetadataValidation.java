package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micronaut.core.annotation.Nullable;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** ValidateObjectMeta: names, namespace, labels, annotations; also used for pod template metadata. */
final class MetadataValidation {
    static final long ANNOTATIONS_MAX_BYTES = 256 * 1024;

    private MetadataValidation() {
    }

    /**
     * @param nameFormat the kind's name rule (DNS-1123 subdomain for most kinds)
     * @param namespaced whether the kind lives in a namespace
     */
    static void objectMeta(@Nullable ObjectNode meta, String path, Function<String, List<String>> nameFormat,
                           boolean namespaced, Errors errs) {
        String name = Json.text(meta, "name");
        String generateName = Json.text(meta, "generateName");
        if (name.isEmpty() && generateName.isEmpty()) {
            errs.required(path + ".name", "name or generateName is required");
        }
        if (!name.isEmpty()) {
            for (String msg : nameFormat.apply(name)) {
                errs.invalid(path + ".name", name, msg);
            }
        }
        if (!generateName.isEmpty()) {
            // a generated name appends 5 characters, so only the prefix must already be a valid start
            String prefix = generateName.endsWith("-") ? generateName.substring(0, generateName.length() - 1) : generateName;
            for (String msg : nameFormat.apply(prefix.isEmpty() ? "a" : prefix)) {
                errs.invalid(path + ".generateName", generateName, msg);
            }
        }
        String namespace = Json.text(meta, "namespace");
        if (namespaced) {
            if (namespace.isEmpty()) {
                errs.required(path + ".namespace");
            } else {
                for (String msg : Names.dns1123Label(namespace)) {
                    errs.invalid(path + ".namespace", namespace, msg);
                }
            }
        } else if (!namespace.isEmpty()) {
            errs.forbidden(path + ".namespace", "not allowed on this type");
        }
        labelsAndAnnotations(meta, path, errs);
    }

    static void labelsAndAnnotations(@Nullable ObjectNode meta, String path, Errors errs) {
        labels(Json.objOrNull(meta, "labels"), path + ".labels", errs);
        ObjectNode annotations = Json.objOrNull(meta, "annotations");
        if (annotations != null) {
            long size = 0;
            for (Map.Entry<String, JsonNode> e : annotations.properties()) {
                for (String msg : Names.qualifiedName(e.getKey().toLowerCase(java.util.Locale.ROOT))) {
                    errs.invalid(path + ".annotations", e.getKey(), msg);
                }
                size += e.getKey().getBytes(StandardCharsets.UTF_8).length
                        + e.getValue().asText().getBytes(StandardCharsets.UTF_8).length;
            }
            if (size > ANNOTATIONS_MAX_BYTES) {
                errs.tooLong(path + ".annotations", ANNOTATIONS_MAX_BYTES);
            }
        }
    }

    static void labels(@Nullable ObjectNode labels, String path, Errors errs) {
        if (labels == null) {
            return;
        }
        for (Map.Entry<String, JsonNode> e : labels.properties()) {
            for (String msg : Names.qualifiedName(e.getKey())) {
                errs.invalid(path, e.getKey(), msg);
            }
            String value = e.getValue().asText();
            for (String msg : Names.labelValue(value)) {
                errs.invalid(path, value, msg);
            }
        }
    }
}

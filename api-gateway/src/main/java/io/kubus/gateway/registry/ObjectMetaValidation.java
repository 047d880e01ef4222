package io.kubus.gateway.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.schema.selector.LabelSelector;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.Names;
import io.micronaut.core.annotation.Nullable;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import static io.kubus.gateway.registry.JsonTree.objOrNull;
import static io.kubus.gateway.registry.JsonTree.text;

/** ValidateObjectMeta: names, namespace, labels, annotations; also the metadata of pod and job templates. */
public final class ObjectMetaValidation {
    static final long ANNOTATIONS_MAX_BYTES = 256 * 1024;

    private ObjectMetaValidation() {
    }

    /**
     * @param nameRule   the kind's name rule (its strategy's {@link Strategy#validateName})
     * @param namespaced whether the kind lives in a namespace
     */
    public static void objectMeta(@Nullable ObjectNode meta, String path, Function<String, List<String>> nameRule,
                                  boolean namespaced, ErrorList errs) {
        String name = text(meta, "name");
        String generateName = text(meta, "generateName");
        if (name.isEmpty() && generateName.isEmpty()) {
            errs.required(path + ".name", "name or generateName is required");
        }
        if (!name.isEmpty()) {
            errs.invalidEach(path + ".name", name, nameRule.apply(name));
        }
        if (!generateName.isEmpty()) {
            // a generated name appends 5 characters, so only the prefix must already be a valid start
            String prefix = generateName.endsWith("-") ? generateName.substring(0, generateName.length() - 1) : generateName;
            errs.invalidEach(path + ".generateName", generateName, nameRule.apply(prefix.isEmpty() ? "a" : prefix));
        }
        String namespace = text(meta, "namespace");
        if (namespaced) {
            if (namespace.isEmpty()) {
                errs.required(path + ".namespace");
            } else {
                errs.invalidEach(path + ".namespace", namespace, Names.dns1123Label(namespace));
            }
        } else if (!namespace.isEmpty()) {
            errs.forbidden(path + ".namespace", "not allowed on this type");
        }
        labelsAndAnnotations(meta, path, errs);
    }

    public static void labelsAndAnnotations(@Nullable ObjectNode meta, String path, ErrorList errs) {
        labels(objOrNull(meta, "labels"), path + ".labels", errs);
        ObjectNode annotations = objOrNull(meta, "annotations");
        if (annotations != null) {
            long size = 0;
            for (Map.Entry<String, JsonNode> e : annotations.properties()) {
                errs.invalidEach(path + ".annotations", e.getKey(), Names.qualifiedName(e.getKey().toLowerCase(Locale.ROOT)));
                size += e.getKey().getBytes(StandardCharsets.UTF_8).length
                        + e.getValue().asText().getBytes(StandardCharsets.UTF_8).length;
            }
            if (size > ANNOTATIONS_MAX_BYTES) {
                errs.tooLong(path + ".annotations", ANNOTATIONS_MAX_BYTES);
            }
        }
    }

    /** ValidateLabels: a label map (metadata labels, or a selector that is a plain map) at {@code path}. */
    public static void labels(@Nullable JsonNode labels, String path, ErrorList errs) {
        errs.addAll(LabelSelector.validateLabels(LabelSelectors.labels(labels), path));
    }
}

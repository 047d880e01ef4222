package io.kubus.gateway.registry.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.schema.KubusJson;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.Names;
import io.micronaut.core.annotation.Nullable;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** The rules ConfigMaps and Secrets share: their keys, their size, and what an immutable one may not change. */
final class ConfigData {
    private static final long MAX_BYTES = 1024 * 1024;

    private ConfigData() {
    }

    /** Keys are file names when mounted and environment names when imported; the whole fits in 1 MiB. */
    static void validate(@Nullable ObjectNode data, @Nullable ObjectNode binaryData, ErrorList errs) {
        long size = 0;
        for (String field : List.of("data", "binaryData")) {
            ObjectNode map = field.equals("data") ? data : binaryData;
            if (map == null) {
                continue;
            }
            for (Map.Entry<String, JsonNode> e : map.properties()) {
                errs.invalidEach(field + "[" + e.getKey() + "]", e.getKey(), Names.configKey(e.getKey()));
                if (map == binaryData && data != null && data.has(e.getKey())) {
                    errs.invalid(field + "[" + e.getKey() + "]", e.getKey(), "duplicate of key present in data");
                }
                size += e.getValue().asText().getBytes(StandardCharsets.UTF_8).length;
            }
        }
        if (size > MAX_BYTES) {
            errs.tooLong("data", MAX_BYTES);
        }
    }

    /** Immutable ConfigMaps and Secrets let kubelets stop watching them, so they must really not change. */
    static void validateImmutable(ObjectNode now, ObjectNode old, ErrorList errs) {
        if (!old.path("immutable").asBoolean(false)) {
            return;
        }
        if (!now.path("immutable").asBoolean(false)) {
            errs.forbidden("immutable", "field is immutable when `immutable` is set");
        }
        for (String field : List.of("data", "binaryData")) {
            if (!KubusJson.equivalent(old.path(field), now.path(field))) {
                errs.forbidden(field, "field is immutable when `immutable` is set");
            }
        }
    }
}

package io.kubus.gateway.api;

import io.micronaut.core.annotation.Nullable;

/** The response representations the API negotiates from the Accept header. */
public enum Format {
    JSON("application/json"), YAML("application/yaml"), TABLE("application/json;as=Table;v=v1;g=meta.k8s.io");

    private final String contentType;

    Format(String contentType) {
        this.contentType = contentType;
    }

    public String contentType() {
        return contentType;
    }

    /**
     * Picks the first representation the client lists that Kubus serves. Protobuf is never served: a client that
     * offers JSON after it (kubectl does) gets JSON.
     */
    public static Format negotiate(@Nullable String accept) {
        if (accept == null || accept.isBlank()) {
            return JSON;
        }
        for (String part : accept.split(",")) {
            String p = part.trim().toLowerCase(java.util.Locale.ROOT);
            if (p.startsWith("application/json") && p.contains("as=table")) {
                if (p.contains("g=meta.k8s.io")) {
                    return TABLE;
                }
                continue;
            }
            if (p.startsWith("application/yaml")) {
                return YAML;
            }
            if (p.startsWith("application/json") || p.startsWith("*/*") || p.startsWith("application/*")) {
                return JSON;
            }
        }
        throw ApiException.notAcceptable("only the following media types are accepted: application/json, application/yaml");
    }
}

package io.kubus.gateway.api;

import io.micronaut.core.annotation.Nullable;

import java.util.Locale;

/** The patch formats, chosen by the request's Content-Type as kube-apiserver does. */
public enum PatchType {
    JSON, MERGE, STRATEGIC, APPLY;

    public static PatchType of(@Nullable String contentType) {
        String ct = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        return switch (ct) {
            case "application/json-patch+json" -> JSON;
            case "application/merge-patch+json" -> MERGE;
            case "application/strategic-merge-patch+json" -> STRATEGIC;
            case "application/apply-patch+yaml", "application/apply-patch+json" -> APPLY;
            default -> throw ApiException.unsupportedMediaType("the body of the request was in an unknown format - "
                    + "accepted media types include: application/json-patch+json, application/merge-patch+json, "
                    + "application/apply-patch+yaml, application/strategic-merge-patch+json");
        };
    }
}

package io.kubus.gateway.admission;

import io.kubus.gateway.api.ApiException;
import io.micronaut.core.annotation.Nullable;

/** The {@code fieldValidation} query parameter: what to do with fields the schema does not know. */
public enum FieldValidation {
    STRICT, WARN, IGNORE;

    /** Kubernetes' default when the parameter is absent is Warn... kubectl always sends one explicitly. */
    public static FieldValidation parse(@Nullable String value) {
        if (value == null || value.isEmpty()) {
            return WARN;
        }
        return switch (value) {
            case "Strict" -> STRICT;
            case "Warn" -> WARN;
            case "Ignore" -> IGNORE;
            default -> throw ApiException.badRequest("fieldValidation: Unsupported value: \"" + value
                    + "\": supported values: \"Ignore\", \"Strict\", \"Warn\"");
        };
    }
}

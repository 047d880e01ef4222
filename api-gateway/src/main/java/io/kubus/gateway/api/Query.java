package io.kubus.gateway.api;

import io.micronaut.core.annotation.Nullable;

import java.util.List;
import java.util.Map;

/** The query parameters of a request. */
public record Query(Map<String, List<String>> values) {
    public @Nullable String get(String name) {
        List<String> v = values.get(name);
        return v == null || v.isEmpty() ? null : v.getFirst();
    }

    public boolean isTrue(String name) {
        String v = get(name);
        return v != null && (v.equals("true") || v.equals("1"));
    }

    /** A non-negative integer parameter, or null when absent; a clear 400 otherwise. */
    public @Nullable Long nonNegativeLong(String name) {
        String v = get(name);
        if (v == null || v.isEmpty()) {
            return null;
        }
        try {
            long n = Long.parseLong(v);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.badRequest(name + ": Invalid value: \"" + v + "\": must be a non-negative integer");
    }
}

package io.kubus.gateway.api;

import io.kubus.schema.validation.GoQuote;
import io.micronaut.core.annotation.Nullable;

import java.util.List;
import java.util.Map;

/**
 * The query parameters of a request, read as kube-apiserver reads them into its option structs (the generated
 * {@code url.Values} conversions of k8s.io/apimachinery, which take the first value of a repeated parameter).
 */
public record Query(Map<String, List<String>> values) {
    public @Nullable String get(String name) {
        List<String> v = values.get(name);
        return v == null || v.isEmpty() ? null : v.getFirst();
    }

    /**
     * A boolean parameter as apimachinery's {@code runtime.Convert_Slice_string_To_bool} reads it: absent, "0" or
     * "false" in any case is false, and every other value is true, an empty one ({@code ?watch}) included. It is
     * not Go's strconv.ParseBool: kube-apiserver refuses no boolean, so {@code watch=True} (the Python client's)
     * and {@code watch=yes} both start a watch, and no value here is a 400.
     */
    public boolean isTrue(String name) {
        List<String> v = values.get(name);
        return v != null && !v.isEmpty() && isTrueValue(v.getFirst());
    }

    /** The same reading for an optional boolean ({@code *bool} in Go): null when the parameter is absent. */
    public @Nullable Boolean optionalBoolean(String name) {
        List<String> v = values.get(name);
        return v == null || v.isEmpty() ? null : isTrueValue(v.getFirst());
    }

    static boolean isTrueValue(String value) {
        return !value.equals("0") && !value.equalsIgnoreCase("false");
    }

    /**
     * An int64 parameter as apimachinery converts it ({@code strconv.ParseInt(s, 10, 64)}): null when absent, a 400
     * with Go's own error text otherwise, which is what kube-apiserver answers for {@code timeoutSeconds=soon}.
     */
    public @Nullable Long int64(String name) {
        String v = get(name);
        if (v == null) {
            return null;
        }
        return parseInt64(v);
    }

    /**
     * Go's strconv.ParseInt in base 10: an optional sign and ASCII digits only (Java's Long.parseLong would also take
     * other scripts' digits), with Go's messages for a bad value and for one out of range.
     */
    static long parseInt64(String v) {
        int start = v.startsWith("+") || v.startsWith("-") ? 1 : 0;
        boolean digits = v.length() > start;
        for (int i = start; i < v.length() && digits; i++) {
            char c = v.charAt(i);
            digits = c >= '0' && c <= '9';
        }
        if (!digits) {
            throw ApiException.badRequest("strconv.ParseInt: parsing " + GoQuote.quote(v) + ": invalid syntax");
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("strconv.ParseInt: parsing " + GoQuote.quote(v) + ": value out of range");
        }
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

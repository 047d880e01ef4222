package io.kubus.gateway.admission;

import io.fabric8.kubernetes.api.model.StatusCause;
import io.kubus.gateway.api.ApiException;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Collects validation failures with the reasons and message bodies of apimachinery's field.Error. */
final class Errors {
    private final List<StatusCause> causes = new ArrayList<>();

    List<StatusCause> causes() {
        return causes;
    }

    boolean isEmpty() {
        return causes.isEmpty();
    }

    void required(String field) {
        add("FieldValueRequired", field, "Required value");
    }

    void required(String field, String detail) {
        add("FieldValueRequired", field, detail.isEmpty() ? "Required value" : "Required value: " + detail);
    }

    void invalid(String field, Object value, String detail) {
        add("FieldValueInvalid", field, "Invalid value: " + show(value) + ": " + detail);
    }

    void duplicate(String field, Object value) {
        add("FieldValueDuplicate", field, "Duplicate value: " + show(value));
    }

    /** A name that must be a DNS-1123 label and unique among its siblings ({@code seen} collects them). */
    void uniqueLabel(String field, String name, java.util.Set<String> seen) {
        for (String msg : io.kubus.schema.validation.Names.dns1123Label(name)) {
            invalid(field, name, msg);
        }
        if (!seen.add(name)) {
            duplicate(field, name);
        }
    }

    void notFound(String field, Object value) {
        add("FieldValueNotFound", field, "Not found: " + show(value));
    }

    void notSupported(String field, Object value, List<String> supported) {
        add("FieldValueNotSupported", field, "Unsupported value: " + show(value) + ": supported values: "
                + supported.stream().map(s -> "\"" + s + "\"").collect(Collectors.joining(", ")));
    }

    void tooLong(String field, long max) {
        add("FieldValueTooLong", field, "Too long: may not be more than " + max + " bytes");
    }

    void forbidden(String field, String detail) {
        add("FieldValueForbidden", field, "Forbidden: " + detail);
    }

    private void add(String reason, String field, String message) {
        causes.add(ApiException.cause(reason, field, message));
    }

    /** Go's %q for strings, plain for numbers, as field.Invalid prints a value. */
    static String show(Object value) {
        if (value instanceof String s) {
            return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
        return String.valueOf(value);
    }
}

package io.kubus.schema.validation;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One validation failure on one field, shaped like a Kubernetes {@code field.Error} so it can be turned
 * directly into a {@code StatusCause} ({@code field}, {@code reason}, {@code message}).
 *
 * @param field   the field path, e.g. {@code metadata.labels}
 * @param reason  the Kubernetes CauseType, e.g. {@link #INVALID}
 * @param message the Kubernetes error body, e.g. {@code Invalid value: "-bad": ...}
 */
public record FieldProblem(String field, String reason, String message) {

    public static final String NOT_FOUND = "FieldValueNotFound";
    public static final String REQUIRED = "FieldValueRequired";
    public static final String DUPLICATE = "FieldValueDuplicate";
    public static final String INVALID = "FieldValueInvalid";
    public static final String NOT_SUPPORTED = "FieldValueNotSupported";
    public static final String FORBIDDEN = "FieldValueForbidden";
    public static final String TOO_LONG = "FieldValueTooLong";
    public static final String TOO_MANY = "FieldValueTooMany";
    public static final String TYPE_INVALID = "FieldValueTypeInvalid";

    public FieldProblem {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
    }

    /** {@code Invalid value: "<value>": <detail>}, as Kubernetes' {@code field.Invalid}. */
    public static FieldProblem invalid(String field, String value, String detail) {
        return new FieldProblem(field, INVALID, withDetail("Invalid value: " + GoQuote.quote(value), detail));
    }

    /** {@code Required value[: detail]}, as Kubernetes' {@code field.Required}. */
    public static FieldProblem required(String field, String detail) {
        return new FieldProblem(field, REQUIRED, withDetail("Required value", detail));
    }

    /** {@code Forbidden[: detail]}, as Kubernetes' {@code field.Forbidden}. */
    public static FieldProblem forbidden(String field, String detail) {
        return new FieldProblem(field, FORBIDDEN, withDetail("Forbidden", detail));
    }

    /** {@code Too long: may not be more than N bytes}, as Kubernetes' {@code field.TooLong}. */
    public static FieldProblem tooLong(String field, int maxLength) {
        return new FieldProblem(field, TOO_LONG, "Too long: may not be more than " + maxLength + " bytes");
    }

    /** {@code Unsupported value: "<value>": supported values: "a", "b"}, as {@code field.NotSupported}. */
    public static FieldProblem notSupported(String field, String value, List<String> supported) {
        String detail = supported.isEmpty() ? null
                : "supported values: " + supported.stream().map(GoQuote::quote).collect(Collectors.joining(", "));
        return new FieldProblem(field, NOT_SUPPORTED, withDetail("Unsupported value: " + GoQuote.quote(value), detail));
    }

    private static String withDetail(String body, String detail) {
        return detail == null || detail.isEmpty() ? body : body + ": " + detail;
    }

    /** {@code <field>: <message>}, the form Kubernetes uses in aggregated error strings. */
    @Override
    public String toString() {
        return field.isEmpty() ? message : field + ": " + message;
    }
}

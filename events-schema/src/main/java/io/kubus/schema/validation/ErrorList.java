package io.kubus.schema.validation;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Collects validation failures as apimachinery's {@code field.ErrorList} does, with the reasons and message bodies of
 * its constructors ({@code field.Required}, {@code field.Invalid}, ...), because kubectl users and scripts match
 * on those texts. Values print as Go's {@code %v} of the value: strings quoted ({@code %q}), numbers plain.
 */
public final class ErrorList {
    private final List<FieldProblem> problems = new ArrayList<>();

    public List<FieldProblem> problems() {
        return List.copyOf(problems);
    }

    public boolean isEmpty() {
        return problems.isEmpty();
    }

    public void add(FieldProblem problem) {
        problems.add(problem);
    }

    public void addAll(Collection<FieldProblem> more) {
        problems.addAll(more);
    }

    public void required(String field) {
        required(field, "");
    }

    public void required(String field, String detail) {
        problems.add(FieldProblem.required(field, detail));
    }

    public void invalid(String field, Object value, String detail) {
        add(FieldProblem.INVALID, field, "Invalid value: " + show(value) + ": " + detail);
    }

    /** Every message of a name rule (e.g. {@link Names#dns1123Label}) as an Invalid value of {@code field}. */
    public void invalidEach(String field, Object value, List<String> messages) {
        for (String m : messages) {
            invalid(field, value, m);
        }
    }

    public void duplicate(String field, Object value) {
        add(FieldProblem.DUPLICATE, field, "Duplicate value: " + show(value));
    }

    public void notFound(String field, Object value) {
        add(FieldProblem.NOT_FOUND, field, "Not found: " + show(value));
    }

    public void notSupported(String field, Object value, List<String> supported) {
        add(FieldProblem.NOT_SUPPORTED, field, "Unsupported value: " + show(value) + ": supported values: "
                + supported.stream().map(GoQuote::quote).collect(Collectors.joining(", ")));
    }

    /** {@code field.TooLong} of a string or byte budget. */
    public void tooLong(String field, long max) {
        add(FieldProblem.TOO_LONG, field, "Too long: may not be more than " + max + " bytes");
    }

    /** {@code field.TooMany}: a list holds more items than allowed. */
    public void tooMany(String field, long actual, long max) {
        add(FieldProblem.TOO_MANY, field, "Too many: " + actual + ": must have at most " + max + " items");
    }

    public void forbidden(String field, String detail) {
        problems.add(FieldProblem.forbidden(field, detail));
    }

    /** A name that must be a DNS-1123 label and unique among its siblings ({@code seen} collects them). */
    public void uniqueLabel(String field, String name, Set<String> seen) {
        invalidEach(field, name, Names.dns1123Label(name));
        if (!seen.add(name)) {
            duplicate(field, name);
        }
    }

    /** ValidatePortNumOrName of an IntOrString ({@code port} a Number or a String): a port number, or a port name. */
    public void portNumberOrName(String field, Object port) {
        if (port instanceof Number n) {
            invalidEach(field, n.longValue(), Names.portNumber(n.longValue()));
        } else if (port instanceof String s) {
            invalidEach(field, s, Names.portName(s));
        }
    }

    /** A number field that, when present, must be zero or more (ValidateNonnegativeField). */
    public void nonNegative(String field, long value) {
        if (value < 0) {
            invalid(field, value, "must be greater than or equal to 0");
        }
    }

    private void add(String reason, String field, String message) {
        problems.add(new FieldProblem(field, reason, message));
    }

    /** Go's {@code %v} of a field value as field.Error prints it: strings quoted, other values as they are. */
    public static String show(Object value) {
        return value instanceof String s ? GoQuote.quote(s) : String.valueOf(value);
    }

    /** A value already printed the Go way (e.g. a struct), shown unquoted. */
    public record GoValue(String text) {
        @Override
        public String toString() {
            return text;
        }
    }
}

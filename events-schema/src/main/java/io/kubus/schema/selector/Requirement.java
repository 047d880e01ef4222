package io.kubus.schema.selector;

import io.kubus.schema.validation.GoQuote;
import io.kubus.schema.validation.Names;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * One validated label selector requirement ({@code key op values}), as Kubernetes' {@code labels.Requirement}.
 * Values are held as a sorted set, as the Kubernetes parser does, so equal requirements compare equal.
 */
public final class Requirement implements Comparable<Requirement> {

    private final String key;
    private final Operator operator;
    private final List<String> values;

    private Requirement(String key, Operator operator, List<String> values) {
        this.key = key;
        this.operator = operator;
        this.values = values;
    }

    /**
     * Validates like Kubernetes' {@code labels.NewRequirement}: key must be a qualified name, every value a
     * label value, and the value count must suit the operator.
     *
     * @throws SelectorException listing every problem found
     */
    public static Requirement of(String key, Operator operator, Collection<String> values) {
        Objects.requireNonNull(operator, "operator");
        String k = key == null ? "" : key;
        List<String> vals = values == null ? List.of() : values.stream().map(v -> v == null ? "" : v).toList();
        List<String> errs = new ArrayList<>();
        List<String> keyErrs = Names.qualifiedName(k);
        if (!keyErrs.isEmpty()) {
            errs.add("key: Invalid value: " + GoQuote.quote(k) + ": " + String.join("; ", keyErrs));
        }
        switch (operator) {
            case IN, NOT_IN -> {
                if (vals.isEmpty()) {
                    errs.add(invalidValues(vals, "for 'in', 'notin' operators, values set can't be empty"));
                }
            }
            case EQUALS, DOUBLE_EQUALS, NOT_EQUALS -> {
                if (vals.size() != 1) {
                    errs.add(invalidValues(vals, "exact-match compatibility requires one single value"));
                }
            }
            case EXISTS, DOES_NOT_EXIST -> {
                if (!vals.isEmpty()) {
                    errs.add(invalidValues(vals, "values set must be empty for exists and does not exist"));
                }
            }
            case GREATER_THAN, LESS_THAN -> {
                if (vals.size() != 1) {
                    errs.add(invalidValues(vals, "for 'Gt', 'Lt' operators, exactly one value is required"));
                }
                for (int i = 0; i < vals.size(); i++) {
                    if (parseLong(vals.get(i)) == null) {
                        errs.add("values[" + i + "]: Invalid value: " + GoQuote.quote(vals.get(i))
                                + ": for 'Gt', 'Lt' operators, the value must be an integer");
                    }
                }
            }
        }
        for (int i = 0; i < vals.size(); i++) {
            List<String> valueErrs = Names.labelValue(vals.get(i));
            if (!valueErrs.isEmpty()) {
                errs.add("values[" + i + "][" + k + "]: Invalid value: " + GoQuote.quote(vals.get(i)) + ": "
                        + String.join("; ", valueErrs));
            }
        }
        if (!errs.isEmpty()) {
            // Kubernetes' utilerrors.Aggregate formatting: a single error bare, several in brackets.
            throw new SelectorException(errs.size() == 1 ? errs.getFirst() : "[" + String.join(", ", errs) + "]");
        }
        return new Requirement(k, operator, List.copyOf(new TreeSet<>(vals)));
    }

    public String key() {
        return key;
    }

    public Operator operator() {
        return operator;
    }

    /** Sorted, de-duplicated values (empty for Exists / DoesNotExist). */
    public List<String> values() {
        return values;
    }

    /** Kubernetes {@code Requirement.Matches}; {@code labels} must not be null. */
    public boolean matches(Map<String, String> labels) {
        boolean has = labels.containsKey(key);
        String actual = has ? Objects.requireNonNullElse(labels.get(key), "") : null;
        return switch (operator) {
            case IN, EQUALS, DOUBLE_EQUALS -> has && values.contains(actual);
            case NOT_IN, NOT_EQUALS -> !has || !values.contains(actual);
            case EXISTS -> has;
            case DOES_NOT_EXIST -> !has;
            case GREATER_THAN, LESS_THAN -> {
                // A missing or non-integer label never satisfies a numeric comparison.
                Long l = has ? parseLong(actual) : null;
                Long r = parseLong(values.getFirst());
                if (l == null || r == null) {
                    yield false;
                }
                yield operator == Operator.GREATER_THAN ? l > r : l < r;
            }
        };
    }

    /** Kubernetes' string form: {@code k=v}, {@code k==v}, {@code k!=v}, {@code k in (a,b)}, {@code k}, {@code !k}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (operator == Operator.DOES_NOT_EXIST) {
            sb.append('!');
        }
        sb.append(key);
        String joined = String.join(",", values);
        switch (operator) {
            case EQUALS -> sb.append('=').append(joined);
            case DOUBLE_EQUALS -> sb.append("==").append(joined);
            case NOT_EQUALS -> sb.append("!=").append(joined);
            case IN -> sb.append(" in (").append(joined).append(')');
            case NOT_IN -> sb.append(" notin (").append(joined).append(')');
            case GREATER_THAN -> sb.append('>').append(joined);
            case LESS_THAN -> sb.append('<').append(joined);
            case EXISTS, DOES_NOT_EXIST -> {
            }
        }
        return sb.toString();
    }

    /** Orders by key as Kubernetes does, then by string form so the order is total and deterministic. */
    @Override
    public int compareTo(Requirement o) {
        int c = key.compareTo(o.key);
        return c != 0 ? c : toString().compareTo(o.toString());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Requirement r && key.equals(r.key) && operator == r.operator && values.equals(r.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, operator, values);
    }

    private static String invalidValues(List<String> vals, String detail) {
        return "values: Invalid value: " + GoQuote.stringSlice(vals) + ": " + detail;
    }

    // strconv.ParseInt(s, 10, 64) equivalent.
    private static Long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}

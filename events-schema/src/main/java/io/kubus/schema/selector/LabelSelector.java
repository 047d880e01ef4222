package io.kubus.schema.selector;

import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.kubus.schema.validation.FieldProblem;
import io.kubus.schema.validation.GoQuote;
import io.kubus.schema.validation.Names;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * An immutable Kubernetes label selector: a conjunction of {@link Requirement}s, or the special
 * {@linkplain #nothing() nothing} selector that matches no object (k8s.io/apimachinery/pkg/labels).
 */
public final class LabelSelector {

    private static final LabelSelector EVERYTHING = new LabelSelector(List.of(), false);
    private static final LabelSelector NOTHING = new LabelSelector(List.of(), true);

    private final List<Requirement> requirements;
    private final boolean nothing;

    private LabelSelector(List<Requirement> requirements, boolean nothing) {
        this.requirements = requirements;
        this.nothing = nothing;
    }

    /** Matches every label set (also what an empty selector string means). */
    public static LabelSelector everything() {
        return EVERYTHING;
    }

    /** Matches no label set; what Kubernetes uses for an absent (nil) {@code LabelSelector}. */
    public static LabelSelector nothing() {
        return NOTHING;
    }

    /**
     * Parses the Kubernetes selector string syntax, e.g. {@code app=web,env in (a,b),!canary}.
     * A null, empty or blank string selects everything.
     *
     * @throws SelectorException with a Kubernetes-style message naming the offending part
     */
    public static LabelSelector parse(String selector) {
        if (selector == null || selector.isBlank()) {
            return EVERYTHING;
        }
        return fromRequirements(LabelSelectorParser.parse(selector));
    }

    /**
     * Converts an API {@code LabelSelector} as Kubernetes' {@code metav1.LabelSelectorAsSelector} does:
     * null selects nothing, a selector with no matchLabels and no matchExpressions selects everything.
     *
     * @throws SelectorException if a key, value or operator is invalid
     */
    public static LabelSelector of(io.fabric8.kubernetes.api.model.LabelSelector selector) {
        if (selector == null) {
            return NOTHING;
        }
        Map<String, String> matchLabels = selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels();
        List<LabelSelectorRequirement> exprs =
                selector.getMatchExpressions() == null ? List.of() : selector.getMatchExpressions();
        if (matchLabels.isEmpty() && exprs.isEmpty()) {
            return EVERYTHING;
        }
        List<Requirement> reqs = new ArrayList<>(matchLabels.size() + exprs.size());
        // Sorted so that, with several bad entries, the reported one does not depend on map order.
        new TreeMap<>(matchLabels).forEach((k, v) -> reqs.add(Requirement.of(k, Operator.EQUALS, List.of(nn(v)))));
        for (LabelSelectorRequirement expr : exprs) {
            if (expr == null) {
                continue;
            }
            String opName = nn(expr.getOperator());
            Operator op = switch (opName) {
                case "In" -> Operator.IN;
                case "NotIn" -> Operator.NOT_IN;
                case "Exists" -> Operator.EXISTS;
                case "DoesNotExist" -> Operator.DOES_NOT_EXIST;
                default -> throw new SelectorException(
                        GoQuote.quote(opName) + " is not a valid label selector operator");
            };
            reqs.add(Requirement.of(expr.getKey(), op, expr.getValues() == null ? List.of() : expr.getValues()));
        }
        return fromRequirements(reqs);
    }

    /** Builds a selector from already validated requirements (all must hold). */
    public static LabelSelector fromRequirements(Collection<Requirement> requirements) {
        if (requirements.isEmpty()) {
            return EVERYTHING;
        }
        // Kubernetes sorts requirements by key so that the string form is canonical.
        return new LabelSelector(requirements.stream().map(Objects::requireNonNull).sorted().toList(), false);
    }

    /** Selects exactly the given labels (each {@code k=v}); an empty map selects everything. */
    public static LabelSelector ofMatchLabels(Map<String, String> labels) {
        if (labels == null || labels.isEmpty()) {
            return EVERYTHING;
        }
        return fromRequirements(labels.entrySet().stream()
                .map(e -> Requirement.of(e.getKey(), Operator.EQUALS, List.of(nn(e.getValue()))))
                .toList());
    }

    /** True if every requirement holds for {@code labels} (null = no labels). */
    public boolean matches(Map<String, String> labels) {
        if (nothing) {
            return false;
        }
        Map<String, String> ls = labels == null ? Map.of() : labels;
        for (Requirement r : requirements) {
            if (!r.matches(ls)) {
                return false;
            }
        }
        return true;
    }

    /** True for the selector that matches every label set. */
    public boolean isEverything() {
        return !nothing && requirements.isEmpty();
    }

    /** True for the selector that matches no label set. */
    public boolean isNothing() {
        return nothing;
    }

    /** The requirements, sorted by key. */
    public List<Requirement> requirements() {
        return requirements;
    }

    /**
     * Canonical Kubernetes string form, e.g. {@code app=web,env in (a,b),!foo}; re-parsing it yields an equal
     * selector. Both everything and nothing print as {@code ""}, as in Kubernetes.
     */
    @Override
    public String toString() {
        return requirements.stream().map(Requirement::toString).collect(Collectors.joining(","));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelSelector s && nothing == s.nothing && requirements.equals(s.requirements);
    }

    @Override
    public int hashCode() {
        return requirements.hashCode() * 31 + Boolean.hashCode(nothing);
    }

    /**
     * Validates an object's labels as Kubernetes' {@code ValidateLabels}: every key a qualified name, every
     * value a label value. Problems are reported against {@code fieldPath} (e.g. {@code metadata.labels}),
     * in key order.
     */
    public static List<FieldProblem> validateLabels(Map<String, String> labels, String fieldPath) {
        if (labels == null || labels.isEmpty()) {
            return List.of();
        }
        List<FieldProblem> problems = new ArrayList<>();
        // Null-tolerant ordering: a null key (possible in a Java map, not in JSON) is reported as "".
        TreeMap<String, String> sorted = new TreeMap<>(Comparator.nullsFirst(Comparator.<String>naturalOrder()));
        sorted.putAll(labels);
        sorted.forEach((k, v) -> {
            for (String msg : Names.qualifiedName(nn(k))) {
                problems.add(FieldProblem.invalid(fieldPath, nn(k), msg));
            }
            for (String msg : Names.labelValue(nn(v))) {
                problems.add(FieldProblem.invalid(fieldPath, nn(v), msg));
            }
        });
        return List.copyOf(problems);
    }

    /**
     * Validates an API {@code LabelSelector} as Kubernetes' {@code ValidateLabelSelector}: matchLabels as labels, and
     * each matchExpression's operator, the values it needs or forbids, its key and its values. Problems are reported
     * against {@code fieldPath} (e.g. {@code spec.selector}).
     */
    public static List<FieldProblem> validate(io.fabric8.kubernetes.api.model.LabelSelector selector, String fieldPath) {
        if (selector == null) {
            return List.of();
        }
        List<FieldProblem> problems = new ArrayList<>(validateLabels(selector.getMatchLabels(), fieldPath + ".matchLabels"));
        List<LabelSelectorRequirement> exprs = selector.getMatchExpressions() == null ? List.of() : selector.getMatchExpressions();
        for (int i = 0; i < exprs.size(); i++) {
            LabelSelectorRequirement expr = exprs.get(i);
            String p = fieldPath + ".matchExpressions[" + i + "]";
            String op = nn(expr.getOperator());
            List<String> values = expr.getValues() == null ? List.of() : expr.getValues();
            switch (op) {
                case "In", "NotIn" -> {
                    if (values.isEmpty()) {
                        problems.add(FieldProblem.required(p + ".values", "must be specified when `operator` is 'In' or 'NotIn'"));
                    }
                }
                case "Exists", "DoesNotExist" -> {
                    if (!values.isEmpty()) {
                        problems.add(FieldProblem.forbidden(p + ".values",
                                "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
                    }
                }
                default -> problems.add(FieldProblem.invalid(p + ".operator", op, "not a valid selector operator"));
            }
            for (String msg : Names.qualifiedName(nn(expr.getKey()))) {
                problems.add(FieldProblem.invalid(p + ".key", nn(expr.getKey()), msg));
            }
            for (int v = 0; v < values.size(); v++) {
                for (String msg : Names.labelValue(nn(values.get(v)))) {
                    problems.add(FieldProblem.invalid(p + ".values[" + v + "]", nn(values.get(v)), msg));
                }
            }
        }
        return List.copyOf(problems);
    }

    private static String nn(String s) {
        return s == null ? "" : s;
    }
}

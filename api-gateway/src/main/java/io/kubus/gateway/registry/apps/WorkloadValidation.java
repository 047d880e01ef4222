package io.kubus.gateway.registry.apps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.LabelSelectors;
import io.kubus.gateway.registry.core.pod.PodSpecValidation;
import io.kubus.schema.KubusJson;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.ErrorList.GoValue;
import io.kubus.schema.validation.FieldProblem;
import io.micronaut.core.annotation.Nullable;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static io.kubus.gateway.registry.JsonTree.objOrNull;

/**
 * The rules the kinds that run pods from a template share (pkg/apis/apps/validation, batch): a selector that matches
 * the template's labels, the template itself, non-negative counts, int-or-percent budgets.
 */
public final class WorkloadValidation {
    public static final List<String> ALWAYS = List.of("Always");
    private static final Pattern PERCENT = Pattern.compile("[0-9]+%");

    private WorkloadValidation() {
    }

    /** The selector/template/replicas core shared by ReplicaSets, Deployments and DaemonSets. */
    public static void replicated(@Nullable ObjectNode spec, ErrorList errs) {
        if (spec == null) {
            errs.required("spec");
            return;
        }
        PodSpecValidation.nonNegative(spec, "replicas", "spec", errs);
        PodSpecValidation.nonNegative(spec, "minReadySeconds", "spec", errs);
        PodSpecValidation.nonNegative(spec, "revisionHistoryLimit", "spec", errs);
        selectorAndTemplate(spec, "spec", errs);
        PodSpecValidation.template(objOrNull(spec, "template"), "spec.template", ALWAYS, errs);
    }

    /** A required, non-empty LabelSelector at {@code path.selector} that selects the template's labels. */
    public static void selectorAndTemplate(ObjectNode spec, String path, ErrorList errs) {
        selectorAndTemplate(spec, path, "deployment", errs); // kube says "deployment" for ReplicaSets and DaemonSets too
    }

    /** As {@link #selectorAndTemplate(ObjectNode, String, ErrorList)}, naming {@code kind} for an empty selector. */
    public static void selectorAndTemplate(ObjectNode spec, String path, String kind, ErrorList errs) {
        ObjectNode selector = objOrNull(spec, "selector");
        if (selector == null) {
            errs.required(path + ".selector");
            return;
        }
        List<FieldProblem> problems = LabelSelectors.validate(selector, path + ".selector");
        if (!problems.isEmpty()) {
            errs.addAll(problems);
            return;
        }
        if (LabelSelectors.of(selector).isEverything()) {
            errs.invalid(path + ".selector", new GoValue("v1.LabelSelector" + selector), "empty selector is invalid for " + kind);
            return;
        }
        ObjectNode template = objOrNull(spec, "template");
        JsonNode labels = template == null ? null : template.path("metadata").get("labels");
        if (template != null && !LabelSelectors.of(selector).matches(LabelSelectors.labels(labels))) {
            errs.invalid(path + ".template.metadata.labels", new GoValue(goMap(labels)), "`selector` does not match template `labels`");
        }
    }

    /** Go's %#v of a map[string]string, as the apiserver prints template labels. */
    public static String goMap(@Nullable JsonNode labels) {
        if (labels == null || !labels.isObject()) {
            return "map[string]string(nil)";
        }
        Map<String, String> sorted = new TreeMap<>(LabelSelectors.labels(labels));
        return sorted.entrySet().stream().map(e -> ErrorList.show(e.getKey()) + ":" + ErrorList.show(e.getValue()))
                .collect(Collectors.joining(", ", "map[string]string{", "}"));
    }

    /** An int-or-string budget (maxSurge, maxUnavailable): a non-negative number or a percentage. */
    public static void intOrPercent(@Nullable JsonNode v, String path, ErrorList errs) {
        if (v == null || v.isNull()) {
            return;
        }
        if (v.isNumber() && v.asLong() < 0) {
            errs.invalid(path, v.asLong(), "must be greater than or equal to 0");
        } else if (v.isTextual() && !PERCENT.matcher(v.asText()).matches()) {
            errs.invalid(path, v.asText(), "a valid percent string must be a numeric string followed by an ending '%' "
                    + "(e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')");
        }
    }

    /**
     * A StatefulSet's maxUnavailable (ValidatePositiveIntOrPercent, then not 0, not over 100%): unlike a Deployment's
     * it has no surge to make progress with, so 0 would stall every rollout.
     */
    public static void positiveIntOrPercent(@Nullable JsonNode v, String path, ErrorList errs) {
        if (v == null || v.isNull()) {
            return;
        }
        intOrPercent(v, path, errs);
        if (isZero(v)) {
            errs.invalid(path, v.isTextual() ? v.asText() : v.asLong(), "cannot be 0");
        }
        notOverHundredPercent(v, path, errs);
    }

    /** A percentage over 100 (of maxUnavailable) would take more than every pod down. */
    public static void notOverHundredPercent(@Nullable JsonNode v, String path, ErrorList errs) {
        if (v != null && v.isTextual() && PERCENT.matcher(v.asText()).matches()
                && Integer.parseInt(v.asText().replace("%", "")) > 100) {
            errs.invalid(path, v.asText(), "must not be greater than 100%");
        }
    }

    /** maxUnavailable and maxSurge may not both be zero: a rollout could never make progress. */
    public static void notBothZero(@Nullable JsonNode unavailable, @Nullable JsonNode surge, String path, ErrorList errs) {
        if (isZero(unavailable) && isZero(surge)) {
            errs.invalid(path, unavailable == null || unavailable.isNull() ? 0
                    : unavailable.isTextual() ? unavailable.asText() : unavailable.asLong(), "may not be 0 when `maxSurge` is 0");
        }
    }

    private static boolean isZero(@Nullable JsonNode v) {
        return v == null || v.isNull() || v.isNumber() && v.asLong() == 0 || v.isTextual() && v.asText().equals("0%");
    }

    /** A selector may not change once set: the controller would orphan the pods it made. */
    public static void immutableSelector(ObjectNode now, ObjectNode old, ErrorList errs) {
        JsonNode before = old.path("spec").path("selector");
        JsonNode after = now.path("spec").path("selector");
        if (!KubusJson.equivalent(before, after)) {
            errs.invalid("spec.selector", new GoValue("v1.LabelSelector" + after), "field is immutable");
        }
    }
}

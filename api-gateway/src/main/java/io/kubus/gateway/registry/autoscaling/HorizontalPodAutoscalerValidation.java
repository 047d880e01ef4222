package io.kubus.gateway.registry.autoscaling;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.gateway.registry.core.ResourceNames;
import io.kubus.schema.quantity.QuantityFormatException;
import io.kubus.schema.quantity.ResourceQuantity;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.ErrorList.GoValue;
import io.kubus.schema.validation.Names;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * validateHorizontalPodAutoscalerSpec of Kubernetes 1.32 (pkg/apis/autoscaling/validation), on autoscaling/v2 JSON,
 * which names the fields as the internal version does.
 */
final class HorizontalPodAutoscalerValidation {
    /** MaxPeriodSeconds and MaxStabilizationWindowSeconds. */
    private static final int MAX_PERIOD_SECONDS = 1800;
    private static final int MAX_STABILIZATION_WINDOW_SECONDS = 3600;
    /** The valid values of the sets Kubernetes lists them from, sorted as sets.List() gives them. */
    private static final List<String> METRIC_SOURCE_TYPES = List.of("ContainerResource", "External", "Object", "Pods",
            "Resource");
    private static final List<String> SELECT_POLICIES = List.of("Disabled", "Max", "Min");
    private static final List<String> POLICY_TYPES = List.of("Percent", "Pods");
    /** The source member of each metric type, in the order validateMetricSpec looks at them. */
    private static final List<String[]> SOURCES = List.of(new String[]{"Object", "object"},
            new String[]{"External", "external"}, new String[]{"Pods", "pods"}, new String[]{"Resource", "resource"},
            new String[]{"ContainerResource", "containerResource"});

    private HorizontalPodAutoscalerValidation() {
    }

    /** The spec, with {@code minReplicasLowerBound} 1, or 0 for an update of an object that scales to zero. */
    static void spec(JsonNode spec, int minReplicasLowerBound, ErrorList errs) {
        JsonNode minReplicas = spec.get("minReplicas");
        long max = spec.path("maxReplicas").asLong(0);
        if (set(minReplicas) && minReplicas.asLong() < minReplicasLowerBound) {
            errs.invalid("spec.minReplicas", minReplicas.asLong(), "must be greater than or equal to " + minReplicasLowerBound);
        }
        if (max < 1) {
            errs.invalid("spec.maxReplicas", max, "must be greater than 0");
        }
        if (set(minReplicas) && max < minReplicas.asLong()) {
            errs.invalid("spec.maxReplicas", max, "must be greater than or equal to `minReplicas`");
        }
        crossVersionObjectReference(spec.path("scaleTargetRef"), "spec.scaleTargetRef", errs);
        metrics(spec.path("metrics"), "spec.metrics", minReplicas, errs);
        if (spec.get("behavior") instanceof JsonNode behavior && behavior.isObject()) {
            scalingRules(behavior.get("scaleUp"), "spec.behavior.scaleUp", errs);
            scalingRules(behavior.get("scaleDown"), "spec.behavior.scaleDown", errs);
        }
    }

    /** ValidateCrossVersionObjectReference: a kind and a name, each one segment of a URL path. */
    static void crossVersionObjectReference(JsonNode ref, String path, ErrorList errs) {
        for (String field : List.of("kind", "name")) {
            String value = ref.path(field).asText("");
            if (value.isEmpty()) {
                errs.required(path + "." + field);
            } else {
                errs.invalidEach(path + "." + field, value, Names.pathSegmentName(value));
            }
        }
    }

    private static void metrics(JsonNode metrics, String path, JsonNode minReplicas, ErrorList errs) {
        boolean objectOrExternal = false;
        for (int i = 0; i < metrics.size(); i++) {
            JsonNode metric = metrics.get(i);
            metricSpec(metric, path + "[" + i + "]", errs);
            String type = metric.path("type").asText("");
            objectOrExternal |= type.equals("Object") || type.equals("External");
        }
        if (set(minReplicas) && minReplicas.asLong() == 0 && !objectOrExternal) {
            errs.forbidden(path, "must specify at least one Object or External metric to support scaling to zero replicas");
        }
    }

    /** validateMetricSpec: a known type, its source, and no other source. */
    private static void metricSpec(JsonNode metric, String path, ErrorList errs) {
        String type = metric.path("type").asText("");
        if (type.isEmpty()) {
            errs.required(path + ".type", "must specify a metric source type");
        }
        if (!METRIC_SOURCE_TYPES.contains(type)) {
            errs.notSupported(path + ".type", type, METRIC_SOURCE_TYPES);
        }
        TreeSet<String> present = new TreeSet<>();
        String expected = null;
        for (String[] source : SOURCES) {
            JsonNode src = metric.get(source[1]);
            if (set(src)) {
                present.add(source[1]);
                if (present.size() == 1) {
                    source(source[1], src, path + "." + source[1], errs);
                }
            }
            if (source[0].equals(type)) {
                expected = source[1];
            }
        }
        if (expected == null) {
            // kube-apiserver's switch names an unknown type a second time
            errs.notSupported(path + ".type", type, METRIC_SOURCE_TYPES);
        } else if (!present.contains(expected)) {
            errs.required(path + "." + expected, "must populate information for the given metric source");
        }
        if (present.size() != 1) {
            if (expected != null) {
                present.remove(expected);
            }
            // Kubernetes ranges over a set here, in no fixed order; sorted, the answer is the same every time.
            for (String other : present) {
                errs.forbidden(path + "." + other, "must populate the given metric source only");
            }
        }
    }

    private static void source(String member, JsonNode src, String path, ErrorList errs) {
        JsonNode target = src.path("target");
        String targetPath = path + ".target";
        switch (member) {
            case "object" -> {
                crossVersionObjectReference(src.path("describedObject"), path + ".describedObject", errs);
                metricIdentifier(src.path("metric"), path + ".metric", errs);
                metricTarget(target, targetPath, errs);
                if (!set(target.get("value")) && !set(target.get("averageValue"))) {
                    errs.required(targetPath + ".averageValue", "must set either a target value or averageValue");
                }
            }
            case "external" -> {
                metricIdentifier(src.path("metric"), path + ".metric", errs);
                metricTarget(target, targetPath, errs);
                if (!set(target.get("value")) && !set(target.get("averageValue"))) {
                    errs.required(targetPath + ".averageValue", "must set either a target value for metric or a per-pod target");
                }
                if (set(target.get("value")) && set(target.get("averageValue"))) {
                    errs.forbidden(targetPath + ".value", "may not set both a target value for metric and a per-pod target");
                }
            }
            case "pods" -> {
                metricIdentifier(src.path("metric"), path + ".metric", errs);
                metricTarget(target, targetPath, errs);
                if (!set(target.get("averageValue"))) {
                    errs.required(targetPath + ".averageValue", "must specify a positive target averageValue");
                }
            }
            case "resource", "containerResource" -> {
                String name = src.path("name").asText("");
                if (name.isEmpty()) {
                    errs.required(path + ".name", "must specify a resource name");
                } else if (member.equals("containerResource")) {
                    ResourceNames.containerResourceName(name, path + ".name", errs);
                }
                if (member.equals("containerResource")) {
                    String container = src.path("container").asText("");
                    if (container.isEmpty()) {
                        errs.required(path + ".container", "must specify a container");
                    } else {
                        errs.invalidEach(path + ".container", container, Names.dns1123Label(container));
                    }
                }
                metricTarget(target, targetPath, errs);
                boolean utilization = set(target.get("averageUtilization"));
                boolean value = set(target.get("averageValue"));
                if (!utilization && !value) {
                    errs.required(targetPath + ".averageUtilization", "must set either a target raw value or a target utilization");
                }
                if (utilization && value) {
                    errs.forbidden(targetPath + ".averageValue", "may not set both a target raw value and a target utilization");
                }
            }
            default -> throw new IllegalArgumentException(member);
        }
    }

    /** validateMetricTarget: a known type, positive values, a utilization of at least 1 percent. */
    private static void metricTarget(JsonNode target, String path, ErrorList errs) {
        String type = target.path("type").asText("");
        if (type.isEmpty()) {
            errs.required(path + ".type", "must specify a metric target type");
        }
        if (!type.equals("Utilization") && !type.equals("Value") && !type.equals("AverageValue")) {
            errs.invalid(path + ".type", type, "must be either Utilization, Value, or AverageValue");
        }
        for (String field : List.of("value", "averageValue")) {
            JsonNode q = target.get(field);
            if (set(q) && !positive(q.asText())) {
                errs.invalid(path + "." + field, new GoValue(ResourceQuantity.goSyntax(q.asText())), "must be positive");
            }
        }
        JsonNode utilization = target.get("averageUtilization");
        if (set(utilization) && utilization.asLong() < 1) {
            errs.invalid(path + ".averageUtilization", utilization.asLong(), "must be greater than 0");
        }
    }

    private static boolean positive(String quantity) {
        try {
            return ResourceQuantity.parse(quantity).value().signum() > 0;
        } catch (QuantityFormatException e) {
            return false; // decoding into the model refused it already; not reached
        }
    }

    /** validateMetricIdentifier: a name that is one segment of a URL path. */
    private static void metricIdentifier(JsonNode id, String path, ErrorList errs) {
        String name = id.path("name").asText("");
        if (name.isEmpty()) {
            errs.required(path + ".name", "must specify a metric name");
        } else {
            errs.invalidEach(path + ".name", name, Names.pathSegmentName(name));
        }
    }

    /** validateScalingRules: a window within an hour, a known select policy, and valid policies. */
    private static void scalingRules(JsonNode rules, String path, ErrorList errs) {
        if (!set(rules)) {
            return;
        }
        JsonNode window = rules.get("stabilizationWindowSeconds");
        if (set(window) && window.asLong() < 0) {
            errs.invalid(path + ".stabilizationWindowSeconds", window.asLong(), "must be greater than or equal to zero");
        }
        if (set(window) && window.asLong() > MAX_STABILIZATION_WINDOW_SECONDS) {
            errs.invalid(path + ".stabilizationWindowSeconds", window.asLong(),
                    "must be less than or equal to " + MAX_STABILIZATION_WINDOW_SECONDS);
        }
        JsonNode select = rules.get("selectPolicy");
        if (set(select) && !SELECT_POLICIES.contains(select.asText())) {
            errs.notSupported(path + ".selectPolicy", select.asText(), SELECT_POLICIES);
        }
        JsonNode policies = rules.path("policies");
        if (policies.isEmpty()) {
            errs.required(path + ".policies", "must specify at least one Policy");
        }
        List<JsonNode> list = new ArrayList<>();
        policies.forEach(list::add);
        for (int i = 0; i < list.size(); i++) {
            scalingPolicy(list.get(i), path + ".policies[" + i + "]", errs);
        }
    }

    private static void scalingPolicy(JsonNode policy, String path, ErrorList errs) {
        String type = policy.path("type").asText("");
        if (!POLICY_TYPES.contains(type)) {
            errs.notSupported(path + ".type", type, POLICY_TYPES);
        }
        long value = policy.path("value").asLong(0);
        if (value <= 0) {
            errs.invalid(path + ".value", value, "must be greater than zero");
        }
        long period = policy.path("periodSeconds").asLong(0);
        if (period <= 0) {
            errs.invalid(path + ".periodSeconds", period, "must be greater than zero");
        }
        if (period > MAX_PERIOD_SECONDS) {
            errs.invalid(path + ".periodSeconds", period, "must be less than or equal to " + MAX_PERIOD_SECONDS);
        }
    }

    private static boolean set(JsonNode n) {
        return n != null && !n.isNull() && !n.isMissingNode();
    }
}

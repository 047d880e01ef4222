package io.kubus.gateway.registry.autoscaling;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.Conversion;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.quantity.QuantityFormatException;
import io.kubus.schema.quantity.ResourceQuantity;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;

import java.util.Map;
import java.util.function.Function;

import static io.kubus.gateway.registry.autoscaling.HorizontalPodAutoscalerStrategy.BEHAVIOR_SPECS;
import static io.kubus.gateway.registry.autoscaling.HorizontalPodAutoscalerStrategy.CONDITIONS;
import static io.kubus.gateway.registry.autoscaling.HorizontalPodAutoscalerStrategy.METRIC_SPECS;
import static io.kubus.gateway.registry.autoscaling.HorizontalPodAutoscalerStrategy.METRIC_STATUSES;
import static io.kubus.gateway.registry.autoscaling.HorizontalPodAutoscalerStrategy.ROUND_TRIP_ANNOTATIONS;

/**
 * autoscaling/v1 HorizontalPodAutoscalers from and to autoscaling/v2, as kube-apiserver 1.32 converts them through
 * the internal version (pkg/apis/autoscaling/v1/conversion.go). autoscaling/v1 has one metric of its own,
 * targetCPUUtilizationPercentage (the CPU Resource metric with a Utilization target); every other metric, the current
 * metrics, the behavior and the conditions travel in annotations, so that a v1 client that reads an object and writes
 * it back keeps them: metrics, current metrics and conditions in the v1 MetricSpec/MetricStatus/Condition JSON
 * (autoscaling/v1 still defines those types for this), the behavior in the internal type's JSON, whose fields have no
 * json tags (so {@code "ScaleUp"}, {@code "StabilizationWindowSeconds"}). The annotations are dropped again on the
 * way back in, and an annotation that does not decode is ignored, as json.Unmarshal's error is.
 */
@Singleton
public class HorizontalPodAutoscalerV1Conversion implements Conversion {
    private static final String ZERO = "0";

    @Override
    public ResourceType type() {
        return ResourceTypes.HORIZONTALPODAUTOSCALERS_V1;
    }

    // ---- autoscaling/v1 → autoscaling/v2 ----

    @Override
    public ObjectNode toStorage(ObjectNode v1) {
        ObjectNode out = JsonTree.F.objectNode();
        ObjectNode meta = v1.path("metadata").isObject() ? v1.get("metadata").deepCopy() : JsonTree.F.objectNode();
        out.set("metadata", meta);
        JsonNode annotations = meta.path("annotations");
        JsonNode inSpec = v1.path("spec");
        ObjectNode spec = out.putObject("spec");
        copy(inSpec, spec, "scaleTargetRef");
        copy(inSpec, spec, "minReplicas");
        copy(inSpec, spec, "maxReplicas");
        ArrayNode metrics = JsonTree.F.arrayNode();
        ArrayNode others = decoded(annotations, METRIC_SPECS, a -> list(a, HorizontalPodAutoscalerV1Conversion::metricToV2));
        if (others != null) {
            metrics.addAll(others);
        }
        if (inSpec.hasNonNull("targetCPUUtilizationPercentage")) {
            metrics.add(HorizontalPodAutoscalerStrategy.cpuUtilization(inSpec.get("targetCPUUtilizationPercentage").asInt()));
        }
        ObjectNode behavior = decoded(annotations, BEHAVIOR_SPECS, HorizontalPodAutoscalerV1Conversion::behaviorToV2);
        // autoscaling/v1 once left its default to the controller; the conversion states it, knowing every metric.
        if (metrics.isEmpty()) {
            metrics.add(HorizontalPodAutoscalerStrategy.cpuUtilization(HorizontalPodAutoscalerStrategy.DEFAULT_CPU_UTILIZATION));
        }
        spec.set("metrics", metrics);
        if (behavior != null && !behavior.isEmpty()) {
            spec.set("behavior", behavior);
        }
        JsonNode inStatus = v1.path("status");
        ObjectNode status = out.putObject("status");
        copy(inStatus, status, "observedGeneration");
        copy(inStatus, status, "lastScaleTime");
        if (inStatus.path("currentReplicas").asInt(0) != 0) {
            status.set("currentReplicas", inStatus.get("currentReplicas")); // omitempty in autoscaling/v2
        }
        status.put("desiredReplicas", inStatus.path("desiredReplicas").asInt(0));
        // The annotation's current metrics replace the one autoscaling/v1 has: they hold its raw value too.
        ArrayNode current = decoded(annotations, METRIC_STATUSES, a -> list(a, HorizontalPodAutoscalerV1Conversion::statusToV2));
        if (current != null) {
            status.set("currentMetrics", current);
        } else if (inStatus.hasNonNull("currentCPUUtilizationPercentage")) {
            ObjectNode cpu = status.putArray("currentMetrics").addObject();
            cpu.put("type", "Resource");
            ObjectNode resource = cpu.putObject("resource");
            resource.put("name", "cpu");
            resource.putObject("current").set("averageUtilization", inStatus.get("currentCPUUtilizationPercentage"));
        }
        ArrayNode conditions = decoded(annotations, CONDITIONS, a -> list(a, HorizontalPodAutoscalerV1Conversion::condition));
        if (conditions != null) {
            status.set("conditions", conditions);
        }
        dropRoundTrip(meta);
        return out;
    }

    private static ObjectNode metricToV2(JsonNode m) {
        ObjectNode out = JsonTree.F.objectNode();
        out.put("type", str(m, "type"));
        ObjectNode src;
        if ((src = obj(m, "object")) != null) {
            ObjectNode o = out.putObject("object");
            o.set("describedObject", reference(obj(src, "target")));
            ObjectNode target = o.putObject("target");
            String average = quantity(src, "averageValue");
            target.put("type", average == null ? "Value" : "AverageValue");
            target.put("value", orZero(quantity(src, "targetValue")));
            putIfSet(target, "averageValue", average);
            o.set("metric", identifier(src, "metricName", "selector"));
        }
        if ((src = obj(m, "pods")) != null) {
            ObjectNode p = out.putObject("pods");
            p.set("metric", identifier(src, "metricName", "selector"));
            ObjectNode target = p.putObject("target");
            target.put("type", "AverageValue");
            target.put("averageValue", orZero(quantity(src, "targetAverageValue")));
        }
        if ((src = obj(m, "resource")) != null) {
            resourceToV2(src, out.putObject("resource"), false);
        }
        if ((src = obj(m, "containerResource")) != null) {
            resourceToV2(src, out.putObject("containerResource"), true);
        }
        if ((src = obj(m, "external")) != null) {
            ObjectNode e = out.putObject("external");
            e.set("metric", identifier(src, "metricName", "metricSelector"));
            ObjectNode target = e.putObject("target");
            String value = quantity(src, "targetValue");
            target.put("type", value == null ? "AverageValue" : "Value");
            putIfSet(target, "value", value);
            putIfSet(target, "averageValue", quantity(src, "targetAverageValue"));
        }
        return out;
    }

    private static void resourceToV2(JsonNode src, ObjectNode out, boolean container) {
        out.put("name", str(src, "name"));
        if (container) {
            out.put("container", str(src, "container"));
        }
        ObjectNode target = out.putObject("target");
        Integer utilization = int32(src, "targetAverageUtilization");
        target.put("type", utilization == null ? "AverageValue" : "Utilization");
        putIfSet(target, "averageValue", quantity(src, "targetAverageValue"));
        if (utilization != null) {
            target.put("averageUtilization", utilization);
        }
    }

    private static ObjectNode statusToV2(JsonNode m) {
        ObjectNode out = JsonTree.F.objectNode();
        out.put("type", str(m, "type"));
        ObjectNode src;
        if ((src = obj(m, "object")) != null) {
            ObjectNode o = out.putObject("object");
            o.set("metric", identifier(src, "metricName", "selector"));
            ObjectNode current = o.putObject("current");
            current.put("value", orZero(quantity(src, "currentValue")));
            putIfSet(current, "averageValue", quantity(src, "averageValue"));
            o.set("describedObject", reference(obj(src, "target")));
        }
        if ((src = obj(m, "pods")) != null) {
            ObjectNode p = out.putObject("pods");
            p.set("metric", identifier(src, "metricName", "selector"));
            p.putObject("current").put("averageValue", orZero(quantity(src, "currentAverageValue")));
        }
        for (String member : new String[]{"resource", "containerResource"}) {
            if ((src = obj(m, member)) != null) {
                ObjectNode r = out.putObject(member);
                r.put("name", str(src, "name"));
                if (member.equals("containerResource")) {
                    r.put("container", str(src, "container"));
                }
                ObjectNode current = r.putObject("current");
                current.put("averageValue", orZero(quantity(src, "currentAverageValue")));
                Integer utilization = int32(src, "currentAverageUtilization");
                if (utilization != null) {
                    current.put("averageUtilization", utilization);
                }
            }
        }
        if ((src = obj(m, "external")) != null) {
            ObjectNode e = out.putObject("external");
            e.set("metric", identifier(src, "metricName", "metricSelector"));
            ObjectNode current = e.putObject("current");
            current.put("value", orZero(quantity(src, "currentValue")));
            putIfSet(current, "averageValue", quantity(src, "currentAverageValue"));
        }
        return out;
    }

    /** The internal HorizontalPodAutoscalerBehavior of the annotation as autoscaling/v2 spells it. */
    private static ObjectNode behaviorToV2(JsonNode b) {
        if (!b.isObject()) {
            throw new Malformed();
        }
        ObjectNode out = JsonTree.F.objectNode();
        for (String direction : new String[]{"ScaleUp", "ScaleDown"}) {
            ObjectNode rules = obj(b, direction);
            if (rules == null) {
                continue;
            }
            ObjectNode r = out.putObject(Character.toLowerCase(direction.charAt(0)) + direction.substring(1));
            Integer window = int32(rules, "StabilizationWindowSeconds");
            if (window != null) {
                r.put("stabilizationWindowSeconds", window);
            }
            putIfSet(r, "selectPolicy", str(rules, "SelectPolicy"));
            JsonNode policies = field(rules, "Policies");
            if (policies != null && !policies.isNull()) {
                r.set("policies", list(policies, p -> {
                    ObjectNode policy = JsonTree.F.objectNode();
                    policy.put("type", orEmpty(str(p, "Type")));
                    policy.put("value", orZeroInt(int32(p, "Value")));
                    policy.put("periodSeconds", orZeroInt(int32(p, "PeriodSeconds")));
                    return policy;
                }));
            }
        }
        return out;
    }

    private static ObjectNode condition(JsonNode c) {
        if (!c.isObject()) {
            throw new Malformed();
        }
        ObjectNode out = JsonTree.F.objectNode();
        out.put("type", orEmpty(str(c, "type")));
        out.put("status", orEmpty(str(c, "status")));
        putIfSet(out, "lastTransitionTime", str(c, "lastTransitionTime"));
        putIfSet(out, "reason", nonEmpty(str(c, "reason")));
        putIfSet(out, "message", nonEmpty(str(c, "message")));
        return out;
    }

    // ---- autoscaling/v2 → autoscaling/v1 ----

    @Override
    public ObjectNode fromStorage(ObjectNode v2) {
        ObjectNode out = JsonTree.F.objectNode();
        ObjectNode meta = v2.path("metadata").isObject() ? v2.get("metadata").deepCopy() : JsonTree.F.objectNode();
        dropRoundTrip(meta);
        out.set("metadata", meta);
        JsonNode inSpec = v2.path("spec");
        ObjectNode spec = out.putObject("spec");
        copy(inSpec, spec, "scaleTargetRef");
        copy(inSpec, spec, "minReplicas");
        copy(inSpec, spec, "maxReplicas");
        ArrayNode others = JsonTree.F.arrayNode();
        boolean cpuTarget = false;
        for (JsonNode metric : inSpec.path("metrics")) {
            if (isCpuUtilization(metric, "target")) {
                if (!cpuTarget) {
                    spec.set("targetCPUUtilizationPercentage", metric.at("/resource/target/averageUtilization"));
                    cpuTarget = true;
                }
                continue;
            }
            others.add(metricToV1(metric));
        }
        JsonNode inStatus = v2.path("status");
        ObjectNode status = out.putObject("status");
        copy(inStatus, status, "observedGeneration");
        copy(inStatus, status, "lastScaleTime");
        status.put("currentReplicas", inStatus.path("currentReplicas").asInt(0));
        status.put("desiredReplicas", inStatus.path("desiredReplicas").asInt(0));
        ArrayNode current = JsonTree.F.arrayNode();
        for (JsonNode metric : inStatus.path("currentMetrics")) {
            if (isCpuUtilization(metric, "current")) {
                status.set("currentCPUUtilizationPercentage", metric.at("/resource/current/averageUtilization"));
            }
            current.add(statusToV1(metric));
        }
        ArrayNode conditions = JsonTree.F.arrayNode();
        inStatus.path("conditions").forEach(c -> conditions.add(conditionToV1(c)));
        annotate(meta, METRIC_SPECS, others);
        annotate(meta, METRIC_STATUSES, current);
        if (inSpec.path("behavior").isObject()) {
            annotate(meta, BEHAVIOR_SPECS, behaviorToInternal(inSpec.get("behavior")));
        }
        annotate(meta, CONDITIONS, conditions);
        return out;
    }

    /** A Resource metric of cpu with a utilization (the target's, or the status's current one). */
    private static boolean isCpuUtilization(JsonNode metric, String value) {
        return metric.path("type").asText().equals("Resource") && metric.path("resource").isObject()
                && metric.path("resource").path("name").asText().equals("cpu")
                && metric.path("resource").path(value).hasNonNull("averageUtilization");
    }

    private static ObjectNode metricToV1(JsonNode m) {
        ObjectNode out = JsonTree.F.objectNode();
        out.put("type", m.path("type").asText(""));
        JsonNode src;
        if ((src = m.get("object")) != null && src.isObject()) {
            ObjectNode o = out.putObject("object");
            o.set("target", reference(src.path("describedObject")));
            o.put("metricName", src.path("metric").path("name").asText(""));
            o.put("targetValue", src.path("target").path("value").asText(ZERO));
            copy(src.path("metric"), o, "selector");
            copy(src.path("target"), o, "averageValue");
        }
        if ((src = m.get("pods")) != null && src.isObject()) {
            ObjectNode p = out.putObject("pods");
            p.put("metricName", src.path("metric").path("name").asText(""));
            p.put("targetAverageValue", src.path("target").path("averageValue").asText(ZERO));
            copy(src.path("metric"), p, "selector");
        }
        for (String member : new String[]{"resource", "containerResource"}) {
            if ((src = m.get(member)) != null && src.isObject()) {
                ObjectNode r = out.putObject(member);
                r.put("name", src.path("name").asText(""));
                copyAs(src.path("target"), "averageUtilization", r, "targetAverageUtilization");
                copyAs(src.path("target"), "averageValue", r, "targetAverageValue");
                if (member.equals("containerResource")) {
                    r.put("container", src.path("container").asText(""));
                }
            }
        }
        if ((src = m.get("external")) != null && src.isObject()) {
            ObjectNode e = out.putObject("external");
            e.put("metricName", src.path("metric").path("name").asText(""));
            copyAs(src.path("metric"), "selector", e, "metricSelector");
            copyAs(src.path("target"), "value", e, "targetValue");
            copyAs(src.path("target"), "averageValue", e, "targetAverageValue");
        }
        return out;
    }

    private static ObjectNode statusToV1(JsonNode m) {
        ObjectNode out = JsonTree.F.objectNode();
        out.put("type", m.path("type").asText(""));
        JsonNode src;
        if ((src = m.get("object")) != null && src.isObject()) {
            ObjectNode o = out.putObject("object");
            o.set("target", reference(src.path("describedObject")));
            o.put("metricName", src.path("metric").path("name").asText(""));
            o.put("currentValue", src.path("current").path("value").asText(ZERO));
            copy(src.path("metric"), o, "selector");
            copy(src.path("current"), o, "averageValue");
        }
        if ((src = m.get("pods")) != null && src.isObject()) {
            ObjectNode p = out.putObject("pods");
            p.put("metricName", src.path("metric").path("name").asText(""));
            p.put("currentAverageValue", src.path("current").path("averageValue").asText(ZERO));
            copy(src.path("metric"), p, "selector");
        }
        for (String member : new String[]{"resource", "containerResource"}) {
            if ((src = m.get(member)) != null && src.isObject()) {
                ObjectNode r = out.putObject(member);
                r.put("name", src.path("name").asText(""));
                copyAs(src.path("current"), "averageUtilization", r, "currentAverageUtilization");
                r.put("currentAverageValue", src.path("current").path("averageValue").asText(ZERO));
                if (member.equals("containerResource")) {
                    r.put("container", src.path("container").asText(""));
                }
            }
        }
        if ((src = m.get("external")) != null && src.isObject()) {
            ObjectNode e = out.putObject("external");
            e.put("metricName", src.path("metric").path("name").asText(""));
            copyAs(src.path("metric"), "selector", e, "metricSelector");
            e.put("currentValue", src.path("current").path("value").asText(ZERO));
            copyAs(src.path("current"), "averageValue", e, "currentAverageValue");
        }
        return out;
    }

    /** A condition as autoscaling/v1 declares it: lastTransitionTime is a struct, so Go writes null when unset. */
    private static ObjectNode conditionToV1(JsonNode c) {
        ObjectNode out = JsonTree.F.objectNode();
        out.put("type", c.path("type").asText(""));
        out.put("status", c.path("status").asText(""));
        out.set("lastTransitionTime", c.hasNonNull("lastTransitionTime") ? c.get("lastTransitionTime") : NullNode.getInstance());
        putIfSet(out, "reason", nonEmpty(c.path("reason").asText("")));
        putIfSet(out, "message", nonEmpty(c.path("message").asText("")));
        return out;
    }

    /** The behavior as the internal type's JSON: Go field names, and null for every pointer left unset. */
    private static ObjectNode behaviorToInternal(JsonNode behavior) {
        ObjectNode out = JsonTree.F.objectNode();
        for (String direction : new String[]{"scaleUp", "scaleDown"}) {
            String goName = Character.toUpperCase(direction.charAt(0)) + direction.substring(1);
            JsonNode rules = behavior.get(direction);
            if (rules == null || !rules.isObject()) {
                out.putNull(goName);
                continue;
            }
            ObjectNode r = out.putObject(goName);
            r.set("StabilizationWindowSeconds", orNull(rules.get("stabilizationWindowSeconds")));
            r.set("SelectPolicy", orNull(rules.get("selectPolicy")));
            if (rules.path("policies").isArray()) {
                ArrayNode policies = r.putArray("Policies");
                for (JsonNode p : rules.get("policies")) {
                    ObjectNode policy = policies.addObject();
                    policy.put("Type", p.path("type").asText(""));
                    policy.put("Value", p.path("value").asInt(0));
                    policy.put("PeriodSeconds", p.path("periodSeconds").asInt(0));
                }
            } else {
                r.putNull("Policies");
            }
        }
        return out;
    }

    // ---- helpers ----

    /** DropRoundTripHorizontalPodAutoscalerAnnotations; an emptied map goes (omitempty). */
    private static void dropRoundTrip(ObjectNode meta) {
        if (meta.get("annotations") instanceof ObjectNode annotations) {
            annotations.remove(ROUND_TRIP_ANNOTATIONS);
            if (annotations.isEmpty()) {
                meta.remove("annotations");
            }
        }
    }

    /** Sets an annotation to the compact JSON of {@code value}, unless it is an empty list. */
    private static void annotate(ObjectNode meta, String key, JsonNode value) {
        if (value.isArray() && value.isEmpty()) {
            return;
        }
        JsonTree.obj(meta, "annotations").put(key, KubusJson.write(value));
    }

    /** An annotation decoded as {@code how} reads it; null when absent or when it does not decode. */
    private static <T> @Nullable T decoded(JsonNode annotations, String key, Function<JsonNode, T> how) {
        JsonNode text = annotations.get(key);
        if (text == null || !text.isTextual()) {
            return null;
        }
        try {
            return how.apply(KubusJson.json().readTree(text.asText()));
        } catch (JsonProcessingException | Malformed e) {
            return null;
        }
    }

    /** A JSON list decoded element by element; null decodes to nothing, as a nil slice. */
    private static ArrayNode list(JsonNode array, Function<JsonNode, ObjectNode> element) {
        if (array.isNull()) {
            return JsonTree.F.arrayNode();
        }
        if (!array.isArray()) {
            throw new Malformed();
        }
        ArrayNode out = JsonTree.F.arrayNode();
        array.forEach(e -> out.add(element.apply(e)));
        return out;
    }

    /** A member by name, matched as encoding/json does: exactly, else ignoring case. */
    private static @Nullable JsonNode field(JsonNode object, String name) {
        if (!object.isObject()) {
            throw new Malformed();
        }
        JsonNode exact = object.get(name);
        if (exact != null) {
            return exact;
        }
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    private static @Nullable ObjectNode obj(JsonNode object, String name) {
        JsonNode v = field(object, name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v instanceof ObjectNode o) {
            return o;
        }
        throw new Malformed();
    }

    private static @Nullable String str(JsonNode object, String name) {
        JsonNode v = field(object, name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new Malformed();
        }
        return v.asText();
    }

    private static @Nullable Integer int32(JsonNode object, String name) {
        JsonNode v = field(object, name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new Malformed();
        }
        return v.asInt();
    }

    /** A Quantity member: a string (or number) that parses; its text. */
    private static @Nullable String quantity(JsonNode object, String name) {
        JsonNode v = field(object, name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() && !v.isNumber()) {
            throw new Malformed();
        }
        try {
            ResourceQuantity.parse(v.asText().strip());
        } catch (QuantityFormatException e) {
            throw new Malformed();
        }
        return v.asText().strip();
    }

    /** A CrossVersionObjectReference: kind, name, and apiVersion when set. */
    private static ObjectNode reference(@Nullable JsonNode ref) {
        ObjectNode out = JsonTree.F.objectNode();
        JsonNode r = ref == null ? JsonTree.F.objectNode() : ref;
        out.put("kind", orEmpty(r.isObject() ? str(r, "kind") : null));
        out.put("name", orEmpty(r.isObject() ? str(r, "name") : null));
        putIfSet(out, "apiVersion", nonEmpty(r.isObject() ? str(r, "apiVersion") : null));
        return out;
    }

    /** A v2 MetricIdentifier from the v1 metric's name and selector members. */
    private static ObjectNode identifier(JsonNode src, String nameField, String selectorField) {
        ObjectNode id = JsonTree.F.objectNode();
        id.put("name", orEmpty(str(src, nameField)));
        ObjectNode selector = obj(src, selectorField);
        if (selector != null) {
            id.set("selector", selector);
        }
        return id;
    }

    private static void copy(JsonNode from, ObjectNode to, String field) {
        copyAs(from, field, to, field);
    }

    private static void copyAs(JsonNode from, String field, ObjectNode to, String as) {
        if (from.hasNonNull(field)) {
            to.set(as, from.get(field).deepCopy());
        }
    }

    private static void putIfSet(ObjectNode to, String field, @Nullable String value) {
        if (value != null) {
            to.put(field, value);
        }
    }

    private static JsonNode orNull(@Nullable JsonNode n) {
        return n == null ? NullNode.getInstance() : n;
    }

    private static String orZero(@Nullable String quantity) {
        return quantity == null ? ZERO : quantity;
    }

    private static int orZeroInt(@Nullable Integer n) {
        return n == null ? 0 : n;
    }

    private static String orEmpty(@Nullable String s) {
        return s == null ? "" : s;
    }

    private static @Nullable String nonEmpty(@Nullable String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /** An annotation that json.Unmarshal would refuse: it is ignored. */
    private static final class Malformed extends RuntimeException {
        Malformed() {
            super(null, null, false, false);
        }
    }
}

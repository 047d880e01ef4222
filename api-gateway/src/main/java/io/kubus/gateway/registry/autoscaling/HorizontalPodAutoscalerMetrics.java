package io.kubus.gateway.registry.autoscaling;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.schema.quantity.ResourceQuantity;

import java.util.ArrayList;
import java.util.List;

/** The TARGETS column of {@code kubectl get hpa}: formatHPAMetrics of Kubernetes 1.32's printers.go. */
final class HorizontalPodAutoscalerMetrics {
    private static final int MAXIMUM = 2;
    private static final String UNKNOWN = "<unknown>";

    private HorizontalPodAutoscalerMetrics() {
    }

    /** Each metric as {@code current/target}, at most two of them, the rest counted. */
    static String format(JsonNode specs, JsonNode statuses) {
        if (specs.isEmpty()) {
            return "<none>";
        }
        List<String> list = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            JsonNode spec = specs.get(i);
            JsonNode status = statuses.path(i);
            list.add(switch (spec.path("type").asText("")) {
                case "External" -> valueOrAverage(spec.path("external").path("target"), status.path("external"));
                case "Object" -> valueOrAverage(spec.path("object").path("target"), status.path("object"));
                case "Pods" -> current(status.path("pods"), "averageValue") + "/"
                        + quantity(spec.path("pods").path("target").get("averageValue"));
                case "Resource" -> resource(spec.path("resource"), status.path("resource"));
                case "ContainerResource" -> resource(spec.path("containerResource"), status.path("containerResource"));
                default -> "<unknown type>";
            });
        }
        String joined = String.join(", ", list.subList(0, Math.min(MAXIMUM, list.size())));
        return list.size() > MAXIMUM ? joined + " + " + (list.size() - MAXIMUM) + " more..." : joined;
    }

    /** An External or Object metric: its average value target with "(avg)", else its value target. */
    private static String valueOrAverage(JsonNode target, JsonNode status) {
        if (target.hasNonNull("averageValue")) {
            String current = status.isObject() && status.path("current").hasNonNull("averageValue")
                    ? quantity(status.path("current").get("averageValue")) : UNKNOWN;
            return current + "/" + quantity(target.get("averageValue")) + " (avg)";
        }
        return current(status, "value") + "/" + quantity(target.get("value"));
    }

    /** A Resource or ContainerResource metric, named: an average value target, else a utilization target. */
    private static String resource(JsonNode source, JsonNode status) {
        String name = source.path("name").asText("");
        JsonNode target = source.path("target");
        if (target.hasNonNull("averageValue")) {
            return name + ": " + current(status, "averageValue") + "/" + quantity(target.get("averageValue"));
        }
        String current = status.isObject() && status.path("current").hasNonNull("averageUtilization")
                ? status.path("current").get("averageUtilization").asLong() + "%" : UNKNOWN;
        String wanted = target.hasNonNull("averageUtilization") ? target.get("averageUtilization").asLong() + "%" : "<auto>";
        return name + ": " + current + "/" + wanted;
    }

    /** The status's current {@code field} when the status has this metric, else {@code <unknown>}. */
    private static String current(JsonNode status, String field) {
        return status.isObject() ? quantity(status.path("current").get(field)) : UNKNOWN;
    }

    /** Quantity.String(): the canonical form, {@code <nil>} for an unset pointer. */
    private static String quantity(JsonNode q) {
        return q == null || q.isNull() ? "<nil>" : ResourceQuantity.parse(q.asText()).toString();
    }
}

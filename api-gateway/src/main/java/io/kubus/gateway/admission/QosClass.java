package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The pod's quality-of-service class, computed as pkg/apis/core/helper/qos does from cpu and memory. */
final class QosClass {
    private static final List<String> SUPPORTED = List.of("cpu", "memory");

    private QosClass() {
    }

    static String of(ObjectNode podSpec) {
        List<ObjectNode> containers = new ArrayList<>(Json.objects(podSpec, "initContainers"));
        containers.addAll(Json.objects(podSpec, "containers"));
        boolean any = false;
        boolean guaranteed = true;
        for (ObjectNode c : containers) {
            JsonNode requests = c.path("resources").path("requests");
            JsonNode limits = c.path("resources").path("limits");
            for (String r : SUPPORTED) {
                BigDecimal req = amount(requests, r);
                BigDecimal lim = amount(limits, r);
                if (req != null || lim != null) {
                    any = true;
                }
                if (lim == null || req != null && req.compareTo(lim) != 0) {
                    guaranteed = false;
                }
            }
        }
        if (!any) {
            return "BestEffort";
        }
        return guaranteed ? "Guaranteed" : "Burstable";
    }

    /** A positive amount of the resource, else null (zero counts as unset, as in Kubernetes). */
    private static BigDecimal amount(JsonNode list, String resource) {
        JsonNode v = list.get(resource);
        if (v == null || v.isNull()) {
            return null;
        }
        BigDecimal d = Quantities.parse(v.asText());
        return d == null || d.signum() <= 0 ? null : Objects.requireNonNull(d);
    }
}

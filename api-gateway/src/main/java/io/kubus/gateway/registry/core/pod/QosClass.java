package io.kubus.gateway.registry.core.pod;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.core.ResourceNames;
import io.kubus.schema.quantity.ResourceQuantity;

import java.util.ArrayList;
import java.util.List;

/** The pod's quality-of-service class, computed as pkg/apis/core/helper/qos does from cpu and memory. */
final class QosClass {
    private static final List<String> SUPPORTED = List.of("cpu", "memory");

    private QosClass() {
    }

    static String of(ObjectNode podSpec) {
        List<ObjectNode> containers = new ArrayList<>(JsonTree.objects(podSpec, "initContainers"));
        containers.addAll(JsonTree.objects(podSpec, "containers"));
        boolean any = false;
        boolean guaranteed = true;
        for (ObjectNode c : containers) {
            JsonNode requests = c.path("resources").path("requests");
            JsonNode limits = c.path("resources").path("limits");
            for (String r : SUPPORTED) {
                ResourceQuantity req = amount(requests, r);
                ResourceQuantity lim = amount(limits, r);
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
    private static ResourceQuantity amount(JsonNode list, String resource) {
        JsonNode v = list.get(resource);
        if (v == null || v.isNull()) {
            return null;
        }
        ResourceQuantity q = ResourceNames.quantity(v.asText());
        return q == null || q.isZero() || q.isNegative() ? null : q;
    }
}

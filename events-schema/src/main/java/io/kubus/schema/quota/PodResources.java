package io.kubus.schema.quota;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.schema.quantity.ResourceAmounts;
import io.kubus.schema.quantity.ResourceQuantity;

import java.util.Map;

/**
 * What a pod asks for and may use in total, from the JSON of its spec, as Kubernetes' PodRequests and PodLimits
 * (pkg/api/v1/resource) compute it for quota and LimitRanger: the containers' amounts summed; an init container runs
 * alone (with the sidecars started before it), so it raises a resource only where it needs more than that; sidecars
 * (init containers with {@code restartPolicy: Always}) keep running and add to the sum.
 */
public final class PodResources {
    private PodResources() {
    }

    /** The pod's requests; with {@code overhead}, its spec.overhead (a RuntimeClass's cost) is added. */
    public static ResourceAmounts requests(JsonNode podSpec, boolean overhead) {
        ResourceAmounts total = aggregate(podSpec, "requests");
        return overhead ? total.plus(ResourceAmounts.fromJson(podSpec.path("overhead"))) : total;
    }

    /** The pod's limits; with {@code overhead}, the overhead is added to the limits that are set (none are made up). */
    public static ResourceAmounts limits(JsonNode podSpec, boolean overhead) {
        ResourceAmounts total = aggregate(podSpec, "limits");
        if (!overhead) {
            return total;
        }
        ResourceAmounts extra = ResourceAmounts.fromJson(podSpec.path("overhead"));
        for (String name : extra.asMap().keySet()) {
            if (total.contains(name)) {
                total = total.with(name, total.get(name).add(extra.get(name)));
            }
        }
        return total;
    }

    private static ResourceAmounts aggregate(JsonNode podSpec, String which) {
        ResourceAmounts sum = ResourceAmounts.empty();
        for (JsonNode c : podSpec.path("containers")) {
            sum = sum.plus(container(c, which));
        }
        ResourceAmounts sidecars = ResourceAmounts.empty();
        ResourceAmounts initPeak = ResourceAmounts.empty();
        for (JsonNode c : podSpec.path("initContainers")) {
            ResourceAmounts own = container(c, which);
            ResourceAmounts whileRunning;
            if ("Always".equals(c.path("restartPolicy").asText(""))) {
                sum = sum.plus(own);
                sidecars = sidecars.plus(own);
                whileRunning = sidecars;
            } else {
                whileRunning = own.plus(sidecars);
            }
            initPeak = max(initPeak, whileRunning);
        }
        return max(sum, initPeak);
    }

    /** One container's requests or limits. */
    public static ResourceAmounts container(JsonNode container, String which) {
        return ResourceAmounts.fromJson(container.path("resources").path(which));
    }

    /** Per resource, the larger of the two (a resource only one of them names keeps its amount). */
    static ResourceAmounts max(ResourceAmounts a, ResourceAmounts b) {
        ResourceAmounts out = a;
        for (Map.Entry<String, ResourceQuantity> e : b.asMap().entrySet()) {
            if (!out.contains(e.getKey()) || e.getValue().compareTo(out.get(e.getKey())) > 0) {
                out = out.with(e.getKey(), e.getValue());
            }
        }
        return out;
    }
}

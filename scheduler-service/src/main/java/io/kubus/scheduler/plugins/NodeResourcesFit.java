package io.kubus.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.schema.quantity.ResourceAmounts;
import io.kubus.schema.quantity.ResourceQuantity;
import io.kubus.scheduler.framework.ClusterView;
import io.kubus.scheduler.framework.FilterPlugin;
import io.kubus.scheduler.framework.NodeInfo;

import java.util.ArrayList;
import java.util.List;

/**
 * The pod's requests plus what the node's pods already request stay within allocatable, for every resource the pod
 * requests (cpu, memory, ephemeral-storage, extended resources) and for the pod count. Resources the pod does not
 * request are not checked (as in Kubernetes). Each missing resource is one reason ("Too many pods",
 * "Insufficient cpu", "Insufficient memory", "Insufficient example.com/gpu"); several are joined by
 * {@link #SEPARATOR}, which {@code SchedulingPipeline} splits again to count each reason on its own.
 */
public final class NodeResourcesFit implements FilterPlugin {
    public static final String SEPARATOR = ", ";
    public static final String TOO_MANY_PODS = "Too many pods";

    @Override
    public String name() {
        return "NodeResourcesFit";
    }

    @Override
    public String filter(Pod pod, NodeInfo node, ClusterView cluster) {
        ResourceAmounts allocatable = node.allocatable();
        ResourceAmounts used = node.requested();
        List<String> reasons = new ArrayList<>();
        if (used.get("pods").add(ResourceQuantity.ofLong(1)).compareTo(allocatable.get("pods")) > 0) {
            reasons.add(TOO_MANY_PODS);
        }
        ResourceAmounts request = cluster.requestsOf(pod);
        // cpu and memory first, then the rest in name order, as kube-scheduler lists them
        List<String> names = new ArrayList<>();
        for (String n : List.of("cpu", "memory")) {
            if (request.contains(n)) {
                names.add(n);
            }
        }
        for (String n : request.asMap().keySet()) {
            if (!names.contains(n) && !n.equals("pods")) {
                names.add(n);
            }
        }
        for (String n : names) {
            ResourceQuantity want = request.get(n);
            if (want.isZero()) {
                continue;
            }
            if (used.get(n).add(want).compareTo(allocatable.get(n)) > 0) {
                reasons.add("Insufficient " + n);
            }
        }
        return reasons.isEmpty() ? null : String.join(SEPARATOR, reasons);
    }
}

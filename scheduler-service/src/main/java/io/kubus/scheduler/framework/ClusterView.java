package io.kubus.scheduler.framework;

import java.util.Collection;

/** Every node with its pods, as the scheduler sees them for one scheduling cycle. */
public interface ClusterView {
    Collection<NodeInfo> nodes();

    /** The claims and volumes pods use; none by default. */
    default VolumeView volumes() {
        return VolumeView.NONE;
    }

    /**
     * The pod's resource requests (the larger of its containers' sum and each init container's). The scheduling
     * pipeline computes them once per cycle, as kube-scheduler's PreFilter keeps them in the cycle state: parsing the
     * pod's quantities again for every node and every plugin was half of a scheduling decision on 1,000 nodes.
     */
    default io.kubus.schema.quantity.ResourceAmounts requestsOf(io.fabric8.kubernetes.api.model.Pod pod) {
        return NodeInfo.requestsOf(pod);
    }

    /**
     * Whether any pod on any node has required pod anti-affinity: only then must a new pod be checked against every
     * existing pod (otherwise that check is the scheduler's most expensive loop, nodes x pods for every decision).
     */
    default boolean anyRequiredAntiAffinity() {
        for (NodeInfo n : nodes()) {
            for (io.fabric8.kubernetes.api.model.Pod p : n.pods()) {
                if (NodeInfo.hasRequiredAntiAffinity(p)) {
                    return true;
                }
            }
        }
        return false;
    }
}

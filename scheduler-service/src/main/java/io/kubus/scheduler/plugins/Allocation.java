package io.kubus.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.schema.quantity.ResourceAmounts;
import io.kubus.scheduler.framework.ClusterView;
import io.kubus.scheduler.framework.NodeInfo;

/**
 * cpu (millis) and memory (bytes) requested on a node with the pod added, counting a pod's zero cpu or memory request
 * as kube-scheduler's non-zero defaults (100m, 200Mi) so that request-less pods still spread.
 */
record Allocation(long cpuRequested, long cpuAllocatable, long memRequested, long memAllocatable) {

    static Allocation of(Pod pod, NodeInfo node, ClusterView cluster) {
        ResourceAmounts request = cluster.requestsOf(pod);
        ResourceAmounts alloc = node.allocatable();
        return new Allocation(node.nonZeroCpuMillis() + NodeInfo.nonZeroCpu(request), alloc.get("cpu").milliValue(),
                node.nonZeroMemoryBytes() + NodeInfo.nonZeroMemory(request), alloc.get("memory").longValueCeil());
    }
}

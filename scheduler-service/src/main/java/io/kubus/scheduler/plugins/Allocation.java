package io.kubus.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.schema.quantity.ResourceAmounts;
import io.kubus.scheduler.framework.NodeInfo;

/**
 * cpu (millis) and memory (bytes) requested on a node with the pod added, counting a pod's zero cpu or memory request
 * as kube-scheduler's non-zero defaults (100m, 200Mi) so that request-less pods still spread.
 */
record Allocation(long cpuRequested, long cpuAllocatable, long memRequested, long memAllocatable) {
    static final long DEFAULT_CPU_MILLIS = 100;
    static final long DEFAULT_MEMORY_BYTES = 200L * 1024 * 1024;

    static Allocation of(Pod pod, NodeInfo node) {
        long cpu = nonZeroCpu(pod);
        long mem = nonZeroMemory(pod);
        for (Pod p : node.pods()) {
            cpu += nonZeroCpu(p);
            mem += nonZeroMemory(p);
        }
        ResourceAmounts alloc = node.allocatable();
        return new Allocation(cpu, alloc.get("cpu").milliValue(), mem, alloc.get("memory").longValueCeil());
    }

    private static long nonZeroCpu(Pod p) {
        long m = NodeInfo.requestsOf(p).get("cpu").milliValue();
        return m == 0 ? DEFAULT_CPU_MILLIS : m;
    }

    private static long nonZeroMemory(Pod p) {
        long b = NodeInfo.requestsOf(p).get("memory").longValueCeil();
        return b == 0 ? DEFAULT_MEMORY_BYTES : b;
    }
}

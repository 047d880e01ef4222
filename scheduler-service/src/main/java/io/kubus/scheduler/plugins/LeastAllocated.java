package io.kubus.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.scheduler.framework.ClusterView;
import io.kubus.scheduler.framework.NodeInfo;
import io.kubus.scheduler.framework.ScorePlugin;

/**
 * kube-scheduler's NodeResourcesFit LeastAllocated strategy: the free share of cpu and of memory after placing the
 * pod, 0..100 each, averaged with weight 1 each. Plugin weight 1.
 */
public final class LeastAllocated implements ScorePlugin {
    @Override
    public String name() {
        return "LeastAllocated";
    }

    @Override
    public long score(Pod pod, NodeInfo node, ClusterView cluster) {
        Allocation a = Allocation.of(pod, node, cluster);
        return (free(a.cpuRequested(), a.cpuAllocatable()) + free(a.memRequested(), a.memAllocatable())) / 2;
    }

    private static long free(long requested, long capacity) {
        if (capacity <= 0 || requested > capacity) {
            return 0;
        }
        return (capacity - requested) * 100 / capacity;
    }
}

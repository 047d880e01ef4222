package io.kubus.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.scheduler.framework.ClusterView;
import io.kubus.scheduler.framework.NodeInfo;
import io.kubus.scheduler.framework.ScorePlugin;

/**
 * kube-scheduler's NodeResourcesBalancedAllocation: nodes whose cpu and memory would be used in like shares after
 * placing the pod score higher: (1 - standard deviation of the two fractions) * 100. Plugin weight 1.
 */
public final class BalancedAllocation implements ScorePlugin {
    @Override
    public String name() {
        return "NodeResourcesBalancedAllocation";
    }

    @Override
    public long score(Pod pod, NodeInfo node, ClusterView cluster) {
        Allocation a = Allocation.of(pod, node, cluster);
        double cpu = fraction(a.cpuRequested(), a.cpuAllocatable());
        double mem = fraction(a.memRequested(), a.memAllocatable());
        double std = Math.abs(cpu - mem) / 2;
        return (long) ((1 - std) * 100);
    }

    private static double fraction(long requested, long capacity) {
        return capacity <= 0 ? 1 : Math.min(1, (double) requested / capacity);
    }
}

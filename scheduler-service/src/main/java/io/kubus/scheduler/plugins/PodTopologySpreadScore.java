package io.kubus.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.kubus.scheduler.framework.ClusterView;
import io.kubus.scheduler.framework.NodeInfo;
import io.kubus.scheduler.framework.ScorePlugin;

import java.util.HashMap;
import java.util.Map;

/**
 * spec.topologySpreadConstraints with whenUnsatisfiable ScheduleAnyway: the raw score is the number of matching pods
 * in the node's topology domains summed over the constraints (fewer is better); normalized as kube-scheduler does,
 * 100 * (max + min - raw) / max. Weight 2.
 */
public final class PodTopologySpreadScore implements ScorePlugin {
    @Override
    public String name() {
        return "PodTopologySpread";
    }

    @Override
    public int weight() {
        return 2;
    }

    @Override
    public long score(Pod pod, NodeInfo node, ClusterView cluster) {
        long sum = 0;
        for (TopologySpreadConstraint c : PodTopologySpread.constraints(pod, "ScheduleAnyway")) {
            String domain = Matching.labels(node.node()).get(c.getTopologyKey());
            if (domain != null) {
                sum += PodTopologySpread.countsByDomain(pod, c, cluster).getOrDefault(domain, 0L);
            }
        }
        return sum;
    }

    @Override
    public Map<String, Long> normalize(Map<String, Long> rawByNode) {
        long max = rawByNode.values().stream().mapToLong(Long::longValue).max().orElse(0);
        long min = rawByNode.values().stream().mapToLong(Long::longValue).min().orElse(0);
        Map<String, Long> out = new HashMap<>();
        rawByNode.forEach((n, s) -> out.put(n, max == 0 ? 100 : 100 * (max + min - s) / max));
        return out;
    }
}

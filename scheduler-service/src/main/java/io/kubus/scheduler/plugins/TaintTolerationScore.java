package io.kubus.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.kubus.scheduler.framework.ClusterView;
import io.kubus.scheduler.framework.NodeInfo;
import io.kubus.scheduler.framework.ScorePlugin;

import java.util.List;
import java.util.Map;

/**
 * Fewer PreferNoSchedule taints the pod does not tolerate (only tolerations with an empty or PreferNoSchedule effect
 * count) score higher: reversed normalization of the count. Weight 3.
 */
public final class TaintTolerationScore implements ScorePlugin {
    @Override
    public String name() {
        return "TaintToleration";
    }

    @Override
    public int weight() {
        return 3;
    }

    @Override
    public long score(Pod pod, NodeInfo node, ClusterView cluster) {
        List<Toleration> tolerations = Matching.tolerations(pod).stream()
                .filter(t -> t.getEffect() == null || t.getEffect().isEmpty() || "PreferNoSchedule".equals(t.getEffect()))
                .toList();
        long count = 0;
        for (Taint t : Matching.taints(node.node())) {
            if ("PreferNoSchedule".equals(t.getEffect()) && !Matching.tolerated(tolerations, t)) {
                count++;
            }
        }
        return count;
    }

    @Override
    public Map<String, Long> normalize(Map<String, Long> rawByNode) {
        return Normalize.reverse(rawByNode);
    }
}

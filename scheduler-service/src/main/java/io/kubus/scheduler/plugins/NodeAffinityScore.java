package io.kubus.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PreferredSchedulingTerm;
import io.kubus.scheduler.framework.ClusterView;
import io.kubus.scheduler.framework.NodeInfo;
import io.kubus.scheduler.framework.ScorePlugin;
import io.kubus.schema.selector.NodeAffinities;

import java.util.List;
import java.util.Map;

/** The sum of the weights of the preferred node affinity terms the node matches, normalized by the maximum. Weight 2. */
public final class NodeAffinityScore implements ScorePlugin {
    @Override
    public String name() {
        return "NodeAffinity";
    }

    @Override
    public int weight() {
        return 2;
    }

    @Override
    public long score(Pod pod, NodeInfo node, ClusterView cluster) {
        Affinity a = pod.getSpec().getAffinity();
        if (a == null || a.getNodeAffinity() == null) {
            return 0;
        }
        List<PreferredSchedulingTerm> terms =
                Matching.orEmpty(a.getNodeAffinity().getPreferredDuringSchedulingIgnoredDuringExecution());
        long sum = 0;
        for (PreferredSchedulingTerm t : terms) {
            if (t.getPreference() != null && t.getWeight() != null && NodeAffinities.termMatches(t.getPreference(), node.node())) {
                sum += t.getWeight();
            }
        }
        return sum;
    }

    @Override
    public Map<String, Long> normalize(Map<String, Long> rawByNode) {
        return Normalize.byMax(rawByNode);
    }
}

package io.kubus.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.kubus.schema.selector.LabelSelector;
import io.kubus.scheduler.framework.ClusterView;
import io.kubus.scheduler.framework.FilterPlugin;
import io.kubus.scheduler.framework.NodeInfo;
import io.kubus.schema.selector.NodeAffinities;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * spec.topologySpreadConstraints with whenUnsatisfiable DoNotSchedule: placing the pod in the node's topology domain
 * (the node's value of topologyKey, usually {@code kubernetes.io/hostname}) must keep that domain's count of matching
 * pods at most maxSkew above the least populated domain. Domains are those of the nodes that carry the key and
 * satisfy the pod's node selector and required node affinity (Kubernetes' default nodeAffinityPolicy Honor).
 */
public final class PodTopologySpread implements FilterPlugin {
    public static final String REASON = "node(s) didn't match pod topology spread constraints";
    public static final String MISSING_LABEL_REASON =
            "node(s) didn't match pod topology spread constraints (missing required label)";

    @Override
    public String name() {
        return "PodTopologySpread";
    }

    @Override
    public String filter(Pod pod, NodeInfo node, ClusterView cluster) {
        for (TopologySpreadConstraint c : constraints(pod, "DoNotSchedule")) {
            String domain = Matching.labels(node.node()).get(c.getTopologyKey());
            if (domain == null) {
                return MISSING_LABEL_REASON;
            }
            Map<String, Long> counts = countsByDomain(pod, c, cluster);
            long min = counts.values().stream().mapToLong(Long::longValue).min().orElse(0);
            long self = selector(c).matches(Matching.labels(pod)) ? 1 : 0;
            if (counts.getOrDefault(domain, 0L) + self - min > c.getMaxSkew()) {
                return REASON;
            }
        }
        return null;
    }

    static List<TopologySpreadConstraint> constraints(Pod pod, String whenUnsatisfiable) {
        return Matching.orEmpty(pod.getSpec().getTopologySpreadConstraints()).stream()
                .filter(c -> whenUnsatisfiable.equals(c.getWhenUnsatisfiable())).toList();
    }

    static LabelSelector selector(TopologySpreadConstraint c) {
        return c.getLabelSelector() == null ? LabelSelector.nothing() : LabelSelector.of(c.getLabelSelector());
    }

    /** Matching pods (same namespace, label selector) per topology domain over the eligible nodes. */
    static Map<String, Long> countsByDomain(Pod pod, TopologySpreadConstraint c, ClusterView cluster) {
        LabelSelector sel = selector(c);
        String ns = Matching.namespace(pod);
        Map<String, Long> counts = new HashMap<>();
        for (NodeInfo n : cluster.nodes()) {
            String domain = Matching.labels(n.node()).get(c.getTopologyKey());
            if (domain == null || !NodeAffinities.matches(pod.getSpec(), n.node())) {
                continue;
            }
            long k = n.pods().stream()
                    .filter(p -> ns.equals(Matching.namespace(p)) && sel.matches(Matching.labels(p))).count();
            counts.merge(domain, k, Long::sum);
        }
        return counts;
    }
}

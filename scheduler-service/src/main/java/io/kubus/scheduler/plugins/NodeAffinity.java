package io.kubus.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.scheduler.framework.ClusterView;
import io.kubus.scheduler.framework.FilterPlugin;
import io.kubus.scheduler.framework.NodeInfo;
import io.kubus.schema.selector.NodeAffinities;

/**
 * spec.nodeSelector (every label equal) and the required node affinity (any of the nodeSelectorTerms; within a term
 * every matchExpression on labels and matchField on {@code metadata.name}, operators In, NotIn, Exists,
 * DoesNotExist, Gt, Lt).
 */
public final class NodeAffinity implements FilterPlugin {
    public static final String REASON = "node(s) didn't match Pod's node affinity/selector";

    @Override
    public String name() {
        return "NodeAffinity";
    }

    @Override
    public String filter(Pod pod, NodeInfo node, ClusterView cluster) {
        return NodeAffinities.matches(pod.getSpec(), node.node()) ? null : REASON;
    }
}

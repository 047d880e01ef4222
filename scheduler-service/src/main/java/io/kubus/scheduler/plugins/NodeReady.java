package io.kubus.scheduler.plugins;

import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.scheduler.framework.ClusterView;
import io.kubus.scheduler.framework.FilterPlugin;
import io.kubus.scheduler.framework.NodeInfo;

/**
 * Only nodes whose Ready condition is True. (Kubernetes gets this from the node lifecycle controller's
 * {@code node.kubernetes.io/not-ready} taint; Kubus checks the condition directly.)
 */
public final class NodeReady implements FilterPlugin {
    public static final String REASON = "node(s) were not ready";

    @Override
    public String name() {
        return "NodeReady";
    }

    @Override
    public String filter(Pod pod, NodeInfo node, ClusterView cluster) {
        if (node.node().getStatus() != null) {
            for (NodeCondition c : Matching.orEmpty(node.node().getStatus().getConditions())) {
                if ("Ready".equals(c.getType())) {
                    return "True".equals(c.getStatus()) ? null : REASON;
                }
            }
        }
        return REASON;
    }
}

package io.kubus.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.kubus.scheduler.framework.ClusterView;
import io.kubus.scheduler.framework.FilterPlugin;
import io.kubus.scheduler.framework.NodeInfo;

/** A cordoned node (spec.unschedulable) takes only pods tolerating {@code node.kubernetes.io/unschedulable:NoSchedule}. */
public final class NodeUnschedulable implements FilterPlugin {
    public static final String REASON = "node(s) were unschedulable";
    static final io.fabric8.kubernetes.api.model.Taint UNSCHEDULABLE_TAINT = new TaintBuilder()
            .withKey("node.kubernetes.io/unschedulable").withEffect("NoSchedule").build();

    @Override
    public String name() {
        return "NodeUnschedulable";
    }

    @Override
    public String filter(Pod pod, NodeInfo node, ClusterView cluster) {
        boolean cordoned = node.node().getSpec() != null && Boolean.TRUE.equals(node.node().getSpec().getUnschedulable());
        if (!cordoned || Matching.tolerated(Matching.tolerations(pod), UNSCHEDULABLE_TAINT)) {
            return null;
        }
        return REASON;
    }
}

package io.kubus.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.scheduler.framework.ClusterView;
import io.kubus.scheduler.framework.FilterPlugin;
import io.kubus.scheduler.framework.NodeInfo;

/** A pod that names its node (spec.nodeName) fits that node only. */
public final class NodeName implements FilterPlugin {
    public static final String REASON = "node(s) didn't match the requested node name";

    @Override
    public String name() {
        return "NodeName";
    }

    @Override
    public String filter(Pod pod, NodeInfo node, ClusterView cluster) {
        String wanted = pod.getSpec().getNodeName();
        return wanted == null || wanted.isEmpty() || wanted.equals(node.name()) ? null : REASON;
    }
}

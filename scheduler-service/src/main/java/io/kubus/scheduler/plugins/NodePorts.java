package io.kubus.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.scheduler.framework.ClusterView;
import io.kubus.scheduler.framework.FilterPlugin;
import io.kubus.scheduler.framework.NodeInfo;

import java.util.Set;

/**
 * The pod's host ports are free on the node: a port is taken when the same protocol and port are used on the same
 * host IP, or on 0.0.0.0 on either side.
 */
public final class NodePorts implements FilterPlugin {
    public static final String REASON = "node(s) didn't have free ports for the requested pod ports";
    private static final String ANY = "0.0.0.0";

    @Override
    public String name() {
        return "NodePorts";
    }

    @Override
    public String filter(Pod pod, NodeInfo node, ClusterView cluster) {
        Set<String> used = node.usedHostPorts();
        for (String want : NodeInfo.hostPortsOf(pod)) {
            String[] w = want.split("/", 3);
            for (String have : used) {
                String[] h = have.split("/", 3);
                if (w[0].equals(h[0]) && w[2].equals(h[2])
                        && (w[1].equals(h[1]) || w[1].equals(ANY) || h[1].equals(ANY))) {
                    return REASON;
                }
            }
        }
        return null;
    }
}

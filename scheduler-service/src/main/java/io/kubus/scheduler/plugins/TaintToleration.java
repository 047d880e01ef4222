package io.kubus.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.kubus.scheduler.framework.ClusterView;
import io.kubus.scheduler.framework.FilterPlugin;
import io.kubus.scheduler.framework.NodeInfo;

import java.util.List;
import java.util.Objects;

/** Every NoSchedule and NoExecute taint of the node is tolerated by the pod; the first one that is not is the reason. */
public final class TaintToleration implements FilterPlugin {
    @Override
    public String name() {
        return "TaintToleration";
    }

    @Override
    public String filter(Pod pod, NodeInfo node, ClusterView cluster) {
        List<io.fabric8.kubernetes.api.model.Toleration> tolerations = Matching.tolerations(pod);
        for (Taint t : Matching.taints(node.node())) {
            if (("NoSchedule".equals(t.getEffect()) || "NoExecute".equals(t.getEffect()))
                    && !Matching.tolerated(tolerations, t)) {
                return "node(s) had untolerated taint {" + t.getKey() + ": "
                        + Objects.requireNonNullElse(t.getValue(), "") + "}";
            }
        }
        return null;
    }
}

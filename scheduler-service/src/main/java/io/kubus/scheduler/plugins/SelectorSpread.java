package io.kubus.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.scheduler.framework.ClusterView;
import io.kubus.scheduler.framework.NodeInfo;
import io.kubus.scheduler.framework.ScorePlugin;

import java.util.Map;

/**
 * Spreads the pods of one controller: the raw score is the number of pods on the node with the same controller
 * ownerReference uid as the pod; normalized as 100 * (max - count) / max, so the emptiest nodes score 100. A pod
 * without a controller scores 100 everywhere. Plugin weight 1.
 */
public final class SelectorSpread implements ScorePlugin {
    @Override
    public String name() {
        return "SelectorSpread";
    }

    @Override
    public long score(Pod pod, NodeInfo node, ClusterView cluster) {
        String uid = Matching.controllerUid(pod);
        if (uid == null) {
            return 0;
        }
        return node.pods().stream().filter(p -> uid.equals(Matching.controllerUid(p))).count();
    }

    @Override
    public Map<String, Long> normalize(Map<String, Long> rawByNode) {
        return Normalize.reverse(rawByNode);
    }
}

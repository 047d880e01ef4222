package io.kubus.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;

import java.util.Map;

/** One preference among the nodes that fit (kube-scheduler's Score extension point): 0..100, higher is better. */
public interface ScorePlugin {
    String name();

    /** The plugin's weight in the sum of scores. */
    default int weight() {
        return 1;
    }

    long score(Pod pod, NodeInfo node, ClusterView cluster);

    /** Rescales the raw scores of all feasible nodes into 0..100 where the plugin needs the whole field to do so. */
    default Map<String, Long> normalize(Map<String, Long> rawByNode) {
        return rawByNode;
    }
}

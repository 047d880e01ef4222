package io.kubus.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;

/** One rule a node must pass to take a pod (kube-scheduler's Filter extension point). */
public interface FilterPlugin {
    String name();

    /** @return null when the node fits, else the reason, worded as kube-scheduler words it ("Insufficient cpu") */
    String filter(Pod pod, NodeInfo node, ClusterView cluster);
}

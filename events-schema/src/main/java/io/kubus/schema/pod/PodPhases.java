package io.kubus.schema.pod;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * The pod phases every component judges alike, as Kubernetes' podutil.IsPodTerminal: a pod that has Succeeded or
 * Failed never runs again, holds no room on its node, and is not counted by the controllers that made it.
 */
public final class PodPhases {
    public static final String SUCCEEDED = "Succeeded";
    public static final String FAILED = "Failed";

    private PodPhases() {
    }

    public static boolean isTerminal(String phase) {
        return SUCCEEDED.equals(phase) || FAILED.equals(phase);
    }

    public static boolean isTerminal(Pod pod) {
        return isTerminal(phaseOf(pod));
    }

    /** The phase, or null while the pod has no status. */
    public static String phaseOf(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getPhase();
    }
}

package io.kubus.agent.pod;

import io.fabric8.kubernetes.api.model.Pod;

/** Where the agent records what it did to a pod, as Kubernetes Events (kubectl describe shows them). */
public interface PodEvents {
    void normal(Pod pod, String reason, String message);

    void warning(Pod pod, String reason, String message);

    /** A warning that repeats on every sync (BackOff): recorded once per pod, reason and message. */
    void warningOnce(Pod pod, String reason, String message);
}

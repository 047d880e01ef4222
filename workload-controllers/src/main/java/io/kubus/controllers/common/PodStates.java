package io.kubus.controllers.common;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;

import io.kubus.schema.pod.PodPhases;
import java.time.Instant;
import java.util.Optional;

/** The pod states controllers count by, as Kubernetes' controller utilities define them. */
public final class PodStates {
    private PodStates() {
    }

    /** Not finished and not being deleted: it counts toward a controller's replicas. */
    public static boolean isActive(Pod pod) {
        return !PodPhases.isTerminal(pod) && pod.getMetadata().getDeletionTimestamp() == null;
    }

    public static boolean isReady(Pod pod) {
        return readyCondition(pod).map(c -> "True".equals(c.getStatus())).orElse(false);
    }

    /** Ready for at least {@code minReadySeconds} at {@code now}. */
    public static boolean isAvailable(Pod pod, int minReadySeconds, Instant now) {
        Optional<PodCondition> ready = readyCondition(pod);
        if (ready.isEmpty() || !"True".equals(ready.get().getStatus())) {
            return false;
        }
        if (minReadySeconds <= 0) {
            return true;
        }
        Instant since = readySince(ready.get());
        return since != null && !since.plusSeconds(minReadySeconds).isAfter(now);
    }

    /** When a ready pod becomes available, or null if it is not ready or has no transition time. */
    public static Instant availableAt(Pod pod, int minReadySeconds) {
        return readyCondition(pod).filter(c -> "True".equals(c.getStatus())).map(PodStates::readySince)
                .map(t -> t.plusSeconds(Math.max(0, minReadySeconds))).orElse(null);
    }

    private static Instant readySince(PodCondition c) {
        String t = c.getLastTransitionTime();
        return t == null || t.isEmpty() ? null : Instant.parse(t);
    }

    /** The node the pod is bound to, or null while it is not. */
    public static String nodeName(Pod pod) {
        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        return node == null || node.isEmpty() ? null : node;
    }

    public static Optional<PodCondition> readyCondition(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return pod.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst();
    }
}

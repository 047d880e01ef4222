package io.kubus.agent.node;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.client.api.KubusApi;
import io.kubus.schema.ResourceTypes;

import java.time.Duration;
import java.util.function.Predicate;

/** Waiting for a pod (in the default namespace unless told) to reach a state, and reading that state, for the agent's end-to-end tests. */
public final class PodWaits {
    private PodWaits() {
    }

    public static Pod await(KubusApi api, String name, Predicate<Pod> done, int seconds) throws InterruptedException {
        return await(api, "default", name, done, seconds);
    }

    public static Pod await(KubusApi api, String namespace, String name, Predicate<Pod> done, int seconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        Pod pod = null;
        while (System.nanoTime() < deadline) {
            pod = api.get(ResourceTypes.PODS, namespace, name, Pod.class).orElse(null);
            if (pod != null && pod.getStatus() != null && done.test(pod)) {
                return pod;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("pod " + name + " did not get there in " + seconds + " s: "
                + (pod == null ? "missing" : pod.getStatus()));
    }

    /** How many of the pod's containers are ready. */
    public static long ready(Pod p) {
        return p.getStatus().getContainerStatuses() == null ? 0
                : p.getStatus().getContainerStatuses().stream().filter(c -> Boolean.TRUE.equals(c.getReady())).count();
    }

    /** The first container's restart count. */
    public static int restartCount(Pod p) {
        return p.getStatus().getContainerStatuses() == null || p.getStatus().getContainerStatuses().isEmpty() ? 0
                : p.getStatus().getContainerStatuses().getFirst().getRestartCount();
    }

    /** Why the first container waits, or null. */
    public static String waitingReason(Pod p) {
        var s = p.getStatus().getContainerStatuses();
        return s == null || s.isEmpty() || s.getFirst().getState().getWaiting() == null ? null
                : s.getFirst().getState().getWaiting().getReason();
    }
}

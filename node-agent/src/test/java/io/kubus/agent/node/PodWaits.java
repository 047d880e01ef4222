package io.kubus.agent.node;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.client.api.KubusApi;
import io.kubus.schema.ResourceTypes;

import java.time.Duration;
import java.util.function.Predicate;

/** Waiting for a pod in the default namespace to reach a state, for the node agent's end-to-end tests. */
public final class PodWaits {
    private PodWaits() {
    }

    public static Pod await(KubusApi api, String name, Predicate<Pod> done, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        Pod pod = null;
        while (System.nanoTime() < deadline) {
            pod = api.get(ResourceTypes.PODS, "default", name, Pod.class).orElse(null);
            if (pod != null && pod.getStatus() != null && done.test(pod)) {
                return pod;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("pod " + name + " did not get there in " + seconds + " s: "
                + (pod == null ? "missing" : pod.getStatus()));
    }
}

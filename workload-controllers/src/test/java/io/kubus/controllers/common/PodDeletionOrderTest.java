package io.kubus.controllers.common;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PodDeletionOrderTest {
    private static Pod pod(String name, String node, String phase, String readySince, int restarts, String created) {
        Pod pod = new PodBuilder().withNewMetadata().withName(name).withCreationTimestamp(created).endMetadata()
                .withNewSpec().withNodeName(node).endSpec()
                .withNewStatus().withPhase(phase)
                .addNewContainerStatus().withName("app").withRestartCount(restarts).endContainerStatus()
                .endStatus().build();
        if (readySince != null) {
            pod.getStatus().getConditions().add(new io.fabric8.kubernetes.api.model.PodConditionBuilder()
                    .withType("Ready").withStatus("True").withLastTransitionTime(readySince).build());
        }
        return pod;
    }

    private static List<String> order(Pod... pods) {
        return PodDeletionOrder.choose(List.of(pods), pods.length).stream().map(p -> p.getMetadata().getName()).toList();
    }

    @Test
    void unscheduledThenPendingThenNotReadyGoFirst() {
        Pod running = pod("running", "n1", "Running", "2026-01-01T00:00:00Z", 0, "2026-01-01T00:00:00Z");
        Pod notReady = pod("not-ready", "n2", "Running", null, 0, "2026-01-01T00:00:00Z");
        Pod pending = pod("pending", "n3", "Pending", null, 0, "2026-01-01T00:00:00Z");
        Pod unscheduled = pod("unscheduled", null, "Pending", null, 0, "2026-01-01T00:00:00Z");
        assertEquals(List.of("unscheduled", "pending", "not-ready", "running"), order(running, notReady, pending, unscheduled));
    }

    @Test
    void amongReadyPodsCrowdedNodesThenShorterReadyThenRestartsThenNewer() {
        Pod crowdedA = pod("crowded-a", "n1", "Running", "2026-01-01T00:00:00Z", 0, "2026-01-01T00:00:00Z");
        Pod crowdedB = pod("crowded-b", "n1", "Running", "2026-01-01T00:00:00Z", 0, "2026-01-01T00:00:00Z");
        Pod recent = pod("ready-recently", "n2", "Running", "2026-01-02T00:00:00Z", 0, "2026-01-01T00:00:00Z");
        Pod restarted = pod("restarted", "n3", "Running", "2026-01-01T00:00:00Z", 3, "2026-01-01T00:00:00Z");
        Pod newer = pod("newer", "n4", "Running", "2026-01-01T00:00:00Z", 0, "2026-01-03T00:00:00Z");
        Pod old = pod("old", "n5", "Running", "2026-01-01T00:00:00Z", 0, "2026-01-01T00:00:00Z");
        List<String> order = order(old, newer, restarted, recent, crowdedA, crowdedB);
        assertEquals(List.of("ready-recently", "restarted", "newer", "old"), order.subList(2, 6));
        assertEquals(2, order.subList(0, 2).stream().filter(n -> n.startsWith("crowded")).count(),
                "two siblings on one node go before pods alone on theirs");
    }

    @Test
    void choosesOnlyAsManyAsAsked() {
        Pod a = pod("a", "n1", "Running", "2026-01-01T00:00:00Z", 0, "2026-01-01T00:00:00Z");
        Pod b = pod("b", null, "Pending", null, 0, "2026-01-01T00:00:00Z");
        assertEquals(List.of(b), PodDeletionOrder.choose(List.of(a, b), 1));
        assertEquals(2, PodDeletionOrder.choose(List.of(a, b), 5).size());
    }
}

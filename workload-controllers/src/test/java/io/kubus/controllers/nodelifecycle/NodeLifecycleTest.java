package io.kubus.controllers.nodelifecycle;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.kubus.client.api.KubusApi;
import io.kubus.client.api.PatchKind;
import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.ClusterFixture;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The node lifecycle and the taint eviction on a cluster of simulated nodes: two agent processes (in-process
 * contexts) of two nodes each; one goes silent and comes back. Grace period 6 s, heartbeats every 2 s.
 */
class NodeLifecycleTest {
    private static final Duration GRACE = Duration.ofSeconds(6);
    private static final String UNREACHABLE = "node.kubernetes.io/unreachable";

    @TempDir
    static Path dir;
    static ClusterFixture cluster;
    static KubusApi api;

    @BeforeAll
    static void start() throws InterruptedException {
        cluster = ClusterFixture.start();
        api = cluster.api();
        cluster.addSimulatedNodes(dir.resolve("b"), "lc-b", 2, Map.of());
        cluster.startControllers(Map.of("kubus.controllers.node-monitor-grace-period", GRACE.toSeconds() + "s"));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aSilentNodeIsTaintedItsPodsEvictedAsTheyTolerateAndItsTaintsGoWhenItIsBack() throws Exception {
        ApplicationContext agentA = cluster.addSimulatedNodes(dir.resolve("a"), "lc-a", 2, Map.of());
        for (String n : List.of("lc-a-0", "lc-a-1", "lc-b-0", "lc-b-1")) {
            Await.until(Duration.ofSeconds(60), n + " Ready", () -> node(n), nd -> "True".equals(ready(nd)));
        }
        api.create(ResourceTypes.PODS, pod("short", "lc-a-0", unreachableFor(5L)));
        api.create(ResourceTypes.PODS, pod("zero", "lc-a-0", unreachableFor(0L)));
        api.create(ResourceTypes.PODS, pod("forever", "lc-a-0", unreachableFor(null)));
        api.create(ResourceTypes.PODS, pod("elsewhere", "lc-b-0", null));
        for (String p : List.of("short", "zero", "forever", "elsewhere")) {
            Await.until(Duration.ofSeconds(60), p + " ready", () -> pod(p), pd -> pd != null && podReady(pd));
        }

        agentA.close();
        Instant silentSince = Instant.now();
        Node silent = Await.until(GRACE.plusSeconds(15), "lc-a-0 Unknown and tainted", () -> node("lc-a-0"),
                nd -> "Unknown".equals(ready(nd)) && taint(nd, UNREACHABLE, "NoExecute").isPresent());
        long seconds = Duration.between(silentSince, Instant.now()).toSeconds();
        assertTrue(seconds >= GRACE.toSeconds() - 3, "not before the grace period: " + seconds + " s");
        for (NodeCondition c : silent.getStatus().getConditions()) {
            assertEquals("Unknown", c.getStatus(), c.getType());
            assertEquals("NodeStatusUnknown", c.getReason(), c.getType());
            assertEquals("Kubelet stopped posting node status.", c.getMessage());
        }
        Taint noExecute = taint(silent, UNREACHABLE, "NoExecute").orElseThrow();
        assertNotNull(noExecute.getTimeAdded(), "the eviction counts from it");
        assertTrue(taint(silent, UNREACHABLE, "NoSchedule").isPresent(), "TaintNodesByCondition");
        Await.until(Duration.ofSeconds(20), "lc-a-1 Unknown and tainted too", () -> node("lc-a-1"),
                nd -> taint(nd, UNREACHABLE, "NoExecute").isPresent());

        // tolerationSeconds 0: evicted at once, with Kubernetes' condition and event
        Pod zero = Await.until(Duration.ofSeconds(10), "zero evicted", () -> pod("zero"),
                pd -> pd != null && pd.getMetadata().getDeletionTimestamp() != null);
        Instant added = Instant.parse(noExecute.getTimeAdded());
        boolean shortGone = pod("short").getMetadata().getDeletionTimestamp() != null;
        assertTrue(!shortGone || !Instant.now().isBefore(added.plusSeconds(4)), "short is not evicted with zero");
        PodCondition disruption = condition(zero, "DisruptionTarget").orElseThrow();
        assertEquals("True", disruption.getStatus());
        assertEquals("DeletionByTaintManager", disruption.getReason());

        // tolerationSeconds 5: evicted 5 s after the taint was added (timeAdded is whole seconds)
        Pod shortPod = Await.until(Duration.ofSeconds(20), "short evicted", () -> pod("short"),
                pd -> pd != null && pd.getMetadata().getDeletionTimestamp() != null);
        Instant deletedAt = Instant.parse(shortPod.getMetadata().getDeletionTimestamp()).minusSeconds(1);
        assertTrue(!deletedAt.isBefore(added.plusSeconds(4)), "after its toleration ran out: " + added + " " + deletedAt);

        // tolerating for good: stays, but is not ready any more, and told why
        Pod forever = pod("forever");
        assertNull(forever.getMetadata().getDeletionTimestamp());
        assertEquals("False", condition(forever, "Ready").orElseThrow().getStatus());
        Await.until(Duration.ofSeconds(10), "NodeNotReady event of forever", () -> events("forever"),
                es -> es.stream().anyMatch(e -> "NodeNotReady".equals(e.getReason())));
        Await.until(Duration.ofSeconds(10), "TaintManagerEviction event of short", () -> events("short"),
                es -> es.stream().anyMatch(e -> "TaintManagerEviction".equals(e.getReason())
                        && e.getMessage().equals("Marking for deletion Pod default/short")));
        assertTrue(podReady(pod("elsewhere")), "a pod of a live node is left alone");

        // the scheduler keeps new pods off the silent nodes
        api.create(ResourceTypes.PODS, pod("newcomer", "lc-a-1", null));
        Pod pending = Await.until(Duration.ofSeconds(20), "newcomer unschedulable", () -> pod("newcomer"),
                pd -> pd != null && condition(pd, "PodScheduled").filter(c -> "Unschedulable".equals(c.getReason()))
                        .isPresent());
        assertNull(pending.getSpec().getNodeName());

        // the node comes back: the agent reports Ready, the taints go, what was evicted is gone
        cluster.addSimulatedNodes(dir.resolve("a"), "lc-a", 2, Map.of());
        Await.until(Duration.ofSeconds(60), "lc-a-0 Ready without the taints", () -> node("lc-a-0"),
                nd -> "True".equals(ready(nd)) && taints(nd).isEmpty());
        Await.until(Duration.ofSeconds(30), "evicted pods gone", () -> pod("short") == null && pod("zero") == null, b -> b);
        Await.until(Duration.ofSeconds(30), "forever ready again", () -> pod("forever"), pd -> pd != null && podReady(pd));
        Await.until(Duration.ofSeconds(30), "newcomer placed on lc-a-1", () -> pod("newcomer"),
                pd -> pd != null && "lc-a-1".equals(pd.getSpec().getNodeName()) && podReady(pd));
    }

    @Test
    void aNoExecuteTaintEvictsWhatDoesNotTolerateItAndItsRemovalCancelsTheCount() throws Exception {
        Await.until(Duration.ofSeconds(60), "lc-b-1 Ready", () -> node("lc-b-1"), nd -> "True".equals(ready(nd)));
        Toleration dedicated = new TolerationBuilder().withKey("dedicated").withOperator("Exists")
                .withEffect("NoExecute").withTolerationSeconds(60L).build();
        api.create(ResourceTypes.PODS, pod("intolerant", "lc-b-1", null));
        api.create(ResourceTypes.PODS, pod("patient", "lc-b-1", dedicated));
        for (String p : List.of("intolerant", "patient")) {
            Await.until(Duration.ofSeconds(60), p + " ready", () -> pod(p), pd -> pd != null && podReady(pd));
        }
        String taint = "{\"spec\":{\"taints\":[{\"key\":\"dedicated\",\"value\":\"db\",\"effect\":\"NoExecute\","
                + "\"timeAdded\":\"" + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\"}]}}";
        api.patch(ResourceTypes.NODES, null, "lc-b-1", PatchKind.MERGE, taint, false, Node.class);
        // not tolerated: evicted at once, and on a live node the agent stops it and the pod is gone; by then the
        // patient one, queued with it, waits for its 60 s
        Await.until(Duration.ofSeconds(20), "intolerant gone", () -> pod("intolerant") == null, b -> b);
        api.patch(ResourceTypes.NODES, null, "lc-b-1", PatchKind.MERGE, "{\"spec\":{\"taints\":null}}", false,
                Node.class);
        Await.until(Duration.ofSeconds(20), "the eviction of patient cancelled", () -> events("patient"),
                es -> es.stream().anyMatch(e -> "Cancelling deletion of Pod default/patient".equals(e.getMessage())));
        Pod patient = pod("patient");
        assertNull(patient.getMetadata().getDeletionTimestamp());
        assertFalse(condition(patient, "DisruptionTarget").isPresent());
    }

    private static Toleration unreachableFor(Long seconds) {
        return new TolerationBuilder().withKey(UNREACHABLE).withOperator("Exists").withEffect("NoExecute")
                .withTolerationSeconds(seconds).build();
    }

    private static Pod pod(String name, String node, Toleration toleration) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withTerminationGracePeriodSeconds(1L)
                .withNodeSelector(Map.of("kubernetes.io/hostname", node))
                .addNewContainer().withName("c").withImage("kubus/busybox:1").endContainer().endSpec();
        if (toleration != null) {
            b.editSpec().withTolerations(toleration).endSpec();
        }
        return b.build();
    }

    private static Node node(String name) {
        return api.get(ResourceTypes.NODES, null, name, Node.class).orElse(null);
    }

    private static Pod pod(String name) {
        return api.get(ResourceTypes.PODS, "default", name, Pod.class).orElse(null);
    }

    private static List<Event> events(String pod) {
        return api.list(ResourceTypes.EVENTS, "default", null, "involvedObject.name=" + pod, Event.class).items();
    }

    private static String ready(Node node) {
        return node == null || node.getStatus() == null || node.getStatus().getConditions() == null ? null
                : node.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType()))
                .map(NodeCondition::getStatus).findFirst().orElse(null);
    }

    private static List<Taint> taints(Node node) {
        return node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints();
    }

    private static Optional<Taint> taint(Node node, String key, String effect) {
        return node == null ? Optional.empty() : taints(node).stream()
                .filter(t -> key.equals(t.getKey()) && effect.equals(t.getEffect())).findFirst();
    }

    private static Optional<PodCondition> condition(Pod pod, String type) {
        return pod.getStatus() == null || pod.getStatus().getConditions() == null ? Optional.empty()
                : pod.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    private static boolean podReady(Pod pod) {
        return condition(pod, "Ready").map(c -> "True".equals(c.getStatus())).orElse(false);
    }
}

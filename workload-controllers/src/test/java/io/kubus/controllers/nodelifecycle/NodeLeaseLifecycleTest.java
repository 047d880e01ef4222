package io.kubus.controllers.nodelifecycle;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.kubus.client.api.KubusApi;
import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.ClusterFixture;
import io.kubus.gateway.testing.Kubectl;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Node heartbeats through Leases, on simulated nodes: each node keeps a Lease in kube-node-lease, renewed every 2 s
 * here, and the node lifecycle controller (grace period 6 s) counts those renewals as heartbeats, so the Nodes stay
 * Ready while their status is not rewritten; a node whose agent stops turns Unknown and unreachable within the grace
 * period, and Ready again when its agent is back.
 */
class NodeLeaseLifecycleTest {
    private static final Duration GRACE = Duration.ofSeconds(6);
    private static final String UNREACHABLE = "node.kubernetes.io/unreachable";

    @TempDir
    static Path dir;
    static ClusterFixture cluster;
    static KubusApi api;
    static Kubectl kubectl;
    static ApplicationContext agentB;

    @BeforeAll
    static void start() {
        cluster = ClusterFixture.start();
        api = cluster.api();
        kubectl = cluster.kubectl(dir);
        agentB = cluster.addSimulatedNodes(dir.resolve("b"), "nl-b", 1, Map.of());
        cluster.startControllers(Map.of("kubus.controllers.node-monitor-grace-period", GRACE.toSeconds() + "s"));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void leasesKeepNodesReadyAndANodeWhoseLeaseStopsTurnsUnknownUntilItIsBack() throws Exception {
        ApplicationContext agentA = cluster.addSimulatedNodes(dir.resolve("a"), "nl-a", 2, Map.of());
        List<String> names = List.of("nl-a-0", "nl-a-1", "nl-b");
        for (String n : names) {
            Await.until(Duration.ofSeconds(60), n + " Ready", () -> node(n), nd -> "True".equals(ready(nd)));
        }

        // kubectl shows one Lease per node, held by the node
        String table = Await.until(Duration.ofSeconds(20), "three leases", () -> kubectl.run("get", "leases", "-n",
                "kube-node-lease").ok().out(), out -> out.lines().count() == 4);
        List<List<String>> rows = table.lines().map(l -> Arrays.asList(l.trim().split("\\s+"))).toList();
        assertEquals(List.of("NAME", "HOLDER", "AGE"), rows.getFirst());
        for (int i = 0; i < names.size(); i++) {
            assertEquals(names.get(i), rows.get(i + 1).get(0));
            assertEquals(names.get(i), rows.get(i + 1).get(1), "held by its node");
        }
        Instant renewed = renewTime("nl-a-0");
        Await.until(Duration.ofSeconds(10), "a renewal of nl-a-0", () -> renewTime("nl-a-0"), t -> t.isAfter(renewed));

        // three grace periods on: still Ready, though no node reported a new status heartbeat meanwhile
        String heartbeat = readyCondition(node("nl-b")).getLastHeartbeatTime();
        Thread.sleep(GRACE.multipliedBy(3).toMillis());
        for (String n : names) {
            assertEquals("True", ready(node(n)), n + " lives on its Lease");
        }
        assertEquals(heartbeat, readyCondition(node("nl-b")).getLastHeartbeatTime(), "no status written meanwhile");

        // the agent of nl-a stops: its Leases stop, its nodes turn Unknown within the grace period
        agentA.close();
        Instant stopped = Instant.now();
        Node silent = Await.until(GRACE.plusSeconds(10), "nl-a-0 Unknown and unreachable", () -> node("nl-a-0"),
                nd -> "Unknown".equals(ready(nd)) && taint(nd, "NoExecute"));
        long seconds = Duration.between(stopped, Instant.now()).toSeconds();
        assertTrue(seconds >= GRACE.toSeconds() - 3, "not before the grace period: " + seconds + " s");
        for (NodeCondition c : silent.getStatus().getConditions()) {
            assertEquals("Unknown", c.getStatus(), c.getType());
            assertEquals("NodeStatusUnknown", c.getReason(), c.getType());
        }
        assertTrue(taint(silent, "NoSchedule"), "unreachable NoSchedule too");
        Await.until(Duration.ofSeconds(10), "nl-a-1 Unknown", () -> node("nl-a-1"), nd -> "Unknown".equals(ready(nd)));
        assertEquals("True", ready(node("nl-b")), "the other agent's node lives on");

        // back: renewals resume, the agent reports Ready, the taints go
        Instant lastRenewal = renewTime("nl-a-0");
        cluster.addSimulatedNodes(dir.resolve("a"), "nl-a", 2, Map.of());
        for (String n : List.of("nl-a-0", "nl-a-1")) {
            Await.until(Duration.ofSeconds(30), n + " Ready without taints", () -> node(n),
                    nd -> "True".equals(ready(nd)) && taints(nd).isEmpty());
        }
        assertTrue(renewTime("nl-a-0").isAfter(lastRenewal), "renewed again");

        // a Lease goes with its Node: the garbage collector follows the owner reference the agent set
        agentB.close();
        api.delete(ResourceTypes.NODES, null, "nl-b", null, null);
        Await.until(Duration.ofSeconds(30), "the lease of nl-b gone", () -> api.get(ResourceTypes.LEASES,
                "kube-node-lease", "nl-b", Lease.class), Optional::isEmpty);
    }

    private static Instant renewTime(String lease) {
        String text = kubectl.run("get", "lease", lease, "-n", "kube-node-lease", "-o", "jsonpath={.spec.renewTime}")
                .ok().out().trim();
        return Instant.parse(text);
    }

    private static Node node(String name) {
        return api.get(ResourceTypes.NODES, null, name, Node.class).orElse(null);
    }

    private static NodeCondition readyCondition(Node node) {
        return node.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst()
                .orElseThrow();
    }

    private static String ready(Node node) {
        return node == null || node.getStatus() == null || node.getStatus().getConditions() == null ? null
                : node.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType()))
                .map(NodeCondition::getStatus).findFirst().orElse(null);
    }

    private static List<Taint> taints(Node node) {
        return node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints();
    }

    private static boolean taint(Node node, String effect) {
        return taints(node).stream().anyMatch(t -> UNREACHABLE.equals(t.getKey()) && effect.equals(t.getEffect()));
    }
}

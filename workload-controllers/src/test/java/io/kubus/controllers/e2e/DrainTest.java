package io.kubus.controllers.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.kubus.controllers.common.PodStates;
import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.PodHistory;
import io.kubus.controllers.testing.SimulatedCluster;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.gateway.testing.Kubectl;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code kubectl drain} with the real kubectl against two simulated nodes: a Deployment of three replicas guarded
 * by a PodDisruptionBudget of minAvailable 2. The drain cordons the node, evicts its pods, is told 429 while the
 * budget is spent and retries, and finishes once the pods are replaced on the other node; the pods' change history
 * shows never fewer than two available. Then an eviction the budget forbids answers 429 with Kubernetes' Status.
 */
class DrainTest {
    @RegisterExtension
    static final SimulatedCluster cluster = new SimulatedCluster("drain", 2);

    @Test
    void drainKeepsTheBudgetAndMovesThePods() throws Exception {
        Kubectl kubectl = cluster.kubectl();
        kubectl.run("create", "deployment", "web", "--image=kubus/busybox:1", "--replicas=3").ok();
        kubectl.run("create", "pdb", "web", "--selector=app=web", "--min-available=2").ok();
        Await.until(Duration.ofSeconds(60), "the budget to allow one disruption", () -> budget().getStatus(),
                s -> s != null && s.getCurrentHealthy() == 3 && s.getDisruptionsAllowed() == 1, String::valueOf);
        Map<String, Long> perNode = pods().stream().collect(Collectors.groupingBy(PodStates::nodeName, TreeMap::new,
                Collectors.counting()));
        String node = perNode.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        long onNode = perNode.get(node);
        assertTrue(onNode >= 2, "three replicas on two nodes put two on one: " + perNode);

        Kubectl.Result drain;
        PodHistory.Extremes seen;
        try (PodHistory history = new PodHistory(cluster.api(), cluster.fixture().gateway().kafkaBootstrap(), "app=web")) {
            long t0 = System.nanoTime();
            drain = kubectl.run(150, "drain", node, "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=120s");
            System.out.printf("[drain] %s with %d pods drained in %.1f s%n", node, onNode, (System.nanoTime() - t0) / 1e9);
            Await.until(Duration.ofSeconds(30), "three pods ready elsewhere", DrainTest::pods,
                    l -> l.size() == 3 && l.stream().allMatch(PodStates::isReady)
                            && l.stream().noneMatch(p -> node.equals(PodStates.nodeName(p))),
                    l -> l.stream().map(p -> p.getMetadata().getName() + "@" + PodStates.nodeName(p)).toList().toString());
            seen = history.extremes();
        }
        assertEquals(0, drain.exitCode(), drain.err() + drain.out());
        assertTrue(drain.out().contains("node/" + node + " cordoned"), drain.out());
        assertTrue(drain.out().contains("node/" + node + " drained"), drain.out());
        assertEquals(onNode, drain.out().lines().filter(l -> l.matches("pod/web-\\S+ evicted")).count(), drain.out());
        // the budget allowed one at a time: kubectl was refused and waited for the replacement
        assertTrue(drain.err().contains("(will retry after 5s): Cannot evict pod as it would violate the pod's "
                + "disruption budget."), drain.err());
        System.out.printf("[drain] %d pod states: at least %d available (budget 2)%n", seen.states(), seen.minAvailable());
        assertTrue(seen.minAvailable() >= 2, "fewer than minAvailable pods available during the drain: " + seen);
        assertTrue(seen.states() > 0, seen.toString());
        Node drained = cluster.api().get(ResourceTypes.NODES, "", node, Node.class).orElseThrow();
        assertEquals(Boolean.TRUE, drained.getSpec().getUnschedulable());

        // now nothing may go: the eviction of any pod is refused as Kubernetes refuses it
        kubectl.run("patch", "pdb", "web", "--type=merge", "-p", "{\"spec\":{\"minAvailable\":3}}").ok();
        Await.until(Duration.ofSeconds(30), "the budget to allow none", () -> budget().getStatus(),
                s -> s.getObservedGeneration() == 2 && s.getCurrentHealthy() == 3 && s.getDisruptionsAllowed() == 0,
                String::valueOf);
        String pod = pods().getFirst().getMetadata().getName();
        GatewayFixture.Reply refused = cluster.fixture().gateway().request("POST",
                "/api/v1/namespaces/default/pods/" + pod + "/eviction", "application/json",
                "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"" + pod + "\"}}");
        assertEquals(429, refused.status(), refused.body());
        assertEquals(KubusJson.json().readTree("""
                {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
                 "message":"Cannot evict pod as it would violate the pod's disruption budget.","reason":"TooManyRequests",
                 "details":{"causes":[{"reason":"DisruptionBudget",
                   "message":"The disruption budget web needs 3 healthy pods and has 3 currently"}]},"code":429}"""),
                KubusJson.json().readTree(refused.body()));
        Kubectl.Result second = kubectl.run(30, "drain", PodStates.nodeName(pods().getFirst()), "--ignore-daemonsets",
                "--timeout=8s");
        assertTrue(second.exitCode() != 0 && second.err().contains("Cannot evict pod as it would violate the pod's "
                + "disruption budget."), second.err());
        JsonNode kept = KubusJson.json().valueToTree(pods());
        assertEquals(3, kept.size(), "a refused drain evicts nothing");
    }

    private static PodDisruptionBudget budget() {
        return cluster.api().get(ResourceTypes.PODDISRUPTIONBUDGETS, "default", "web", PodDisruptionBudget.class)
                .orElseThrow();
    }

    /** The active pods of the Deployment. */
    private static List<Pod> pods() {
        return cluster.api().list(ResourceTypes.PODS, "default", "app=web", null, Pod.class).items().stream()
                .filter(PodStates::isActive).toList();
    }
}

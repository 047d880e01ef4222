package io.kubus.agent.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.kubus.client.api.KubusApi;
import io.kubus.client.api.PatchKind;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An agent of three simulated nodes keeps a Lease per node as the kubelet does (renewed every 2 s here: a lease of
 * 8 s), and reports its node status only when it changed.
 */
class NodeLeaseTest {
    private static final String NS = NodeLease.NAMESPACE;

    @TempDir
    static Path dir;
    static GatewayFixture gateway;
    static ApplicationContext agent;
    static KubusApi api;

    @BeforeAll
    static void start() {
        gateway = GatewayFixture.start();
        api = new KubusApi(gateway.clientConfig());
        agent = AgentFixture.start(gateway, dir, Map.of("kubus.agent.runtime", "simulated", "kubus.agent.nodes", 3,
                "kubus.agent.node-name", "ls"));
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.close();
        }
        if (api != null) {
            api.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void eachNodeHoldsALeaseOwnedByItsNodeAndRenewsIt() throws Exception {
        for (String name : List.of("ls-0", "ls-1", "ls-2")) {
            Lease first = until("the lease of " + name, () -> lease(name), l -> l != null);
            assertEquals(name, first.getSpec().getHolderIdentity());
            assertEquals(8, first.getSpec().getLeaseDurationSeconds());
            Node node = api.get(ResourceTypes.NODES, null, name, Node.class).orElseThrow();
            OwnerReference owner = first.getMetadata().getOwnerReferences().getFirst();
            assertEquals(List.of("v1", "Node", name, node.getMetadata().getUid()),
                    List.of(owner.getApiVersion(), owner.getKind(), owner.getName(), owner.getUid()));
            ZonedDateTime renewed = first.getSpec().getRenewTime();
            Lease later = until("a renewal of " + name, () -> lease(name),
                    l -> l.getSpec().getRenewTime().isAfter(renewed));
            Duration step = Duration.between(renewed, later.getSpec().getRenewTime());
            assertTrue(step.toMillis() < 4_000, "renewed every 2 s: " + step);
        }
    }

    /** Someone else writes the Lease: the next renewal conflicts, reads it again, and renews what it read. */
    @Test
    void aConflictReadsTheLeaseAgainAndRenewsIt() throws Exception {
        until("the lease of ls-1", () -> lease("ls-1"), l -> l != null);
        Lease patched = api.patch(ResourceTypes.LEASES, NS, "ls-1", PatchKind.MERGE,
                "{\"metadata\":{\"labels\":{\"touched\":\"yes\"}}}", false, Lease.class);
        Lease renewed = until("a renewal after the patch", () -> lease("ls-1"),
                l -> l.getSpec().getRenewTime().isAfter(patched.getSpec().getRenewTime()));
        assertEquals("yes", renewed.getMetadata().getLabels().get("touched"), "renewed on top of the other write");
    }

    @Test
    void aDeletedLeaseIsMadeAgain() throws Exception {
        Lease before = until("the lease of ls-2", () -> lease("ls-2"), l -> l != null);
        api.delete(ResourceTypes.LEASES, NS, "ls-2", null, null);
        Lease again = until("the lease of ls-2 made again", () -> lease("ls-2"),
                l -> l != null && !l.getMetadata().getUid().equals(before.getMetadata().getUid()));
        assertEquals("ls-2", again.getSpec().getHolderIdentity());
        assertEquals(1, again.getMetadata().getOwnerReferences().size());
    }

    /**
     * The Node is not rewritten while nothing changes (the Lease says the node lives), and a Ready condition someone
     * else changed is reported again at the next look, with a new transition time.
     */
    @Test
    void theNodeStatusIsReportedWhenItChanged() throws Exception {
        Node ready = until("ls-0 Ready", () -> api.get(ResourceTypes.NODES, null, "ls-0", Node.class).orElse(null),
                n -> n != null && "True".equals(readyCondition(n).getStatus()));
        Thread.sleep(5_000); // more than two looks at the status, two renewals of the Lease
        Node later = api.get(ResourceTypes.NODES, null, "ls-0", Node.class).orElseThrow();
        assertEquals(ready.getMetadata().getResourceVersion(), later.getMetadata().getResourceVersion(),
                "an unchanged status is not written again");

        Node unknown = new NodeBuilder(later).build();
        NodeCondition condition = readyCondition(unknown);
        condition.setStatus("Unknown");
        condition.setReason("NodeStatusUnknown");
        condition.setLastTransitionTime("2024-05-01T10:00:00Z");
        api.updateStatus(ResourceTypes.NODES, unknown);
        Node back = until("ls-0 reported Ready again", () -> api.get(ResourceTypes.NODES, null, "ls-0", Node.class)
                .orElseThrow(), n -> "True".equals(readyCondition(n).getStatus()));
        assertEquals("KubeletReady", readyCondition(back).getReason());
        assertNotEquals("2024-05-01T10:00:00Z", readyCondition(back).getLastTransitionTime());
        assertNotEquals(readyCondition(ready).getLastTransitionTime(), readyCondition(back).getLastTransitionTime(),
                "it became Ready anew");
    }

    private static Lease lease(String name) {
        return api.get(ResourceTypes.LEASES, NS, name, Lease.class).orElse(null);
    }

    private static NodeCondition readyCondition(Node node) {
        return node.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst()
                .orElseThrow();
    }

    private static <V> V until(String what, Supplier<V> probe, Predicate<V> done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        V last = null;
        while (System.nanoTime() < deadline) {
            last = probe.get();
            if (done.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + what + "; last seen: " + last);
    }
}

package io.kubus.controllers.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.kubus.controllers.common.OwnerReferences;
import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.SimulatedCluster;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code kubectl delete deployment} with each cascade (propagation policy), as Kubernetes' garbage collector does it. */
class DeploymentDeletionTest {
    @RegisterExtension
    static final SimulatedCluster cluster = new SimulatedCluster("sim", 4);

    private static void deploy(String name) throws InterruptedException {
        cluster.kubectl().run("create", "deployment", name, "--image=kubus/busybox:1", "--replicas=3").ok();
        Await.until(Duration.ofSeconds(60), name + " available", () -> deployment(name),
                d -> d.isPresent() && d.get().getStatus() != null
                        && Integer.valueOf(3).equals(d.get().getStatus().getAvailableReplicas()),
                d -> d.map(x -> String.valueOf(x.getStatus())).orElse("absent"));
    }

    private static Optional<Deployment> deployment(String name) {
        return cluster.api().get(ResourceTypes.DEPLOYMENTS, "default", name, Deployment.class);
    }

    private static List<ReplicaSet> replicaSets(String app) {
        return cluster.api().list(ResourceTypes.REPLICASETS, "default", "app=" + app, null, ReplicaSet.class).items();
    }

    private static List<Pod> pods(String app) {
        return cluster.api().list(ResourceTypes.PODS, "default", "app=" + app, null, Pod.class).items();
    }

    @Test
    void backgroundDeletesTheDeploymentAtOnceAndItsReplicaSetsAndPodsAfter() throws Exception {
        deploy("bg");
        cluster.kubectl().run("delete", "deployment", "bg").ok();
        assertTrue(deployment("bg").isEmpty(), "gone as soon as kubectl returns");
        Await.until(Duration.ofSeconds(60), "replica sets and pods collected",
                () -> replicaSets("bg").size() + pods("bg").size(), n -> n == 0);
    }

    @Test
    void foregroundKeepsTheDeploymentUntilItsDependentsAreGone() throws Exception {
        deploy("fg");
        cluster.kubectl().run("delete", "deployment", "fg", "--cascade=foreground", "--wait=false").ok();
        Deployment deleting = deployment("fg").orElseThrow(() -> new AssertionError("deleted before its dependents"));
        assertNotNull(deleting.getMetadata().getDeletionTimestamp());
        assertTrue(deleting.getMetadata().getFinalizers().contains("foregroundDeletion"),
                deleting.getMetadata().getFinalizers().toString());
        // Until it is gone, it must not be gone before its pods: sample both in one order every time.
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (deployment("fg").isPresent()) {
            assertTrue(System.nanoTime() < deadline, "foreground deletion did not finish: " + replicaSets("fg").size()
                    + " replica sets, " + pods("fg").size() + " pods left");
            Thread.sleep(100);
        }
        assertEquals(0, pods("fg").size(), "the deployment went only after its pods");
        assertEquals(0, replicaSets("fg").size());
    }

    @Test
    void orphanLeavesTheReplicaSetAndItsPodsRunningWithoutTheOwner() throws Exception {
        deploy("or");
        ReplicaSet before = replicaSets("or").getFirst();
        cluster.kubectl().run("delete", "deployment", "or", "--cascade=orphan").ok();
        Await.until(Duration.ofSeconds(30), "deployment gone", () -> deployment("or"), Optional::isEmpty);
        ReplicaSet orphaned = Await.until(Duration.ofSeconds(30), "the replica set's owner reference removed",
                () -> cluster.api().get(ResourceTypes.REPLICASETS, "default", before.getMetadata().getName(), ReplicaSet.class)
                        .orElseThrow(), rs -> OwnerReferences.of(rs).isEmpty(),
                rs -> String.valueOf(rs.getMetadata().getOwnerReferences()));
        assertEquals(before.getMetadata().getUid(), orphaned.getMetadata().getUid());
        Thread.sleep(2_000); // room for a wrong cascade to show
        List<Pod> left = pods("or");
        assertEquals(3, left.size(), "the pods stay");
        assertTrue(left.stream().allMatch(p -> p.getMetadata().getDeletionTimestamp() == null
                && OwnerReferences.isControlledBy(p, orphaned)), "still controlled by the surviving replica set");
    }
}

package io.kubus.controllers.replicaset;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.ReplicationControllerBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.kubus.client.tls.AnyServer;
import io.kubus.client.tls.CertificateAuthority;
import io.kubus.controllers.common.OwnerReferences;
import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.SimulatedCluster;
import io.kubus.gateway.testing.TestPki;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ReplicaSet and ReplicationController controllers in a whole cluster of simulated nodes, driven by kubectl. */
class ReplicaSetControllerTest {
    @RegisterExtension
    static final SimulatedCluster cluster = new SimulatedCluster("sim", 10);

    private static ReplicaSet replicaSet(String name, int replicas, int minReadySeconds) {
        return new ReplicaSetBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withReplicas(replicas).withMinReadySeconds(minReadySeconds)
                .withNewSelector().addNewMatchExpression().withKey("app").withOperator("In").withValues(name)
                .endMatchExpression().endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).addToLabels("tier", "front").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("kubus/busybox:1").endContainer().endSpec()
                .endTemplate().endSpec().build();
    }

    /** Active pods the owner with this uid controls. */
    private static List<Pod> controlledPods(String uid) {
        return cluster.api().list(ResourceTypes.PODS, "default", null, null, Pod.class).items().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .filter(p -> OwnerReferences.controllerOf(p).map(r -> r.getUid().equals(uid)).orElse(false))
                .toList();
    }

    private static ReplicaSet rs(String name) {
        return cluster.api().get(ResourceTypes.REPLICASETS, "default", name, ReplicaSet.class).orElseThrow();
    }

    private static ReplicaSet awaitStatus(String name, int replicas, int available) throws InterruptedException {
        return Await.until(Duration.ofSeconds(60), name + " with " + replicas + " replicas, " + available + " available",
                () -> rs(name), r -> r.getStatus() != null && r.getStatus().getReplicas() == replicas
                        && r.getStatus().getAvailableReplicas() != null && r.getStatus().getAvailableReplicas() == available
                        && r.getStatus().getObservedGeneration().equals(r.getMetadata().getGeneration()),
                r -> String.valueOf(r.getStatus()));
    }

    @Test
    void keepsReplicasThroughScalingAndWritesStatus() throws Exception {
        String uid = cluster.api().create(ResourceTypes.REPLICASETS, replicaSet("web", 5, 0)).getMetadata().getUid();
        ReplicaSet r = awaitStatus("web", 5, 5);
        assertEquals(5, r.getStatus().getReadyReplicas());
        assertEquals(5, r.getStatus().getFullyLabeledReplicas());
        List<Pod> pods = controlledPods(uid);
        assertEquals(5, pods.size());
        Pod one = pods.getFirst();
        assertTrue(one.getMetadata().getName().startsWith("web-"), one.getMetadata().getName());
        assertEquals("front", one.getMetadata().getLabels().get("tier"));
        assertTrue(OwnerReferences.of(one).getFirst().getBlockOwnerDeletion());

        cluster.kubectl().run("scale", "rs", "web", "--replicas=8").ok();
        awaitStatus("web", 8, 8);
        assertEquals(8, controlledPods(uid).size());
        cluster.kubectl().run("scale", "rs", "web", "--replicas=2").ok();
        awaitStatus("web", 2, 2);
        Await.until(Duration.ofSeconds(30), "2 active pods", () -> controlledPods(uid).size(), n -> n == 2);
        String table = cluster.kubectl().run("get", "rs", "web").ok().out();
        assertTrue(table.matches("(?s).*web\\s+2\\s+2\\s+2\\s+.*"), table);

        // A deleted pod is replaced.
        Pod victim = controlledPods(uid).getFirst();
        cluster.kubectl().run("delete", "pod", victim.getMetadata().getName(), "--wait=false").ok();
        Await.until(Duration.ofSeconds(30), "a replacement", () -> controlledPods(uid),
                l -> l.size() == 2 && l.stream().noneMatch(p -> p.getMetadata().getUid().equals(victim.getMetadata().getUid())));
        // the event recorder writes its Events off the reconcile: wait (bounded) until kubectl shows both
        Await.until(Duration.ofSeconds(30), "SuccessfulCreate and SuccessfulDelete in kubectl describe",
                () -> cluster.kubectl().run("describe", "rs", "web").ok().out(),
                out -> out.contains("SuccessfulCreate") && out.contains("SuccessfulDelete"));
    }

    @Test
    void adoptsMatchingOrphansAndReleasesPodsThatStopMatching() throws Exception {
        Pod orphan = cluster.api().create(ResourceTypes.PODS, new PodBuilder().withNewMetadata().withName("stray")
                .withNamespace("default").addToLabels("app", "adopter").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("kubus/busybox:1").endContainer().endSpec()
                .build());
        // The orphan must be in the controllers' caches before its owner comes, or creating three pods is right: its
        // being scheduled says its change event has gone round (the scheduler follows the same topic).
        Await.until(Duration.ofSeconds(30), "the orphan scheduled",
                () -> cluster.api().get(ResourceTypes.PODS, "default", "stray", Pod.class).orElseThrow(),
                p -> p.getSpec().getNodeName() != null);
        String uid = cluster.api().create(ResourceTypes.REPLICASETS, replicaSet("adopter", 3, 0)).getMetadata().getUid();
        awaitStatus("adopter", 3, 3);
        List<Pod> owned = controlledPods(uid);
        assertEquals(3, owned.size());
        assertTrue(owned.stream().anyMatch(p -> p.getMetadata().getUid().equals(orphan.getMetadata().getUid())),
                "the matching orphan was adopted instead of creating a third pod");

        cluster.kubectl().run("label", "pod", "stray", "app=elsewhere", "--overwrite").ok();
        Pod released = Await.until(Duration.ofSeconds(30), "stray released",
                () -> cluster.api().get(ResourceTypes.PODS, "default", "stray", Pod.class).orElseThrow(),
                p -> OwnerReferences.controllerOf(p).isEmpty());
        assertTrue(released.getMetadata().getDeletionTimestamp() == null, "a released pod keeps running");
        Await.until(Duration.ofSeconds(30), "a replacement for the released pod", () -> controlledPods(uid),
                l -> l.size() == 3 && l.stream().noneMatch(p -> p.getMetadata().getName().equals("stray")));
    }

    @Test
    void minReadySecondsDelaysAvailability() throws Exception {
        cluster.api().create(ResourceTypes.REPLICASETS, replicaSet("slow", 2, 3));
        ReplicaSet ready = Await.until(Duration.ofSeconds(60), "2 ready", () -> rs("slow"),
                r -> r.getStatus() != null && r.getStatus().getReadyReplicas() != null && r.getStatus().getReadyReplicas() == 2,
                r -> String.valueOf(r.getStatus()));
        long readyAt = System.nanoTime();
        assertTrue(ready.getStatus().getAvailableReplicas() == null || ready.getStatus().getAvailableReplicas() < 2,
                "not available as soon as ready: " + ready.getStatus());
        awaitStatus("slow", 2, 2);
        long waitedMs = (System.nanoTime() - readyAt) / 1_000_000;
        assertTrue(waitedMs >= 1_000, "became available " + waitedMs + " ms after ready; minReadySeconds is 3");
    }

    @Test
    void aBurstCreatesExactlyTheReplicasAsked() throws Exception {
        String uid = cluster.api().create(ResourceTypes.REPLICASETS, replicaSet("burst", 150, 0)).getMetadata().getUid();
        awaitStatus("burst", 150, 150);
        Thread.sleep(2_000); // room for a double create to show
        List<Pod> all = cluster.api().list(ResourceTypes.PODS, "default", "app=burst", null, Pod.class).items();
        assertEquals(150, all.size(), "no pod created twice");
        assertEquals(150, controlledPods(uid).size());
        cluster.kubectl().run("delete", "rs", "burst").ok();
    }

    @Test
    void metricsShowEachControllersQueueAndReconciles() throws Exception {
        cluster.api().create(ResourceTypes.REPLICASETS, replicaSet("measured", 1, 0));
        awaitStatus("measured", 1, 1);
        // HTTPS; /healthz answers anyone, /metrics a caller allowed to get it (system:monitoring), as kube's port
        int port = cluster.fixture().controllers().getBean(io.micronaut.runtime.server.EmbeddedServer.class).getPort();
        assertEquals(200, get(null, port, "/healthz").statusCode());
        assertEquals(401, get(null, port, "/metrics").statusCode());
        assertEquals(403, get(TestPki.identity("metrics-nobody"), port, "/metrics").statusCode());
        String body = get(TestPki.identity("prometheus", "system:monitoring"), port, "/metrics").body();
        assertTrue(body.contains("kubus_controllers_leader 1"), body);
        assertTrue(body.contains("workqueue_depth{name=\"replicaset\"}"), body);
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("kubus_controller_reconcile_seconds_count\\{name=\"replicaset\"\\} (\\d+)").matcher(body);
        assertTrue(m.find(), body);
        assertTrue(Long.parseLong(m.group(1)) >= 1, body);
    }

    private static java.net.http.HttpResponse<String> get(CertificateAuthority.Issued client, int port, String path)
            throws Exception {
        return java.net.http.HttpClient.newBuilder().sslContext(AnyServer.context(client)).build().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://127.0.0.1:" + port + path)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void replicationControllerKeepsItsReplicas() throws Exception {
        ReplicationController rc = new ReplicationControllerBuilder().withNewMetadata().withName("legacy")
                .withNamespace("default").endMetadata().withNewSpec().withReplicas(3).addToSelector("app", "legacy")
                .withNewTemplate().withNewMetadata().addToLabels("app", "legacy").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("kubus/busybox:1").endContainer().endSpec()
                .endTemplate().endSpec().build();
        String uid = cluster.api().create(ResourceTypes.REPLICATIONCONTROLLERS, rc).getMetadata().getUid();
        ReplicationController seen = Await.until(Duration.ofSeconds(60), "rc ready",
                () -> cluster.api().get(ResourceTypes.REPLICATIONCONTROLLERS, "default", "legacy", ReplicationController.class)
                        .orElseThrow(),
                r -> r.getStatus() != null && r.getStatus().getReadyReplicas() != null && r.getStatus().getReadyReplicas() == 3,
                r -> String.valueOf(r.getStatus()));
        assertEquals(3, seen.getStatus().getReplicas());
        assertEquals(3, controlledPods(uid).size());
        assertFalse(controlledPods(uid).isEmpty());
        cluster.kubectl().run("scale", "rc", "legacy", "--replicas=1").ok();
        Await.until(Duration.ofSeconds(30), "rc scaled to 1", () -> controlledPods(uid).size(), n -> n == 1);
    }
}

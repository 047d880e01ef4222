package io.kubus.controllers.deployment;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.kubus.client.api.KubusApi;
import io.kubus.controllers.common.OwnerReferences;
import io.kubus.controllers.common.PodStates;
import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.ClusterFixture;
import io.kubus.controllers.testing.PodHistory;
import io.kubus.gateway.testing.ServiceProcess;
import io.kubus.gateway.testing.Kubectl;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The controllers killed with SIGKILL in the middle of a rollout of 100 replicas, then started afresh: the new
 * process rebuilds everything from the API and finishes the rollout, with no pod too many at any moment.
 */
class ControllersKillTest {
    private static final int REPLICAS = 100;

    @TempDir
    Path dir;
    private ClusterFixture cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close(); // and the controller processes it started
        }
    }

    private static List<Pod> pods(KubusApi api) {
        return api.list(ResourceTypes.PODS, "default", "app=fleet", null, Pod.class).items();
    }

    private static long withImage(List<Pod> pods, String image) {
        return pods.stream().filter(PodStates::isActive)
                .filter(p -> image.equals(p.getSpec().getContainers().getFirst().getImage())).count();
    }

    @Test
    void aRolloutSurvivesTheControllersBeingKilled() throws Exception {
        cluster = ClusterFixture.start();
        cluster.addSimulatedNodes(dir.resolve("agent"), "sim", 10, Map.of());
        KubusApi api = cluster.api();
        Kubectl kubectl = cluster.kubectl(dir);
        Path logs = Files.createDirectories(Path.of("target", "controllers-kill"));
        ServiceProcess first = cluster.startControllersProcess(Map.of(), logs.resolve("first.log"));

        Path manifest = dir.resolve("fleet.yaml");
        Files.writeString(manifest, """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: fleet
                spec:
                  replicas: %d
                  selector:
                    matchLabels: {app: fleet}
                  strategy:
                    rollingUpdate: {maxSurge: 25%%, maxUnavailable: 25%%}
                  template:
                    metadata:
                      labels: {app: fleet}
                    spec:
                      containers:
                      - name: app
                        image: kubus/busybox:1
                """.formatted(REPLICAS));
        kubectl.run("apply", "-f", manifest.toString()).ok();
        Kubectl.Result created = kubectl.run(130, "rollout", "status", "deployment/fleet", "--timeout=120s");
        assertEquals(0, created.exitCode(), created.err() + created.out());

        try (PodHistory watch = new PodHistory(api, cluster.gateway().kafkaBootstrap(), "app=fleet")) {
            kubectl.run("set", "image", "deployment/fleet", "app=kubus/busybox:2").ok();
            List<Pod> atKill = Await.until(Duration.ofSeconds(60), "30 new pods", () -> pods(api),
                    l -> withImage(l, "kubus/busybox:2") >= 30, l -> withImage(l, "kubus/busybox:2") + " new pods");
            first.kill9();
            System.out.printf("[kill] controllers killed with %d new and %d old pods active%n",
                    withImage(atKill, "kubus/busybox:2"), withImage(atKill, "kubus/busybox:1"));

            cluster.startControllersProcess(Map.of(), logs.resolve("second.log"));
            Kubectl.Result done = kubectl.run(130, "rollout", "status", "deployment/fleet", "--timeout=120s");
            assertEquals(0, done.exitCode(), done.err() + done.out());
            List<Pod> end = Await.until(Duration.ofSeconds(60), "no old pod left, in any state", () -> pods(api),
                    l -> l.stream().noneMatch(p -> "kubus/busybox:1".equals(p.getSpec().getContainers().getFirst().getImage())),
                    l -> l.size() + " pods");
            List<Pod> active = end.stream().filter(PodStates::isActive).toList();
            assertEquals(REPLICAS, active.size(), "exactly the replicas run");
            assertEquals(REPLICAS, withImage(active, "kubus/busybox:2"));
            assertTrue(active.stream().allMatch(PodStates::isReady), "every pod ready");

            PodHistory.Extremes seen = watch.extremes();
            System.out.printf("[kill] %d pod states: at most %d active (bound %d), at least %d available (bound %d)%n",
                    seen.states(), seen.maxActive(), REPLICAS + 25, seen.minAvailable(), REPLICAS - 25);
            assertTrue(seen.maxActive() <= REPLICAS + 25, "more than replicas + maxSurge active: " + seen);
            assertTrue(seen.minAvailable() >= REPLICAS - 25, "fewer than replicas - maxUnavailable available: " + seen);
            assertTrue(seen.maxActive() > REPLICAS, "the rollout surged: " + seen);
        }

        Deployment d = api.get(ResourceTypes.DEPLOYMENTS, "default", "fleet", Deployment.class).orElseThrow();
        List<ReplicaSet> rss = api.list(ResourceTypes.REPLICASETS, "default", "app=fleet", null, ReplicaSet.class).items();
        assertEquals(2, rss.size(), "one ReplicaSet per template, none made twice");
        assertTrue(rss.stream().allMatch(rs -> OwnerReferences.isControlledBy(rs, d)));
        Map<Long, Integer> sizeByRevision = rss.stream().collect(Collectors.toMap(Revisions::of,
                rs -> rs.getSpec().getReplicas()));
        assertEquals(Map.of(1L, 0, 2L, REPLICAS), sizeByRevision);
        assertEquals("2", d.getMetadata().getAnnotations().get(Revisions.REVISION));
    }
}

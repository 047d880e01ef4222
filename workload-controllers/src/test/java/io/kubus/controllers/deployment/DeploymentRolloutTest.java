package io.kubus.controllers.deployment;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.kubus.controllers.common.OwnerReferences;
import io.kubus.controllers.common.PodStates;
import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.SimulatedCluster;
import io.kubus.controllers.testing.PodHistory;
import io.kubus.gateway.testing.Kubectl;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deployments on a cluster of simulated nodes, driven with kubectl as a user drives them: rollouts within their
 * bounds, history and undo, scaling, pause and resume, restart, Recreate, and a rollout that never progresses.
 */
class DeploymentRolloutTest {
    @RegisterExtension
    static final SimulatedCluster cluster = new SimulatedCluster("sim", 5);

    private static void apply(String name, String strategy, int replicas, String extraSpec) throws Exception {
        Path file = cluster.dir().resolve(name + ".yaml");
        Files.writeString(file, """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: %s
                spec:
                  replicas: %d
                  selector:
                    matchLabels: {app: %s}
                  strategy:
                %s
                %s
                  template:
                    metadata:
                      labels: {app: %s}
                    spec:
                      containers:
                      - name: app
                        image: kubus/busybox:1
                """.formatted(name, replicas, name, strategy.indent(4).stripTrailing(), extraSpec.indent(2).stripTrailing(),
                name));
        cluster.kubectl().run("apply", "-f", file.toString()).ok();
    }

    private static Deployment deployment(String name) {
        return cluster.api().get(ResourceTypes.DEPLOYMENTS, "default", name, Deployment.class).orElseThrow();
    }

    private static Kubectl.Result rolloutStatus(String name) {
        return cluster.kubectl().run(100, "rollout", "status", "deployment/" + name, "--timeout=90s");
    }

    private static void awaitRolledOut(String name) {
        Kubectl.Result r = rolloutStatus(name);
        assertEquals(0, r.exitCode(), r.err() + r.out());
        assertTrue(r.out().contains("deployment \"" + name + "\" successfully rolled out"), r.out());
    }

    private static List<Pod> activePods(String app) {
        return cluster.api().list(ResourceTypes.PODS, "default", "app=" + app, null, Pod.class).items().stream()
                .filter(PodStates::isActive).toList();
    }

    private static Set<String> images(List<Pod> pods) {
        return pods.stream().map(p -> p.getSpec().getContainers().getFirst().getImage()).collect(Collectors.toSet());
    }

    private static List<ReplicaSet> replicaSets(Deployment d) {
        return cluster.api().list(ResourceTypes.REPLICASETS, "default", "app=" + d.getMetadata().getName(), null, ReplicaSet.class)
                .items().stream().filter(rs -> OwnerReferences.isControlledBy(rs, d)).toList();
    }

    /** The REVISION column of {@code kubectl rollout history}, with each CHANGE-CAUSE. */
    private static Map<Integer, String> history(String name) {
        String out = cluster.kubectl().run("rollout", "history", "deployment/" + name).ok().out();
        Matcher m = Pattern.compile("(?m)^(\\d+)\\s+(.*?)\\s*$").matcher(out);
        Map<Integer, String> revisions = new java.util.TreeMap<>();
        while (m.find()) {
            revisions.put(Integer.parseInt(m.group(1)), m.group(2));
        }
        return revisions;
    }

    /** kubectl get deploy's READY, UP-TO-DATE and AVAILABLE columns. */
    private static String columns(String name) {
        String out = cluster.kubectl().run("get", "deploy", name, "--no-headers").ok().out().trim();
        String[] f = out.split("\\s+");
        return f[1] + " " + f[2] + " " + f[3];
    }

    @Test
    void rollingUpdateHistoryUndoScalePauseAndRestart() throws Exception {
        apply("web", "type: RollingUpdate\nrollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}", 10,
                "revisionHistoryLimit: 2");
        awaitRolledOut("web");
        assertEquals("10/10 10 10", columns("web"));
        Deployment d = deployment("web");
        List<ReplicaSet> first = replicaSets(d);
        assertEquals(1, first.size());
        ReplicaSet rs1 = first.getFirst();
        assertTrue(rs1.getMetadata().getName().matches("web-[bcdfghjklmnpqrstvwxz2456789]+"), rs1.getMetadata().getName());
        assertEquals(rs1.getMetadata().getName().substring(4),
                rs1.getSpec().getSelector().getMatchLabels().get(PodTemplates.HASH_LABEL));
        assertEquals("1", d.getMetadata().getAnnotations().get(Revisions.REVISION));
        assertEquals(10, activePods("web").size());

        // A rolling update watched pod by pod: 10 replicas, 25% -> at most 13 pods, at least 8 available.
        try (PodHistory watch = new PodHistory(cluster.api(), cluster.fixture().gateway().kafkaBootstrap(), "app=web")) {
            cluster.kubectl().run("set", "image", "deployment/web", "app=kubus/busybox:2").ok();
            cluster.kubectl().run("annotate", "deployment/web", "kubernetes.io/change-cause=busybox 2").ok();
            awaitRolledOut("web");
            PodHistory.Extremes seen = watch.extremes();
            System.out.printf("[rollout] web 10 replicas, maxSurge 3, maxUnavailable 2: %d pod states, at most %d active,"
                    + " at least %d available%n", seen.states(), seen.maxActive(), seen.minAvailable());
            assertTrue(seen.states() >= 40, "10 pods replaced: every create, start and stop seen; " + seen);
            assertTrue(seen.maxActive() <= 13, "active pods above replicas + maxSurge: " + seen);
            assertTrue(seen.minAvailable() >= 8, "available pods below replicas - maxUnavailable: " + seen);
            assertTrue(seen.maxActive() > 10, "the rollout surged: " + seen);
        }
        List<Pod> pods = activePods("web");
        assertEquals(10, pods.size());
        assertEquals(Set.of("kubus/busybox:2"), images(pods));
        assertEquals("10/10 10 10", columns("web"));
        Map<Integer, String> h = history("web");
        assertEquals(Set.of(1, 2), h.keySet(), h.toString());
        assertEquals("busybox 2", h.get(2));
        String described = cluster.kubectl().run("describe", "deploy", "web").ok().out();
        assertTrue(described.contains("ScalingReplicaSet") && described.contains("Scaled up replica set web-"), described);
        assertTrue(described.matches("(?s).*Progressing\\s+True\\s+NewReplicaSetAvailable.*"), described);

        // Undo: the first template comes back as revision 3, in the first ReplicaSet.
        cluster.kubectl().run("rollout", "undo", "deployment/web").ok();
        awaitRolledOut("web");
        assertEquals(Set.of("kubus/busybox:1"), images(activePods("web")));
        d = deployment("web");
        List<ReplicaSet> afterUndo = replicaSets(d);
        assertEquals(2, afterUndo.size(), "undo reuses the first ReplicaSet");
        ReplicaSet back = afterUndo.stream().filter(rs -> rs.getMetadata().getUid().equals(rs1.getMetadata().getUid()))
                .findFirst().orElseThrow();
        assertEquals("3", back.getMetadata().getAnnotations().get(Revisions.REVISION));
        assertEquals("1", back.getMetadata().getAnnotations().get(Revisions.REVISION_HISTORY));
        assertEquals(10, back.getSpec().getReplicas());
        assertEquals("3", d.getMetadata().getAnnotations().get(Revisions.REVISION));
        assertEquals(Set.of(2, 3), history("web").keySet());

        // Scale: the gateway's scale subresource, the controller resizes the ReplicaSet.
        // (rollout status does not wait for a scale-down: it only checks that the new replicas are up.)
        cluster.kubectl().run("scale", "deployment/web", "--replicas=5").ok();
        Await.until(Duration.ofSeconds(30), "web at 5/5", () -> columns("web"), "5/5 5 5"::equals);
        assertEquals(5, activePods("web").size());
        cluster.kubectl().run("scale", "deployment/web", "--replicas=1").ok();
        Await.until(Duration.ofSeconds(30), "web at 1/1", () -> columns("web"), "1/1 1 1"::equals);
        assertEquals(1, activePods("web").size());

        // Paused: a new template waits, scaling still works; resumed: it rolls out.
        cluster.kubectl().run("rollout", "pause", "deployment/web").ok();
        cluster.kubectl().run("set", "image", "deployment/web", "app=kubus/busybox:3").ok();
        cluster.kubectl().run("scale", "deployment/web", "--replicas=3").ok();
        Deployment paused = Await.until(Duration.ofSeconds(30), "the paused deployment observed at 3 replicas",
                () -> deployment("web"), x -> x.getStatus().getObservedGeneration().equals(x.getMetadata().getGeneration())
                        && x.getStatus().getReplicas() != null && x.getStatus().getReplicas() == 3
                        && x.getStatus().getAvailableReplicas() != null && x.getStatus().getAvailableReplicas() == 3,
                x -> String.valueOf(x.getStatus()));
        DeploymentCondition progressing = DeploymentStatuses.get(paused.getStatus(), "Progressing");
        assertEquals("DeploymentPaused", progressing.getReason());
        assertEquals("Unknown", progressing.getStatus());
        assertEquals(2, replicaSets(paused).size(), "no ReplicaSet for the new template while paused");
        assertEquals(Set.of("kubus/busybox:1"), images(activePods("web")));
        assertEquals(3, activePods("web").size());
        cluster.kubectl().run("rollout", "resume", "deployment/web").ok();
        awaitRolledOut("web");
        assertEquals(Set.of("kubus/busybox:3"), images(activePods("web")));
        assertEquals("3/3 3 3", columns("web"));

        // Restart: same image, every pod replaced.
        Set<String> before = activePods("web").stream().map(p -> p.getMetadata().getUid()).collect(Collectors.toSet());
        cluster.kubectl().run("rollout", "restart", "deployment/web").ok();
        awaitRolledOut("web");
        List<Pod> restarted = activePods("web");
        assertEquals(3, restarted.size());
        assertTrue(restarted.stream().noneMatch(p -> before.contains(p.getMetadata().getUid())), "all pods replaced");
        assertEquals(Set.of("kubus/busybox:3"), images(restarted));

        // revisionHistoryLimit 2: of the old ReplicaSets only the two latest revisions are kept.
        Deployment end = deployment("web");
        assertEquals("5", end.getMetadata().getAnnotations().get(Revisions.REVISION));
        List<ReplicaSet> kept = Await.until(Duration.ofSeconds(30), "old ReplicaSets pruned to 2",
                () -> replicaSets(end), l -> l.size() == 3, l -> l.stream().map(rs -> rs.getMetadata().getName()).toList().toString());
        assertEquals(List.of(3L, 4L, 5L), kept.stream().map(Revisions::of).sorted().toList());
        assertEquals(Set.of(3, 4, 5), history("web").keySet());
    }

    @Test
    void recreateStopsEveryOldPodBeforeStartingNewOnes() throws Exception {
        apply("batch", "type: Recreate", 4, "");
        awaitRolledOut("batch");
        try (PodHistory watch = new PodHistory(cluster.api(), cluster.fixture().gateway().kafkaBootstrap(), "app=batch")) {
            cluster.kubectl().run("set", "image", "deployment/batch", "app=kubus/busybox:2").ok();
            awaitRolledOut("batch");
            int[] seen = {0, 0, 0}; // states with old pods, states with new pods, states with both
            watch.replay(pods -> {
                Map<String, Long> byImage = pods.values().stream()
                        .filter(p -> !"Succeeded".equals(p.getStatus().getPhase()) && !"Failed".equals(p.getStatus().getPhase()))
                        .collect(Collectors.groupingBy(p -> p.getSpec().getContainers().getFirst().getImage(),
                                Collectors.counting()));
                boolean old = byImage.containsKey("kubus/busybox:1");
                boolean now = byImage.containsKey("kubus/busybox:2");
                seen[0] += old ? 1 : 0;
                seen[1] += now ? 1 : 0;
                seen[2] += old && now ? 1 : 0;
            });
            System.out.printf("[recreate] states with old pods %d, with new pods %d, with both %d%n", seen[0], seen[1], seen[2]);
            assertTrue(seen[0] > 0 && seen[1] > 0, "the watcher saw both templates");
            assertEquals(0, seen[2], "old and new pods existed at the same time");
        }
        assertEquals(Set.of("kubus/busybox:2"), images(activePods("batch")));
        assertEquals(4, activePods("batch").size());
        assertEquals("4/4 4 4", columns("batch"));
    }

    @Test
    void adoptsAMatchingOrphanReplicaSetAndReleasesOneThatStopsMatching() throws Exception {
        ReplicaSet legacy = cluster.api().create(ResourceTypes.REPLICASETS, new io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder()
                .withNewMetadata().withName("legacy").withNamespace("default").addToLabels("app", "adopt").endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", "adopt").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "adopt").endMetadata().withNewSpec()
                .addNewContainer().withName("app").withImage("kubus/busybox:1").endContainer().endSpec().endTemplate()
                .endSpec().build());
        Await.until(Duration.ofSeconds(30), "2 legacy pods", () -> activePods("adopt").size(), n -> n == 2);
        Set<String> legacyPods = activePods("adopt").stream().map(p -> p.getMetadata().getUid()).collect(Collectors.toSet());

        apply("adopt", "type: RollingUpdate", 2, "");
        awaitRolledOut("adopt");
        Deployment d = deployment("adopt");
        List<ReplicaSet> owned = replicaSets(d);
        assertEquals(List.of(legacy.getMetadata().getUid()), owned.stream().map(rs -> rs.getMetadata().getUid()).toList(),
                "the orphan with the deployment's template was adopted as its ReplicaSet");
        assertEquals(legacyPods, activePods("adopt").stream().map(p -> p.getMetadata().getUid()).collect(Collectors.toSet()),
                "its pods kept running");

        cluster.kubectl().run("label", "rs", "legacy", "app=other", "--overwrite").ok();
        ReplicaSet released = Await.until(Duration.ofSeconds(30), "legacy released",
                () -> cluster.api().get(ResourceTypes.REPLICASETS, "default", "legacy", ReplicaSet.class).orElseThrow(),
                rs -> OwnerReferences.controllerOf(rs).isEmpty());
        assertEquals(2, released.getSpec().getReplicas(), "a released ReplicaSet is left as it is");
        awaitRolledOut("adopt");
        List<ReplicaSet> now = Await.until(Duration.ofSeconds(30), "a ReplicaSet of its own",
                () -> replicaSets(deployment("adopt")), l -> l.size() == 1 && !l.getFirst().getMetadata().getName().equals("legacy"),
                l -> l.stream().map(rs -> rs.getMetadata().getName()).toList().toString());
        assertTrue(now.getFirst().getMetadata().getName().startsWith("adopt-"), now.getFirst().getMetadata().getName());
        assertEquals("2/2 2 2", columns("adopt"));
    }

    @Test
    void aNameTakenByAnotherReplicaSetIsAHashCollision() throws Exception {
        // Paused from the start: the controller creates nothing, and the stored (defaulted) template gives the hash.
        apply("collide", "type: RollingUpdate", 2, "paused: true");
        Deployment d = deployment("collide");
        String taken = "collide-" + PodTemplates.hash(d.getSpec().getTemplate(), null);
        cluster.api().create(ResourceTypes.REPLICASETS, new io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder()
                .withNewMetadata().withName(taken).withNamespace("default").addToLabels("app", "squatter").endMetadata()
                .withNewSpec().withReplicas(0).withNewSelector().addToMatchLabels("app", "squatter").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "squatter").endMetadata().withNewSpec()
                .addNewContainer().withName("app").withImage("kubus/busybox:1").endContainer().endSpec().endTemplate()
                .endSpec().build());
        cluster.kubectl().run("rollout", "resume", "deployment/collide").ok();
        awaitRolledOut("collide");
        Deployment done = deployment("collide");
        assertEquals(1, done.getStatus().getCollisionCount());
        ReplicaSet own = replicaSets(done).getFirst();
        assertEquals("collide-" + PodTemplates.hash(d.getSpec().getTemplate(), 1), own.getMetadata().getName());
        assertEquals(2, activePods("collide").size());
    }

    @Test
    void aRolloutThatNeverProgressesExceedsItsDeadline() throws Exception {
        apply("stuck", "type: RollingUpdate", 2, "progressDeadlineSeconds: 5");
        awaitRolledOut("stuck");
        cluster.kubectl().run("set", "image", "deployment/stuck", "app=missing/x").ok();
        Deployment d = Await.until(Duration.ofSeconds(60), "ProgressDeadlineExceeded", () -> deployment("stuck"),
                x -> {
                    DeploymentCondition c = DeploymentStatuses.get(x.getStatus(), "Progressing");
                    return c != null && "ProgressDeadlineExceeded".equals(c.getReason());
                }, x -> String.valueOf(x.getStatus()));
        DeploymentCondition c = DeploymentStatuses.get(d.getStatus(), "Progressing");
        assertEquals("False", c.getStatus());
        ReplicaSet stuck = replicaSets(d).stream().filter(rs -> Revisions.of(rs) == 2).findFirst().orElseThrow();
        assertEquals("ReplicaSet \"" + stuck.getMetadata().getName() + "\" has timed out progressing.", c.getMessage());

        Kubectl.Result r = rolloutStatus("stuck");
        assertEquals(1, r.exitCode(), r.out() + r.err());
        assertTrue(r.err().contains("error: deployment \"stuck\" exceeded its progress deadline"), r.err());
        // The old pods keep serving: maxUnavailable 25% of 2 is 0.
        assertEquals("2/2 1 2", columns("stuck"));
        assertNotEquals(0, activePods("stuck").stream().filter(p -> !PodStates.isReady(p)).count());
        assertFalse(DeploymentStatuses.complete(d, d.getStatus()));
    }
}

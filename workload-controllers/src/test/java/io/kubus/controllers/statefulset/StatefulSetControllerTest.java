package io.kubus.controllers.statefulset;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.PodHistory;
import io.kubus.controllers.testing.SimulatedCluster;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * StatefulSets on a cluster of simulated nodes, driven with the real kubectl: ordered and parallel starts, ordered
 * scale-down, failed pods made again under their names, claims from volumeClaimTemplates and their retention, and a
 * rolling update highest ordinal first with a partition, its history and undo. What happened is checked from the
 * pods' changes as a watcher saw them ({@link PodHistory}), in the order the store committed them. Claims stay
 * Pending (no provisioner yet); the simulated node runs a pod whose volume is a claim as it runs an emptyDir.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StatefulSetControllerTest {
    @RegisterExtension
    static final SimulatedCluster cluster = new SimulatedCluster("sts", 3);

    /** A StatefulSet of kubus/busybox:1 named and labelled {@code app: name}, with Service {@code name}, applied. */
    private static void apply(String name, int replicas, String extraSpec, String extraPodSpec) throws Exception {
        Path file = cluster.dir().resolve(name + ".yaml");
        Files.writeString(file, """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata:
                  name: %s
                spec:
                  serviceName: %s
                  replicas: %d
                  selector:
                    matchLabels: {app: %s}
                %s
                  template:
                    metadata:
                      labels: {app: %s}
                    spec:
                %s
                      containers:
                      - name: app
                        image: kubus/busybox:1
                """.formatted(name, name, replicas, name, extraSpec.indent(2).stripTrailing(), name,
                extraPodSpec.indent(6).stripTrailing()));
        cluster.kubectl().run("apply", "-f", file.toString()).ok();
    }

    private static final String CLAIM_TEMPLATE = """
            volumeClaimTemplates:
            - metadata:
                name: data
                labels: {tier: db}
              spec:
                accessModes: [ReadWriteOnce]
                resources: {requests: {storage: 1Gi}}
            """;

    /** The set's pods by name, finished ones included. */
    private static Map<String, Pod> pods(String name) {
        return cluster.api().list(ResourceTypes.PODS, "default", "app=" + name, null, Pod.class).items().stream()
                .collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p, (a, b) -> a, TreeMap::new));
    }

    private static boolean allReady(Map<String, Pod> pods, Set<String> names) {
        return pods.keySet().equals(names) && pods.values().stream().allMatch(StatefulPods::isHealthy);
    }

    private static Map<String, Pod> awaitReady(String name, String... names) throws InterruptedException {
        return Await.until(Duration.ofSeconds(60), "ready pods " + List.of(names), () -> pods(name),
                m -> allReady(m, Set.of(names)), m -> m.keySet() + " " + m.values().stream()
                        .map(p -> p.getMetadata().getName() + ":" + StatefulPods.phase(p)).toList());
    }

    private static StatefulSet sts(String name) {
        return cluster.api().get(ResourceTypes.STATEFULSETS, "default", name, StatefulSet.class).orElseThrow();
    }

    private static Map<String, PersistentVolumeClaim> claims(String app) {
        return cluster.api().list(ResourceTypes.PERSISTENTVOLUMECLAIMS, "default", "app=" + app, null,
                        PersistentVolumeClaim.class).items().stream()
                .collect(Collectors.toMap(c -> c.getMetadata().getName(), c -> c, (a, b) -> a, TreeMap::new));
    }

    private static PodHistory watch(String name) throws InterruptedException {
        return new PodHistory(cluster.api(), cluster.fixture().gateway().kafkaBootstrap(), "app=" + name);
    }

    /** In every state the watcher saw, no two pods had one name. */
    private static void assertOneIdentityEach(PodHistory history) {
        history.replay(state -> {
            List<String> names = state.values().stream().map(p -> p.getMetadata().getName()).toList();
            assertEquals(names.size(), new HashSet<>(names).size(), "two pods with one identity: " + names);
        });
    }

    private static Pod byName(Map<String, Pod> state, String name) {
        return state.values().stream().filter(p -> p.getMetadata().getName().equals(name)).findFirst().orElse(null);
    }

    private static void delete(String name) throws InterruptedException {
        cluster.kubectl().run("delete", "sts", name, "--wait=false").ok();
        Await.until(Duration.ofSeconds(30), "the pods of " + name + " gone", () -> pods(name), Map::isEmpty);
    }

    @Test
    @Order(1)
    void orderedReadyMakesEachOrdinalAfterTheOneBelowIsReadyAndScalesDownFromTheTop() throws Exception {
        try (PodHistory history = watch("web")) {
            apply("web", 3, "", "");
            Map<String, Pod> ready = awaitReady("web", "web-0", "web-1", "web-2");
            String out = cluster.kubectl().run(60, "rollout", "status", "sts/web", "--timeout=50s").ok().out();
            assertTrue(out.contains("roll out complete: 3 new pods have been updated"), out);

            // each ordinal appeared only in a state where the one below was Running and Ready
            List<String> order = new ArrayList<>();
            history.replay(state -> {
                for (Pod p : state.values()) {
                    String n = p.getMetadata().getName();
                    if (order.contains(n)) {
                        continue;
                    }
                    order.add(n);
                    int ordinal = StatefulPods.ordinalOf(p);
                    if (ordinal > 0) {
                        Pod below = byName(state, "web-" + (ordinal - 1));
                        assertTrue(below != null && StatefulPods.isRunningAndReady(below),
                                n + " was made while web-" + (ordinal - 1) + " was not ready: " + below);
                    }
                }
            });
            assertEquals(List.of("web-0", "web-1", "web-2"), order);

            Pod one = ready.get("web-1");
            assertEquals("web-1", one.getSpec().getHostname());
            assertEquals("web", one.getSpec().getSubdomain());
            assertEquals("web-1", one.getMetadata().getLabels().get("statefulset.kubernetes.io/pod-name"));
            assertEquals("1", one.getMetadata().getLabels().get("apps.kubernetes.io/pod-index"));
            StatefulSet s = Await.until(Duration.ofSeconds(10), "the status of 3", () -> sts("web"),
                    x -> x.getStatus() != null && Integer.valueOf(3).equals(x.getStatus().getAvailableReplicas()),
                    x -> String.valueOf(x.getStatus()));
            assertEquals(3, s.getStatus().getReplicas());
            assertEquals(3, s.getStatus().getReadyReplicas());
            assertEquals(3, s.getStatus().getCurrentReplicas());
            assertEquals(3, s.getStatus().getUpdatedReplicas());
            assertEquals(s.getStatus().getUpdateRevision(), s.getStatus().getCurrentRevision());
            assertEquals(s.getStatus().getUpdateRevision(),
                    one.getMetadata().getLabels().get("controller-revision-hash"));
            assertTrue(s.getStatus().getUpdateRevision().startsWith("web-"), s.getStatus().getUpdateRevision());
            assertEquals(s.getMetadata().getGeneration(), s.getStatus().getObservedGeneration());
            String table = cluster.kubectl().run("get", "sts", "web").ok().out();
            assertTrue(table.matches("(?s).*web\\s+3/3\\s+.*"), table);

            // a failed pod is deleted and made again under its name, never beside the old one
            Pod failing = ready.get("web-1");
            failing.getStatus().setPhase("Failed");
            cluster.api().updateStatus(ResourceTypes.PODS, failing);
            Map<String, Pod> again = Await.until(Duration.ofSeconds(60), "a new web-1", () -> pods("web"),
                    m -> allReady(m, Set.of("web-0", "web-1", "web-2"))
                            && !m.get("web-1").getMetadata().getUid().equals(failing.getMetadata().getUid()));
            assertEquals(ready.get("web-0").getMetadata().getUid(), again.get("web-0").getMetadata().getUid());
            assertEquals(ready.get("web-2").getMetadata().getUid(), again.get("web-2").getMetadata().getUid());
            assertOneIdentityEach(history);
            Await.until(Duration.ofSeconds(30), "a RecreatingFailedPod event",
                    () -> cluster.kubectl().run("describe", "sts", "web").ok().out(),
                    described -> described.contains("is recreating failed Pod web-1"));
        }

        // scale-down: web-2 is gone before web-1 is deleted
        try (PodHistory history = watch("web")) {
            cluster.kubectl().run("scale", "sts/web", "--replicas=1").ok();
            awaitReady("web", "web-0");
            int[] firstStateWithout2 = {-1};
            int[] firstState1Going = {-1};
            int[] i = {0};
            history.replay(state -> {
                Pod two = byName(state, "web-2");
                Pod one = byName(state, "web-1");
                if (two == null && firstStateWithout2[0] < 0) {
                    firstStateWithout2[0] = i[0];
                }
                if ((one == null || StatefulPods.isTerminating(one)) && firstState1Going[0] < 0) {
                    firstState1Going[0] = i[0];
                }
                i[0]++;
            });
            assertTrue(firstStateWithout2[0] >= 0 && firstState1Going[0] > firstStateWithout2[0],
                    "web-1 went in state " + firstState1Going[0] + ", web-2 was gone in state " + firstStateWithout2[0]);
            Await.until(Duration.ofSeconds(10), "status of 1", () -> sts("web"),
                    x -> Integer.valueOf(1).equals(x.getStatus().getReplicas())
                            && Integer.valueOf(1).equals(x.getStatus().getReadyReplicas()));
        }
        delete("web");
    }

    @Test
    @Order(2)
    void parallelMakesEveryPodAtOnceOrderedReadyWaitsForTheFirst() throws Exception {
        // pods that cannot be scheduled never become ready: OrderedReady stops at the first, Parallel does not
        String nowhere = "nodeSelector: {nowhere: \"true\"}";
        apply("par", 4, "podManagementPolicy: Parallel", nowhere);
        apply("ord", 4, "", nowhere);
        Await.until(Duration.ofSeconds(30), "4 pending pods of par", () -> pods("par"),
                m -> m.keySet().equals(Set.of("par-0", "par-1", "par-2", "par-3")));
        Await.until(Duration.ofSeconds(30), "ord observed", () -> sts("ord"), x -> x.getStatus() != null
                && x.getMetadata().getGeneration().equals(x.getStatus().getObservedGeneration())
                && Integer.valueOf(1).equals(x.getStatus().getReplicas()));
        assertEquals(Set.of("ord-0"), pods("ord").keySet());
        assertTrue(pods("par").values().stream().allMatch(p -> "Pending".equals(StatefulPods.phase(p))));

        // Parallel scales down all at once, unready pods included
        cluster.kubectl().run("scale", "sts/par", "--replicas=1").ok();
        Await.until(Duration.ofSeconds(30), "par-1..3 gone", () -> pods("par"), m -> m.keySet().equals(Set.of("par-0")));
        delete("par");
        delete("ord");
    }

    @Test
    @Order(3)
    void claimsAreMadeFromTheTemplatesBeforeTheirPodsAndOutliveThem() throws Exception {
        Map<String, Long> podCreated = new HashMap<>();
        Map<String, Pod> ready;
        try (PodHistory history = watch("db")) {
            apply("db", 2, CLAIM_TEMPLATE, "");
            ready = awaitReady("db", "db-0", "db-1");
            history.replay(state -> state.values().forEach(p -> podCreated.putIfAbsent(p.getMetadata().getName(),
                    Long.parseLong(p.getMetadata().getResourceVersion()))));
        }
        Map<String, PersistentVolumeClaim> claims = claims("db");
        assertEquals(Set.of("data-db-0", "data-db-1"), claims.keySet());
        for (PersistentVolumeClaim c : claims.values()) {
            assertEquals("db", c.getMetadata().getLabels().get("app"), "the set's selector labels");
            assertEquals("db", c.getMetadata().getLabels().get("tier"), "the template's labels");
            assertEquals("1Gi", c.getSpec().getResources().getRequests().get("storage").toString());
            assertTrue(c.getMetadata().getOwnerReferences() == null || c.getMetadata().getOwnerReferences().isEmpty(),
                    "Retain: nobody owns the claim");
        }
        for (int ordinal = 0; ordinal < 2; ordinal++) {
            Pod p = ready.get("db-" + ordinal);
            Volume data = p.getSpec().getVolumes().stream().filter(v -> v.getName().equals("data")).findFirst()
                    .orElseThrow();
            assertEquals("data-db-" + ordinal, data.getPersistentVolumeClaim().getClaimName());
            // the claim was written before its pod: the claims as they were just before the pod was made hold it
            // (versions are one counter for all kinds; the claim changes later, when the scheduler picks its node)
            long before = podCreated.get("db-" + ordinal) - 1;
            GatewayFixture.Reply then = cluster.fixture().gateway().request("GET", "/api/v1/namespaces/default/persistentvolumeclaims"
                    + "?resourceVersion=" + before + "&resourceVersionMatch=Exact", null, null);
            assertEquals(200, then.status(), then.body());
            assertTrue(then.body().contains("\"name\":\"data-db-" + ordinal + "\""),
                    "claim data-db-" + ordinal + " not there at " + before + ": " + then.body());
        }
        Await.until(Duration.ofSeconds(30), "claim events", () -> cluster.kubectl().run("describe", "sts", "db")
                .ok().out(), out -> out.contains("create Claim data-db-1 Pod db-1 in StatefulSet db success"));

        // scaled down, the claim stays; scaled up again, the pod gets the same claim back
        String uid1 = claims.get("data-db-1").getMetadata().getUid();
        cluster.kubectl().run("scale", "sts/db", "--replicas=1").ok();
        awaitReady("db", "db-0");
        assertEquals(Set.of("data-db-0", "data-db-1"), claims("db").keySet());
        cluster.kubectl().run("scale", "sts/db", "--replicas=2").ok();
        awaitReady("db", "db-0", "db-1");
        assertEquals(uid1, claims("db").get("data-db-1").getMetadata().getUid());
        delete("db");
        assertEquals(Set.of("data-db-0", "data-db-1"), claims("db").keySet(), "whenDeleted Retain keeps them");
    }

    private static Set<String> ownerKinds(PersistentVolumeClaim c) {
        return Objects.requireNonNullElse(c.getMetadata().getOwnerReferences(), List.<OwnerReference>of()).stream()
                .filter(r -> Boolean.TRUE.equals(r.getController())).map(OwnerReference::getKind)
                .collect(Collectors.toSet());
    }

    @Test
    @Order(4)
    void theDeleteRetentionPolicyHandsTheClaimsToTheGarbageCollector() throws Exception {
        apply("cache", 2, CLAIM_TEMPLATE + """
                persistentVolumeClaimRetentionPolicy: {whenDeleted: Delete, whenScaled: Delete}
                """, "");
        awaitReady("cache", "cache-0", "cache-1");
        Map<String, PersistentVolumeClaim> claims = claims("cache");
        assertEquals(Set.of("data-cache-0", "data-cache-1"), claims.keySet());
        String setUid = sts("cache").getMetadata().getUid();
        for (PersistentVolumeClaim c : claims.values()) {
            assertEquals(Set.of("StatefulSet"), ownerKinds(c));
            assertEquals(setUid, c.getMetadata().getOwnerReferences().getFirst().getUid());
        }
        // scaled away, the claim follows its pod; scaled back at once, the new cache-1 does not start on the old
        // claim (still there, or going, owned by the pod that is gone) but on a new one
        String oldClaim = claims.get("data-cache-1").getMetadata().getUid();
        cluster.kubectl().run("scale", "sts/cache", "--replicas=1").ok();
        awaitReady("cache", "cache-0");
        cluster.kubectl().run("scale", "sts/cache", "--replicas=2").ok();
        awaitReady("cache", "cache-0", "cache-1");
        PersistentVolumeClaim again = Await.until(Duration.ofSeconds(30), "a new data-cache-1",
                () -> claims("cache").get("data-cache-1"),
                c -> c != null && !c.getMetadata().getUid().equals(oldClaim) && c.getMetadata().getDeletionTimestamp() == null);
        assertEquals(Set.of("StatefulSet"), ownerKinds(again));
        cluster.kubectl().run("scale", "sts/cache", "--replicas=1").ok();
        Await.until(Duration.ofSeconds(30), "data-cache-1 gone with cache-1", () -> claims("cache"),
                m -> m.keySet().equals(Set.of("data-cache-0")));
        awaitReady("cache", "cache-0");
        // deleted, the set takes its claims along
        delete("cache");
        Await.until(Duration.ofSeconds(30), "data-cache-0 gone with the set", () -> claims("cache"), Map::isEmpty);
    }

    /** The REVISION column of {@code kubectl rollout history}. */
    private static List<String> revisions(String name) {
        String out = cluster.kubectl().run("rollout", "history", "sts/" + name).ok().out();
        return out.lines().map(String::trim).filter(l -> l.matches("\\d+\\s.*|\\d+"))
                .map(l -> l.split("\\s+")[0]).toList();
    }

    private static Map<String, String> images(String name) {
        Map<String, String> images = new TreeMap<>();
        pods(name).forEach((n, p) -> images.put(n, p.getSpec().getContainers().getFirst().getImage()));
        return images;
    }

    @Test
    @Order(5)
    void rollsHighestOrdinalFirstHonoursThePartitionAndUndoes() throws Exception {
        apply("roll", 3, "", "");
        awaitReady("roll", "roll-0", "roll-1", "roll-2");
        cluster.kubectl().run(60, "rollout", "status", "sts/roll", "--timeout=50s").ok();
        String first = sts("roll").getStatus().getUpdateRevision();

        try (PodHistory history = watch("roll")) {
            cluster.kubectl().run("set", "image", "sts/roll", "app=kubus/busybox:2").ok();
            String out = cluster.kubectl().run(90, "rollout", "status", "sts/roll", "--timeout=80s").ok().out();
            assertTrue(out.contains("roll out complete: 3 new pods have been updated"), out);
            assertEquals(Map.of("roll-0", "kubus/busybox:2", "roll-1", "kubus/busybox:2", "roll-2", "kubus/busybox:2"),
                    images("roll"));
            assertEquals(List.of("roll-2", "roll-1", "roll-0"), history.deletionOrder());
            assertOneIdentityEach(history);
            PodHistory.Extremes seen = history.extremes();
            assertTrue(seen.minAvailable() >= 2, "more than maxUnavailable 1 down: " + seen);
        }
        StatefulSet s = sts("roll");
        assertNotEquals(first, s.getStatus().getUpdateRevision());
        assertEquals(s.getStatus().getUpdateRevision(), s.getStatus().getCurrentRevision());
        assertEquals(List.of("1", "2"), revisions("roll"));

        // a partition of 2: only roll-2 takes the next template
        cluster.kubectl().run("patch", "sts/roll", "-p",
                "{\"spec\":{\"updateStrategy\":{\"rollingUpdate\":{\"partition\":2}}}}").ok();
        cluster.kubectl().run("set", "image", "sts/roll", "app=kubus/busybox:3").ok();
        String out = cluster.kubectl().run(90, "rollout", "status", "sts/roll", "--timeout=80s").ok().out();
        assertTrue(out.contains("partitioned roll out complete: 1 new pods have been updated"), out);
        Map<String, Pod> afterPartition = awaitReady("roll", "roll-0", "roll-1", "roll-2");
        assertEquals(Map.of("roll-0", "kubus/busybox:2", "roll-1", "kubus/busybox:2", "roll-2", "kubus/busybox:3"),
                images("roll"));
        s = Await.until(Duration.ofSeconds(10), "status of the partitioned rollout", () -> sts("roll"),
                x -> Integer.valueOf(1).equals(x.getStatus().getUpdatedReplicas())
                        && Integer.valueOf(2).equals(x.getStatus().getCurrentReplicas()), x -> String.valueOf(x.getStatus()));
        assertNotEquals(s.getStatus().getCurrentRevision(), s.getStatus().getUpdateRevision());
        assertEquals(s.getStatus().getUpdateRevision(),
                afterPartition.get("roll-2").getMetadata().getLabels().get("controller-revision-hash"));
        // a pod below the partition that is deleted comes back at the current revision
        String roll0 = afterPartition.get("roll-0").getMetadata().getUid();
        cluster.kubectl().run("delete", "pod", "roll-0", "--wait=false").ok();
        Await.until(Duration.ofSeconds(60), "a new roll-0", () -> pods("roll"),
                m -> allReady(m, Set.of("roll-0", "roll-1", "roll-2"))
                        && !m.get("roll-0").getMetadata().getUid().equals(roll0));
        assertEquals("kubus/busybox:2", images("roll").get("roll-0"));

        // undo: back to the template of revision 2 everywhere once the partition is lifted
        cluster.kubectl().run("patch", "sts/roll", "-p",
                "{\"spec\":{\"updateStrategy\":{\"rollingUpdate\":{\"partition\":0}}}}").ok();
        assertEquals(List.of("1", "2", "3"), revisions("roll"));
        cluster.kubectl().run("rollout", "undo", "sts/roll").ok();
        cluster.kubectl().run(90, "rollout", "status", "sts/roll", "--timeout=80s").ok();
        Await.until(Duration.ofSeconds(30), "image 2 everywhere again", () -> images("roll"),
                m -> Set.copyOf(m.values()).equals(Set.of("kubus/busybox:2")) && m.size() == 3);
        assertEquals(List.of("1", "3", "4"), revisions("roll"), "the second template came back as revision 4");

        cluster.kubectl().run("rollout", "restart", "sts/roll").ok();
        cluster.kubectl().run(90, "rollout", "status", "sts/roll", "--timeout=80s").ok();
        assertEquals(List.of("1", "3", "4", "5"), revisions("roll"));
        s = sts("roll");
        assertEquals(3, s.getStatus().getUpdatedReplicas());
        assertEquals(s.getStatus().getCurrentRevision(), s.getStatus().getUpdateRevision());
        assertNotNull(s.getStatus().getObservedGeneration());
        assertFalse(pods("roll").values().stream().anyMatch(StatefulPods::isTerminating));
        delete("roll");
    }

    @Test
    @Order(6)
    void onDeleteReplacesOnlyDeletedPodsAndMaxUnavailableRollsTwoAtATime() throws Exception {
        apply("manual", 3, "updateStrategy: {type: OnDelete}", "");
        Map<String, Pod> before = awaitReady("manual", "manual-0", "manual-1", "manual-2");
        cluster.kubectl().run("set", "image", "sts/manual", "app=kubus/busybox:2").ok();
        Await.until(Duration.ofSeconds(10), "the new generation observed", () -> sts("manual"),
                x -> x.getMetadata().getGeneration().equals(x.getStatus().getObservedGeneration())
                        && !x.getStatus().getUpdateRevision().equals(x.getStatus().getCurrentRevision()));
        cluster.kubectl().run("delete", "pod", "manual-1", "--wait=false").ok();
        Map<String, Pod> after = Await.until(Duration.ofSeconds(60), "a new manual-1", () -> pods("manual"),
                m -> allReady(m, Set.of("manual-0", "manual-1", "manual-2"))
                        && !m.get("manual-1").getMetadata().getUid().equals(before.get("manual-1").getMetadata().getUid()));
        assertEquals("kubus/busybox:2", after.get("manual-1").getSpec().getContainers().getFirst().getImage());
        assertEquals(before.get("manual-0").getMetadata().getUid(), after.get("manual-0").getMetadata().getUid(),
                "OnDelete leaves the others");
        assertEquals(before.get("manual-2").getMetadata().getUid(), after.get("manual-2").getMetadata().getUid());
        StatefulSet s = Await.until(Duration.ofSeconds(10), "1 updated", () -> sts("manual"),
                x -> Integer.valueOf(1).equals(x.getStatus().getUpdatedReplicas()), x -> String.valueOf(x.getStatus()));
        assertEquals(2, s.getStatus().getCurrentReplicas());
        delete("manual");

        apply("wide", 4, "updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 2}}", "");
        awaitReady("wide", "wide-0", "wide-1", "wide-2", "wide-3");
        try (PodHistory history = watch("wide")) {
            cluster.kubectl().run("set", "image", "sts/wide", "app=kubus/busybox:2").ok();
            cluster.kubectl().run(90, "rollout", "status", "sts/wide", "--timeout=80s").ok();
            Await.until(Duration.ofSeconds(30), "image 2 everywhere", () -> images("wide"),
                    m -> m.size() == 4 && Set.copyOf(m.values()).equals(Set.of("kubus/busybox:2")));
            List<String> order = history.deletionOrder();
            assertEquals(Set.of("wide-3", "wide-2"), Set.copyOf(order.subList(0, 2)), "highest two first: " + order);
            PodHistory.Extremes seen = history.extremes();
            System.out.printf("[statefulset] maxUnavailable 2 of 4: %s%n", seen);
            assertTrue(seen.minAvailable() >= 2, "more than maxUnavailable 2 down: " + seen);
        }
        delete("wide");
    }

    @Test
    @Order(7)
    void minReadySecondsHoldsTheNextOrdinalBackAndOrdinalsStartWhereAsked() throws Exception {
        apply("slow", 2, "minReadySeconds: 2\nordinals: {start: 3}", "");
        Map<String, Pod> ready = awaitReady("slow", "slow-3", "slow-4");
        assertEquals("3", ready.get("slow-3").getMetadata().getLabels().get("apps.kubernetes.io/pod-index"));
        java.time.Instant readyAt = java.time.Instant.parse(io.kubus.controllers.common.PodStates
                .readyCondition(ready.get("slow-3")).orElseThrow().getLastTransitionTime());
        java.time.Instant made = java.time.Instant.parse(ready.get("slow-4").getMetadata().getCreationTimestamp());
        assertTrue(!made.isBefore(readyAt.plusSeconds(2)), "slow-4 made at " + made + ", slow-3 ready at " + readyAt);
        StatefulSet s = Await.until(Duration.ofSeconds(10), "2 available", () -> sts("slow"),
                x -> Integer.valueOf(2).equals(x.getStatus().getAvailableReplicas()), x -> String.valueOf(x.getStatus()));
        assertEquals(2, s.getStatus().getReadyReplicas());
        delete("slow");
    }
}

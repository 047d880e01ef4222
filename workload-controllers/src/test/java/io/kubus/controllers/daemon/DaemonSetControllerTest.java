package io.kubus.controllers.daemon;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kubus.controllers.common.PodStates;
import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.PodHistory;
import io.kubus.controllers.testing.SimulatedCluster;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DaemonSets on a cluster of simulated nodes, driven with the real kubectl: a pod on every node, nodes labelled,
 * cordoned and joining, and a rolling update with its history and undo. Each test deletes its DaemonSet, so that
 * the next sees only its own pods.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DaemonSetControllerTest {
    private static final int NODES = 3;
    private static final int JOINING = 200;
    private static final Set<String> CLUSTER_NODES = Set.of("ds-0", "ds-1", "ds-2");

    @RegisterExtension
    static final SimulatedCluster cluster = new SimulatedCluster("ds", NODES);

    /** A DaemonSet of kubus/busybox:1 named and labelled {@code app: name}, applied with kubectl. */
    private static void apply(String name, String extraSpec, String extraPodSpec) throws Exception {
        Path file = cluster.dir().resolve(name + ".yaml");
        Files.writeString(file, """
                apiVersion: apps/v1
                kind: DaemonSet
                metadata:
                  name: %s
                spec:
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
                """.formatted(name, name, extraSpec.indent(2).stripTrailing(), name,
                extraPodSpec.indent(6).stripTrailing()));
        cluster.kubectl().run("apply", "-f", file.toString()).ok();
    }

    /** Active pods of the DaemonSet by the node they are bound to (unbound ones under "") */
    private static Map<String, List<Pod>> podsByNode(String name) {
        return cluster.api().list(ResourceTypes.PODS, "default", "app=" + name, null, Pod.class).items().stream()
                .filter(PodStates::isActive)
                .collect(Collectors.groupingBy(p -> java.util.Objects.requireNonNullElse(PodStates.nodeName(p), "")));
    }

    private static boolean oneReadyPodOn(Map<String, List<Pod>> byNode, Set<String> nodes) {
        return byNode.keySet().equals(nodes)
                && byNode.values().stream().allMatch(l -> l.size() == 1 && PodStates.isReady(l.getFirst()));
    }

    /** Applies a DaemonSet and waits until each of the cluster's nodes has one ready pod of it. */
    private static Map<String, List<Pod>> applyOnEveryNode(String name, String extraSpec) throws Exception {
        apply(name, extraSpec, "");
        return Await.until(Duration.ofSeconds(30), "one ready pod of " + name + " on each node", () -> podsByNode(name),
                m -> oneReadyPodOn(m, CLUSTER_NODES));
    }

    private static DaemonSet ds(String name) {
        return cluster.api().get(ResourceTypes.DAEMONSETS, "default", name, DaemonSet.class).orElseThrow();
    }

    private static void delete(String name) throws InterruptedException {
        cluster.kubectl().run("delete", "ds", name, "--wait=false").ok();
        Await.until(Duration.ofSeconds(30), "the pods of " + name + " gone", () -> podsByNode(name), Map::isEmpty);
    }

    @Test
    @Order(1)
    void putsOnePodOnEachNodeThroughTheScheduler() throws Exception {
        applyOnEveryNode("agent", "");
        cluster.kubectl().run(60, "rollout", "status", "ds/agent", "--timeout=50s").ok();
        DaemonSet d = Await.until(Duration.ofSeconds(10), "status of 3", () -> ds("agent"),
                x -> x.getStatus() != null && Integer.valueOf(NODES).equals(x.getStatus().getNumberAvailable()),
                x -> String.valueOf(x.getStatus()));
        assertEquals(NODES, d.getStatus().getDesiredNumberScheduled());
        assertEquals(NODES, d.getStatus().getCurrentNumberScheduled());
        assertEquals(NODES, d.getStatus().getNumberReady());
        assertEquals(NODES, d.getStatus().getUpdatedNumberScheduled());
        assertEquals(0, d.getStatus().getNumberMisscheduled());
        assertEquals(d.getMetadata().getGeneration(), d.getStatus().getObservedGeneration());

        Pod pod = podsByNode("agent").get("ds-1").getFirst();
        var terms = pod.getSpec().getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms();
        assertEquals(1, terms.size());
        assertEquals(List.of("ds-1"), terms.getFirst().getMatchFields().getFirst().getValues());
        assertTrue(pod.getSpec().getTolerations().stream().anyMatch(t ->
                "node.kubernetes.io/unschedulable".equals(t.getKey()) && "NoSchedule".equals(t.getEffect())));
        assertTrue(pod.getMetadata().getLabels().containsKey(DaemonPods.HASH_LABEL));
        String table = cluster.kubectl().run("get", "ds", "agent").ok().out();
        assertTrue(table.matches("(?s).*agent\\s+3\\s+3\\s+3\\s+3\\s+3\\s+.*"), table);

        // a deleted daemon pod is replaced on its node
        cluster.kubectl().run("delete", "pod", pod.getMetadata().getName(), "--wait=false").ok();
        Await.until(Duration.ofSeconds(30), "a new pod on ds-1", () -> podsByNode("agent"),
                m -> oneReadyPodOn(m, CLUSTER_NODES)
                        && !m.get("ds-1").getFirst().getMetadata().getUid().equals(pod.getMetadata().getUid()));
        delete("agent");
    }

    @Test
    @Order(2)
    void followsTheNodeSelectorAsNodesAreLabelled() throws Exception {
        apply("picky", "", "nodeSelector: {role: logs}");
        Await.until(Duration.ofSeconds(20), "status observed, nothing desired", () -> ds("picky"),
                x -> x.getStatus() != null && x.getStatus().getObservedGeneration() != null
                        && x.getStatus().getDesiredNumberScheduled() == 0);
        assertTrue(podsByNode("picky").isEmpty());

        long labelled = System.nanoTime();
        cluster.kubectl().run("label", "node", "ds-1", "role=logs").ok();
        Await.until(Duration.ofSeconds(10), "a ready pod on ds-1", () -> podsByNode("picky"),
                m -> oneReadyPodOn(m, Set.of("ds-1")));
        System.out.printf("[daemonset] labelled node has its pod after %d ms%n", (System.nanoTime() - labelled) / 1_000_000);

        cluster.kubectl().run("label", "node", "ds-1", "role-").ok();
        Await.until(Duration.ofSeconds(10), "the pod gone from ds-1", () -> podsByNode("picky"), Map::isEmpty);
        Await.until(Duration.ofSeconds(10), "nothing desired", () -> ds("picky"),
                x -> x.getStatus().getDesiredNumberScheduled() == 0 && x.getStatus().getCurrentNumberScheduled() == 0);
        delete("picky");
    }

    @Test
    @Order(3)
    void aCordonedNodeKeepsItsDaemonPod() throws Exception {
        Map<String, List<Pod>> before = applyOnEveryNode("keeper", "");
        cluster.kubectl().run("cordon", "ds-2").ok();
        try {
            Thread.sleep(2_000); // room for a wrong delete to show
            Map<String, List<Pod>> after = podsByNode("keeper");
            assertEquals(before.get("ds-2").getFirst().getMetadata().getUid(),
                    after.get("ds-2").getFirst().getMetadata().getUid(), "the cordoned node kept its pod");
            assertEquals(NODES, ds("keeper").getStatus().getDesiredNumberScheduled());
            // and one deleted there comes back: the scheduler lets daemon pods onto a cordoned node
            cluster.kubectl().run("delete", "pod", after.get("ds-2").getFirst().getMetadata().getName(),
                    "--wait=false").ok();
            Await.until(Duration.ofSeconds(30), "a new pod on cordoned ds-2", () -> podsByNode("keeper"),
                    m -> oneReadyPodOn(m, CLUSTER_NODES) && !m.get("ds-2").getFirst().getMetadata().getUid()
                            .equals(after.get("ds-2").getFirst().getMetadata().getUid()));
        } finally {
            cluster.kubectl().run("uncordon", "ds-2").ok();
        }
        delete("keeper");
    }

    @Test
    @Order(4)
    void aNoScheduleTaintKeepsThePodANoExecuteTaintTakesIt() throws Exception {
        applyOnEveryNode("tainted", "");
        try {
            cluster.kubectl().run("taint", "node", "ds-0", "dedicated=db:NoSchedule").ok();
            DaemonSet d = Await.until(Duration.ofSeconds(10), "ds-0 no longer desired, its pod misscheduled",
                    () -> ds("tainted"), x -> x.getStatus().getDesiredNumberScheduled() == NODES - 1
                            && x.getStatus().getNumberMisscheduled() == 1, x -> String.valueOf(x.getStatus()));
            assertEquals(NODES, d.getStatus().getCurrentNumberScheduled() + d.getStatus().getNumberMisscheduled());
            assertTrue(podsByNode("tainted").containsKey("ds-0"), "a NoSchedule taint keeps what runs");

            cluster.kubectl().run("taint", "node", "ds-0", "dedicated=db:NoExecute").ok();
            Await.until(Duration.ofSeconds(10), "the pod gone from ds-0", () -> podsByNode("tainted"),
                    m -> oneReadyPodOn(m, Set.of("ds-1", "ds-2")));
        } finally {
            cluster.kubectl().run("taint", "node", "ds-0", "dedicated-").ok();
        }
        Await.until(Duration.ofSeconds(20), "ds-0 has its pod back", () -> podsByNode("tainted"),
                m -> oneReadyPodOn(m, CLUSTER_NODES));
        delete("tainted");
    }

    @Test
    @Order(5)
    void onDeleteReplacesOnlyDeletedPodsAndFailedPodsAreReplaced() throws Exception {
        applyOnEveryNode("manual", "updateStrategy: {type: OnDelete}");
        cluster.kubectl().run("set", "image", "ds/manual", "app=kubus/busybox:2").ok();
        Await.until(Duration.ofSeconds(10), "the new generation observed", () -> ds("manual"),
                x -> x.getMetadata().getGeneration().equals(x.getStatus().getObservedGeneration())
                        && x.getStatus().getUpdatedNumberScheduled() == 0);
        Thread.sleep(1_000); // room for a wrong replacement to show
        assertEquals(Set.of("kubus/busybox:1"), Set.copyOf(imagesByNode("manual").values()), "OnDelete waits");

        Pod old = podsByNode("manual").get("ds-1").getFirst();
        cluster.kubectl().run("delete", "pod", old.getMetadata().getName(), "--wait=false").ok();
        Await.until(Duration.ofSeconds(30), "ds-1 runs the new image", () -> podsByNode("manual"),
                m -> oneReadyPodOn(m, CLUSTER_NODES)
                        && m.get("ds-1").getFirst().getSpec().getContainers().getFirst().getImage().endsWith(":2"));
        assertEquals("kubus/busybox:1", imagesByNode("manual").get("ds-0"));

        // A daemon pod that failed is deleted and replaced.
        Pod failing = podsByNode("manual").get("ds-2").getFirst();
        failing.getStatus().setPhase("Failed");
        cluster.api().updateStatus(ResourceTypes.PODS, failing);
        Await.until(Duration.ofSeconds(30), "a new pod on ds-2", () -> podsByNode("manual"),
                m -> oneReadyPodOn(m, CLUSTER_NODES) && !m.get("ds-2").getFirst().getMetadata().getUid()
                        .equals(failing.getMetadata().getUid()));
        Await.until(Duration.ofSeconds(30), "a FailedDaemonPod event",
                () -> cluster.kubectl().run("describe", "ds", "manual").ok().out(), out -> out.contains("FailedDaemonPod"));
        delete("manual");
    }

    /** The REVISION column of {@code kubectl rollout history}. */
    private static List<String> revisions(String name) {
        String out = cluster.kubectl().run("rollout", "history", "ds/" + name).ok().out();
        return out.lines().map(String::trim).filter(l -> l.matches("\\d+\\s.*|\\d+"))
                .map(l -> l.split("\\s+")[0]).toList();
    }

    private static Map<String, String> imagesByNode(String name) {
        Map<String, String> images = new HashMap<>();
        podsByNode(name).forEach((node, pods) -> pods.forEach(p ->
                images.put(node, p.getSpec().getContainers().getFirst().getImage())));
        return images;
    }

    @Test
    @Order(6)
    void rollsOutWithinMaxUnavailableWithHistoryAndUndo() throws Exception {
        applyOnEveryNode("roll", "updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 1}}");
        cluster.kubectl().run(60, "rollout", "status", "ds/roll", "--timeout=50s").ok();
        try (PodHistory watch = new PodHistory(cluster.api(), cluster.fixture().gateway().kafkaBootstrap(), "app=roll")) {
            long started = System.nanoTime();
            cluster.kubectl().run("set", "image", "ds/roll", "app=kubus/busybox:2").ok();
            String out = cluster.kubectl().run(70, "rollout", "status", "ds/roll", "--timeout=60s").ok().out();
            assertTrue(out.contains("successfully rolled out"), out);
            System.out.printf("[daemonset] rolled 3 nodes with maxUnavailable 1 in %d ms%n",
                    (System.nanoTime() - started) / 1_000_000);
            Await.until(Duration.ofSeconds(10), "image 2 everywhere", () -> imagesByNode("roll"),
                    m -> m.keySet().equals(CLUSTER_NODES) && Set.copyOf(m.values()).equals(Set.of("kubus/busybox:2")));
            PodHistory.Extremes seen = watch.extremes();
            System.out.printf("[daemonset] %d pod states, at most %d active, at least %d available%n",
                    seen.states(), seen.maxActive(), seen.minAvailable());
            assertTrue(seen.minAvailable() >= NODES - 1, "more than maxUnavailable nodes unavailable: " + seen);
            assertTrue(seen.maxActive() <= NODES, "no surge was asked: " + seen);
        }
        assertEquals(List.of("1", "2"), revisions("roll"));
        String first = cluster.kubectl().run("rollout", "history", "ds/roll", "--revision=1").ok().out();
        assertTrue(first.contains("kubus/busybox:1"), first);

        cluster.kubectl().run("rollout", "undo", "ds/roll").ok();
        cluster.kubectl().run(70, "rollout", "status", "ds/roll", "--timeout=60s").ok();
        Await.until(Duration.ofSeconds(30), "image 1 everywhere again", () -> imagesByNode("roll"),
                m -> m.keySet().equals(CLUSTER_NODES) && Set.copyOf(m.values()).equals(Set.of("kubus/busybox:1")));
        assertEquals(List.of("2", "3"), revisions("roll"), "the first template came back as revision 3");

        cluster.kubectl().run("rollout", "restart", "ds/roll").ok();
        cluster.kubectl().run(70, "rollout", "status", "ds/roll", "--timeout=60s").ok();
        assertEquals(List.of("2", "3", "4"), revisions("roll"));
        delete("roll");
    }

    @Test
    @Order(7)
    void surgesWithinMaxSurgeKeepingEveryNodeAvailable() throws Exception {
        applyOnEveryNode("surge",
                "updateStrategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}");
        try (PodHistory watch = new PodHistory(cluster.api(), cluster.fixture().gateway().kafkaBootstrap(), "app=surge")) {
            cluster.kubectl().run("set", "image", "ds/surge", "app=kubus/busybox:2").ok();
            cluster.kubectl().run(70, "rollout", "status", "ds/surge", "--timeout=60s").ok();
            Await.until(Duration.ofSeconds(10), "image 2 everywhere, one pod a node", () -> podsByNode("surge"),
                    m -> oneReadyPodOn(m, CLUSTER_NODES) && m.values().stream().allMatch(l ->
                            l.getFirst().getSpec().getContainers().getFirst().getImage().endsWith(":2")));
            PodHistory.Extremes seen = watch.extremes();
            System.out.printf("[daemonset] surge: %d pod states, at most %d active, at least %d available%n",
                    seen.states(), seen.maxActive(), seen.minAvailable());
            assertTrue(seen.minAvailable() >= NODES, "maxUnavailable 0: " + seen);
            assertTrue(seen.maxActive() <= NODES + 1, "maxSurge 1: " + seen);
            assertTrue(seen.maxActive() > NODES, "it surged: " + seen);
        }
        delete("surge");
    }

    /**
     * Nodes joining get their pods, nodes leaving lose them: one agent process hosts the joining pool of simulated
     * nodes (heartbeats every 10 s, as the benchmarks run them, to spare the shared machine).
     */
    @Test
    @Order(8)
    void nodesJoiningGetTheirPodsAndLeavingLoseThem() throws Exception {
        applyOnEveryNode("everywhere", "");
        long started = System.nanoTime();
        var agent = cluster.fixture().addSimulatedNodes(cluster.dir().resolve("joining"), "join", JOINING,
                Map.of("kubus.agent.heartbeat-interval", "10s", "kubus.agent.node-lease-duration-seconds", 40));
        int all = NODES + JOINING;
        DaemonSet d = Await.until(Duration.ofSeconds(150), all + " nodes with an available pod", () -> ds("everywhere"),
                x -> x.getStatus() != null && Integer.valueOf(all).equals(x.getStatus().getNumberAvailable())
                        && Integer.valueOf(all).equals(x.getStatus().getDesiredNumberScheduled()),
                x -> String.valueOf(x.getStatus()));
        System.out.printf("[daemonset] %d nodes joined and each has an available daemon pod %d ms after the agent"
                + " started%n", JOINING, (System.nanoTime() - started) / 1_000_000);
        assertEquals(all, d.getStatus().getCurrentNumberScheduled());
        Map<String, List<Pod>> byNode = podsByNode("everywhere");
        assertEquals(all, byNode.size(), "a pod on every node");
        assertTrue(byNode.values().stream().allMatch(l -> l.size() == 1), "one pod on each");

        // Nodes leaving take their pods along.
        cluster.fixture().stopAgent(agent);
        cluster.kubectl().run("delete", "node", "join-0", "join-1", "join-2").ok();
        Await.until(Duration.ofSeconds(20), "3 nodes fewer desired, their pods gone", () -> ds("everywhere"),
                x -> x.getStatus().getDesiredNumberScheduled() == all - 3
                        && x.getStatus().getCurrentNumberScheduled() == all - 3
                        && !podsByNode("everywhere").containsKey("join-0"), x -> String.valueOf(x.getStatus()));
        assertEquals(all - 3, podsByNode("everywhere").size());
    }
}

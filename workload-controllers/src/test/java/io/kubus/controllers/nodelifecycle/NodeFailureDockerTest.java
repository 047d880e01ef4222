package io.kubus.controllers.nodelifecycle;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.kubus.agent.runtime.ContainerInfo;
import io.kubus.agent.runtime.docker.DockerRuntime;
import io.kubus.client.api.KubusApi;
import io.kubus.controllers.common.PodStates;
import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.ClusterFixture;
import io.kubus.controllers.testing.PodHistory;
import io.kubus.gateway.testing.ServiceProcess;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node agent on the real Docker engine dies (kill -9) while a Deployment's HTTP servers run on it and on a second
 * node: after the grace period (8 s) its node is unreachable, its pods are evicted once their 5 s toleration has run
 * out and replaced on the surviving node — never with more active pods than replicas (the Deployment's bound is
 * replicas + maxSurge; a replacement is no rollout, so it stays at replicas) — while their containers keep
 * running on the cut-off host. When the agent is back, the node is Ready again without the taints, and the agent has
 * stopped and removed the containers of the evicted pods (one still Terminating, one force-deleted meanwhile) and
 * confirmed the deletion. Each agent runs in its own JVM. Fails, never skips, without a Docker engine
 * (.ci/prepare-machine starts one).
 */
class NodeFailureDockerTest {
    private static final String UNREACHABLE = "node.kubernetes.io/unreachable";
    private static final int REPLICAS = 4;
    /** The default 25% of 4. */
    private static final int MAX_SURGE = 1;

    @TempDir
    Path dir;

    @Test
    void aKilledAgentsPodsAreReplacedElsewhereAndItsContainersStoppedWhenItReturns() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        String nodeA = "nf-a-" + suffix;
        String nodeB = "nf-b-" + suffix;
        List<ServiceProcess> agents = new ArrayList<>();
        try (ClusterFixture cluster = ClusterFixture.start();
             DockerRuntime dockerA = new DockerRuntime(URI.create("unix:///var/run/docker.sock"), nodeA);
             DockerRuntime dockerB = new DockerRuntime(URI.create("unix:///var/run/docker.sock"), nodeB)) {
            try {
                KubusApi api = cluster.api();
                agents.add(startAgent(cluster, nodeA));
                agents.add(startAgent(cluster, nodeB));
                cluster.startControllers(Map.of("kubus.controllers.node-monitor-grace-period", "8s"));
                for (String n : List.of(nodeA, nodeB)) {
                    Await.until(Duration.ofSeconds(90), n + " Ready", () -> node(api, n), nd -> "True".equals(ready(nd)));
                }
                api.create(ResourceTypes.DEPLOYMENTS, deployment());
                List<Pod> placed = Await.until(Duration.ofSeconds(120), REPLICAS + " ready replicas",
                        () -> activeWebPods(api), l -> l.size() == REPLICAS && l.stream().allMatch(PodStates::isReady),
                        NodeFailureDockerTest::placement);
                Map<String, String> uidOnA = new HashMap<>();
                placed.stream().filter(p -> nodeA.equals(p.getSpec().getNodeName()))
                        .forEach(p -> uidOnA.put(p.getMetadata().getName(), p.getMetadata().getUid()));
                assertTrue(!uidOnA.isEmpty() && uidOnA.size() < REPLICAS, "spread over both nodes: " + placement(placed));
                assertEquals(2 * uidOnA.size(), running(dockerA, uidOnA.values()).size(), "a sandbox and a server each");

                try (PodHistory history = new PodHistory(api, cluster.gateway().kafkaBootstrap(), "app=web")) {
                    agents.getFirst().kill9();
                    Node cutOff = Await.until(Duration.ofSeconds(40), nodeA + " unreachable", () -> node(api, nodeA),
                            nd -> "Unknown".equals(ready(nd)) && hasTaint(nd, UNREACHABLE, "NoExecute")
                                    && hasTaint(nd, UNREACHABLE, "NoSchedule"));
                    assertTrue(cutOff.getStatus().getConditions().stream().allMatch(c -> "Unknown".equals(c.getStatus())));
                    for (String name : uidOnA.keySet()) {
                        Pod evicted = Await.until(Duration.ofSeconds(30), name + " evicted", podOf(api, name),
                                p -> p != null && p.getMetadata().getDeletionTimestamp() != null);
                        assertFalse(PodStates.isReady(evicted), "marked not ready");
                    }
                    List<Pod> replaced = Await.until(Duration.ofSeconds(90), "replacements ready on " + nodeB,
                            () -> activeWebPods(api), l -> l.size() == REPLICAS && l.stream().allMatch(
                                    p -> PodStates.isReady(p) && nodeB.equals(p.getSpec().getNodeName())),
                            NodeFailureDockerTest::placement);
                    assertTrue(replaced.stream().noneMatch(p -> uidOnA.containsValue(p.getMetadata().getUid())));
                    // The host is cut off, not dead: its containers still run until its agent can stop them. One
                    // evicted pod is force-deleted meanwhile, as an operator may: its containers are then orphans.
                    assertEquals(2 * uidOnA.size(), running(dockerA, uidOnA.values()).size());
                    String forced = uidOnA.keySet().iterator().next();
                    api.delete(ResourceTypes.PODS, "default", forced, 0L, null);
                    assertTrue(podOf(api, forced).get() == null, "force-deleted at once");

                    agents.set(0, startAgent(cluster, nodeA));
                    Await.until(Duration.ofSeconds(90), nodeA + " Ready without taints", () -> node(api, nodeA),
                            nd -> "True".equals(ready(nd)) && (nd.getSpec().getTaints() == null
                                    || nd.getSpec().getTaints().isEmpty()));
                    for (String name : uidOnA.keySet()) {
                        Await.until(Duration.ofSeconds(60), name + " gone", () -> podOf(api, name).get() == null, b -> b);
                    }
                    Await.until(Duration.ofSeconds(30), "no container of an evicted pod left",
                            () -> owned(dockerA, uidOnA.values()), List::isEmpty);
                    assertEquals(REPLICAS, activeWebPods(api).size(), "the replacements stay, nothing is added");
                    PodHistory.Extremes seen = history.extremes();
                    System.out.printf("node failure on Docker: %d pod states replayed in commit order, max active %d "
                            + "(replicas %d, bound %d)%n", seen.states(), seen.maxActive(), REPLICAS, REPLICAS + MAX_SURGE);
                    assertTrue(seen.states() >= 2 * uidOnA.size(), "the watcher saw the failover: " + seen.states());
                    assertTrue(seen.maxActive() <= REPLICAS + MAX_SURGE, "max active " + seen.maxActive());
                    assertEquals(REPLICAS, seen.maxActive(), "a replacement never surges: no more active pods than replicas");
                }
            } finally {
                for (ServiceProcess agent : agents) {
                    agent.close();
                }
                for (DockerRuntime docker : List.of(dockerA, dockerB)) {
                    for (ContainerInfo c : docker.list()) {
                        docker.stopContainer(c.id(), Duration.ZERO);
                        docker.removeContainer(c.id());
                    }
                }
            }
            assertTrue(dockerA.list().isEmpty() && dockerB.list().isEmpty(), "cleaned up");
        }
    }

    private ServiceProcess startAgent(ClusterFixture cluster, String node) throws IOException {
        Map<String, Object> props = new HashMap<>(cluster.agentProperties(dir.resolve(node)));
        props.put("kubus.agent.runtime", "docker");
        props.put("kubus.agent.node-name", node);
        props.put("kubus.agent.kubeconfig", cluster.nodeKubeconfig(node));
        props.put("logback.configurationFile", "logback-test.xml");
        Path log = Path.of("target", "node-failure-" + node + ".log").toAbsolutePath();
        return ServiceProcess.start("io.kubus.agent.NodeAgentApplication", props, log);
    }

    /** HTTP servers that tolerate their node's unreachability for 5 s. */
    private static Deployment deployment() {
        return new DeploymentBuilder().withNewMetadata().withName("web").withNamespace("default").endMetadata()
                .withNewSpec().withReplicas(REPLICAS).withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
                .withNewSpec().withTerminationGracePeriodSeconds(2L)
                .addNewToleration().withKey(UNREACHABLE).withOperator("Exists").withEffect("NoExecute")
                .withTolerationSeconds(5L).endToleration()
                .addNewContainer().withName("server").withImage("kubus/busybox:1")
                .withCommand("sh", "-c", "echo hi > /tmp/index.html; exec httpd -f -p 8080 -h /tmp")
                .addNewPort().withContainerPort(8080).endPort().endContainer()
                .endSpec().endTemplate().endSpec().build();
    }

    private static List<Pod> activeWebPods(KubusApi api) {
        return api.list(ResourceTypes.PODS, "default", "app=web", null, Pod.class).items().stream()
                .filter(PodStates::isActive).toList();
    }

    private static String placement(List<Pod> pods) {
        return pods.stream().map(p -> p.getMetadata().getName() + "@" + p.getSpec().getNodeName()
                + (PodStates.isReady(p) ? "" : "(not ready)")).sorted().collect(Collectors.joining(", "));
    }

    private static List<ContainerInfo> owned(DockerRuntime docker, Collection<String> uids) {
        return docker.list().stream().filter(c -> uids.contains(c.podUid())).toList();
    }

    private static List<ContainerInfo> running(DockerRuntime docker, Collection<String> uids) {
        return owned(docker, uids).stream().filter(c -> c.state() == ContainerInfo.State.RUNNING)
                .collect(Collectors.toList());
    }

    private static Node node(KubusApi api, String name) {
        return api.get(ResourceTypes.NODES, null, name, Node.class).orElse(null);
    }

    private static Supplier<Pod> podOf(KubusApi api, String name) {
        return () -> api.get(ResourceTypes.PODS, "default", name, Pod.class).orElse(null);
    }

    private static String ready(Node node) {
        return node == null || node.getStatus() == null || node.getStatus().getConditions() == null ? null
                : node.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType()))
                .map(NodeCondition::getStatus).findFirst().orElse(null);
    }

    private static boolean hasTaint(Node node, String key, String effect) {
        List<Taint> taints = node.getSpec().getTaints();
        return taints != null && taints.stream().anyMatch(t -> key.equals(t.getKey()) && effect.equals(t.getEffect()));
    }
}

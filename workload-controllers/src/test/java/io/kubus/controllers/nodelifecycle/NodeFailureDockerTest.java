package io.kubus.controllers.nodelifecycle;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.kubus.agent.runtime.ContainerInfo;
import io.kubus.agent.runtime.docker.DockerRuntime;
import io.kubus.client.api.KubusApi;
import io.kubus.controllers.testing.ClusterFixture;
import io.kubus.controllers.testing.ServiceProcess;
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
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node agent on the real Docker engine dies (kill -9) while its pods serve: after the grace period its node is
 * unreachable, its pods are evicted once their 5 s toleration has run out, while their containers keep running on
 * the cut-off host. When the agent is back, the node is Ready again without the taints, and the agent has stopped
 * and removed the containers of the evicted pods and confirmed their deletion. Each agent runs in its own JVM.
 * Fails, never skips, without a Docker engine (.ci/prepare-machine starts one).
 */
class NodeFailureDockerTest {
    private static final String UNREACHABLE = "node.kubernetes.io/unreachable";

    @TempDir
    Path dir;

    @Test
    void podsOfAKilledAgentAreEvictedAndItsContainersStoppedWhenItReturns() throws Exception {
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
                    until(Duration.ofSeconds(90), n + " Ready", () -> node(api, n), nd -> "True".equals(ready(nd)));
                }
                for (int i = 0; i < 4; i++) {
                    api.create(ResourceTypes.PODS, web("web-" + i, i % 2 == 0 ? nodeA : nodeB));
                }
                Map<String, String> uidOnA = new HashMap<>();
                for (int i = 0; i < 4; i++) {
                    Pod p = until(Duration.ofSeconds(90), "web-" + i + " ready", podOf(api, "web-" + i),
                            NodeFailureDockerTest::podReady);
                    if (nodeA.equals(p.getSpec().getNodeName())) {
                        uidOnA.put(p.getMetadata().getName(), p.getMetadata().getUid());
                    }
                }
                assertEquals(Set.of("web-0", "web-2"), uidOnA.keySet());
                assertEquals(4, running(dockerA, uidOnA.values()).size(), "a sandbox and a server per pod");

                agents.getFirst().kill9();
                Node cutOff = until(Duration.ofSeconds(40), nodeA + " unreachable", () -> node(api, nodeA),
                        nd -> "Unknown".equals(ready(nd)) && hasTaint(nd, UNREACHABLE, "NoExecute")
                                && hasTaint(nd, UNREACHABLE, "NoSchedule"));
                assertTrue(cutOff.getStatus().getConditions().stream().allMatch(c -> "Unknown".equals(c.getStatus())));
                for (String name : uidOnA.keySet()) {
                    Pod evicted = until(Duration.ofSeconds(30), name + " evicted", podOf(api, name),
                            p -> p.getMetadata().getDeletionTimestamp() != null);
                    assertFalse(podReady(evicted), "marked not ready");
                }
                // The host is cut off, not dead: its containers still run until its agent can stop them.
                assertEquals(4, running(dockerA, uidOnA.values()).size());
                for (String name : List.of("web-1", "web-3")) {
                    Pod p = podOf(api, name).get();
                    assertTrue(podReady(p) && p.getMetadata().getDeletionTimestamp() == null, name + " untouched");
                }

                agents.set(0, startAgent(cluster, nodeA));
                until(Duration.ofSeconds(90), nodeA + " Ready without taints", () -> node(api, nodeA),
                        nd -> "True".equals(ready(nd)) && (nd.getSpec().getTaints() == null
                                || nd.getSpec().getTaints().isEmpty()));
                for (String name : uidOnA.keySet()) {
                    until(Duration.ofSeconds(60), name + " gone", () -> podOf(api, name).get() == null, b -> b);
                }
                until(Duration.ofSeconds(30), "no container of an evicted pod", () -> owned(dockerA, uidOnA.values()),
                        List::isEmpty);
                for (String name : List.of("web-1", "web-3")) {
                    assertTrue(podReady(podOf(api, name).get()), name + " still serving");
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
        props.put("logback.configurationFile", "logback-test.xml");
        Path log = Path.of("target", "node-failure-" + node + ".log").toAbsolutePath();
        return ServiceProcess.start("io.kubus.agent.NodeAgentApplication", props, log);
    }

    private static Pod web(String name, String node) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default")
                .withLabels(Map.of("app", "web")).endMetadata()
                .withNewSpec().withTerminationGracePeriodSeconds(2L)
                .withNodeSelector(Map.of("kubernetes.io/hostname", node))
                .addNewToleration().withKey(UNREACHABLE).withOperator("Exists").withEffect("NoExecute")
                .withTolerationSeconds(5L).endToleration()
                .addNewContainer().withName("server").withImage("kubus/busybox:1")
                .withCommand("sh", "-c", "echo hi > /tmp/index.html; exec httpd -f -p 8080 -h /tmp")
                .addNewPort().withContainerPort(8080).endPort().endContainer()
                .endSpec().build();
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
        return node.getStatus() == null || node.getStatus().getConditions() == null ? null
                : node.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType()))
                .map(NodeCondition::getStatus).findFirst().orElse(null);
    }

    private static boolean hasTaint(Node node, String key, String effect) {
        List<Taint> taints = node.getSpec().getTaints();
        return taints != null && taints.stream().anyMatch(t -> key.equals(t.getKey()) && effect.equals(t.getEffect()));
    }

    private static boolean podReady(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static <V> V until(Duration timeout, String what, Supplier<V> probe, Predicate<V> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        V last = null;
        while (System.nanoTime() < deadline) {
            last = probe.get();
            if (last != null && done.test(last)) {
                return last;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what
                + "; last seen: " + last);
    }
}

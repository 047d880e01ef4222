package io.kubus.agent.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kubus.agent.runtime.ContainerInfo;
import io.kubus.agent.runtime.docker.DockerRuntime;
import io.kubus.client.api.KubusApi;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.gateway.testing.ServiceProcess;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 of the node agent while its pods run, then a restart: the same containers keep running (none restarted,
 * none started twice), and what changed meanwhile (a pod bound to the node while the agent was away) catches up.
 */
class AgentKillTest {
    @TempDir
    Path dir;

    @Test
    void aRestartedAgentAdoptsItsRunningContainers() throws Exception {
        String node = "kill-node-" + UUID.randomUUID().toString().substring(0, 6);
        try (GatewayFixture gateway = GatewayFixture.start();
             KubusApi api = new KubusApi(gateway.clientConfig());
             DockerRuntime docker = new DockerRuntime(URI.create("unix:///var/run/docker.sock"), node)) {
            Map<String, String> props = Map.of(
                    "kubus.agent.kubeconfig", gateway.nodeKubeconfig(node),
                    "kubus.kafka.bootstrap-servers", gateway.kafkaBootstrap(),
                    "kubus.agent.runtime", "docker",
                    "kubus.agent.node-name", node,
                    "kubus.agent.data-dir", dir.resolve("agent").toString(),
                    "kubus.agent.heartbeat-interval", "2s",
                    // the killed agent would leave the service rules and their helper behind: not this test's subject
                    "kubus.agent.proxy.enabled", "false",
                    "logback.configurationFile", "logback-test.xml");
            Path log = Path.of("target", "agent-kill-" + node + ".log").toAbsolutePath();
            ServiceProcess first = ServiceProcess.start("io.kubus.agent.NodeAgentApplication", props, log);
            ServiceProcess second = null;
            try {
                awaitNode(api, node);
                api.create(ResourceTypes.PODS, pod("steady", node));
                Pod steady = await(api, "steady", p -> readyCount(p) == 2);
                List<ContainerInfo> before = owned(docker, steady);
                assertEquals(3, before.size(), "a sandbox and two containers");

                first.kill9();
                // While the agent is away: its containers keep running, and a new pod is bound to its node.
                Thread.sleep(1_000);
                assertTrue(owned(docker, steady).stream().allMatch(c -> c.state() == ContainerInfo.State.RUNNING));
                api.create(ResourceTypes.PODS, pod("late", node));

                second = ServiceProcess.start("io.kubus.agent.NodeAgentApplication", props, log);
                Pod late;
                try {
                    late = await(api, "late", p -> readyCount(p) == 2);
                } catch (AssertionError e) {
                    String dump = second.threadDump();
                    int sync = dump.indexOf("\"sync-");
                    throw new AssertionError(e.getMessage() + "\nagent log:\n" + tail(log) + "\nsync thread:\n"
                            + (sync < 0 ? dump : dump.substring(sync, Math.min(dump.length(), sync + 4000))), e);
                }
                assertEquals("Running", late.getStatus().getPhase());

                Pod steadyAfter = await(api, "steady", p -> readyCount(p) == 2);
                List<ContainerInfo> after = owned(docker, steadyAfter);
                assertEquals(ids(before), ids(after), "the same containers, none started twice");
                for (ContainerInfo c : after) {
                    ContainerInfo was = before.stream().filter(b -> b.id().equals(c.id())).findFirst().orElseThrow();
                    assertEquals(was.startedAt(), c.startedAt(), c.name() + " was not restarted");
                }
                assertTrue(steadyAfter.getStatus().getContainerStatuses().stream().allMatch(s -> s.getRestartCount() == 0));

                api.delete(ResourceTypes.PODS, "default", "steady", 1L, null);
                api.delete(ResourceTypes.PODS, "default", "late", 1L, null);
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (System.nanoTime() < deadline && !docker.list().isEmpty()) {
                    Thread.sleep(250);
                }
                assertTrue(docker.list().isEmpty(), "nothing left on the node: " + docker.list());
            } finally {
                if (second != null) {
                    second.close();
                }
                first.close();
                for (ContainerInfo c : docker.list()) {
                    docker.stopContainer(c.id(), Duration.ZERO);
                    docker.removeContainer(c.id());
                }
            }
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = java.nio.file.Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private static Pod pod(String name, String node) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withNodeName(node).withTerminationGracePeriodSeconds(5L)
                .addNewContainer().withName("a").withImage("kubus/busybox:1").withCommand("sleep", "3600").endContainer()
                .addNewContainer().withName("b").withImage("kubus/busybox:1").withCommand("sleep", "3600").endContainer()
                .endSpec().build();
    }

    private static List<ContainerInfo> owned(DockerRuntime docker, Pod pod) {
        return docker.list().stream().filter(c -> pod.getMetadata().getUid().equals(c.podUid())).toList();
    }

    private static List<String> ids(List<ContainerInfo> cs) {
        return cs.stream().map(ContainerInfo::id).sorted().toList();
    }

    private static long readyCount(Pod p) {
        return p.getStatus() == null || p.getStatus().getContainerStatuses() == null ? 0
                : p.getStatus().getContainerStatuses().stream().filter(c -> Boolean.TRUE.equals(c.getReady())).count();
    }

    private static void awaitNode(KubusApi api, String node) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (api.get(ResourceTypes.NODES, null, node, Node.class).map(n -> n.getStatus() != null
                    && n.getStatus().getConditions() != null && !n.getStatus().getConditions().isEmpty()).orElse(false)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("node " + node + " did not register");
    }

    private static Pod await(KubusApi api, String name, Predicate<Pod> done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        Pod pod = null;
        while (System.nanoTime() < deadline) {
            pod = api.get(ResourceTypes.PODS, "default", name, Pod.class).orElse(null);
            if (pod != null && done.test(pod)) {
                return pod;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("pod " + name + " did not get there: " + (pod == null ? "missing" : pod.getStatus()));
    }
}

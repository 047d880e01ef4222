package io.kubus.agent.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kubus.client.api.KubusApi;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.gateway.testing.TestPki;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One agent process hosting 100 simulated nodes registers them all and runs 1,000 pods to Running. */
class SimulatedNodesTest {
    private static final int NODES = 100;
    private static final int PODS = 1_000;

    @TempDir
    Path dir;

    @Test
    void oneProcessHosts100NodesAndRuns1000Pods() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.start();
             ApplicationContext agent = AgentFixture.start(gateway, dir, Map.of(
                     "kubus.agent.runtime", "simulated", "kubus.agent.nodes", NODES,
                     "kubus.agent.node-name", "sim", "kubus.agent.simulated-start-latency", "100ms"));
             KubusApi api = new KubusApi(gateway.clientConfig())) {
            long t0 = System.nanoTime();
            List<Node> nodes = awaitNodes(api);
            assertEquals(NODES, nodes.size());
            long registered = System.nanoTime();
            Node n = nodes.getFirst();
            assertEquals("True", n.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready"))
                    .findFirst().orElseThrow().getStatus(), "heartbeats arrive as node status");
            assertEquals("simulated://1.0", n.getStatus().getNodeInfo().getContainerRuntimeVersion());
            for (Node each : nodes) {
                String root = each.getMetadata().getAnnotations().get(io.kubus.schema.storage.LocalPath.ROOT_ANNOTATION);
                assertEquals(dir.resolve(each.getMetadata().getName()).resolve("storage").toAbsolutePath().toString(), root,
                        "where the node's local-path volumes live, for the scheduler and the volume controller");
            }
            int agentPort = n.getStatus().getDaemonEndpoints().getKubeletEndpoint().getPort();
            java.net.http.HttpResponse<String> health = java.net.http.HttpClient.newBuilder()
                    .sslContext(io.kubus.client.tls.AnyServer.context(TestPki.identity(io.kubus.client.tls.Identities.KUBELET_CLIENT)))
                    .build().send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("https://127.0.0.1:" + agentPort + "/healthz"))
                            .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), "the agent's /healthz on the port its node advertises");

            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> creates = new ArrayList<>();
            for (int i = 0; i < PODS; i++) {
                Pod pod = new PodBuilder().withNewMetadata().withName("p-" + i).withNamespace("default").endMetadata()
                        .withNewSpec().withNodeName("sim-" + (i % NODES))
                        .addNewContainer().withName("app").withImage("kubus/busybox:1").endContainer().endSpec().build();
                creates.add(pool.submit(() -> api.create(ResourceTypes.PODS, pod)));
            }
            for (Future<?> f : creates) {
                f.get();
            }
            pool.shutdown();
            long created = System.nanoTime();
            long running = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
            while (System.nanoTime() < deadline) {
                running = api.list(ResourceTypes.PODS, "default", null, "status.phase=Running", Pod.class).items().size();
                if (running == PODS) {
                    break;
                }
                Thread.sleep(500);
            }
            long done = System.nanoTime();
            System.out.printf("simulated: %d nodes registered in %d ms; %d pods created in %d ms, all Running %d ms later%n",
                    NODES, (registered - t0) / 1_000_000, PODS, (created - registered) / 1_000_000, (done - created) / 1_000_000);
            assertEquals(PODS, running, "pods Running");
            Pod one = api.get(ResourceTypes.PODS, "default", "p-7", Pod.class).orElseThrow();
            assertTrue(one.getStatus().getPodIP().startsWith("10.244."), one.getStatus().toString());
            assertEquals("sim-7", one.getSpec().getNodeName());
            assertTrue(one.getStatus().getContainerStatuses().getFirst().getReady());
        }
    }

    private static List<Node> awaitNodes(KubusApi api) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        List<Node> nodes = List.of();
        while (System.nanoTime() < deadline) {
            nodes = api.list(ResourceTypes.NODES, null, null, null, Node.class).items();
            if (nodes.size() == NODES && nodes.stream().allMatch(n -> n.getStatus() != null
                    && n.getStatus().getConditions() != null && !n.getStatus().getConditions().isEmpty())) {
                return nodes;
            }
            Thread.sleep(200);
        }
        return nodes;
    }
}

package io.kubus.launcher;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.kubus.client.api.KubusApi;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code ./kubus up --nodes 3} starts where no Docker engine answers, in this JVM: every service and three
 * simulated nodes, and it says so; a Deployment spreads over them; after a stop and a start on the same data
 * directory the same objects are there.
 */
class LauncherClusterTest {
    @TempDir
    Path dir;

    @Test
    void withoutDockerThreeSimulatedNodesRunADeploymentThatSurvivesARestart() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        LauncherOptions options = LauncherOptions.parse("--data", dir.toString(), "--port", Integer.toString(port),
                "--nodes", "3", "--docker-host", "unix://" + dir.resolve("no-engine.sock"));
        Set<String> podUids;
        String deploymentUid;
        try (StartedCluster cluster = StartedCluster.start(options)) {
            KubusApi api = cluster.api();
            KubusLauncher launcher = cluster.launcher();
            assertTrue(launcher.welcome().contains("nodes:       no Docker engine answers at unix://"
                    + dir.resolve("no-engine.sock") + ": 3 nodes kubus-node-0..2 run pods on the simulated runtime"),
                    launcher.welcome());
            await("3 nodes Ready", () -> readyNodes(api).size() == 3);
            assertEquals(Set.of("kubus-node-0", "kubus-node-1", "kubus-node-2"), readyNodes(api));
            deploymentUid = api.create(ResourceTypes.DEPLOYMENTS, new DeploymentBuilder().withNewMetadata()
                    .withName("web").withNamespace("default").endMetadata().withNewSpec().withReplicas(6)
                    .withNewSelector().addToMatchLabels("app", "web").endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata().withNewSpec()
                    .addNewContainer().withName("app").withImage("kubus/busybox:1").endContainer().endSpec()
                    .endTemplate().endSpec().build()).getMetadata().getUid();
            await("6 available", () -> available(api) == 6);
            List<Pod> pods = api.list(ResourceTypes.PODS, "default", "app=web", null, Pod.class).items();
            assertEquals(3, pods.stream().map(p -> p.getSpec().getNodeName()).distinct().count(),
                    "spread over the three nodes");
            podUids = pods.stream().map(p -> p.getMetadata().getUid()).collect(Collectors.toSet());
        }
        try (StartedCluster cluster = StartedCluster.start(options)) {
            KubusApi api = cluster.api();
            Deployment d = api.get(ResourceTypes.DEPLOYMENTS, "default", "web", Deployment.class).orElseThrow();
            assertEquals(deploymentUid, d.getMetadata().getUid(), "the same object after the restart");
            await("the same 6 pods running again", () -> available(api) == 6 && api.list(ResourceTypes.PODS,
                    "default", "app=web", "status.phase=Running", Pod.class).items().size() == 6);
            assertEquals(podUids, api.list(ResourceTypes.PODS, "default", "app=web", null, Pod.class).items().stream()
                    .map(p -> p.getMetadata().getUid()).collect(Collectors.toSet()), "no pod replaced");
        }
    }

    private static Set<String> readyNodes(KubusApi api) {
        return api.list(ResourceTypes.NODES, null, null, null, Node.class).items().stream()
                .filter(n -> n.getStatus() != null && n.getStatus().getConditions() != null && n.getStatus()
                        .getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
                .map(n -> n.getMetadata().getName()).collect(Collectors.toSet());
    }

    private static int available(KubusApi api) {
        return api.get(ResourceTypes.DEPLOYMENTS, "default", "web", Deployment.class)
                .map(d -> d.getStatus() == null || d.getStatus().getAvailableReplicas() == null ? 0
                        : d.getStatus().getAvailableReplicas()).orElse(0);
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(200);
        }
    }
}

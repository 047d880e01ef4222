package io.kubus.controllers.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.kubus.client.api.KubusApi;
import io.kubus.controllers.common.PodStates;
import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.ClusterFixture;
import io.kubus.controllers.testing.DockerNodes;
import io.kubus.controllers.testing.PodHistory;
import io.kubus.gateway.testing.Kubectl;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The end-to-end rollout on real containers: two node agents on the Docker engine, a Deployment of three
 * HTTP servers driven with kubectl through set image, rollout history, undo and scale, while a watcher of the pods'
 * change topic checks maxSurge and maxUnavailable in every state the cluster went through.
 */
class DeploymentOnDockerTest {
    private static final int REPLICAS = 3;
    /** 25% of 3, rounded as Kubernetes rounds: surge up to 1, unavailable down to 0. */
    private static final int MAX_SURGE = 1;
    private static final int MAX_UNAVAILABLE = 0;

    @TempDir
    static Path dir;
    static ClusterFixture cluster;
    static KubusApi api;
    static Kubectl kubectl;
    static List<String> nodes = new ArrayList<>();

    @BeforeAll
    static void start() {
        cluster = ClusterFixture.start();
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        for (String n : List.of("dk-a-" + suffix, "dk-b-" + suffix)) {
            cluster.addAgent(dir.resolve(n), Map.of("kubus.agent.runtime", "docker", "kubus.agent.node-name", n));
            nodes.add(n);
        }
        cluster.startControllers();
        api = cluster.api();
        kubectl = cluster.kubectl(dir);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        DockerNodes.removeContainers(nodes);
    }

    private static List<Pod> activeWebPods() {
        return api.list(ResourceTypes.PODS, "default", "app=web", null, Pod.class).items().stream()
                .filter(PodStates::isActive).toList();
    }

    private static String images(List<Pod> pods) {
        return pods.stream().map(p -> p.getSpec().getContainers().getFirst().getImage()).sorted()
                .collect(Collectors.joining(","));
    }

    private static Deployment deployment() {
        return api.get(ResourceTypes.DEPLOYMENTS, "default", "web", Deployment.class).orElseThrow();
    }

    @Test
    void rollsOverUndoesAndScalesOnRealContainers() throws Exception {
        Path manifest = dir.resolve("web.yaml");
        Files.writeString(manifest, """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                spec:
                  replicas: 3
                  selector:
                    matchLabels: {app: web}
                  template:
                    metadata:
                      labels: {app: web}
                    spec:
                      terminationGracePeriodSeconds: 2
                      containers:
                      - name: app
                        image: kubus/busybox:1
                        command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www"]
                        ports:
                        - containerPort: 8080
                        readinessProbe:
                          httpGet: {path: /, port: 8080}
                          periodSeconds: 1
                """);
        kubectl.run("apply", "-f", manifest.toString()).ok();
        kubectl.run(180, "rollout", "status", "deployment/web", "--timeout=170s").ok();
        Deployment d = deployment();
        assertEquals(REPLICAS, d.getStatus().getAvailableReplicas());
        List<Pod> first = activeWebPods();
        assertEquals(REPLICAS, first.size());
        Pod one = first.getFirst();
        HttpResponse<String> served = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://" + one.getStatus().getPodIP() + ":8080/")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, served.statusCode(), "the pod's HTTP server answers on its pod IP");
        String table = kubectl.run("get", "deployment", "web").ok().out();
        assertTrue(table.matches("(?s).*web\\s+3/3\\s+3\\s+3\\s+.*"), table);

        try (PodHistory pods = new PodHistory(api, cluster.gateway().kafkaBootstrap(), "app=web")) {
            kubectl.run("set", "image", "deployment/web", "app=kubus/busybox:2").ok();
            kubectl.run(180, "rollout", "status", "deployment/web", "--timeout=170s").ok();
            Await.until(Duration.ofSeconds(60), "3 pods of the new image", DeploymentOnDockerTest::activeWebPods,
                    l -> images(l).equals("kubus/busybox:2,kubus/busybox:2,kubus/busybox:2"),
                    DeploymentOnDockerTest::images);
            PodHistory.Extremes seen = pods.extremes();
            System.out.printf("rollout on Docker: %d pod states replayed in commit order, max active %d (bound %d), "
                            + "min available %d (bound %d)%n", seen.states(), seen.maxActive(), REPLICAS + MAX_SURGE,
                    seen.minAvailable(), REPLICAS - MAX_UNAVAILABLE);
            assertTrue(seen.states() >= 12, "the watcher saw the rollout: " + seen.states() + " states");
            assertTrue(seen.maxActive() <= REPLICAS + MAX_SURGE, "max active " + seen.maxActive());
            assertEquals(REPLICAS + MAX_SURGE, seen.maxActive(), "the rollout surged");
            assertTrue(seen.minAvailable() >= REPLICAS - MAX_UNAVAILABLE, "min available " + seen.minAvailable());
        }

        String history = kubectl.run("rollout", "history", "deployment/web").ok().out();
        assertEquals(Set.of("1", "2"), revisions(history), history);

        kubectl.run("rollout", "undo", "deployment/web").ok();
        kubectl.run(180, "rollout", "status", "deployment/web", "--timeout=170s").ok();
        Await.until(Duration.ofSeconds(60), "3 pods of the first image again", DeploymentOnDockerTest::activeWebPods,
                l -> images(l).equals("kubus/busybox:1,kubus/busybox:1,kubus/busybox:1"), DeploymentOnDockerTest::images);
        assertEquals("3", deployment().getMetadata().getAnnotations().get("deployment.kubernetes.io/revision"));
        history = kubectl.run("rollout", "history", "deployment/web").ok().out();
        assertEquals(Set.of("2", "3"), revisions(history), "the first template came back as revision 3: " + history);

        kubectl.run("scale", "deployment/web", "--replicas=5").ok();
        List<Pod> five = Await.until(Duration.ofSeconds(120), "5 available", DeploymentOnDockerTest::activeWebPods,
                l -> l.size() == 5 && l.stream().allMatch(PodStates::isReady), DeploymentOnDockerTest::images);
        Set<String> used = five.stream().map(p -> p.getSpec().getNodeName()).collect(Collectors.toSet());
        assertEquals(Set.copyOf(nodes), used, "the replicas spread over both nodes");
        kubectl.run("scale", "deployment/web", "--replicas=1").ok();
        Await.until(Duration.ofSeconds(60), "1 pod", DeploymentOnDockerTest::activeWebPods, l -> l.size() == 1,
                DeploymentOnDockerTest::images);
        Await.until(Duration.ofSeconds(60), "deployment status 1/1", DeploymentOnDockerTest::deployment,
                x -> x.getStatus() != null && Integer.valueOf(1).equals(x.getStatus().getReplicas())
                        && Integer.valueOf(1).equals(x.getStatus().getAvailableReplicas()),
                x -> String.valueOf(x.getStatus()));
    }

    /** The REVISION column of {@code kubectl rollout history}. */
    private static Set<String> revisions(String history) {
        return history.lines().map(String::trim).filter(l -> l.matches("\\d+\\s.*|\\d+"))
                .map(l -> l.split("\\s+")[0]).collect(Collectors.toSet());
    }
}

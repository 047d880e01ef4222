package io.kubus.controllers.statefulset;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.client.api.KubusApi;
import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.ClusterFixture;
import io.kubus.controllers.testing.PodHistory;
import io.kubus.gateway.testing.Kubectl;
import io.kubus.gateway.testing.ServiceProcess;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The controllers killed with SIGKILL while an OrderedReady StatefulSet scales from 0 to 5 on simulated nodes, then
 * started afresh: the pods' change topic shows never two pods of one ordinal and never an ordinal made before the
 * one below it was Running and Ready, and the set ends at 5 ready pods (issue 15's kill test, without storage).
 */
class StatefulSetControllersKillTest {
    @TempDir
    Path dir;
    private ClusterFixture cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close(); // and the controller processes it started
        }
    }

    private static Map<String, Pod> pods(KubusApi api) {
        return api.list(ResourceTypes.PODS, "default", "app=kv", null, Pod.class).items().stream()
                .collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p));
    }

    @Test
    void orderIsKeptAcrossAKill() throws Exception {
        cluster = ClusterFixture.start();
        cluster.addSimulatedNodes(dir.resolve("agent"), "kill", 3, Map.of());
        KubusApi api = cluster.api();
        Kubectl kubectl = cluster.kubectl(dir);
        Path logs = Files.createDirectories(Path.of("target", "statefulset-controllers-kill"));
        ServiceProcess first = cluster.startControllersProcess(Map.of(), logs.resolve("first.log"));

        Path manifest = dir.resolve("kv.yaml");
        Files.writeString(manifest, """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata:
                  name: kv
                spec:
                  serviceName: kv
                  replicas: 0
                  selector:
                    matchLabels: {app: kv}
                  template:
                    metadata:
                      labels: {app: kv}
                    spec:
                      containers:
                      - name: kv
                        image: kubus/busybox:1
                """);
        try (PodHistory watch = new PodHistory(api, cluster.gateway().kafkaBootstrap(), "app=kv")) {
            kubectl.run("apply", "-f", manifest.toString()).ok();
            kubectl.run("scale", "sts/kv", "--replicas=5").ok();
            Await.until(Duration.ofSeconds(60), "kv-1 made", () -> pods(api), m -> m.containsKey("kv-1"),
                    m -> String.valueOf(m.keySet()));
            first.kill9();
            System.out.printf("[statefulset-kill] controllers killed with pods %s%n", new java.util.TreeSet<>(pods(api).keySet()));

            cluster.startControllersProcess(Map.of(), logs.resolve("second.log"));
            Await.until(Duration.ofSeconds(120), "5 ready pods", () -> pods(api),
                    m -> m.keySet().equals(Set.of("kv-0", "kv-1", "kv-2", "kv-3", "kv-4"))
                            && m.values().stream().allMatch(StatefulPods::isHealthy),
                    m -> String.valueOf(m.keySet()));
            Kubectl.Result status = kubectl.run(60, "rollout", "status", "sts/kv", "--timeout=50s");
            assertEquals(0, status.exitCode(), status.err() + status.out());

            List<String> made = new ArrayList<>();
            int[] states = {0};
            watch.replay(state -> {
                states[0]++;
                List<String> names = state.values().stream().map(p -> p.getMetadata().getName()).toList();
                assertEquals(names.size(), new HashSet<>(names).size(), "two pods of one ordinal: " + names);
                for (Pod p : state.values()) {
                    String name = p.getMetadata().getName();
                    if (made.contains(name)) {
                        continue;
                    }
                    made.add(name);
                    int ordinal = StatefulPods.ordinalOf(p);
                    if (ordinal > 0) {
                        Pod below = state.values().stream()
                                .filter(q -> q.getMetadata().getName().equals("kv-" + (ordinal - 1)))
                                .findFirst().orElse(null);
                        assertTrue(below != null && StatefulPods.isRunningAndReady(below),
                                name + " made while kv-" + (ordinal - 1) + " was not ready: " + below);
                    }
                }
            });
            System.out.printf("[statefulset-kill] %d pod states, pods made in order %s%n", states[0], made);
            assertEquals(List.of("kv-0", "kv-1", "kv-2", "kv-3", "kv-4"), made);
        }
    }
}

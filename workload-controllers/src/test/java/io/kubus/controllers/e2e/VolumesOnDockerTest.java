package io.kubus.controllers.e2e;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.client.api.KubusApi;
import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.ClusterFixture;
import io.kubus.controllers.testing.DockerNodes;
import io.kubus.gateway.testing.Kubectl;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Claims on real containers, as a user meets them: two node agents on the Docker engine; a plain claim of the
 * default class is provisioned as a folder on the node its first pod was scheduled to, keeps what a pod wrote after
 * the pod is gone, and takes the next pod to the same node; a deleted claim's folder is removed by a helper pod on its
 * node. (A StatefulSet's pod finding its own claim's data again after it is deleted and made anew is
 * StatefulSetOnDockerTest's.)
 */
class VolumesOnDockerTest {
    @TempDir
    static Path dir;
    static ClusterFixture cluster;
    static KubusApi api;
    static Kubectl kubectl;
    static final List<String> nodes = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        cluster = ClusterFixture.start();
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        for (String n : List.of("vol-a-" + suffix, "vol-b-" + suffix)) {
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

    private static void apply(String name, String yaml) throws Exception {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, yaml);
        kubectl.run("apply", "-f", file.toString()).ok();
    }

    private static String pod(String name, String claim, String script) {
        return """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: %s
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: app
                    image: kubus/busybox:1
                    command: ["sh", "-c", "%s"]
                    volumeMounts:
                    - {name: data, mountPath: /data}
                  volumes:
                  - name: data
                    persistentVolumeClaim: {claimName: %s}
                """.formatted(name, script, claim);
    }

    private static Pod awaitRunning(String name) throws InterruptedException {
        return Await.until(Duration.ofSeconds(120), name + " Running",
                () -> api.get(ResourceTypes.PODS, "default", name, Pod.class).orElse(null),
                p -> p != null && p.getStatus() != null && "Running".equals(p.getStatus().getPhase()),
                p -> p == null ? "not made" : String.valueOf(p.getStatus()));
    }

    @Test
    void aClaimsDataOutlivesItsPodAndKeepsItsNextPodOnItsNode() throws Exception {
        apply("data", """
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata:
                  name: data
                spec:
                  accessModes: [ReadWriteOnce]
                  resources:
                    requests:
                      storage: 1Gi
                """ + "---\n" + pod("writer", "data", "echo kept > /data/file; sleep 600"));
        String node = awaitRunning("writer").getSpec().getNodeName();
        PersistentVolumeClaim claim = api.get(ResourceTypes.PERSISTENTVOLUMECLAIMS, "default", "data",
                PersistentVolumeClaim.class).orElseThrow();
        assertEquals("local-path", claim.getSpec().getStorageClassName(), "the default class");
        assertEquals("Bound", claim.getStatus().getPhase());
        PersistentVolume pv = api.get(ResourceTypes.PERSISTENTVOLUMES, null, claim.getSpec().getVolumeName(),
                PersistentVolume.class).orElseThrow();
        Path folder = Path.of(pv.getSpec().getHostPath().getPath());
        // the agent of node n keeps its files in <its data dir>/n
        assertTrue(folder.startsWith(dir.resolve(node).resolve(node).resolve("storage")),
                "a folder of the node it was made for: " + folder);
        Await.until(Duration.ofSeconds(30), "the file the pod wrote", () -> Files.exists(folder.resolve("file")), ok -> ok);
        assertTrue(kubectl.run("get", "pvc", "data").ok().out().matches("(?s).*data\\s+Bound\\s+pvc-\\S+\\s+1Gi\\s+RWO\\s+local-path.*"));

        kubectl.run(60, "delete", "pod", "writer").ok();
        for (int i = 0; i < 3; i++) {
            apply("reader-" + i, pod("reader-" + i, "data", "cat /data/file; sleep 600"));
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(node, awaitRunning("reader-" + i).getSpec().getNodeName(), "the volume's node, never the other");
            int r = i;
            Await.until(Duration.ofSeconds(30), "reader-" + i + " read the file",
                    () -> kubectl.run("logs", "reader-" + r).out(), out -> out.contains("kept"));
        }

        // a claim in use stays (terminating) until its pods are gone, then its volume is released and deleted
        kubectl.run("delete", "pvc", "data", "--wait=false").ok();
        Thread.sleep(2_000);
        assertTrue(api.get(ResourceTypes.PERSISTENTVOLUMECLAIMS, "default", "data", PersistentVolumeClaim.class)
                .map(c -> c.getMetadata().getDeletionTimestamp() != null).orElse(false), "kept while pods use it");
        kubectl.run(60, "delete", "pod", "reader-0", "reader-1", "reader-2").ok();
        Await.until(Duration.ofSeconds(60), "the claim gone", () -> api.get(ResourceTypes.PERSISTENTVOLUMECLAIMS, "default",
                "data", PersistentVolumeClaim.class).isEmpty(), gone -> gone);
        // the volume is released and deleted; a helper pod on its node removes the folder, then the volume goes
        Await.until(Duration.ofSeconds(90), "the volume gone", () -> api.get(ResourceTypes.PERSISTENTVOLUMES, null,
                pv.getMetadata().getName(), PersistentVolume.class), Optional::isEmpty,
                v -> v.map(x -> x.getMetadata().getFinalizers() + " " + x.getStatus()).orElse("gone"));
        assertFalse(Files.exists(folder), "the folder removed: " + folder);
        assertTrue(Files.isDirectory(folder.getParent()), "the node's other volumes stay");
        Await.until(Duration.ofSeconds(30), "the helper pod gone", () -> api.get(ResourceTypes.PODS, "kube-system",
                "helper-pod-delete-" + pv.getMetadata().getName(), Pod.class), Optional::isEmpty);
    }
}

package io.kubus.agent.node;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.agent.runtime.ContainerInfo;
import io.kubus.agent.runtime.LogOptions;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node agent on the real Docker engine, driven with the real kubectl: pods of two containers that share localhost
 * and an emptyDir, resource limits in the cgroups, the restartPolicy matrix, and deletion that leaves nothing.
 * Fails, never skips, without a Docker engine (.ci/prepare-machine starts one).
 */
class DockerNodeTest {
    @RegisterExtension
    static final DockerNode cluster = new DockerNode("docker-node", Map.of());



    @Test
    void twoContainersTalkOverLocalhostWithLimitsAndGoAwayOnDelete() throws Exception {
        cluster.apply("web", """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: web
                spec:
                  nodeName: %s
                  terminationGracePeriodSeconds: 10
                  containers:
                  - name: server
                    image: kubus/busybox:1
                    command: ["sh", "-c", "mkdir -p /www && echo hello-from-server > /www/index.html && exec httpd -f -p 8080 -h /www"]
                    ports:
                    - containerPort: 8080
                    resources:
                      limits: {cpu: 250m, memory: 64Mi}
                  - name: client
                    image: kubus/busybox:1
                    command: ["sh", "-c", "while true; do wget -qO- localhost:8080; sleep 1; done"]
                """.formatted(cluster.node()));
        Pod pod = cluster.await("web", p -> "Running".equals(phase(p)) && PodWaits.ready(p) == 2, 60);
        assertTrue(pod.getStatus().getPodIP() != null && !pod.getStatus().getPodIP().isEmpty());
        String table = cluster.kubectl().run("get", "pod", "web").ok().out();
        assertTrue(table.matches("(?s).*web\\s+2/2\\s+Running\\s+0.*"), table);

        ContainerInfo client = cluster.container(pod, "client");
        String logs = awaitLogs(client, "hello-from-server");
        assertTrue(logs.contains("hello-from-server"), logs);

        ContainerInfo server = cluster.container(pod, "server");
        String cgroup = cluster.exec(server, "sh", "-c", "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes");
        assertEquals("67108864", cgroup.trim(), "64Mi memory limit in the cgroup");
        String cpu = cluster.exec(server, "sh", "-c", "cat /sys/fs/cgroup/cpu.max 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us");
        assertTrue(cpu.trim().startsWith("25000"), "250m CPU limit: " + cpu);

        // the agent records its events in the background: look for a bounded while, as a user would look again
        String events = cluster.kubectl().run("describe", "pod", "web").ok().out();
        for (long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
             !(events.contains("Started") && events.contains("Created")) && System.nanoTime() < deadline; ) {
            Thread.sleep(200);
            events = cluster.kubectl().run("describe", "pod", "web").ok().out();
        }
        assertTrue(events.contains("Started") && events.contains("Created"), events);

        long t0 = System.nanoTime();
        assertEquals("pod \"web\" deleted", cluster.kubectl().run(60, "delete", "pod", "web").ok().out().trim());
        long seconds = Duration.ofNanos(System.nanoTime() - t0).toSeconds();
        assertTrue(seconds <= 10, "deleted within the grace period, took " + seconds + " s");
        assertTrue(cluster.api().get(ResourceTypes.PODS, "default", "web", Pod.class).isEmpty());
        assertTrue(cluster.docker().list().stream().noneMatch(c -> pod.getMetadata().getUid().equals(c.podUid())),
                "no container left behind");
    }

    @Test
    void twoContainersShareAnEmptyDir() throws Exception {
        cluster.apply("shared", """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: shared
                spec:
                  nodeName: %s
                  volumes:
                  - name: data
                    emptyDir: {}
                  containers:
                  - name: writer
                    image: kubus/busybox:1
                    command: ["sh", "-c", "echo written-by-writer > /data/index.html; sleep 3600"]
                    volumeMounts:
                    - {name: data, mountPath: /data}
                  - name: server
                    image: kubus/busybox:1
                    command: ["httpd", "-f", "-p", "8081", "-h", "/srv"]
                    volumeMounts:
                    - {name: data, mountPath: /srv}
                """.formatted(cluster.node()));
        Pod pod = cluster.await("shared", p -> PodWaits.ready(p) == 2, 60);
        String got = "";
        for (int i = 0; i < 20 && !got.contains("written-by-writer"); i++) {
            got = cluster.exec(cluster.container(pod, "writer"), "wget", "-qO-", "localhost:8081/index.html");
            Thread.sleep(250);
        }
        assertTrue(got.contains("written-by-writer"), got);
        cluster.kubectl().run(60, "delete", "pod", "shared").ok();
    }

    @Test
    void restartPolicyMatrix() throws Exception {
        String[][] cases = {
                // policy, exit code, expected phase, restarts expected (true: > 0)
                {"Always", "0", "Running", "true"},
                {"Always", "1", "Running", "true"},
                {"OnFailure", "0", "Succeeded", "false"},
                {"OnFailure", "1", "Running", "true"},
                {"Never", "0", "Succeeded", "false"},
                {"Never", "1", "Failed", "false"},
        };
        for (String[] c : cases) {
            String name = "rp-" + c[0].toLowerCase() + "-" + c[1];
            cluster.apply(name, """
                    apiVersion: v1
                    kind: Pod
                    metadata:
                      name: %s
                    spec:
                      nodeName: %s
                      restartPolicy: %s
                      containers:
                      - name: app
                        image: kubus/busybox:1
                        command: ["sh", "-c", "sleep 1; exit %s"]
                    """.formatted(name, cluster.node(), c[0], c[1]));
        }
        for (String[] c : cases) {
            String name = "rp-" + c[0].toLowerCase() + "-" + c[1];
            boolean restarts = Boolean.parseBoolean(c[3]);
            Pod pod = cluster.await(name, p -> c[2].equals(phase(p)) && (!restarts || PodWaits.restartCount(p) >= 1)
                    && (restarts || terminated(p)), 60);
            assertEquals(c[2], phase(pod), name);
            if (!restarts) {
                assertEquals(0, PodWaits.restartCount(pod), name);
                assertEquals(Integer.parseInt(c[1]),
                        pod.getStatus().getContainerStatuses().getFirst().getState().getTerminated().getExitCode(), name);
            }
        }
        // A finished pod gives its sandbox back (its IP with it), as the kubelet does, and keeps its logs.
        for (String name : List.of("rp-never-0", "rp-never-1")) {
            String uid = cluster.await(name, p -> true, 10).getMetadata().getUid();
            boolean sandboxRunning = true;
            for (int i = 0; i < 100 && sandboxRunning; i++) {
                sandboxRunning = cluster.docker().list().stream().anyMatch(x -> x.sandbox() && uid.equals(x.podUid())
                        && x.state() == ContainerInfo.State.RUNNING);
                Thread.sleep(100);
            }
            assertFalse(sandboxRunning, name + ": the sandbox of a finished pod still runs");
            cluster.kubectl().run(30, "logs", name).ok();
        }
        // A crash loop shows CrashLoopBackOff with growing delays (1 s, 2 s, 4 s with this agent's back-off).
        Pod crash = cluster.await("rp-always-1", p -> PodWaits.restartCount(p) >= 2 && "CrashLoopBackOff".equals(PodWaits.waitingReason(p)), 60);
        String message = crash.getStatus().getContainerStatuses().getFirst().getState().getWaiting().getMessage();
        assertTrue(message.startsWith("back-off 2s") || message.startsWith("back-off 4s") || message.startsWith("back-off 8s"), message);
        for (String[] c : cases) {
            cluster.kubectl().run(60, "delete", "pod", "rp-" + c[0].toLowerCase() + "-" + c[1], "--wait=false").ok();
        }
    }



    private static String phase(Pod p) {
        return p.getStatus().getPhase();
    }



    private static boolean terminated(Pod p) {
        return p.getStatus().getContainerStatuses() != null && !p.getStatus().getContainerStatuses().isEmpty()
                && p.getStatus().getContainerStatuses().getFirst().getState().getTerminated() != null;
    }



    private static String awaitLogs(ContainerInfo c, String text) throws Exception {
        String logs = "";
        for (int i = 0; i < 40 && !logs.contains(text); i++) {
            try (InputStream in = cluster.docker().logs(c.id(), new LogOptions(false, -1, 0, false))) {
                logs = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Thread.sleep(250);
        }
        return logs;
    }

}

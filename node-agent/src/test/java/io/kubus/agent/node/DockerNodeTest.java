package io.kubus.agent.node;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.agent.runtime.ContainerInfo;
import io.kubus.agent.runtime.LogOptions;
import io.kubus.agent.runtime.docker.DockerRuntime;
import io.kubus.client.api.KubusApi;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.gateway.testing.Kubectl;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node agent on the real Docker engine, driven with the real kubectl: pods of two containers that share localhost
 * and an emptyDir, resource limits in the cgroups, the restartPolicy matrix, and deletion that leaves nothing.
 * Fails, never skips, without a Docker engine (.ci/prepare-machine starts one).
 */
class DockerNodeTest {
    @TempDir
    static Path dir;
    static GatewayFixture gateway;
    static ApplicationContext agent;
    static KubusApi api;
    static Kubectl kubectl;
    static DockerRuntime docker;
    static String node;

    @BeforeAll
    static void start() {
        node = "docker-node-" + UUID.randomUUID().toString().substring(0, 6);
        gateway = GatewayFixture.start();
        agent = AgentFixture.start(gateway, dir.resolve("agent"), Map.of("kubus.agent.runtime", "docker",
                "kubus.agent.node-name", node, "kubus.agent.backoff-initial", "1s"));
        api = new KubusApi(gateway.baseUrl());
        kubectl = new Kubectl(gateway.writeKubeconfig(dir), dir);
        docker = new DockerRuntime(URI.create("unix:///var/run/docker.sock"), node);
    }

    @AfterAll
    static void stop() {
        for (ContainerInfo c : docker.list()) {
            docker.stopContainer(c.id(), Duration.ZERO);
            docker.removeContainer(c.id());
        }
        docker.close();
        if (agent != null) {
            agent.close();
        }
        if (api != null) {
            api.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void twoContainersTalkOverLocalhostWithLimitsAndGoAwayOnDelete() throws Exception {
        apply("web", """
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
                """.formatted(node));
        Pod pod = await("web", p -> "Running".equals(phase(p)) && ready(p) == 2, 60);
        assertTrue(pod.getStatus().getPodIP() != null && !pod.getStatus().getPodIP().isEmpty());
        String table = kubectl.run("get", "pod", "web").ok().out();
        assertTrue(table.matches("(?s).*web\\s+2/2\\s+Running\\s+0.*"), table);

        ContainerInfo client = container(pod, "client");
        String logs = awaitLogs(client, "hello-from-server");
        assertTrue(logs.contains("hello-from-server"), logs);

        ContainerInfo server = container(pod, "server");
        String cgroup = exec(server, "sh", "-c", "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes");
        assertEquals("67108864", cgroup.trim(), "64Mi memory limit in the cgroup");
        String cpu = exec(server, "sh", "-c", "cat /sys/fs/cgroup/cpu.max 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us");
        assertTrue(cpu.trim().startsWith("25000"), "250m CPU limit: " + cpu);

        String events = kubectl.run("describe", "pod", "web").ok().out();
        assertTrue(events.contains("Started") && events.contains("Created"), events);

        long t0 = System.nanoTime();
        assertEquals("pod \"web\" deleted", kubectl.run(60, "delete", "pod", "web").ok().out().trim());
        long seconds = Duration.ofNanos(System.nanoTime() - t0).toSeconds();
        assertTrue(seconds <= 10, "deleted within the grace period, took " + seconds + " s");
        assertTrue(api.get(ResourceTypes.PODS, "default", "web", Pod.class).isEmpty());
        assertTrue(docker.list().stream().noneMatch(c -> pod.getMetadata().getUid().equals(c.podUid())),
                "no container left behind");
    }

    @Test
    void twoContainersShareAnEmptyDir() throws Exception {
        apply("shared", """
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
                """.formatted(node));
        Pod pod = await("shared", p -> ready(p) == 2, 60);
        String got = "";
        for (int i = 0; i < 20 && !got.contains("written-by-writer"); i++) {
            got = exec(container(pod, "writer"), "wget", "-qO-", "localhost:8081/index.html");
            Thread.sleep(250);
        }
        assertTrue(got.contains("written-by-writer"), got);
        kubectl.run(60, "delete", "pod", "shared").ok();
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
            apply(name, """
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
                    """.formatted(name, node, c[0], c[1]));
        }
        for (String[] c : cases) {
            String name = "rp-" + c[0].toLowerCase() + "-" + c[1];
            boolean restarts = Boolean.parseBoolean(c[3]);
            Pod pod = await(name, p -> c[2].equals(phase(p)) && (!restarts || restartCount(p) >= 1)
                    && (restarts || terminated(p)), 60);
            assertEquals(c[2], phase(pod), name);
            if (!restarts) {
                assertEquals(0, restartCount(pod), name);
                assertEquals(Integer.parseInt(c[1]),
                        pod.getStatus().getContainerStatuses().getFirst().getState().getTerminated().getExitCode(), name);
            }
        }
        // A crash loop shows CrashLoopBackOff with growing delays (1 s, 2 s, 4 s with this agent's back-off).
        Pod crash = await("rp-always-1", p -> restartCount(p) >= 2 && "CrashLoopBackOff".equals(waitingReason(p)), 60);
        String message = crash.getStatus().getContainerStatuses().getFirst().getState().getWaiting().getMessage();
        assertTrue(message.startsWith("back-off 2s") || message.startsWith("back-off 4s") || message.startsWith("back-off 8s"), message);
        for (String[] c : cases) {
            kubectl.run(60, "delete", "pod", "rp-" + c[0].toLowerCase() + "-" + c[1], "--wait=false").ok();
        }
    }

    private static void apply(String name, String yaml) throws Exception {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, yaml);
        kubectl.run("apply", "-f", file.toString()).ok();
    }

    private static Pod await(String name, Predicate<Pod> done, int seconds) throws InterruptedException {
        return PodWaits.await(api, name, done, seconds);
    }

    private static String phase(Pod p) {
        return p.getStatus().getPhase();
    }

    private static long ready(Pod p) {
        return p.getStatus().getContainerStatuses() == null ? 0
                : p.getStatus().getContainerStatuses().stream().filter(c -> Boolean.TRUE.equals(c.getReady())).count();
    }

    private static int restartCount(Pod p) {
        return p.getStatus().getContainerStatuses() == null || p.getStatus().getContainerStatuses().isEmpty() ? 0
                : p.getStatus().getContainerStatuses().getFirst().getRestartCount();
    }

    private static boolean terminated(Pod p) {
        return p.getStatus().getContainerStatuses() != null && !p.getStatus().getContainerStatuses().isEmpty()
                && p.getStatus().getContainerStatuses().getFirst().getState().getTerminated() != null;
    }

    private static String waitingReason(Pod p) {
        var s = p.getStatus().getContainerStatuses();
        return s == null || s.isEmpty() || s.getFirst().getState().getWaiting() == null ? null
                : s.getFirst().getState().getWaiting().getReason();
    }

    private static ContainerInfo container(Pod pod, String name) {
        List<ContainerInfo> all = docker.list();
        return all.stream().filter(c -> pod.getMetadata().getUid().equals(c.podUid()) && name.equals(c.name())
                && c.state() == ContainerInfo.State.RUNNING).findFirst().orElseThrow();
    }

    private static String awaitLogs(ContainerInfo c, String text) throws Exception {
        String logs = "";
        for (int i = 0; i < 40 && !logs.contains(text); i++) {
            try (InputStream in = docker.logs(c.id(), new LogOptions(false, -1, 0, false))) {
                logs = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Thread.sleep(250);
        }
        return logs;
    }

    private static String exec(ContainerInfo c, String... command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        docker.exec(c.id(), List.of(command), null, out, new ByteArrayOutputStream());
        return out.toString(StandardCharsets.UTF_8);
    }
}

package io.kubus.agent.node;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.agent.runtime.ContainerInfo;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Probes, preStop hooks, and Secrets and ConfigMaps on the real Docker engine, driven with the real kubectl: a readiness
 * httpGet probe and a tcpSocket probe gate READY, a failing liveness exec probe restarts the container, secret and
 * configMap data reach the container as files and env (read from the gateway), a missing secret holds the container
 * in CreateContainerConfigError until it is created, and a preStop hook runs on delete.
 */
class ProbesDockerNodeTest {
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
        node = "probes-node-" + UUID.randomUUID().toString().substring(0, 6);
        gateway = GatewayFixture.start();
        agent = AgentFixture.start(gateway, dir.resolve("agent"), Map.of("kubus.agent.runtime", "docker",
                "kubus.agent.node-name", node, "kubus.agent.backoff-initial", "1s"));
        api = new KubusApi(gateway.baseUrl());
        kubectl = new Kubectl(gateway.writeKubeconfig(dir), dir);
        docker = new DockerRuntime(java.net.URI.create("unix:///var/run/docker.sock"), node);
    }

    @AfterAll
    static void stop() {
        // the agent first, so that its sync loop cannot start a sandbox again behind the clean-up
        if (agent != null) {
            agent.close();
        }
        for (ContainerInfo c : docker.list()) {
            docker.stopContainer(c.id(), Duration.ZERO);
            docker.removeContainer(c.id());
        }
        docker.close();
        if (api != null) {
            api.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void aReadinessHttpGetProbeKeepsThePodUnreadyUntilItsPathServes() throws Exception {
        apply("web-ready", """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: web-ready
                spec:
                  nodeName: %s
                  terminationGracePeriodSeconds: 2
                  containers:
                  - name: web
                    image: kubus/busybox:1
                    command: ["sh", "-c", "mkdir -p /www && echo hi > /www/index.html && exec httpd -f -p 8080 -h /www"]
                    ports:
                    - {name: http, containerPort: 8080}
                    readinessProbe:
                      httpGet: {path: /ready, port: http}
                      periodSeconds: 1
                """.formatted(node));
        Pod pod = await("web-ready", p -> "Running".equals(p.getStatus().getPhase()), 60);
        Thread.sleep(3_000);                                   // several probes answer 404
        pod = api.get(ResourceTypes.PODS, "default", "web-ready", Pod.class).orElseThrow();
        assertEquals(0, ready(pod), pod.getStatus().toString());
        String table = kubectl.run("get", "pod", "web-ready").ok().out();
        assertTrue(table.matches("(?s).*web-ready\\s+0/1\\s+Running\\s+0.*"), table);
        assertTrue(kubectl.run("describe", "pod", "web-ready").ok().out()
                .contains("Readiness probe failed: HTTP probe failed with statuscode: 404"));

        exec(container(pod, "web"), "touch", "/www/ready");
        await("web-ready", p -> ready(p) == 1, 30);
        table = kubectl.run("get", "pod", "web-ready").ok().out();
        assertTrue(table.matches("(?s).*web-ready\\s+1/1\\s+Running\\s+0.*"), table);
        kubectl.run(60, "delete", "pod", "web-ready", "--wait=false").ok();
    }

    @Test
    void aTcpSocketReadinessProbePassesOnceThePortListens() throws Exception {
        apply("tcp-ready", """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: tcp-ready
                spec:
                  nodeName: %s
                  terminationGracePeriodSeconds: 2
                  containers:
                  - name: late
                    image: kubus/busybox:1
                    command: ["sh", "-c", "sleep 4; mkdir -p /www; exec httpd -f -p 9000 -h /www"]
                    readinessProbe:
                      tcpSocket: {port: 9000}
                      periodSeconds: 1
                """.formatted(node));
        Pod pod = await("tcp-ready", p -> "Running".equals(p.getStatus().getPhase()), 60);
        assertEquals(0, ready(pod), "not ready before the port listens");
        long t0 = System.nanoTime();
        await("tcp-ready", p -> ready(p) == 1, 30);
        assertTrue(Duration.ofNanos(System.nanoTime() - t0).toSeconds() < 15);
        kubectl.run(60, "delete", "pod", "tcp-ready", "--wait=false").ok();
    }

    @Test
    void aFailingLivenessProbeRestartsTheContainer() throws Exception {
        apply("live", """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: live
                spec:
                  nodeName: %s
                  terminationGracePeriodSeconds: 2
                  containers:
                  - name: app
                    image: kubus/busybox:1
                    command: ["sh", "-c", "touch /tmp/healthy; exec sleep 3600"]
                    livenessProbe:
                      exec:
                        command: ["cat", "/tmp/healthy"]
                      periodSeconds: 1
                      failureThreshold: 2
                """.formatted(node));
        Pod pod = await("live", p -> ready(p) == 1, 60);
        Thread.sleep(2_000);
        assertEquals(0, restartCount(api.get(ResourceTypes.PODS, "default", "live", Pod.class).orElseThrow()),
                "a passing liveness probe restarts nothing");
        exec(container(pod, "app"), "rm", "/tmp/healthy");
        pod = await("live", p -> restartCount(p) == 1 && ready(p) == 1, 60);
        assertEquals(1, restartCount(pod));
        String describe = kubectl.run("describe", "pod", "live").ok().out();
        assertTrue(describe.contains("Unhealthy") && describe.contains("Liveness probe failed: cat: can't open '/tmp/healthy'"),
                describe);
        assertTrue(describe.contains("Container app failed liveness probe, will be restarted"), describe);
        Thread.sleep(3_000);
        assertEquals(1, restartCount(api.get(ResourceTypes.PODS, "default", "live", Pod.class).orElseThrow()),
                "the restarted container is healthy again");
        kubectl.run(60, "delete", "pod", "live", "--wait=false").ok();
    }

    @Test
    void secretsAndConfigMapsReachTheContainerAsFilesAndEnv() throws Exception {
        kubectl.run("create", "secret", "generic", "db", "--from-literal=password=s3cret",
                "--from-literal=user=admin").ok();
        kubectl.run("create", "configmap", "app-config", "--from-literal=mode=fast",
                "--from-literal=greeting=hello").ok();
        apply("configured", """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: configured
                spec:
                  nodeName: %s
                  terminationGracePeriodSeconds: 2
                  volumes:
                  - name: creds
                    secret:
                      secretName: db
                      defaultMode: 0400
                  - name: conf
                    configMap:
                      name: app-config
                      items:
                      - {key: greeting, path: text/greeting.txt}
                  containers:
                  - name: app
                    image: kubus/busybox:1
                    command: ["sh", "-c", "cat /etc/creds/password; echo; cat /etc/conf/text/greeting.txt; echo; exec sleep 3600"]
                    volumeMounts:
                    - {name: creds, mountPath: /etc/creds}
                    - {name: conf, mountPath: /etc/conf}
                    env:
                    - name: DB_PASSWORD
                      valueFrom:
                        secretKeyRef: {name: db, key: password}
                    - name: MODE
                      valueFrom:
                        configMapKeyRef: {name: app-config, key: mode}
                    envFrom:
                    - prefix: CFG_
                      configMapRef: {name: app-config}
                    - secretRef: {name: db}
                """.formatted(node));
        Pod pod = await("configured", p -> ready(p) == 1, 60);
        ContainerInfo app = container(pod, "app");
        assertEquals("s3cret", exec(app, "cat", "/etc/creds/password"));
        assertEquals("admin", exec(app, "cat", "/etc/creds/user"));
        assertEquals("hello", exec(app, "cat", "/etc/conf/text/greeting.txt"));
        assertTrue(exec(app, "stat", "-c", "%a", "/etc/creds/password").trim().equals("400"));
        assertFalse(exec(app, "sh", "-c", "echo x > /etc/creds/new && echo written || echo refused").contains("written"),
                "a secret volume is read-only");
        String logs;
        try (var in = docker.logs(app.id(), new io.kubus.agent.runtime.LogOptions(false, -1, 0, false))) {
            logs = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(logs.contains("s3cret") && logs.contains("hello"), logs);
        List<String> env = List.of(exec(app, "env").split("\n"));
        assertTrue(env.containsAll(List.of("DB_PASSWORD=s3cret", "MODE=fast", "CFG_mode=fast", "CFG_greeting=hello",
                "password=s3cret", "user=admin")), env.toString());
        kubectl.run(60, "delete", "pod", "configured", "--wait=false").ok();
    }

    @Test
    void aMissingSecretHoldsTheContainerUntilTheSecretIsCreated() throws Exception {
        apply("needs-token", """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: needs-token
                spec:
                  nodeName: %s
                  terminationGracePeriodSeconds: 2
                  containers:
                  - name: app
                    image: kubus/busybox:1
                    command: ["sh", "-c", "exec sleep 3600"]
                    env:
                    - name: TOKEN
                      valueFrom:
                        secretKeyRef: {name: token, key: value}
                """.formatted(node));
        Pod pod = await("needs-token", p -> "CreateContainerConfigError".equals(waitingReason(p)), 60);
        assertEquals("secret \"token\" not found",
                pod.getStatus().getContainerStatuses().getFirst().getState().getWaiting().getMessage());
        String table = kubectl.run("get", "pod", "needs-token").ok().out();
        assertTrue(table.contains("CreateContainerConfigError"), table);
        kubectl.run("create", "secret", "generic", "token", "--from-literal=value=t0k3n").ok();
        pod = await("needs-token", p -> "Running".equals(p.getStatus().getPhase()) && ready(p) == 1, 60);
        assertTrue(List.of(exec(container(pod, "app"), "env").split("\n")).contains("TOKEN=t0k3n"));
        kubectl.run(60, "delete", "pod", "needs-token", "--wait=false").ok();
    }

    @Test
    void aPreStopHookRunsOnDelete() throws Exception {
        Path hooks = dir.resolve("hooks");
        Files.createDirectories(hooks);
        apply("hooked", """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: hooked
                spec:
                  nodeName: %s
                  terminationGracePeriodSeconds: 10
                  volumes:
                  - name: out
                    hostPath: {path: %s}
                  containers:
                  - name: app
                    image: kubus/busybox:1
                    command: ["sh", "-c", "exec sleep 3600"]
                    volumeMounts:
                    - {name: out, mountPath: /out}
                    lifecycle:
                      preStop:
                        exec:
                          command: ["sh", "-c", "echo stopping-$HOSTNAME > /out/prestop"]
                """.formatted(node, hooks.toAbsolutePath()));
        Pod pod = await("hooked", p -> ready(p) == 1, 60);
        long t0 = System.nanoTime();
        kubectl.run(60, "delete", "pod", "hooked").ok();
        assertTrue(Duration.ofNanos(System.nanoTime() - t0).toSeconds() <= 10, "within the grace period");
        assertEquals("stopping-hooked", Files.readString(hooks.resolve("prestop")).trim());
        assertTrue(docker.list().stream().noneMatch(c -> pod.getMetadata().getUid().equals(c.podUid())));
    }

    private static void apply(String name, String yaml) throws Exception {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, yaml);
        kubectl.run("apply", "-f", file.toString()).ok();
    }

    private static Pod await(String name, Predicate<Pod> done, int seconds) throws InterruptedException {
        return PodWaits.await(api, name, done, seconds);
    }

    private static long ready(Pod p) {
        return p.getStatus().getContainerStatuses() == null ? 0
                : p.getStatus().getContainerStatuses().stream().filter(c -> Boolean.TRUE.equals(c.getReady())).count();
    }

    private static int restartCount(Pod p) {
        return p.getStatus().getContainerStatuses() == null || p.getStatus().getContainerStatuses().isEmpty() ? 0
                : p.getStatus().getContainerStatuses().getFirst().getRestartCount();
    }

    private static String waitingReason(Pod p) {
        var s = p.getStatus().getContainerStatuses();
        return s == null || s.isEmpty() || s.getFirst().getState().getWaiting() == null ? null
                : s.getFirst().getState().getWaiting().getReason();
    }

    private static ContainerInfo container(Pod pod, String name) {
        return docker.list().stream().filter(c -> pod.getMetadata().getUid().equals(c.podUid()) && name.equals(c.name())
                && c.state() == ContainerInfo.State.RUNNING).findFirst().orElseThrow();
    }

    private static String exec(ContainerInfo c, String... command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        docker.exec(c.id(), List.of(command), null, out, new ByteArrayOutputStream());
        return out.toString(StandardCharsets.UTF_8).strip();
    }
}

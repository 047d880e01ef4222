package io.kubus.agent.node;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.agent.runtime.ContainerInfo;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Probes, preStop hooks, and Secrets and ConfigMaps on the real Docker engine, driven with the real kubectl: a readiness
 * httpGet probe and a tcpSocket probe gate READY, a failing liveness exec probe restarts the container, secret and
 * configMap data reach the container as files and env (read from the cluster.gateway()), a missing secret holds the container
 * in CreateContainerConfigError until it is created, and a preStop hook runs on delete.
 */
class ProbesDockerNodeTest {
    @RegisterExtension
    static final DockerNode cluster = new DockerNode("probes-node", Map.of());



    @Test
    void aReadinessHttpGetProbeKeepsThePodUnreadyUntilItsPathServes() throws Exception {
        cluster.apply("web-ready", """
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
                """.formatted(cluster.node()));
        Pod pod = cluster.await("web-ready", p -> "Running".equals(p.getStatus().getPhase()), 60);
        Thread.sleep(3_000);                                   // several probes answer 404
        pod = cluster.api().get(ResourceTypes.PODS, "default", "web-ready", Pod.class).orElseThrow();
        assertEquals(0, PodWaits.ready(pod), pod.getStatus().toString());
        String table = cluster.kubectl().run("get", "pod", "web-ready").ok().out();
        assertTrue(table.matches("(?s).*web-ready\\s+0/1\\s+Running\\s+0.*"), table);
        // the agent records the probe's failure as an Event through the API, a moment after the probe: wait for it
        String described = "";
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!described.contains("Readiness probe failed: HTTP probe failed with statuscode: 404")
                && System.nanoTime() < deadline) {
            described = cluster.kubectl().run("describe", "pod", "web-ready").ok().out();
            if (!described.contains("statuscode: 404")) {
                Thread.sleep(500);
            }
        }
        assertTrue(described.contains("Readiness probe failed: HTTP probe failed with statuscode: 404"), described);

        exec(cluster.container(pod, "web"), "touch", "/www/ready");
        cluster.await("web-ready", p -> PodWaits.ready(p) == 1, 30);
        table = cluster.kubectl().run("get", "pod", "web-ready").ok().out();
        assertTrue(table.matches("(?s).*web-ready\\s+1/1\\s+Running\\s+0.*"), table);
        cluster.kubectl().run(60, "delete", "pod", "web-ready", "--wait=false").ok();
    }

    @Test
    void aTcpSocketReadinessProbePassesOnceThePortListens() throws Exception {
        cluster.apply("tcp-ready", """
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
                """.formatted(cluster.node()));
        Pod pod = cluster.await("tcp-ready", p -> "Running".equals(p.getStatus().getPhase()), 60);
        assertEquals(0, PodWaits.ready(pod), "not ready before the port listens");
        long t0 = System.nanoTime();
        cluster.await("tcp-ready", p -> PodWaits.ready(p) == 1, 30);
        assertTrue(Duration.ofNanos(System.nanoTime() - t0).toSeconds() < 15);
        cluster.kubectl().run(60, "delete", "pod", "tcp-ready", "--wait=false").ok();
    }

    @Test
    void aFailingLivenessProbeRestartsTheContainer() throws Exception {
        cluster.apply("live", """
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
                """.formatted(cluster.node()));
        Pod pod = cluster.await("live", p -> PodWaits.ready(p) == 1, 60);
        Thread.sleep(2_000);
        assertEquals(0, PodWaits.restartCount(cluster.api().get(ResourceTypes.PODS, "default", "live", Pod.class).orElseThrow()),
                "a passing liveness probe restarts nothing");
        exec(cluster.container(pod, "app"), "rm", "/tmp/healthy");
        pod = cluster.await("live", p -> PodWaits.restartCount(p) == 1 && PodWaits.ready(p) == 1, 60);
        assertEquals(1, PodWaits.restartCount(pod));
        String describe = cluster.kubectl().run("describe", "pod", "live").ok().out();
        assertTrue(describe.contains("Unhealthy") && describe.contains("Liveness probe failed: cat: can't open '/tmp/healthy'"),
                describe);
        assertTrue(describe.contains("Container app failed liveness probe, will be restarted"), describe);
        Thread.sleep(3_000);
        assertEquals(1, PodWaits.restartCount(cluster.api().get(ResourceTypes.PODS, "default", "live", Pod.class).orElseThrow()),
                "the restarted container is healthy again");
        cluster.kubectl().run(60, "delete", "pod", "live", "--wait=false").ok();
    }

    @Test
    void secretsAndConfigMapsReachTheContainerAsFilesAndEnv() throws Exception {
        cluster.kubectl().run("create", "secret", "generic", "db", "--from-literal=password=s3cret",
                "--from-literal=user=admin").ok();
        cluster.kubectl().run("create", "configmap", "app-config", "--from-literal=mode=fast",
                "--from-literal=greeting=hello").ok();
        cluster.apply("configured", """
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
                """.formatted(cluster.node()));
        Pod pod = cluster.await("configured", p -> PodWaits.ready(p) == 1, 60);
        ContainerInfo app = cluster.container(pod, "app");
        assertEquals("s3cret", exec(app, "cat", "/etc/creds/password"));
        assertEquals("admin", exec(app, "cat", "/etc/creds/user"));
        assertEquals("hello", exec(app, "cat", "/etc/conf/text/greeting.txt"));
        assertTrue(exec(app, "stat", "-c", "%a", "/etc/creds/password").trim().equals("400"));
        assertFalse(exec(app, "sh", "-c", "echo x > /etc/creds/new && echo written || echo refused").contains("written"),
                "a secret volume is read-only");
        String logs;
        try (var in = cluster.docker().logs(app.id(), new io.kubus.agent.runtime.LogOptions(false, -1, 0, false))) {
            logs = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(logs.contains("s3cret") && logs.contains("hello"), logs);
        List<String> env = List.of(exec(app, "env").split("\n"));
        assertTrue(env.containsAll(List.of("DB_PASSWORD=s3cret", "MODE=fast", "CFG_mode=fast", "CFG_greeting=hello",
                "password=s3cret", "user=admin")), env.toString());
        cluster.kubectl().run(60, "delete", "pod", "configured", "--wait=false").ok();
    }

    @Test
    void aMissingSecretHoldsTheContainerUntilTheSecretIsCreated() throws Exception {
        cluster.apply("needs-token", """
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
                """.formatted(cluster.node()));
        Pod pod = cluster.await("needs-token", p -> "CreateContainerConfigError".equals(PodWaits.waitingReason(p)), 60);
        assertEquals("secret \"token\" not found",
                pod.getStatus().getContainerStatuses().getFirst().getState().getWaiting().getMessage());
        String table = cluster.kubectl().run("get", "pod", "needs-token").ok().out();
        assertTrue(table.contains("CreateContainerConfigError"), table);
        cluster.kubectl().run("create", "secret", "generic", "token", "--from-literal=value=t0k3n").ok();
        pod = cluster.await("needs-token", p -> "Running".equals(p.getStatus().getPhase()) && PodWaits.ready(p) == 1, 60);
        assertTrue(List.of(exec(cluster.container(pod, "app"), "env").split("\n")).contains("TOKEN=t0k3n"));
        cluster.kubectl().run(60, "delete", "pod", "needs-token", "--wait=false").ok();
    }

    @Test
    void aPreStopHookRunsOnDelete() throws Exception {
        Path hooks = cluster.dir().resolve("hooks");
        Files.createDirectories(hooks);
        cluster.apply("hooked", """
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
                """.formatted(cluster.node(), hooks.toAbsolutePath()));
        Pod pod = cluster.await("hooked", p -> PodWaits.ready(p) == 1, 60);
        long t0 = System.nanoTime();
        cluster.kubectl().run(60, "delete", "pod", "hooked").ok();
        assertTrue(Duration.ofNanos(System.nanoTime() - t0).toSeconds() <= 10, "within the grace period");
        assertEquals("stopping-hooked", Files.readString(hooks.resolve("prestop")).trim());
        assertTrue(cluster.docker().list().stream().noneMatch(c -> pod.getMetadata().getUid().equals(c.podUid())));
    }








    /** The command's output without its trailing newline. */
    private static String exec(ContainerInfo c, String... command) throws Exception {
        return cluster.exec(c, command).strip();
    }
}

package io.kubus.agent.server;

import io.kubus.agent.node.DockerNode;
import io.kubus.agent.node.PodWaits;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.gateway.testing.Kubectl;
import io.kubus.schema.ResourceTypes;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code kubectl logs} and {@code kubectl exec} through the api-gateway to a node agent on the real Docker engine,
 * with the real kubectl: the gateway finds the pod's cluster.node(), its address and port in the Node status, and forwards
 * (logs: a stream; exec: WebSocket v5.channel.k8s.io relayed to the cluster.agent()). Fails, never skips, without Docker.
 */
class KubectlLogsExecTest {
    @RegisterExtension
    static final DockerNode cluster = new DockerNode("logs-node", Map.of("kubus.agent.host-ip", "127.0.0.1"));

    @BeforeAll
    static void start() throws Exception {
        cluster.apply("web", """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: web
                spec:
                  nodeName: %s
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: server
                    image: kubus/busybox:1
                    command: ["sleep", "3600"]
                  - name: client
                    image: kubus/busybox:1
                    command: ["sh", "-c", "i=0; while true; do i=$((i+1)); echo client-line-$i; sleep 0.3; done"]
                """.formatted(cluster.node()));
        cluster.apply("crash", """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: crash
                spec:
                  nodeName: %s
                  terminationGracePeriodSeconds: 1
                  restartPolicy: Always
                  containers:
                  - name: app
                    image: kubus/busybox:1
                    command: ["sh", "-c", "echo crash-run-$(cat /proc/sys/kernel/random/uuid); sleep 1; exit 1"]
                """.formatted(cluster.node()));
        cluster.await("web", p -> "Running".equals(p.getStatus().getPhase()) && PodWaits.ready(p) == 2, 60);
    }


    @Test
    void theNodeSaysWhereItsAgentListens() {
        Node n = cluster.api().get(ResourceTypes.NODES, "", cluster.node(), Node.class).orElseThrow();
        int port = cluster.agent().getBean(EmbeddedServer.class).getPort();
        assertEquals(port, n.getStatus().getDaemonEndpoints().getKubeletEndpoint().getPort());
        assertTrue(n.getStatus().getAddresses().stream()
                .anyMatch(a -> a.getType().equals("InternalIP") && a.getAddress().equals("127.0.0.1")));
    }

    @Test
    void logsOfAContainer() throws Exception {
        String out = awaitOutput(() -> cluster.kubectl().run("logs", "web", "-c", "client").ok().out(), "client-line-3");
        assertTrue(out.startsWith("client-line-1\nclient-line-2\n"), out);

        String tail = cluster.kubectl().run("logs", "web", "-c", "client", "--tail=2").ok().out();
        assertEquals(2, tail.lines().count(), tail);
        assertTrue(tail.lines().allMatch(l -> l.startsWith("client-line-")), tail);

        String stamped = cluster.kubectl().run("logs", "web", "-c", "client", "--timestamps", "--tail=3").ok().out();
        assertEquals(3, stamped.lines().count(), stamped);
        assertTrue(stamped.lines().allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z client-line-\\d+")),
                stamped);

        String recent = cluster.kubectl().run("logs", "web", "-c", "client", "--since=1h").ok().out();
        assertTrue(recent.contains("client-line-1\n"), recent);
    }

    @Test
    void logsWithoutContainerOnATwoContainerPodDefaultToTheFirst() {
        Kubectl.Result r = cluster.kubectl().run("logs", "web");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("Defaulted container \"server\""), r.err());
    }

    @Test
    void followStreamsNewLines() throws Exception {
        Process p = cluster.kubectl().start("logs", "-f", "web", "-c", "client", "--tail=1");
        try {
            BufferedReader reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            List<Integer> seen = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (seen.size() < 4 && System.nanoTime() < deadline) {
                String line = reader.readLine();
                if (line == null) {
                    break;
                }
                assertTrue(line.startsWith("client-line-"), line);
                seen.add(Integer.parseInt(line.substring("client-line-".length())));
            }
            assertEquals(4, seen.size(), "lines while following: " + seen);
            for (int i = 1; i < seen.size(); i++) {
                assertEquals(seen.get(i - 1) + 1, seen.get(i), "consecutive new lines: " + seen);
            }
            assertTrue(p.isAlive(), "still following");
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void previousShowsTheRunBeforeARestart() throws Exception {
        cluster.await("crash", p -> PodWaits.restartCount(p) >= 1, 60);
        String previous = cluster.kubectl().run("logs", "crash", "--previous").ok().out();
        assertTrue(previous.matches("crash-run-[0-9a-f-]{36}\\n"), previous);
        String current = cluster.kubectl().run("logs", "crash").ok().out();
        assertTrue(!current.equals(previous), "the previous run is not the current one: " + current);
        Kubectl.Result none = cluster.kubectl().run("logs", "web", "-c", "client", "--previous");
        assertEquals(1, none.exitCode());
        assertTrue(none.err().contains("previous terminated container \"client\" in pod \"web\" not found"), none.err());
    }

    @Test
    void logsErrors() throws Exception {
        // kubectl checks the container against the pod itself; the gateway answers the same to any other client.
        Kubectl.Result wrong = cluster.kubectl().run("logs", "web", "-c", "nope");
        assertEquals(1, wrong.exitCode());
        assertEquals("error: container nope is not valid for pod web", wrong.err().strip());
        GatewayFixture.Reply wrongReply = cluster.gateway().request("GET",
                "/api/v1/namespaces/default/pods/web/log?container=nope", null, null);
        assertEquals(400, wrongReply.status(), wrongReply.body());
        assertTrue(wrongReply.body().contains("\"message\":\"container nope is not valid for pod web\""), wrongReply.body());
        GatewayFixture.Reply noContainer = cluster.gateway().request("GET", "/api/v1/namespaces/default/pods/web/log", null, null);
        assertEquals(400, noContainer.status(), noContainer.body());
        assertTrue(noContainer.body().contains("a container name must be specified for pod web, choose one of: [server client]"),
                noContainer.body());

        cluster.apply("unbound", """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: unbound
                spec:
                  containers:
                  - name: app
                    image: kubus/busybox:1
                """);
        Kubectl.Result unbound = cluster.kubectl().run("logs", "unbound");
        assertEquals(1, unbound.exitCode());
        assertEquals("Error from server (BadRequest): pod unbound does not have a host assigned", unbound.err().strip());
        GatewayFixture.Reply reply = cluster.gateway().request("GET", "/api/v1/namespaces/default/pods/unbound/log", null, null);
        assertEquals(400, reply.status(), reply.body());
        assertTrue(reply.body().contains("\"reason\":\"BadRequest\""), reply.body());

        Kubectl.Result execUnbound = cluster.kubectl().run("exec", "unbound", "--", "true");
        assertEquals(1, execUnbound.exitCode());
        assertTrue(execUnbound.err().contains("pod unbound does not have a host assigned"), execUnbound.err());
    }

    @Test
    void execPrintsOutputAndSucceeds() {
        Kubectl.Result r = cluster.kubectl().run("exec", "web", "-c", "server", "--", "echo", "hi");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("hi\n", r.out());

        Kubectl.Result err = cluster.kubectl().run("exec", "web", "-c", "server", "--", "sh", "-c", "echo out; echo oops >&2");
        assertEquals(0, err.exitCode(), err.err());
        assertEquals("out\n", err.out());
        assertEquals("oops\n", err.err());
    }

    @Test
    void execReportsTheExitCode() {
        Kubectl.Result r = cluster.kubectl().run("exec", "web", "-c", "server", "--", "sh", "-c", "exit 3");
        assertEquals(3, r.exitCode(), r.err());
        assertEquals("command terminated with exit code 3", r.err().strip());
    }

    @org.junit.jupiter.api.RepeatedTest(3)
    void execWithStdin() throws Exception {
        // kubectl sends stdin and its end at once after the 101: they must reach cat, which then ends
        Process p = cluster.kubectl().start("exec", "-i", "web", "-c", "server", "--", "cat");
        try {
            try (OutputStream in = p.getOutputStream()) {
                in.write("line one\nline two\n".getBytes(StandardCharsets.UTF_8));
            }
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "cat ends when stdin does");
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), out);
            assertEquals("line one\nline two\n", out);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void execIntoAContainerThePodDoesNotHave() {
        Kubectl.Result r = cluster.kubectl().run("exec", "web", "-c", "nope", "--", "true");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("container nope is not valid for pod web"), r.err());
    }

    @Test
    void execUpgradeAnswersV5OrTheStatus() throws Exception {
        String accepted = upgrade("/api/v1/namespaces/default/pods/web/exec?command=true&container=server&stdout=true");
        assertTrue(accepted.startsWith("HTTP/1.1 101 "), accepted);
        assertTrue(accepted.toLowerCase().contains("sec-websocket-protocol: v5.channel.k8s.io"), accepted);

        GatewayFixture.Reply plain = cluster.gateway().request("GET",
                "/api/v1/namespaces/default/pods/web/exec?command=true&container=server", null, null);
        assertEquals(400, plain.status(), plain.body());
        assertTrue(plain.body().contains("Upgrade request required"), plain.body());

        String refused = upgrade("/api/v1/namespaces/default/pods/web/exec?command=true&container=nope&stdout=true");
        assertTrue(refused.startsWith("HTTP/1.1 400 "), refused);
        assertTrue(refused.contains("container nope is not valid for pod web"), refused);
    }

    /** A WebSocket upgrade as kubectl sends it; returns what came back first (the head, and a body if any). */
    private static String upgrade(String path) throws Exception {
        URI base = URI.create(cluster.gateway().baseUrl());
        try (java.net.Socket socket = io.kubus.gateway.testing.TestPki.adminSocket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            String request = "GET " + path + " HTTP/1.1\r\nHost: " + base.getAuthority() + "\r\n"
                    + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            byte[] buffer = new byte[8192];
            int n = socket.getInputStream().read(buffer);
            String head = new String(buffer, 0, Math.max(n, 0), StandardCharsets.ISO_8859_1);
            if (head.startsWith("HTTP/1.1 400") && !head.contains("{")) {
                n = socket.getInputStream().read(buffer);
                head += new String(buffer, 0, Math.max(n, 0), StandardCharsets.ISO_8859_1);
            }
            return head;
        }
    }

    // ---- helpers ----



    private interface Output {
        String get() throws Exception;
    }

    private static String awaitOutput(Output output, String text) throws Exception {
        String out = "";
        for (int i = 0; i < 40 && !out.contains(text); i++) {
            out = output.get();
            Thread.sleep(250);
        }
        return out;
    }


}

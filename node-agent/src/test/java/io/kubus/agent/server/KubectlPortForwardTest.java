package io.kubus.agent.server;

import io.kubus.agent.node.DockerNode;
import io.kubus.agent.node.PodWaits;
import io.kubus.gateway.testing.Kubectl;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code kubectl port-forward} with the real kubectl 1.32 through the api-gateway to a node agent on the real
 * Docker engine: the WebSocket-tunnelled SPDY session relayed by the gateway, the {@code portforward.k8s.io} streams
 * served by the agent, which connects to the pod's IP. Fails, never skips, without Docker.
 */
class KubectlPortForwardTest {
    private static final Pattern FORWARDING = Pattern.compile("Forwarding from 127\\.0\\.0\\.1:(\\d+) -> (\\d+)");

    @RegisterExtension
    static final DockerNode cluster = new DockerNode("pf-node", Map.of("kubus.agent.host-ip", "127.0.0.1"));

    @BeforeAll
    static void start() throws Exception {
        cluster.apply("web", """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: web
                  labels: {app: web}
                spec:
                  nodeName: %s
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: server
                    image: kubus/busybox:1
                    command: ["sh", "-c", "mkdir -p /www && echo hello-from-web > /www/index.html && exec httpd -f -p 80 -h /www"]
                """.formatted(cluster.node()));
        cluster.apply("web-svc", """
                apiVersion: v1
                kind: Service
                metadata:
                  name: web
                spec:
                  selector: {app: web}
                  ports:
                  - port: 8080
                    targetPort: 80
                """);
        cluster.await("web", p -> "Running".equals(p.getStatus().getPhase()) && PodWaits.ready(p) == 1, 60);
    }

    @Test
    void aPodAnswersSeveralRequestsTwoAtOnce() throws Exception {
        Forward f = Forward.start("port-forward", "--address", "127.0.0.1", "pod/web", ":80");
        try {
            assertEquals(80, f.remote);
            for (int i = 0; i < 3; i++) {
                assertTrue(get(f.local).endsWith("hello-from-web\n"), "request " + i);
            }
            CompletableFuture<String> a = CompletableFuture.supplyAsync(() -> get(f.local));
            CompletableFuture<String> b = CompletableFuture.supplyAsync(() -> get(f.local));
            assertTrue(a.get(20, TimeUnit.SECONDS).endsWith("hello-from-web\n"));
            assertTrue(b.get(20, TimeUnit.SECONDS).endsWith("hello-from-web\n"));
            assertTrue(f.process.isAlive(), "kubectl still forwards");
        } finally {
            f.stop();
        }
    }

    @Test
    void aServiceIsForwardedToAPodItSelectsOnItsTargetPort() throws Exception {
        Forward f = Forward.start("port-forward", "--address", "127.0.0.1", "svc/web", ":8080");
        try {
            assertEquals(80, f.remote, "kubectl maps the Service's port to its targetPort");
            assertTrue(get(f.local).endsWith("hello-from-web\n"));
        } finally {
            f.stop();
        }
    }

    @Test
    void aPortNobodyListensOnGivesTheClientTheKubeletsError() throws Exception {
        Forward f = Forward.start("port-forward", "--address", "127.0.0.1", "pod/web", ":81");
        try {
            try (Socket s = new Socket("127.0.0.1", f.local)) {
                s.setSoTimeout(20_000);
                // the agent ends the stream once its connect failed: the local connection closes without data
                assertEquals(-1, s.getInputStream().read());
            }
            String printed = f.awaitOutput("connection refused");
            assertTrue(printed.matches("(?s).*error forwarding port 81 to pod \\S+, uid : dial tcp [0-9.]+:81: "
                    + "connect: connection refused.*"), printed);
        } finally {
            f.stop();
        }
    }

    @Test
    void withoutPortForwardRightsAUserIsForbidden() throws Exception {
        cluster.apply("reader", """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata: {name: pod-reader}
                rules:
                - apiGroups: [""]
                  resources: [pods]
                  verbs: [get, list]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: {name: alice-reads}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}
                subjects:
                - {apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}
                """);
        Kubectl.Result r = cluster.kubectl().run(30, "--as=alice", "port-forward", "--address", "127.0.0.1",
                "pod/web", ":80");
        assertEquals(1, r.exitCode(), r.out() + r.err());
        assertTrue(r.err().contains("pods \"web\" is forbidden: User \"alice\" cannot")
                && r.err().contains("pods/portforward"), r.err());
    }

    @Test
    void theProxySubresourcesReachThePodAndAServicesEndpoint() throws Exception {
        String ip = cluster.api().get(io.kubus.schema.ResourceTypes.PODS, "default", "web", io.fabric8.kubernetes.api.model.Pod.class)
                .orElseThrow().getStatus().getPodIP();
        // a Service without a selector and the Endpoints its user keeps (no endpoints controller runs beside this node)
        cluster.apply("manual", """
                apiVersion: v1
                kind: Service
                metadata: {name: manual}
                spec:
                  ports: [{name: http, port: 8080, targetPort: 80}]
                ---
                apiVersion: v1
                kind: Endpoints
                metadata: {name: manual}
                subsets:
                - addresses: [{ip: %s}]
                  ports: [{name: http, port: 80}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: nobody}
                spec:
                  ports: [{port: 80}]
                """.formatted(ip));
        assertEquals("hello-from-web\n", cluster.kubectl().run(30, "get", "--raw",
                "/api/v1/namespaces/default/pods/web:80/proxy/index.html").ok().out());
        assertEquals("hello-from-web\n", cluster.kubectl().run(30, "get", "--raw",
                "/api/v1/namespaces/default/services/manual:http/proxy/index.html").ok().out(), "by port name");
        assertEquals("hello-from-web\n", cluster.kubectl().run(30, "get", "--raw",
                "/api/v1/namespaces/default/services/http:manual:8080/proxy/index.html").ok().out(), "by scheme and number");

        Kubectl.Result closed = cluster.kubectl().run(30, "get", "--raw", "/api/v1/namespaces/default/pods/web:81/proxy/");
        assertEquals(1, closed.exitCode());
        assertTrue(closed.err().contains("error trying to reach service: dial tcp " + ip + ":81: connect: connection refused"),
                closed.err());
        Kubectl.Result empty = cluster.kubectl().run(30, "get", "--raw", "/api/v1/namespaces/default/services/nobody/proxy/");
        assertTrue(empty.exitCode() == 1 && empty.err().contains("no endpoints available for service \"nobody\""), empty.err());
        Kubectl.Result noPort = cluster.kubectl().run(30, "get", "--raw", "/api/v1/namespaces/default/services/manual:9/proxy/");
        assertTrue(noPort.exitCode() == 1 && noPort.err().contains("no service port \"9\" found for service \"manual\""),
                noPort.err());
        // a loopback address is never dialled, whoever wrote it: Endpoints refuse it, and a pod's status (which its
        // node writes) is checked when proxied
        Files.writeString(cluster.dir().resolve("loop.yaml"), """
                apiVersion: v1
                kind: Endpoints
                metadata: {name: manual}
                subsets:
                - addresses: [{ip: 127.0.0.1}]
                  ports: [{name: http, port: 80}]
                """);
        Kubectl.Result loopEndpoints = cluster.kubectl().run(30, "apply", "-f", cluster.dir().resolve("loop.yaml").toString());
        assertTrue(loopEndpoints.exitCode() == 1 && loopEndpoints.err().contains("may not be in the loopback range"),
                loopEndpoints.err());
        cluster.apply("ghost", """
                apiVersion: v1
                kind: Pod
                metadata: {name: ghost}
                spec:
                  containers: [{name: c, image: kubus/busybox:1}]
                """);
        cluster.kubectl().run(30, "patch", "pod", "ghost", "--subresource=status", "--type=merge", "-p",
                "{\"status\":{\"podIP\":\"127.0.0.1\",\"podIPs\":[{\"ip\":\"127.0.0.1\"}]}}").ok();
        Kubectl.Result loop = cluster.kubectl().run(30, "get", "--raw", "/api/v1/namespaces/default/pods/ghost:80/proxy/");
        assertTrue(loop.exitCode() == 1 && loop.err().contains("address not allowed"), loop.err());
    }

    /** One HTTP/1.0 request on a connection of its own, which httpd closes after answering. */
    private static String get(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write("GET /index.html HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 200 OK"), answer);
            return answer;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A running {@code kubectl port-forward}, once it printed where it listens. */
    private record Forward(Process process, BufferedReader out, StringBuilder printed, int local, int remote) {
        static Forward start(String... args) throws IOException {
            Process p = cluster.kubectl().start(args);
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder printed = new StringBuilder();
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                printed.append(line).append('\n');
                Matcher m = FORWARDING.matcher(line);
                if (m.find()) {
                    Forward f = new Forward(p, out, printed, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
                    Thread.ofVirtual().start(f::drain);
                    return f;
                }
            }
            p.destroy();
            throw new AssertionError("kubectl port-forward ended: " + printed);
        }

        private void drain() {
            try {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    synchronized (printed) {
                        printed.append(line).append('\n');
                    }
                }
            } catch (IOException e) {
                // kubectl ended
            }
        }

        String awaitOutput(String text) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                synchronized (printed) {
                    if (printed.indexOf(text) >= 0) {
                        return printed.toString();
                    }
                }
                Thread.sleep(100);
            }
            synchronized (printed) {
                throw new AssertionError("kubectl did not print " + text + ": " + printed);
            }
        }

        void stop() throws InterruptedException {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

}

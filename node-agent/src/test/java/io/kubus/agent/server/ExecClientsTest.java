package io.kubus.agent.server;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.kubus.agent.node.DockerNode;
import io.kubus.agent.node.PodWaits;
import io.kubus.gateway.testing.Kubectl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exec through the gateway to a node agent on the real Docker engine, in each WebSocket protocol the kubelet serves:
 * the fabric8 client 7.4 (which offers only v4.channel.k8s.io) next to kubectl (v5) for the same commands, then each
 * protocol's framing message by message with the JDK's WebSocket client, and the refusal of protocols nobody serves.
 * Fails, never skips, without Docker.
 */
class ExecClientsTest {
    @RegisterExtension
    static final DockerNode cluster = new DockerNode("exec-node", Map.of("kubus.agent.host-ip", "127.0.0.1"));
    private static final String EXEC = "/api/v1/namespaces/default/pods/box/exec?container=main";
    private static final String SUCCESS = "{\"metadata\":{},\"status\":\"Success\"}";

    private static KubernetesClient client;
    private static final HttpClient http = io.kubus.gateway.testing.TestPki.adminHttp();

    @BeforeAll
    static void start() throws Exception {
        cluster.apply("box", """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: box
                spec:
                  nodeName: %s
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: main
                    image: kubus/busybox:1
                    command: ["sleep", "3600"]
                """.formatted(cluster.node()));
        cluster.await("box", p -> "Running".equals(p.getStatus().getPhase()) && PodWaits.ready(p) == 1, 60);
        client = new KubernetesClientBuilder().withConfig(io.kubus.gateway.testing.TestPki.fabric8Admin(cluster.gateway().baseUrl())
                .withNamespace("default").withRequestTimeout(30_000).build())
                .build();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
    }

    // ---- fabric8 (v4) next to kubectl (v5) ----

    @Test
    void fabric8AndKubectlGetTheSameOutputAndExitCode() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ExecWatch watch = client.pods().withName("box").inContainer("main").writingOutput(out).writingError(err)
                .exec("sh", "-c", "echo hi; echo oops >&2; exit 3")) {
            assertEquals(3, watch.exitCode().get(30, TimeUnit.SECONDS), "fabric8 reads the v4 Status's exit code");
        }
        Kubectl.Result k = cluster.kubectl().run("exec", "box", "-c", "main", "--", "sh", "-c", "echo hi; echo oops >&2; exit 3");
        assertEquals(3, k.exitCode());
        assertEquals(k.out(), out.toString(StandardCharsets.UTF_8));
        assertTrue(k.err().startsWith(err.toString(StandardCharsets.UTF_8)), k.err());

        try (ExecWatch ok = client.pods().withName("box").inContainer("main").writingOutput(out).exec("true")) {
            assertEquals(0, ok.exitCode().get(30, TimeUnit.SECONDS));
        }
        assertEquals(0, cluster.kubectl().run("exec", "box", "-c", "main", "--", "true").exitCode());
    }

    @Test
    void fabric8SendsStdin() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ExecWatch watch = client.pods().withName("box").inContainer("main").redirectingInput().writingOutput(out)
                .exec("head", "-c", "5")) {
            // v4 cannot end stdin (no CLOSE message): the command ends by itself after five bytes.
            watch.getInput().write("hello, and more".getBytes(StandardCharsets.UTF_8));
            watch.getInput().flush();
            assertEquals(0, watch.exitCode().get(30, TimeUnit.SECONDS));
        }
        assertEquals("hello", out.toString(StandardCharsets.UTF_8));
    }

    // ---- each protocol's framing ----

    @Test
    void v4SendsTheStatusOnChannel3() throws Exception {
        Session s = open(EXEC + "&command=echo&command=hi&stdout=true", "v4.channel.k8s.io");
        assertEquals("v4.channel.k8s.io", s.ws.getSubprotocol());
        assertEquals("bin 1:", s.next(), "the kubelet's first message: empty, on stdout");
        assertEquals("bin 1:hi\n", s.next());
        assertEquals("bin 3:" + SUCCESS, s.next());
        assertEquals("close 1000", s.next());
    }

    @Test
    void v4IgnoresACloseMessageAsTheKubeletDoes() throws Exception {
        Session s = open(EXEC + "&command=head&command=-c&command=3&stdin=true&stdout=true", "v4.channel.k8s.io");
        assertEquals("bin 1:", s.next());
        s.send(new byte[]{(byte) 255, 0}); // v5's end of stdin: a message for channel 255 under v4, dropped
        s.send(new byte[]{0, 'a', 'b', 'c'});
        assertEquals("bin 1:abc", s.next(), "stdin was still open");
        assertEquals("bin 3:" + SUCCESS, s.next());
    }

    @Test
    void v5EndsStdinWithACloseMessage() throws Exception {
        Session s = open(EXEC + "&command=cat&stdin=true&stdout=true", "v5.channel.k8s.io");
        assertEquals("bin 1:", s.next());
        s.send(new byte[]{0, 'x', 'y'});
        s.send(new byte[]{(byte) 255, 0});
        assertEquals("bin 1:xy", s.next());
        assertEquals("bin 3:" + SUCCESS, s.next(), "cat saw the end of its input");
    }

    @Test
    void channelK8sIoSendsOnlyTheMessageOfAFailure() throws Exception {
        Session ok = open(EXEC + "&command=echo&command=hi&stdout=true", "channel.k8s.io");
        assertEquals("bin 1:", ok.next());
        assertEquals("bin 1:hi\n", ok.next());
        assertEquals("close 1000", ok.next(), "nothing on channel 3 for a success");

        Session failed = open(EXEC + "&command=false&stdout=true", "channel.k8s.io");
        assertEquals("bin 1:", failed.next());
        assertEquals("bin 3:command terminated with non-zero exit code: error executing command [false], exit code 1",
                failed.next());
    }

    @Test
    void noOfferedProtocolIsChannelK8sIo() throws Exception {
        Session s = open(EXEC + "&command=echo&command=hi&stdout=true");
        assertEquals("", s.ws.getSubprotocol());
        assertEquals("bin 1:", s.next());
        assertEquals("bin 1:hi\n", s.next());
        assertEquals("close 1000", s.next());
    }

    @Test
    void base64ProtocolsSendTextWithADigitChannel() throws Exception {
        Session s = open(EXEC + "&command=cat&stdin=true&stdout=true", "v4.base64.channel.k8s.io");
        assertEquals("text 1", s.next());
        // cat ends when the socket closes, v4 having no way to end stdin
        s.ws.sendText("0" + Base64.getEncoder().encodeToString("hey".getBytes(StandardCharsets.UTF_8)), true)
                .get(10, TimeUnit.SECONDS);
        assertEquals("text 1" + Base64.getEncoder().encodeToString("hey".getBytes(StandardCharsets.UTF_8)), s.next());
        s.ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);

        Session failed = open(EXEC + "&command=false&stdout=true", "base64.channel.k8s.io");
        assertEquals("text 1", failed.next());
        assertEquals("text 3" + Base64.getEncoder().encodeToString(("command terminated with non-zero exit code: "
                + "error executing command [false], exit code 1").getBytes(StandardCharsets.UTF_8)), failed.next());
    }

    @Test
    void theClientsFirstSupportedOfferWins() throws Exception {
        assertEquals("v4.channel.k8s.io", open(EXEC + "&command=true&stdout=true",
                "x.unknown.k8s.io", "v4.channel.k8s.io", "v5.channel.k8s.io").ws.getSubprotocol());
        assertEquals("v5.channel.k8s.io", open(EXEC + "&command=true&stdout=true",
                "v5.channel.k8s.io", "v4.channel.k8s.io").ws.getSubprotocol());
    }

    @Test
    void stdinTrueAsPythonSendsItIsTrue() throws Exception {
        // The Python client writes booleans as True/False; kube-apiserver reads them as any other value but 0/false.
        Session s = open(EXEC + "&command=head&command=-c&command=2&stdin=True&stdout=True&stderr=False", "v4.channel.k8s.io");
        assertEquals("bin 1:", s.next());
        s.send(new byte[]{0, 'o', 'k'});
        assertEquals("bin 1:ok", s.next());
    }

    // ---- refused ----

    @Test
    void protocolsNobodyServesAreRefusedAfterThePodChecks() throws Exception {
        String r = upgrade(EXEC + "&command=true&stdout=true", "v3.channel.k8s.io, foo");
        assertTrue(r.startsWith("HTTP/1.1 403 "), r);
        assertTrue(r.endsWith("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                + "\"message\":\"requested protocol(s) are not supported: [v3.channel.k8s.io foo]; supports "
                + "[v5.channel.k8s.io v5.base64.channel.k8s.io v4.channel.k8s.io v4.base64.channel.k8s.io "
                + "channel.k8s.io base64.channel.k8s.io]\",\"reason\":\"Forbidden\",\"code\":403}"), r);
        String missingPod = upgrade("/api/v1/namespaces/default/pods/ghost/exec?command=true", "foo");
        assertTrue(missingPod.startsWith("HTTP/1.1 404 "), "the pod is checked first: " + missingPod);
    }

    // ---- helpers ----

    private static Session open(String pathAndQuery, String... protocols) throws Exception {
        Session s = new Session();
        WebSocket.Builder b = http.newWebSocketBuilder();
        if (protocols.length > 0) {
            b.subprotocols(protocols[0], java.util.Arrays.copyOfRange(protocols, 1, protocols.length));
        }
        s.ws = b.buildAsync(URI.create(cluster.gateway().baseUrl().replace("https:", "wss:") + pathAndQuery), s)
                .get(30, TimeUnit.SECONDS);
        return s;
    }

    /** A raw upgrade, for answers that are no 101: the head and the body as they arrive. */
    private static String upgrade(String path, String protocols) throws IOException {
        URI base = URI.create(cluster.gateway().baseUrl());
        try (Socket socket = io.kubus.gateway.testing.TestPki.adminSocket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(20_000);
            String request = "GET " + path + " HTTP/1.1\r\nHost: " + base.getAuthority() + "\r\n"
                    + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: " + protocols + "\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder text = new StringBuilder();
            byte[] buffer = new byte[8192];
            int contentLength = -1;
            while (true) {
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                int headEnd = text.indexOf("\r\n\r\n");
                if (headEnd >= 0) {
                    String head = text.substring(0, headEnd).toLowerCase();
                    int at = head.indexOf("content-length:");
                    contentLength = at < 0 ? 0 : Integer.parseInt(head.substring(at + 15).split("\r\n")[0].trim());
                    if (text.length() - headEnd - 4 >= contentLength) {
                        break;
                    }
                }
            }
            return text.toString();
        }
    }

    /** The messages of one exec as "bin C:data", "text DATA" and "close CODE". */
    private static final class Session implements WebSocket.Listener {
        WebSocket ws;
        private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        private final StringBuilder partialText = new StringBuilder();
        private final List<String> all = new ArrayList<>();

        String next() throws InterruptedException {
            String m = messages.poll(30, TimeUnit.SECONDS);
            assertNotNull(m, "a message within 30 s after " + all);
            all.add(m);
            return m;
        }

        void send(byte[] message) throws Exception {
            ws.sendBinary(ByteBuffer.wrap(message), true).get(10, TimeUnit.SECONDS);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            partial.writeBytes(bytes);
            if (last) {
                byte[] m = partial.toByteArray();
                partial.reset();
                messages.add("bin " + (m[0] & 0xff) + ":" + new String(m, 1, m.length - 1, StandardCharsets.UTF_8));
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partialText.append(data);
            if (last) {
                messages.add("text " + partialText);
                partialText.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            messages.add("close " + statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            messages.add("error " + error);
        }
    }
}

package io.kubus.agent.server;

import io.fabric8.kubernetes.api.model.Node;
import io.kubus.agent.node.AgentFixture;
import io.kubus.client.api.KubusApi;
import io.kubus.client.tls.AnyServer;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.gateway.testing.TestPki;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The node agent's port serves exec and logs: probed as a stranger would, it answers nobody but the gateway —
 * plain HTTP gets no HTTP answer, TLS without a client certificate fails in the handshake, a certificate of another
 * identity of the cluster gets 403, and the gateway's kubelet-client certificate is served.
 */
class AgentPortTest {
    @TempDir
    Path dir;

    @Test
    void onlyTheGatewaysCertificateIsServed() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.start();
             ApplicationContext agent = AgentFixture.start(gateway, dir, Map.of("kubus.agent.runtime", "simulated",
                     "kubus.agent.node-name", "port-node"));
             KubusApi api = new KubusApi(gateway.clientConfig())) {
            int port = awaitPort(api);
            String exec = "/exec/default/p/c?command=id";

            try (Socket plain = new Socket("127.0.0.1", port)) {
                plain.setSoTimeout(5000);
                plain.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] answer = plain.getInputStream().readNBytes(12);
                assertTrue(answer.length == 0 || !new String(answer, StandardCharsets.US_ASCII).startsWith("HTTP/"),
                        "plain HTTP gets no HTTP answer: " + new String(answer, StandardCharsets.US_ASCII));
            } catch (IOException expected) {
                // reset by the TLS layer
            }
            HttpClient anonymous = HttpClient.newBuilder().sslContext(AnyServer.context(null)).build();
            assertThrows(IOException.class, () -> get(anonymous, port, "/healthz"), "no client certificate: no handshake");
            HttpClient admin = HttpClient.newBuilder().sslContext(AnyServer.context(TestPki.admin())).build();
            assertEquals(403, get(admin, port, "/healthz").statusCode(), "the cluster's administrator is not the gateway");
            assertEquals(403, get(admin, port, exec).statusCode());
            HttpClient node = HttpClient.newBuilder().sslContext(AnyServer.context(
                    TestPki.identity("system:node:port-node", "system:nodes"))).build();
            assertEquals(403, get(node, port, "/containerLogs/default/p/c").statusCode());
            HttpClient gatewayIdentity = HttpClient.newBuilder().sslContext(AnyServer.context(
                    TestPki.identity(io.kubus.client.tls.Identities.KUBELET_CLIENT))).build();
            assertEquals(200, get(gatewayIdentity, port, "/healthz").statusCode());
        }
    }

    private static HttpResponse<String> get(HttpClient client, int port, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int awaitPort(KubusApi api) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            var n = api.get(ResourceTypes.NODES, "", "port-node", Node.class);
            if (n.isPresent() && n.get().getStatus() != null && n.get().getStatus().getDaemonEndpoints() != null) {
                return n.get().getStatus().getDaemonEndpoints().getKubeletEndpoint().getPort();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the node did not register");
    }
}

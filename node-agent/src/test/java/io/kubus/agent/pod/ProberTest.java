package io.kubus.agent.pod;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HTTPGetActionBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.TCPSocketActionBuilder;
import io.kubus.agent.runtime.simulated.SimulatedRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The httpGet and tcpSocket handlers against a local server: status codes, redirects, named ports, refusals. */
class ProberTest {
    private HttpServer server;
    private int port;
    private final Prober prober = new Prober(new SimulatedRuntime("n", Duration.ZERO, Clock.systemUTC()));

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ok", x -> {
            x.sendResponseHeaders(200, 2);
            x.getResponseBody().write("ok".getBytes());
            x.close();
        });
        server.createContext("/broken", x -> {
            x.sendResponseHeaders(500, -1);
            x.close();
        });
        server.createContext("/moved", x -> {
            x.getResponseHeaders().add("Location", "/ok");
            x.sendResponseHeaders(302, -1);
            x.close();
        });
        server.createContext("/agent", x -> {
            boolean kube = x.getRequestHeaders().getFirst("User-Agent").startsWith("kube-probe/")
                    && "yes".equals(x.getRequestHeaders().getFirst("X-Custom"));
            x.sendResponseHeaders(kube ? 204 : 400, -1);
            x.close();
        });
        server.start();
        port = server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void httpGetPassesOn2xxAnd3xxAndFailsOtherwise() {
        Container c = new ContainerBuilder().withName("web").addNewPort().withName("http").withContainerPort(port)
                .endPort().build();
        assertTrue(http(c, "/ok", new IntOrString("http")).success(), "a named port resolves");
        assertTrue(http(c, "/moved", new IntOrString(port)).success(), "redirects are followed");
        ProbeResult broken = http(c, "/broken", new IntOrString(port));
        assertFalse(broken.success());
        assertEquals("HTTP probe failed with statuscode: 500", broken.message());
        assertEquals("HTTP probe failed with statuscode: 404", http(c, "/missing", new IntOrString(port)).message());
        ProbeResult headers = prober.run(new Prober.Handler(null, new HTTPGetActionBuilder().withHost("127.0.0.1")
                .withPath("/agent").withPort(new IntOrString(port)).addNewHttpHeader("X-Custom", "yes").build(), null),
                c, "id", null, Duration.ofSeconds(2));
        assertTrue(headers.success(), "the kube-probe user agent and the probe's headers are sent");
        ProbeResult unknownPort = http(c, "/ok", new IntOrString("nope"));
        assertFalse(unknownPort.success());
        assertTrue(unknownPort.message().contains("couldn't find port: nope"), unknownPort.message());
    }

    @Test
    void refusedConnectionsFailWithTheAddress() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Container c = new ContainerBuilder().withName("web").build();
        ProbeResult r = http(c, "/", new IntOrString(closed));
        assertFalse(r.success());
        assertEquals("Get \"http://127.0.0.1:" + closed + "/\": connect: connection refused", r.message());
        ProbeResult tcp = prober.run(new Prober.Handler(null, null, new TCPSocketActionBuilder()
                .withPort(new IntOrString(closed)).build()), c, "id", "127.0.0.1", Duration.ofSeconds(1));
        assertEquals("dial tcp 127.0.0.1:" + closed + ": connect: connection refused", tcp.message());
        assertTrue(prober.run(new Prober.Handler(null, null, new TCPSocketActionBuilder()
                .withPort(new IntOrString(port)).build()), c, "id", "127.0.0.1", Duration.ofSeconds(1)).success());
        assertEquals("pod has no IP yet", prober.run(new Prober.Handler(null, null, new TCPSocketActionBuilder()
                .withPort(new IntOrString(port)).build()), c, "id", null, Duration.ofSeconds(1)).message());
    }

    private ProbeResult http(Container c, String path, IntOrString p) {
        return prober.run(new Prober.Handler(null, new HTTPGetActionBuilder().withPath(path).withPort(p).build(), null),
                c, "id", "127.0.0.1", Duration.ofSeconds(2));
    }
}

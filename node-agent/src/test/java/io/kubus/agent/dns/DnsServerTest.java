package io.kubus.agent.dns;

import io.netty.handler.codec.dns.DnsRecordType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The DNS server over real UDP and TCP sockets on 127.0.0.1: cluster names answered, other names forwarded to an
 * upstream (a second server of this kind, for another zone), SERVFAIL when the upstream is silent, and large answers
 * truncated over UDP but whole over TCP.
 */
class DnsServerTest {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    static final ClusterZoneTest.Catalog catalog = new ClusterZoneTest.Catalog();
    static final ClusterZoneTest.Catalog upstreamCatalog = new ClusterZoneTest.Catalog();
    static DnsServer upstream;
    static DnsServer server;
    static DnsClient client;

    @BeforeAll
    static void start() throws Exception {
        catalog.services.add(ClusterZoneTest.clusterIp("default", "web", List.of("10.96.0.20"), "http/TCP"));
        catalog.services.add(ClusterZoneTest.headless("default", "db", false));
        List<String> many = new ArrayList<>();
        for (int i = 1; i <= 60; i++) {
            many.add("172.17.1." + i);
        }
        catalog.slices.add(ClusterZoneTest.slice("default", "db", "db-1", "IPv4", many.toArray(String[]::new)));
        upstreamCatalog.services.add(ClusterZoneTest.clusterIp("default", "far", List.of("10.200.0.9")));
        upstream = new DnsServer(LOOPBACK, 0, new ClusterZone("upstream.test", 7, upstreamCatalog, 1),
                new Forwarder(List.of(), Duration.ofSeconds(1)));
        server = new DnsServer(LOOPBACK, 0, new ClusterZone("cluster.local", 5, catalog, 1),
                new Forwarder(List.of(upstream.address()), Duration.ofSeconds(2)));
        client = new DnsClient();
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[]{client, server, upstream}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // the next one still closes
            }
        }
    }

    @Test
    void answersClusterNamesOverUdpAndTcpOnOnePort() throws Exception {
        for (boolean tcp : new boolean[]{false, true}) {
            DnsClient.Reply r = client.ask(server.address(), "web.default.svc.cluster.local.", DnsRecordType.A, tcp);
            assertEquals("NoError(0)", r.rcode(), "tcp=" + tcp);
            assertTrue(r.authoritative());
            assertEquals(List.of("A web.default.svc.cluster.local. 5 10.96.0.20"), r.answers());
        }
    }

    @Test
    void nxdomainCarriesTheSoa() throws Exception {
        DnsClient.Reply r = client.ask(server.address(), "nope.default.svc.cluster.local.", DnsRecordType.A, false);
        assertEquals("NXDomain(3)", r.rcode());
        assertEquals(1, r.authority().size());
        assertTrue(r.authority().getFirst().startsWith("SOA cluster.local. 5 "), r.authority().toString());
    }

    @Test
    void srvNamesTheServiceAndAddsItsAddress() throws Exception {
        DnsClient.Reply r = client.ask(server.address(), "_http._tcp.web.default.svc.cluster.local.",
                DnsRecordType.SRV, false);
        assertEquals(List.of("SRV _http._tcp.web.default.svc.cluster.local. 5 0 100 80 web.default.svc.cluster.local."),
                r.answers());
        assertEquals(List.of("A web.default.svc.cluster.local. 5 10.96.0.20"), r.additional());
    }

    @Test
    void otherNamesAreForwardedOverTheTransportTheyCameOn() throws Exception {
        for (boolean tcp : new boolean[]{false, true}) {
            DnsClient.Reply r = client.ask(server.address(), "far.default.svc.upstream.test.", DnsRecordType.A, tcp);
            // the upstream's own answer: its TTL (7), not this server's
            assertEquals(List.of("A far.default.svc.upstream.test. 7 10.200.0.9"), r.answers(), "tcp=" + tcp);
        }
    }

    @Test
    void silentUpstreamsMeanServfailWithinTheForwardTimeout() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, LOOPBACK);
             DnsServer lonely = new DnsServer(LOOPBACK, 0, new ClusterZone("cluster.local", 5, catalog, 1),
                     new Forwarder(List.of(new InetSocketAddress(LOOPBACK, silent.getLocalPort())),
                             Duration.ofMillis(300)))) {
            long start = System.nanoTime();
            DnsClient.Reply r = client.ask(lonely.address(), "example.com.", DnsRecordType.A, false);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals("ServFail(2)", r.rcode());
            assertTrue(millis >= 250 && millis < 2_000, "answered after " + millis + " ms");
        }
    }

    @Test
    void largeAnswersAreTruncatedOverUdpAndWholeOverTcp() throws Exception {
        DnsClient.Reply udp = client.ask(server.address(), "db.default.svc.cluster.local.", DnsRecordType.A, false);
        assertTrue(udp.truncated());
        assertTrue(udp.answers().isEmpty());
        DnsClient.Reply tcp = client.ask(server.address(), "db.default.svc.cluster.local.", DnsRecordType.A, true);
        assertFalse(tcp.truncated());
        assertEquals(60, tcp.answers().size());
    }

    @Test
    void answersQuickly() throws Exception {
        int n = 500;
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            client.ask(server.address(), "web.default.svc.cluster.local.", DnsRecordType.A, false);
        }
        double micros = (System.nanoTime() - start) / 1_000.0 / n;
        System.out.printf("DnsServerTest: %d sequential UDP questions, %.0f µs each (client included)%n", n, micros);
        assertTrue(micros < 20_000, micros + " µs per question");
    }
}

package io.kubus.gateway.bootstrap;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.kubus.broker.EmbeddedKafkaBroker;
import io.kubus.client.api.KubusApi;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.gateway.testing.Kubectl;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Services the gateway keeps: {@code kubernetes} in {@code default}, made at the gateway's start with the range's
 * first address and the gateway's advertised address and port as its endpoints, and made again after a deletion; and
 * {@code kube-dns} in {@code kube-system}, at its address, without endpoints, made again and repaired likewise.
 */
class KubernetesServiceTest {
    @TempDir
    static Path dir;
    private static GatewayFixture gw;
    private static KubusApi api;
    private static Kubectl kubectl;
    private static int port;

    @BeforeAll
    static void start() {
        gw = GatewayFixture.start(EmbeddedKafkaBroker.startTemporary(), true, GatewayFixture.h2InMemory(),
                Map.of("kubus.gateway.kubernetes-service-interval", "300ms", "kubus.gateway.advertise-address", "192.0.2.7"));
        api = new KubusApi(gw.clientConfig());
        kubectl = new Kubectl(gw.writeKubeconfig(dir), dir);
        port = URI.create(gw.baseUrl()).getPort();
    }

    @AfterAll
    static void stop() {
        api.close();
        gw.close();
    }

    private static <T> T await(String what, Supplier<Optional<T>> probe) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<T> v = probe.get();
            if (v.isPresent()) {
                return v.get();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    private static Service service() throws InterruptedException {
        return await("the kubernetes Service", () -> api.get(ResourceTypes.SERVICES, "default", "kubernetes", Service.class));
    }

    private static Endpoints endpoints() throws InterruptedException {
        return await("its Endpoints", () -> api.get(ResourceTypes.ENDPOINTS, "default", "kubernetes", Endpoints.class));
    }

    private static EndpointSlice slice() throws InterruptedException {
        return await("its EndpointSlice", () -> api.get(ResourceTypes.ENDPOINTSLICES, "default", "kubernetes",
                EndpointSlice.class));
    }

    @Test
    void theServiceAndItsEndpointsExistAfterStartAndComeBack() throws Exception {
        Service svc = service();
        assertEquals("10.96.0.1", svc.getSpec().getClusterIP());
        assertTrue(svc.getSpec().getSelector() == null || svc.getSpec().getSelector().isEmpty(), "no selector");
        assertEquals("https", svc.getSpec().getPorts().getFirst().getName());
        assertEquals(443, svc.getSpec().getPorts().getFirst().getPort());
        assertEquals(port, svc.getSpec().getPorts().getFirst().getTargetPort().getIntVal());
        Endpoints ep = endpoints();
        assertEquals("192.0.2.7", ep.getSubsets().getFirst().getAddresses().getFirst().getIp());
        assertEquals(port, ep.getSubsets().getFirst().getPorts().getFirst().getPort());
        EndpointSlice slice = slice();
        assertEquals("192.0.2.7", slice.getEndpoints().getFirst().getAddresses().getFirst());
        assertEquals("kubernetes", slice.getMetadata().getLabels().get("kubernetes.io/service-name"));

        String table = kubectl.run("get", "service", "kubernetes").ok().out();
        assertTrue(table.matches("(?s)NAME\\s+TYPE\\s+CLUSTER-IP\\s+EXTERNAL-IP\\s+PORT\\(S\\)\\s+AGE\\s+"
                + "kubernetes\\s+ClusterIP\\s+10\\.96\\.0\\.1\\s+<none>\\s+443/TCP\\s+\\S+\\s*"), table);
        assertTrue(kubectl.run("get", "endpoints", "kubernetes").ok().out().contains("192.0.2.7:" + port));

        // No other Service gets the address by chance, and what is deleted comes back.
        Service other = api.create(ResourceTypes.SERVICES, new ServiceBuilder().withNewMetadata().withName("other")
                .withNamespace("default").endMetadata().withNewSpec().addNewPort().withPort(80).endPort().endSpec().build());
        assertNotEquals("10.96.0.1", other.getSpec().getClusterIP());
        kubectl.run("delete", "service", "kubernetes").ok();
        kubectl.run("delete", "endpoints", "kubernetes").ok();
        kubectl.run("delete", "endpointslice", "kubernetes").ok();
        Service again = service();
        assertNotEquals(svc.getMetadata().getUid(), again.getMetadata().getUid());
        assertEquals("10.96.0.1", again.getSpec().getClusterIP());
        assertEquals("192.0.2.7", endpoints().getSubsets().getFirst().getAddresses().getFirst().getIp());
        slice();
    }

    private static Service kubeDns() throws InterruptedException {
        return await("the kube-dns Service", () -> api.get(ResourceTypes.SERVICES, "kube-system", "kube-dns", Service.class));
    }

    @Test
    void theKubeDnsServiceIsKubeadmsWithoutEndpointsAndComesBack() throws Exception {
        Service dns = kubeDns();
        assertEquals("10.96.0.10", dns.getSpec().getClusterIP());
        assertEquals(List.of("10.96.0.10"), dns.getSpec().getClusterIPs());
        assertEquals(Map.of("k8s-app", "kube-dns", "kubernetes.io/cluster-service", "true",
                "kubernetes.io/name", "CoreDNS"), dns.getMetadata().getLabels());
        assertTrue(dns.getSpec().getSelector() == null || dns.getSpec().getSelector().isEmpty(), "no selector");
        assertEquals(List.of("dns 53 UDP 53", "dns-tcp 53 TCP 53"), dns.getSpec().getPorts().stream()
                .map(p -> p.getName() + " " + p.getPort() + " " + p.getProtocol() + " " + p.getTargetPort().getIntVal())
                .toList());
        String table = kubectl.run("get", "service", "-n", "kube-system", "kube-dns").ok().out();
        assertTrue(table.matches("(?s).*kube-dns\\s+ClusterIP\\s+10\\.96\\.0\\.10\\s+<none>\\s+53/UDP,53/TCP\\s+.*"), table);
        // the node agents answer it, not endpoints: there are none
        Kubectl.Result endpoints = kubectl.run("get", "endpoints", "-n", "kube-system", "kube-dns");
        assertTrue(endpoints.exitCode() != 0 && endpoints.err().contains("endpoints \"kube-dns\" not found"),
                endpoints.toString());

        // its address is taken; what is changed is put back, what is deleted comes back
        Kubectl.Result taken = kubectl.run("create", "service", "clusterip", "thief", "--tcp=53",
                "--clusterip=10.96.0.10");
        assertTrue(taken.exitCode() != 0 && taken.err().contains("provided IP is already allocated"), taken.toString());
        kubectl.run("patch", "service", "-n", "kube-system", "kube-dns", "--type=json",
                "-p", "[{\"op\":\"remove\",\"path\":\"/spec/ports/1\"}]").ok();
        await("the dns-tcp port back", () -> api.get(ResourceTypes.SERVICES, "kube-system", "kube-dns", Service.class)
                .filter(s -> s.getSpec().getPorts().size() == 2));
        kubectl.run("delete", "service", "-n", "kube-system", "kube-dns").ok();
        Service again = kubeDns();
        assertNotEquals(dns.getMetadata().getUid(), again.getMetadata().getUid());
        assertEquals("10.96.0.10", again.getSpec().getClusterIP());
    }
}

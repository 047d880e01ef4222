package io.kubus.agent.dns;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static io.kubus.agent.dns.ClusterZone.A;
import static io.kubus.agent.dns.ClusterZone.AAAA;
import static io.kubus.agent.dns.ClusterZone.CNAME;
import static io.kubus.agent.dns.ClusterZone.NOERROR;
import static io.kubus.agent.dns.ClusterZone.NXDOMAIN;
import static io.kubus.agent.dns.ClusterZone.SOA;
import static io.kubus.agent.dns.ClusterZone.SRV;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cluster zone's answers, from Services and EndpointSlices as the controllers write them. */
class ClusterZoneTest {

    /** A fixed catalog: the Services and slices a test names. */
    static final class Catalog implements ServiceCatalog {
        final List<Service> services = new ArrayList<>();
        final List<EndpointSlice> slices = new ArrayList<>();
        boolean synced = true;

        @Override
        public List<Service> services() {
            return services;
        }

        @Override
        public Optional<Service> service(String namespace, String name) {
            return services.stream().filter(s -> s.getMetadata().getNamespace().equals(namespace)
                    && s.getMetadata().getName().equals(name)).findFirst();
        }

        @Override
        public boolean hasSynced() {
            return synced;
        }

        @Override
        public List<EndpointSlice> slices(String namespace, String serviceName) {
            return slices.stream().filter(s -> s.getMetadata().getNamespace().equals(namespace)
                    && serviceName.equals(s.getMetadata().getLabels().get("kubernetes.io/service-name"))).toList();
        }
    }

    static Service clusterIp(String ns, String name, List<String> ips, String... namedPorts) {
        ServiceBuilder b = new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(ips.getFirst()).withClusterIPs(ips).endSpec();
        int port = 80;
        for (String p : namedPorts) {
            String[] parts = p.split("/");
            b.editSpec().addNewPort().withName(parts[0]).withProtocol(parts[1]).withPort(port++).endPort().endSpec();
        }
        return b.build();
    }

    static Service headless(String ns, String name, boolean publishNotReady) {
        return new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withClusterIP("None").withClusterIPs("None")
                .withPublishNotReadyAddresses(publishNotReady)
                .addNewPort().withName("web").withProtocol("TCP").withPort(80).endPort().endSpec().build();
    }

    /** A slice with endpoints given as {@code ip[/hostname][!]} ({@code !}: not ready) and port web/TCP 8080. */
    static EndpointSlice slice(String ns, String service, String name, String type, String... endpoints) {
        EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withNamespace(ns).withName(name)
                .withLabels(Map.of("kubernetes.io/service-name", service)).endMetadata()
                .withAddressType(type)
                .addNewPort().withName("web").withProtocol("TCP").withPort(8080).endPort();
        for (String e : endpoints) {
            boolean ready = !e.endsWith("!");
            String[] parts = e.replace("!", "").split("/");
            b.addToEndpoints(new EndpointBuilder().withAddresses(parts[0])
                    .withHostname(parts.length > 1 ? parts[1] : null)
                    .withNewConditions().withReady(ready).endConditions().build());
        }
        return b.build();
    }

    final Catalog catalog = new Catalog();
    final ClusterZone zone = new ClusterZone("cluster.local", 5, catalog, 42);

    ClusterZone.Answer ask(String name, int type) {
        return zone.answer(name, type).orElseThrow(() -> new AssertionError(name + " is not in the zone"));
    }

    static Set<String> data(List<ClusterZone.Record> records) {
        return records.stream().map(r -> switch (r.data()) {
            case ClusterZone.Address a -> a.address().getHostAddress();
            case ClusterZone.Target t -> t.name();
            case ClusterZone.Srv s -> s.priority() + " " + s.weight() + " " + s.port() + " " + s.target();
            case ClusterZone.Soa s -> "SOA " + s.mname();
        }).collect(Collectors.toSet());
    }

    @Test
    void clusterIpServiceAnswersItsAddressOfTheFamilyAskedAndNodataForTheOther() {
        catalog.services.add(clusterIp("default", "web", List.of("10.96.0.20")));
        ClusterZone.Answer a = ask("Web.Default.svc.cluster.local.", A);
        assertEquals(NOERROR, a.rcode());
        assertEquals(Set.of("10.96.0.20"), data(a.answers()));
        assertEquals("web.default.svc.cluster.local", a.answers().getFirst().name());
        assertEquals(5, a.answers().getFirst().ttl());

        ClusterZone.Answer v6 = ask("web.default.svc.cluster.local", AAAA);
        assertEquals(NOERROR, v6.rcode());
        assertTrue(v6.answers().isEmpty());
        assertEquals(SOA, v6.authority().getFirst().type(), "NODATA carries the zone's SOA");
    }

    @Test
    void dualStackServiceAnswersAaaa() {
        catalog.services.add(clusterIp("default", "web", List.of("10.96.0.20", "fd00:10:96::20")));
        assertEquals(Set.of("fd00:10:96:0:0:0:0:20"), data(ask("web.default.svc.cluster.local", AAAA).answers()));
    }

    @Test
    void missingNamesAreNxdomainWithTheSoa() {
        catalog.services.add(clusterIp("default", "web", List.of("10.96.0.20")));
        for (String name : List.of("nope.default.svc.cluster.local", "web.other.svc.cluster.local",
                "a.b.c.d.e.f.svc.cluster.local", "x.cluster.local", "nosuchns.svc.cluster.local")) {
            ClusterZone.Answer a = ask(name, A);
            assertEquals(NXDOMAIN, a.rcode(), name);
            assertEquals("ns.dns.cluster.local", ((ClusterZone.Soa) a.authority().getFirst().data()).mname(), name);
        }
        // names that exist without addresses: NODATA, not NXDOMAIN (a client would stop searching)
        assertEquals(NOERROR, ask("default.svc.cluster.local", A).rcode());
        assertEquals(NOERROR, ask("svc.cluster.local", A).rcode());
        assertEquals(SOA, ask("cluster.local", SOA).answers().getFirst().type());
    }

    @Test
    void beforeTheCachesHaveSyncedNamesInTheZoneAreServfailNotNxdomain() {
        catalog.synced = false;
        assertEquals(ClusterZone.SERVFAIL, ask("web.default.svc.cluster.local", A).rcode());
        assertTrue(zone.answer("example.com", A).isEmpty(), "others are still forwarded");
        catalog.synced = true;
        assertEquals(NXDOMAIN, ask("web.default.svc.cluster.local", A).rcode());
    }

    @Test
    void namesOutsideTheZoneAreNotAnswered() {
        assertTrue(zone.answer("example.com", A).isEmpty());
        assertTrue(zone.answer("notcluster.local", A).isEmpty());
    }

    @Test
    void headlessServiceAnswersItsReadyEndpointsAndAllWithPublishNotReadyAddresses() {
        catalog.services.add(headless("default", "db", false));
        catalog.services.add(headless("default", "peers", true));
        catalog.slices.add(slice("default", "db", "db-1", "IPv4", "172.17.0.5/db-0", "172.17.0.6!"));
        catalog.slices.add(slice("default", "db", "db-2", "IPv4", "172.17.0.7"));
        catalog.slices.add(slice("default", "peers", "peers-1", "IPv4", "172.17.0.8", "172.17.0.9!"));
        assertEquals(Set.of("172.17.0.5", "172.17.0.7"), data(ask("db.default.svc.cluster.local", A).answers()));
        assertEquals(Set.of("172.17.0.8", "172.17.0.9"), data(ask("peers.default.svc.cluster.local", A).answers()));
    }

    @Test
    void headlessServiceWithoutEndpointsIsNxdomainAsInCoreDns() {
        catalog.services.add(headless("default", "db", false));
        catalog.slices.add(slice("default", "db", "db-1", "IPv4", "172.17.0.6!"));
        assertEquals(NXDOMAIN, ask("db.default.svc.cluster.local", A).rcode());
    }

    @Test
    void endpointsAreNamedByHostnameElseByDashedIp() {
        catalog.services.add(headless("default", "db", false));
        catalog.slices.add(slice("default", "db", "db-1", "IPv4", "172.17.0.5/db-0", "172.17.0.7"));
        assertEquals(Set.of("172.17.0.5"), data(ask("db-0.db.default.svc.cluster.local", A).answers()));
        assertEquals(Set.of("172.17.0.7"), data(ask("172-17-0-7.db.default.svc.cluster.local", A).answers()));
        assertEquals(NXDOMAIN, ask("db-1.db.default.svc.cluster.local", A).rcode());
    }

    @Test
    void srvOfANamedPortPointsAtTheServiceOrAtEachEndpoint() {
        catalog.services.add(clusterIp("default", "web", List.of("10.96.0.20"), "http/TCP", "dns/UDP"));
        ClusterZone.Answer web = ask("_http._tcp.web.default.svc.cluster.local", SRV);
        assertEquals(Set.of("0 100 80 web.default.svc.cluster.local"), data(web.answers()));
        assertEquals("_http._tcp.web.default.svc.cluster.local", web.answers().getFirst().name());
        assertEquals(Set.of("10.96.0.20"), data(web.additional()));
        assertEquals(Set.of("0 100 81 web.default.svc.cluster.local"),
                data(ask("_dns._udp.web.default.svc.cluster.local", SRV).answers()));
        assertEquals(NXDOMAIN, ask("_http._udp.web.default.svc.cluster.local", SRV).rcode(), "wrong protocol");
        assertEquals(NXDOMAIN, ask("_https._tcp.web.default.svc.cluster.local", SRV).rcode(), "no such port");
        assertEquals(NOERROR, ask("_http._tcp.web.default.svc.cluster.local", A).rcode());
        assertTrue(ask("_http._tcp.web.default.svc.cluster.local", A).answers().isEmpty());

        catalog.services.add(headless("default", "db", false));
        catalog.slices.add(slice("default", "db", "db-1", "IPv4", "172.17.0.5/db-0", "172.17.0.7"));
        ClusterZone.Answer db = ask("_web._tcp.db.default.svc.cluster.local", SRV);
        assertEquals(Set.of("0 50 8080 db-0.db.default.svc.cluster.local",
                "0 50 8080 172-17-0-7.db.default.svc.cluster.local"), data(db.answers()));
        assertEquals(Set.of("172.17.0.5", "172.17.0.7"), data(db.additional()));
    }

    @Test
    void externalNameIsACname() {
        catalog.services.add(new ServiceBuilder().withNewMetadata().withNamespace("default").withName("ext")
                .endMetadata().withNewSpec().withType("ExternalName").withExternalName("db.example.com").endSpec().build());
        ClusterZone.Answer a = ask("ext.default.svc.cluster.local", A);
        assertEquals(CNAME, a.answers().getFirst().type());
        assertEquals(Set.of("db.example.com"), data(a.answers()));
    }

    @Test
    void podRecordsAnswerTheAddressInTheName() {
        assertEquals(Set.of("172.17.0.5"), data(ask("172-17-0-5.default.pod.cluster.local", A).answers()));
        assertEquals(Set.of("fd00:0:0:0:0:0:0:5"), data(ask("fd00--5.default.pod.cluster.local", AAAA).answers()));
        assertEquals(NXDOMAIN, ask("300-1-1-1.default.pod.cluster.local", A).rcode());
        assertEquals(NXDOMAIN, ask("web.default.pod.cluster.local", A).rcode());
    }

    @Test
    void textThatIsNoIpLiteralIsNeverLookedUp() throws Exception {
        assertTrue(ClusterZone.literal("localhost").isEmpty());
        assertTrue(ClusterZone.literal("999.1.1.1").isEmpty());
        assertTrue(ClusterZone.literal("abc").isEmpty());
        assertEquals(InetAddress.getByName("10.0.0.1"), ClusterZone.literal("10.0.0.1").orElseThrow());
    }

    @Test
    void otherZonesAreSettings() {
        catalog.services.add(clusterIp("default", "web", List.of("10.96.0.20")));
        ClusterZone corp = new ClusterZone("corp.internal.", 30, catalog, 1);
        assertEquals(Set.of("10.96.0.20"), data(corp.answer("web.default.svc.corp.internal", A).orElseThrow().answers()));
        assertTrue(corp.answer("web.default.svc.cluster.local", A).isEmpty());
    }
}

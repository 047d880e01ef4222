package io.kubus.agent.proxy;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The text of the rules: what the kernel is told for each kind of Service. */
class ServiceRulesTest {
    private final ServiceRules rules = new ServiceRules("10.96.0.0/12");

    private static Service service(String name, String type, String clusterIp, String protocol, int port,
                                   Integer nodePort) {
        return new ServiceBuilder().withNewMetadata().withNamespace("default").withName(name).endMetadata()
                .withNewSpec().withType(type).withClusterIP(clusterIp)
                .addNewPort().withName("http").withProtocol(protocol).withPort(port).withNodePort(nodePort).endPort()
                .endSpec().build();
    }

    /** One endpoint per address: ready, on the node given after a '@'. */
    private static EndpointSlice slice(String service, String protocol, int port, String... endpoints) {
        EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withNamespace("default")
                .withName(service + "-abc").addToLabels("kubernetes.io/service-name", service).endMetadata()
                .withAddressType("IPv4").addNewPort().withName("http").withProtocol(protocol).withPort(port).endPort();
        for (String e : endpoints) {
            String[] parts = e.split("@");
            boolean ready = !parts[0].endsWith("!");
            String ip = parts[0].replace("!", "");
            b.addNewEndpoint().withAddresses(ip).withNodeName(parts.length > 1 ? parts[1] : "n1")
                    .withNewConditions().withReady(ready).withServing(ready).withTerminating(false).endConditions()
                    .endEndpoint();
        }
        return b.build();
    }

    private ServiceRules.Ruleset build(List<Service> services, Map<String, List<EndpointSlice>> slices) {
        return rules.build(services, (ns, name) -> slices.getOrDefault(name, List.of()), Set.of("n1"), Set.of(), Map.of());
    }

    private static String chainOf(ServiceRules.Ruleset r, String prefix) {
        return r.nat().keySet().stream().filter(c -> c.startsWith(prefix)).findFirst().orElseThrow();
    }

    @Test
    void aClusterIpGoesToItsEndpointsAtRandomAndHairpinIsMasqueraded() {
        var r = build(List.of(service("web", "ClusterIP", "10.96.0.20", "TCP", 80, null)),
                Map.of("web", List.of(slice("web", "TCP", 8080, "172.17.0.3", "172.17.0.4", "172.17.0.5"))));
        String svc = chainOf(r, "KUBUS-SVC-");
        assertTrue(r.nat().get("KUBUS-SERVICES").getFirst().matches(
                "-d 10\\.96\\.0\\.20/32 -p tcp -m tcp --dport 80 -m comment --comment \"default/web:http cluster IP\" -j "
                        + svc), r.nat().get("KUBUS-SERVICES").toString());
        List<String> choice = r.nat().get(svc);
        assertEquals(3, choice.size());
        assertTrue(choice.get(0).startsWith("-m statistic --mode random --probability 0.3333333333 -j KUBUS-SEP-"));
        assertTrue(choice.get(1).startsWith("-m statistic --mode random --probability 0.5000000000 -j KUBUS-SEP-"));
        assertTrue(choice.get(2).matches("-j KUBUS-SEP-[0-9A-F]{16}"));
        String sep = choice.get(0).substring(choice.get(0).lastIndexOf(' ') + 1);
        assertEquals(List.of("-s 172.17.0.3/32 -j KUBUS-MARK-MASQ",
                "-p tcp -m tcp -j DNAT --to-destination 172.17.0.3:8080"), r.nat().get(sep));
    }

    @Test
    void aServiceWithoutReadyEndpointsAndTheRestOfTheRangeAreRefused() {
        var r = build(List.of(service("web", "ClusterIP", "10.96.0.20", "UDP", 53, null)),
                Map.of("web", List.of(slice("web", "UDP", 53, "172.17.0.3!"))));
        List<String> services = r.nat().get("KUBUS-SERVICES");
        assertTrue(services.getFirst().startsWith("-d 10.96.0.20/32 -p udp -m udp --dport 53 "), services.toString());
        assertTrue(services.getFirst().endsWith("-j KUBUS-MARK-REJECT"));
        assertTrue(services.getLast().matches("-d 10\\.96\\.0\\.0/12 .*-j KUBUS-MARK-REJECT"), services.getLast());
        assertFalse(r.nat().keySet().stream().anyMatch(c -> c.startsWith("KUBUS-SVC-")));
        assertEquals(List.of("-j MARK --or-mark 0x8000", "-p tcp -j REDIRECT --to-ports 0",
                "-p udp -j REDIRECT --to-ports 0", "-j REDIRECT"), r.nat().get("KUBUS-MARK-REJECT"));
    }

    @Test
    void terminatingServingEndpointsAreTheFallbackWhenNoneIsReady() {
        EndpointSlice s = slice("web", "TCP", 80, "172.17.0.3!");
        s.getEndpoints().getFirst().getConditions().setServing(true);
        s.getEndpoints().getFirst().getConditions().setTerminating(true);
        var r = build(List.of(service("web", "ClusterIP", "10.96.0.20", "TCP", 80, null)), Map.of("web", List.of(s)));
        assertTrue(r.nat().get(chainOf(r, "KUBUS-SEP-")).get(1).endsWith("--to-destination 172.17.0.3:80"));
    }

    @Test
    void clientIpAffinityRemembersTheChosenEndpoint() {
        Service s = service("web", "ClusterIP", "10.96.0.20", "TCP", 80, null);
        s.getSpec().setSessionAffinity("ClientIP");
        var r = build(List.of(s), Map.of("web", List.of(slice("web", "TCP", 80, "172.17.0.3", "172.17.0.4"))));
        List<String> choice = r.nat().get(chainOf(r, "KUBUS-SVC-"));
        assertEquals(4, choice.size());
        assertTrue(choice.get(0).matches("-m recent --rcheck --seconds 10800 --reap --name (KUBUS-SEP-\\w+) "
                + "--mask 255\\.255\\.255\\.255 --rsource -j \\1"), choice.get(0));
        String sep = choice.get(0).substring(choice.get(0).lastIndexOf(' ') + 1);
        assertEquals("-p tcp -m recent --set --name " + sep + " --mask 255.255.255.255 --rsource -m tcp -j DNAT "
                + "--to-destination 172.17.0.3:80", r.nat().get(sep).get(1));
    }

    @Test
    void aNodePortIsMasqueradedAndALoadBalancerIngressIpForwardsAsANodePort() {
        Service s = service("web", "LoadBalancer", "10.96.0.20", "TCP", 80, 30080);
        s.setStatus(new io.fabric8.kubernetes.api.model.ServiceStatusBuilder().withNewLoadBalancer()
                .addNewIngress().withIp("192.0.2.2").endIngress().endLoadBalancer().build());
        var r = build(List.of(s), Map.of("web", List.of(slice("web", "TCP", 8080, "172.17.0.3"))));
        String ext = chainOf(r, "KUBUS-EXT-");
        String svc = chainOf(r, "KUBUS-SVC-");
        assertEquals(List.of("-j KUBUS-MARK-MASQ", "-j " + svc), r.nat().get(ext));
        assertEquals("-p tcp -m tcp --dport 30080 -m comment --comment \"default/web:http node port\" -j " + ext,
                r.nat().get("KUBUS-NODEPORTS").getFirst());
        assertTrue(r.nat().get("KUBUS-SERVICES").contains("-d 192.0.2.2/32 -p tcp -m tcp --dport 80 -m comment "
                + "--comment \"default/web:http external IP\" -j " + ext));
        List<String> services = r.nat().get("KUBUS-SERVICES");
        assertEquals("-m addrtype --dst-type LOCAL -j KUBUS-NODEPORTS",
                services.get(services.size() - 2), "node ports after the Services' own addresses");
    }

    @Test
    void nodePortsAnswerOnTheLocalNodesInternalIpsToo() {
        var r = rules.build(List.of(service("web", "NodePort", "10.96.0.20", "TCP", 80, 30080)),
                (ns, n) -> List.of(slice("web", "TCP", 80, "172.18.0.3")), Set.of("n1"),
                Set.of("172.18.0.5", "172.18.0.6"), Map.of());
        List<String> services = r.nat().get("KUBUS-SERVICES");
        assertEquals(List.of("-d 172.18.0.5/32 -j KUBUS-NODEPORTS", "-d 172.18.0.6/32 -j KUBUS-NODEPORTS",
                "-m addrtype --dst-type LOCAL -j KUBUS-NODEPORTS"), services.subList(1, 4), services.toString());
    }

    @Test
    void localTrafficPoliciesUseOnlyTheEndpointsOfNodesOnThisKernel() {
        Service s = service("web", "NodePort", "10.96.0.20", "TCP", 80, 30080);
        s.getSpec().setExternalTrafficPolicy("Local");
        s.getSpec().setInternalTrafficPolicy("Local");
        var r = build(List.of(s), Map.of("web", List.of(slice("web", "TCP", 80, "172.17.0.3@n1", "172.17.0.9@n2"))));
        String svl = chainOf(r, "KUBUS-SVL-");
        String svc = chainOf(r, "KUBUS-SVC-");
        assertEquals(1, r.nat().get(svl).size(), "one local endpoint: " + r.nat().get(svl));
        assertEquals(2, r.nat().get(svc).size());
        assertTrue(r.nat().get("KUBUS-SERVICES").getFirst().endsWith("-j " + svl));
        assertEquals(List.of("-m addrtype --src-type LOCAL -j KUBUS-MARK-MASQ",
                "-m addrtype --src-type LOCAL -j " + svc, "-j " + svl), r.nat().get(chainOf(r, "KUBUS-EXT-")));

        var none = rules.build(List.of(s), (ns, n) -> List.of(slice("web", "TCP", 80, "172.17.0.9@n2")),
                Set.of("n1"), Set.of(), Map.of());
        assertTrue(none.nat().get("KUBUS-SERVICES").getFirst().endsWith("-j KUBUS-MARK-REJECT"));
        assertEquals("-j KUBUS-MARK-REJECT", none.nat().get(chainOf(none, "KUBUS-EXT-")).getLast());
    }

    @Test
    void anEndpointWithoutANodeIsNotLocal() {
        Service s = service("web", "ClusterIP", "10.96.0.20", "TCP", 80, null);
        s.getSpec().setInternalTrafficPolicy("Local");
        EndpointSlice slice = slice("web", "TCP", 80, "172.17.0.3");
        slice.getEndpoints().getFirst().setNodeName(null);
        var r = rules.build(List.of(s), (ns, n) -> List.of(slice), new java.util.TreeSet<>(Set.of("n1")), Set.of(), Map.of());
        assertTrue(r.nat().get("KUBUS-SERVICES").getFirst().endsWith("-j KUBUS-MARK-REJECT"));
    }

    @Test
    void anOverriddenServiceGoesToTheNodesOwnAddressOnEveryPort() {
        Service dns = new ServiceBuilder().withNewMetadata().withNamespace("kube-system").withName("kube-dns")
                .endMetadata().withNewSpec().withType("ClusterIP").withClusterIP("10.96.0.10")
                .addNewPort().withName("dns").withProtocol("UDP").withPort(53).endPort()
                .addNewPort().withName("dns-tcp").withProtocol("TCP").withPort(53).endPort().endSpec().build();
        var r = rules.build(List.of(dns), (ns, n) -> List.of(slice("kube-dns", "UDP", 53, "172.17.0.7")),
                Set.of(), Set.of(), Map.of("kube-system/kube-dns", new InetSocketAddress("172.17.0.1", 10053)));
        String text = r.restoreInput(Map.of());
        assertEquals(2, text.split("--to-destination 172\\.17\\.0\\.1:10053", -1).length - 1, text);
        assertTrue(text.contains("-p udp -m udp -j DNAT") && text.contains("-p tcp -m tcp -j DNAT"), text);
        assertFalse(text.contains("172.17.0.7"), "the slices are not used");
    }

    @Test
    void headlessAndExternalNameServicesHaveNoRules() {
        Service headless = service("db", "ClusterIP", "None", "TCP", 5432, null);
        Service external = service("ext", "ExternalName", null, "TCP", 80, null);
        var r = build(List.of(headless, external), Map.of("db", List.of(slice("db", "TCP", 5432, "172.17.0.3"))));
        assertEquals(2, r.nat().get("KUBUS-SERVICES").size(), r.nat().toString());
    }

    @Test
    void theRemovalDeletesEveryJumpIntoOurChainsThenTheChains() {
        String save = "*nat\n:PREROUTING ACCEPT [0:0]\n:KUBUS-SERVICES - [0:0]\n:KUBUS-SVC-1 - [0:0]\n"
                + "-A PREROUTING -j KUBUS-SERVICES\n-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER\n"
                + "-A KUBUS-SERVICES -d 10.96.0.1/32 -j KUBUS-SVC-1\nCOMMIT\n"
                + "*filter\n:INPUT ACCEPT [0:0]\n:KUBUS-INPUT - [0:0]\n-A INPUT -j KUBUS-INPUT\nCOMMIT\n";
        assertEquals("*nat\n:KUBUS-SERVICES - [0:0]\n:KUBUS-SVC-1 - [0:0]\n-D PREROUTING -j KUBUS-SERVICES\n"
                + "-X KUBUS-SERVICES\n-X KUBUS-SVC-1\nCOMMIT\n"
                + "*filter\n:KUBUS-INPUT - [0:0]\n-D INPUT -j KUBUS-INPUT\n-X KUBUS-INPUT\nCOMMIT\n",
                ServiceRules.Ruleset.removalInput(save));
    }

    @Test
    void theRestoreInputDeclaresOurChainsAndDeletesStaleOnes() {
        var r = build(List.of(), Map.of());
        String text = r.restoreInput(Map.of("nat", Set.of("KUBUS-SERVICES", "KUBUS-SVC-0123456789ABCDEF")));
        assertTrue(text.startsWith("*nat\n:KUBUS-SERVICES - [0:0]\n"), text);
        assertTrue(text.contains(":KUBUS-SVC-0123456789ABCDEF - [0:0]\n") && text.contains("\n-X KUBUS-SVC-0123456789ABCDEF\n"));
        assertFalse(text.contains("-X KUBUS-SERVICES"));
        assertTrue(text.endsWith("*filter\n:KUBUS-INPUT - [0:0]\n:KUBUS-FORWARD - [0:0]\n"
                + "-A KUBUS-INPUT ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP\n"
                + "-A KUBUS-INPUT -p tcp -m mark --mark 0x8000/0x8000 -j ACCEPT\n"
                + "-A KUBUS-INPUT -p udp -m mark --mark 0x8000/0x8000 -j ACCEPT\n"
                + "-A KUBUS-INPUT -m mark --mark 0x8000/0x8000 -j REJECT --reject-with icmp-port-unreachable\n"
                + "-A KUBUS-FORWARD -m mark --mark 0x4000/0x4000 -j ACCEPT\n"
                + "-A KUBUS-FORWARD -d 10.96.0.0/12 -j REJECT --reject-with icmp-port-unreachable\nCOMMIT\n"), text);
        assertEquals(Map.of("nat", Set.of("KUBUS-SEP-1"), "filter", Set.of("KUBUS-INPUT")),
                ServiceRules.Ruleset.chainsIn("*nat\n:PREROUTING ACCEPT [0:0]\n:KUBUS-SEP-1 - [0:0]\nCOMMIT\n"
                        + "*filter\n:KUBUS-INPUT - [0:0]\n:DOCKER - [0:0]\nCOMMIT\n"));
    }
}

package io.kubus.agent.dns;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodDNSConfigOptionBuilder;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A pod's resolv.conf, hosts file and hostname, against what the kubelet writes. */
class PodDnsTest {
    static final ResolvConf HOST = ResolvConf.parse("""
            # the node's
            nameserver 192.0.2.53
            nameserver 192.0.2.54
            search corp.example. lab.example
            options timeout:2 attempts:3
            """);
    final PodDns dns = new PodDns("10.96.0.10", "cluster.local", () -> HOST);

    static PodBuilder pod(String name) {
        return new PodBuilder().withNewMetadata().withNamespace("shop").withName(name).endMetadata().withNewSpec().endSpec();
    }

    @Test
    void clusterFirstAsksKubeDnsWithTheClusterSearchesBeforeTheHosts() {
        assertEquals("""
                search shop.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example
                nameserver 10.96.0.10
                options ndots:5
                """, dns.resolvConf(pod("web").build()).render());
        assertEquals(dns.resolvConf(pod("web").build()),
                dns.resolvConf(pod("web").editSpec().withDnsPolicy("ClusterFirstWithHostNet").endSpec().build()));
    }

    @Test
    void defaultAndClusterFirstOnTheHostNetworkTakeTheHostsResolvers() {
        String host = "search corp.example lab.example\nnameserver 192.0.2.53\nnameserver 192.0.2.54\n"
                + "options timeout:2 attempts:3\n";
        assertEquals(host, dns.resolvConf(pod("web").editSpec().withDnsPolicy("Default").endSpec().build()).render());
        assertEquals(host, dns.resolvConf(pod("web").editSpec().withHostNetwork(true).endSpec().build()).render());
        // without a known cluster DNS the kubelet falls back to the host's
        assertEquals(host, new PodDns("", "cluster.local", () -> HOST).resolvConf(pod("web").build()).render());
    }

    @Test
    void noneTakesOnlyTheDnsConfig() {
        Pod pod = pod("web").editSpec().withDnsPolicy("None").withNewDnsConfig()
                .withNameservers("1.1.1.1").withSearches("a.example", "b.example")
                .withOptions(new PodDNSConfigOptionBuilder().withName("ndots").withValue("2").build(),
                        new PodDNSConfigOptionBuilder().withName("edns0").build())
                .endDnsConfig().endSpec().build();
        assertEquals("search a.example b.example\nnameserver 1.1.1.1\noptions ndots:2 edns0\n",
                dns.resolvConf(pod).render());
    }

    @Test
    void dnsConfigIsAppendedWithoutDuplicatesAndItsOptionsWin() {
        Pod pod = pod("web").editSpec().withNewDnsConfig()
                .withNameservers("10.96.0.10", "1.1.1.1").withSearches("cluster.local", "extra.example")
                .withOptions(new PodDNSConfigOptionBuilder().withName("ndots").withValue("1").build())
                .endDnsConfig().endSpec().build();
        assertEquals("""
                search shop.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example extra.example
                nameserver 10.96.0.10
                nameserver 1.1.1.1
                options ndots:1
                """, dns.resolvConf(pod).render());
    }

    @Test
    void theKubeletsLimitsCutWhatTheHostAddsBeyondThem() {
        // the host's two nameservers and two of the pod's: the first three stay
        Pod servers = pod("web").editSpec().withDnsPolicy("Default").withNewDnsConfig()
                .withNameservers("1.1.1.1", "8.8.8.8").endDnsConfig().endSpec().build();
        assertEquals(List.of("192.0.2.53", "192.0.2.54", "1.1.1.1"), dns.resolvConf(servers).nameservers());
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 31; i++) {
            many.add("d" + i + ".example");
        }
        // 3 cluster + 2 host + 31 pod searches: 32 stay
        Pod searches = pod("web").editSpec().withNewDnsConfig().withSearches(many).endDnsConfig().endSpec().build();
        List<String> kept = dns.resolvConf(searches).searches();
        assertEquals(32, kept.size());
        assertEquals("d26.example", kept.getLast());
        List<String> wide = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            wide.add("x".repeat(200) + i + ".example");
        }
        Pod line = pod("web").editSpec().withDnsPolicy("None").withNewDnsConfig().withNameservers("1.1.1.1")
                .withSearches(wide).endDnsConfig().endSpec().build();
        List<String> cut = dns.resolvConf(line).searches();
        assertEquals(9, cut.size(), "a search line of at most 2048 characters");
    }

    @Test
    void hostsFileIsTheKubeletsWithDomainAndHostAliases() {
        Pod pod = pod("web-0").editSpec().withHostname("db-0").withSubdomain("db")
                .addNewHostAlias().withIp("10.1.2.3").withHostnames("foo.local", "bar.local").endHostAlias()
                .addNewHostAlias().withIp("10.1.2.4").withHostnames("baz").endHostAlias().endSpec().build();
        assertEquals("""
                # Kubernetes-managed hosts file.
                127.0.0.1\tlocalhost
                ::1\tlocalhost ip6-localhost ip6-loopback
                fe00::0\tip6-localnet
                fe00::0\tip6-mcastprefix
                fe00::1\tip6-allnodes
                fe00::2\tip6-allrouters
                172.17.0.9\tdb-0.db.shop.svc.cluster.local\tdb-0

                # Entries added by HostAliases.
                10.1.2.3\tfoo.local\tbar.local
                10.1.2.4\tbaz
                """, dns.hosts(pod, List.of("172.17.0.9")));
        assertEquals("""
                # Kubernetes-managed hosts file.
                127.0.0.1\tlocalhost
                ::1\tlocalhost ip6-localhost ip6-loopback
                fe00::0\tip6-localnet
                fe00::0\tip6-mcastprefix
                fe00::1\tip6-allnodes
                fe00::2\tip6-allrouters
                172.17.0.9\tweb-0
                """, dns.hosts(pod("web-0").build(), List.of("172.17.0.9")));
    }

    @Test
    void hostnameIsTheSpecsElseThePodsCutTo63AndTheFqdnOnRequest() {
        assertEquals("web-0", dns.hostname(pod("web-0").build()));
        assertEquals("db-0", dns.hostname(pod("web-0").editSpec().withHostname("db-0").endSpec().build()));
        String longName = "a".repeat(62) + "-bc";
        assertEquals("a".repeat(62), dns.hostname(pod(longName).build()), "cut to 63, trailing dash dropped");
        Pod fqdn = pod("web-0").editSpec().withHostname("db-0").withSubdomain("db").withSetHostnameAsFQDN(true)
                .endSpec().build();
        assertEquals("db-0.db.shop.svc.cluster.local", dns.hostname(fqdn));
        // no subdomain: no domain to add
        assertEquals("web-0", dns.hostname(pod("web-0").editSpec().withSetHostnameAsFQDN(true).endSpec().build()));
        Pod tooLong = pod("web-0").editSpec().withHostname("h".repeat(40)).withSubdomain("db")
                .withSetHostnameAsFQDN(true).endSpec().build();
        assertThrows(IllegalArgumentException.class, () -> dns.hostname(tooLong));
    }
}

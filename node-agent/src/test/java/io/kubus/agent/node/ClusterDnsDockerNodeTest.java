package io.kubus.agent.node;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.agent.dns.DnsClient;
import io.netty.handler.codec.dns.DnsRecordType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cluster DNS on the real Docker engine with the real kubectl: the resolv.conf, /etc/hosts and hostname the agent gives
 * a pod's containers for its dnsPolicy, dnsConfig, hostAliases, hostname and subdomain; and the agent's DNS server
 * answering, at its address on the pod network, questions asked from inside a pod (busybox nslookup) and from here.
 */
class ClusterDnsDockerNodeTest {
    /** The node's resolvers as the agent reads them (a file of the test's, so that what pods get is known). */
    static final Path HOST_RESOLV_CONF = hostResolvConf();

    @RegisterExtension
    static final DockerNode cluster = new DockerNode("dns-node", Map.of(
            "kubus.agent.dns.resolv-conf", HOST_RESOLV_CONF.toString()));

    static DnsClient client;

    static Path hostResolvConf() {
        try {
            Path file = Files.createTempFile("kubus-dns-host-", ".conf");
            // the upstream is this machine's own resolver, so that forwarding can be seen to work
            String upstream = Files.readAllLines(Path.of("/etc/resolv.conf")).stream()
                    .filter(l -> l.startsWith("nameserver")).findFirst().orElse("nameserver 192.0.2.53");
            Files.writeString(file, upstream + "\nsearch corp.example\noptions timeout:2\n");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void startClient() {
        client = new DnsClient();
    }

    @AfterAll
    static void stopClient() throws IOException {
        client.close();
        Files.deleteIfExists(HOST_RESOLV_CONF);
    }

    InetSocketAddress dnsAddress() {
        return cluster.agent().getBean(NodeAgentService.class).dnsAddress().orElseThrow();
    }

    String exec(String pod, String... command) {
        String[] args = new String[3 + command.length];
        args[0] = "exec";
        args[1] = pod;
        args[2] = "--";
        System.arraycopy(command, 0, args, 3, command.length);
        return cluster.kubectl().run(args).ok().out();
    }

    @Test
    void clusterFirstPodsAskKubeDnsAndGetTheKubeletsHostsFile() throws Exception {
        cluster.apply("plain", """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: plain
                spec:
                  nodeName: %s
                  terminationGracePeriodSeconds: 0
                  containers:
                  - {name: main, image: kubus/busybox:1, command: ["sleep", "3600"]}
                  - {name: side, image: kubus/busybox:1, command: ["sleep", "3600"]}
                """.formatted(cluster.node()));
        Pod pod = cluster.await("plain", p -> PodWaits.ready(p) == 2, 60);
        String resolv = """
                search default.svc.cluster.local svc.cluster.local cluster.local corp.example
                nameserver 10.96.0.10
                options ndots:5
                """;
        assertEquals(resolv, exec("plain", "cat", "/etc/resolv.conf"));
        String hosts = """
                # Kubernetes-managed hosts file.
                127.0.0.1\tlocalhost
                ::1\tlocalhost ip6-localhost ip6-loopback
                fe00::0\tip6-localnet
                fe00::0\tip6-mcastprefix
                fe00::1\tip6-allnodes
                fe00::2\tip6-allrouters
                %s\tplain
                """.formatted(pod.getStatus().getPodIP());
        assertEquals(hosts, exec("plain", "cat", "/etc/hosts"));
        // every container of the pod has them, not only the first
        assertEquals(resolv, cluster.kubectl().run("exec", "plain", "-c", "side", "--", "cat", "/etc/resolv.conf").ok().out());
        assertEquals(hosts, cluster.kubectl().run("exec", "plain", "-c", "side", "--", "cat", "/etc/hosts").ok().out());
        assertEquals("plain\n", exec("plain", "hostname"));
        cluster.kubectl().run(60, "delete", "pod", "plain", "--wait=false").ok();
    }

    @Test
    void dnsConfigHostAliasesHostnameAndSubdomain() throws Exception {
        cluster.apply("named", """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: named
                spec:
                  nodeName: %s
                  terminationGracePeriodSeconds: 0
                  hostname: db-0
                  subdomain: db
                  setHostnameAsFQDN: true
                  dnsPolicy: None
                  dnsConfig:
                    nameservers: [1.1.1.1]
                    searches: [corp.example]
                    options: [{name: ndots, value: "2"}, {name: edns0}]
                  hostAliases:
                  - {ip: 10.1.2.3, hostnames: [foo.local, bar.local]}
                  containers:
                  - {name: main, image: kubus/busybox:1, command: ["sleep", "3600"]}
                """.formatted(cluster.node()));
        Pod pod = cluster.await("named", p -> PodWaits.ready(p) == 1, 60);
        assertEquals("search corp.example\nnameserver 1.1.1.1\noptions ndots:2 edns0\n",
                exec("named", "cat", "/etc/resolv.conf"));
        String hosts = exec("named", "cat", "/etc/hosts");
        assertTrue(hosts.startsWith("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n"), hosts);
        assertTrue(hosts.endsWith(pod.getStatus().getPodIP() + "\tdb-0.db.default.svc.cluster.local\tdb-0\n\n"
                + "# Entries added by HostAliases.\n10.1.2.3\tfoo.local\tbar.local\n"), hosts);
        assertEquals("db-0.db.default.svc.cluster.local\n", exec("named", "hostname"));
        cluster.kubectl().run(60, "delete", "pod", "named", "--wait=false").ok();
    }

    @Test
    void theNodesServerAnswersPodsAtItsAddressOnThePodNetwork() throws Exception {
        cluster.apply("services", """
                apiVersion: v1
                kind: Service
                metadata:
                  name: web
                spec:
                  ports:
                  - {name: http, port: 80, targetPort: 8080}
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: db
                spec:
                  clusterIP: None
                  ports:
                  - {name: pg, port: 5432}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: db-manual
                  labels:
                    kubernetes.io/service-name: db
                addressType: IPv4
                ports:
                - {name: pg, port: 5432, protocol: TCP}
                endpoints:
                - addresses: [172.30.0.5]
                  hostname: db-0
                  conditions: {ready: true}
                - addresses: [172.30.0.6]
                  conditions: {ready: false}
                ---
                apiVersion: v1
                kind: Pod
                metadata:
                  name: asker
                spec:
                  nodeName: %s
                  terminationGracePeriodSeconds: 0
                  containers:
                  - {name: main, image: kubus/busybox:1, command: ["sleep", "3600"]}
                """.formatted(cluster.node()));
        cluster.await("asker", p -> PodWaits.ready(p) == 1, 60);
        String clusterIp = cluster.kubectl().run("get", "service", "web", "-o", "jsonpath={.spec.clusterIP}").ok().out();
        InetSocketAddress dns = dnsAddress();
        // the agent's own address on the pod network (here the bridge's gateway), and what the proxy is to be given
        assertEquals(DockerNode.bridgeGateway(), dns.getAddress().getHostAddress());
        assertEquals(Map.of("kube-system/kube-dns", dns),
                cluster.agent().getBean(NodeAgentService.class).serviceOverrides());
        String server = dns.getAddress().getHostAddress() + ":" + dns.getPort();

        // from inside the pod, over the pod network (busybox nslookup takes the server's port after a colon)
        String web = awaitAnswer("web.default.svc.cluster.local", server, clusterIp);
        assertTrue(web.contains("Address: " + clusterIp), web);
        String db = awaitAnswer("db.default.svc.cluster.local", server, "172.30.0.5");
        assertTrue(!db.contains("172.30.0.6"), "a not-ready endpoint is not served: " + db);
        assertTrue(exec("asker", "nslookup", "db-0.db.default.svc.cluster.local", server).contains("172.30.0.5"));
        String missing = cluster.kubectl().run("exec", "asker", "--", "nslookup", "nope.default.svc.cluster.local",
                server).out();
        assertTrue(missing.contains("NXDOMAIN"), missing);

        // from here: SRV over TCP, and the kube-dns Service's own name
        DnsClient.Reply srv = client.ask(dns, "_pg._tcp.db.default.svc.cluster.local.", DnsRecordType.SRV, true);
        assertEquals(List.of("SRV _pg._tcp.db.default.svc.cluster.local. 5 0 100 5432 db-0.db.default.svc.cluster.local."),
                srv.answers());
        assertEquals(List.of("A db-0.db.default.svc.cluster.local. 5 172.30.0.5"), srv.additional());
        DnsClient.Reply kubeDns = client.ask(dns, "kube-dns.kube-system.svc.cluster.local.", DnsRecordType.A, false);
        assertEquals(List.of("A kube-dns.kube-system.svc.cluster.local. 5 10.96.0.10"), kubeDns.answers());
        cluster.kubectl().run(60, "delete", "pod", "asker", "--wait=false").ok();
    }

    /** nslookup's output once it names {@code expected} (the agent's caches follow the API a moment later). */
    String awaitAnswer(String name, String server, String expected) throws InterruptedException {
        String out = "";
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            out = cluster.kubectl().run("exec", "asker", "--", "nslookup", name, server).out();
            if (out.contains(expected)) {
                return out;
            }
            Thread.sleep(300);
        }
        throw new AssertionError(name + " never resolved to " + expected + ": " + out);
    }
}

package io.kubus.controllers.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceStatusBuilder;
import io.kubus.agent.node.NodeAgentService;
import io.kubus.agent.proxy.ServiceProxy;
import io.kubus.agent.runtime.ContainerInfo;
import io.kubus.agent.runtime.docker.DockerRuntime;
import io.kubus.agent.runtime.docker.HostNetworkHelper;
import io.kubus.controllers.testing.Await;
import io.kubus.client.api.KubusApi;
import io.kubus.controllers.testing.ClusterFixture;
import io.kubus.controllers.testing.DockerNodes;
import io.kubus.gateway.testing.Kubectl;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The node's service proxy on the real Docker engine, with the real controllers (EndpointSlices from a Deployment's
 * ready pods) and the real kubectl: ClusterIP traffic from a pod spread over both replicas, ClientIP affinity, a
 * quick refusal for a Service without endpoints and for an address of the range no Service holds, externalTrafficPolicy
 * Local keeping the client's address where Cluster masquerades, UDP, a NodePort and a
 * LoadBalancer ingress IP from the host, a pod reaching itself through its Service, rules gone with their Service,
 * and rules that keep forwarding while the agent is down and match a Service changed meanwhile once it is back.
 * Two agents share the engine (one kernel): the first takes over a helper whose owner's Node does not exist, the
 * second leaves the rules to it, even while it is down.
 *
 * <p>No packet goes to the service range before the rules for it are written (the range is routed nowhere): the
 * test waits for them in {@code iptables-save}. Afterwards every rule and the helper container are removed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServiceProxyOnDockerTest {
    private static final Pattern REAL = Pattern.compile("real\\s+(\\d+)m\\s*([\\d.]+)s");
    /** An address of the range that no Service of this cluster holds (the allocator starts low, at random). */
    private static final String UNHELD = "10.111.254.253";
    /** The Services that select the web pods: web, sticky, web-np, web-local, web-lb. */
    private static final int WEB_SERVICES = 5;

    @TempDir
    static Path dir;
    static ClusterFixture cluster;
    static Kubectl kubectl;
    static String node;
    /** A second node on the same engine, hence the same kernel: it must leave the rules to the owner. */
    static String second;
    static ApplicationContext secondAgent;
    static String hostIp;
    static Map<String, Object> agentSettings;
    static ApplicationContext agent;
    static HostNetworkHelper helper;
    static final Path ROUTE_LOCALNET = Path.of("/proc/sys/net/ipv4/conf/all/route_localnet");
    /** The host's value before the helper turned it on, which the clean-up puts back. */
    static String routeLocalnet;

    @BeforeAll
    static void start() throws Exception {
        hostIp = hostAddress();
        routeLocalnet = Files.readString(ROUTE_LOCALNET);
        cluster = ClusterFixture.start();
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        node = "proxy-a-" + suffix;
        second = "proxy-b-" + suffix;
        helper = new HostNetworkHelper(DockerRuntime.DEFAULT_DOCKER_HOST, "kubus-service-proxy", "kubus/busybox:1");
        // a helper left by a node of no cluster: the first agent takes it over
        helper.ensureRunning("gone-" + suffix);
        agentSettings = Map.of("kubus.agent.runtime", "docker", "kubus.agent.node-name", node,
                "kubus.agent.host-ip", hostIp, "kubus.agent.proxy.enabled", true);
        agent = cluster.addAgent(dir.resolve(node), agentSettings);
        Await.until(Duration.ofSeconds(30), "the first agent owning the helper", () -> helper.owner().orElse(""),
                node::equals);
        secondAgent = cluster.addAgent(dir.resolve(second), Map.of("kubus.agent.runtime", "docker",
                "kubus.agent.node-name", second, "kubus.agent.host-ip", hostIp, "kubus.agent.proxy.enabled", true));
        cluster.startControllers();
        kubectl = cluster.kubectl(dir);
        apply("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  replicas: 2
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      terminationGracePeriodSeconds: 1
                      containers:
                      - name: httpd
                        image: kubus/busybox:1
                        # its hostname at /, and at /cgi-bin/ip the address the request came from
                        command: ["sh", "-c", "mkdir -p /www/cgi-bin && hostname > /www/index.html && printf '#!/bin/sh\\necho Content-Type: text/plain\\necho\\necho $REMOTE_ADDR\\n' > /www/cgi-bin/ip && chmod +x /www/cgi-bin/ip && exec httpd -f -p 8080 -h /www"]
                        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: client, labels: {app: client}}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: httpd
                    image: kubus/busybox:1
                    command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www"]
                    readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec:
                  selector: {app: web}
                  ports: [{name: http, port: 80, targetPort: 8080}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: sticky}
                spec:
                  selector: {app: web}
                  sessionAffinity: ClientIP
                  ports: [{name: http, port: 80, targetPort: 8080}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web-np}
                spec:
                  type: NodePort
                  selector: {app: web}
                  ports: [{name: http, port: 80, targetPort: 8080}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web-local}
                spec:
                  type: NodePort
                  externalTrafficPolicy: Local
                  selector: {app: web}
                  ports: [{name: http, port: 80, targetPort: 8080}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web-lb}
                spec:
                  type: LoadBalancer
                  selector: {app: web}
                  ports: [{name: http, port: 18080, targetPort: 8080}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: self}
                spec:
                  selector: {app: client}
                  ports: [{name: http, port: 80, targetPort: 8080}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: idle}
                spec:
                  selector: {app: nobody}
                  ports: [{name: http, port: 80, targetPort: 8080}]
                """);
        // what the service-lb controller writes too (the node's address): whichever writes second meets a conflict
        KubusApi.retryOnConflict(() -> {
            Service lb = service("web-lb");
            lb.setStatus(new ServiceStatusBuilder().withNewLoadBalancer().addNewIngress().withIp(hostIp).endIngress()
                    .endLoadBalancer().build());
            return cluster.api().updateStatus(ResourceTypes.SERVICES, lb);
        });
        kubectl.run(120, "rollout", "status", "deployment/web", "--timeout=110s").ok();
        kubectl.run(60, "wait", "--for=condition=Ready", "pod/client", "--timeout=50s").ok();
        awaitRules("every Service's rules and both web endpoints", nat -> services("web", "sticky", "web-np",
                "web-local", "self", "idle").stream().allMatch(ip -> nat.contains("-d " + ip + "/32"))
                // each of the 5 Services of app=web has its own endpoint chains, and its own EndpointSlice, which
                // is updated on its own: every one must have both pods
                && webPodIps().stream().allMatch(ip -> nat.split("--to-destination " + ip + ":8080\n", -1).length
                == WEB_SERVICES + 1)
                && nat.contains("-d " + hostIp + "/32 -p tcp -m tcp --dport 18080"));
    }

    @AfterAll
    static void stop() throws IOException {
        if (cluster != null) {
            cluster.close(); // the agent first: it must not write the rules again behind the clean-up
        }
        if (helper != null) {
            ServiceProxy.removeAll(helper, "the test");
            helper.close();
            assertEquals(routeLocalnet, Files.readString(ROUTE_LOCALNET), "route_localnet as it was");
        }
        DockerNodes.removeContainers(java.util.Arrays.asList(node, second));
    }

    @Test
    @Order(1)
    void aClusterIpSpreadsOverBothReadyPodsAndClientIpAffinitySticks() throws IOException {
        Set<String> pods = webPodNames();
        long started = System.nanoTime();
        List<String> answers = fromClient("for i in $(seq 24); do timeout 5 wget -qO- http://%s/; done"
                .formatted(clusterIp("web")));
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("service proxy: 24 requests through a ClusterIP in %d ms (one kubectl exec), answered by %s%n",
                millis, answers.stream().collect(Collectors.groupingBy(a -> a, Collectors.counting())));
        assertEquals(24, answers.size(), answers.toString());
        assertEquals(pods, Set.copyOf(answers), "both replicas answer; rules: " + natRules());

        List<String> sticky = fromClient("for i in $(seq 12); do timeout 5 wget -qO- http://%s/; done"
                .formatted(clusterIp("sticky")));
        assertEquals(12, sticky.size(), sticky.toString());
        assertEquals(1, Set.copyOf(sticky).size(), "one client, one pod: " + sticky);
        assertTrue(pods.contains(sticky.getFirst()));
    }

    @Test
    @Order(2)
    void aServiceWithoutEndpointsAndAnAddressNoServiceHoldsAreRefusedAtOnce() {
        for (String ip : List.of(clusterIp("idle"), UNHELD)) {
            Kubectl.Result r = kubectl.run(30, "exec", "client", "--", "sh", "-c",
                    "time timeout 5 wget -qO- http://" + ip + "/");
            String printed = r.out() + r.err();
            Matcher m = REAL.matcher(printed);
            assertTrue(m.find(), printed);
            double seconds = Integer.parseInt(m.group(1)) * 60 + Double.parseDouble(m.group(2));
            System.out.printf("service proxy: %s refused in %.2f s%n", ip, seconds);
            assertTrue(printed.contains("Connection refused"), printed);
            assertTrue(seconds < 0.5, ip + " took " + seconds + " s");
        }
    }

    /**
     * From a pod to a node port: with externalTrafficPolicy Local the endpoint sees the client's own address, with
     * Cluster the node's (masqueraded).
     */
    @Test
    @Order(3)
    void externalTrafficPolicyLocalKeepsTheClientsAddressAndClusterMasquerades() {
        String client = cluster.api().get(ResourceTypes.PODS, "default", "client", Pod.class).orElseThrow()
                .getStatus().getPodIP();
        int local = service("web-local").getSpec().getPorts().getFirst().getNodePort();
        int masqueraded = service("web-np").getSpec().getPorts().getFirst().getNodePort();
        List<String> seen = fromClient(("timeout 5 wget -qO- http://%1$s:%2$d/cgi-bin/ip; "
                + "timeout 5 wget -qO- http://%1$s:%3$d/cgi-bin/ip").formatted(hostIp, local, masqueraded));
        assertEquals(2, seen.size(), seen.toString());
        assertTrue(seen.get(0).contains(client), "Local keeps " + client + ": " + seen);
        assertFalse(seen.get(1).contains(client), "Cluster masquerades: " + seen);
    }

    /**
     * UDP: a Service without selector whose EndpointSlice names a DNS responder of this test on the pods' gateway
     * (the host), asked with nslookup from the pod; the answer (NXDOMAIN) comes back from the ClusterIP.
     */
    @Test
    @Order(4)
    void udpGoesToTheEndpointAndTheAnswerComesBack() throws Exception {
        String gateway = fromClient("ip route").stream().filter(l -> l.startsWith("default via "))
                .map(l -> l.split(" ")[2]).findFirst().orElseThrow();
        try (java.net.DatagramSocket dns = new java.net.DatagramSocket(0)) {
            java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
            Thread responder = Thread.ofVirtual().start(() -> {
                byte[] buf = new byte[512];
                while (!dns.isClosed()) {
                    try {
                        java.net.DatagramPacket q = new java.net.DatagramPacket(buf, buf.length);
                        dns.receive(q);
                        asked.incrementAndGet();
                        byte[] a = java.util.Arrays.copyOf(q.getData(), q.getLength());
                        a[2] = (byte) (0x80 | (a[2] & 0x01)); // a response, recursion desired as asked
                        a[3] = (byte) 0x83; // recursion available, NXDOMAIN
                        dns.send(new java.net.DatagramPacket(a, a.length, q.getSocketAddress()));
                    } catch (IOException e) {
                        return; // closed
                    }
                }
            });
            apply("""
                    apiVersion: v1
                    kind: Service
                    metadata: {name: udp-dns}
                    spec:
                      ports: [{name: dns, protocol: UDP, port: 53}]
                    ---
                    apiVersion: discovery.k8s.io/v1
                    kind: EndpointSlice
                    metadata:
                      name: udp-dns-1
                      labels: {kubernetes.io/service-name: udp-dns}
                    addressType: IPv4
                    ports: [{name: dns, protocol: UDP, port: %d}]
                    endpoints: [{addresses: ["%s"], conditions: {ready: true}}]
                    """.formatted(dns.getLocalPort(), gateway));
            String ip = clusterIp("udp-dns");
            awaitRules("the UDP Service's rules", n -> n.contains("-d " + ip + "/32 -p udp -m udp --dport 53 ")
                    && n.contains("--to-destination " + gateway + ":" + dns.getLocalPort()));
            Kubectl.Result r = kubectl.run(30, "exec", "client", "--", "nslookup", "udp-probe.test", ip);
            String printed = r.out() + r.err();
            assertTrue(printed.contains("NXDOMAIN"), printed);
            assertTrue(asked.get() > 0);
            responder.interrupt();
        }
    }

    @Test
    @Order(5)
    void aNodePortAndALoadBalancerIngressIpAnswerFromTheHost() throws Exception {
        int nodePort = service("web-np").getSpec().getPorts().getFirst().getNodePort();
        Set<String> pods = webPodNames();
        for (String url : List.of("http://" + hostIp + ":" + nodePort + "/", "http://127.0.0.1:" + nodePort + "/",
                "http://" + hostIp + ":18080/")) {
            try (HttpClient http = HttpClient.newHttpClient()) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), url);
                assertTrue(pods.contains(r.body().strip()), url + " answered " + r.body());
            }
        }
    }

    @Test
    @Order(6)
    void aPodReachesItselfThroughItsService() {
        assertEquals(List.of("client", "client", "client"),
                fromClient("for i in 1 2 3; do timeout 5 wget -qO- http://%s/; done".formatted(clusterIp("self"))));
    }

    /** The gateway's own Service, 10.96.0.1:443, leads a pod to the API (TLS, so only the connection is checked). */
    @Test
    @Order(7)
    void theKubernetesServiceLeadsToTheApi() {
        Kubectl.Result r = kubectl.run(30, "exec", "client", "--", "sh", "-c",
                "timeout 5 nc 10.96.0.1 443 </dev/null; echo rc=$?");
        assertTrue(r.out().contains("rc=0"), r.out() + r.err());
    }

    @Test
    @Order(8)
    void theRulesOfADeletedServiceAreRemoved() throws Exception {
        String ip = clusterIp("idle");
        kubectl.run("delete", "service", "idle").ok();
        String nat = awaitRules("no rule for the deleted Service", n -> !n.contains("-d " + ip + "/32"));
        assertFalse(nat.contains("default/idle"), nat);
    }

    @Test
    @Order(9)
    void rulesForwardWhileTheAgentIsDownAndFollowAServiceChangedMeanwhile() throws Exception {
        String ip = clusterIp("web");
        Set<String> pods = webPodNames();
        cluster.stopAgent(agent);
        assertEquals(pods, Set.copyOf(throughEngine("for i in $(seq 24); do timeout 5 wget -qO- http://%s/; done"
                .formatted(ip))), "forwarded by the rules the stopped agent left");

        kubectl.run("patch", "service", "web", "--type=json", "-p",
                "[{\"op\":\"replace\",\"path\":\"/spec/ports/0/port\",\"value\":81}]").ok();
        agent = cluster.addAgent(dir.resolve(node), agentSettings);
        awaitRules("the changed port", n -> n.contains("-d " + ip + "/32 -p tcp -m tcp --dport 81 ")
                && !n.contains("-d " + ip + "/32 -p tcp -m tcp --dport 80 "));
        // the new agent's exec port is not yet in its Node's status: through the engine again. Its own pod may
        // leave the endpoints for a moment while its probes start over, so both answering is awaited (seen once:
        // the first pass after the restart had one endpoint)
        Await.until(Duration.ofSeconds(30), "both pods answering on the changed port", () -> {
            try {
                return Set.copyOf(throughEngine("for i in $(seq 24); do timeout 5 wget -qO- http://%s:81/; done"
                        .formatted(ip)));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, pods::equals);
        ServiceProxy.Status status = agent.getBean(NodeAgentService.class).serviceProxy().orElseThrow().status();
        assertTrue(status.owner() && status.lastSync() != null, status.toString());
        ServiceProxy.Status other = secondAgent.getBean(NodeAgentService.class).serviceProxy().orElseThrow().status();
        assertFalse(other.owner(), "the owner's Node exists all along: " + other);
        assertEquals(null, other.lastSync(), "the second agent never wrote");
        System.out.printf("service proxy: the restarted agent wrote %d Services in %d ms%n", status.services(),
                status.millis());
    }

    // ------------------------------------------------------------------------------------------------------ helpers

    private static void apply(String yaml) throws IOException {
        Path file = dir.resolve("manifest-" + UUID.randomUUID() + ".yaml");
        Files.writeString(file, yaml);
        kubectl.run("apply", "-f", file.toString()).ok();
    }

    /** The lines the client pod's shell printed on stdout. */
    private static List<String> fromClient(String script) {
        return kubectl.run(60, "exec", "client", "--", "sh", "-c", script).out().lines()
                .map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    /** As {@link #fromClient}, but with an exec of the engine: kubectl exec needs the agent. */
    private static List<String> throughEngine(String script) throws IOException {
        Pod pod = cluster.api().get(ResourceTypes.PODS, "default", "client", Pod.class).orElseThrow();
        try (DockerRuntime docker = new DockerRuntime(DockerRuntime.DEFAULT_DOCKER_HOST, pod.getSpec().getNodeName())) {
            ContainerInfo client = docker.list().stream().filter(c -> pod.getMetadata().getUid().equals(c.podUid())
                    && "httpd".equals(c.name()) && c.state() == ContainerInfo.State.RUNNING).findFirst().orElseThrow();
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            docker.exec(client.id(), List.of("sh", "-c", script), null, out, java.io.OutputStream.nullOutputStream());
            return out.toString(java.nio.charset.StandardCharsets.UTF_8).lines().map(String::strip)
                    .filter(l -> !l.isEmpty()).toList();
        }
    }

    private static Service service(String name) {
        return cluster.api().get(ResourceTypes.SERVICES, "default", name, Service.class).orElseThrow();
    }

    private static String clusterIp(String name) {
        return service(name).getSpec().getClusterIP();
    }

    private static List<String> services(String... names) {
        return java.util.Arrays.stream(names).map(ServiceProxyOnDockerTest::clusterIp).toList();
    }

    private static List<Pod> webPods() {
        return cluster.api().list(ResourceTypes.PODS, "default", "app=web", null, Pod.class).items();
    }

    private static Set<String> webPodNames() {
        return webPods().stream().map(p -> p.getMetadata().getName()).collect(Collectors.toCollection(TreeSet::new));
    }

    private static List<String> webPodIps() {
        return webPods().stream().map(p -> p.getStatus().getPodIP()).toList();
    }

    /** The nat rules of ours, for a failure's message. */
    private static String natRules() throws IOException {
        return helper.runOnHost("iptables-save -t nat", "").out().lines().filter(l -> l.contains("KUBUS"))
                .collect(Collectors.joining("\n"));
    }

    /** Waits until the kernel's nat table, as iptables-save prints it, passes {@code done}. */
    private static String awaitRules(String what, java.util.function.Predicate<String> done)
            throws InterruptedException {
        return Await.until(Duration.ofSeconds(30), what, () -> {
            try {
                HostNetworkHelper.Result r = helper.runOnHost("iptables-save -t nat", "");
                return r.ok() ? r.out() : "";
            } catch (IOException e) {
                return "";
            }
        }, done, n -> n.lines().filter(l -> l.contains("KUBUS-SERVICES")).collect(Collectors.joining("\n")));
    }

    /** An IPv4 address of this host outside Docker's networks: the node's InternalIP. */
    private static String hostAddress() throws SocketException {
        Map<String, String> found = new HashMap<>();
        for (NetworkInterface n : NetworkInterface.networkInterfaces().toList()) {
            if (!n.isUp() || n.isLoopback() || n.getName().startsWith("docker") || n.getName().startsWith("br-")
                    || n.getName().startsWith("veth")) {
                continue;
            }
            for (InetAddress a : n.inetAddresses().toList()) {
                if (a instanceof Inet4Address) {
                    found.putIfAbsent(n.getName(), a.getHostAddress());
                }
            }
        }
        return found.values().stream().sorted().findFirst().orElseThrow(() -> new AssertionError("no host address"));
    }
}

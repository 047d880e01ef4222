package io.kubus.launcher.services;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.kubus.client.api.KubusApi;
import io.kubus.client.config.ClientConfig;
import io.kubus.gateway.testing.Kubectl;
import io.kubus.launcher.KubusLauncher;
import io.kubus.launcher.LauncherOptions;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Services as a user of {@code ./kubus up} on Docker meets them, with the real kubectl: a two-replica Deployment
 * behind a Service, reached from a client pod by ClusterIP, short name and full name, every pod answering; scaled to
 * three, the third address is in Endpoints and the EndpointSlice within seconds; a pod turning unready leaves the ready
 * set and gets no more requests; a headless Service's name gives every pod IP; a Service without ready pods refuses at
 * once; an unused address of the service range is refused on the node (and its route is unreachable: nothing leaves
 * the machine); a NodePort and a LoadBalancer's EXTERNAL-IP answer from the host; a pod reaches the API through the
 * {@code kubernetes} Service with its ServiceAccount token, checking the API's certificate.
 */
class ServicesEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static Path dir;
    private static KubusLauncher launcher;
    private static KubusApi api;
    private static Kubectl kubectl;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("kubus-services-");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        LauncherOptions options = LauncherOptions.parse("--data", dir.toString(), "--port", Integer.toString(port),
                "--runtime", "docker");
        launcher = new KubusLauncher(options);
        launcher.start();
        api = new KubusApi(ClientConfig.fromKubeconfig(options.kubeconfig()));
        kubectl = new Kubectl(options.kubeconfig(), dir);
        Path classes = Path.of("target/test-classes").toAbsolutePath();
        Files.writeString(dir.resolve("app.yaml"), """
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
                        command: ["sh", "-c", "mkdir -p /www && echo $HOSTNAME > /www/index.html && exec httpd -f -p 8080 -h /www"]
                        ports: [{name: http, containerPort: 8080}]
                        readinessProbe:
                          exec: {command: ["test", "!", "-e", "/tmp/unready"]}
                          periodSeconds: 1
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec:
                  selector: {app: web}
                  ports: [{port: 80, targetPort: http}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web-headless}
                spec:
                  clusterIP: None
                  selector: {app: web}
                  ports: [{port: 8080}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web-np}
                spec:
                  type: NodePort
                  selector: {app: web}
                  ports: [{port: 80, targetPort: 8080}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web-lb}
                spec:
                  type: LoadBalancer
                  selector: {app: web}
                  ports: [{port: 18089, targetPort: 8080}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: nobody}
                spec:
                  selector: {app: nobody}
                  ports: [{port: 80}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: client}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: client
                    image: kubus/busybox:1
                    command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]
                ---
                apiVersion: v1
                kind: ServiceAccount
                metadata: {name: reader}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: {name: reader-views}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
                subjects: [{kind: ServiceAccount, name: reader, namespace: default}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: in-cluster}
                spec:
                  serviceAccountName: reader
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: java
                    image: kubus/jre:25
                    command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]
                    volumeMounts: [{name: classes, mountPath: /classes, readOnly: true}]
                  volumes:
                  - name: classes
                    hostPath: {path: %s}
                """.formatted(classes));
        kubectl.run("apply", "-f", dir.resolve("app.yaml").toString()).ok();
        await("2 ready web pods", () -> readyPods("app=web").size(), n -> n == 2);
        await("the client pods running", () -> running("client") && running("in-cluster"), b -> b);
    }

    @AfterAll
    static void stop() throws Exception {
        if (api != null) {
            api.close();
        }
        if (launcher != null) {
            launcher.close();
        }
        // the service rules and containers outlive their agent by design: the test's are removed here, the agent
        // being stopped first so that it cannot write the rules again
        io.kubus.agent.proxy.ServiceProxyCleanup.main(new String[]{"kubus-node"});
        new ProcessBuilder("sh", "-c", "docker ps -aq --filter label=io.kubus.node=kubus-node | xargs -r docker rm -f")
                .inheritIO().start().waitFor();
    }

    @Test
    void aServiceIsReachedByAddressAndNameAndSpreadsOverItsReadyPods() throws Exception {
        Set<String> pods = readyPods("app=web");
        String clusterIp = service("web").getSpec().getClusterIP();
        for (String target : List.of(clusterIp, "web", "web.default.svc.cluster.local")) {
            String answer = client("timeout 5 wget -q -O- http://" + target + "/");
            assertTrue(pods.contains(answer.strip()), target + " answered " + answer);
        }
        assertEquals(pods, answers("web", 24), "24 requests reach both pods");

        // scaled to three: the third address in Endpoints and the slice within seconds
        kubectl.run("scale", "deployment", "web", "--replicas=3").ok();
        Set<String> three = await("3 ready web pods", () -> readyIps(), s -> s.size() == 3);
        long t0 = System.nanoTime();
        await("the third pod in Endpoints", () -> endpointIps("web"), three::equals);
        await("the third pod in the EndpointSlice", () -> sliceIps("web"), three::equals);
        System.out.printf("third pod in Endpoints and the slice %d ms after it was Ready%n", (System.nanoTime() - t0) / 1_000_000);
        await("all three answering through the Service", () -> answers("web", 24), s -> s.equals(readyPods("app=web")));

        // one pod turns unready: out of the ready set, and no more requests reach it
        String unready = readyPods("app=web").iterator().next();
        kubectl.run("exec", unready, "--", "touch", "/tmp/unready").ok();
        await(unready + " out of the ready endpoints", () -> endpointIps("web").size(), n -> n == 2);
        await("the two ready pods answering, not " + unready, () -> answers("web", 24), s -> s.size() == 2 && !s.contains(unready));
        kubectl.run("exec", unready, "--", "rm", "/tmp/unready").ok();

        // a headless Service's name: every ready pod's IP
        Set<String> ips = await("3 ready again", () -> readyIps(), s -> s.size() == 3);
        String lookup = await("the headless name resolving to all pods", () -> client("nslookup web-headless.default.svc.cluster.local"),
                out -> ips.stream().allMatch(out::contains));
        assertFalse(lookup.contains(service("web").getSpec().getClusterIP()), lookup);
    }

    @Test
    void whatHasNoServiceIsRefusedAtOnceOnTheNode() throws Exception {
        long t0 = System.nanoTime();
        Kubectl.Result noEndpoints = kubectl.run("exec", "client", "--", "timeout", "5", "wget", "-q", "-O-", "http://nobody/");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(noEndpoints.exitCode() != 0 && noEndpoints.err().contains("refused"), noEndpoints.err());
        assertTrue(ms < 4_000, "refused, not left to time out: " + ms + " ms (kubectl exec included)");

        // an address of the service range that no Service holds
        String unused = "10.111.222.123";
        assertTrue(api.list(ResourceTypes.SERVICES, null, null, null, Service.class).items().stream()
                .noneMatch(s -> unused.equals(s.getSpec().getClusterIP())));
        Kubectl.Result refused = kubectl.run("exec", "client", "--", "timeout", "5", "wget", "-q", "-O-", "http://" + unused + "/");
        assertTrue(refused.exitCode() != 0 && !refused.err().contains("timed out"), refused.err());
        // and the node's route for the whole range sends nothing anywhere
        Process route = new ProcessBuilder("ip", "route", "get", unused).redirectErrorStream(true).start();
        String how = new String(route.getInputStream().readAllBytes());
        route.waitFor();
        assertTrue(how.contains("unreachable") || how.contains("Network is unreachable") || how.contains("No route"), how);
    }

    @Test
    void aNodePortAndALoadBalancerAnswerFromTheHost() throws Exception {
        String nodeIp = api.get(ResourceTypes.NODES, "", "kubus-node", io.fabric8.kubernetes.api.model.Node.class)
                .orElseThrow().getStatus().getAddresses().stream().filter(a -> a.getType().equals("InternalIP"))
                .findFirst().orElseThrow().getAddress();
        int nodePort = service("web-np").getSpec().getPorts().getFirst().getNodePort();
        Set<String> pods = readyPods("app=web");
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            String viaNodePort = await("the NodePort answering", () -> get(http, "http://" + nodeIp + ":" + nodePort + "/"),
                    body -> body != null && readyPods("app=web").contains(body.strip()));
            assertTrue(readyPods("app=web").contains(viaNodePort.strip()), viaNodePort);

            String external = await("web-lb's EXTERNAL-IP", () -> kubectl.run("get", "svc", "web-lb", "-o",
                    "jsonpath={.status.loadBalancer.ingress[0].ip}").out().strip(), s -> !s.isEmpty());
            assertEquals(nodeIp, external, "the node's address, as k3s's ServiceLB gives it");
            assertFalse(kubectl.run("get", "svc", "web-lb").ok().out().contains("<pending>"));
            String viaLb = await("the LoadBalancer answering", () -> get(http, "http://" + external + ":18089/"),
                    body -> body != null && !body.isBlank());
            assertTrue(readyPods("app=web").contains(viaLb.strip()) || pods.contains(viaLb.strip()), viaLb);
        }
    }

    @Test
    void aPodReachesTheApiThroughTheKubernetesServiceWithItsToken() throws Exception {
        String out = await("the API answering the pod", () -> kubectl.run(60, "exec", "in-cluster", "--", "java", "-cp",
                "/classes", InClusterGet.class.getName(), "/api/v1/namespaces/default/pods").out(), s -> s.contains("STATUS"));
        assertTrue(out.contains("STATUS 200") && out.contains("\"kind\":\"PodList\"") && out.contains("in-cluster"), out);
        // its rights are the view role's: no more
        String denied = kubectl.run(60, "exec", "in-cluster", "--", "java", "-cp", "/classes",
                InClusterGet.class.getName(), "/api/v1/namespaces/default/secrets").out();
        assertTrue(denied.contains("STATUS 403") && denied.contains("system:serviceaccount:default:reader"), denied);
    }

    // ------------------------------------------------------------------------------------------------------ helpers

    private static String client(String command) {
        return kubectl.run(60, "exec", "client", "--", "sh", "-c", command).ok().out();
    }

    /** The pods that answered {@code n} requests to {@code target} from the client pod. */
    private static Set<String> answers(String target, int n) {
        String out = client("for i in $(seq " + n + "); do timeout 5 wget -q -O- http://" + target + "/; done");
        return Arrays.stream(out.split("\n")).map(String::strip).filter(s -> !s.isEmpty()).collect(Collectors.toCollection(TreeSet::new));
    }

    private static String get(HttpClient http, String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static Service service(String name) {
        return api.get(ResourceTypes.SERVICES, "default", name, Service.class).orElseThrow();
    }

    private static boolean running(String pod) {
        return api.get(ResourceTypes.PODS, "default", pod, Pod.class)
                .map(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase())).orElse(false);
    }

    private static List<Pod> ready(String selector) {
        return api.list(ResourceTypes.PODS, "default", selector, null, Pod.class).items().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null && p.getStatus() != null
                        && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                        .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True")))
                .toList();
    }

    private static Set<String> readyPods(String selector) {
        return ready(selector).stream().map(p -> p.getMetadata().getName()).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> readyIps() {
        return ready("app=web").stream().map(p -> p.getStatus().getPodIP()).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> endpointIps(String name) {
        return api.get(ResourceTypes.ENDPOINTS, "default", name, Endpoints.class).map(e -> Objects.requireNonNullElse(
                        e.getSubsets(), List.<io.fabric8.kubernetes.api.model.EndpointSubset>of()).stream()
                        .flatMap(s -> s.getAddresses().stream()).map(a -> a.getIp())
                        .collect(Collectors.toCollection(TreeSet::new)))
                .orElse(new TreeSet<>());
    }

    private static Set<String> sliceIps(String service) {
        return api.list(ResourceTypes.ENDPOINTSLICES, "default", "kubernetes.io/service-name=" + service, null,
                        EndpointSlice.class).items().stream()
                .flatMap(s -> Objects.requireNonNullElse(s.getEndpoints(), List.<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint>of()).stream())
                .filter(e -> Boolean.TRUE.equals(e.getConditions().getReady()))
                .flatMap(e -> e.getAddresses().stream()).collect(Collectors.toCollection(TreeSet::new));
    }

    private static <V> V await(String what, Supplier<V> probe, Predicate<V> done) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        V last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = probe.get();
                if (done.test(last)) {
                    return last;
                }
            } catch (RuntimeException | AssertionError e) {
                last = null;
            }
            Thread.sleep(250);
        }
        fail(what + ": not within " + WAIT.toSeconds() + " s; last: " + last);
        return null;
    }
}

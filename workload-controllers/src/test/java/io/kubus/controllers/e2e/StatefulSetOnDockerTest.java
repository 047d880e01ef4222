package io.kubus.controllers.e2e;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.agent.node.NodeAgentService;
import io.kubus.client.api.KubusApi;
import io.kubus.controllers.common.PodStates;
import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.WatchedPods;
import io.kubus.controllers.testing.ClusterFixture;
import io.kubus.controllers.testing.DockerNodes;
import io.kubus.gateway.testing.Kubectl;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15's StatefulSet as a user meets it: one node agent on the Docker engine, the real controllers and the real
 * kubectl. A set of 3 with a headless Service and a claim template starts db-0, db-1, db-2 in order (each one made
 * only once the one below is Running and Ready, as {@code kubectl get pods -w} saw it), its claims are provisioned by
 * the default class and Bound, db-1's hostname is its own and its name under the Service resolves from db-0 to
 * db-1's address, db-0 deleted comes back with what it wrote, {@code set image} replaces the highest ordinal first,
 * {@code rollout history} and {@code rollout undo} work, a partition of 2 updates only db-2, and scaling to 1 deletes
 * db-2 before db-1 and keeps their claims. One flow on one cluster and one node: Docker pods are slow to start, and
 * every step builds on the set the one before left.
 *
 * <p>The names are asked of the node's DNS server at its address on the pod network: the pods' resolv.conf names the
 * kube-dns ClusterIP, which only the service proxy sends there, and the proxy (the host's iptables, one owner per
 * kernel) stays off in these tests.
 */
class StatefulSetOnDockerTest {
    private static final Pattern ADDRESS = Pattern.compile("(?m)^Address(?: \\d+)?:\\s*(\\S+)");

    @TempDir
    static Path dir;
    static ClusterFixture cluster;
    static KubusApi api;
    static Kubectl kubectl;
    static String node;
    static InetSocketAddress dns;

    @BeforeAll
    static void start() {
        cluster = ClusterFixture.start();
        node = "sts-" + UUID.randomUUID().toString().substring(0, 6);
        var agent = cluster.addAgent(dir.resolve(node), Map.of("kubus.agent.runtime", "docker",
                "kubus.agent.node-name", node));
        cluster.startControllers();
        api = cluster.api();
        kubectl = cluster.kubectl(dir);
        dns = agent.getBean(NodeAgentService.class).dnsAddress().orElseThrow();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        DockerNodes.removeContainers(List.of(node));
    }

    /** The set's pods by name, finished ones included. */
    private static Map<String, Pod> pods() {
        return api.list(ResourceTypes.PODS, "default", "app=db", null, Pod.class).items().stream()
                .collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p, (a, b) -> a, TreeMap::new));
    }

    private static boolean runningAndReady(Pod p) {
        return p != null && p.getMetadata().getDeletionTimestamp() == null && p.getStatus() != null
                && "Running".equals(p.getStatus().getPhase()) && PodStates.isReady(p);
    }

    private static Map<String, Pod> awaitReady(String... names) throws InterruptedException {
        return Await.until(Duration.ofSeconds(120), "running and ready " + List.of(names), StatefulSetOnDockerTest::pods,
                m -> m.keySet().equals(Set.of(names)) && m.values().stream().allMatch(StatefulSetOnDockerTest::runningAndReady),
                m -> m.values().stream().map(p -> p.getMetadata().getName() + ":" + (p.getStatus() == null ? "-"
                        : p.getStatus().getPhase()) + (PodStates.isReady(p) ? "/ready" : "")).toList().toString());
    }

    private static Map<String, String> images() {
        Map<String, String> images = new TreeMap<>();
        pods().forEach((n, p) -> images.put(n, p.getSpec().getContainers().getFirst().getImage()));
        return images;
    }

    private static Map<String, String> allImages(String image) {
        return Map.of("db-0", image, "db-1", image, "db-2", image);
    }

    private static Pod byName(Map<String, Pod> state, String name) {
        return state.values().stream().filter(p -> p.getMetadata().getName().equals(name)).findFirst().orElse(null);
    }

    /**
     * The set's pods as the real kubectl watches them ({@code get pods -w --output-watch-events -o json}), replayed in
     * resourceVersion order, the order the store committed the changes in: the watch cache hands out live changes of
     * different pods as their change topic's partitions bring them, which need not be that order.
     */
    private static final class KubectlPodWatch implements WatchedPods, AutoCloseable {
        private static final ObjectMapper JSON = new ObjectMapper()
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        private static final Pattern WATCHING = Pattern.compile("GET .*[?&]watch=true.* 200 OK");
        private final Process process;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final Thread reader;
        private final int listed;

        /** Started once kubectl has listed: what comes after is watched from the list's version, nothing missed. */
        KubectlPodWatch(int existing) throws Exception {
            // -v=6 logs each request once its answer came: the watch's, once it is established
            Path log = Files.createTempFile(dir, "kubectl-watch-", ".log");
            process = kubectl.start(log, "get", "pods", "-l", "app=db", "-w", "--output-watch-events", "-o", "json",
                    "-v=6");
            reader = Thread.ofPlatform().daemon().start(() -> {
                try (var in = process.getInputStream()) {
                    byte[] buf = new byte[8192];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        synchronized (out) {
                            out.write(buf, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // the process ended
                }
            });
            Await.until(Duration.ofSeconds(30), "kubectl watching from its list of " + existing + " pods",
                    () -> readLog(log), t -> WATCHING.matcher(t).find());
            Await.until(Duration.ofSeconds(30), "kubectl printing its list of " + existing + " pods", this::text,
                    t -> events(t).size() >= existing);
            listed = existing;
        }

        private static String readLog(Path log) {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private String text() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }

        private static List<JsonNode> events(String text) {
            List<JsonNode> events = new ArrayList<>();
            try (var it = JSON.readerFor(JsonNode.class)
                    .<JsonNode>readValues(text)) {
                while (it.hasNext()) {
                    events.add(it.next());
                }
            } catch (IOException | RuntimeException e) {
                // the last event is still being written: what came before it
            }
            return events;
        }

        /** How many events arrived out of resourceVersion order (informational). */
        int outOfOrder() {
            long last = 0;
            int late = 0;
            List<JsonNode> all = events(text());
            for (var e : all.subList(listed, all.size())) {
                long rv = e.path("object").path("metadata").path("resourceVersion").asLong();
                if (rv < last) {
                    late++;
                }
                last = Math.max(last, rv);
            }
            return late;
        }

        /** The pods after each watched change (those listed at the start skipped), in resourceVersion order. */
        @Override
        public void replay(Consumer<Map<String, Pod>> check) {
            List<JsonNode> all = events(text());
            List<JsonNode> watched = new ArrayList<>(all.subList(listed, all.size()));
            watched.sort(Comparator.comparingLong(
                    e -> e.path("object").path("metadata").path("resourceVersion").asLong()));
            Map<String, Pod> pods = new HashMap<>();
            for (var e : all.subList(0, listed)) {
                Pod p = pod(e);
                pods.put(p.getMetadata().getUid(), p);
            }
            for (var e : watched) {
                Pod p = pod(e);
                if ("DELETED".equals(e.path("type").asText())) {
                    pods.remove(p.getMetadata().getUid());
                } else {
                    pods.put(p.getMetadata().getUid(), p);
                }
                check.accept(pods);
            }
        }

        private static Pod pod(JsonNode event) {
            try {
                return JSON.treeToValue(event.path("object"), Pod.class);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor();
            reader.join();
        }
    }

    /** The REVISION column of {@code kubectl rollout history}. */
    private static List<String> revisions() {
        String out = kubectl.run("rollout", "history", "sts/db").ok().out();
        return out.lines().map(String::trim).filter(l -> l.matches("\\d+\\s.*|\\d+"))
                .map(l -> l.split("\\s+")[0]).toList();
    }

    private static String exec(String pod, String... command) {
        List<String> args = new ArrayList<>(List.of("exec", pod, "--"));
        args.addAll(List.of(command));
        return kubectl.run(args.toArray(String[]::new)).ok().out();
    }

    /** The addresses busybox nslookup printed for {@code name}, the server's own left out. */
    private static Set<String> lookUp(String fromPod, String name) {
        String server = dns.getAddress().getHostAddress() + ":" + dns.getPort();
        Kubectl.Result r = kubectl.run("exec", fromPod, "--", "nslookup", name, server);
        Set<String> found = new TreeSet<>();
        Matcher m = ADDRESS.matcher(r.out());
        while (m.find()) {
            if (!m.group(1).equals(server) && !m.group(1).equals(dns.getAddress().getHostAddress())) {
                found.add(m.group(1));
            }
        }
        return found;
    }

    private static void rolloutStatus() {
        kubectl.run(150, "rollout", "status", "sts/db", "--timeout=140s").ok();
    }

    @Test
    void aStatefulSetOfThreeOnDockerThroughKubectl() throws Exception {
        long started = System.nanoTime();
        String classes = kubectl.run("get", "storageclass").ok().out();
        assertTrue(classes.matches("(?s).*\\nlocal-path \\(default\\)\\s+.*"), classes);

        Path manifest = dir.resolve("db.yaml");
        Files.writeString(manifest, """
                apiVersion: v1
                kind: Service
                metadata: {name: db}
                spec:
                  clusterIP: None
                  selector: {app: db}
                  ports: [{name: pg, port: 5432}]
                ---
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: db}
                spec:
                  serviceName: db
                  replicas: 3
                  selector: {matchLabels: {app: db}}
                  template:
                    metadata: {labels: {app: db}}
                    spec:
                      terminationGracePeriodSeconds: 1
                      containers:
                      - name: db
                        image: kubus/busybox:1
                        # ready a moment after it runs, so that "made before the one below was ready" can be seen
                        command: ["sh", "-c", "trap 'exit 0' TERM; sleep 1; mkdir -p /www; hostname > /www/index.html; httpd -p 8080 -h /www; sleep 600 & wait"]
                        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
                        volumeMounts: [{name: data, mountPath: /data}]
                  volumeClaimTemplates:
                  - metadata: {name: data}
                    spec:
                      accessModes: [ReadWriteOnce]
                      resources: {requests: {storage: 1Gi}}
                """);

        // ordered start: each ordinal first appears in a state where the one below is Running and Ready
        Map<String, Pod> ready;
        try (KubectlPodWatch history = new KubectlPodWatch(0)) {
            kubectl.run("apply", "-f", manifest.toString()).ok();
            rolloutStatus();
            ready = awaitReady("db-0", "db-1", "db-2");
            List<String> order = new ArrayList<>();
            Set<String> runningUnready = new TreeSet<>();
            history.replay(state -> {
                for (Pod p : state.values()) {
                    String n = p.getMetadata().getName();
                    if (p.getStatus() != null && "Running".equals(p.getStatus().getPhase()) && !PodStates.isReady(p)) {
                        runningUnready.add(n);
                    }
                    if (order.contains(n)) {
                        continue;
                    }
                    order.add(n);
                    int ordinal = Integer.parseInt(n.substring("db-".length()));
                    if (ordinal > 0) {
                        Pod below = byName(state, "db-" + (ordinal - 1));
                        assertTrue(runningAndReady(below), n + " was made while db-" + (ordinal - 1)
                                + " was not Running and Ready: " + (below == null ? "none" : below.getStatus()));
                    }
                }
            });
            assertEquals(List.of("db-0", "db-1", "db-2"), order);
            assertEquals(Set.of("db-0", "db-1", "db-2"), runningUnready, "each pod was seen Running before it was Ready");
            System.out.printf("statefulset on Docker: kubectl watched the start, %d events out of resourceVersion order%n",
                    history.outOfOrder());
        }
        System.out.printf("statefulset on Docker: 3 pods ordered and ready after %d ms%n", millis(started));
        String claims = kubectl.run("get", "pvc").ok().out();
        for (int i = 0; i < 3; i++) {
            assertTrue(claims.matches("(?s).*\\ndata-db-" + i + "\\s+Bound\\s+pvc-\\S+\\s+1Gi\\s+RWO\\s+local-path.*"),
                    claims);
        }

        // identity: db-1's hostname, and its name under the headless Service resolving to its address from db-0
        assertEquals("db-1\n", exec("db-1", "hostname"));
        String db1Ip = ready.get("db-1").getStatus().getPodIP();
        Set<String> answer = Await.until(Duration.ofSeconds(20), "db-1.db resolving from db-0",
                () -> lookUp("db-0", "db-1.db.default.svc.cluster.local"), a -> a.equals(Set.of(db1Ip)),
                a -> a + " (db-1 is " + db1Ip + ")");
        assertEquals(Set.of(db1Ip), answer);
        Set<String> all = ready.values().stream().map(p -> p.getStatus().getPodIP()).collect(Collectors.toSet());
        assertEquals(all, lookUp("db-0", "db.default.svc.cluster.local"), "the headless Service: every ready pod");

        // db-0 deleted comes back under its name, on its claim, with what the first db-0 wrote
        exec("db-0", "sh", "-c", "echo written-by-the-first-db-0 > /data/file");
        String firstUid = ready.get("db-0").getMetadata().getUid();
        kubectl.run(60, "delete", "pod", "db-0").ok();
        Map<String, Pod> again = Await.until(Duration.ofSeconds(120), "a new db-0", StatefulSetOnDockerTest::pods,
                m -> runningAndReady(m.get("db-0")) && !m.get("db-0").getMetadata().getUid().equals(firstUid));
        assertEquals("written-by-the-first-db-0\n", exec("db-0", "cat", "/data/file"));
        assertEquals(ready.get("db-1").getMetadata().getUid(), again.get("db-1").getMetadata().getUid());
        System.out.printf("statefulset on Docker: identity, DNS and db-0 made anew after %d ms%n", millis(started));

        // set image: highest ordinal first
        try (KubectlPodWatch history = new KubectlPodWatch(3)) {
            kubectl.run("set", "image", "sts/db", "db=kubus/busybox:2").ok();
            rolloutStatus();
            awaitReady("db-0", "db-1", "db-2");
            assertEquals(allImages("kubus/busybox:2"), images());
            assertEquals(List.of("db-2", "db-1", "db-0"), history.deletionOrder());
            int[] fewestReady = {3};
            history.replay(state -> fewestReady[0] = Math.min(fewestReady[0],
                    (int) state.values().stream().filter(StatefulSetOnDockerTest::runningAndReady).count()));
            assertEquals(2, fewestReady[0], "one pod at a time replaced, each once the one before it was ready");
        }
        assertEquals(List.of("1", "2"), revisions());
        assertEquals("written-by-the-first-db-0\n", exec("db-0", "cat", "/data/file"), "the claim follows the ordinal");

        // undo: the first template again, as revision 3
        kubectl.run("rollout", "undo", "sts/db").ok();
        rolloutStatus();
        awaitReady("db-0", "db-1", "db-2");
        assertEquals(allImages("kubus/busybox:1"), images());
        assertEquals(List.of("2", "3"), revisions(), "the first template came back as revision 3");
        System.out.printf("statefulset on Docker: set image and undo after %d ms%n", millis(started));

        // a partition of 2: only db-2 takes the next template
        kubectl.run("patch", "sts", "db", "-p", "{\"spec\":{\"updateStrategy\":{\"rollingUpdate\":{\"partition\":2}}}}")
                .ok();
        kubectl.run("set", "image", "sts/db", "db=kubus/busybox:2").ok();
        String out = kubectl.run(150, "rollout", "status", "sts/db", "--timeout=140s").ok().out();
        assertTrue(out.contains("partitioned roll out complete: 1 new pods have been updated"), out);
        awaitReady("db-0", "db-1", "db-2");
        assertEquals(Map.of("db-0", "kubus/busybox:1", "db-1", "kubus/busybox:1", "db-2", "kubus/busybox:2"), images());

        // scale to 1: db-2 is gone before db-1 is deleted, and both claims stay Bound
        try (KubectlPodWatch history = new KubectlPodWatch(3)) {
            kubectl.run("scale", "sts/db", "--replicas=1").ok();
            awaitReady("db-0");
            int[] firstStateWithout2 = {-1};
            int[] firstState1Going = {-1};
            int[] i = {0};
            history.replay(state -> {
                Pod two = byName(state, "db-2");
                Pod one = byName(state, "db-1");
                if (two == null && firstStateWithout2[0] < 0) {
                    firstStateWithout2[0] = i[0];
                }
                if ((one == null || one.getMetadata().getDeletionTimestamp() != null) && firstState1Going[0] < 0) {
                    firstState1Going[0] = i[0];
                }
                i[0]++;
            });
            assertTrue(firstStateWithout2[0] >= 0 && firstState1Going[0] > firstStateWithout2[0],
                    "db-1 went in state " + firstState1Going[0] + ", db-2 was gone in state " + firstStateWithout2[0]);
            assertEquals(List.of("db-2", "db-1"), history.deletionOrder());
        }
        claims = kubectl.run("get", "pvc").ok().out();
        for (int n = 0; n < 3; n++) {
            assertTrue(claims.matches("(?s).*\\ndata-db-" + n + "\\s+Bound\\s.*"), "data-db-" + n + " kept: " + claims);
        }
        Await.until(Duration.ofSeconds(30), "kubectl get sts showing 1/1", () -> kubectl.run("get", "sts", "db").ok().out(),
                t -> t.matches("(?s).*\\ndb\\s+1/1\\s.*"));
        System.out.printf("statefulset on Docker: whole flow in %d ms%n", millis(started));
    }

    private static long millis(long since) {
        return (System.nanoTime() - since) / 1_000_000;
    }
}

package io.kubus.controllers.bench;

import io.kubus.client.api.KubusApi;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import io.kubus.controllers.testing.ClusterFixture;
import io.kubus.schema.ResourceTypes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import javax.sql.DataSource;

import static io.kubus.controllers.bench.Bench.await;
import static io.kubus.controllers.bench.Bench.awaitDeployment;
import static io.kubus.controllers.bench.Bench.barePod;
import static io.kubus.controllers.bench.Bench.deployment;
import static io.kubus.controllers.bench.Bench.heapAfterGc;
import static io.kubus.controllers.bench.Bench.intArg;
import static io.kubus.controllers.bench.Bench.intsArg;
import static io.kubus.controllers.bench.Bench.mib;
import static io.kubus.controllers.bench.Bench.percentile;
import static io.kubus.controllers.bench.Bench.processCpuNanos;
import static io.kubus.controllers.bench.Bench.rolledOut;
import static io.kubus.controllers.bench.Bench.rssBytes;
import static io.kubus.controllers.bench.Bench.seconds;
import static io.kubus.controllers.bench.Bench.startSimulatedCluster;
import static io.kubus.controllers.bench.Bench.stringArg;

/**
 * The whole cluster at scale (issue 17): N simulated nodes (default 1,000), gateway, broker, scheduler, agents and
 * controllers in one JVM, as {@link DeploymentBenchmark} runs them.
 * <ol>
 * <li>Bare pods: P pods (default 30,000) created through the API by C clients (default 8), timed from the first
 * create request to the last pod seen Running by a watch (an informer on the namespace's pods), in pods/s, with
 * p50/p99 of each pod's create request sent → first seen with status.phase Running. Run once per size of
 * {@code --sizes} (default just P), each in a fresh namespace, the previous size's pods deleted first (not timed),
 * after an untimed warm-up of W bare pods (default 1,000) so that the first size is not also the JIT's warm-up.
 * <li>A Deployment of R replicas (default P) in its own namespace, the bare pods gone: creation → all available, in
 * pods/s.
 * </ol>
 * After each: the JVM's used heap after a full GC and the process's RSS. For each bare-pod size, the cost per pod:
 * the process's CPU time, wall time and heap growth per pod, next to a baseline measured in the same run, the cost
 * per pod at the smallest size, so that growth with size shows as a ratio.
 */
public final class ClusterBenchmark {
    private static final String DEPLOYMENT = "bench";

    /**
     * The gateway's part of the heap that can be told apart cheaply: the rows of its store (H2 in memory, so in this
     * heap) and the characters of their JSON bodies, current objects and history (earlier states kept for lists at
     * an older resourceVersion).
     */
    private record Store(long rows, long bodyChars) {
        @Override
        public String toString() {
            return "%s in %,d rows".formatted(mib(bodyChars), rows);
        }
    }

    /**
     * One timed phase: {@code pods} from start to all Running ({@code seconds}); latencies in ms; the process's CPU
     * time over the phase; the used heap after GC before it and with all its pods Running; RSS and the gateway's
     * store at the end.
     */
    private record Phase(String name, int pods, double seconds, List<Double> latenciesMs, long cpuNanos,
                         long heapBefore, long heapAfter, long rss, Store storeBefore, Store store) {
        double podsPerSecond() {
            return pods / seconds;
        }

        double p50() {
            return percentile(latenciesMs, 0.50);
        }

        double p99() {
            return percentile(latenciesMs, 0.99);
        }

        double cpuMsPerPod() {
            return cpuNanos / 1e6 / pods;
        }

        double wallMsPerPod() {
            return seconds * 1000 / pods;
        }

        double heapBytesPerPod() {
            return (double) (heapAfter - heapBefore) / pods;
        }

        double storeCharsPerPod() {
            return (double) (store.bodyChars() - storeBefore.bodyChars()) / pods;
        }
    }

    public static void main(String[] args) throws Exception {
        int nodes = intArg(args, "--nodes", 1_000);
        int pods = intArg(args, "--pods", 30_000);
        int clients = intArg(args, "--clients", 8);
        List<Integer> sizes = intsArg(args, "--sizes", List.of(pods));
        int replicas = intArg(args, "--deployment-replicas", pods);
        int maxPods = intArg(args, "--max-pods", 110);
        int warmup = intArg(args, "--warmup", 1_000);
        String out = stringArg(args, "--out", "target/bench-results.md");
        int most = Math.max(Math.max(replicas, warmup), Collections.max(sizes));
        if ((long) nodes * maxPods < most) {
            throw new IllegalArgumentException("%d nodes of %d pods hold %d pods, fewer than %d: raise --nodes or --max-pods"
                    .formatted(nodes, maxPods, (long) nodes * maxPods, most));
        }
        if (maxPods > 253) {
            // SimulatedRuntime gives each node's sandboxes .2-.254 of its /24, round and round
            System.out.printf("[bench] note: more than 253 pods a node share simulated pod IPs%n");
        }
        String command = "./kubus bench cluster" + (args.length == 0 ? "" : " " + String.join(" ", args));
        String date = ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        Path data = Files.createTempDirectory("kubus-bench-cluster");
        try (ClusterFixture cluster = ClusterFixture.start();
             ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            startSimulatedCluster(cluster, data, nodes, Map.of("kubus.agent.max-pods", maxPods));
            long idleHeap = heapAfterGc();
            long idleRss = rssBytes();
            System.out.printf("[bench] idle cluster: heap after GC %s, RSS %s%n", mib(idleHeap), mib(idleRss));

            if (warmup > 0) {
                barePodsPhase(cluster, pool, "cluster-warmup", warmup, clients);
                System.out.printf("[bench] warm-up of %d pods done (not reported)%n", warmup);
            }
            List<Phase> bare = new ArrayList<>();
            for (int i = 0; i < sizes.size(); i++) {
                bare.add(barePodsPhase(cluster, pool, "cluster-bare-" + i, sizes.get(i), clients));
            }
            Phase deployment = replicas > 0 ? deploymentPhase(cluster, "cluster-deployment", replicas) : null;

            String table = report(command, date, nodes, maxPods, clients, warmup, idleHeap, idleRss, bare, deployment);
            System.out.println(table);
            Files.writeString(Path.of(out), table);
        }
    }

    /**
     * {@code count} bare pods in a fresh namespace, created by the clients of {@code pool}, timed until the watch saw
     * each Running; then (not timed) deleted, and gone before this returns.
     */
    private static Phase barePodsPhase(ClusterFixture cluster, ExecutorService pool, String namespace, int count, int clients)
            throws Exception {
        try (BaselinePods watch = new BaselinePods(cluster, namespace, () -> { })) {
            List<String> names = IntStream.range(0, count).mapToObj(i -> "pod-" + i).toList();
            long heapBefore = heapAfterGc();
            Store storeBefore = store(cluster);
            long cpu0 = processCpuNanos();
            long t0 = System.nanoTime();
            watch.create(pool, names, name -> barePod(namespace, name));
            System.out.printf("[bench] %s: %d pods created by %d clients in %.1f s%n", namespace, count, clients,
                    seconds(t0));
            await(namespace + " pods Running", () -> watch.running.size() >= count,
                    () -> watch.running.size() + " Running of " + watch.present.size() + " seen");
            long cpu = processCpuNanos() - cpu0;
            // first create sent → last pod seen Running, as the watch timed them (not the 200 ms polling above)
            long first = Collections.min(watch.sentAt.values());
            long last = Collections.max(watch.runningAt.values());
            List<Double> latencies = latencies(names, watch.sentAt, watch.runningAt);
            Phase phase = new Phase("bare pods", count, (last - first) / 1e9, latencies, cpu, heapBefore, heapAfterGc(),
                    rssBytes(), storeBefore, store(cluster));
            log(namespace, phase);
            long d0 = System.nanoTime();
            watch.deleteAll(pool, names);
            System.out.printf("[bench] %s: pods deleted and gone in %.1f s (not timed)%n", namespace, seconds(d0));
            return phase;
        }
    }

    /**
     * A Deployment of {@code replicas} in a fresh namespace, timed from its creation to all available; its pods'
     * latencies are first seen by the watch (about when the controller's create was answered) → seen Running.
     * Left in place: it is the last phase.
     */
    private static Phase deploymentPhase(ClusterFixture cluster, String namespace, int replicas) throws Exception {
        KubusApi api = cluster.api();
        try (BaselinePods watch = new BaselinePods(cluster, namespace, () -> { })) {
            long heapBefore = heapAfterGc();
            Store storeBefore = store(cluster);
            long cpu0 = processCpuNanos();
            long t0 = System.nanoTime();
            api.create(ResourceTypes.DEPLOYMENTS, deployment(namespace, DEPLOYMENT, replicas));
            awaitDeployment(api, namespace, DEPLOYMENT, namespace, d -> rolledOut(d, replicas));
            double took = seconds(t0);
            long cpu = processCpuNanos() - cpu0;
            // available is Ready, which the agent reports with Running; the watch may hear of the last ones a moment later
            await(namespace + " pods seen Running", () -> watch.running.size() >= replicas,
                    () -> watch.running.size() + " Running");
            Phase phase = new Phase("Deployment", replicas, took,
                    latencies(watch.runningAt.keySet(), watch.seenAt, watch.runningAt), cpu, heapBefore, heapAfterGc(),
                    rssBytes(), storeBefore, store(cluster));
            log(namespace, phase);
            return phase;
        }
    }

    /** The gateway's store as it is now: all rows and body characters of api_object and api_object_history. */
    private static Store store(ClusterFixture cluster) throws SQLException {
        DataSource ds = DelegatingDataSource.unwrapDataSource(cluster.gateway().context().getBean(DataSource.class));
        long rows = 0;
        long chars = 0;
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            for (String table : List.of("api_object", "api_object_history")) {
                try (ResultSet rs = st.executeQuery("SELECT COUNT(*), COALESCE(SUM(LENGTH(body)), 0) FROM " + table)) {
                    rs.next();
                    rows += rs.getLong(1);
                    chars += rs.getLong(2);
                }
            }
        }
        return new Store(rows, chars);
    }

    /** {@code to - from} in ms for each name, sorted. */
    private static List<Double> latencies(Collection<String> names, Map<String, Long> from, Map<String, Long> to) {
        return names.stream().filter(n -> from.containsKey(n) && to.containsKey(n))
                .map(n -> (to.get(n) - from.get(n)) / 1e6).sorted().toList();
    }

    private static void log(String namespace, Phase p) {
        System.out.printf("[bench] %s: %d pods Running in %.1f s, %.0f pods/s, p50 %.0f ms, p99 %.0f ms, "
                        + "CPU %.2f ms/pod, heap after GC %s, RSS %s, gateway store %s%n", namespace, p.pods(), p.seconds(),
                p.podsPerSecond(), p.p50(), p.p99(), p.cpuMsPerPod(), mib(p.heapAfter()), mib(p.rss()), p.store());
    }

    private static String report(String command, String date, int nodes, int maxPods, int clients, int warmup,
                                 long idleHeap, long idleRss, List<Phase> bare, Phase deployment) {
        StringBuilder md = new StringBuilder();
        md.append("# Cluster benchmark\n\n");
        md.append("`%s`, %s: %d CPUs, JVM max heap %s; %d simulated nodes (max %d pods each, 50 ms container start); "
                .formatted(command, date, Runtime.getRuntime().availableProcessors(), mib(Runtime.getRuntime().maxMemory()),
                        nodes, maxPods));
        md.append("gateway (H2 in memory), broker, scheduler, controllers and agents in one JVM; bare pods created by "
                + clients + " clients, after an untimed warm-up of " + warmup + " bare pods. Idle cluster before the "
                + "warm-up: heap after GC " + mib(idleHeap) + ", RSS " + mib(idleRss) + ".\n\n");

        md.append("| phase | pods | seconds | pods/s | p50 ms | p99 ms | CPU ms/pod | heap after GC | RSS | gateway store |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Phase p : bare) {
            md.append(row("bare pods", p));
        }
        if (deployment != null) {
            md.append(row("Deployment", deployment));
        }
        md.append("""

                Bare pods: first create request sent → last pod seen Running by a watch on the namespace; p50/p99 of \
                each pod's create request sent → first seen with status.phase Running. Deployment: created → all \
                %d available (status.availableReplicas, as `kubectl rollout status`); p50/p99 of each pod first seen \
                by the watch (its creation by the controller) → seen Running.
                """.formatted(deployment == null ? 0 : deployment.pods()));

        Phase base = bare.getFirst();
        md.append("\nPer pod, bare-pod phase; baseline: the smallest size measured in this run (%d pods), its cost = 1.00.\n\n"
                .formatted(base.pods()));
        md.append("| pods | CPU ms/pod | × baseline | wall ms/pod | × baseline | heap KiB/pod | × baseline "
                + "| of it gateway store KiB/pod | × baseline |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Phase p : bare) {
            md.append("| %d | %.2f | %.2f | %.3f | %.2f | %.1f | %.2f | %.1f | %.2f |\n".formatted(p.pods(),
                    p.cpuMsPerPod(), p.cpuMsPerPod() / base.cpuMsPerPod(), p.wallMsPerPod(),
                    p.wallMsPerPod() / base.wallMsPerPod(), p.heapBytesPerPod() / 1024,
                    p.heapBytesPerPod() / base.heapBytesPerPod(), p.storeCharsPerPod() / 1024,
                    p.storeCharsPerPod() / base.storeCharsPerPod()));
        }

        Phase top = bare.getLast();
        double growth = top.cpuMsPerPod() / base.cpuMsPerPod();
        md.append("\nIssue 17's targets, at the last size (%d pods):\n\n".formatted(top.pods()));
        md.append("| target | measured | |\n|---|---:|---|\n");
        md.append("| ≥ 500 pods/s | %.0f pods/s | %s |\n".formatted(top.podsPerSecond(), met(top.podsPerSecond() >= 500)));
        md.append("| p99 create → Running ≤ 5 s | %.2f s | %s |\n".formatted(top.p99() / 1000, met(top.p99() <= 5000)));
        // The target is that cost does not grow with the cluster: a larger size that costs less per pod (its fixed
        // costs spread over more pods) meets it.
        md.append("| CPU per pod at most 20%% above the smallest size's (wall and heap: above) | × %.2f | %s |\n".formatted(growth,
                bare.size() < 2 ? "one size only" : met(growth <= 1.2)));
        md.append("| gateway heap reported | %s whole JVM; gateway store %s | reported |\n".formatted(mib(top.heapAfter()),
                top.store()));

        md.append("""

                Heap is the whole JVM's used heap after System.gc(), not the gateway's alone: the gateway with its \
                in-memory H2 and watch cache, the broker, the scheduler's, controllers' and agents' caches, and this \
                benchmark's own watch of the namespace (one cached copy of each pod). Of it, the gateway's store is told \
                apart: the JSON bodies (characters; about bytes, as Java keeps Latin-1 strings in a byte each) of all \
                rows of its H2 tables, current objects and their history (the states kept for lists at an older \
                resourceVersion, including deleted pods' until compacted), a lower bound on the gateway's share \
                (without H2's row and index overhead or the watch cache). Heap per pod = (heap after GC with \
                all the size's pods Running − before creating them) / pods; the store's the same way. RSS is VmRSS of /proc/self/status. CPU per \
                pod is the process's CPU time (every component, GC included) from the first create (the Deployment's \
                creation) until the benchmark noticed the last pod Running (available; polled every 200 ms) / pods; \
                wall per pod is the phase's seconds / pods. Each size runs in a fresh namespace after the previous \
                size's (or the warm-up's) pods were deleted and seen gone (not timed); the Deployment runs after the \
                last size's pods are gone. The sizes' ratios to the smallest size are the baseline of this run: \
                flat cost per pod is × 1.00.
                """);
        return md.toString();
    }

    private static String row(String what, Phase p) {
        return "| %s | %d | %.1f | %.0f | %.0f | %.0f | %.2f | %s | %s | %s |\n".formatted(what, p.pods(), p.seconds(),
                p.podsPerSecond(), p.p50(), p.p99(), p.cpuMsPerPod(), mib(p.heapAfter()), mib(p.rss()), p.store());
    }

    private static String met(boolean ok) {
        return ok ? "met" : "not met";
    }
}

package io.kubus.controllers.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.kubus.client.api.KubusApi;
import io.kubus.controllers.testing.ClusterFixture;
import io.kubus.schema.ResourceTypes;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What the controllers' benchmarks share: their arguments, waiting with progress reports, timing, the process's
 * resources (heap after GC, RSS, CPU time), and the bare pod and Deployment that several of them measure or compare
 * with.
 */
final class Bench {
    static final String IMAGE = "kubus/busybox:1";

    private Bench() {
    }

    /** Polls every 200 ms until {@code done}, printing {@code progress} every 15 s; gives up after 20 minutes. */
    static void await(String what, BooleanSupplier done, Supplier<String> progress) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
        long nextReport = System.nanoTime();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + ": not done after 20 minutes; " + progress.get());
            }
            if (System.nanoTime() > nextReport) {
                System.out.printf("[bench] %s: %s%n", what, progress.get());
                nextReport = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            }
            Thread.sleep(200);
        }
    }

    static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    static int intArg(String[] args, String name, int fallback) {
        return Integer.parseInt(stringArg(args, name, Integer.toString(fallback)));
    }

    /** A comma-separated list of ints, e.g. {@code --sizes 1000,10000}. */
    static List<Integer> intsArg(String[] args, String name, List<Integer> fallback) {
        String v = stringArg(args, name, null);
        return v == null ? fallback : Arrays.stream(v.split(",")).map(String::trim).map(Integer::parseInt).toList();
    }

    static String stringArg(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }

    /**
     * The cluster every benchmark here runs on: {@code nodes} simulated nodes {@code bench-N} (their agent's files
     * under {@code data}), all registered, and then the controllers.
     */
    static void startSimulatedCluster(ClusterFixture cluster, Path data, int nodes) throws Exception {
        startSimulatedCluster(cluster, data, nodes, Map.of());
    }

    /** {@link #startSimulatedCluster(ClusterFixture, Path, int)} with more agent settings (e.g. kubus.agent.max-pods). */
    static void startSimulatedCluster(ClusterFixture cluster, Path data, int nodes, Map<String, Object> agentSettings)
            throws Exception {
        Map<String, Object> settings = new HashMap<>(Map.of("kubus.agent.heartbeat-interval", "10s"));
        settings.putAll(agentSettings);
        cluster.addSimulatedNodes(data.resolve("agent"), "bench", nodes, settings);
        awaitNodes(cluster.api(), nodes);
        cluster.startControllers();
        System.out.printf("[bench] %d simulated nodes, controllers started%n", nodes);
    }

    /** Waits until {@code nodes} nodes have registered. */
    private static void awaitNodes(KubusApi api, int nodes) throws InterruptedException {
        await("nodes registered", () -> nodeCount(api) >= nodes, () -> nodeCount(api) + " nodes");
    }

    /** The nodes registered; -1 while the gateway is too busy to answer (a thousand agents joining at once). */
    private static int nodeCount(KubusApi api) {
        try {
            return api.list(ResourceTypes.NODES, null, null, null, Node.class).items().size();
        } catch (java.io.UncheckedIOException e) {
            return -1;
        }
    }

    static void createNamespace(KubusApi api, String name) {
        api.create(ResourceTypes.NAMESPACES, new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build());
    }

    /** A bare pod of one {@link #IMAGE} container named app. */
    static Pod barePod(String namespace, String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage(IMAGE).endContainer().endSpec().build();
    }

    /** A pod template of one {@link #IMAGE} container named app, labelled {@code app: <app>}. */
    static PodTemplateSpec template(String app) {
        return new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", app).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage(IMAGE).endContainer().endSpec().build();
    }

    /** A Deployment of {@link #template} with the default strategy (25% surge, 25% unavailable). */
    static Deployment deployment(String namespace, String name, int replicas) {
        return new DeploymentBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withTemplate(template(name)).endSpec().build();
    }

    /** Complete as kubectl rollout status sees it: observed, all updated, none old, all available. */
    static boolean rolledOut(Deployment d, int replicas) {
        var s = d.getStatus();
        return s != null && s.getObservedGeneration() != null && s.getObservedGeneration() >= d.getMetadata().getGeneration()
                && eq(s.getUpdatedReplicas(), replicas) && eq(s.getReplicas(), replicas)
                && eq(s.getAvailableReplicas(), replicas);
    }

    static boolean eq(Integer v, int n) {
        return v != null && v == n;
    }

    /** Polls the Deployment until {@code done}, reporting its status as progress. */
    static void awaitDeployment(KubusApi api, String namespace, String name, String what, Predicate<Deployment> done)
            throws InterruptedException {
        Deployment[] last = new Deployment[1];
        await(what, () -> {
            last[0] = api.get(ResourceTypes.DEPLOYMENTS, namespace, name, Deployment.class).orElseThrow();
            return done.test(last[0]);
        }, () -> String.valueOf(last[0].getStatus()));
    }

    /** Nearest-rank percentile {@code q} (0..1) of these values, sorted ascending; NaN if there are none. */
    static double percentile(List<Double> sorted, double q) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size(), rank) - 1));
    }

    /** The JVM's used heap after a full collection (System.gc() twice, as the first may leave finalizable garbage). */
    static long heapAfterGc() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** This process's resident set (VmRSS of /proc/self/status) in bytes, or -1 where there is no /proc. */
    static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // no /proc: reported as unknown
        }
        return -1;
    }

    /** CPU time of the whole process so far (all threads, GC included), in ns. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static String mib(long bytes) {
        return bytes < 0 ? "?" : "%.0f MiB".formatted(bytes / 1048576.0);
    }
}

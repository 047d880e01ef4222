package io.kubus.controllers.bench;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.kubus.client.api.KubusApi;
import io.kubus.controllers.testing.ClusterFixture;
import io.kubus.schema.ResourceTypes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static io.kubus.controllers.bench.Bench.await;
import static io.kubus.controllers.bench.Bench.startSimulatedCluster;
import static io.kubus.controllers.bench.Bench.deployment;
import static io.kubus.controllers.bench.Bench.eq;
import static io.kubus.controllers.bench.Bench.intArg;
import static io.kubus.controllers.bench.Bench.rolledOut;
import static io.kubus.controllers.bench.Bench.seconds;
import static io.kubus.controllers.bench.Bench.stringArg;
import static io.kubus.controllers.bench.Bench.template;

/**
 * A StatefulSet of N replicas (default 500) on simulated nodes, once with podManagementPolicy Parallel and once with
 * OrderedReady, each from creation to all N Ready (status.readyReplicas, what {@code kubectl rollout status} waits
 * for), in pods/s; next to a baseline measured in the same run: a Deployment of the same N pods, created → all
 * available. Each runs alone in a namespace of its own, and is deleted (not timed) before the next starts; a small
 * Deployment and Parallel set go first, untimed, to warm the JVM. For OrderedReady it also reports where one step
 * goes, as an informer on the set's pods sees them: from pod i-1 seen Ready to pod i seen (the controller's turn), and
 * from pod i seen to seen Ready (scheduler, node agent, status write). Gateway, broker, scheduler, agents and
 * controllers share one JVM.
 */
public final class StatefulSetBenchmark {
    private static final String NAME = "bench";

    public static void main(String[] args) throws Exception {
        int nodes = intArg(args, "--nodes", 60);
        int replicas = intArg(args, "--replicas", 500);
        int warmup = intArg(args, "--warmup", 50);
        String out = stringArg(args, "--out", "target/bench-results-statefulset.md");
        Path data = Files.createTempDirectory("kubus-bench-statefulset");
        long wall = System.nanoTime();
        try (ClusterFixture cluster = ClusterFixture.start()) {
            KubusApi api = cluster.api();
            startSimulatedCluster(cluster, data, nodes);

            if (warmup > 0) {
                run(cluster, "warmup-deployment", warmup, Kind.DEPLOYMENT);
                run(cluster, "warmup-parallel", warmup, Kind.PARALLEL);
                System.out.printf("[bench] warm-up done (%d pods each)%n", warmup);
            }
            Phase deployment = run(cluster, "deployment", replicas, Kind.DEPLOYMENT);
            Phase parallel = run(cluster, "parallel", replicas, Kind.PARALLEL);
            Phase ordered = run(cluster, "orderedready", replicas, Kind.ORDERED_READY);
            Steps steps = Steps.of(ordered.pods, replicas);

            double base = replicas / deployment.seconds;
            String table = """
                    # StatefulSet benchmark

                    `./kubus bench statefulset --nodes %d --replicas %d`: simulated nodes (110 pods each, 50 ms \
                    container start), gateway on H2, broker, scheduler, agents and controllers in one JVM, %d CPUs. \
                    Each workload alone in its namespace, deleted before the next.

                    | phase | pods | seconds | pods/s | of the baseline |
                    |---|---:|---:|---:|---:|
                    | baseline: Deployment created → %d available (status.availableReplicas) | %d | %.1f | %.1f | 100%% |
                    | StatefulSet, Parallel, created → %d ready (status.readyReplicas) | %d | %.1f | %.1f | %.0f%% |
                    | StatefulSet, OrderedReady, created → %d ready (status.readyReplicas) | %d | %.1f | %.1f | %.0f%% |

                    OrderedReady, one step (%d steps, as an informer on the pods saw them), p50 / p90 / mean ms: \
                    pod i-1 Ready → pod i made %s; pod i made → Ready %s; whole step %s.
                    """.formatted(nodes, replicas, Runtime.getRuntime().availableProcessors(),
                    replicas, replicas, deployment.seconds, base,
                    replicas, replicas, parallel.seconds, replicas / parallel.seconds, 100 * deployment.seconds / parallel.seconds,
                    replicas, replicas, ordered.seconds, replicas / ordered.seconds, 100 * deployment.seconds / ordered.seconds,
                    steps.count(), steps.controller(), steps.pod(), steps.whole());
            System.out.println(table);
            System.out.printf("[bench] wall time %.0f s%n", seconds(wall));
            Files.writeString(Path.of(out), table);
        }
    }

    private enum Kind { DEPLOYMENT, PARALLEL, ORDERED_READY }

    /** How long a workload took from its creation to all pods Ready, and its pods as the informer saw them. */
    private record Phase(double seconds, BaselinePods pods) {
    }

    /**
     * Creates the workload in namespace {@code namespace}, times it to all {@code replicas} Ready, then deletes it
     * and waits until its pods are gone (not timed).
     */
    private static Phase run(ClusterFixture cluster, String namespace, int replicas, Kind kind) throws Exception {
        KubusApi api = cluster.api();
        try (BaselinePods pods = new BaselinePods(cluster, namespace, () -> { })) {
            long t0 = System.nanoTime();
            // progress: the workload's counts, and the pods as the informer sees them (which tells a pod never made
            // from a status not yet written)
            String[] counts = {"no status yet"};
            Supplier<String> progress = () -> counts[0] + "; informer: " + pods.present.size() + " pods, "
                    + pods.ready.size() + " Ready";
            if (kind == Kind.DEPLOYMENT) {
                api.create(ResourceTypes.DEPLOYMENTS, deployment(namespace, NAME, replicas));
                await(namespace, () -> {
                    Deployment d = api.get(ResourceTypes.DEPLOYMENTS, namespace, NAME, Deployment.class).orElseThrow();
                    var st = d.getStatus();
                    if (st != null) {
                        counts[0] = "replicas " + st.getReplicas() + ", available " + st.getAvailableReplicas();
                    }
                    return rolledOut(d, replicas);
                }, progress);
            } else {
                api.create(ResourceTypes.STATEFULSETS, statefulSet(namespace, replicas,
                        kind == Kind.PARALLEL ? "Parallel" : "OrderedReady"));
                await(namespace, () -> {
                    StatefulSet set = api.get(ResourceTypes.STATEFULSETS, namespace, NAME, StatefulSet.class).orElseThrow();
                    var st = set.getStatus();
                    if (st != null) {
                        counts[0] = "replicas " + st.getReplicas() + ", ready " + st.getReadyReplicas();
                    }
                    return allReady(set, replicas);
                }, progress);
            }
            double took = seconds(t0);
            System.out.printf("[bench] %s: %d pods Ready in %.1f s, %.1f pods/s%n", namespace, replicas, took,
                    replicas / took);
            api.delete(kind == Kind.DEPLOYMENT ? ResourceTypes.DEPLOYMENTS : ResourceTypes.STATEFULSETS, namespace, NAME,
                    null, "Background");
            pods.awaitGone();
            return new Phase(took, pods);
        }
    }

    private static boolean allReady(StatefulSet s, int replicas) {
        var st = s.getStatus();
        return st != null && st.getObservedGeneration() != null && st.getObservedGeneration() >= s.getMetadata().getGeneration()
                && eq(st.getReplicas(), replicas) && eq(st.getReadyReplicas(), replicas);
    }

    private static StatefulSet statefulSet(String namespace, int replicas, String policy) {
        return new StatefulSetBuilder().withNewMetadata().withName(NAME).withNamespace(namespace).endMetadata()
                .withNewSpec().withReplicas(replicas).withPodManagementPolicy(policy).withServiceName(NAME)
                .withNewSelector().addToMatchLabels("app", NAME).endSelector().withTemplate(template(NAME))
                .endSpec().build();
    }

    /** The OrderedReady steps, i = 1..N-1, in ms: Ready of i-1 → i seen, i seen → i Ready, and both. */
    private static final class Steps {
        private final List<Double> controller = new ArrayList<>();
        private final List<Double> pod = new ArrayList<>();
        private final List<Double> whole = new ArrayList<>();

        static Steps of(BaselinePods pods, int replicas) {
            Steps s = new Steps();
            for (int i = 1; i < replicas; i++) {
                Long before = pods.readyAt.get(NAME + "-" + (i - 1));
                Long seen = pods.seenAt.get(NAME + "-" + i);
                Long ready = pods.readyAt.get(NAME + "-" + i);
                if (before != null && seen != null && ready != null) {
                    s.controller.add((seen - before) / 1e6);
                    s.pod.add((ready - seen) / 1e6);
                    s.whole.add((ready - before) / 1e6);
                }
            }
            return s;
        }

        int count() {
            return whole.size();
        }

        String controller() {
            return summary(controller);
        }

        String pod() {
            return summary(pod);
        }

        String whole() {
            return summary(whole);
        }

        /** p50 / p90 / mean. */
        private static String summary(List<Double> ms) {
            if (ms.isEmpty()) {
                return "—";
            }
            List<Double> sorted = ms.stream().sorted().toList();
            double mean = ms.stream().mapToDouble(Double::doubleValue).average().orElse(0);
            return "%.0f / %.0f / %.0f".formatted(sorted.get(sorted.size() / 2),
                    sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.9))), mean);
        }
    }
}

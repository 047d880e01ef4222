package io.kubus.controllers.bench;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.kubus.client.api.KubusApi;
import io.kubus.client.api.PatchKind;
import io.kubus.controllers.testing.ClusterFixture;
import io.kubus.schema.ResourceTypes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

import static io.kubus.controllers.bench.Bench.startSimulatedCluster;
import static io.kubus.controllers.bench.Bench.barePod;
import static io.kubus.controllers.bench.Bench.await;
import static io.kubus.controllers.bench.Bench.awaitDeployment;
import static io.kubus.controllers.bench.Bench.deployment;
import static io.kubus.controllers.bench.Bench.intArg;
import static io.kubus.controllers.bench.Bench.rolledOut;
import static io.kubus.controllers.bench.Bench.seconds;
import static io.kubus.controllers.bench.Bench.stringArg;

/**
 * A Deployment of N replicas (default 5,000) on simulated nodes, from creation to all available, then a full rolling
 * update of it (25% surge, 25% unavailable) to complete, each in pods/s; next to a baseline measured in the same run:
 * the same number of bare pods created through the API by 8 clients until an informer sees them all Ready, which
 * is the same path minus the controllers. Gateway, broker, scheduler, agents and controllers share one JVM.
 */
public final class DeploymentBenchmark {
    public static void main(String[] args) throws Exception {
        int nodes = intArg(args, "--nodes", 60);
        int replicas = intArg(args, "--replicas", 5_000);
        String out = stringArg(args, "--out", "target/bench-results.md");
        Path data = Files.createTempDirectory("kubus-bench-deployment");
        try (ClusterFixture cluster = ClusterFixture.start()) {
            KubusApi api = cluster.api();
            // 110 pods a node; the default 60 nodes hold the rolling update's 125% (6,250 pods) at its peak.
            startSimulatedCluster(cluster, data, nodes);

            double baseline = baseline(cluster, replicas);
            System.out.printf("[bench] baseline: %.0f pods/s%n", baseline);

            long t0 = System.nanoTime();
            api.create(ResourceTypes.DEPLOYMENTS, deployment("default", "bench", replicas));
            awaitDeployment(api, "default", "bench", "creation", d -> rolledOut(d, replicas));
            double created = replicas / seconds(t0);
            System.out.printf("[bench] deployment created and available: %.0f pods/s%n", created);

            long t1 = System.nanoTime();
            api.patch(ResourceTypes.DEPLOYMENTS, "default", "bench", PatchKind.STRATEGIC,
                    "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"kubus/busybox:2\"}]}}}}",
                    false, Deployment.class);
            awaitDeployment(api, "default", "bench", "rolling update",
                    d -> rolledOut(d, replicas) && d.getMetadata().getGeneration() == 2);
            double rolled = replicas / seconds(t1);
            System.out.printf("[bench] rolling update complete: %.0f pods/s%n", rolled);

            String table = """
                    # Deployment benchmark

                    `./kubus bench deployment --nodes %d --replicas %d`: simulated nodes (110 pods each, 50 ms container \
                    start), gateway on H2, broker, scheduler, agents and controllers in one JVM, %d CPUs.

                    | phase | pods | pods/s | of the baseline |
                    |---|---:|---:|---:|
                    | baseline: bare pods created by 8 clients → all Ready, seen by an informer | %d | %.0f | 100%% |
                    | Deployment created → %d available (status.availableReplicas) | %d | %.0f | %.0f%% |
                    | rolling update, 25%% surge / 25%% unavailable → complete (as `kubectl rollout status`) | %d | %.0f | %.0f%% |
                    """.formatted(nodes, replicas, Runtime.getRuntime().availableProcessors(), replicas, baseline,
                    replicas, replicas, created, 100 * created / baseline, replicas, rolled, 100 * rolled / baseline);
            System.out.println(table);
            Files.writeString(Path.of(out), table);
        }
    }

    /**
     * Bare pods in their own namespace: created by 8 clients, timed until an informer has seen each Ready; then
     * deleted (not timed) to give the nodes back.
     */
    private static double baseline(ClusterFixture cluster, int count) throws Exception {
        try (BaselinePods pods = new BaselinePods(cluster, () -> { });
             ExecutorService clients = Executors.newFixedThreadPool(8)) {
            long t0 = System.nanoTime();
            List<String> names = IntStream.range(0, count).mapToObj(i -> "bare-" + i).toList();
            pods.create(clients, names, n -> barePod(BaselinePods.NAMESPACE, n));
            System.out.printf("[bench] baseline: %d pods created in %.1f s%n", count, seconds(t0));
            await("baseline pods Ready", () -> pods.ready.size() >= count, () -> pods.ready.size() + " ready");
            double rate = count / seconds(t0);
            pods.deleteAll(clients, names);
            return rate;
        }
    }
}

package io.kubus.controllers.bench;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.kubus.client.api.KubusApi;
import io.kubus.controllers.testing.ClusterFixture;
import io.kubus.schema.ResourceTypes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static io.kubus.controllers.bench.Bench.startSimulatedCluster;
import static io.kubus.controllers.bench.Bench.IMAGE;
import static io.kubus.controllers.bench.Bench.await;
import static io.kubus.controllers.bench.Bench.intArg;
import static io.kubus.controllers.bench.Bench.seconds;
import static io.kubus.controllers.bench.Bench.stringArg;

/**
 * A Job of N completions (default 5,000) with parallelism P (default 500) on simulated nodes whose pods exit 0 after
 * a fixed run time, from creation to its Complete condition, in completions/s; next to a baseline measured in the
 * same run: the same number of bare pods with the same run time, at most P at a time, created by 8 clients that
 * start the next pod when an informer sees one succeed, which is the same path minus the Job controller.
 */
public final class JobBenchmark {
    public static void main(String[] args) throws Exception {
        int nodes = intArg(args, "--nodes", 60);
        int completions = intArg(args, "--completions", 5_000);
        int parallelism = intArg(args, "--parallelism", 500);
        int runMs = intArg(args, "--run-ms", 1_000);
        String out = stringArg(args, "--out", "target/bench-results-job.md");
        Path data = Files.createTempDirectory("kubus-bench-job");
        try (ClusterFixture cluster = ClusterFixture.start()) {
            KubusApi api = cluster.api();
            startSimulatedCluster(cluster, data, nodes);

            double baseline = baseline(cluster, completions, parallelism, runMs);
            System.out.printf("[bench] baseline: %.0f completions/s%n", baseline);

            long t0 = System.nanoTime();
            api.create(ResourceTypes.JOBS, job(completions, parallelism, runMs));
            Job[] last = new Job[1];
            await("job", () -> {
                last[0] = api.get(ResourceTypes.JOBS, "default", "bench", Job.class).orElseThrow();
                return last[0].getStatus() != null && last[0].getStatus().getConditions() != null
                        && last[0].getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Complete"));
            }, () -> last[0].getStatus().getSucceeded() + " succeeded, " + last[0].getStatus().getActive() + " active");
            double job = completions / seconds(t0);
            System.out.printf("[bench] job complete: %.0f completions/s%n", job);

            String table = """
                    # Job benchmark

                    `./kubus bench job --nodes %d --completions %d --parallelism %d --run-ms %d`: simulated nodes (110 pods \
                    each, 50 ms container start, each pod exits 0 after %d ms), gateway on H2, broker, scheduler, agents \
                    and controllers in one JVM, %d CPUs. The best possible rate is parallelism / run time = %.0f/s.

                    | phase | completions | completions/s | of the baseline |
                    |---|---:|---:|---:|
                    | baseline: bare pods, at most %d at a time, by 8 clients → all Succeeded, seen by an informer | %d | %.0f | 100%% |
                    | Job of %d completions, parallelism %d → Complete | %d | %.0f | %.0f%% |
                    """.formatted(nodes, completions, parallelism, runMs, runMs, Runtime.getRuntime().availableProcessors(),
                    parallelism * 1000.0 / runMs, parallelism, completions, baseline, completions, parallelism, completions,
                    job, 100 * job / baseline);
            System.out.println(table);
            Files.writeString(Path.of(out), table);
        }
    }

    /**
     * Bare pods in their own namespace, at most {@code parallelism} unfinished at once, timed until an informer saw
     * each succeed; then deleted (not timed) so that they cost the Job's run nothing.
     */
    private static double baseline(ClusterFixture cluster, int count, int parallelism, int runMs) throws Exception {
        KubusApi api = cluster.api();
        Semaphore slots = new Semaphore(parallelism);
        try (BaselinePods pods = new BaselinePods(cluster, slots::release);
             ExecutorService clients = Executors.newFixedThreadPool(8)) {
            long t0 = System.nanoTime();
            AtomicInteger next = new AtomicInteger();
            for (int c = 0; c < 8; c++) {
                clients.submit(() -> {
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        slots.acquire();
                        api.create(ResourceTypes.PODS, new PodBuilder().withNewMetadata().withName("bare-" + i)
                                .withNamespace(BaselinePods.NAMESPACE)
                                .addToAnnotations("sim.kubus.io/exit-after-ms", Integer.toString(runMs))
                                .endMetadata().withNewSpec().withRestartPolicy("Never").addNewContainer().withName("work")
                                .withImage(IMAGE).endContainer().endSpec().build());
                    }
                    return null;
                });
            }
            await("baseline pods Succeeded", () -> pods.succeeded.size() >= count, () -> pods.succeeded.size() + " succeeded");
            double rate = count / seconds(t0);
            pods.deleteAll(clients, IntStream.range(0, count).mapToObj(i -> "bare-" + i).toList());
            return rate;
        }
    }

    private static Job job(int completions, int parallelism, int runMs) {
        return new JobBuilder().withNewMetadata().withName("bench").withNamespace("default").endMetadata()
                .withNewSpec().withCompletions(completions).withParallelism(parallelism).withBackoffLimit(0)
                .withNewTemplate().withNewMetadata().addToAnnotations("sim.kubus.io/exit-after-ms", Integer.toString(runMs))
                .endMetadata().withNewSpec().withRestartPolicy("Never").addNewContainer().withName("work").withImage(IMAGE)
                .endContainer().endSpec().endTemplate().endSpec().build();
    }
}

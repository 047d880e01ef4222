package io.kubus.controllers.job;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kubus.client.api.KubusApi;
import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.ClusterFixture;
import io.kubus.controllers.testing.PodHistory;
import io.kubus.gateway.testing.Kubectl;
import io.kubus.gateway.testing.ServiceProcess;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The controllers killed with SIGKILL in the middle of a Job of 500 completions on simulated nodes, then started
 * afresh: the pods' tracking finalizers and the status's uncounted pods carry the count across, so exactly 500
 * successes are counted, and the pods' change topic shows no more than parallelism pods running at any moment.
 */
class JobControllersKillTest {
    private static final int COMPLETIONS = 500;
    private static final int PARALLELISM = 100;

    @TempDir
    Path dir;
    private ClusterFixture cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close(); // and the controller processes it started
        }
    }

    private static Job job(KubusApi api) {
        return api.get(ResourceTypes.JOBS, "default", "batch", Job.class).orElseThrow();
    }

    private static int succeeded(Job job) {
        return job.getStatus() == null || job.getStatus().getSucceeded() == null ? 0 : job.getStatus().getSucceeded();
    }

    private static boolean running(Pod p) {
        String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
        return !"Succeeded".equals(phase) && !"Failed".equals(phase);
    }

    @Test
    void exactlyTheCompletionsAreCountedAcrossAKill() throws Exception {
        cluster = ClusterFixture.start();
        cluster.addSimulatedNodes(dir.resolve("agent"), "sim", 10, Map.of());
        KubusApi api = cluster.api();
        Kubectl kubectl = cluster.kubectl(dir);
        Path logs = Files.createDirectories(Path.of("target", "job-controllers-kill"));
        ServiceProcess first = cluster.startControllersProcess(Map.of(), logs.resolve("first.log"));

        Path manifest = dir.resolve("batch.yaml");
        Files.writeString(manifest, """
                apiVersion: batch/v1
                kind: Job
                metadata:
                  name: batch
                spec:
                  completions: %d
                  parallelism: %d
                  template:
                    metadata:
                      annotations:
                        sim.kubus.io/exit-after-ms: "300"
                    spec:
                      restartPolicy: Never
                      containers:
                      - name: work
                        image: kubus/busybox:1
                """.formatted(COMPLETIONS, PARALLELISM));
        try (PodHistory watch = new PodHistory(api, cluster.gateway().kafkaBootstrap(), "batch.kubernetes.io/job-name=batch")) {
            kubectl.run("apply", "-f", manifest.toString()).ok();
            Job atKill = Await.until(Duration.ofSeconds(120), "150 successes", () -> job(api), j -> succeeded(j) >= 150,
                    j -> String.valueOf(j.getStatus()));
            first.kill9();
            System.out.printf("[job-kill] controllers killed at %d successes, %d active%n", succeeded(atKill),
                    atKill.getStatus().getActive());

            cluster.startControllersProcess(Map.of(), logs.resolve("second.log"));
            Kubectl.Result done = kubectl.run(200, "wait", "--for=condition=complete", "job/batch", "--timeout=190s");
            assertEquals(0, done.exitCode(), done.err() + done.out());
            Job end = job(api);
            assertEquals(COMPLETIONS, succeeded(end), "exactly the completions counted: " + end.getStatus());
            assertEquals(0, end.getStatus().getFailed() == null ? 0 : end.getStatus().getFailed());
            List<Pod> pods = api.list(ResourceTypes.PODS, "default", "batch.kubernetes.io/job-name=batch", null, Pod.class).items();
            assertEquals(COMPLETIONS, pods.stream().filter(p -> "Succeeded".equals(p.getStatus().getPhase())).count(),
                    "no pod ran more often than needed; the others: " + pods.stream()
                            .filter(p -> !"Succeeded".equals(p.getStatus().getPhase()))
                            .map(p -> p.getMetadata().getName() + " " + p.getStatus().getPhase() + " deleted at "
                                    + p.getMetadata().getDeletionTimestamp()).toList() + " of " + pods.size());
            assertTrue(pods.stream().noneMatch(JobController::hasFinalizer), "every pod released");

            int[] most = {0, 0};
            watch.replay(state -> {
                most[0] = Math.max(most[0], (int) state.values().stream().filter(JobControllersKillTest::running).count());
                most[1]++;
            });
            System.out.printf("[job-kill] %d pod states: at most %d running (parallelism %d)%n", most[1], most[0], PARALLELISM);
            assertTrue(most[0] <= PARALLELISM, "more than parallelism pods running: " + most[0]);
        }
    }
}

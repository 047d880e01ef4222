package io.kubus.controllers.cronjob;

import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kubus.client.api.KubusApi;
import io.kubus.controllers.common.OwnerReferences;
import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.ClusterFixture;
import io.kubus.gateway.testing.ServiceProcess;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The controllers killed with SIGKILL the moment a CronJob's run is due, then started afresh: the run happens,
 * and once: the Job of that minute is made by one of the two processes and never again.
 */
class CronJobKillTest {
    @TempDir
    Path dir;
    private ClusterFixture cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close(); // and the controller processes it started
        }
    }

    private static List<Job> jobsOf(KubusApi api, String cronJob) {
        return api.list(ResourceTypes.JOBS, "default", null, null, Job.class).items().stream()
                .filter(j -> OwnerReferences.controllerOf(j).map(r -> r.getName().equals(cronJob)).orElse(false))
                .toList();
    }

    /**
     * The Jobs of the CronJob "due" for the run of {@code minute} (others, of the minutes before and after, are
     * no concern here); their uids are added to {@code seen}.
     */
    private static List<Job> record(KubusApi api, long minute, Set<String> seen) {
        List<Job> now = jobsOf(api, "due").stream()
                .filter(j -> j.getMetadata().getName().equals("due-" + minute)).toList();
        now.forEach(j -> seen.add(j.getMetadata().getName() + " " + j.getMetadata().getUid()));
        return now;
    }

    @Test
    void aRunDueWhileTheControllersAreKilledHappensOnce() throws Exception {
        cluster = ClusterFixture.start();
        KubusApi api = cluster.api();
        Path logs = Files.createDirectories(Path.of("target", "cronjob-kill"));
        ServiceProcess first = cluster.startControllersProcess(Map.of(), logs.resolve("first.log"));
        Path manifest = dir.resolve("cronjobs.yaml");
        StringBuilder yaml = new StringBuilder();
        for (String[] c : new String[][]{{"warmup", "@every 2s"}, {"due", "* * * * *"}}) {
            yaml.append("""
                    apiVersion: batch/v1
                    kind: CronJob
                    metadata: {name: %s}
                    spec:
                      schedule: "%s"
                      jobTemplate:
                        spec:
                          template:
                            spec:
                              restartPolicy: Never
                              containers: [{name: task, image: kubus/busybox:1}]
                    ---
                    """.formatted(c[0], c[1]));
        }
        Files.writeString(manifest, yaml);
        cluster.kubectl(dir).run("apply", "-f", manifest.toString()).ok();
        // The first process leads and runs CronJobs: the one that fires every 2 s has its Job.
        Await.until(Duration.ofSeconds(60), "a Job of the warm-up CronJob", () -> jobsOf(api, "warmup"), l -> !l.isEmpty());

        long minute = Instant.now().plusSeconds(3).getEpochSecond() / 60 + 1;
        Set<String> seen = new HashSet<>();
        Instant killAt = Instant.ofEpochSecond(minute * 60).plusMillis(150);
        while (Instant.now().isBefore(killAt)) {
            record(api, minute, seen);
            Thread.sleep(Math.min(200, Math.max(1, Duration.between(Instant.now(), killAt).toMillis())));
        }
        first.kill9();
        List<Job> atKill = record(api, minute, seen);
        System.out.printf("[cronjob-kill] controllers killed %d ms after the run was due, with %d Job(s) of it%n",
                Duration.between(Instant.ofEpochSecond(minute * 60), Instant.now()).toMillis(), atKill.size());

        cluster.startControllersProcess(Map.of(), logs.resolve("second.log"));
        String name = "due-" + minute;
        Await.until(Duration.ofSeconds(60), "the run of " + name + " in the CronJob's status", () -> {
            record(api, minute, seen);
            return api.get(ResourceTypes.CRONJOBS, "default", "due", CronJob.class).orElseThrow();
        }, c -> c.getStatus() != null && Instant.ofEpochSecond(minute * 60).toString().equals(c.getStatus().getLastScheduleTime())
                && c.getStatus().getActive().stream().anyMatch(r -> r.getName().equals(name)), c -> String.valueOf(c.getStatus()));
        // Some more passes of the new process (every Job and status event brings the CronJob back).
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < until) {
            record(api, minute, seen);
            Thread.sleep(200);
        }
        List<Job> end = record(api, minute, seen);
        assertEquals(1, end.size(), "the run's Job is there");
        assertEquals(Set.of(name + " " + end.getFirst().getMetadata().getUid()), seen, "made once, never again");
    }
}

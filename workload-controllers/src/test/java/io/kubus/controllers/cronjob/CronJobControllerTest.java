package io.kubus.controllers.cronjob;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kubus.controllers.common.JobStates;
import io.kubus.controllers.common.OwnerReferences;
import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.SimulatedCluster;
import io.kubus.gateway.testing.Kubectl;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CronJob controller in a cluster of simulated nodes, driven by the real kubectl. The CronJobs that run every
 * minute are all created first, so that the one wait of about two minutes serves every test that needs runs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CronJobControllerTest {
    @RegisterExtension
    static final SimulatedCluster cluster = new SimulatedCluster("cron", 3);

    private static String cronJob(String name, String schedule, String spec, String podAnnotations) {
        return """
                apiVersion: batch/v1
                kind: CronJob
                metadata:
                  name: %s
                spec:
                  schedule: "%s"
                %s
                  jobTemplate:
                    metadata:
                      labels: {app: %s}
                      annotations: {team: batch}
                    spec:
                      template:
                        metadata:
                          annotations: {%s}
                        spec:
                          restartPolicy: Never
                          containers:
                          - name: task
                            image: kubus/busybox:1
                ---
                """.formatted(name, schedule, spec.indent(2).stripTrailing(), name, podAnnotations);
    }

    /** CronJobs whose Jobs' pods (simulated) succeed after a second, fail, take five seconds, or run until stopped. */
    @BeforeAll
    static void createCronJobs() throws Exception {
        Path manifest = cluster.dir().resolve("cronjobs.yaml");
        String quick = "sim.kubus.io/exit-after-ms: \"1000\"";
        Files.writeString(manifest, cronJob("tick", "*/1 * * * *",
                "timeZone: Asia/Kolkata\nsuccessfulJobsHistoryLimit: 1\nfailedJobsHistoryLimit: 1", quick)
                + cronJob("solo", "* * * * *", "concurrencyPolicy: Forbid", "")
                + cronJob("swap", "* * * * *", "concurrencyPolicy: Replace", "")
                + cronJob("late", "* * * * *", "concurrencyPolicy: Forbid\nstartingDeadlineSeconds: 10", "")
                + cronJob("paused", "* * * * *", "suspend: true", quick)
                + cronJob("nightly", "0 3 * * *", "concurrencyPolicy: Allow", "sim.kubus.io/exit-after-ms: \"5000\"")
                + cronJob("flaky", "0 3 * * *", "failedJobsHistoryLimit: 1",
                "sim.kubus.io/exit-after-ms: \"500\", sim.kubus.io/exit-code: \"1\"").replace(
                "    spec:\n      template:", "    spec:\n      backoffLimit: 0\n      template:"));
        cluster.kubectl().run("apply", "-f", manifest.toString()).ok();
    }

    private static CronJob cronJob(String name) {
        return cluster.api().get(ResourceTypes.CRONJOBS, "default", name, CronJob.class).orElseThrow();
    }

    /** The Jobs the CronJob controls, oldest run first. */
    private static List<Job> jobsOf(String cronJob) {
        return cluster.api().list(ResourceTypes.JOBS, "default", null, null, Job.class).items().stream()
                .filter(j -> OwnerReferences.controllerOf(j).map(r -> r.getName().equals(cronJob)).orElse(false))
                .sorted(Comparator.comparing(j -> j.getMetadata().getName()))
                .toList();
    }

    private static String names(List<Job> jobs) {
        return jobs.stream().map(j -> j.getMetadata().getName()).toList().toString();
    }

    private static long minuteOf(Job job) {
        String name = job.getMetadata().getName();
        return Long.parseLong(name.substring(name.lastIndexOf('-') + 1));
    }

    private static List<String> activeNames(CronJob cj) {
        return cj.getStatus() == null || cj.getStatus().getActive() == null ? List.of()
                : cj.getStatus().getActive().stream().map(ObjectReference::getName).toList();
    }

    @Test
    @Order(1)
    void createJobFromCronJobIsAManualRun() throws Exception {
        Kubectl.Result r = cluster.kubectl().run("create", "job", "nightly-by-hand", "--from=cronjob/nightly").ok();
        assertTrue(r.out().contains("job.batch/nightly-by-hand created"), r.out());
        Job job = cluster.api().get(ResourceTypes.JOBS, "default", "nightly-by-hand", Job.class).orElseThrow();
        assertEquals("manual", job.getMetadata().getAnnotations().get("cronjob.kubernetes.io/instantiate"));
        assertEquals("batch", job.getMetadata().getAnnotations().get("team"));
        assertEquals("nightly", job.getMetadata().getLabels().get("app"));
        OwnerReference owner = OwnerReferences.of(job).getFirst();
        assertEquals("CronJob", owner.getKind());
        assertEquals(cronJob("nightly").getMetadata().getUid(), owner.getUid());
        // shown among the active Jobs while it runs, but no scheduled run: lastScheduleTime stays unset
        CronJob cj = Await.until(Duration.ofSeconds(20), "the manual Job among the active ones",
                () -> cronJob("nightly"), c -> activeNames(c).equals(List.of("nightly-by-hand")), c -> String.valueOf(c.getStatus()));
        assertNull(cj.getStatus().getLastScheduleTime());
        assertEquals(List.of("nightly-by-hand"), jobsOf("nightly").stream().map(j -> j.getMetadata().getName()).toList());
        cj = Await.until(Duration.ofSeconds(40), "the finished manual Job out of the active ones",
                () -> cronJob("nightly"), c -> activeNames(c).isEmpty() && c.getStatus().getLastSuccessfulTime() != null,
                c -> String.valueOf(c.getStatus()));
        assertNull(cj.getStatus().getLastScheduleTime());
    }

    /** Two manual runs that fail: of the failed Jobs only {@code failedJobsHistoryLimit} (1), the newer, stays. */
    @Test
    @Order(2)
    void keepsOnlyItsFailedHistoryLimit() throws Exception {
        cluster.kubectl().run("create", "job", "flaky-1", "--from=cronjob/flaky").ok();
        Await.until(Duration.ofSeconds(40), "flaky-1 failed", () -> jobsOf("flaky"),
                l -> l.stream().anyMatch(j -> JobStates.condition(j, "Failed").isPresent()), CronJobControllerTest::names);
        cluster.kubectl().run("create", "job", "flaky-2", "--from=cronjob/flaky").ok();
        List<Job> kept = Await.until(Duration.ofSeconds(40), "flaky-2 failed and flaky-1 deleted", () -> jobsOf("flaky"),
                l -> l.size() == 1 && JobStates.condition(l.getFirst(), "Failed").isPresent(), CronJobControllerTest::names);
        assertEquals("flaky-2", kept.getFirst().getMetadata().getName());
    }

    @Test
    @Order(2)
    void anInvalidScheduleOrTimeZoneIsRefusedAndNothingStored() throws Exception {
        Kubectl.Result bad = cluster.kubectl().run("create", "cronjob", "bad", "--image=busybox", "--schedule=61 * * * *");
        assertNotEquals(0, bad.exitCode());
        assertTrue(bad.err().contains("spec.schedule: Invalid value: \"61 * * * *\": end of range (61) above maximum (59): 61"),
                bad.err());
        Path zoned = cluster.dir().resolve("zoned.yaml");
        Files.writeString(zoned, cronJob("bad", "0 * * * *", "timeZone: Mars/Olympus_Mons", ""));
        Kubectl.Result zone = cluster.kubectl().run("apply", "-f", zoned.toString());
        assertNotEquals(0, zone.exitCode());
        assertTrue(zone.err().contains("spec.timeZone: Invalid value: \"Mars/Olympus_Mons\": unknown time zone Mars/Olympus_Mons"),
                zone.err());
        assertTrue(cluster.api().get(ResourceTypes.CRONJOBS, "default", "bad", CronJob.class).isEmpty(), "nothing stored");
    }

    /** Every minute, a Job within the minute; of the finished ones only the history limit (1) stays. */
    @Test
    @Order(3)
    void runsEveryMinuteAndKeepsItsHistoryLimit() throws Exception {
        CronJob tick = cronJob("tick");
        Job first = Await.until(Duration.ofSeconds(75), "the first run of tick", () -> jobsOf("tick"),
                l -> !l.isEmpty()).getFirst();
        long minute = minuteOf(first);
        Instant scheduled = Instant.ofEpochSecond(minute * 60);
        assertEquals("tick-" + minute, first.getMetadata().getName());
        // the scheduled time, in the CronJob's time zone
        String stamp = first.getMetadata().getAnnotations().get(CronJobController.SCHEDULED_TIMESTAMP);
        assertEquals(scheduled, OffsetDateTime.parse(stamp).toInstant());
        assertTrue(stamp.endsWith("+05:30"), stamp);
        assertEquals("batch", first.getMetadata().getAnnotations().get("team"));
        assertEquals("tick", first.getMetadata().getLabels().get("app"));
        OwnerReference owner = OwnerReferences.controllerOf(first).orElseThrow();
        assertEquals(tick.getMetadata().getUid(), owner.getUid());
        assertTrue(owner.getBlockOwnerDeletion());
        Await.until(Duration.ofSeconds(20), "tick's status naming its run", () -> cronJob("tick"),
                c -> c.getStatus() != null && scheduled.toString().equals(c.getStatus().getLastScheduleTime()),
                c -> String.valueOf(c.getStatus()));

        Job second = Await.until(Duration.ofSeconds(75), "the second run of tick", () -> jobsOf("tick"),
                l -> l.stream().anyMatch(j -> minuteOf(j) > minute)).getLast();
        assertEquals(minute + 1, minuteOf(second), "one run a minute, none skipped");
        List<Job> kept = Await.until(Duration.ofSeconds(40), "only the newest finished run kept", () -> jobsOf("tick"),
                l -> l.stream().noneMatch(j -> minuteOf(j) == minute), CronJobControllerTest::names);
        assertTrue(kept.stream().allMatch(j -> minuteOf(j) > minute), "the first run is gone: " + kept);
        Await.until(Duration.ofSeconds(20), "tick's last success recorded", () -> cronJob("tick"),
                c -> c.getStatus().getLastSuccessfulTime() != null, c -> String.valueOf(c.getStatus()));
        String row = cluster.kubectl().run("get", "cronjob", "tick", "--no-headers").ok().out();
        assertTrue(row.matches("(?s)tick\\s+\\*/1 \\* \\* \\* \\*\\s+Asia/Kolkata\\s+False\\s+\\d+\\s+\\d+s\\s.*"), row);
        Await.until(Duration.ofSeconds(20), "tick's events", () -> cluster.kubectl().run("get", "events",
                        "--field-selector", "involvedObject.name=tick", "-o", "custom-columns=REASON:.reason,MESSAGE:.message").ok().out(),
                out -> out.contains("Created job " + first.getMetadata().getName())
                        && out.contains("Saw completed job: " + first.getMetadata().getName() + ", condition: Complete")
                        && out.contains("Deleted job " + first.getMetadata().getName()));
    }

    /**
     * A Job that does not finish, and two schedule times (its own and the next) passed: still one Job; once it is
     * gone, the run still due starts.
     */
    @Test
    @Order(4)
    void forbidNeverRunsTwoAtOnce() throws Exception {
        Job first = Await.until(Duration.ofSeconds(75), "the first run of solo", () -> jobsOf("solo"),
                l -> !l.isEmpty()).getFirst();
        Instant nextPassed = Instant.ofEpochSecond((minuteOf(first) + 1) * 60 + 5);
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), nextPassed).toMillis()));
        assertEquals(List.of(first.getMetadata().getName()),
                jobsOf("solo").stream().map(j -> j.getMetadata().getName()).toList(), "one Job while it runs");
        cluster.kubectl().run("delete", "job", first.getMetadata().getName()).ok();
        // the latest missed time starts as soon as the running Job is gone, not a minute later
        List<Job> after = Await.until(Duration.ofSeconds(20), "the due run after the first went", () -> jobsOf("solo"),
                l -> l.size() == 1 && minuteOf(l.getFirst()) > minuteOf(first), CronJobControllerTest::names);
        Await.until(Duration.ofSeconds(20), "the new run as solo's only active Job", () -> cronJob("solo"),
                c -> activeNames(c).equals(List.of(after.getFirst().getMetadata().getName())), c -> String.valueOf(c.getStatus()));
    }

    /**
     * A run held back by Forbid past its startingDeadlineSeconds never starts once the running Job is gone, and a
     * MissSchedule event says so.
     */
    @Test
    @Order(5)
    void aRunPastItsStartingDeadlineIsMissed() throws Exception {
        Job first = Await.until(Duration.ofSeconds(75), "the first run of late", () -> jobsOf("late"),
                l -> !l.isEmpty()).getFirst();
        Instant nextLate = Instant.ofEpochSecond((minuteOf(first) + 1) * 60 + 15);
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), nextLate).toMillis()));
        assertEquals(1, jobsOf("late").size(), "the next run held back");
        cluster.kubectl().run("delete", "job", first.getMetadata().getName()).ok();
        Await.until(Duration.ofSeconds(20), "a MissSchedule event", () -> cluster.kubectl().run("get", "events",
                        "-o", "custom-columns=OBJECT:.involvedObject.name,REASON:.reason,MESSAGE:.message").ok().out(),
                out -> out.lines().anyMatch(l -> l.startsWith("late ") && l.contains("MissSchedule")
                        && l.contains("Missed scheduled time to start a job: ")));
        assertEquals(List.of(), jobsOf("late"), "the missed run is not started late");
    }

    @Test
    @Order(6)
    void replaceStopsTheRunningJobForTheNextRun() throws Exception {
        long firstRun = Instant.parse(cronJob("swap").getMetadata().getCreationTimestamp()).getEpochSecond() / 60 + 1;
        List<Job> jobs = Await.until(Duration.ofSeconds(75), "a later run of swap, alone", () -> jobsOf("swap"),
                l -> l.size() == 1 && minuteOf(l.getFirst()) > firstRun,
                CronJobControllerTest::names);
        assertEquals(List.of(jobs.getLast().getMetadata().getName()), activeNames(cronJob("swap")));
    }

    @Test
    @Order(7)
    void aSuspendedCronJobRunsNothing() {
        assertEquals(List.of(), jobsOf("paused"));
        assertNull(cronJob("paused").getStatus() == null ? null : cronJob("paused").getStatus().getLastScheduleTime());
    }
}

package io.kubus.controllers.job;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.kubus.controllers.common.OwnerReferences;
import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.PodHistory;
import io.kubus.controllers.testing.SimulatedCluster;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Job and TTL-after-finished controllers on a cluster of simulated nodes, driven by the real kubectl: pods end
 * when their annotations say ({@code sim.kubus.io/exit-after-ms}, {@code sim.kubus.io/exit-code}).
 */
class JobControllerTest {
    @RegisterExtension
    static final SimulatedCluster cluster = new SimulatedCluster("job", 3);

    /** A Job manifest whose pods exit with {@code exitCode} after {@code runMs}; {@code spec} lines are indented 2. */
    private static String job(String name, String spec, long runMs, int exitCode) {
        return """
                apiVersion: batch/v1
                kind: Job
                metadata:
                  name: %s
                spec:
                %s
                  template:
                    metadata:
                      annotations:
                        sim.kubus.io/exit-after-ms: "%d"
                        sim.kubus.io/exit-code: "%d"
                    spec:
                      restartPolicy: Never
                      containers:
                      - name: work
                        image: kubus/busybox:1
                """.formatted(name, spec.stripTrailing(), runMs, exitCode);
    }

    private static void apply(String name, String manifest) throws Exception {
        Path file = cluster.dir().resolve(name + ".yaml");
        Files.writeString(file, manifest);
        cluster.kubectl().run("apply", "-f", file.toString()).ok();
    }

    private static Optional<Job> get(String name) {
        return cluster.api().get(ResourceTypes.JOBS, "default", name, Job.class);
    }

    private static Optional<JobCondition> condition(Job job, String type) {
        return JobController.condition(job, type);
    }

    private static Job awaitCondition(String name, String type, Duration within) throws InterruptedException {
        return Await.until(within, name + " " + type, () -> get(name).orElseThrow(),
                j -> condition(j, type).isPresent(), j -> String.valueOf(j.getStatus()));
    }

    private static List<Pod> podsOf(String jobName) {
        return cluster.api().list(ResourceTypes.PODS, "default", "batch.kubernetes.io/job-name=" + jobName, null, Pod.class)
                .items();
    }

    private static boolean running(Pod p) {
        String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
        return !"Succeeded".equals(phase) && !"Failed".equals(phase);
    }

    @Test
    void completionsWithParallelismRunTwoAtATimeUntilFourSucceed() throws Exception {
        try (PodHistory watch = new PodHistory(cluster.api(), cluster.fixture().gateway().kafkaBootstrap(),
                "batch.kubernetes.io/job-name=four")) {
            apply("four", job("four", "  completions: 4\n  parallelism: 2", 1_500, 0));
            cluster.kubectl().run(90, "wait", "--for=condition=complete", "job/four", "--timeout=80s").ok();
            Job done = get("four").orElseThrow();
            assertEquals(4, done.getStatus().getSucceeded());
            assertEquals(0, done.getStatus().getActive());
            assertTrue(condition(done, "SuccessCriteriaMet").isPresent(), "the interim condition stays");
            assertEquals("CompletionsReached", condition(done, "Complete").orElseThrow().getReason());
            assertTrue(done.getStatus().getCompletionTime() != null && done.getStatus().getStartTime() != null);
            int[] most = {0};
            watch.replay(pods -> most[0] = Math.max(most[0], (int) pods.values().stream().filter(JobControllerTest::running).count()));
            assertEquals(2, most[0], "at most parallelism pods ran at once");
            List<Pod> pods = podsOf("four");
            assertEquals(4, pods.size(), "exactly four pods: " + pods.stream().map(p -> p.getMetadata().getName()).toList());
            assertTrue(pods.stream().noneMatch(JobController::hasFinalizer), "every pod counted and released");
            assertTrue(pods.stream().allMatch(p -> OwnerReferences.isControlledBy(p, done)));
        }
        String table = cluster.kubectl().run("get", "job", "four").ok().out();
        assertTrue(table.matches("(?s).*four\\s+Complete\\s+4/4\\s+.*"), table);
        Await.until(Duration.ofSeconds(30), "SuccessfulCreate and Completed events",
                () -> cluster.kubectl().run("describe", "job", "four").ok().out(),
                out -> out.contains("SuccessfulCreate") && out.contains("Completed"));
    }

    @Test
    void aFailingPodIsRetriedOnceWithBackoffLimitOneThenTheJobFails() throws Exception {
        apply("fails", job("fails", "  backoffLimit: 1", 200, 3));
        Job failed = awaitCondition("fails", "Failed", Duration.ofSeconds(60));
        JobCondition c = condition(failed, "Failed").orElseThrow();
        assertEquals("BackoffLimitExceeded", c.getReason());
        assertEquals("Job has reached the specified backoff limit", c.getMessage());
        assertEquals(2, failed.getStatus().getFailed());
        List<Pod> pods = podsOf("fails");
        assertEquals(2, pods.size(), "exactly two pods");
        // the second pod waited the back-off (10 s) after the first one failed
        List<Instant> created = pods.stream().map(p -> Instant.parse(p.getMetadata().getCreationTimestamp())).sorted().toList();
        long gap = Duration.between(created.get(0), created.get(1)).toSeconds();
        assertTrue(gap >= 9, "the retry came " + gap + " s after the first pod");
        assertEquals(0, failed.getStatus().getActive());
        String table = cluster.kubectl().run("get", "job", "fails").ok().out();
        assertTrue(table.matches("(?s).*fails\\s+Failed\\s+0/1\\s+.*"), table);
    }

    @Test
    void indexedPodsCarryTheirIndexes() throws Exception {
        apply("indexed", job("indexed", "  completions: 3\n  parallelism: 3\n  completionMode: Indexed", 500, 0));
        Job done = awaitCondition("indexed", "Complete", Duration.ofSeconds(60));
        assertEquals("0-2", done.getStatus().getCompletedIndexes());
        assertEquals(3, done.getStatus().getSucceeded());
        List<Pod> pods = podsOf("indexed");
        assertEquals(Set.of("0", "1", "2"), pods.stream()
                .map(p -> p.getMetadata().getAnnotations().get(JobController.INDEX_ANNOTATION)).collect(Collectors.toSet()));
        for (Pod p : pods) {
            String index = p.getMetadata().getAnnotations().get(JobController.INDEX_ANNOTATION);
            assertEquals(index, p.getMetadata().getLabels().get(JobController.INDEX_ANNOTATION));
            assertEquals("indexed-" + index, p.getSpec().getHostname());
            assertTrue(p.getMetadata().getName().startsWith("indexed-" + index + "-"), p.getMetadata().getName());
            assertEquals("metadata.annotations['batch.kubernetes.io/job-completion-index']", p.getSpec().getContainers()
                    .getFirst().getEnv().stream().filter(e -> e.getName().equals("JOB_COMPLETION_INDEX")).findFirst()
                    .orElseThrow().getValueFrom().getFieldRef().getFieldPath());
        }
    }

    @Test
    void activeDeadlineEndsALongJobAndStopsItsPods() throws Exception {
        apply("long", job("long", "  parallelism: 2\n  completions: 2\n  activeDeadlineSeconds: 3", 600_000, 0));
        Job failed = awaitCondition("long", "Failed", Duration.ofSeconds(40));
        assertEquals("DeadlineExceeded", condition(failed, "Failed").orElseThrow().getReason());
        assertEquals("Job was active longer than specified deadline", condition(failed, "Failed").orElseThrow().getMessage());
        Await.until(Duration.ofSeconds(30), "no pod of long running", () -> podsOf("long"),
                l -> l.stream().noneMatch(p -> running(p) && p.getMetadata().getDeletionTimestamp() == null),
                l -> l.stream().map(p -> p.getMetadata().getName() + ":" + p.getStatus().getPhase()).toList().toString());
        assertEquals(0, failed.getStatus().getActive());
        assertEquals(2, failed.getStatus().getFailed(), "the stopped pods count as failed, as in Kubernetes");
    }

    @Test
    void ttlAfterFinishedDeletesTheJobAndItsPods() throws Exception {
        apply("brief", job("brief", "  ttlSecondsAfterFinished: 2", 200, 0));
        awaitCondition("brief", "Complete", Duration.ofSeconds(30));
        Await.until(Duration.ofSeconds(30), "brief deleted", () -> get("brief"), Optional::isEmpty);
        Await.until(Duration.ofSeconds(30), "its pod deleted", () -> podsOf("brief"), List::isEmpty);
    }

    @Test
    void anEvictedPodIsNoFailureUnderAnIgnoreRuleOnDisruptionTarget() throws Exception {
        apply("tolerant", job("tolerant", """
                  backoffLimit: 0
                  podFailurePolicy:
                    rules:
                    - action: Ignore
                      onPodConditions:
                      - type: DisruptionTarget
                """, 8_000, 0));
        Pod first = Await.until(Duration.ofSeconds(30), "a running pod", () -> podsOf("tolerant"),
                l -> l.size() == 1 && "Running".equals(l.getFirst().getStatus().getPhase())).getFirst();
        String node = first.getSpec().getNodeName();
        cluster.kubectl().run(60, "drain", node, "--pod-selector=batch.kubernetes.io/job-name=tolerant",
                "--ignore-daemonsets", "--timeout=50s").ok();
        try {
            Job done = awaitCondition("tolerant", "Complete", Duration.ofSeconds(60));
            assertEquals(0, Objects.requireNonNullElse(done.getStatus().getFailed(), 0), "the eviction was not counted");
            assertEquals(1, done.getStatus().getSucceeded());
            List<Pod> pods = podsOf("tolerant").stream().sorted(Comparator.comparing(p -> p.getMetadata().getCreationTimestamp())).toList();
            assertFalse(pods.stream().anyMatch(p -> p.getMetadata().getUid().equals(first.getMetadata().getUid())),
                    "the evicted pod is gone once released");
            assertEquals(1, pods.size(), "one replacement, which succeeded");
        } finally {
            cluster.kubectl().run("uncordon", node).ok();
        }
    }

    @Test
    void suspendDeletesActivePodsAndResumeStartsThemAgain() throws Exception {
        apply("paused", job("paused", "  parallelism: 2\n  completions: 2", 600_000, 0));
        Await.until(Duration.ofSeconds(30), "2 pods", () -> podsOf("paused").stream().filter(JobControllerTest::running).count(), n -> n == 2);
        cluster.kubectl().run("patch", "job", "paused", "--type=merge", "-p", "{\"spec\":{\"suspend\":true}}").ok();
        Job suspended = awaitCondition("paused", "Suspended", Duration.ofSeconds(30));
        assertEquals("JobSuspended", condition(suspended, "Suspended").orElseThrow().getReason());
        Await.until(Duration.ofSeconds(30), "no pod left", () -> podsOf("paused"), List::isEmpty,
                l -> l.stream().map(p -> p.getMetadata().getName()).toList().toString());
        assertEquals(0, Objects.requireNonNullElse(get("paused").orElseThrow().getStatus().getFailed(), 0),
                "pods deleted for a suspension are no failures");
        cluster.kubectl().run("patch", "job", "paused", "--type=merge", "-p", "{\"spec\":{\"suspend\":false}}").ok();
        Await.until(Duration.ofSeconds(30), "2 pods again", () -> podsOf("paused").stream().filter(JobControllerTest::running).count(), n -> n == 2);
        Job resumed = get("paused").orElseThrow();
        assertEquals("False", resumed.getStatus().getConditions().stream().filter(c -> c.getType().equals("Suspended"))
                .findFirst().orElseThrow().getStatus());
        cluster.kubectl().run("delete", "job", "paused").ok();
        Await.until(Duration.ofSeconds(30), "pods of a deleted Job released and gone", () -> podsOf("paused"), List::isEmpty);
    }
}

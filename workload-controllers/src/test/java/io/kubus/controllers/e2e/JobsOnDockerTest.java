package io.kubus.controllers.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.kubus.agent.runtime.ContainerInfo;
import io.kubus.client.api.KubusApi;
import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.ClusterFixture;
import io.kubus.controllers.testing.DockerNodes;
import io.kubus.controllers.testing.PodHistory;
import io.kubus.gateway.testing.Kubectl;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Jobs on real containers: two node agents on the Docker engine, every Job applied with kubectl at once
 * (so the suite costs the longest of them, not their sum), then each checked as a user would check it.
 */
class JobsOnDockerTest {
    @TempDir
    static Path dir;
    static ClusterFixture cluster;
    static KubusApi api;
    static Kubectl kubectl;
    static PodHistory fourPods;
    static final List<String> nodes = new ArrayList<>();

    private static String job(String name, String spec, String script) {
        return """
                apiVersion: batch/v1
                kind: Job
                metadata:
                  name: %s
                spec:
                %s
                  template:
                    spec:
                      restartPolicy: Never
                      terminationGracePeriodSeconds: 1
                      containers:
                      - name: work
                        image: kubus/busybox:1
                        command: ["sh", "-c", "%s"]
                ---
                """.formatted(name, spec.stripTrailing(), script);
    }

    @BeforeAll
    static void start() throws Exception {
        cluster = ClusterFixture.start();
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        for (String n : List.of("jb-a-" + suffix, "jb-b-" + suffix)) {
            cluster.addAgent(dir.resolve(n), Map.of("kubus.agent.runtime", "docker", "kubus.agent.node-name", n));
            nodes.add(n);
        }
        cluster.startControllers();
        api = cluster.api();
        kubectl = cluster.kubectl(dir);
        fourPods = new PodHistory(api, cluster.gateway().kafkaBootstrap(), "batch.kubernetes.io/job-name=four");
        String manifests = job("four", "  completions: 4\n  parallelism: 2", "sleep 1")
                + job("fails", "  backoffLimit: 1", "exit 3")
                + job("indexed", "  completions: 3\n  parallelism: 3\n  completionMode: Indexed", "echo index $JOB_COMPLETION_INDEX")
                + job("deadline", "  activeDeadlineSeconds: 4", "sleep 600")
                + job("brief", "  ttlSecondsAfterFinished: 3", "true");
        Path file = dir.resolve("jobs.yaml");
        Files.writeString(file, manifests);
        kubectl.run("apply", "-f", file.toString()).ok();
    }

    @AfterAll
    static void stop() {
        if (fourPods != null) {
            fourPods.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        DockerNodes.removeContainers(nodes);
    }

    private static Optional<Job> get(String name) {
        return api.get(ResourceTypes.JOBS, "default", name, Job.class);
    }

    private static JobCondition awaitCondition(String name, String type) throws InterruptedException {
        Job job = Await.until(Duration.ofSeconds(90), name + " " + type, () -> get(name).orElseThrow(),
                j -> condition(j, type).isPresent(), j -> String.valueOf(j.getStatus()));
        return condition(job, type).orElseThrow();
    }

    private static Optional<JobCondition> condition(Job job, String type) {
        return job.getStatus() == null || job.getStatus().getConditions() == null ? Optional.empty()
                : job.getStatus().getConditions().stream().filter(c -> c.getType().equals(type) && c.getStatus().equals("True")).findFirst();
    }

    private static List<Pod> podsOf(String job) {
        return api.list(ResourceTypes.PODS, "default", "batch.kubernetes.io/job-name=" + job, null, Pod.class).items();
    }

    private static boolean running(Pod p) {
        String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
        return !"Succeeded".equals(phase) && !"Failed".equals(phase);
    }

    @Test
    void fourCompletionsTwoAtATime() throws Exception {
        kubectl.run(100, "wait", "--for=condition=complete", "job/four", "--timeout=90s").ok();
        assertEquals(4, get("four").orElseThrow().getStatus().getSucceeded());
        int[] most = {0};
        fourPods.replay(pods -> most[0] = Math.max(most[0], (int) pods.values().stream().filter(JobsOnDockerTest::running).count()));
        assertEquals(2, most[0], "never more than parallelism pods running");
        assertEquals(4, podsOf("four").size());
        String table = kubectl.run("get", "job", "four").ok().out();
        assertTrue(table.matches("(?s).*four\\s+Complete\\s+4/4\\s+.*"), table);
    }

    @Test
    void exitThreeWithBackoffLimitOneFailsAfterExactlyTwoPods() throws Exception {
        JobCondition failed = awaitCondition("fails", "Failed");
        assertEquals("BackoffLimitExceeded", failed.getReason());
        List<Pod> pods = podsOf("fails");
        assertEquals(2, pods.size(), "exactly two pods");
        for (Pod p : pods) {
            assertEquals("Failed", p.getStatus().getPhase());
            assertEquals(3, p.getStatus().getContainerStatuses().getFirst().getState().getTerminated().getExitCode());
        }
        Thread.sleep(2_000);
        assertEquals(2, podsOf("fails").size(), "no third pod after the Job failed");
    }

    @Test
    void indexedPodsPrintTheirIndexes() throws Exception {
        kubectl.run(100, "wait", "--for=condition=complete", "job/indexed", "--timeout=90s").ok();
        Set<String> printed = podsOf("indexed").stream()
                .map(p -> kubectl.run("logs", p.getMetadata().getName()).ok().out().trim()).collect(Collectors.toSet());
        assertEquals(Set.of("index 0", "index 1", "index 2"), printed);
        assertEquals("0-2", get("indexed").orElseThrow().getStatus().getCompletedIndexes());
    }

    @Test
    void activeDeadlineEndsALongJobAndStopsItsPods() throws Exception {
        JobCondition failed = awaitCondition("deadline", "Failed");
        assertEquals("DeadlineExceeded", failed.getReason());
        Instant start = Instant.parse(get("deadline").orElseThrow().getStatus().getStartTime());
        assertTrue(!Instant.parse(failed.getLastTransitionTime()).isBefore(start.plusSeconds(4)), "not before the deadline");
        Await.until(Duration.ofSeconds(30), "the pod's container stopped", () -> podsOf("deadline"),
                l -> l.stream().noneMatch(JobsOnDockerTest::running), l -> l.stream().map(p -> p.getStatus().getPhase()).toList().toString());
        for (String n : nodes) {
            for (ContainerInfo c : DockerNodes.containers(n)) {
                assertFalse(c.podName().startsWith("deadline-") && c.state() == ContainerInfo.State.RUNNING,
                        "a container of the ended Job still runs: " + c.name());
            }
        }
    }

    @Test
    void ttlAfterFinishedDeletesTheJob() throws Exception {
        Await.until(Duration.ofSeconds(60), "brief deleted after it completed", () -> get("brief"), Optional::isEmpty);
        Await.until(Duration.ofSeconds(30), "its pod gone", () -> podsOf("brief"), List::isEmpty);
    }

    @Test
    void anEvictionIsNoFailureUnderAnIgnoreRule() throws Exception {
        // made here, not with the others: its pod must still run when this test, which may come after a slow one,
        // drains its node
        Path file = dir.resolve("tolerant.yaml");
        Files.writeString(file, job("tolerant", """
                  backoffLimit: 0
                  podFailurePolicy:
                    rules:
                    - action: Ignore
                      onPodConditions:
                      - type: DisruptionTarget
                """, "sleep 10"));
        kubectl.run("apply", "-f", file.toString()).ok();
        Pod first = Await.until(Duration.ofSeconds(60), "tolerant running", () -> podsOf("tolerant"),
                l -> l.size() == 1 && "Running".equals(l.getFirst().getStatus().getPhase())).getFirst();
        String node = first.getSpec().getNodeName();
        kubectl.run(60, "drain", node, "--pod-selector=batch.kubernetes.io/job-name=tolerant", "--timeout=50s").ok();
        try {
            awaitCondition("tolerant", "Complete");
            Job done = get("tolerant").orElseThrow();
            assertEquals(0, Objects.requireNonNullElse(done.getStatus().getFailed(), 0), "the eviction is not counted");
            assertEquals(1, done.getStatus().getSucceeded());
            assertTrue(podsOf("tolerant").stream().noneMatch(p -> p.getMetadata().getUid().equals(first.getMetadata().getUid())));
        } finally {
            kubectl.run("uncordon", node).ok();
        }
    }
}

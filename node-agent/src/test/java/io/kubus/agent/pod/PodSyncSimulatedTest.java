package io.kubus.agent.pod;

import io.kubus.agent.testing.MovableClock;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.kubus.agent.runtime.ContainerInfo;
import io.kubus.agent.runtime.simulated.SimulatedRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PodSync on the simulated runtime, with a clock the test moves: start-up, restarts with back-off, deletion, adoption. */
class PodSyncSimulatedTest {
    @TempDir
    Path volumes;

    private final MovableClock clock = new MovableClock(Instant.parse("2026-11-22T01:00:00Z"));
    private final SimulatedRuntime runtime = new SimulatedRuntime("node-1", Duration.ofSeconds(1), clock);
    private final List<String> events = new ArrayList<>();

    private PodSync newSync() {
        return new PodSync("node-1", "192.168.0.1", runtime, new RestartBackoff(Duration.ofSeconds(10),
                Duration.ofSeconds(300), Duration.ofMinutes(10)), recorder(), volumes, clock);
    }

    @Test
    void aTwoContainerPodStartsAndRuns() {
        PodSync sync = newSync();
        Pod pod = pod("web", "Always", Map.of());
        PodStatus first = sync.sync(pod, owned(pod)).status();
        assertEquals("Pending", first.getPhase());
        assertEquals("ContainerCreating", first.getContainerStatuses().getFirst().getState().getWaiting().getReason());
        clock.advance(Duration.ofSeconds(2));
        PodStatus running = sync.sync(withStatus(pod, first), owned(pod)).status();
        assertEquals("Running", running.getPhase());
        assertTrue(running.getContainerStatuses().stream().allMatch(c -> c.getReady()));
        assertTrue(running.getPodIP().startsWith("10.244."));
        assertEquals(3, owned(pod).size(), "a sandbox and two containers");
        // the kubelet's events, container by container in the spec's order
        assertEquals(List.of("Pulled", "Created", "Started", "Pulled", "Created", "Started"), events);
    }

    @Test
    void aCrashingContainerRestartsWithGrowingBackOff() {
        PodSync sync = newSync();
        Pod pod = pod("crash", "Always", Map.of(SimulatedRuntime.EXIT_AFTER_MS, "500", SimulatedRuntime.EXIT_CODE, "1"));
        sync.sync(pod, owned(pod));
        List<Long> delays = new ArrayList<>();
        int restarts = 0;
        for (int round = 0; round < 4; round++) {
            clock.advance(Duration.ofSeconds(2));          // started, then exited
            PodStatus s = sync.sync(pod, owned(pod)).status();
            var c = s.getContainerStatuses().getFirst();
            assertEquals("CrashLoopBackOff", c.getState().getWaiting().getReason(), "round " + round);
            assertEquals(1, c.getLastState().getTerminated().getExitCode());
            assertEquals("Running", s.getPhase());
            long delay = Long.parseLong(c.getState().getWaiting().getMessage().replaceAll("back-off (\\d+)s.*", "$1"));
            delays.add(delay);
            clock.advance(Duration.ofSeconds(delay));     // back-off over: restarted
            PodStatus restarted = sync.sync(pod, owned(pod)).status();
            restarts++;
            assertEquals(restarts, restarted.getContainerStatuses().getFirst().getRestartCount());
        }
        assertEquals(List.of(10L, 20L, 40L, 80L), delays);
        assertTrue(events.contains("BackOff"));
        assertTrue(owned(pod).stream().filter(c -> "app".equals(c.name())).count() <= 2,
                "old runs of a container are removed, the previous one kept");
    }

    @Test
    void restartPoliciesDecideWhatHappensAfterAnExit() {
        assertEquals("Succeeded", finalPhase("OnFailure", "0"));
        assertEquals("Running", finalPhase("OnFailure", "1"));
        assertEquals("Succeeded", finalPhase("Never", "0"));
        assertEquals("Failed", finalPhase("Never", "1"));
        assertEquals("Running", finalPhase("Always", "0"));
    }

    @Test
    void aFinishedPodStopsItsSandboxAndIsNeverStartedAgain() {
        PodSync sync = newSync();
        Pod pod = pod("batch", "Never", Map.of(SimulatedRuntime.EXIT_AFTER_MS, "500", SimulatedRuntime.EXIT_CODE, "0"));
        sync.sync(pod, owned(pod));
        clock.advance(Duration.ofSeconds(2));
        Pod finished = withStatus(pod, sync.sync(pod, owned(pod)).status());
        assertEquals("Succeeded", finished.getStatus().getPhase());

        sync.finished(finished, owned(pod));
        List<ContainerInfo> left = owned(pod);
        assertTrue(left.stream().noneMatch(c -> c.state() == ContainerInfo.State.RUNNING), left.toString());
        assertTrue(left.stream().anyMatch(c -> "app".equals(c.name())), "the exited containers stay, for logs");
        clock.advance(Duration.ofSeconds(2));
        assertEquals(finished.getStatus(), sync.sync(finished, owned(pod)).status());
        assertEquals(left, owned(pod), "no new sandbox and no new run");
    }

    @Test
    void aDeletedPodIsStoppedAndRemoved() {
        PodSync sync = newSync();
        Pod pod = pod("gone", "Always", Map.of());
        sync.sync(pod, owned(pod));
        clock.advance(Duration.ofSeconds(2));
        Pod deleting = new PodBuilder(pod).editMetadata().withDeletionTimestamp(clock.instant().plusSeconds(30).toString())
                .withDeletionGracePeriodSeconds(30L).endMetadata().build();
        PodSync.Result r = sync.sync(deleting, owned(pod));
        assertTrue(r.stopped());
        assertEquals(0, owned(pod).size());
        assertTrue(events.contains("Killing"));
    }

    @Test
    void aRestartedAgentAdoptsWhatRuns() {
        Pod pod = pod("adopt", "Always", Map.of());
        newSync().sync(pod, owned(pod));
        clock.advance(Duration.ofSeconds(2));
        List<String> before = owned(pod).stream().map(ContainerInfo::id).sorted().toList();
        PodStatus s = newSync().sync(pod, owned(pod)).status();   // a new agent: nothing in memory
        assertEquals(before, owned(pod).stream().map(ContainerInfo::id).sorted().toList(), "nothing started twice");
        assertEquals("Running", s.getPhase());
        assertEquals(0, s.getContainerStatuses().getFirst().getRestartCount());
    }

    private String finalPhase(String policy, String exitCode) {
        PodSync sync = newSync();
        Pod pod = pod("p-" + policy.toLowerCase() + "-" + exitCode, policy,
                Map.of(SimulatedRuntime.EXIT_AFTER_MS, "500", SimulatedRuntime.EXIT_CODE, exitCode));
        sync.sync(pod, owned(pod));
        clock.advance(Duration.ofSeconds(2));
        return sync.sync(pod, owned(pod)).status().getPhase();
    }

    private List<ContainerInfo> owned(Pod pod) {
        return runtime.list().stream().filter(c -> pod.getMetadata().getUid().equals(c.podUid())).toList();
    }

    private static Pod withStatus(Pod pod, PodStatus status) {
        return new PodBuilder(pod).withStatus(status).build();
    }

    private static Pod pod(String name, String policy, Map<String, String> annotations) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").withUid("uid-" + name)
                .withAnnotations(annotations).endMetadata()
                .withNewSpec().withNodeName("node-1").withRestartPolicy(policy)
                .addNewContainer().withName("app").withImage("kubus/busybox:1").endContainer()
                .addNewContainer().withName("side").withImage("kubus/busybox:1").endContainer()
                .endSpec().build();
    }

    private PodEvents recorder() {
        return new PodEvents() {
            @Override
            public void normal(Pod pod, String reason, String message) {
                events.add(reason);
            }

            @Override
            public void warning(Pod pod, String reason, String message) {
                events.add(reason);
            }

            @Override
            public void warningOnce(Pod pod, String reason, String message) {
                events.add(reason);
            }
        };
    }

}

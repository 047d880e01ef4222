package io.kubus.agent.pod;

import io.kubus.agent.testing.MovableClock;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.kubus.agent.runtime.ContainerInfo;
import io.kubus.agent.runtime.simulated.SimulatedRuntime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The probe state machine on the simulated runtime, with probe results the test decides and a clock it moves:
 * initial delay, period, success and failure thresholds, startup gating, liveness kills and restarts.
 */
class ProbesSimulatedTest {
    @TempDir
    Path volumes;

    private final MovableClock clock =
            new MovableClock(Instant.parse("2026-11-22T01:00:00Z"));
    private final SimulatedRuntime runtime = new SimulatedRuntime("node-1", Duration.ofSeconds(1), clock);
    private final List<String> events = new ArrayList<>();
    /** What the next probes answer, per type. */
    private final AtomicBoolean readinessPasses = new AtomicBoolean(false);
    private final AtomicBoolean livenessPasses = new AtomicBoolean(true);
    private final AtomicBoolean startupPasses = new AtomicBoolean(false);
    private final AtomicInteger probesRun = new AtomicInteger();
    private final AtomicInteger wakes = new AtomicInteger();

    private final ProbeManager probes = new ProbeManager(recorder(), clock, Runnable::run,
            (pod, c, id, ip, type, probe, timeout) -> {
                probesRun.incrementAndGet();
                boolean ok = switch (type) {
                    case READINESS -> readinessPasses.get();
                    case LIVENESS -> livenessPasses.get();
                    case STARTUP -> startupPasses.get();
                };
                return ok ? ProbeResult.success("ok") : ProbeResult.failure("HTTP probe failed with statuscode: 503");
            });
    private PodSync sync;

    @BeforeEach
    void setUp() {
        probes.setListener(wakes::incrementAndGet);
        sync = new PodSync("node-1", "192.168.0.1", runtime,
                new RestartBackoff(Duration.ofSeconds(10), Duration.ofSeconds(300), Duration.ofMinutes(10)), recorder(),
                volumes, clock, probes, PodConfigSource.none(), Runnable::run, null);
    }

    @Test
    void readinessWaitsForItsInitialDelayAndNeedsSuccessThresholdPassesThenFailureThresholdFailures() {
        Pod pod = pod("ready", new ProbeBuilder().withNewHttpGet().withNewPort(8080).withPath("/").endHttpGet()
                .withInitialDelaySeconds(5).withPeriodSeconds(2).withSuccessThreshold(2).withFailureThreshold(3)
                .build(), null, null);
        readinessPasses.set(true);
        PodStatus s = start(pod);                                  // running since t=1
        assertEquals("Running", s.getPhase());
        assertFalse(ready(s), "not ready before a probe passed");
        for (int i = 0; i < 3; i++) {                              // up to t=5: still inside the initial delay
            s = step(pod, Duration.ofSeconds(1));
        }
        assertEquals(0, probesRun.get(), "nothing probed during initialDelaySeconds");
        assertFalse(ready(s));
        s = step(pod, Duration.ofSeconds(2));                     // t=7: first pass, threshold 2
        assertEquals(1, probesRun.get());
        assertFalse(ready(s), "one pass of two needed");
        s = step(pod, Duration.ofSeconds(1));                     // t=8: period not over, no probe
        assertEquals(1, probesRun.get(), "probes run every periodSeconds");
        s = step(pod, Duration.ofSeconds(1));                     // t=9: second pass
        assertTrue(ready(s), "ready after successThreshold passes");
        assertEquals("True", condition(s, "Ready"));
        assertEquals("True", condition(s, "ContainersReady"));
        assertTrue(wakes.get() >= 1, "a changed result wakes the sync loop");

        readinessPasses.set(false);
        s = step(pod, Duration.ofSeconds(2));
        s = step(pod, Duration.ofSeconds(2));
        assertTrue(ready(s), "two failures of three keep it ready");
        s = step(pod, Duration.ofSeconds(2));
        assertFalse(ready(s), "not ready after failureThreshold failures");
        assertEquals("False", condition(s, "Ready"));
        assertEquals("Running", s.getPhase(), "a readiness failure never restarts anything");
        assertEquals(0, s.getContainerStatuses().getFirst().getRestartCount());
        assertTrue(events.contains("Unhealthy:Readiness probe failed: HTTP probe failed with statuscode: 503"), events.toString());
    }

    @Test
    void aFailingLivenessProbeKillsTheContainerWhichRestartsAndIsProbedAfresh() {
        Pod pod = pod("live", null, new ProbeBuilder().withNewExec().withCommand("cat", "/tmp/healthy").endExec()
                .withPeriodSeconds(1).withFailureThreshold(3).build(), null);
        PodStatus s = start(pod);
        assertTrue(ready(s), "no readiness probe: ready when running");
        String firstId = current(pod).id();
        livenessPasses.set(false);
        s = step(pod, Duration.ofSeconds(1));
        s = step(pod, Duration.ofSeconds(1));
        assertEquals(firstId, current(pod).id(), "two failures of three: still running");
        s = step(pod, Duration.ofSeconds(1));                     // third failure: killed in this sync
        assertTrue(events.contains("Killing:Container app failed liveness probe, will be restarted"), events.toString());
        int probed = probesRun.get();
        step(pod, Duration.ofSeconds(1));
        assertEquals(probed, probesRun.get(), "a container that failed liveness is not probed again");
        livenessPasses.set(true);
        s = step(pod, Duration.ofSeconds(10));                    // back-off over: restarted
        s = step(pod, Duration.ofSeconds(2));
        var c = s.getContainerStatuses().getFirst();
        assertEquals(1, c.getRestartCount());
        assertTrue(c.getState().getRunning() != null, c.toString());
        assertEquals(137, c.getLastState().getTerminated().getExitCode());
        assertNotEquals(firstId, current(pod).id());
        assertTrue(events.stream().filter(e -> e.startsWith("Unhealthy:Liveness probe failed")).count() == 3, events.toString());
        s = step(pod, Duration.ofSeconds(5));
        assertEquals(1, s.getContainerStatuses().getFirst().getRestartCount(), "the new run passes: no more restarts");
    }

    @Test
    void livenessAndReadinessWaitForTheStartupProbe() {
        Pod pod = pod("slow",
                new ProbeBuilder().withNewTcpSocket().withNewPort(80).endTcpSocket().withPeriodSeconds(1).build(),
                new ProbeBuilder().withNewExec().withCommand("true").endExec().withPeriodSeconds(1).build(),
                new ProbeBuilder().withNewExec().withCommand("test", "-f", "/started").endExec()
                        .withPeriodSeconds(1).withFailureThreshold(30).build());
        readinessPasses.set(true);
        livenessPasses.set(false);                                 // would kill at once if it ran
        PodStatus s = start(pod);
        for (int i = 0; i < 5; i++) {
            s = step(pod, Duration.ofSeconds(1));
        }
        var c = s.getContainerStatuses().getFirst();
        assertFalse(c.getStarted(), "not started before the startup probe passes");
        assertFalse(c.getReady());
        assertEquals(0, c.getRestartCount(), "liveness does not run before startup passed");
        livenessPasses.set(true);
        startupPasses.set(true);
        s = step(pod, Duration.ofSeconds(1));
        s = step(pod, Duration.ofSeconds(1));
        c = s.getContainerStatuses().getFirst();
        assertTrue(c.getStarted());
        assertTrue(c.getReady());
    }

    @Test
    void aStartupProbeThatNeverPassesKillsTheContainer() {
        Pod pod = pod("never", null, null, new ProbeBuilder().withNewExec().withCommand("false").endExec()
                .withPeriodSeconds(1).withFailureThreshold(2).build());
        start(pod);
        step(pod, Duration.ofSeconds(1));
        step(pod, Duration.ofSeconds(1));
        assertTrue(events.contains("Killing:Container app failed startup probe, will be restarted"), events.toString());
        assertEquals(ContainerInfo.State.EXITED, current(pod).state());
    }

    @Test
    void probesOfADeletedPodStop() {
        Pod pod = pod("bye", new ProbeBuilder().withNewExec().withCommand("true").endExec().withPeriodSeconds(1).build(),
                null, null);
        readinessPasses.set(true);
        start(pod);
        step(pod, Duration.ofSeconds(1));
        Pod deleting = new PodBuilder(pod).editMetadata().withDeletionTimestamp(clock.instant().plusSeconds(30).toString())
                .endMetadata().build();
        assertTrue(sync.sync(deleting, owned(pod)).stopped());
        int probed = probesRun.get();
        clock.advance(Duration.ofSeconds(5));
        probes.tick();
        assertEquals(probed, probesRun.get());
    }

    /** Creates the pod's containers at t=0 (they start at t=1) and syncs again at t=2. */
    private PodStatus start(Pod pod) {
        sync.sync(pod, owned(pod));
        return step(pod, Duration.ofSeconds(2));
    }

    /** Moves the clock, runs the probes that are due, then syncs, as the driver thread and the sync loop would. */
    private PodStatus step(Pod pod, Duration d) {
        clock.advance(d);
        probes.tick();
        return sync.sync(pod, owned(pod)).status();
    }

    private ContainerInfo current(Pod pod) {
        return owned(pod).stream().filter(c -> "app".equals(c.name()))
                .max(java.util.Comparator.comparingInt(ContainerInfo::restartCount)).orElseThrow();
    }

    private static boolean ready(PodStatus s) {
        return Boolean.TRUE.equals(s.getContainerStatuses().getFirst().getReady());
    }

    private static String condition(PodStatus s, String type) {
        return s.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElseThrow().getStatus();
    }

    private List<ContainerInfo> owned(Pod pod) {
        return runtime.list().stream().filter(c -> pod.getMetadata().getUid().equals(c.podUid())).toList();
    }

    private static Pod pod(String name, Probe readiness, Probe liveness, Probe startup) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").withUid("uid-" + name)
                .endMetadata()
                .withNewSpec().withNodeName("node-1").withTerminationGracePeriodSeconds(5L)
                .addToContainers(new ContainerBuilder().withName("app").withImage("kubus/busybox:1")
                        .withReadinessProbe(readiness).withLivenessProbe(liveness).withStartupProbe(startup).build())
                .endSpec().build();
    }

    private PodEvents recorder() {
        return new PodEvents() {
            @Override
            public void normal(Pod pod, String reason, String message) {
                events.add(reason + ":" + message);
            }

            @Override
            public void warning(Pod pod, String reason, String message) {
                events.add(reason + ":" + message);
            }

            @Override
            public void warningOnce(Pod pod, String reason, String message) {
                events.add(reason + ":" + message);
            }
        };
    }
}

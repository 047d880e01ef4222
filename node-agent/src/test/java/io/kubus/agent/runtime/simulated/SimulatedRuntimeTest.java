package io.kubus.agent.runtime.simulated;

import io.kubus.agent.testing.MovableClock;
import io.kubus.agent.runtime.ContainerInfo;
import io.kubus.agent.runtime.ContainerSpec;
import io.kubus.agent.runtime.RuntimeLabels;
import io.kubus.agent.runtime.SandboxSpec;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The simulated runtime tells when its containers change by themselves, so that the agent looks again then, and lists
 * one pod's containers without the others.
 */
class SimulatedRuntimeTest {
    private final MovableClock clock = new MovableClock(Instant.parse("2026-12-06T00:00:00Z"));

    @Test
    void nextChangeIsTheStartAfterItsLatencyThenTheExit() {
        SimulatedRuntime runtime = new SimulatedRuntime("n", Duration.ofMillis(50), clock);
        String sandbox = runtime.runSandbox(new SandboxSpec("n", "uid", "ns", "p", "p", List.of(), Map.of())).id();
        assertEquals(Optional.empty(), runtime.nextChange(), "a sandbox runs at once");
        String id = runtime.createContainer(sandbox, new ContainerSpec("n", "uid", "ns", "p", "c", "img", List.of(),
                List.of(), Map.of(), null, List.of(), 0, 0, 0, 0, Map.of(SimulatedRuntime.EXIT_AFTER_MS, "1000")));
        assertEquals(Optional.empty(), runtime.nextChange(), "created, not started");
        runtime.startContainer(id);
        assertEquals(Optional.of(clock.instant().plusMillis(50)), runtime.nextChange());
        clock.advance(Duration.ofMillis(50));
        assertEquals(ContainerInfo.State.RUNNING, runtime.inspect(id).orElseThrow().state());
        assertEquals(Optional.of(clock.instant().plusMillis(1000)), runtime.nextChange(), "then its exit");
        clock.advance(Duration.ofMillis(1000));
        assertEquals(ContainerInfo.State.EXITED, runtime.inspect(id).orElseThrow().state());
        assertEquals(Optional.empty(), runtime.nextChange());
    }

    @Test
    void changedBetweenNamesThePodsWhoseContainersStartedOrExitedInThatTime() {
        SimulatedRuntime runtime = new SimulatedRuntime("n", Duration.ofMillis(50), clock);
        Instant t0 = clock.instant();
        String sandboxA = runtime.runSandbox(new SandboxSpec("n", "a", "ns", "pa", "pa", List.of(), Map.of())).id();
        String sandboxB = runtime.runSandbox(new SandboxSpec("n", "b", "ns", "pb", "pb", List.of(), Map.of())).id();
        clock.advance(Duration.ofMillis(10));
        Instant t1 = clock.instant();
        String a = runtime.createContainer(sandboxA, new ContainerSpec("n", "a", "ns", "pa", "c", "img", List.of(),
                List.of(), Map.of(), null, List.of(), 0, 0, 0, 0, Map.of(SimulatedRuntime.EXIT_AFTER_MS, "1000")));
        runtime.createContainer(sandboxB, new ContainerSpec("n", "b", "ns", "pb", "c", "img", List.of(), List.of(),
                Map.of(), null, List.of(), 0, 0, 0, 0, Map.of()));
        runtime.startContainer(a); // runs at t1 + 50 ms, exits 1 s later; pb's container is never started
        assertEquals(java.util.Set.of("ns/pa", "ns/pb"), runtime.changedBetween(t0.minusMillis(1), t1),
                "both sandboxes started then");
        assertEquals(java.util.Set.of(), runtime.changedBetween(t1, t1.plusMillis(49)));
        assertEquals(java.util.Set.of("ns/pa"), runtime.changedBetween(t1.plusMillis(49), t1.plusMillis(50)),
                "the start, at its time exactly");
        assertEquals(java.util.Set.of(), runtime.changedBetween(t1.plusMillis(50), t1.plusMillis(1049)));
        assertEquals(java.util.Set.of("ns/pa"), runtime.changedBetween(t1.plusMillis(1049), t1.plusSeconds(5)),
                "the exit");
    }

    @Test
    void listPodHoldsOnlyThatPodsSandboxAndContainersWithTheirLabels() {
        SimulatedRuntime runtime = new SimulatedRuntime("n", Duration.ZERO, clock);
        String sandboxA = runtime.runSandbox(new SandboxSpec("n", "a", "ns", "pa", "pa", List.of(), Map.of())).id();
        String sandboxB = runtime.runSandbox(new SandboxSpec("n", "b", "ns", "pb", "pb", List.of(), Map.of())).id();
        String containerA = runtime.createContainer(sandboxA, new ContainerSpec("n", "a", "ns", "pa", "c", "img",
                List.of(), List.of(), Map.of(), null, List.of(), 0, 0, 0, 0, Map.of("app", "x")));
        runtime.createContainer(sandboxB, new ContainerSpec("n", "b", "ns", "pb", "c", "img", List.of(), List.of(),
                Map.of(), null, List.of(), 0, 0, 0, 0, Map.of()));

        List<ContainerInfo> a = runtime.listPod("a");
        assertEquals(java.util.Set.of(sandboxA, containerA),
                a.stream().map(ContainerInfo::id).collect(java.util.stream.Collectors.toSet()));
        ContainerInfo c = a.stream().filter(i -> i.id().equals(containerA)).findFirst().orElseThrow();
        assertEquals(Map.of("app", "x", RuntimeLabels.MANAGED_BY, RuntimeLabels.MANAGED_BY_VALUE,
                RuntimeLabels.NODE, "n", RuntimeLabels.POD_UID, "a", RuntimeLabels.KIND, "container"), c.labels());
        assertEquals(4, runtime.list().size(), "the node's list holds both pods");

        runtime.removeContainer(containerA);
        runtime.removeSandbox(sandboxA);
        assertEquals(List.of(), runtime.listPod("a"));
        assertEquals(2, runtime.listPod("b").size());
        assertEquals(List.of(), runtime.listPod("unknown"));
    }
}

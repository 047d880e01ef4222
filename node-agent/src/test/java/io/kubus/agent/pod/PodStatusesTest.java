package io.kubus.agent.pod;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.kubus.agent.runtime.ContainerInfo;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The kubelet's phase and condition rules, on observations made by hand. */
class PodStatusesTest {
    private static final Instant T0 = Instant.parse("2026-11-22T01:00:00Z");
    private static final Instant NOW = T0.plusSeconds(30);

    @Test
    void aRunningPodIsRunningAndReady() {
        PodStatus s = compute(pod("Always"), Map.of("app", observed(running("c1", 0), null, null)));
        assertEquals("Running", s.getPhase());
        assertEquals("True", condition(s, "Ready").getStatus());
        assertEquals("True", condition(s, "ContainersReady").getStatus());
        assertEquals("True", condition(s, "Initialized").getStatus());
        ContainerStatus c = s.getContainerStatuses().getFirst();
        assertNotNull(c.getState().getRunning());
        assertEquals("docker://c1", c.getContainerID());
        assertEquals("10.0.0.7", s.getPodIP());
        assertEquals("192.168.0.1", s.getHostIP());
    }

    @Test
    void aPodWhoseContainerIsBeingCreatedIsPending() {
        PodStatus s = compute(pod("Always"), Map.of());
        assertEquals("Pending", s.getPhase());
        assertEquals("ContainerCreating", s.getContainerStatuses().getFirst().getState().getWaiting().getReason());
        assertEquals("False", condition(s, "Ready").getStatus());
        assertEquals("ContainersNotReady", condition(s, "Ready").getReason());
    }

    @Test
    void restartPolicyMatrix() {
        // Exit 0 and exit 1 under each policy, in the state the agent leaves the container in after the exit:
        // restarted (waiting in back-off, the exit as lastState) or left terminated.
        assertEquals("Running", phaseAfterExit("Always", 0, true));
        assertEquals("Running", phaseAfterExit("Always", 1, true));
        assertEquals("Succeeded", phaseAfterExit("OnFailure", 0, false));
        assertEquals("Running", phaseAfterExit("OnFailure", 1, true));
        assertEquals("Succeeded", phaseAfterExit("Never", 0, false));
        assertEquals("Failed", phaseAfterExit("Never", 1, false));
    }

    @Test
    void aCrashLoopShowsTheBackOffAndTheLastExit() {
        ContainerInfo exited = exited("c3", 1, 3);
        PodStatus s = compute(pod("Always"), Map.of("app", observed(exited, exited("c2", 1, 2),
                new ContainerObservation.Waiting("CrashLoopBackOff", "back-off 40s restarting failed container=app"))));
        ContainerStatus c = s.getContainerStatuses().getFirst();
        assertEquals("CrashLoopBackOff", c.getState().getWaiting().getReason());
        assertEquals(1, c.getLastState().getTerminated().getExitCode());
        assertEquals("Error", c.getLastState().getTerminated().getReason());
        assertEquals(3, c.getRestartCount());
        assertEquals("Running", s.getPhase());
        assertEquals(false, c.getReady());
    }

    @Test
    void initContainersGateThePod() {
        Pod pod = new PodBuilder(pod("Always")).editSpec().addNewInitContainer().withName("init").withImage("busybox")
                .endInitContainer().endSpec().build();
        PodStatus running = compute(pod, Map.of("init", observed(running("i1", 0), null, null)));
        assertEquals("Pending", running.getPhase());
        assertEquals("False", condition(running, "Initialized").getStatus());
        assertNull(running.getInitContainerStatuses().getFirst().getStarted());

        PodStatus done = compute(pod, Map.of("init", observed(exited("i1", 0, 0), null, null),
                "app", observed(running("c1", 0), null, null)));
        assertEquals("Running", done.getPhase());
        assertEquals("True", condition(done, "Initialized").getStatus());

        Pod never = new PodBuilder(pod).editSpec().withRestartPolicy("Never").endSpec().build();
        PodStatus failed = compute(never, Map.of("init", observed(exited("i1", 2, 0), null, null)));
        assertEquals("Failed", failed.getPhase());
    }

    @Test
    void aConditionKeepsItsTransitionTimeWhileItHolds() {
        PodStatus first = compute(pod("Always"), Map.of("app", observed(running("c1", 0), null, null)));
        Pod again = new PodBuilder(pod("Always")).withStatus(first).build();
        PodStatus later = PodStatuses.compute(again, Map.of("app", observed(running("c1", 0), null, null)), true,
                "10.0.0.7", "192.168.0.1", T0, NOW.plusSeconds(600));
        assertEquals(condition(first, "Ready").getLastTransitionTime(), condition(later, "Ready").getLastTransitionTime());
    }

    private static String phaseAfterExit(String policy, int exitCode, boolean restarting) {
        ContainerInfo exited = exited("c1", exitCode, 0);
        ContainerObservation o = restarting
                ? observed(exited, null, new ContainerObservation.Waiting("CrashLoopBackOff", "back-off 10s"))
                : observed(exited, null, null);
        return compute(pod(policy), Map.of("app", o)).getPhase();
    }

    private static PodStatus compute(Pod pod, Map<String, ContainerObservation> obs) {
        return PodStatuses.compute(pod, obs, true, "10.0.0.7", "192.168.0.1", T0, NOW);
    }

    private static ContainerObservation observed(ContainerInfo cur, ContainerInfo prev, ContainerObservation.Waiting w) {
        return new ContainerObservation(cur, prev, w, cur != null && cur.state() == ContainerInfo.State.RUNNING);
    }

    private static Pod pod(String restartPolicy) {
        return new PodBuilder().withNewMetadata().withName("p").withNamespace("default").withUid("u1").endMetadata()
                .withNewSpec().withRestartPolicy(restartPolicy).withNodeName("n1")
                .addNewContainer().withName("app").withImage("kubus/busybox:1").endContainer().endSpec().build();
    }

    private static ContainerInfo running(String id, int restarts) {
        return new ContainerInfo(id, false, "u1", "default", "p", "app", ContainerInfo.State.RUNNING, 0, null,
                T0, T0.plusSeconds(1), null, "kubus/busybox:1", "sha256:abc", restarts, Map.of());
    }

    private static ContainerInfo exited(String id, int code, int restarts) {
        return new ContainerInfo(id, false, "u1", "default", "p", "app", ContainerInfo.State.EXITED, code, null,
                T0, T0.plusSeconds(1), T0.plusSeconds(5), "kubus/busybox:1", "sha256:abc", restarts, Map.of());
    }

    private static PodCondition condition(PodStatus s, String type) {
        return s.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
    }
}

package io.kubus.agent.pod;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.kubus.agent.runtime.ContainerInfo;
import io.kubus.schema.pod.PodPhases;
import io.micronaut.core.annotation.Nullable;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Computes a pod's status from what its node observes, as the kubelet does (pkg/kubelet/kubelet_pods.go:
 * getPhase, generateAPIPodStatus; pkg/kubelet/status/generate.go for the conditions). Pure: no I/O.
 */
public final class PodStatuses {
    private PodStatuses() {
    }

    /**
     * @param pod          the pod as stored (spec, and the status it has, for conditions' transition times)
     * @param containers   observation per container name, init and app containers alike
     * @param sandboxReady whether the pod's sandbox (network namespace) runs
     * @param podIp        the sandbox's IP, or null
     * @param hostIp       the node's IP
     * @param startTime    when the agent first took the pod
     * @param now          the time of this observation
     */
    public static PodStatus compute(Pod pod, Map<String, ContainerObservation> containers, boolean sandboxReady,
                                    @Nullable String podIp, String hostIp, Instant startTime, Instant now) {
        String restartPolicy = Objects.requireNonNullElse(pod.getSpec().getRestartPolicy(), "Always");
        List<Container> inits = Objects.requireNonNullElse(pod.getSpec().getInitContainers(), List.of());
        List<Container> apps = Objects.requireNonNullElse(pod.getSpec().getContainers(), List.of());

        List<ContainerStatus> initStatuses = new ArrayList<>();
        for (Container c : inits) {
            initStatuses.add(status(c, containers.getOrDefault(c.getName(), ContainerObservation.none()), true));
        }
        List<ContainerStatus> appStatuses = new ArrayList<>();
        for (Container c : apps) {
            appStatuses.add(status(c, containers.getOrDefault(c.getName(), ContainerObservation.none()), false));
        }

        boolean initialized = initStatuses.stream().allMatch(PodStatuses::succeeded);
        boolean initFailed = !initialized && restartPolicy.equals("Never")
                && initStatuses.stream().anyMatch(s -> s.getState().getTerminated() != null
                && s.getState().getTerminated().getExitCode() != 0);
        String phase = initFailed ? "Failed" : initialized ? phase(appStatuses, restartPolicy) : "Pending";
        boolean containersReady = initialized && !appStatuses.isEmpty()
                && appStatuses.stream().allMatch(s -> Boolean.TRUE.equals(s.getReady()));
        if (PodPhases.isTerminal(phase)) {
            containersReady = false;
        }

        PodStatus old = pod.getStatus();
        List<PodCondition> conditions = new ArrayList<>();
        conditions.add(condition(old, "PodReadyToStartContainers", sandboxReady, null, now));
        conditions.add(condition(old, "Initialized", initialized, initialized ? null : "ContainersNotInitialized", now));
        conditions.add(condition(old, "Ready", containersReady, containersReady ? null : "ContainersNotReady", now));
        conditions.add(condition(old, "ContainersReady", containersReady, containersReady ? null : "ContainersNotReady", now));
        PodCondition scheduled = old == null || old.getConditions() == null ? null : old.getConditions().stream()
                .filter(c -> "PodScheduled".equals(c.getType())).findFirst().orElse(null);
        conditions.add(scheduled != null ? scheduled : condition(old, "PodScheduled", true, null, now));

        PodStatusBuilder b = new PodStatusBuilder()
                .withPhase(phase)
                .withConditions(conditions)
                .withHostIP(hostIp)
                .withHostIPs(new io.fabric8.kubernetes.api.model.HostIPBuilder().withIp(hostIp).build())
                .withStartTime(time(startTime))
                .withInitContainerStatuses(initStatuses)
                .withContainerStatuses(appStatuses)
                .withQosClass(old == null ? null : old.getQosClass());
        if (podIp != null && !podIp.isEmpty()) {
            b.withPodIP(podIp).withPodIPs(new PodIPBuilder().withIp(podIp).build());
        }
        return b.build();
    }

    /**
     * The last status of a deleted pod whose containers the agent stopped, for a pod a finalizer keeps (a Job's
     * tracked pod): terminal, as the kubelet makes it, so that its owner can tell how it ended. It failed unless it
     * had already succeeded; containers still running when stopped end with 137, their real code being gone with
     * them; DisruptionTarget and the other conditions others set stay.
     */
    public static PodStatus stoppedAfterDeletion(PodStatus last, Instant now) {
        if (PodPhases.isTerminal(last.getPhase())) {
            return last;
        }
        List<PodCondition> conditions = new ArrayList<>();
        for (PodCondition c : Objects.requireNonNullElse(last.getConditions(), List.<PodCondition>of())) {
            boolean readiness = c.getType().equals("Ready") || c.getType().equals("ContainersReady");
            conditions.add(readiness ? condition(last, c.getType(), false, "PodCompleted", now) : c);
        }
        return new PodStatusBuilder(last).withPhase("Failed").withConditions(conditions)
                .withContainerStatuses(stopped(last.getContainerStatuses(), now))
                .withInitContainerStatuses(stopped(last.getInitContainerStatuses(), now))
                .build();
    }

    private static List<ContainerStatus> stopped(@Nullable List<ContainerStatus> statuses, Instant now) {
        List<ContainerStatus> result = new ArrayList<>();
        for (ContainerStatus s : Objects.requireNonNullElse(statuses, List.<ContainerStatus>of())) {
            if (s.getState() != null && s.getState().getTerminated() != null) {
                result.add(s);
                continue;
            }
            String started = s.getState() != null && s.getState().getRunning() != null
                    ? s.getState().getRunning().getStartedAt() : null;
            result.add(new ContainerStatusBuilder(s).withReady(false).withStarted(false)
                    .withState(new ContainerStateBuilder().withNewTerminated().withExitCode(137).withReason("Error")
                            .withStartedAt(started).withFinishedAt(time(now)).withContainerID(s.getContainerID())
                            .endTerminated().build())
                    .build());
        }
        return result;
    }

    /** getPhase: a container waiting after a termination counts as stopped, as it will be restarted. */
    static String phase(List<ContainerStatus> statuses, String restartPolicy) {
        int waiting = 0;
        int running = 0;
        int stopped = 0;
        int succeeded = 0;
        for (ContainerStatus s : statuses) {
            ContainerState st = s.getState();
            if (st.getRunning() != null) {
                running++;
            } else if (st.getTerminated() != null) {
                stopped++;
                if (st.getTerminated().getExitCode() == 0) {
                    succeeded++;
                }
            } else if (s.getLastState() != null && s.getLastState().getTerminated() != null) {
                stopped++;
                if (s.getLastState().getTerminated().getExitCode() == 0) {
                    succeeded++;
                }
            } else {
                waiting++;
            }
        }
        if (waiting > 0) {
            return "Pending";
        }
        if (running > 0) {
            return "Running";
        }
        if (stopped > 0) {
            return switch (restartPolicy) {
                case "Always" -> "Running";
                case "OnFailure" -> stopped == succeeded ? "Succeeded" : "Running";
                default -> stopped == succeeded ? "Succeeded" : "Failed";
            };
        }
        return "Pending";
    }

    private static ContainerStatus status(Container spec, ContainerObservation o, boolean init) {
        ContainerInfo cur = o.current();
        ContainerState state;
        if (o.waiting() != null && (cur == null || cur.state() != ContainerInfo.State.RUNNING)) {
            state = new ContainerStateBuilder().withNewWaiting().withReason(o.waiting().reason())
                    .withMessage(o.waiting().message()).endWaiting().build();
        } else if (cur == null || cur.state() == ContainerInfo.State.CREATED || cur.state() == ContainerInfo.State.UNKNOWN) {
            state = new ContainerStateBuilder().withNewWaiting().withReason("ContainerCreating").endWaiting().build();
        } else if (cur.state() == ContainerInfo.State.RUNNING) {
            state = new ContainerStateBuilder().withNewRunning().withStartedAt(time(cur.startedAt())).endRunning().build();
        } else {
            state = terminated(cur);
        }
        // lastState is the previous run's end; while a container waits to restart, it is the current one's.
        ContainerInfo last = state.getWaiting() != null && cur != null && cur.state() == ContainerInfo.State.EXITED
                ? cur : o.previous();
        ContainerStatusBuilder b = new ContainerStatusBuilder()
                .withName(spec.getName())
                .withImage(spec.getImage())
                .withImageID(cur == null || cur.imageId() == null ? "" : cur.imageId())
                .withState(state)
                .withLastState(last == null || last.state() != ContainerInfo.State.EXITED ? new ContainerState() : terminated(last))
                .withReady(!init && state.getRunning() != null && o.ready())
                .withRestartCount(cur == null ? 0 : cur.restartCount())
                .withStarted(init ? null : state.getRunning() != null && o.started());
        if (cur != null) {
            b.withContainerID("docker://" + cur.id());
        }
        return b.build();
    }

    private static ContainerState terminated(ContainerInfo c) {
        return new ContainerStateBuilder().withNewTerminated()
                .withExitCode(c.exitCode())
                .withReason(c.reason() != null ? c.reason() : c.exitCode() == 0 ? "Completed" : "Error")
                .withStartedAt(time(c.startedAt()))
                .withFinishedAt(time(c.finishedAt()))
                .withContainerID("docker://" + c.id())
                .endTerminated().build();
    }

    private static boolean succeeded(ContainerStatus s) {
        return s.getState().getTerminated() != null && s.getState().getTerminated().getExitCode() == 0;
    }

    /** A condition, keeping its lastTransitionTime while its status does not change. */
    private static PodCondition condition(@Nullable PodStatus old, String type, boolean status, @Nullable String reason,
                                          Instant now) {
        String value = status ? "True" : "False";
        String since = time(now);
        if (old != null && old.getConditions() != null) {
            for (PodCondition c : old.getConditions()) {
                if (type.equals(c.getType()) && value.equals(c.getStatus()) && c.getLastTransitionTime() != null) {
                    since = c.getLastTransitionTime();
                }
            }
        }
        return new PodConditionBuilder().withType(type).withStatus(value).withReason(reason)
                .withLastTransitionTime(since).build();
    }

    static String time(@Nullable Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}

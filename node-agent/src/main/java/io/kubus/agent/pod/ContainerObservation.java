package io.kubus.agent.pod;

import io.kubus.agent.runtime.ContainerInfo;
import io.micronaut.core.annotation.Nullable;

/**
 * What the agent knows about one container of a pod.
 *
 * @param current  the newest runtime container of that name, or null if none was created yet
 * @param previous the one before it (its exit is the container's lastState), or null
 * @param waiting  why the container is not running when the agent holds it back (ErrImagePull, CrashLoopBackOff,
 *                 ContainerCreating, ...), or null
 * @param ready    whether it passes its readiness probe (true when it is running and has none)
 * @param started  whether it passed its startup probe (true when it is running and has none)
 */
public record ContainerObservation(@Nullable ContainerInfo current, @Nullable ContainerInfo previous,
                                   @Nullable Waiting waiting, boolean ready, boolean started) {

    /** An observation of a container without a startup probe: started when it runs. */
    public ContainerObservation(@Nullable ContainerInfo current, @Nullable ContainerInfo previous,
                                @Nullable Waiting waiting, boolean ready) {
        this(current, previous, waiting, ready, current != null && current.state() == ContainerInfo.State.RUNNING);
    }

    /** A waiting state's reason and message, as containerStatuses[].state.waiting shows it. */
    public record Waiting(String reason, String message) {
    }

    public static ContainerObservation none() {
        return new ContainerObservation(null, null, new Waiting("ContainerCreating", null), false);
    }
}

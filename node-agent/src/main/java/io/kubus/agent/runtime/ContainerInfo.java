package io.kubus.agent.runtime;

import java.time.Instant;
import java.util.Map;

/**
 * A sandbox or container as the engine reports it.
 *
 * @param id           engine id
 * @param sandbox      true for a pod sandbox
 * @param podUid       from the labels
 * @param namespace    from the labels
 * @param podName      from the labels
 * @param name         the container's name in the pod (empty for a sandbox)
 * @param state        created, running or exited
 * @param exitCode     when exited
 * @param reason       the engine's reason for the exit, e.g. OOMKilled, Error, Completed
 * @param createdAt    when created
 * @param startedAt    when last started, null if never
 * @param finishedAt   when it exited, null if it has not
 * @param image        the image reference it runs
 * @param imageId      the image's id, e.g. {@code docker-pullable://...} or {@code sha256:...}
 * @param restartCount from the labels
 * @param labels       all labels
 */
public record ContainerInfo(String id, boolean sandbox, String podUid, String namespace, String podName, String name,
                            State state, int exitCode, String reason, Instant createdAt, Instant startedAt,
                            Instant finishedAt, String image, String imageId, int restartCount,
                            Map<String, String> labels) {

    public enum State { CREATED, RUNNING, EXITED, UNKNOWN }
}

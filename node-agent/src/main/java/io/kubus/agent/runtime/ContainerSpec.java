package io.kubus.agent.runtime;

import java.util.List;
import java.util.Map;

/**
 * One container of a pod, resolved by the agent (env values read, volumes prepared on the host).
 *
 * @param nodeName        the node
 * @param podUid          the pod's uid
 * @param namespace       the pod's namespace
 * @param podName         the pod's name
 * @param name            the container's name in the pod
 * @param image           image reference
 * @param command         entrypoint override (Kubernetes {@code command}), empty for the image's
 * @param args            arguments (Kubernetes {@code args}), empty for the image's
 * @param env             environment, resolved
 * @param workingDir      working directory, null for the image's
 * @param mounts          host paths bound into the container
 * @param memoryLimitBytes cgroup memory limit, 0 for none
 * @param cpuQuotaMillis  CPU limit in millicores (CFS quota over a 100 ms period), 0 for none
 * @param cpuShares       CPU request as cgroup shares (1024 per core), 0 for the default
 * @param restartCount    how many times this container was restarted before, for the label
 * @param labels          extra labels
 */
public record ContainerSpec(String nodeName, String podUid, String namespace, String podName, String name, String image,
                            List<String> command, List<String> args, Map<String, String> env, String workingDir,
                            List<Mount> mounts, long memoryLimitBytes, long cpuQuotaMillis, long cpuShares,
                            int restartCount, Map<String, String> labels) {

    /** A host path bound at a container path. */
    public record Mount(String hostPath, String containerPath, boolean readOnly) {
    }
}

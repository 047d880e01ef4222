package io.kubus.agent.runtime;

import java.util.List;
import java.util.Map;

/**
 * The sandbox of one pod.
 *
 * @param nodeName   the node, for the {@link RuntimeLabels#NODE} label
 * @param podUid     the pod's uid
 * @param namespace  the pod's namespace
 * @param podName    the pod's name
 * @param hostname   the pod's hostname
 * @param hostPorts  host ports to publish, as {@code hostPort -> containerPort/protocol}
 * @param labels     extra labels
 */
public record SandboxSpec(String nodeName, String podUid, String namespace, String podName, String hostname,
                          List<PortMapping> hostPorts, Map<String, String> labels) {

    /** A host port published to a container port of the pod. */
    public record PortMapping(int hostPort, int containerPort, String protocol) {
    }
}

package io.kubus.agent.node;

import io.kubus.schema.storage.LocalPath;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddressBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.NodeSystemInfoBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kubus.schema.KubusJson;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The Node object a node agent registers, and the status it reports. */
public final class NodeStatusFactory {
    /**
     * What the node offers and who it is; measured once at start.
     *
     * @param kubeletPort where the agent serves logs and exec (status.daemonEndpoints.kubeletEndpoint.Port), 0: nowhere
     */
    public record Capacity(String cpu, String memory, int pods, String osImage, String kernelVersion,
                           String architecture, int kubeletPort) {

        public Capacity(String cpu, String memory, int pods, String osImage, String kernelVersion, String architecture) {
            this(cpu, memory, pods, osImage, kernelVersion, architecture, 0);
        }

        /** The same node, serving its endpoints on {@code port}. */
        public Capacity withKubeletPort(int port) {
            return new Capacity(cpu, memory, pods, osImage, kernelVersion, architecture, port);
        }

        /** Measured from this host, unless overridden. */
        public static Capacity ofHost(String cpuOverride, String memoryOverride, int pods) {
            String cpu = cpuOverride.isEmpty() ? Integer.toString(Runtime.getRuntime().availableProcessors()) : cpuOverride;
            String memory = memoryOverride.isEmpty() ? hostMemory() : memoryOverride;
            return new Capacity(cpu, memory, pods, NodeStatusFactory.osImage(), System.getProperty("os.version"),
                    NodeStatusFactory.arch());
        }
    }

    private NodeStatusFactory() {
    }

    /** A new Node object: labels kubectl users know, no status (the first heartbeat brings it). */
    /**
     * @param localPathRoot where this node's local-path volumes live ({@link LocalPath#ROOT_ANNOTATION}): the volume
     *                      controller provisions them under it, the scheduler sends claims only to nodes that have one
     */
    public static Node node(String name, String localPathRoot) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("kubernetes.io/hostname", name);
        labels.put("kubernetes.io/os", "linux");
        labels.put("kubernetes.io/arch", arch());
        labels.put("beta.kubernetes.io/os", "linux");
        labels.put("beta.kubernetes.io/arch", arch());
        return new NodeBuilder().withNewMetadata().withName(name).withLabels(labels)
                .addToAnnotations(LocalPath.ROOT_ANNOTATION, localPathRoot).endMetadata()
                .withNewSpec().endSpec().build();
    }

    /** The whole node status at {@code now}: all conditions healthy, heartbeat now, transitions kept from before. */
    public static NodeStatus status(Capacity cap, String hostIp, String hostname, String runtimeVersion,
                                    NodeStatus previous, Instant now) {
        Map<String, Quantity> resources = Map.of("cpu", new Quantity(cap.cpu()), "memory", new Quantity(cap.memory()),
                "pods", new Quantity(Integer.toString(cap.pods())), "ephemeral-storage", new Quantity("20Gi"));
        String heartbeat = now.truncatedTo(ChronoUnit.SECONDS).toString();
        List<NodeCondition> conditions = List.of(
                condition(previous, "MemoryPressure", "False", "KubeletHasSufficientMemory",
                        "kubelet has sufficient memory available", heartbeat),
                condition(previous, "DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure",
                        heartbeat),
                condition(previous, "PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available",
                        heartbeat),
                condition(previous, "Ready", "True", "KubeletReady", "kubelet is posting ready status", heartbeat));
        return new NodeStatusBuilder()
                .withCapacity(resources)
                .withAllocatable(resources)
                .withConditions(conditions)
                .withAddresses(new NodeAddressBuilder().withType("InternalIP").withAddress(hostIp).build(),
                        new NodeAddressBuilder().withType("Hostname").withAddress(hostname).build())
                .withNodeInfo(new NodeSystemInfoBuilder()
                        .withMachineID("").withSystemUUID("").withBootID("")
                        .withKernelVersion(cap.kernelVersion()).withOsImage(cap.osImage())
                        .withContainerRuntimeVersion(runtimeVersion).withKubeletVersion("v1.32.0-kubus")
                        .withKubeProxyVersion("").withOperatingSystem("linux").withArchitecture(cap.architecture())
                        .build())
                .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(cap.kubeletPort()).endKubeletEndpoint()
                .endDaemonEndpoints()
                .build();
    }

    /**
     * Whether {@code status} says anything {@code stored} does not, heartbeat times aside (the kubelet's
     * nodeStatusHasChanged): conditions are compared by type, whatever their order.
     */
    public static boolean changed(NodeStatus stored, NodeStatus status) {
        return !KubusJson.equivalent(withoutHeartbeats(stored), withoutHeartbeats(status));
    }

    private static JsonNode withoutHeartbeats(NodeStatus status) {
        ObjectNode json = KubusJson.json().valueToTree(status);
        List<JsonNode> conditions = new ArrayList<>();
        json.path("conditions").forEach(conditions::add);
        conditions.sort(Comparator.comparing(c -> c.path("type").asText()));
        ArrayNode sorted = json.putArray("conditions");
        for (JsonNode c : conditions) {
            sorted.add(((ObjectNode) c).without("lastHeartbeatTime"));
        }
        return json;
    }

    private static NodeCondition condition(NodeStatus previous, String type, String status, String reason,
                                           String message, String heartbeat) {
        String since = heartbeat;
        if (previous != null && previous.getConditions() != null) {
            for (NodeCondition c : previous.getConditions()) {
                if (type.equals(c.getType()) && status.equals(c.getStatus()) && c.getLastTransitionTime() != null) {
                    since = c.getLastTransitionTime();
                }
            }
        }
        return new NodeConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastHeartbeatTime(heartbeat).withLastTransitionTime(since).build();
    }

    private static String hostMemory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return line.replaceAll("\\D", "") + "Ki";
                }
            }
        } catch (IOException e) {
            // not Linux: fall through
        }
        return Long.toString(Runtime.getRuntime().maxMemory());
    }

    private static String osImage() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) {
                    return line.substring("PRETTY_NAME=".length()).replace("\"", "");
                }
            }
        } catch (IOException e) {
            // unknown distribution
        }
        return System.getProperty("os.name");
    }

    private static String arch() {
        String a = System.getProperty("os.arch");
        return a.equals("x86_64") ? "amd64" : a.equals("aarch64") ? "arm64" : a;
    }
}

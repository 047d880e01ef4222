package io.kubus.scheduler.framework;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kubus.schema.quantity.ResourceAmounts;
import io.kubus.schema.quantity.ResourceQuantity;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The scheduler's view of one node: the Node, the pods on it (bound, or assumed by this scheduler and not yet seen
 * back), and what they request. Immutable: adding a pod gives a new NodeInfo.
 */
public final class NodeInfo {
    private final Node node;
    private final List<Pod> pods;
    private final ResourceAmounts requested;
    private final Set<String> hostPorts;
    /** Parsed once per node: every filter and score of every pod reads it. */
    private final ResourceAmounts allocatable;
    /** cpu and memory requested, counting a pod without a request as kube-scheduler's scoring defaults. */
    private final long nonZeroCpuMillis;
    private final long nonZeroMemoryBytes;

    /** What scoring assumes a pod without a cpu or memory request uses (kube-scheduler's non-zero defaults). */
    public static final long DEFAULT_CPU_MILLIS = 100;
    public static final long DEFAULT_MEMORY_BYTES = 200L * 1024 * 1024;

    private NodeInfo(Node node, List<Pod> pods, ResourceAmounts requested, Set<String> hostPorts,
                     ResourceAmounts allocatable, long nonZeroCpuMillis, long nonZeroMemoryBytes) {
        this.node = node;
        this.pods = pods;
        this.requested = requested;
        this.hostPorts = hostPorts;
        this.allocatable = allocatable;
        this.nonZeroCpuMillis = nonZeroCpuMillis;
        this.nonZeroMemoryBytes = nonZeroMemoryBytes;
    }

    public long nonZeroCpuMillis() {
        return nonZeroCpuMillis;
    }

    public long nonZeroMemoryBytes() {
        return nonZeroMemoryBytes;
    }

    /** A pod's cpu request in millicores, or the scoring default when it has none. */
    public static long nonZeroCpu(ResourceAmounts requests) {
        long m = requests.get("cpu").milliValue();
        return m == 0 ? DEFAULT_CPU_MILLIS : m;
    }

    /** A pod's memory request in bytes, or the scoring default when it has none. */
    public static long nonZeroMemory(ResourceAmounts requests) {
        long b = requests.get("memory").longValueCeil();
        return b == 0 ? DEFAULT_MEMORY_BYTES : b;
    }

    public static NodeInfo of(Node node, List<Pod> pods) {
        NodeInfo info = new NodeInfo(node, List.of(), ResourceAmounts.empty(), Set.of(), allocatableOf(node), 0, 0);
        for (Pod p : pods) {
            info = info.withPod(p);
        }
        return info;
    }

    public Node node() {
        return node;
    }

    public String name() {
        return node.getMetadata().getName();
    }

    public List<Pod> pods() {
        return pods;
    }

    /** The sum of the requests of the pods on the node, plus {@code pods} = their count. */
    public ResourceAmounts requested() {
        return requested;
    }

    /** status.allocatable, or capacity when allocatable is absent. */
    public ResourceAmounts allocatable() {
        return allocatable;
    }

    private static ResourceAmounts allocatableOf(Node node) {
        Map<String, Quantity> a = node.getStatus() == null ? null : node.getStatus().getAllocatable();
        if (a == null || a.isEmpty()) {
            a = node.getStatus() == null ? null : node.getStatus().getCapacity();
        }
        return a == null ? ResourceAmounts.empty() : ResourceAmounts.of(a);
    }

    /** Host ports in use, as {@code protocol/hostIP/port} (hostIP "0.0.0.0" when unset). */
    public Set<String> usedHostPorts() {
        return hostPorts;
    }

    public NodeInfo withPod(Pod pod) {
        List<Pod> ps = new ArrayList<>(pods);
        ps.add(pod);
        Set<String> ports = new HashSet<>(hostPorts);
        ports.addAll(hostPortsOf(pod));
        ResourceAmounts podRequests = requestsOf(pod);
        return new NodeInfo(node, Collections.unmodifiableList(ps),
                requested.plus(podRequests).plus(ResourceAmounts.empty().with("pods", ResourceQuantity.ofLong(1))),
                Collections.unmodifiableSet(ports), allocatable, nonZeroCpuMillis + nonZeroCpu(podRequests),
                nonZeroMemoryBytes + nonZeroMemory(podRequests));
    }

    /**
     * What a pod asks a node for: the sum of its containers' requests, or the largest init container's request when
     * that is larger, per resource (the kubelet's effective request), as kube-scheduler's resource fit computes it.
     */
    public static ResourceAmounts requestsOf(Pod pod) {
        ResourceAmounts sum = ResourceAmounts.empty();
        for (Container c : pod.getSpec().getContainers()) {
            sum = sum.plus(requestsOf(c));
        }
        for (Container c : Objects.requireNonNullElse(pod.getSpec().getInitContainers(), List.<Container>of())) {
            ResourceAmounts init = requestsOf(c);
            for (String r : init.asMap().keySet()) {
                if (init.get(r).compareTo(sum.get(r)) > 0) {
                    sum = sum.with(r, init.get(r));
                }
            }
        }
        return sum;
    }

    private static ResourceAmounts requestsOf(Container c) {
        if (c.getResources() == null) {
            return ResourceAmounts.empty();
        }
        Map<String, Quantity> req = c.getResources().getRequests();
        if (req == null || req.isEmpty()) {
            // A container with limits only requests its limits (the API server defaults it so; be safe here too).
            req = c.getResources().getLimits();
        }
        return req == null ? ResourceAmounts.empty() : ResourceAmounts.of(req);
    }

    public static boolean hasRequiredAntiAffinity(Pod pod) {
        var affinity = pod.getSpec().getAffinity();
        return affinity != null && affinity.getPodAntiAffinity() != null
                && affinity.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() != null
                && !affinity.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().isEmpty();
    }

    public static Set<String> hostPortsOf(Pod pod) {
        Set<String> ports = new HashSet<>();
        for (Container c : pod.getSpec().getContainers()) {
            for (ContainerPort p : Objects.requireNonNullElse(c.getPorts(), List.<ContainerPort>of())) {
                if (p.getHostPort() != null && p.getHostPort() > 0) {
                    ports.add(Objects.requireNonNullElse(p.getProtocol(), "TCP") + "/"
                            + Objects.requireNonNullElse(p.getHostIP(), "0.0.0.0") + "/" + p.getHostPort());
                }
            }
        }
        return ports;
    }
}

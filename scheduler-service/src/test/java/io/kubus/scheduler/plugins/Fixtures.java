package io.kubus.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kubus.scheduler.framework.ClusterView;
import io.kubus.scheduler.framework.NodeInfo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** fabric8 Nodes and Pods for plugin tests. */
public final class Fixtures {
    private Fixtures() {
    }

    /** A Ready node labelled kubernetes.io/hostname=name with the given allocatable cpu, memory and pod count. */
    public static NodeBuilder nodeBuilder(String name, String cpu, String memory, int pods) {
        return new NodeBuilder()
                .withNewMetadata().withName(name).addToLabels("kubernetes.io/hostname", name).endMetadata()
                .withNewSpec().endSpec()
                .withNewStatus()
                .addToAllocatable("cpu", new Quantity(cpu))
                .addToAllocatable("memory", new Quantity(memory))
                .addToAllocatable("pods", new Quantity(String.valueOf(pods)))
                .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .endStatus();
    }

    public static Node node(String name) {
        return nodeBuilder(name, "4", "8Gi", 110).build();
    }

    public static Node node(String name, String cpu, String memory) {
        return nodeBuilder(name, cpu, memory, 110).build();
    }

    /** A pod with one container requesting cpu and memory (either may be null). */
    public static PodBuilder podBuilder(String name, String cpu, String memory) {
        Map<String, Quantity> req = new HashMap<>();
        if (cpu != null) {
            req.put("cpu", new Quantity(cpu));
        }
        if (memory != null) {
            req.put("memory", new Quantity(memory));
        }
        return new PodBuilder()
                .withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec()
                .addNewContainer().withName("c").withImage("busybox")
                .withNewResources().withRequests(req).endResources()
                .endContainer()
                .endSpec();
    }

    public static Pod pod(String name) {
        return podBuilder(name, null, null).build();
    }

    public static Pod pod(String name, String cpu, String memory) {
        return podBuilder(name, cpu, memory).build();
    }

    public static Pod ownedPod(String name, String ownerUid) {
        return podBuilder(name, "100m", "64Mi").editMetadata()
                .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName("rs")
                .withUid(ownerUid).withController(true).endOwnerReference()
                .addToLabels("app", "web")
                .endMetadata().build();
    }

    public static NodeInfo info(Node node, Pod... pods) {
        return NodeInfo.of(node, Arrays.asList(pods));
    }

    /** A mutable cluster view: replace a node's info as pods are added. */
    public static final class Cluster implements ClusterView {
        private final List<NodeInfo> nodes;

        public Cluster(NodeInfo... nodes) {
            this.nodes = new ArrayList<>(Arrays.asList(nodes));
        }

        public Cluster(List<NodeInfo> nodes) {
            this.nodes = new ArrayList<>(nodes);
        }

        @Override
        public List<NodeInfo> nodes() {
            return nodes;
        }

        public NodeInfo get(String name) {
            return nodes.stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
        }

        public void bind(Pod pod, String nodeName) {
            for (int i = 0; i < nodes.size(); i++) {
                if (nodes.get(i).name().equals(nodeName)) {
                    nodes.set(i, nodes.get(i).withPod(pod));
                    return;
                }
            }
            throw new IllegalArgumentException(nodeName);
        }
    }
}

package io.kubus.scheduler;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.scheduler.framework.ClusterView;
import io.kubus.scheduler.framework.NodeInfo;
import io.kubus.scheduler.framework.VolumeView;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the scheduler knows of the cluster: every node with the pods bound to it, plus the pods it has bound itself and
 * not yet seen back in the stream (assumed), so a burst of decisions never counts a node's room twice. Kept up to
 * date by the informers' events; read under the same lock by the scheduling loop.
 */
final class SchedulingCache implements ClusterView {
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    /** Pods on each node, by pod key, from the informer (bound) or from our own decisions (assumed). */
    private final Map<String, Map<String, Pod>> podsByNode = new HashMap<>();
    private final Map<String, String> nodeOfPod = new HashMap<>();
    private final Map<String, NodeInfo> infos = new HashMap<>();
    /** Placed pods with required anti-affinity, kept so that the check of existing pods runs only when needed. */
    private final java.util.Set<String> antiAffinityPods = new java.util.HashSet<>();

    private volatile VolumeView volumes = VolumeView.NONE;

    /** Where claims, volumes and storage classes are looked up (the scheduler's informers). */
    void useVolumes(VolumeView view) {
        this.volumes = view;
    }

    @Override
    public VolumeView volumes() {
        return volumes;
    }

    @Override
    public synchronized boolean anyRequiredAntiAffinity() {
        return !antiAffinityPods.isEmpty();
    }

    synchronized void upsertNode(Node node) {
        nodes.put(node.getMetadata().getName(), node);
        infos.remove(node.getMetadata().getName());
    }

    synchronized void removeNode(String name) {
        nodes.remove(name);
        infos.remove(name);
    }

    /** A pod the stream shows bound to a node (replaces an assumption for the same pod). */
    synchronized void upsertBoundPod(String key, Pod pod) {
        place(key, pod.getSpec().getNodeName(), pod);
    }

    /** The scheduler's own decision, until the stream shows the binding. */
    synchronized void assume(String key, Pod pod, String node) {
        place(key, node, pod);
    }

    synchronized void forget(String key) {
        antiAffinityPods.remove(key);
        String node = nodeOfPod.remove(key);
        if (node != null) {
            Map<String, Pod> pods = podsByNode.get(node);
            if (pods != null) {
                pods.remove(key);
            }
            infos.remove(node);
        }
    }

    synchronized boolean isPlaced(String key) {
        return nodeOfPod.containsKey(key);
    }

    private void place(String key, String node, Pod pod) {
        if (NodeInfo.hasRequiredAntiAffinity(pod)) {
            antiAffinityPods.add(key);
        } else {
            antiAffinityPods.remove(key);
        }
        String old = nodeOfPod.put(key, node);
        if (old != null && !old.equals(node)) {
            Map<String, Pod> pods = podsByNode.get(old);
            if (pods != null) {
                pods.remove(key);
            }
            infos.remove(old);
        }
        podsByNode.computeIfAbsent(node, n -> new LinkedHashMap<>()).put(key, pod);
        NodeInfo info = infos.get(node);
        if (info != null && old == null) {
            infos.put(node, info.withPod(pod)); // adding is cheap on the immutable NodeInfo
        } else {
            infos.remove(node); // a replaced pod means a rebuild when next read
        }
    }

    @Override
    public synchronized Collection<NodeInfo> nodes() {
        List<NodeInfo> all = new ArrayList<>(nodes.size());
        for (Node n : nodes.values()) {
            all.add(info(n.getMetadata().getName()));
        }
        return all;
    }

    private NodeInfo info(String name) {
        NodeInfo info = infos.get(name);
        if (info == null) {
            info = NodeInfo.of(nodes.get(name), List.copyOf(podsByNode.getOrDefault(name, Map.of()).values()));
            infos.put(name, info);
        }
        return info;
    }

    synchronized int nodeCount() {
        return nodes.size();
    }
}

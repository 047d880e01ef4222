package io.kubus.gateway.auth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.store.ObjectList;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.watch.StoreFollower;
import io.kubus.gateway.watch.WatchCache;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.event.WatchEventType;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which objects the pods bound to each node use, kept in memory from the pods' list and watch, as kube-apiserver's
 * Node authorizer keeps its graph from informers: a node agent's request for a Secret, ConfigMap, claim or
 * ServiceAccount token is answered by a lookup, where reading the namespace's pods for each request cost time in
 * proportion to the pods (finished ones too) on every pod start and volume refresh.
 *
 * <p>The graph follows the change stream, so it may lag a write by moments; {@link NodeAuthorizer} checks a miss in
 * the store before it denies.
 */
@Context
@Requires(env = GatewayApplication.ENVIRONMENT)
public class NodeGraph implements StoreFollower.View, AutoCloseable {
    /** The node and the references of each bound pod, by "namespace/name". */
    private final Map<String, Edges> pods = new HashMap<>();
    /** Per node, how many of its pods use each reference ("namespace|kind/name"). */
    private final Map<String, Map<String, Integer>> byNode = new HashMap<>();
    private final StoreFollower follower;

    public NodeGraph(ObjectStore store, WatchCache watchCache) {
        this.follower = new StoreFollower("node-graph", List.of(ResourceTypes.PODS), store, watchCache, this);
    }

    /** Whether a pod bound to a node the identity covers, in the namespace, uses the object ({@code kind/name}). */
    public synchronized boolean related(NodeAuthorizer.Nodes node, String namespace, String reference) {
        String ref = namespace + "|" + reference;
        if (!node.pool()) {
            return byNode.getOrDefault(node.name(), Map.of()).containsKey(ref);
        }
        return byNode.entrySet().stream().anyMatch(e -> node.covers(e.getKey()) && e.getValue().containsKey(ref));
    }

    /** Whether the graph holds the pod (bound, and not seen deleted). */
    synchronized boolean holds(String namespace, String name) {
        return pods.containsKey(namespace + "/" + name);
    }

    @Override
    public synchronized void replace(ResourceType type, ObjectList list) {
        pods.clear();
        byNode.clear();
        list.items().forEach(this::put);
    }

    @Override
    public synchronized void apply(ResourceType type, WatchEventType change, ObjectNode pod) {
        remove(key(pod));
        if (change != WatchEventType.DELETED) {
            put(pod);
        }
    }

    private void put(ObjectNode pod) {
        String node = pod.path("spec").path("nodeName").asText("");
        if (node.isEmpty()) {
            return;
        }
        String namespace = pod.path("metadata").path("namespace").asText();
        Edges edges = new Edges(node, NodeAuthorizer.references(pod).stream().map(r -> namespace + "|" + r)
                .collect(java.util.stream.Collectors.toUnmodifiableSet()));
        pods.put(key(pod), edges);
        Map<String, Integer> refs = byNode.computeIfAbsent(node, n -> new HashMap<>());
        edges.refs.forEach(r -> refs.merge(r, 1, Integer::sum));
    }

    private void remove(String key) {
        Edges old = pods.remove(key);
        if (old == null) {
            return;
        }
        Map<String, Integer> refs = byNode.get(old.node);
        old.refs.forEach(r -> refs.computeIfPresent(r, (k, n) -> n == 1 ? null : n - 1));
        if (refs.isEmpty()) {
            byNode.remove(old.node);
        }
    }

    private static String key(ObjectNode pod) {
        return pod.path("metadata").path("namespace").asText() + "/" + pod.path("metadata").path("name").asText();
    }

    private record Edges(String node, Set<String> refs) {
    }

    @PreDestroy
    @Override
    public void close() {
        follower.close();
    }
}

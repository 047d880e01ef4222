package io.kubus.controllers.nodelifecycle;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.client.informer.Informer;
import io.kubus.client.informer.ResourceEventHandler;
import io.kubus.client.informer.SharedInformers;
import io.kubus.controllers.ControllersApplication;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pods bound to each node, from the shared pod informer (client-go's spec.nodeName index): the node controllers
 * look at one node's pods on every heartbeat, which a scan of every pod would make cost pods × nodes.
 *
 * <p>Its handler is on the pod informer before those of the controllers that take it in their constructors, so
 * the index already holds a pod when a controller is told about it.
 */
@Singleton
@Requires(env = ControllersApplication.ENVIRONMENT)
public class PodsByNode {
    private final Informer<Pod> pods;
    private final Map<String, Set<String>> keysByNode = new ConcurrentHashMap<>();

    public PodsByNode(SharedInformers informers) {
        this.pods = informers.informer(ResourceTypes.PODS, Pod.class);
        pods.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                add(pod);
            }

            @Override
            public void onUpdate(Pod old, Pod now) {
                // spec.nodeName is set once (binding), but a pod deleted and made again under the same key may move;
                // a pod that stays is never taken out, not even for a moment a worker could see
                if (!Objects.equals(nodeName(old), nodeName(now))) {
                    remove(old);
                }
                add(now);
            }

            @Override
            public void onDelete(Pod last) {
                remove(last);
            }
        });
    }

    /** The cached pods bound to {@code node}. */
    public List<Pod> on(String node) {
        Set<String> keys = keysByNode.get(node);
        if (keys == null) {
            return List.of();
        }
        List<Pod> result = new ArrayList<>(keys.size());
        for (String key : keys) {
            pods.get(key).filter(p -> node.equals(nodeName(p))).ifPresent(result::add);
        }
        return result;
    }

    private void add(Pod pod) {
        String node = nodeName(pod);
        if (node != null) {
            keysByNode.computeIfAbsent(node, n -> ConcurrentHashMap.newKeySet()).add(Informer.keyOf(pod));
        }
    }

    private void remove(Pod pod) {
        String node = nodeName(pod);
        if (node != null) {
            keysByNode.computeIfPresent(node, (n, keys) -> {
                keys.remove(Informer.keyOf(pod));
                return keys.isEmpty() ? null : keys;
            });
        }
    }

    static String nodeName(Pod pod) {
        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        return node == null || node.isEmpty() ? null : node;
    }
}

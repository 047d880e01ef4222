package io.kubus.controllers.garbagecollector;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ObjectKeyTest {
    @Test
    void keysCarryTheKindAndParseBack() {
        ObjectKey pod = new ObjectKey(ResourceTypes.PODS, "web", "web-1");
        ObjectKey node = new ObjectKey(ResourceTypes.NODES, "", "n1");
        assertEquals("pods/web/web-1", pod.toString());
        assertEquals("nodes/n1", node.toString());
        assertEquals(Optional.of(pod), ObjectKey.parse("pods/web/web-1"));
        assertEquals(Optional.of(node), ObjectKey.parse("nodes/n1"));
        assertEquals(Optional.of(new ObjectKey(ResourceTypes.REPLICASETS, "a", "b")), ObjectKey.parse("replicasets/a/b"));
        for (String bad : List.of("pods/only-a-name", "nodes/ns/name", "widgets/a/b", "pods")) {
            assertEquals(Optional.empty(), ObjectKey.parse(bad), bad);
        }
    }

    @Test
    void ownersResolveInTheDependentsNamespaceOrInNoneForClusterScopedKinds() {
        ObjectKey pod = new ObjectKey(ResourceTypes.PODS, "web", "web-1");
        assertEquals(Optional.of(new ObjectKey(ResourceTypes.REPLICASETS, "web", "rs")), pod.owner(ref("apps/v1", "ReplicaSet", "rs")));
        assertEquals(Optional.of(new ObjectKey(ResourceTypes.NODES, "", "n1")), pod.owner(ref("v1", "Node", "n1")));
        // Unresolvable references: a kind (or version) Kubus does not serve, a namespaced owner of a cluster-scoped object.
        assertEquals(Optional.empty(), pod.owner(ref("example.com/v1", "Widget", "w")));
        assertEquals(Optional.empty(), pod.owner(ref("apps/v1beta2", "ReplicaSet", "rs")));
        assertEquals(Optional.empty(), new ObjectKey(ResourceTypes.NODES, "", "n1").owner(ref("v1", "ConfigMap", "c")));
    }

    @Test
    void anOwnerNamedInAnyServedVersionIsItsStoredObject() {
        ObjectKey pod = new ObjectKey(ResourceTypes.PODS, "web", "web-1");
        ObjectKey hpa = new ObjectKey(ResourceTypes.HORIZONTALPODAUTOSCALERS, "web", "h");
        assertEquals(Optional.of(hpa), pod.owner(ref("autoscaling/v1", "HorizontalPodAutoscaler", "h")));
        assertEquals(Optional.of(hpa), pod.owner(ref("autoscaling/v2", "HorizontalPodAutoscaler", "h")));
        assertEquals(Optional.of(new ObjectKey(ResourceTypes.EVENTS, "web", "e")), pod.owner(ref("events.k8s.io/v1", "Event", "e")));
        assertEquals(Optional.of(hpa), ObjectKey.parse("horizontalpodautoscalers/web/h"));
    }

    private static OwnerReference ref(String apiVersion, String kind, String name) {
        return new OwnerReferenceBuilder().withApiVersion(apiVersion).withKind(kind).withName(name).withUid("u").build();
    }
}

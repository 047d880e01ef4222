package io.kubus.controllers.garbagecollector;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.kubus.client.api.KubusApi;
import io.kubus.client.informer.CustomKinds;
import io.kubus.client.kafka.KafkaClientConfig;
import io.kubus.gateway.testing.TestPki;
import io.kubus.client.informer.SharedInformers;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ObjectKeyTest {
    /** The built-in kinds only: the informers never start, so no definition is served (nothing connects). */
    private final CustomKinds kinds = new CustomKinds(new SharedInformers(
            new KubusApi(TestPki.clientConfig("https://127.0.0.1:1", TestPki.admin())),
            KafkaClientConfig.plaintext("127.0.0.1:1"), "test"));
    @Test
    void keysCarryTheKindAndParseBack() {
        ObjectKey pod = new ObjectKey(ResourceTypes.PODS, "web", "web-1");
        ObjectKey node = new ObjectKey(ResourceTypes.NODES, "", "n1");
        assertEquals("pods/web/web-1", pod.toString());
        assertEquals("nodes/n1", node.toString());
        assertEquals("replicasets.apps/a/b", new ObjectKey(ResourceTypes.REPLICASETS, "a", "b").toString(),
                "qualified by the group: custom kinds of two groups may share a plural");
        assertEquals(Optional.of(pod), ObjectKey.parse("pods/web/web-1", kinds));
        assertEquals(Optional.of(node), ObjectKey.parse("nodes/n1", kinds));
        assertEquals(Optional.of(new ObjectKey(ResourceTypes.REPLICASETS, "a", "b")), ObjectKey.parse("replicasets.apps/a/b", kinds));
        for (String bad : List.of("pods/only-a-name", "nodes/ns/name", "widgets.example.com/a/b", "replicasets/a/b", "pods")) {
            assertEquals(Optional.empty(), ObjectKey.parse(bad, kinds), bad);
        }
    }

    @Test
    void ownersResolveInTheDependentsNamespaceOrInNoneForClusterScopedKinds() {
        ObjectKey pod = new ObjectKey(ResourceTypes.PODS, "web", "web-1");
        assertEquals(Optional.of(new ObjectKey(ResourceTypes.REPLICASETS, "web", "rs")), pod.owner(ref("apps/v1", "ReplicaSet", "rs"), kinds));
        assertEquals(Optional.of(new ObjectKey(ResourceTypes.NODES, "", "n1")), pod.owner(ref("v1", "Node", "n1"), kinds));
        // Unresolvable references: a kind (or version) Kubus does not serve, a namespaced owner of a cluster-scoped object.
        assertEquals(Optional.empty(), pod.owner(ref("example.com/v1", "Widget", "w"), kinds));
        assertEquals(Optional.empty(), pod.owner(ref("apps/v1beta2", "ReplicaSet", "rs"), kinds));
        assertEquals(Optional.empty(), new ObjectKey(ResourceTypes.NODES, "", "n1").owner(ref("v1", "ConfigMap", "c"), kinds));
    }

    @Test
    void anOwnerNamedInAnyServedVersionIsItsStoredObject() {
        ObjectKey pod = new ObjectKey(ResourceTypes.PODS, "web", "web-1");
        ObjectKey hpa = new ObjectKey(ResourceTypes.HORIZONTALPODAUTOSCALERS, "web", "h");
        assertEquals(Optional.of(hpa), pod.owner(ref("autoscaling/v1", "HorizontalPodAutoscaler", "h"), kinds));
        assertEquals(Optional.of(hpa), pod.owner(ref("autoscaling/v2", "HorizontalPodAutoscaler", "h"), kinds));
        assertEquals(Optional.of(new ObjectKey(ResourceTypes.EVENTS, "web", "e")), pod.owner(ref("events.k8s.io/v1", "Event", "e"), kinds));
        assertEquals(Optional.of(hpa), ObjectKey.parse("horizontalpodautoscalers.autoscaling/web/h", kinds));
    }

    private static OwnerReference ref(String apiVersion, String kind, String name) {
        return new OwnerReferenceBuilder().withApiVersion(apiVersion).withKind(kind).withName(name).withUid("u").build();
    }
}

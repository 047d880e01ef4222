package io.kubus.gateway.protobuf;

import io.kubernetes.client.proto.IntStr.IntOrString;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.V1Policy;
import io.kubernetes.client.proto.V1beta1Policy;
import org.junit.jupiter.api.Test;

import static io.kubus.gateway.protobuf.KubernetesProtobufTest.assertJson;
import static io.kubus.gateway.protobuf.KubernetesProtobufTest.envelope;
import static io.kubus.gateway.protobuf.KubernetesProtobufTest.meta;

/**
 * policy/v1 bodies as kubectl's typed clients send them: a PodDisruptionBudget from {@code kubectl create pdb}
 * (whose budgets are Go pointers, so a zero is kept), and Evictions of both versions the eviction subresource takes.
 */
class PolicyProtobufTest {
    private final KubernetesProtobuf protobuf = new KubernetesProtobuf();

    @Test
    void podDisruptionBudgetKeepsAZeroBudget() {
        V1Policy.PodDisruptionBudget pdb = V1Policy.PodDisruptionBudget.newBuilder().setMetadata(meta("web", ""))
                .setSpec(V1Policy.PodDisruptionBudgetSpec.newBuilder()
                        .setMaxUnavailable(IntOrString.newBuilder().setType(0).setIntVal(0).setStrVal(""))
                        .setSelector(Meta.LabelSelector.newBuilder().putMatchLabels("app", "web")))
                .setStatus(V1Policy.PodDisruptionBudgetStatus.newBuilder().setObservedGeneration(0)
                        .setDisruptionsAllowed(0).setCurrentHealthy(0).setDesiredHealthy(0).setExpectedPods(0))
                .build();
        assertJson("""
                {"kind":"PodDisruptionBudget","apiVersion":"policy/v1",
                 "metadata":{"name":"web","creationTimestamp":null},
                 "spec":{"maxUnavailable":0,"selector":{"matchLabels":{"app":"web"}}},"status":{}}""",
                protobuf.decode(envelope("policy/v1", "PodDisruptionBudget", pdb)));
    }

    @Test
    void evictionsOfBothVersions() {
        Meta.DeleteOptions options = Meta.DeleteOptions.newBuilder().setGracePeriodSeconds(0).build();
        V1Policy.Eviction v1 = V1Policy.Eviction.newBuilder().setMetadata(meta("web-1", "default"))
                .setDeleteOptions(options).build();
        assertJson("""
                {"kind":"Eviction","apiVersion":"policy/v1",
                 "metadata":{"name":"web-1","namespace":"default","creationTimestamp":null},
                 "deleteOptions":{"gracePeriodSeconds":0}}""", protobuf.decode(envelope("policy/v1", "Eviction", v1)));
        V1beta1Policy.Eviction v1beta1 = V1beta1Policy.Eviction.newBuilder().setMetadata(meta("web-1", "default"))
                .build();
        assertJson("""
                {"kind":"Eviction","apiVersion":"policy/v1beta1",
                 "metadata":{"name":"web-1","namespace":"default","creationTimestamp":null}}""",
                protobuf.decode(envelope("policy/v1beta1", "Eviction", v1beta1)));
    }
}

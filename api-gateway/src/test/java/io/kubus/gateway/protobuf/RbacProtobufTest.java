package io.kubus.gateway.protobuf;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.V1;
import io.kubernetes.client.proto.V1Rbac;
import io.kubus.schema.KubusJson;
import org.junit.jupiter.api.Test;

import static io.kubus.gateway.protobuf.KubernetesProtobufTest.envelope;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * ServiceAccounts and RBAC objects as kubectl's typed creates send them (Go's generated code writes every non-pointer
 * field, so empty strings travel), decoded to the JSON kube-apiserver would show.
 */
class RbacProtobufTest {
    private final KubernetesProtobuf protobuf = new KubernetesProtobuf();

    private static Meta.ObjectMeta meta(String name, String namespace) {
        return Meta.ObjectMeta.newBuilder().setName(name).setGenerateName("").setNamespace(namespace).setSelfLink("")
                .setUid("").setResourceVersion("").setGeneration(0).setCreationTimestamp(Meta.Time.getDefaultInstance())
                .build();
    }

    private static void assertJson(String expected, JsonNode actual) throws Exception {
        assertEquals(KubusJson.json().readTree(expected), actual);
    }

    @Test
    void roleKeepsTheCoreGroupAsAnEmptyString() throws Exception {
        V1Rbac.Role role = V1Rbac.Role.newBuilder().setMetadata(meta("pod-reader", "default"))
                .addRules(V1Rbac.PolicyRule.newBuilder().addApiGroups("").addResources("pods").addVerbs("get").addVerbs("list"))
                .build();
        assertJson("""
                {"kind":"Role","apiVersion":"rbac.authorization.k8s.io/v1",
                 "metadata":{"name":"pod-reader","namespace":"default","creationTimestamp":null},
                 "rules":[{"verbs":["get","list"],"apiGroups":[""],"resources":["pods"]}]}""",
                protobuf.decode(envelope("rbac.authorization.k8s.io/v1", "Role", role)));
    }

    @Test
    void clusterRoleWithAnAggregationRuleAndNoRules() throws Exception {
        V1Rbac.ClusterRole role = V1Rbac.ClusterRole.newBuilder().setMetadata(meta("monitoring", ""))
                .setAggregationRule(V1Rbac.AggregationRule.newBuilder().addClusterRoleSelectors(Meta.LabelSelector
                        .newBuilder().putMatchLabels("rbac.example.com/aggregate-to-monitoring", "true")))
                .build();
        assertJson("""
                {"kind":"ClusterRole","apiVersion":"rbac.authorization.k8s.io/v1",
                 "metadata":{"name":"monitoring","creationTimestamp":null},
                 "aggregationRule":{"clusterRoleSelectors":[{"matchLabels":{"rbac.example.com/aggregate-to-monitoring":"true"}}]}}""",
                protobuf.decode(envelope("rbac.authorization.k8s.io/v1", "ClusterRole", role)));
    }

    @Test
    void bindingSubjectsDropTheirZeroStrings() throws Exception {
        V1Rbac.RoleBinding binding = V1Rbac.RoleBinding.newBuilder().setMetadata(meta("read-pods", "default"))
                .addSubjects(V1Rbac.Subject.newBuilder().setKind("ServiceAccount").setApiGroup("").setName("builder")
                        .setNamespace("default"))
                .addSubjects(V1Rbac.Subject.newBuilder().setKind("User").setApiGroup("rbac.authorization.k8s.io")
                        .setName("jane").setNamespace(""))
                .setRoleRef(V1Rbac.RoleRef.newBuilder().setApiGroup("rbac.authorization.k8s.io").setKind("Role")
                        .setName("pod-reader"))
                .build();
        assertJson("""
                {"kind":"RoleBinding","apiVersion":"rbac.authorization.k8s.io/v1",
                 "metadata":{"name":"read-pods","namespace":"default","creationTimestamp":null},
                 "subjects":[{"kind":"ServiceAccount","name":"builder","namespace":"default"},
                             {"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"jane"}],
                 "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"pod-reader"}}""",
                protobuf.decode(envelope("rbac.authorization.k8s.io/v1", "RoleBinding", binding)));
    }

    @Test
    void serviceAccountKeepsAFalseAutomount() throws Exception {
        V1.ServiceAccount sa = V1.ServiceAccount.newBuilder().setMetadata(meta("builder", "default"))
                .addSecrets(V1.ObjectReference.newBuilder().setName("token").setNamespace("").setKind(""))
                .addImagePullSecrets(V1.LocalObjectReference.newBuilder().setName("registry"))
                .setAutomountServiceAccountToken(false)
                .build();
        assertJson("""
                {"kind":"ServiceAccount","apiVersion":"v1",
                 "metadata":{"name":"builder","namespace":"default","creationTimestamp":null},
                 "secrets":[{"name":"token"}],"imagePullSecrets":[{"name":"registry"}],
                 "automountServiceAccountToken":false}""",
                protobuf.decode(envelope("v1", "ServiceAccount", sa)));
    }
}

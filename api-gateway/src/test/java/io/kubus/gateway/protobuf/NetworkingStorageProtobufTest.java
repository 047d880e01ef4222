package io.kubus.gateway.protobuf;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Message;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Meta.ObjectMeta;
import io.kubernetes.client.proto.V1Networking;
import io.kubernetes.client.proto.V1Storage;
import io.kubus.schema.KubusJson;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * networking.k8s.io/v1 and storage.k8s.io/v1 bodies as Go's generated code writes them (what {@code kubectl create
 * ingress} sends), decoded to the JSON kube-apiserver would show: the inline IngressRuleValue, the pointer fields'
 * zeros, and apiGroup, whose proto name is aPIGroup.
 */
class NetworkingStorageProtobufTest {
    private final KubernetesProtobuf protobuf = new KubernetesProtobuf();

    @Test
    void ingressAsKubectlCreateIngressSendsIt() {
        V1Networking.HTTPIngressPath path = V1Networking.HTTPIngressPath.newBuilder().setPath("/bar").setPathType("Exact")
                .setBackend(V1Networking.IngressBackend.newBuilder().setService(V1Networking.IngressServiceBackend.newBuilder()
                        .setName("svc1").setPort(V1Networking.ServiceBackendPort.newBuilder().setName("").setNumber(8080))))
                .build();
        V1Networking.Ingress ingress = V1Networking.Ingress.newBuilder().setMetadata(meta("web", "default"))
                .setSpec(V1Networking.IngressSpec.newBuilder()
                        .addRules(V1Networking.IngressRule.newBuilder().setHost("foo.com")
                                .setIngressRuleValue(V1Networking.IngressRuleValue.newBuilder()
                                        .setHttp(V1Networking.HTTPIngressRuleValue.newBuilder().addPaths(path)))))
                .setStatus(V1Networking.IngressStatus.newBuilder().setLoadBalancer(V1Networking.IngressLoadBalancerStatus.getDefaultInstance()))
                .build();
        assertJson("""
                {"kind":"Ingress","apiVersion":"networking.k8s.io/v1",
                 "metadata":{"name":"web","namespace":"default","creationTimestamp":null},
                 "spec":{"rules":[{"host":"foo.com","http":{"paths":[{"path":"/bar","pathType":"Exact",
                   "backend":{"service":{"name":"svc1","port":{"number":8080}}}}]}}]},
                 "status":{"loadBalancer":{}}}""", decode("networking.k8s.io/v1", "Ingress", ingress));
    }

    @Test
    void ingressClassParametersKeepTheirJsonNames() {
        V1Networking.IngressClass ingressClass = V1Networking.IngressClass.newBuilder().setMetadata(meta("nginx", ""))
                .setSpec(V1Networking.IngressClassSpec.newBuilder().setController("k8s.io/ingress-nginx")
                        .setParameters(V1Networking.IngressClassParametersReference.newBuilder().setAPIGroup("k8s.example.com")
                                .setKind("IngressParameters").setName("lb").setScope("Namespace").setNamespace("")))
                .build();
        assertJson("""
                {"kind":"IngressClass","apiVersion":"networking.k8s.io/v1","metadata":{"name":"nginx","creationTimestamp":null},
                 "spec":{"controller":"k8s.io/ingress-nginx","parameters":{"apiGroup":"k8s.example.com","kind":"IngressParameters",
                   "name":"lb","scope":"Namespace","namespace":""}}}""", decode("networking.k8s.io/v1", "IngressClass", ingressClass));
    }

    @Test
    void networkPolicyPortZerosThatWereSet() {
        V1Networking.NetworkPolicy policy = V1Networking.NetworkPolicy.newBuilder().setMetadata(meta("db", "default"))
                .setSpec(V1Networking.NetworkPolicySpec.newBuilder().setPodSelector(Meta.LabelSelector.getDefaultInstance())
                        .addEgress(V1Networking.NetworkPolicyEgressRule.newBuilder()
                                .addPorts(V1Networking.NetworkPolicyPort.newBuilder().setProtocol("UDP").setEndPort(0))
                                .addTo(V1Networking.NetworkPolicyPeer.newBuilder().setIpBlock(V1Networking.IPBlock.newBuilder()
                                        .setCidr("10.0.0.0/8").addExcept("10.1.0.0/16"))))
                        .addPolicyTypes("Egress"))
                .build();
        assertJson("""
                {"kind":"NetworkPolicy","apiVersion":"networking.k8s.io/v1","metadata":{"name":"db","namespace":"default",
                 "creationTimestamp":null},"spec":{"podSelector":{},"egress":[{"ports":[{"protocol":"UDP","endPort":0}],
                 "to":[{"ipBlock":{"cidr":"10.0.0.0/8","except":["10.1.0.0/16"]}}]}],"policyTypes":["Egress"]}}""",
                decode("networking.k8s.io/v1", "NetworkPolicy", policy));
    }

    @Test
    void storageClassAndCsiDriverBooleansThatWereSet() {
        V1Storage.StorageClass storageClass = V1Storage.StorageClass.newBuilder().setMetadata(meta("fast", ""))
                .setProvisioner("csi.example.com").putParameters("type", "ssd").setAllowVolumeExpansion(false)
                .setReclaimPolicy("Retain").build();
        assertJson("""
                {"kind":"StorageClass","apiVersion":"storage.k8s.io/v1","metadata":{"name":"fast","creationTimestamp":null},
                 "provisioner":"csi.example.com","parameters":{"type":"ssd"},"reclaimPolicy":"Retain",
                 "allowVolumeExpansion":false}""", decode("storage.k8s.io/v1", "StorageClass", storageClass));
        V1Storage.CSIDriver driver = V1Storage.CSIDriver.newBuilder().setMetadata(meta("csi.example.com", ""))
                .setSpec(V1Storage.CSIDriverSpec.newBuilder().setAttachRequired(false).setPodInfoOnMount(false)).build();
        assertJson("""
                {"kind":"CSIDriver","apiVersion":"storage.k8s.io/v1","metadata":{"name":"csi.example.com","creationTimestamp":null},
                 "spec":{"attachRequired":false,"podInfoOnMount":false}}""", decode("storage.k8s.io/v1", "CSIDriver", driver));
    }

    private JsonNode decode(String apiVersion, String kind, Message message) {
        return protobuf.decode(KubernetesProtobufTest.envelope(apiVersion, kind, message));
    }

    /** ObjectMeta as Go writes it: the non-pointer strings always, an unset creationTimestamp as an empty Time. */
    private static ObjectMeta meta(String name, String namespace) {
        return ObjectMeta.newBuilder().setName(name).setGenerateName("").setNamespace(namespace).setSelfLink("")
                .setUid("").setResourceVersion("").setGeneration(0).setCreationTimestamp(Meta.Time.getDefaultInstance())
                .build();
    }

    private static void assertJson(String expected, JsonNode actual) {
        try {
            assertEquals(KubusJson.json().readTree(expected), actual);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}

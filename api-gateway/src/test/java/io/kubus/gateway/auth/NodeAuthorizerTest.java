package io.kubus.gateway.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.gateway.testing.TestPki;
import io.kubus.schema.KubusJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node agent's identity against a real gateway: it reads only the Secrets and ConfigMaps its own pods use, one by
 * one; changes only its own pods, Node and Lease; and gets tokens only for the ServiceAccounts of its pods.
 */
class NodeAuthorizerTest {
    private static final String JSON = "application/json";
    private static final String NS = "/api/v1/namespaces/nodes";
    private static GatewayFixture gateway;
    private static HttpClient nodeA;

    @BeforeAll
    static void start() {
        gateway = GatewayFixture.start();
        nodeA = GatewayFixture.clientOf(TestPki.identity("system:node:node-a", "system:nodes"));
        admin("POST", "/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"nodes\"}}");
        for (String name : new String[] {"s-a", "s-b"}) {
            admin("POST", NS + "/secrets", "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"" + name
                    + "\"},\"stringData\":{\"k\":\"v\"}}");
        }
        admin("POST", NS + "/configmaps", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c-a\"}}");
        admin("POST", NS + "/serviceaccounts", "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"runner\"}}");
        for (String node : new String[] {"node-a", "node-b"}) {
            admin("POST", "/api/v1/nodes", "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"" + node + "\"}}");
        }
        admin("POST", NS + "/pods", """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"on-a"},"spec":{"nodeName":"node-a",
                "serviceAccountName":"runner","containers":[{"name":"c","image":"kubus/busybox:1",
                "env":[{"name":"S","valueFrom":{"secretKeyRef":{"name":"s-a","key":"k"}}}]}],
                "volumes":[{"name":"cfg","configMap":{"name":"c-a"}}]}}""");
        admin("POST", NS + "/pods", """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"on-b"},"spec":{"nodeName":"node-b",
                "containers":[{"name":"c","image":"kubus/busybox:1","envFrom":[{"secretRef":{"name":"s-b"}}]}]}}""");
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void aNodeReadsOnlyWhatItsPodsUse() {
        assertEquals(200, asNodeA("GET", NS + "/secrets/s-a", null).status());
        assertEquals(200, asNodeA("GET", NS + "/configmaps/c-a", null).status());
        assertEquals(200, asNodeA("GET", NS + "/configmaps/kube-root-ca.crt", null).status(), "its pods' projected CA");
        forbidden(asNodeA("GET", NS + "/secrets/s-b", null), "secrets \"s-b\" is forbidden: User \"system:node:node-a\" "
                + "cannot get resource \"secrets\" in API group \"\" in the namespace \"nodes\": no relationship found "
                + "between node 'node-a' and this object");
        forbidden(asNodeA("GET", NS + "/secrets", null), "secrets is forbidden: User \"system:node:node-a\" cannot list "
                + "resource \"secrets\" in API group \"\" in the namespace \"nodes\": can only get individual resources of this type");
        assertEquals(200, asNodeA("GET", NS + "/pods/on-b", null).status(), "pods are readable by every node");
    }

    @Test
    void aNodeChangesOnlyItsOwnPodsNodeAndLease() {
        forbidden(asNodeA("DELETE", NS + "/pods/on-b", null), "pods \"on-b\" is forbidden: User \"system:node:node-a\" "
                + "cannot delete resource \"pods\" in API group \"\" in the namespace \"nodes\": node 'node-a' can only "
                + "modify pods with spec.nodeName set to itself");
        assertEquals(200, admin("GET", NS + "/pods/on-b", null).status(), "still there");
        assertEquals(403, gateway.request(nodeA, "PATCH", NS + "/pods/on-b/status", "application/merge-patch+json",
                "{\"status\":{\"phase\":\"Failed\"}}".getBytes(), Map.of()).status());
        assertEquals(403, gateway.request(nodeA, "PATCH", "/api/v1/nodes/node-b", "application/merge-patch+json",
                "{\"metadata\":{\"labels\":{\"x\":\"y\"}}}".getBytes(), Map.of()).status());
        assertEquals(200, gateway.request(nodeA, "PATCH", "/api/v1/nodes/node-a", "application/merge-patch+json",
                "{\"metadata\":{\"labels\":{\"x\":\"y\"}}}".getBytes(), Map.of()).status());
        admin("POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
                "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":\"node-b\"}}");
        forbidden(asNodeA("GET", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-b", null),
                "leases.coordination.k8s.io \"node-b\" is forbidden: User \"system:node:node-a\" cannot get resource "
                        + "\"leases\" in API group \"coordination.k8s.io\" in the namespace \"kube-node-lease\": can only "
                        + "access node lease with the same name as the requesting node");
        assertEquals(201, asNodeA("POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
                "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":\"node-a\"}}").status());
        assertEquals(200, asNodeA("DELETE", NS + "/pods/on-a", null).status(), "its own pod");
    }

    @Test
    void aNodeCreatesOnlyItsOwnLeaseAndNodeAndNoPods() {
        // the name is in the body: NodeRestriction admission, which knows the user, checks it
        forbidden(asNodeA("POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
                "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":\"node-c\"}}"),
                "leases.coordination.k8s.io \"node-c\" is forbidden: can only access node lease with the same name as the "
                        + "requesting node");
        forbidden(asNodeA("POST", "/api/v1/nodes", "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"node-c\"}}"),
                "nodes \"node-c\" is forbidden: node \"node-a\" is not allowed to modify node \"node-c\"");
        forbidden(asNodeA("POST", NS + "/pods", "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"static\"},"
                        + "\"spec\":{\"nodeName\":\"node-a\",\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}"),
                "pods \"static\" is forbidden: pod does not have \"kubernetes.io/config.mirror\" annotation, node \"node-a\" "
                        + "can only create mirror pods");
        assertEquals(404, admin404("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-c"), "nothing stored");
        assertEquals(404, admin404("/api/v1/nodes/node-c"), "nothing stored");
    }

    private static int admin404(String path) {
        return gateway.request("GET", path, null, null).status();
    }

    @Test
    void aNodeGetsTokensOnlyForItsPodsServiceAccounts() {
        String body = "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\",\"spec\":{}}";
        assertEquals(201, asNodeA("POST", NS + "/serviceaccounts/runner/token", body).status());
        assertEquals(403, asNodeA("POST", NS + "/serviceaccounts/default/token", body).status());
    }

    @Test
    void theGraphFollowsPodsAsTheyAreBoundAndDeleted() throws InterruptedException {
        NodeGraph graph = gateway.context().getBean(NodeGraph.class);
        NodeAuthorizer.Nodes a = new NodeAuthorizer.Nodes("node-a", false);
        awaitGraph(() -> graph.related(new NodeAuthorizer.Nodes("node-b", false), "nodes", "secret/s-b"));
        assertFalse(graph.related(a, "nodes", "secret/s-b"), "only node-b's pod uses it");

        for (String name : new String[] {"pulls-1", "pulls-2"}) {
            admin("POST", NS + "/pods", """
                    {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s"},"spec":{"nodeName":"node-a",
                    "serviceAccountName":"runner","imagePullSecrets":[{"name":"s-b"}],"containers":[{"name":"c","image":"kubus/busybox:1"}]}}"""
                    .formatted(name));
        }
        awaitGraph(() -> graph.related(a, "nodes", "secret/s-b"));
        assertTrue(graph.related(a, "nodes", "configMap/kube-root-ca.crt"), "the projected token volume's CA");
        assertFalse(graph.related(a, "other", "secret/s-b"), "another namespace");
        assertEquals(200, asNodeA("GET", NS + "/secrets/s-b", null).status());

        admin("DELETE", NS + "/pods/pulls-1?gracePeriodSeconds=0", null);
        awaitGraph(() -> !graph.holds("nodes", "pulls-1"));
        assertTrue(graph.related(a, "nodes", "secret/s-b"), "the other pod still uses it");
        admin("DELETE", NS + "/pods/pulls-2?gracePeriodSeconds=0", null);
        awaitGraph(() -> !graph.related(a, "nodes", "secret/s-b"));
        assertEquals(403, asNodeA("GET", NS + "/secrets/s-b", null).status(), "its pods are gone");

        // a pool identity (simulated nodes) covers every node named after it and a number
        admin("POST", NS + "/pods", """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"pooled"},"spec":{"nodeName":"sim-3",
                "containers":[{"name":"c","image":"kubus/busybox:1","envFrom":[{"configMapRef":{"name":"c-a"}}]}]}}""");
        awaitGraph(() -> graph.related(new NodeAuthorizer.Nodes("sim", true), "nodes", "configMap/c-a"));
        assertFalse(graph.related(new NodeAuthorizer.Nodes("si", true), "nodes", "configMap/c-a"));
    }

    @Test
    void aNodeReadsTheClaimsItsPodsMountAndTheVolumesBoundToThem() throws InterruptedException {
        for (String claim : new String[] {"claim-a", "claim-b"}) {
            admin("POST", NS + "/persistentvolumeclaims", """
                    {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"%s"},"spec":{
                    "accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}""".formatted(claim));
            admin("POST", "/api/v1/persistentvolumes", """
                    {"apiVersion":"v1","kind":"PersistentVolume","metadata":{"name":"pv-%s"},"spec":{
                    "capacity":{"storage":"1Gi"},"accessModes":["ReadWriteOnce"],"hostPath":{"path":"/tmp/%s"},
                    "claimRef":{"namespace":"nodes","name":"%s"}}}""".formatted(claim, claim, claim));
        }
        admin("POST", NS + "/pods", """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"mounts-a"},"spec":{"nodeName":"node-a",
                "serviceAccountName":"runner","containers":[{"name":"c","image":"kubus/busybox:1"}],
                "volumes":[{"name":"data","persistentVolumeClaim":{"claimName":"claim-a"}}]}}""");
        NodeGraph graph = gateway.context().getBean(NodeGraph.class);
        awaitGraph(() -> graph.related(new NodeAuthorizer.Nodes("node-a", false), "nodes", "persistentVolumeClaim/claim-a"));
        assertEquals(200, asNodeA("GET", NS + "/persistentvolumeclaims/claim-a", null).status());
        assertEquals(200, asNodeA("GET", "/api/v1/persistentvolumes/pv-claim-a", null).status());
        forbidden(asNodeA("GET", "/api/v1/persistentvolumes/pv-claim-b", null), "persistentvolumes \"pv-claim-b\" is "
                + "forbidden: User \"system:node:node-a\" cannot get resource \"persistentvolumes\" in API group \"\" "
                + "at the cluster scope: no relationship found between node 'node-a' and this object");
        assertEquals(403, asNodeA("GET", NS + "/persistentvolumeclaims/claim-b", null).status());
        assertEquals(403, asNodeA("GET", "/api/v1/persistentvolumes", null).status(), "no lists");
    }

    private static void awaitGraph(java.util.function.BooleanSupplier done) throws InterruptedException {
        for (int i = 0; i < 100 && !done.getAsBoolean(); i++) {
            Thread.sleep(100);
        }
        assertTrue(done.getAsBoolean(), "the graph did not follow");
    }

    private static void forbidden(GatewayFixture.Reply r, String message) {
        assertEquals(403, r.status(), r.body());
        try {
            JsonNode status = KubusJson.json().readTree(r.body());
            assertEquals(message, status.path("message").asText());
        } catch (java.io.IOException e) {
            throw new AssertionError(r.body(), e);
        }
    }

    private static GatewayFixture.Reply asNodeA(String method, String path, String body) {
        return gateway.request(nodeA, method, path, body == null ? null : JSON, body == null ? null : body.getBytes(), Map.of());
    }

    private static GatewayFixture.Reply admin(String method, String path, String body) {
        GatewayFixture.Reply r = gateway.request(method, path, body == null ? null : JSON, body);
        if (r.status() >= 300) {
            throw new AssertionError(method + " " + path + ": " + r.body());
        }
        return r;
    }
}

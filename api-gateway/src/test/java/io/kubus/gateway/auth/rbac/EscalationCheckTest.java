package io.kubus.gateway.auth.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.gateway.testing.TestPki;
import io.kubus.schema.KubusJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * RBAC's escalation prevention against a real gateway: alice, who may read pods and write Roles and RoleBindings in
 * her namespace, grants only what she holds, binds only roles whose rules she holds or may {@code bind}, changes a
 * role's labels without holding its rules, and never uses an aggregationRule; refusals are kube's Forbidden and
 * store nothing.
 */
class EscalationCheckTest {
    private static final String JSON = "application/json";
    private static final String NS = "/apis/rbac.authorization.k8s.io/v1/namespaces/team";
    private static GatewayFixture gateway;
    private static HttpClient alice;

    @BeforeAll
    static void start() throws InterruptedException {
        gateway = GatewayFixture.start();
        alice = GatewayFixture.clientOf(TestPki.identity("alice", "devs"));
        admin("POST", "/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"team\"}}");
        admin("POST", NS + "/roles", role("lead", "{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"get\",\"list\"]},"
                + "{\"apiGroups\":[\"rbac.authorization.k8s.io\"],\"resources\":[\"roles\",\"rolebindings\"],"
                + "\"verbs\":[\"create\",\"update\",\"patch\",\"get\"]},"
                + "{\"apiGroups\":[\"rbac.authorization.k8s.io\"],\"resources\":[\"clusterroles\"],\"resourceNames\":[\"view\"],"
                + "\"verbs\":[\"bind\"]}"));
        admin("POST", NS + "/rolebindings", binding("alice-lead", "Role", "lead", "alice"));
        admin("POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles", "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\","
                + "\"kind\":\"ClusterRole\",\"metadata\":{\"name\":\"team-creators\"},\"rules\":[{\"apiGroups\":"
                + "[\"rbac.authorization.k8s.io\"],\"resources\":[\"clusterroles\"],\"verbs\":[\"create\"]}]}");
        admin("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\","
                + "\"kind\":\"ClusterRoleBinding\",\"metadata\":{\"name\":\"alice-creates\"},\"roleRef\":{\"apiGroup\":"
                + "\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"team-creators\"},\"subjects\":"
                + "[{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"User\",\"name\":\"alice\"}]}");
        // the gateway's RBAC caches follow the store: wait until alice's rights show
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (asAlice("GET", "/api/v1/namespaces/team/pods", null).status() != 200
                || asAlice("POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles?dryRun=All",
                "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRole\",\"metadata\":{\"name\":\"probe\"}}")
                .status() != 201) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("alice's rights never showed");
            }
            Thread.sleep(100);
        }
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void aRoleGrantsOnlyWhatItsWriterHolds() {
        assertEquals(201, asAlice("POST", NS + "/roles", role("reader", "{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],"
                + "\"verbs\":[\"get\"]}")).status());
        forbidden(asAlice("POST", NS + "/roles", role("deleter", "{\"apiGroups\":[\"\"],\"resources\":[\"pods\",\"secrets\"],"
                        + "\"verbs\":[\"get\",\"delete\"]}")),
                "roles.rbac.authorization.k8s.io \"deleter\" is forbidden: user \"alice\" (groups=[\"devs\" "
                        + "\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n"
                        + "{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"delete\"]}\n"
                        + "{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\" \"delete\"]}");
        assertEquals(404, gateway.request("GET", NS + "/roles/deleter", null, null).status(), "nothing stored");
    }

    @Test
    void aRoleWhoseRulesItsWriterLacksTakesOtherChanges() {
        admin("POST", NS + "/roles", role("admins", "{\"apiGroups\":[\"*\"],\"resources\":[\"*\"],\"verbs\":[\"*\"]}"));
        assertEquals(200, asAlice("PATCH", NS + "/roles/admins", "{\"metadata\":{\"labels\":{\"team\":\"a\"}}}",
                "application/merge-patch+json").status(), "labels grant nothing");
        assertEquals(403, asAlice("PATCH", NS + "/roles/admins", "{\"rules\":[{\"apiGroups\":[\"\"],\"resources\":"
                + "[\"pods\"],\"verbs\":[\"*\"]}]}", "application/merge-patch+json").status());
    }

    @Test
    void aBindingGrantsOnlyARoleItsWriterHoldsOrMayBind() {
        assertEquals(201, asAlice("POST", NS + "/rolebindings", binding("bob-lead", "Role", "lead", "bob")).status(),
                "alice holds every rule of her own role");
        assertEquals(201, asAlice("POST", NS + "/rolebindings", binding("bob-view", "ClusterRole", "view", "bob")).status(),
                "alice may bind view");
        forbidden(asAlice("POST", NS + "/rolebindings", binding("bob-admin", "ClusterRole", "cluster-admin", "bob")),
                "rolebindings.rbac.authorization.k8s.io \"bob-admin\" is forbidden: user \"alice\" (groups=[\"devs\" "
                        + "\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n"
                        + "{APIGroups:[\"*\"], Resources:[\"*\"], Verbs:[\"*\"]}\n{NonResourceURLs:[\"*\"], Verbs:[\"*\"]}");
        assertEquals(404, gateway.request("GET", NS + "/rolebindings/bob-admin", null, null).status(), "nothing stored");
    }

    @Test
    void onlyWhoHoldsEverythingUsesAnAggregationRule() {
        forbidden(asAlice("POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles", "{\"apiVersion\":"
                        + "\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRole\",\"metadata\":{\"name\":\"gather\"},"
                        + "\"aggregationRule\":{\"clusterRoleSelectors\":[{\"matchLabels\":{\"x\":\"y\"}}]}}"),
                "clusterroles.rbac.authorization.k8s.io \"gather\" is forbidden: must have cluster-admin privileges to use "
                        + "the aggregationRule");
        assertEquals(201, gateway.request("POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles", JSON,
                "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRole\",\"metadata\":{\"name\":\"gather\"},"
                        + "\"aggregationRule\":{\"clusterRoleSelectors\":[{\"matchLabels\":{\"x\":\"y\"}}]}}").status(),
                "system:masters may");
    }

    private static String role(String name, String rules) {
        return "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"Role\",\"metadata\":{\"name\":\"" + name
                + "\"},\"rules\":[" + rules + "]}";
    }

    private static String binding(String name, String kind, String role, String user) {
        return "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"RoleBinding\",\"metadata\":{\"name\":\"" + name
                + "\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"" + kind + "\",\"name\":\"" + role
                + "\"},\"subjects\":[{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"User\",\"name\":\"" + user + "\"}]}";
    }

    /** 403 Forbidden with kube's message ({@code null}: any message). */
    private static void forbidden(GatewayFixture.Reply r, String message) {
        assertEquals(403, r.status(), r.body());
        try {
            JsonNode status = KubusJson.json().readTree(r.body());
            assertEquals("Forbidden", status.path("reason").asText(), r.body());
            if (message != null) {
                assertEquals(message, status.path("message").asText());
            }
        } catch (java.io.IOException e) {
            throw new AssertionError(r.body(), e);
        }
    }

    private static GatewayFixture.Reply asAlice(String method, String path, String body) {
        return asAlice(method, path, body, JSON);
    }

    private static GatewayFixture.Reply asAlice(String method, String path, String body, String contentType) {
        return gateway.request(alice, method, path, body == null ? null : contentType,
                body == null ? null : body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    private static void admin(String method, String path, String body) {
        GatewayFixture.Reply r = gateway.request(method, path, body == null ? null : JSON, body);
        if (r.status() >= 300) {
            throw new AssertionError(method + " " + path + ": " + r.body());
        }
    }
}

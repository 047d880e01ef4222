package io.kubus.gateway.auth.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.broker.EmbeddedKafkaBroker;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.schema.KubusJson;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bootstrap policy on a real gateway: made on a fresh database, and reconciled at the next start on the same
 * database as kube-apiserver reconciles it: what is missing comes back, what a user added stays, and a role
 * annotated autoupdate=false is left as the user made it.
 */
class RbacBootstrapTest {
    private static final String RBAC = "/apis/rbac.authorization.k8s.io/v1/";
    private static final String MERGE = "application/merge-patch+json";

    @Test
    void aFreshGatewayHasTheBootstrapPolicy() {
        try (GatewayFixture gw = GatewayFixture.start()) {
            for (String name : List.of("cluster-admin", "admin", "edit", "view", "system:aggregate-to-admin",
                    "system:aggregate-to-edit", "system:aggregate-to-view", "system:discovery", "system:basic-user",
                    "system:public-info-viewer", "system:kube-scheduler", "system:kube-controller-manager",
                    "system:node", "system:node-proxier", "system:node-bootstrapper",
                    "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
                    "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient")) {
                JsonNode role = get(gw, "clusterroles/" + name);
                assertEquals("rbac-defaults", role.path("metadata").path("labels").path("kubernetes.io/bootstrapping").asText(), name);
                assertEquals("true", role.path("metadata").path("annotations")
                        .path("rbac.authorization.kubernetes.io/autoupdate").asText(), name);
            }
            assertEquals("rbac.authorization.k8s.io/aggregate-to-view", get(gw, "clusterroles/view")
                    .path("aggregationRule").path("clusterRoleSelectors").get(0).path("matchLabels").fieldNames().next());
            Map<String, List<String>> bindings = Map.of(
                    "cluster-admin", List.of("Group system:masters"),
                    "system:discovery", List.of("Group system:authenticated"),
                    "system:basic-user", List.of("Group system:authenticated"),
                    "system:public-info-viewer", List.of("Group system:authenticated", "Group system:unauthenticated"),
                    "system:kube-scheduler", List.of("User system:kube-scheduler"),
                    "system:kube-controller-manager", List.of("User system:kube-controller-manager"),
                    "system:node", List.of("Group system:nodes"),
                    "system:node-proxier", List.of("Group system:nodes"));
            bindings.forEach((name, subjects) -> {
                JsonNode binding = get(gw, "clusterrolebindings/" + name);
                assertEquals(name, binding.path("roleRef").path("name").asText());
                assertEquals(subjects, subjects(binding), name);
            });
        }
    }

    @Test
    void aRestartKeepsWhatUsersAddedRestoresWhatIsMissingAndLeavesProtectedRolesAlone() {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            String db = GatewayFixture.h2InMemory();
            try (GatewayFixture gw = GatewayFixture.start(broker, false, db, Map.of())) {
                patch(gw, "clusterrolebindings/system:discovery", """
                        {"subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"Group","name":"system:authenticated"},
                                     {"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"alice"}]}""");
                // a rule removed from a bootstrap role comes back; one a user added stays
                patch(gw, "clusterroles/system:basic-user", """
                        {"rules":[{"apiGroups":["authentication.k8s.io"],"resources":["selfsubjectreviews"],"verbs":["create"]},
                                  {"apiGroups":[""],"resources":["configmaps"],"verbs":["get"]}]}""");
                // autoupdate=false: the user owns the role now
                patch(gw, "clusterroles/system:public-info-viewer", """
                        {"metadata":{"annotations":{"rbac.authorization.kubernetes.io/autoupdate":"false"}},
                         "rules":[{"nonResourceURLs":["/healthz"],"verbs":["get"]}]}""");
            }
            try (GatewayFixture gw = GatewayFixture.start(broker, false, db, Map.of())) {
                assertEquals(List.of("Group system:authenticated", "User alice"),
                        subjects(get(gw, "clusterrolebindings/system:discovery")));
                JsonNode basic = get(gw, "clusterroles/system:basic-user").path("rules");
                assertEquals(4, basic.size(), basic.toString());
                assertEquals("configmaps", basic.get(1).path("resources").get(0).asText(), "the user's rule stays");
                // the missing rules come back broken down, one resource and verb each, as kube adds them
                assertEquals(List.of("selfsubjectaccessreviews", "selfsubjectrulesreviews"),
                        resources(basic, "authorization.k8s.io"));
                assertEquals(1, basic.get(2).path("resources").size());
                JsonNode viewer = get(gw, "clusterroles/system:public-info-viewer");
                assertEquals(List.of("/healthz"), texts(viewer.path("rules").get(0).path("nonResourceURLs")));
                assertEquals(1, viewer.path("rules").size(), "a protected role is left alone");
            }
        }
    }

    private static List<String> resources(JsonNode rules, String group) {
        List<String> out = new ArrayList<>();
        for (JsonNode rule : rules) {
            if (texts(rule.path("apiGroups")).contains(group)) {
                out.addAll(texts(rule.path("resources")));
            }
        }
        return out;
    }

    private static JsonNode get(GatewayFixture gw, String path) {
        GatewayFixture.Reply r = gw.request("GET", RBAC + path, null, null);
        assertEquals(200, r.status(), path + ": " + r.body());
        try {
            return KubusJson.json().readTree(r.body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void patch(GatewayFixture gw, String path, String body) {
        GatewayFixture.Reply r = gw.request("PATCH", RBAC + path, MERGE, body);
        assertTrue(r.status() == 200, path + ": " + r.body());
    }

    private static List<String> subjects(JsonNode binding) {
        List<String> out = new ArrayList<>();
        binding.path("subjects").forEach(s -> out.add(s.path("kind").asText() + " " + s.path("name").asText()));
        return out;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(e -> out.add(e.asText()));
        return out;
    }
}

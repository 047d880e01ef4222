package io.kubus.gateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.gateway.testing.Kubectl;
import io.kubus.schema.KubusJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ServiceAccounts, Roles, ClusterRoles and their bindings through the installed kubectl against a real gateway: the
 * typed {@code kubectl create} commands (which send protobuf), then get, describe, -o yaml, apply and delete, checking
 * what kubectl prints and what was stored.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubectlRbacEndToEndTest {
    private static final String MANIFEST = """
            apiVersion: v1
            kind: ServiceAccount
            metadata:
              name: deployer
              namespace: default
            secrets:
            - name: deployer-token
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata:
              name: deploy-manager
              namespace: default
            rules:
            - apiGroups: ["apps"]
              resources: ["deployments", "deployments/scale"]
              verbs: ["get", "list", "watch", "update", "patch"]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: metrics-reader
              labels:
                rbac.example.com/aggregate-to-monitoring: "true"
            rules:
            - nonResourceURLs: ["/metrics"]
              verbs: ["get"]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata:
              name: deployer-manages
              namespace: default
            subjects:
            - kind: ServiceAccount
              name: deployer
            roleRef:
              kind: Role
              name: deploy-manager
              apiGroup: rbac.authorization.k8s.io
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata:
              name: deployer-reads-metrics
            subjects:
            - kind: ServiceAccount
              name: deployer
              namespace: default
            - kind: Group
              name: sre
            roleRef:
              kind: ClusterRole
              name: metrics-reader
              apiGroup: rbac.authorization.k8s.io
            """;

    @TempDir
    static Path dir;
    static GatewayFixture gateway;
    static Kubectl kubectl;

    @BeforeAll
    static void start() throws Exception {
        gateway = GatewayFixture.start();
        kubectl = new Kubectl(gateway.writeKubeconfig(dir), dir);
        Files.writeString(dir.resolve("rbac.yaml"), MANIFEST);
        Files.writeString(dir.resolve("rbac-v2.yaml"), MANIFEST.replace("\"update\", \"patch\"]", "\"update\", \"patch\", \"create\"]"));
        Files.writeString(dir.resolve("rbac-other-role.yaml"), MANIFEST.replace("  name: deploy-manager\n  apiGroup",
                "  name: deploy-viewer\n  apiGroup"));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    @Order(1)
    void createServiceAccountSendsProtobuf() {
        Kubectl.Result r = kubectl.run("create", "serviceaccount", "builder", "-v=8").ok();
        assertEquals("serviceaccount/builder created", r.out().trim());
        String post = r.err().substring(r.err().indexOf("POST"));
        assertTrue(post.contains("Content-Type: application/vnd.kubernetes.protobuf"), post);
        JsonNode sa = json("get", "sa", "builder", "-o", "json");
        assertEquals("ServiceAccount", sa.path("kind").asText());
        assertEquals("default", sa.path("metadata").path("namespace").asText());
    }

    @Test
    @Order(2)
    void createRoleAndClusterRoles() {
        assertEquals("role.rbac.authorization.k8s.io/pod-reader created", kubectl.run("create", "role", "pod-reader",
                "--verb=get,list", "--resource=pods,deployments.apps").ok().out().trim());
        JsonNode rules = json("get", "role", "pod-reader", "-o", "json").path("rules");
        assertEquals(2, rules.size(), rules.toString());
        assertEquals("", rules.get(0).path("apiGroups").get(0).asText(), "the core group survives protobuf as \"\"");
        assertEquals("pods", rules.get(0).path("resources").get(0).asText());
        assertEquals("[\"get\",\"list\"]", rules.get(0).path("verbs").toString());
        assertEquals("apps", rules.get(1).path("apiGroups").get(0).asText());

        assertEquals("clusterrole.rbac.authorization.k8s.io/node-reader created", kubectl.run("create", "clusterrole",
                "node-reader", "--verb=get", "--resource=nodes", "--non-resource-url=/healthz").ok().out().trim());
        // kubectl puts the non-resource URLs in a rule of their own
        assertEquals(2, json("get", "clusterrole", "node-reader", "-o", "json").path("rules").size());

        assertEquals("clusterrole.rbac.authorization.k8s.io/monitoring created", kubectl.run("create", "clusterrole",
                "monitoring", "--aggregation-rule=rbac.example.com/aggregate-to-monitoring=true").ok().out().trim());
        JsonNode monitoring = json("get", "clusterrole", "monitoring", "-o", "json");
        assertEquals("true", monitoring.path("aggregationRule").path("clusterRoleSelectors").get(0).path("matchLabels")
                .path("rbac.example.com/aggregate-to-monitoring").asText(), monitoring.toString());
    }

    @Test
    @Order(3)
    void createBindings() {
        assertEquals("rolebinding.rbac.authorization.k8s.io/builder-reads-pods created", kubectl.run("create",
                "rolebinding", "builder-reads-pods", "--role=pod-reader", "--serviceaccount=default:builder",
                "--user=jane").ok().out().trim());
        JsonNode rb = json("get", "rolebinding", "builder-reads-pods", "-o", "json");
        assertEquals("{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"Role\",\"name\":\"pod-reader\"}",
                rb.path("roleRef").toString());
        assertEquals("[{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"User\",\"name\":\"jane\"},"
                + "{\"kind\":\"ServiceAccount\",\"name\":\"builder\",\"namespace\":\"default\"}]", rb.path("subjects").toString());

        assertEquals("clusterrolebinding.rbac.authorization.k8s.io/builder-reads-nodes created", kubectl.run("create",
                "clusterrolebinding", "builder-reads-nodes", "--clusterrole=node-reader",
                "--serviceaccount=default:builder", "--group=ops").ok().out().trim());
        assertEquals("node-reader", json("get", "clusterrolebinding", "builder-reads-nodes", "-o", "json")
                .path("roleRef").path("name").asText());
    }

    @Test
    @Order(4)
    void getPrintsKubernetesColumns() {
        String sa = kubectl.run("get", "serviceaccounts").ok().out();
        assertTrue(sa.lines().findFirst().orElse("").matches("NAME\\s+SECRETS\\s+AGE"), sa);
        assertTrue(sa.matches("(?s).*\\nbuilder\\s+0\\s+\\S+\\n.*"), sa);
        String roles = kubectl.run("get", "roles").ok().out();
        assertTrue(roles.lines().findFirst().orElse("").matches("NAME\\s+CREATED AT"), roles);
        assertTrue(roles.matches("(?s).*\\npod-reader\\s+\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\n.*"), roles);
        String clusterRoles = kubectl.run("get", "clusterroles").ok().out();
        assertTrue(clusterRoles.contains("monitoring") && clusterRoles.contains("node-reader"), clusterRoles);
        String bindings = kubectl.run("get", "rolebindings", "-o", "wide").ok().out();
        assertTrue(bindings.lines().findFirst().orElse("")
                .matches("NAME\\s+ROLE\\s+AGE\\s+USERS\\s+GROUPS\\s+SERVICEACCOUNTS"), bindings);
        assertTrue(bindings.matches("(?s).*\\nbuilder-reads-pods\\s+Role/pod-reader\\s+\\S+\\s+jane\\s+default/builder\\n.*"),
                bindings);
        String clusterBindings = kubectl.run("get", "clusterrolebindings").ok().out();
        assertTrue(clusterBindings.lines().findFirst().orElse("").matches("NAME\\s+ROLE\\s+AGE"), clusterBindings);
        assertTrue(clusterBindings.contains("ClusterRole/node-reader"), clusterBindings);
    }

    @Test
    @Order(5)
    void describeAndYaml() {
        String role = kubectl.run("describe", "role", "pod-reader").ok().out();
        assertTrue(role.contains("Name:         pod-reader"), role);
        assertTrue(role.contains("PolicyRule:"), role);
        assertTrue(role.matches("(?s).*\\n  pods\\s+\\[\\]\\s+\\[\\]\\s+\\[get list\\]\\n.*"), role);
        assertTrue(role.matches("(?s).*\\n  deployments\\.apps\\s+\\[\\]\\s+\\[\\]\\s+\\[get list\\]\\n.*"), role);
        String clusterRole = kubectl.run("describe", "clusterrole", "node-reader").ok().out();
        assertTrue(clusterRole.matches("(?s).*\\n\\s+\\[/healthz\\]\\s+\\[\\]\\s+\\[get\\]\\n.*"), clusterRole);
        String binding = kubectl.run("describe", "rolebinding", "builder-reads-pods").ok().out();
        assertTrue(binding.contains("Role:\n  Kind:  Role\n  Name:  pod-reader"), binding);
        assertTrue(binding.matches("(?s).*\\n  ServiceAccount\\s+builder\\s+default\\n.*"), binding);
        assertTrue(binding.matches("(?s).*\\n  User\\s+jane\\s*\\n.*"), binding);
        String sa = kubectl.run("describe", "serviceaccount", "builder").ok().out();
        assertTrue(sa.contains("Name:                builder") && sa.contains("Namespace:           default"), sa);

        String yaml = kubectl.run("get", "clusterrolebinding", "builder-reads-nodes", "-o", "yaml").ok().out();
        assertTrue(yaml.startsWith("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\n"), yaml);
        assertTrue(yaml.contains("roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: node-reader\n"), yaml);
        assertTrue(yaml.contains("- apiGroup: rbac.authorization.k8s.io\n  kind: Group\n  name: ops\n"), yaml);
    }

    @Test
    @Order(6)
    void applyAManifestOfAllFiveKinds() {
        String created = kubectl.run("apply", "-f", "rbac.yaml").ok().out();
        assertEquals("""
                serviceaccount/deployer created
                role.rbac.authorization.k8s.io/deploy-manager created
                clusterrole.rbac.authorization.k8s.io/metrics-reader created
                rolebinding.rbac.authorization.k8s.io/deployer-manages created
                clusterrolebinding.rbac.authorization.k8s.io/deployer-reads-metrics created
                """, created);
        String version = json("get", "clusterrolebinding", "deployer-reads-metrics", "-o", "json").path("metadata")
                .path("resourceVersion").asText();
        // The Group subject's apiGroup is defaulted and subjects is an atomic list, so kubectl's three-way diff sends
        // the manifest's subjects again and says "configured", as against kube-apiserver; nothing changes.
        assertEquals("""
                serviceaccount/deployer unchanged
                role.rbac.authorization.k8s.io/deploy-manager unchanged
                clusterrole.rbac.authorization.k8s.io/metrics-reader unchanged
                rolebinding.rbac.authorization.k8s.io/deployer-manages unchanged
                clusterrolebinding.rbac.authorization.k8s.io/deployer-reads-metrics configured
                """, kubectl.run("apply", "-f", "rbac.yaml").ok().out());
        assertEquals(version, json("get", "clusterrolebinding", "deployer-reads-metrics", "-o", "json").path("metadata")
                .path("resourceVersion").asText());
        String configured = kubectl.run("apply", "-f", "rbac-v2.yaml").ok().out();
        assertTrue(configured.contains("role.rbac.authorization.k8s.io/deploy-manager configured"), configured);
        assertEquals(6, json("get", "role", "deploy-manager", "-o", "json").path("rules").get(0).path("verbs").size());
        assertEquals("deployer-token", json("get", "sa", "deployer", "-o", "json").path("secrets").get(0).path("name").asText());

        Kubectl.Result other = kubectl.run("apply", "-f", "rbac-other-role.yaml");
        assertNotEquals(0, other.exitCode());
        assertTrue(other.err().contains("The RoleBinding \"deployer-manages\" is invalid: roleRef: "
                + "Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"Role\", Name:\"deploy-viewer\"}: "
                + "cannot change roleRef"), other.err());
        assertEquals("deploy-manager", json("get", "rolebinding", "deployer-manages", "-o", "json")
                .path("roleRef").path("name").asText());
    }

    @Test
    @Order(7)
    void invalidObjectsReadAsKubernetes() throws Exception {
        Files.writeString(dir.resolve("bad-role.yaml"), """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata:
                  name: no-verbs
                rules:
                - apiGroups: [""]
                  resources: ["pods"]
                """);
        Kubectl.Result r = kubectl.run("create", "-f", "bad-role.yaml");
        assertEquals("The Role \"no-verbs\" is invalid: rules[0].verbs: Required value: verbs must contain at least one value",
                r.err().trim());
        Kubectl.Result badName = kubectl.run("create", "serviceaccount", "Not_Valid");
        Kubectl.Result badRole = kubectl.run("create", "role", "a%b", "--verb=get", "--resource=pods");
        assertEquals("The Role \"a%b\" is invalid: metadata.name: Invalid value: \"a%b\": may not contain '%'",
                badRole.err().trim());
        // kubectl builds that line from the Status details; the Status message names the kind with its group
        GatewayFixture.Reply reply = gateway.request("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles",
                "application/json", "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"Role\","
                        + "\"metadata\":{\"name\":\"a%b\"}}");
        JsonNode status = KubusJson.json().readTree(reply.body());
        assertEquals(422, reply.status());
        assertEquals("Role.rbac.authorization.k8s.io \"a%b\" is invalid: metadata.name: Invalid value: \"a%b\": may not "
                + "contain '%'", status.path("message").asText());
        assertEquals("Role", status.path("details").path("kind").asText());
        assertEquals("rbac.authorization.k8s.io", status.path("details").path("group").asText());
        assertTrue(badName.err().contains("error: failed to create serviceaccount: ServiceAccount \"Not_Valid\" is invalid: "
                + "metadata.name: Invalid value: "
                + "\"Not_Valid\": a lowercase RFC 1123 subdomain"), badName.err());
    }

    @Test
    @Order(8)
    void delete() {
        assertEquals("rolebinding.rbac.authorization.k8s.io \"builder-reads-pods\" deleted",
                kubectl.run("delete", "rolebinding", "builder-reads-pods").ok().out().trim());
        assertEquals("clusterrolebinding.rbac.authorization.k8s.io \"builder-reads-nodes\" deleted",
                kubectl.run("delete", "clusterrolebinding", "builder-reads-nodes").ok().out().trim());
        assertEquals("role.rbac.authorization.k8s.io \"pod-reader\" deleted",
                kubectl.run("delete", "role", "pod-reader").ok().out().trim());
        assertEquals("clusterrole.rbac.authorization.k8s.io \"node-reader\" deleted",
                kubectl.run("delete", "clusterrole", "node-reader").ok().out().trim());
        assertEquals("serviceaccount \"builder\" deleted", kubectl.run("delete", "sa", "builder").ok().out().trim());
        String all = kubectl.run("delete", "-f", "rbac.yaml").ok().out();
        assertEquals(5, all.lines().filter(l -> l.endsWith(" deleted")).count(), all);
        assertTrue(kubectl.run("get", "role", "pod-reader").err().contains("NotFound"));
        // what is left is the bootstrap policy's only
        assertEquals("", kubectl.run("get", "rolebindings,clusterrolebindings", "-l", "!kubernetes.io/bootstrapping",
                "-o", "name").ok().out());
    }

    private static JsonNode json(String... args) {
        try {
            return KubusJson.json().readTree(kubectl.run(args).ok().out());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}

package io.kubus.gateway.auth.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.auth.Authorizer.Decision;
import io.kubus.gateway.auth.RequestAttributes;
import io.kubus.gateway.auth.UserInfo;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.event.WatchEventType;

import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Nanoseconds per RBAC decision with the bootstrap policy and 1,000 RoleBindings (10 per namespace, over 100
 * namespaces, each to its own user and a shared group), for the kinds of requests a gateway sees: allowed through a
 * RoleBinding, through cluster-admin, and not allowed at all (every binding of the user's groups visited).
 * Run: {@code java -cp <api-gateway test classpath> io.kubus.gateway.auth.rbac.RbacAuthorizerBench [iterations]}.
 */
public final class RbacAuthorizerBench {
    private RbacAuthorizerBench() {
    }

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        RbacPolicy policy = new RbacPolicy();
        JsonNode bootstrap;
        try (InputStream in = RbacBootstrap.class.getClassLoader().getResourceAsStream(RbacBootstrap.POLICY)) {
            bootstrap = KubusJson.yaml().readTree(in);
        }
        RbacBootstrap.clusterRoles(bootstrap).forEach(r -> policy.apply(ResourceTypes.CLUSTERROLES, WatchEventType.ADDED, r));
        RbacBootstrap.clusterRoleBindings(bootstrap)
                .forEach(b -> policy.apply(ResourceTypes.CLUSTERROLEBINDINGS, WatchEventType.ADDED, b));
        // the aggregation controller's work, done by hand: edit holds the aggregate-to-edit and -view rules
        ObjectNode edit = (ObjectNode) KubusJson.json().readTree("{\"metadata\":{\"name\":\"edit\"}}");
        edit.set("rules", KubusJson.json().createArrayNode()
                .addAll((ArrayNode) rulesOf(bootstrap, "system:aggregate-to-edit"))
                .addAll((ArrayNode) rulesOf(bootstrap, "system:aggregate-to-view")));
        policy.apply(ResourceTypes.CLUSTERROLES, WatchEventType.MODIFIED, edit);
        for (int i = 0; i < 1_000; i++) {
            ObjectNode rb = (ObjectNode) KubusJson.json().readTree("""
                    {"metadata":{"namespace":"ns-%d","name":"rb-%d"},
                     "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"edit"},
                     "subjects":[{"kind":"User","name":"user-%d"},{"kind":"Group","name":"team-%d"}]}"""
                    .formatted(i % 100, i, i, i % 10));
            policy.apply(ResourceTypes.ROLEBINDINGS, WatchEventType.ADDED, rb);
        }
        RbacAuthorizer rbac = new RbacAuthorizer(policy);
        UserInfo user = new UserInfo("user-517", "", List.of("team-7", UserInfo.ALL_AUTHENTICATED), Map.of());
        UserInfo admin = new UserInfo("root", "", List.of(UserInfo.MASTERS, UserInfo.ALL_AUTHENTICATED), Map.of());
        UserInfo stranger = new UserInfo("stranger", "", List.of("team-3", UserInfo.ALL_AUTHENTICATED), Map.of());
        Map<String, RequestAttributes> cases = new LinkedHashMap<>();
        cases.put("allowed by a RoleBinding (update deployments in ns-17)",
                RequestAttributes.resource(user, "update", "apps", "v1", "deployments", "", "ns-17", "web"));
        cases.put("allowed by cluster-admin (delete pods in ns-5)",
                RequestAttributes.resource(admin, "delete", "", "v1", "pods", "", "ns-5", "p"));
        cases.put("not allowed (list secrets in ns-42, bindings of team-3 visited)",
                RequestAttributes.resource(stranger, "list", "", "v1", "secrets", "", "ns-42", ""));
        cases.put("not allowed, cluster-scoped (list nodes)",
                RequestAttributes.resource(user, "list", "", "v1", "nodes", "", "", ""));
        System.out.printf("RBAC decisions, 1,000 RoleBindings + bootstrap policy, %,d iterations per case, %d CPUs%n",
                iterations, Runtime.getRuntime().availableProcessors());
        for (var c : cases.entrySet()) {
            Decision d = rbac.authorize(c.getValue());
            measure(rbac, c.getValue(), iterations / 4); // warm-up
            long start = System.nanoTime();
            int allowed = measure(rbac, c.getValue(), iterations);
            double ns = (double) (System.nanoTime() - start) / iterations;
            System.out.printf("  %-66s %8.0f ns/decision  (%s, %d allowed)%n", c.getKey(), ns, d.kind(), allowed);
        }
    }

    private static JsonNode rulesOf(JsonNode bootstrap, String role) {
        for (JsonNode r : bootstrap.path("clusterRoles")) {
            if (r.path("metadata").path("name").asText().equals(role)) {
                return r.path("rules").deepCopy();
            }
        }
        throw new IllegalArgumentException(role);
    }

    /** Decides the request {@code iterations} times; the count of allowed ones keeps the work observable. */
    private static int measure(RbacAuthorizer rbac, RequestAttributes request, int iterations) {
        int allowed = 0;
        for (int i = 0; i < iterations; i++) {
            if (rbac.authorize(request).allowed()) {
                allowed++;
            }
        }
        return allowed;
    }
}

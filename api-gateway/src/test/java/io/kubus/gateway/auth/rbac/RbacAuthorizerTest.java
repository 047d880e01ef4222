package io.kubus.gateway.auth.rbac;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.auth.Authorizer.Decision;
import io.kubus.gateway.auth.RequestAttributes;
import io.kubus.gateway.auth.UserInfo;
import io.kubus.gateway.store.ObjectList;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.event.WatchEventType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The RBAC evaluation alone, over a policy filled by hand: kube's rule.go and rbac.go cases. */
class RbacAuthorizerTest {
    private final RbacPolicy policy = new RbacPolicy();
    private final RbacAuthorizer rbac = new RbacAuthorizer(policy);

    private static final UserInfo ALICE = user("alice");
    private static final UserInfo BOB = user("bob", "devs");

    @Test
    void aClusterRoleBindingGrantsEverywhereWithKubesReason() {
        clusterRole("reader", "{apiGroups: [''], resources: [pods], verbs: [get, list]}");
        clusterRoleBinding("read-all", "reader", "{kind: User, name: alice}");

        Decision d = rbac.authorize(get(ALICE, "pods", "", "ns1", "p"));
        assertTrue(d.allowed());
        assertEquals("RBAC: allowed by ClusterRoleBinding \"read-all\" of ClusterRole \"reader\" to User \"alice\"",
                d.reason());
        assertTrue(rbac.authorize(res(ALICE, "list", "", "pods", "", "", "")).allowed(), "across namespaces too");
        assertEquals(Decision.Kind.NO_OPINION, rbac.authorize(get(BOB, "pods", "", "ns1", "p")).kind());
        assertEquals("", rbac.authorize(get(BOB, "pods", "", "ns1", "p")).reason());
        assertFalse(rbac.authorize(res(ALICE, "delete", "", "pods", "", "ns1", "p")).allowed());
    }

    @Test
    void aRoleBindingGrantsOnlyInItsNamespace() {
        clusterRole("pod-reader", "{apiGroups: [''], resources: [pods], verbs: [get]}");
        role("ns1", "cm-reader", "{apiGroups: [''], resources: [configmaps], verbs: [get]}");
        roleBinding("ns1", "pods", "ClusterRole", "pod-reader", "{kind: Group, name: devs}");
        roleBinding("ns1", "cms", "Role", "cm-reader", "{kind: User, name: bob}");

        Decision d = rbac.authorize(get(BOB, "pods", "", "ns1", "p"));
        assertEquals("RBAC: allowed by RoleBinding \"pods/ns1\" of ClusterRole \"pod-reader\" to Group \"devs\"",
                d.reason());
        assertTrue(rbac.authorize(get(BOB, "configmaps", "", "ns1", "c")).allowed());
        assertFalse(rbac.authorize(get(BOB, "pods", "", "ns2", "p")).allowed(), "another namespace");
        assertFalse(rbac.authorize(res(BOB, "get", "", "pods", "", "", "")).allowed(), "cluster-wide");
        // a Role of the same name in another namespace is not this binding's role
        role("ns2", "cm-reader", "{apiGroups: [''], resources: [configmaps], verbs: [get]}");
        assertFalse(rbac.authorize(get(BOB, "configmaps", "", "ns2", "c")).allowed());
    }

    @Test
    void serviceAccountSubjectsNameTheirNamespaceOrTheBindings() {
        clusterRole("pod-reader", "{apiGroups: [''], resources: [pods], verbs: [get]}");
        roleBinding("ns1", "local", "ClusterRole", "pod-reader", "{kind: ServiceAccount, name: builder}");
        roleBinding("ns2", "remote", "ClusterRole", "pod-reader",
                "{kind: ServiceAccount, name: deployer, namespace: ci}");
        // without a namespace a ClusterRoleBinding's service account subject applies to no one
        clusterRoleBinding("nobody", "pod-reader", "{kind: ServiceAccount, name: builder}");

        UserInfo builder = user("system:serviceaccount:ns1:builder", "system:serviceaccounts");
        UserInfo deployer = user("system:serviceaccount:ci:deployer");
        assertEquals("RBAC: allowed by RoleBinding \"local/ns1\" of ClusterRole \"pod-reader\" to ServiceAccount "
                + "\"builder/ns1\"", rbac.authorize(get(builder, "pods", "", "ns1", "p")).reason());
        assertFalse(rbac.authorize(get(builder, "pods", "", "ns2", "p")).allowed());
        assertEquals("RBAC: allowed by RoleBinding \"remote/ns2\" of ClusterRole \"pod-reader\" to ServiceAccount "
                + "\"deployer/ci\"", rbac.authorize(get(deployer, "pods", "", "ns2", "p")).reason());
        assertFalse(rbac.authorize(get(user("system:serviceaccount:ns2:deployer"), "pods", "", "ns2", "p")).allowed());
    }

    @Test
    void theReasonNamesTheFirstSubjectThatApplies() {
        clusterRole("reader", "{apiGroups: [''], resources: [pods], verbs: [get]}");
        clusterRoleBinding("both", "reader", "{kind: Group, name: devs}", "{kind: User, name: bob}");
        assertEquals("RBAC: allowed by ClusterRoleBinding \"both\" of ClusterRole \"reader\" to Group \"devs\"",
                rbac.authorize(get(BOB, "pods", "", "", "p")).reason());
    }

    @Test
    void wildcardsMatchEveryVerbGroupAndResource() {
        clusterRole("all", "{apiGroups: ['*'], resources: ['*'], verbs: ['*']}");
        clusterRoleBinding("all", "all", "{kind: User, name: alice}");
        assertTrue(rbac.authorize(res(ALICE, "deletecollection", "apps", "deployments", "", "x", "")).allowed());
        assertTrue(rbac.authorize(res(ALICE, "update", "apps", "deployments", "scale", "x", "d")).allowed());
        assertTrue(rbac.authorize(res(ALICE, "escalate", "rbac.authorization.k8s.io", "clusterroles", "", "", "")).allowed());
        assertFalse(rbac.authorize(RequestAttributes.nonResource(ALICE, "get", "/healthz")).allowed(),
                "resource rules grant no URL");
    }

    @Test
    void subresourcesMatchExactlyOrAsStarSlashSubresource() {
        clusterRole("mixed",
                "{apiGroups: [''], resources: [pods/log], verbs: [get]}",
                "{apiGroups: [apps], resources: ['*/scale'], verbs: [update]}",
                "{apiGroups: [''], resources: ['pods/*'], verbs: [get]}",
                "{apiGroups: [''], resources: [services], verbs: [get]}");
        clusterRoleBinding("mixed", "mixed", "{kind: User, name: alice}");
        assertTrue(rbac.authorize(get(ALICE, "pods", "log", "ns", "p")).allowed());
        assertFalse(rbac.authorize(get(ALICE, "pods", "", "ns", "p")).allowed(), "pods/log is not pods");
        assertTrue(rbac.authorize(res(ALICE, "update", "apps", "deployments", "scale", "ns", "d")).allowed());
        assertTrue(rbac.authorize(res(ALICE, "update", "apps", "statefulsets", "scale", "ns", "s")).allowed());
        assertFalse(rbac.authorize(res(ALICE, "update", "apps", "deployments", "", "ns", "d")).allowed());
        // kube's ResourceMatches knows "*/sub" only: "pods/*" is a resource name, not a pattern
        assertFalse(rbac.authorize(get(ALICE, "pods", "status", "ns", "p")).allowed());
        assertFalse(rbac.authorize(get(ALICE, "services", "status", "ns", "s")).allowed(),
                "a resource grants none of its subresources");
    }

    @Test
    void resourceNamesRestrictOnlyRequestsThatNameAnObject() {
        clusterRole("one-cm", "{apiGroups: [''], resources: [configmaps], resourceNames: [settings], verbs: [get, list, update]}");
        clusterRoleBinding("one-cm", "one-cm", "{kind: User, name: alice}");
        assertTrue(rbac.authorize(get(ALICE, "configmaps", "", "ns", "settings")).allowed());
        assertTrue(rbac.authorize(res(ALICE, "update", "", "configmaps", "", "ns", "settings")).allowed());
        assertFalse(rbac.authorize(get(ALICE, "configmaps", "", "ns", "other")).allowed());
        assertFalse(rbac.authorize(res(ALICE, "list", "", "configmaps", "", "ns", "")).allowed(),
                "a list names no object, so a rule with names never allows it");
    }

    @Test
    void nonResourceUrlsMatchExactlyOrByTrailingStar() {
        clusterRole("urls", "{nonResourceURLs: [/healthz, /apis/*, /logs*], verbs: [get]}");
        clusterRoleBinding("urls", "urls", "{kind: Group, name: devs}");
        assertTrue(rbac.authorize(RequestAttributes.nonResource(BOB, "get", "/healthz")).allowed());
        assertFalse(rbac.authorize(RequestAttributes.nonResource(BOB, "get", "/healthz/etcd")).allowed());
        assertTrue(rbac.authorize(RequestAttributes.nonResource(BOB, "get", "/apis/apps/v1")).allowed());
        assertFalse(rbac.authorize(RequestAttributes.nonResource(BOB, "get", "/apis")).allowed());
        assertTrue(rbac.authorize(RequestAttributes.nonResource(BOB, "get", "/logsfoo")).allowed());
        assertFalse(rbac.authorize(RequestAttributes.nonResource(BOB, "post", "/healthz")).allowed());
        assertFalse(rbac.authorize(get(BOB, "pods", "", "ns", "p")).allowed());
    }

    @Test
    void aMissingRoleGivesNothingAndIsTheReason() {
        clusterRoleBinding("dangling", "gone", "{kind: User, name: alice}");
        Decision d = rbac.authorize(get(ALICE, "pods", "", "ns", "p"));
        assertEquals(Decision.Kind.NO_OPINION, d.kind());
        assertEquals("RBAC: clusterroles.rbac.authorization.k8s.io \"gone\" not found", d.reason());
        roleBinding("ns", "dangling", "Role", "gone", "{kind: User, name: alice}");
        assertEquals("RBAC: [clusterroles.rbac.authorization.k8s.io \"gone\" not found, "
                + "roles.rbac.authorization.k8s.io \"gone\" not found]",
                rbac.authorize(get(ALICE, "pods", "", "ns", "p")).reason());
    }

    @Test
    void changesAndRelistsTakeEffect() {
        clusterRole("reader", "{apiGroups: [''], resources: [pods], verbs: [get]}");
        ObjectNode binding = clusterRoleBinding("read", "reader", "{kind: User, name: alice}");
        assertTrue(rbac.authorize(get(ALICE, "pods", "", "ns", "p")).allowed());

        // a changed binding is filed under its new subjects only
        ObjectNode toBob = binding.deepCopy();
        toBob.set("subjects", yaml("[{kind: User, name: bob}]"));
        policy.apply(ResourceTypes.CLUSTERROLEBINDINGS, WatchEventType.MODIFIED, toBob);
        assertFalse(rbac.authorize(get(ALICE, "pods", "", "ns", "p")).allowed());
        assertTrue(rbac.authorize(get(BOB, "pods", "", "ns", "p")).allowed());

        policy.apply(ResourceTypes.CLUSTERROLEBINDINGS, WatchEventType.DELETED, toBob);
        assertFalse(rbac.authorize(get(BOB, "pods", "", "ns", "p")).allowed());

        // a relist keeps what it lists and forgets the rest
        policy.apply(ResourceTypes.CLUSTERROLEBINDINGS, WatchEventType.ADDED, toBob);
        policy.replace(ResourceTypes.CLUSTERROLEBINDINGS, new ObjectList(List.of(binding), 0));
        assertTrue(rbac.authorize(get(ALICE, "pods", "", "ns", "p")).allowed());
        assertFalse(rbac.authorize(get(BOB, "pods", "", "ns", "p")).allowed());
        policy.replace(ResourceTypes.CLUSTERROLES, new ObjectList(List.of(), 0));
        assertFalse(rbac.authorize(get(ALICE, "pods", "", "ns", "p")).allowed());
    }

    @Test
    void rulesForListsTheUsersRulesInANamespace() {
        clusterRole("reader", "{apiGroups: [''], resources: [pods], verbs: [get]}",
                "{nonResourceURLs: [/healthz], verbs: [get]}");
        role("ns1", "cm", "{apiGroups: [''], resources: [configmaps], resourceNames: [a], verbs: [update]}");
        clusterRoleBinding("read", "reader", "{kind: Group, name: devs}");
        roleBinding("ns1", "cm", "Role", "cm", "{kind: User, name: bob}");
        roleBinding("ns1", "dangling", "Role", "missing", "{kind: User, name: bob}");

        RbacAuthorizer.Rules rules = rbac.rulesFor(BOB, "ns1");
        assertEquals(List.of(
                new RbacAuthorizer.ResourceRuleInfo(List.of("get"), List.of(""), List.of("pods"), List.of()),
                new RbacAuthorizer.ResourceRuleInfo(List.of("update"), List.of(""), List.of("configmaps"), List.of("a"))),
                rules.resourceRules());
        assertEquals(List.of(new RbacAuthorizer.NonResourceRuleInfo(List.of("get"), List.of("/healthz"))),
                rules.nonResourceRules());
        assertTrue(rules.incomplete());
        assertEquals("roles.rbac.authorization.k8s.io \"missing\" not found", rules.evaluationError());
        assertEquals(1, rbac.rulesFor(BOB, "").resourceRules().size(), "cluster-wide: the ClusterRoleBinding's only");
    }

    private void clusterRole(String name, String... rules) {
        put(ResourceTypes.CLUSTERROLES, "{metadata: {name: '" + name + "'}, rules: [" + String.join(",", rules) + "]}");
    }

    private void role(String ns, String name, String... rules) {
        put(ResourceTypes.ROLES, "{metadata: {namespace: " + ns + ", name: '" + name + "'}, rules: ["
                + String.join(",", rules) + "]}");
    }

    private ObjectNode clusterRoleBinding(String name, String role, String... subjects) {
        return put(ResourceTypes.CLUSTERROLEBINDINGS, "{metadata: {name: '" + name + "'}, roleRef: {apiGroup: "
                + "rbac.authorization.k8s.io, kind: ClusterRole, name: '" + role + "'}, subjects: ["
                + String.join(",", subjects) + "]}");
    }

    private void roleBinding(String ns, String name, String roleKind, String role, String... subjects) {
        put(ResourceTypes.ROLEBINDINGS, "{metadata: {namespace: " + ns + ", name: '" + name + "'}, roleRef: {apiGroup: "
                + "rbac.authorization.k8s.io, kind: " + roleKind + ", name: '" + role + "'}, subjects: ["
                + String.join(",", subjects) + "]}");
    }

    private ObjectNode put(ResourceType type, String yaml) {
        ObjectNode object = (ObjectNode) yaml(yaml);
        policy.apply(type, WatchEventType.ADDED, object);
        return object;
    }

    private static com.fasterxml.jackson.databind.JsonNode yaml(String text) {
        try {
            return KubusJson.yaml().readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    static UserInfo user(String name, String... groups) {
        List<String> all = new java.util.ArrayList<>(List.of(groups));
        all.add(UserInfo.ALL_AUTHENTICATED);
        return new UserInfo(name, "", all, Map.of());
    }

    private static RequestAttributes get(UserInfo user, String resource, String sub, String ns, String name) {
        return res(user, "get", "", resource, sub, ns, name);
    }

    private static RequestAttributes res(UserInfo user, String verb, String group, String resource, String sub,
                                         String ns, String name) {
        return RequestAttributes.resource(user, verb, group, "v1", resource, sub, ns, name);
    }
}

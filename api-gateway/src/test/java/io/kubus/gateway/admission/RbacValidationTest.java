package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.api.ApiException;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.kubus.gateway.admission.Fixtures.assertInvalid;
import static io.kubus.gateway.admission.Fixtures.create;
import static io.kubus.gateway.admission.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * ServiceAccounts and the four RBAC kinds through the gateway's admission chain: Kubernetes 1.32's defaults
 * (SetDefaults_RoleBinding, SetDefaults_Subject), cleanSecretReferences, and the messages of ValidateServiceAccount and
 * pkg/apis/rbac/validation, field by field.
 */
class RbacValidationTest {
    private static final String GROUP = "rbac.authorization.k8s.io";
    private static final String SUBDOMAIN = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
            + "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "
            + "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    private static ObjectNode serviceAccount(String name) {
        return json("{'apiVersion':'v1','kind':'ServiceAccount','metadata':{'name':'" + name + "','namespace':'default'}}");
    }

    private static ObjectNode role(String rules) {
        return json("{'apiVersion':'rbac.authorization.k8s.io/v1','kind':'Role',"
                + "'metadata':{'name':'pod-reader','namespace':'default'},'rules':" + rules + "}");
    }

    private static ObjectNode clusterRole(String rest) {
        return json("{'apiVersion':'rbac.authorization.k8s.io/v1','kind':'ClusterRole','metadata':{'name':'viewer'}"
                + (rest.isEmpty() ? "" : "," + rest) + "}");
    }

    private static ObjectNode roleBinding(String roleRef, String subjects) {
        return json("{'apiVersion':'rbac.authorization.k8s.io/v1','kind':'RoleBinding',"
                + "'metadata':{'name':'read-pods','namespace':'default'},'roleRef':" + roleRef + ",'subjects':" + subjects + "}");
    }

    private static ObjectNode clusterRoleBinding(String roleRef, String subjects) {
        return json("{'apiVersion':'rbac.authorization.k8s.io/v1','kind':'ClusterRoleBinding',"
                + "'metadata':{'name':'read-nodes'},'roleRef':" + roleRef + ",'subjects':" + subjects + "}");
    }

    private static ObjectNode update(ResourceType type, ObjectNode now, ObjectNode old) {
        return Fixtures.admit(type, now, old, FieldValidation.STRICT, new ArrayList<>());
    }

    /** Every cause of a refusal, as "field: message", in order. */
    private static List<String> causes(ResourceType type, ObjectNode object, ObjectNode old) {
        ApiException e = Fixtures.refuse(type, object, old);
        assertEquals(422, e.code(), e.getMessage());
        return e.status().getDetails().getCauses().stream().map(c -> c.getField() + ": " + c.getMessage()).toList();
    }

    // ---- ServiceAccounts

    @Test
    void serviceAccountNamesAreDnsSubdomains() {
        assertEquals("builder.ci", create(ResourceTypes.SERVICEACCOUNTS, serviceAccount("builder.ci")).at("/metadata/name").asText());
        assertInvalid(ResourceTypes.SERVICEACCOUNTS, serviceAccount("Builder_1"), "metadata.name",
                "Invalid value: \"Builder_1\": " + SUBDOMAIN);
    }

    @Test
    void secretReferencesKeepOnlyTheirNames() {
        ObjectNode sa = serviceAccount("builder");
        sa.set("secrets", json("{'s':[{'name':'token','namespace':'other','kind':'Secret','uid':'u-1'},{'name':'pull'}]}").get("s"));
        sa.set("imagePullSecrets", json("{'s':[{'name':'registry'}]}").get("s"));
        sa.put("automountServiceAccountToken", false);
        ObjectNode created = create(ResourceTypes.SERVICEACCOUNTS, sa);
        assertEquals(json("{'s':[{'name':'token'},{'name':'pull'}]}").get("s"), created.get("secrets"));
        assertEquals("registry", created.at("/imagePullSecrets/0/name").asText());
        assertEquals(false, created.get("automountServiceAccountToken").asBoolean(true));

        ObjectNode changed = created.deepCopy();
        changed.set("secrets", json("{'s':[{'name':'token2','namespace':'elsewhere'}]}").get("s"));
        assertEquals(json("{'s':[{'name':'token2'}]}").get("s"), update(ResourceTypes.SERVICEACCOUNTS, changed, created).get("secrets"));
    }

    // ---- Roles and ClusterRoles

    @Test
    void rbacNamesArePathSegments() {
        ObjectNode colon = clusterRole("");
        ((ObjectNode) colon.get("metadata")).put("name", "system:controller:Job_Controller");
        assertEquals("system:controller:Job_Controller", create(ResourceTypes.CLUSTERROLES, colon).at("/metadata/name").asText());
        ObjectNode slash = role("[]");
        ((ObjectNode) slash.get("metadata")).put("name", "a/b%c");
        assertEquals(List.of("metadata.name: Invalid value: \"a/b%c\": may not contain '/'",
                "metadata.name: Invalid value: \"a/b%c\": may not contain '%'"), causes(ResourceTypes.ROLES, slash, null));
        ObjectNode dots = clusterRole("");
        ((ObjectNode) dots.get("metadata")).put("name", "..");
        assertInvalid(ResourceTypes.CLUSTERROLES, dots, "metadata.name", "Invalid value: \"..\": may not be '..'");
    }

    @Test
    void aRuleNeedsVerbsAndResourcesInApiGroups() {
        ObjectNode ok = create(ResourceTypes.ROLES, role("[{'apiGroups':[''],'resources':['pods'],'verbs':['get','list']}]"));
        assertEquals("pods", ok.at("/rules/0/resources/0").asText());
        assertEquals("", ok.at("/rules/0/apiGroups/0").asText(), "the core group is the empty string");
        assertEquals(List.of(
                        "rules[0].verbs: Required value: verbs must contain at least one value",
                        "rules[1].apiGroups: Required value: resource rules must supply at least one api group",
                        "rules[2].resources: Required value: resource rules must supply at least one resource"),
                causes(ResourceTypes.ROLES, role("[{'apiGroups':[''],'resources':['pods']},"
                        + "{'resources':['pods'],'verbs':['get']},{'apiGroups':['apps'],'verbs':['get']}]"), null));
        // several resources with resource names are allowed (a rule may grant one name in several kinds)
        create(ResourceTypes.ROLES, role("[{'apiGroups':[''],'resources':['pods','services'],'resourceNames':['web'],'verbs':['get']}]"));
    }

    @Test
    void nonResourceUrlsAreForClusterRolesAlone() {
        ObjectNode healthz = create(ResourceTypes.CLUSTERROLES, clusterRole("'rules':[{'nonResourceURLs':['/healthz','/version'],'verbs':['get']}]"));
        assertEquals("/version", healthz.at("/rules/0/nonResourceURLs/1").asText());
        assertEquals(List.of("rules[0].nonResourceURLs: Invalid value: []string{\"/healthz\"}: namespaced rules cannot apply to non-resource URLs"),
                causes(ResourceTypes.ROLES, role("[{'nonResourceURLs':['/healthz'],'verbs':['get']}]"), null));
        assertEquals(List.of("rules[0].nonResourceURLs: Invalid value: []string{\"/healthz\"}: rules cannot apply to both "
                        + "regular resources and non-resource URLs"),
                causes(ResourceTypes.CLUSTERROLES, clusterRole("'rules':[{'nonResourceURLs':['/healthz'],'resources':['pods'],'verbs':['get']}]"), null));
    }

    @Test
    void anAggregationRuleNeedsValidSelectors() {
        ObjectNode aggregated = create(ResourceTypes.CLUSTERROLES, clusterRole(
                "'aggregationRule':{'clusterRoleSelectors':[{'matchLabels':{'rbac.example.com/aggregate-to-view':'true'}}]}"));
        assertEquals("true", aggregated.at("/aggregationRule/clusterRoleSelectors/0/matchLabels/rbac.example.com~1aggregate-to-view").asText());
        assertEquals(List.of("aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector "
                        + "required if aggregationRule is non-nil"),
                causes(ResourceTypes.CLUSTERROLES, clusterRole("'aggregationRule':{}"), null));
        assertEquals(List.of(
                        "aggregationRule.clusterRoleSelectors[0].matchLabels: Invalid value: \"bad key\": name part must consist of "
                                + "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character "
                                + "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
                                + "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
                        "aggregationRule.clusterRoleSelectors[0]: Invalid value: \"null\": invalid label selector."),
                causes(ResourceTypes.CLUSTERROLES, clusterRole("'aggregationRule':{'clusterRoleSelectors':[{'matchLabels':{'bad key':'x'}}]}"), null));
        assertInvalid(ResourceTypes.CLUSTERROLES, clusterRole("'aggregationRule':{'clusterRoleSelectors':[{},"
                        + "{'matchExpressions':[{'key':'tier','operator':'Near','values':['a']}]}]}"),
                "aggregationRule.clusterRoleSelectors[1].matchExpressions[0].operator", "Invalid value: \"Near\": not a valid selector operator");
    }

    // ---- RoleBindings and ClusterRoleBindings

    @Test
    void bindingsDefaultTheRbacGroupWhereOnlyItCanBeMeant() {
        ObjectNode rb = create(ResourceTypes.ROLEBINDINGS, roleBinding("{'kind':'Role','name':'pod-reader'}",
                "[{'kind':'User','name':'jane'},{'kind':'Group','name':'ops'},{'kind':'ServiceAccount','name':'builder'}]"));
        assertEquals(GROUP, rb.at("/roleRef/apiGroup").asText());
        assertEquals(GROUP, rb.at("/subjects/0/apiGroup").asText());
        assertEquals(GROUP, rb.at("/subjects/1/apiGroup").asText());
        assertEquals("", rb.at("/subjects/2/apiGroup").asText(""), "a ServiceAccount is in the core group");
        assertEquals("", rb.at("/subjects/2/namespace").asText(""), "a RoleBinding's own namespace is meant");
    }

    @Test
    void aRoleRefNamesARoleKindOfTheRbacGroup() {
        assertEquals(List.of(
                        "roleRef.apiGroup: Unsupported value: \"example.com\": supported values: \"rbac.authorization.k8s.io\"",
                        "roleRef.kind: Unsupported value: \"Foo\": supported values: \"Role\", \"ClusterRole\"",
                        "roleRef.name: Invalid value: \"a/b\": may not contain '/'"),
                causes(ResourceTypes.ROLEBINDINGS, roleBinding("{'apiGroup':'example.com','kind':'Foo','name':'a/b'}", "[]"), null));
        assertEquals(List.of(
                        "roleRef.kind: Unsupported value: \"Role\": supported values: \"ClusterRole\"",
                        "roleRef.name: Required value"),
                causes(ResourceTypes.CLUSTERROLEBINDINGS, clusterRoleBinding("{'kind':'Role'}", "[]"), null));
        assertEquals(List.of(
                        "roleRef.kind: Unsupported value: \"\": supported values: \"Role\", \"ClusterRole\"",
                        "roleRef.name: Required value"),
                causes(ResourceTypes.ROLEBINDINGS, json("{'apiVersion':'rbac.authorization.k8s.io/v1','kind':'RoleBinding',"
                        + "'metadata':{'name':'x','namespace':'default'}}"), null));
    }

    @Test
    void subjectsByKind() {
        assertEquals(List.of(
                        "subjects[0].name: Invalid value: \"Builder\": " + SUBDOMAIN,
                        "subjects[0].apiGroup: Unsupported value: \"rbac.authorization.k8s.io\": supported values: \"\"",
                        "subjects[1].apiGroup: Unsupported value: \"example.com\": supported values: \"rbac.authorization.k8s.io\"",
                        "subjects[2].name: Required value",
                        "subjects[3].kind: Unsupported value: \"Robot\": supported values: \"ServiceAccount\", \"User\", \"Group\""),
                causes(ResourceTypes.ROLEBINDINGS, roleBinding("{'kind':'ClusterRole','name':'view'}",
                        "[{'kind':'ServiceAccount','name':'Builder','apiGroup':'rbac.authorization.k8s.io'},"
                                + "{'kind':'Group','name':'ops','apiGroup':'example.com'},{'kind':'User'},"
                                + "{'kind':'Robot','name':'r2'}]"), null));
        // a ClusterRoleBinding has no namespace of its own for a ServiceAccount to be in
        assertEquals(List.of("subjects[0].namespace: Required value"), causes(ResourceTypes.CLUSTERROLEBINDINGS,
                clusterRoleBinding("{'kind':'ClusterRole','name':'view'}", "[{'kind':'ServiceAccount','name':'builder'}]"), null));
        create(ResourceTypes.CLUSTERROLEBINDINGS, clusterRoleBinding("{'kind':'ClusterRole','name':'view'}",
                "[{'kind':'ServiceAccount','name':'builder','namespace':'ci'}]"));
    }

    @Test
    void theRoleRefNeverChangesButTheSubjectsMay() {
        ObjectNode old = create(ResourceTypes.ROLEBINDINGS, roleBinding("{'kind':'Role','name':'pod-reader'}",
                "[{'kind':'User','name':'jane'}]"));
        ObjectNode moreSubjects = old.deepCopy();
        ((ArrayNode) moreSubjects.get("subjects")).add(json("{'kind':'User','name':'joe'}"));
        JsonNode updated = update(ResourceTypes.ROLEBINDINGS, moreSubjects, old);
        assertEquals("joe", updated.at("/subjects/1/name").asText());

        ObjectNode otherRole = old.deepCopy();
        ((ObjectNode) otherRole.get("roleRef")).put("name", "pod-writer");
        assertInvalid(ResourceTypes.ROLEBINDINGS, otherRole, old, "roleRef",
                "Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"Role\", Name:\"pod-writer\"}: "
                        + "cannot change roleRef");
        ObjectNode crbOld = create(ResourceTypes.CLUSTERROLEBINDINGS, clusterRoleBinding("{'kind':'ClusterRole','name':'view'}", "[]"));
        ObjectNode crbNew = crbOld.deepCopy();
        ((ObjectNode) crbNew.get("roleRef")).put("name", "edit");
        assertInvalid(ResourceTypes.CLUSTERROLEBINDINGS, crbNew, crbOld, "roleRef",
                "Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"ClusterRole\", Name:\"edit\"}: "
                        + "cannot change roleRef");
    }
}

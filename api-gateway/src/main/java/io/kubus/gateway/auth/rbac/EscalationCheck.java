package io.kubus.gateway.auth.rbac;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.admission.AdmissionPlugin;
import io.kubus.gateway.admission.AdmissionRequest;
import io.kubus.gateway.auth.Authorization;
import io.kubus.gateway.auth.RequestAttributes;
import io.kubus.gateway.auth.UserInfo;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.GoQuote;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * RBAC's escalation prevention (kube's pkg/registry/rbac policybased storages): nobody grants what they do not hold.
 * A Role or ClusterRole is written only by a user who holds every one of its rules (in its namespace, or cluster-wide)
 * or may {@code escalate} it; a RoleBinding or ClusterRoleBinding only by one who holds every rule of the role it
 * refers to (where the binding applies) or may {@code bind} that role; an aggregationRule only by one who holds
 * everything. {@code system:masters} may do all of it. An update is checked only when it changes what is granted
 * (rules, aggregationRule, subjects or roleRef), so labels can be changed by anyone who may update.
 */
@Singleton
@Requires(env = GatewayApplication.ENVIRONMENT)
public class EscalationCheck implements AdmissionPlugin {
    private static final Set<ResourceType> ROLES = Set.of(ResourceTypes.ROLES, ResourceTypes.CLUSTERROLES);
    private static final Set<ResourceType> BINDINGS = Set.of(ResourceTypes.ROLEBINDINGS, ResourceTypes.CLUSTERROLEBINDINGS);
    private static final List<PolicyRule> FULL_AUTHORITY = List.of(
            PolicyRules.rule(List.of("*"), List.of("*"), List.of(), List.of(), List.of("*")),
            PolicyRules.rule(List.of(), List.of(), List.of(), List.of("*"), List.of("*")));

    private final RbacPolicy policy;
    private final Authorization authorization;

    public EscalationCheck(RbacPolicy policy, Authorization authorization) {
        this.policy = policy;
        this.authorization = authorization;
    }

    @Override
    public void validate(AdmissionRequest request) {
        boolean role = ROLES.contains(request.type());
        if (!role && !BINDINGS.contains(request.type()) || request.user().inGroup(UserInfo.MASTERS)) {
            return;
        }
        List<String> granting = role ? List.of("rules", "aggregationRule") : List.of("subjects", "roleRef");
        if (!request.isCreate() && granting.stream().allMatch(f -> request.object().path(f).equals(request.old().path(f)))) {
            return;
        }
        String namespace = request.object().path("metadata").path("namespace").asText("");
        String name = request.object().path("metadata").path("name").asText("");
        if (role) {
            checkRole(request, namespace, name);
        } else {
            checkBinding(request, namespace);
        }
    }

    private void checkRole(AdmissionRequest request, String namespace, String name) {
        if (allowed(request.user(), "escalate", request.type().plural(), namespace, name)) {
            return;
        }
        if (request.object().hasNonNull("aggregationRule")
                && !PolicyRules.uncovered(held(request.user(), namespace).rules(), FULL_AUTHORITY).isEmpty()) {
            throw request.forbidden("must have cluster-admin privileges to use the aggregationRule");
        }
        confirmNoEscalation(request, namespace, PolicyReconciliation.rules(request.object().path("rules")));
    }

    private void checkBinding(AdmissionRequest request, String namespace) {
        RoleRef ref = KubusJson.json().convertValue(request.object().path("roleRef"), RoleRef.class);
        String resource = "ClusterRole".equals(ref.getKind()) ? "clusterroles" : "roles";
        if (allowed(request.user(), "bind", resource, namespace, ref.getName())) {
            return;
        }
        List<PolicyRule> rules = policy.roleRules(namespace, ref)
                .orElseThrow(() -> request.forbidden(RbacPolicy.roleRefError(ref)));
        confirmNoEscalation(request, namespace, rules);
    }

    /** Whether the user may use a special verb on the role (RoleEscalationAuthorized, BindingAuthorized). */
    private boolean allowed(UserInfo user, String verb, String resource, String namespace, String name) {
        return authorization.authorize(RequestAttributes.resource(user, verb, "rbac.authorization.k8s.io", "*",
                resource, "", namespace, name)).allowed();
    }

    /** ConfirmNoEscalation: every rule to grant is covered by one the user holds, or kube's Forbidden names the rest. */
    private void confirmNoEscalation(AdmissionRequest request, String namespace, List<PolicyRule> rules) {
        Held held = held(request.user(), namespace);
        List<PolicyRule> missing = PolicyRules.uncovered(held.rules(), rules);
        if (missing.isEmpty()) {
            return;
        }
        String described = compact(missing).stream().map(EscalationCheck::compactString)
                .collect(Collectors.toCollection(TreeSet::new)).stream().collect(Collectors.joining("\n"));
        String message = "user " + GoQuote.quote(request.user().name()) + " (groups="
                + request.user().groups().stream().map(GoQuote::quote).collect(Collectors.joining(" ", "[", "]"))
                + ") is attempting to grant RBAC permissions not currently held:\n" + described;
        if (!held.errors().isEmpty()) {
            message += "; resolution errors: [" + String.join(" ", held.errors()) + "]";
        }
        throw request.forbidden(message);
    }

    private record Held(List<PolicyRule> rules, List<String> errors) {
    }

    private Held held(UserInfo user, String namespace) {
        List<PolicyRule> rules = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        policy.visitRulesFor(user, namespace, (source, rule, error) -> {
            if (error != null) {
                errors.add(error);
            } else {
                rules.add(rule);
            }
            return true;
        });
        return new Held(rules, errors);
    }

    /** CompactRules: single-group, single-resource rules without names that differ only by verb become one. */
    private static List<PolicyRule> compact(List<PolicyRule> rules) {
        Map<List<String>, PolicyRule> simple = new LinkedHashMap<>();
        List<PolicyRule> out = new ArrayList<>();
        for (PolicyRule r : rules) {
            List<String> groups = PolicyRules.list(r.getApiGroups());
            List<String> resources = PolicyRules.list(r.getResources());
            if (groups.size() == 1 && resources.size() == 1 && PolicyRules.list(r.getResourceNames()).isEmpty()
                    && PolicyRules.list(r.getNonResourceURLs()).isEmpty()) {
                PolicyRule merged = simple.computeIfAbsent(List.of(groups.getFirst(), resources.getFirst()),
                        k -> PolicyRules.rule(groups, resources, List.of(), List.of(), List.of()));
                PolicyRules.list(r.getVerbs()).forEach(v -> {
                    if (!merged.getVerbs().contains(v)) {
                        merged.getVerbs().add(v);
                    }
                });
            } else {
                out.add(r);
            }
        }
        out.addAll(simple.values());
        return out;
    }

    /** rbacv1helpers.CompactString: {@code {APIGroups:["apps"], Resources:["deployments"], Verbs:["delete"]}}. */
    private static String compactString(PolicyRule r) {
        List<String> parts = new ArrayList<>();
        field(parts, "APIGroups", r.getApiGroups());
        field(parts, "Resources", r.getResources());
        field(parts, "NonResourceURLs", r.getNonResourceURLs());
        field(parts, "ResourceNames", r.getResourceNames());
        field(parts, "Verbs", r.getVerbs());
        return "{" + String.join(", ", parts) + "}";
    }

    private static void field(List<String> parts, String name, List<String> values) {
        if (values != null && !values.isEmpty()) {
            parts.add(name + ":" + values.stream().map(GoQuote::quote).collect(Collectors.joining(" ", "[", "]")));
        }
    }
}

package io.kubus.gateway.auth.rbac;

import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.auth.Authorizer;
import io.kubus.gateway.auth.RequestAttributes;
import io.kubus.gateway.auth.UserInfo;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.List;

/**
 * RBAC authorization as kube-apiserver's RBAC authorizer (plugin/pkg/auth/authorizer/rbac/rbac.go): a request is
 * allowed when a rule of a role bound to its user allows it (ClusterRoleBindings everywhere, RoleBindings in their
 * namespace); otherwise RBAC has no opinion, and the next authorizer, or the default deny, decides.
 */
@Singleton
@Requires(env = GatewayApplication.ENVIRONMENT)
@io.micronaut.core.annotation.Order(2)
public class RbacAuthorizer implements Authorizer {
    private final RbacPolicy policy;

    public RbacAuthorizer(RbacPolicy policy) {
        this.policy = policy;
    }

    /**
     * Allows with the reason naming the binding, role and subject of the first rule that allows; without one, no
     * opinion, whose reason lists the bindings whose role is missing (as kube's does), or is empty.
     */
    @Override
    public Decision authorize(RequestAttributes request) {
        String[] allowedBy = new String[1];
        List<String> errors = new ArrayList<>(0);
        policy.visitRulesFor(request.user(), request.namespace(), (source, rule, error) -> {
            if (error != null) {
                errors.add(error);
                return true;
            }
            if (PolicyRules.allows(request, rule)) {
                allowedBy[0] = source.describe();
                return false;
            }
            return true;
        });
        if (allowedBy[0] != null) {
            return Decision.allow("RBAC: allowed by " + allowedBy[0]);
        }
        return Decision.noOpinion(errors.isEmpty() ? "" : "RBAC: " + aggregate(errors));
    }

    /** utilerrors.NewAggregate's text: one error as it is, several in brackets. */
    private static String aggregate(List<String> errors) {
        return errors.size() == 1 ? errors.getFirst() : "[" + String.join(", ", errors) + "]";
    }

    /**
     * RulesFor: what the user may do in the namespace ("" for cluster-wide only), as SelfSubjectRulesReview and
     * {@code kubectl auth can-i --list} show it; incomplete when a binding's role is missing.
     */
    public Rules rulesFor(UserInfo user, String namespace) {
        List<ResourceRuleInfo> resources = new ArrayList<>();
        List<NonResourceRuleInfo> nonResources = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        policy.visitRulesFor(user, namespace, (source, rule, error) -> {
            if (error != null) {
                errors.add(error);
                return true;
            }
            if (!PolicyRules.list(rule.getResources()).isEmpty()) {
                resources.add(new ResourceRuleInfo(list(rule.getVerbs()), list(rule.getApiGroups()),
                        list(rule.getResources()), list(rule.getResourceNames())));
            }
            if (!PolicyRules.list(rule.getNonResourceURLs()).isEmpty()) {
                nonResources.add(new NonResourceRuleInfo(list(rule.getVerbs()), list(rule.getNonResourceURLs())));
            }
            return true;
        });
        return new Rules(resources, nonResources, !errors.isEmpty(),
                errors.isEmpty() ? "" : aggregate(errors));
    }

    private static List<String> list(List<String> values) {
        return List.copyOf(PolicyRules.list(values));
    }

    /** authorizer.ResourceRuleInfo: SelfSubjectRulesReview's status.resourceRules[]. */
    public record ResourceRuleInfo(List<String> verbs, List<String> apiGroups, List<String> resources,
                                   List<String> resourceNames) {
    }

    /** authorizer.NonResourceRuleInfo: SelfSubjectRulesReview's status.nonResourceRules[]. */
    public record NonResourceRuleInfo(List<String> verbs, List<String> nonResourceURLs) {
    }

    /** SelfSubjectRulesReview's status: the rules, whether they are incomplete, and why. */
    public record Rules(List<ResourceRuleInfo> resourceRules, List<NonResourceRuleInfo> nonResourceRules,
                        boolean incomplete, String evaluationError) {
    }
}

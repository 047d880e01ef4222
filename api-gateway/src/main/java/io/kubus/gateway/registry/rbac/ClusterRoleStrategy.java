package io.kubus.gateway.registry.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.LabelSelectors;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.selector.SelectorException;
import io.kubus.schema.validation.ErrorList;
import jakarta.inject.Singleton;

/**
 * ClusterRoles (pkg/registry/rbac/clusterrole): cluster-wide rules, and an aggregation rule whose selectors pick the
 * ClusterRoles whose rules this one gathers (the clusterrole-aggregation controller in workload-controllers does).
 */
@Singleton
public class ClusterRoleStrategy extends PolicyRuleStrategy {
    @Override
    public ResourceType type() {
        return ResourceTypes.CLUSTERROLES;
    }

    /**
     * An aggregation rule, when there is one, has at least one selector, each a valid label selector. A selector that
     * LabelSelectorAsSelector cannot convert gets a second error on the whole selector, whose value Kubernetes prints
     * as "null" (the failed conversion's nil result).
     */
    @Override
    public void validate(ObjectNode role, ErrorList errs) {
        super.validate(role, errs);
        if (!(role.get("aggregationRule") instanceof ObjectNode rule)) {
            return;
        }
        JsonNode selectors = rule.path("clusterRoleSelectors");
        if (JsonTree.isEmpty(selectors)) {
            errs.required("aggregationRule.clusterRoleSelectors",
                    "at least one clusterRoleSelector required if aggregationRule is non-nil");
        }
        for (int i = 0; i < selectors.size(); i++) {
            String path = "aggregationRule.clusterRoleSelectors[" + i + "]";
            errs.addAll(LabelSelectors.validate(selectors.get(i), path));
            try {
                LabelSelectors.of(selectors.get(i));
            } catch (SelectorException e) {
                errs.invalid(path, "null", "invalid label selector.");
            }
        }
    }
}

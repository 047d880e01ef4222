package io.kubus.gateway.registry.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.ErrorList.GoValue;
import io.kubus.schema.validation.GoQuote;

import java.util.ArrayList;
import java.util.List;

/**
 * Roles and ClusterRoles: lists of policy rules (ValidatePolicyRule). kube-apiserver has no columns of its own for
 * them, so they keep the default printer (Name, Created At).
 */
abstract class PolicyRuleStrategy extends RbacStrategy {

    /** Each rule names its verbs, and either resources in API groups or, in a ClusterRole only, non-resource URLs. */
    @Override
    public void validate(ObjectNode role, ErrorList errs) {
        JsonNode rules = role.path("rules");
        for (int i = 0; i < rules.size(); i++) {
            JsonNode rule = rules.get(i);
            String path = "rules[" + i + "]";
            if (JsonTree.isEmpty(rule.get("verbs"))) {
                errs.required(path + ".verbs", "verbs must contain at least one value");
            }
            List<String> urls = strings(rule.path("nonResourceURLs"));
            if (!urls.isEmpty()) {
                GoValue shown = new GoValue(GoQuote.stringSlice(urls));
                if (type().namespaced()) {
                    errs.invalid(path + ".nonResourceURLs", shown, "namespaced rules cannot apply to non-resource URLs");
                }
                if (!JsonTree.isEmpty(rule.get("apiGroups")) || !JsonTree.isEmpty(rule.get("resources"))
                        || !JsonTree.isEmpty(rule.get("resourceNames"))) {
                    errs.invalid(path + ".nonResourceURLs", shown,
                            "rules cannot apply to both regular resources and non-resource URLs");
                }
                continue;
            }
            if (JsonTree.isEmpty(rule.get("apiGroups"))) {
                errs.required(path + ".apiGroups", "resource rules must supply at least one api group");
            }
            if (JsonTree.isEmpty(rule.get("resources"))) {
                errs.required(path + ".resources", "resource rules must supply at least one resource");
            }
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(e -> out.add(e.asText()));
        return out;
    }
}

package io.kubus.gateway.auth.rbac;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.kubus.schema.KubusJson;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a bootstrap role or binding is reconciled with the stored one (pkg/registry/rbac/reconciliation, in the union
 * mode kube-apiserver's post-start hook uses): what the stored object lacks is added — labels, annotations, rules the
 * stored rules do not cover, aggregation selectors, subjects — and what users added is kept. An object annotated
 * {@code rbac.authorization.kubernetes.io/autoupdate: "false"} is left alone.
 */
final class PolicyReconciliation {
    static final String AUTOUPDATE = "rbac.authorization.kubernetes.io/autoupdate";

    private PolicyReconciliation() {
    }

    /** What a binding's reconciliation does. */
    enum Operation { NONE, UPDATE, RECREATE }

    record Result(Operation operation, ObjectNode object) {
        static Result none() {
            return new Result(Operation.NONE, null);
        }
    }

    /** computeReconciledRole: the stored ClusterRole with what the expected one adds, or NONE. */
    static Result role(ObjectNode existing, ObjectNode expected) {
        if (isProtected(existing)) {
            return Result.none();
        }
        ObjectNode next = existing.deepCopy();
        boolean changed = mergeMetadata(next, expected);
        List<PolicyRule> have = rules(existing.path("rules"));
        List<PolicyRule> missing = PolicyRules.uncovered(have, rules(expected.path("rules")));
        if (!missing.isEmpty()) {
            List<PolicyRule> all = new ArrayList<>(have);
            all.addAll(missing);
            next.set("rules", KubusJson.json().valueToTree(all));
            changed = true;
        }
        JsonNode expectedAggregation = expected.get("aggregationRule");
        if (expectedAggregation == null && next.has("aggregationRule")) {
            next.remove("aggregationRule");
            changed = true;
        } else if (expectedAggregation != null) {
            ArrayNode selectors = next.with("aggregationRule").withArray("clusterRoleSelectors");
            for (JsonNode selector : expectedAggregation.path("clusterRoleSelectors")) {
                if (!contains(selectors, selector)) {
                    selectors.add(selector.deepCopy());
                    changed = true;
                }
            }
        }
        return changed ? new Result(Operation.UPDATE, next) : Result.none();
    }

    /**
     * computeReconciledRoleBinding: a binding to another role is made anew (a roleRef never changes); otherwise the
     * stored one with the expected subjects it lacks.
     */
    static Result binding(ObjectNode existing, ObjectNode expected) {
        if (isProtected(existing)) {
            return Result.none();
        }
        if (!KubusJson.equivalent(existing.path("roleRef"), expected.path("roleRef"))) {
            return new Result(Operation.RECREATE, expected.deepCopy());
        }
        ObjectNode next = existing.deepCopy();
        boolean changed = mergeMetadata(next, expected);
        ArrayNode subjects = next.withArray("subjects");
        for (JsonNode subject : expected.path("subjects")) {
            if (!contains(subjects, subject)) {
                subjects.add(subject.deepCopy());
                changed = true;
            }
        }
        return changed ? new Result(Operation.UPDATE, next) : Result.none();
    }

    private static boolean isProtected(ObjectNode existing) {
        return "false".equals(existing.path("metadata").path("annotations").path(AUTOUPDATE).asText(null));
    }

    /** merge(expected, existing): the expected labels and annotations the stored object lacks; its own win. */
    private static boolean mergeMetadata(ObjectNode object, ObjectNode expected) {
        boolean changed = false;
        for (String field : List.of("labels", "annotations")) {
            ObjectNode have = object.with("metadata").with(field);
            for (Iterator<Map.Entry<String, JsonNode>> it = expected.path("metadata").path(field).fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!have.has(e.getKey())) {
                    have.set(e.getKey(), e.getValue());
                    changed = true;
                }
            }
        }
        return changed;
    }

    private static boolean contains(ArrayNode array, JsonNode value) {
        for (JsonNode e : array) {
            if (KubusJson.equivalent(e, value)) {
                return true;
            }
        }
        return false;
    }

    static List<PolicyRule> rules(JsonNode rules) {
        return rules.isArray() ? KubusJson.json().convertValue(rules, new TypeReference<>() { }) : List.of();
    }
}

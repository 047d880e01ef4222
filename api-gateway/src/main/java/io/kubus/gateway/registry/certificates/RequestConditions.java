package io.kubus.gateway.registry.certificates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.JsonTree;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What the approval and status subresources of a request do to its conditions before it is validated (kube's
 * preserveConditionInstances and populateConditionTimestamps): each path keeps the conditions it may not write as
 * stored, and every condition gets its times.
 */
final class RequestConditions {
    private RequestConditions() {
    }

    /**
     * Puts the stored conditions of {@code types} back in place of the new ones, when there are as many of them;
     * false when the update added or removed some (then nothing is preserved, for validation to judge).
     */
    static boolean preserve(ObjectNode next, JsonNode old, Set<String> types) {
        List<Integer> oldAt = indices(old, types);
        List<Integer> nextAt = indices(next, types);
        if (oldAt.size() != nextAt.size()) {
            return false;
        }
        for (int i = 0; i < oldAt.size(); i++) {
            ((ArrayNode) next.path("status").path("conditions")).set(nextAt.get(i),
                    old.path("status").path("conditions").get(oldAt.get(i)).deepCopy());
        }
        return true;
    }

    /**
     * lastUpdateTime is now when unset; lastTransitionTime, when unset, is that of the stored condition of the same
     * type and status, else now.
     */
    static void populateTimestamps(ObjectNode next, JsonNode old, String now) {
        for (JsonNode c : next.path("status").path("conditions")) {
            if (!(c instanceof ObjectNode condition)) {
                continue;
            }
            if (JsonTree.text(condition, "lastUpdateTime").isEmpty()) {
                condition.put("lastUpdateTime", now);
            }
            if (JsonTree.text(condition, "lastTransitionTime").isEmpty()) {
                String transition = now;
                for (JsonNode before : old.path("status").path("conditions")) {
                    if (JsonTree.text(before, "type").equals(JsonTree.text(condition, "type"))
                            && JsonTree.text(before, "status").equals(JsonTree.text(condition, "status"))
                            && !JsonTree.text(before, "lastTransitionTime").isEmpty()) {
                        transition = JsonTree.text(before, "lastTransitionTime");
                        break;
                    }
                }
                condition.put("lastTransitionTime", transition);
            }
        }
    }

    private static List<Integer> indices(JsonNode csr, Set<String> types) {
        List<Integer> out = new ArrayList<>();
        JsonNode conditions = csr.path("status").path("conditions");
        for (int i = 0; i < conditions.size(); i++) {
            if (types.contains(JsonTree.text(conditions.get(i), "type"))) {
                out.add(i);
            }
        }
        return out;
    }
}

package io.kubus.schema.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The PodDisruptionBudget status rules that the eviction subresource (api-gateway) and the disruption controller
 * (workload-controllers) share, as Kubernetes keeps them in component-helpers/apps/poddisruptionbudget: the
 * {@code DisruptionAllowed} condition follows {@code status.disruptionsAllowed}. They work on the JSON of a status.
 */
public final class DisruptionBudgets {
    public static final String DISRUPTION_ALLOWED = "DisruptionAllowed";
    public static final String SUFFICIENT_PODS = "SufficientPods";
    public static final String INSUFFICIENT_PODS = "InsufficientPods";
    public static final String SYNC_FAILED = "SyncFailed";

    private DisruptionBudgets() {
    }

    /** UpdateDisruptionAllowedCondition: True with SufficientPods while disruptions are allowed, else InsufficientPods. */
    public static void updateDisruptionAllowedCondition(ObjectNode status, Instant now) {
        boolean allowed = status.path("disruptionsAllowed").asLong(0) > 0;
        setCondition(status, DISRUPTION_ALLOWED, allowed ? "True" : "False",
                allowed ? SUFFICIENT_PODS : INSUFFICIENT_PODS, "", status.path("observedGeneration").asLong(0), now);
    }

    /**
     * meta.SetStatusCondition on {@code status.conditions}: a new condition is added; an existing one of the type
     * takes the reason, message and observedGeneration, and its lastTransitionTime moves only when its status does.
     */
    public static void setCondition(ObjectNode status, String type, String conditionStatus, String reason,
                                    String message, long observedGeneration, Instant now) {
        ArrayNode conditions = status.get("conditions") instanceof ArrayNode a ? a : status.putArray("conditions");
        ObjectNode condition = null;
        for (JsonNode c : conditions) {
            if (type.equals(c.path("type").asText()) && c instanceof ObjectNode o) {
                condition = o;
                break;
            }
        }
        if (condition == null) {
            condition = conditions.addObject();
            condition.put("type", type);
        }
        if (!conditionStatus.equals(condition.path("status").asText()) || !condition.hasNonNull("lastTransitionTime")) {
            condition.put("lastTransitionTime", now.truncatedTo(ChronoUnit.SECONDS).toString());
        }
        condition.put("status", conditionStatus);
        if (observedGeneration != 0) {
            condition.put("observedGeneration", observedGeneration);
        } else {
            condition.remove("observedGeneration");
        }
        condition.put("reason", reason);
        condition.put("message", message);
    }

    /** ConditionsAreUpToDate: the DisruptionAllowed condition matches disruptionsAllowed for the current generation. */
    public static boolean conditionsAreUpToDate(JsonNode pdb) {
        JsonNode status = pdb.path("status");
        if (status.path("observedGeneration").asLong(0) != pdb.path("metadata").path("generation").asLong(0)) {
            return false;
        }
        for (JsonNode c : status.path("conditions")) {
            if (DISRUPTION_ALLOWED.equals(c.path("type").asText())) {
                return status.path("disruptionsAllowed").asLong(0) > 0
                        ? "True".equals(c.path("status").asText()) && SUFFICIENT_PODS.equals(c.path("reason").asText())
                        : "False".equals(c.path("status").asText()) && INSUFFICIENT_PODS.equals(c.path("reason").asText());
            }
        }
        return false;
    }
}

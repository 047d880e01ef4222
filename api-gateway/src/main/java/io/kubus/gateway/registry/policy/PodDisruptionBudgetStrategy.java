package io.kubus.gateway.registry.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.patch.PatchSchema;
import io.kubus.gateway.patch.PatchSchemas;
import io.kubus.gateway.registry.Conditions;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.LabelSelectors;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.registry.apps.WorkloadValidation;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.ErrorList.GoValue;
import jakarta.inject.Singleton;

import java.util.List;

import static io.kubus.gateway.registry.JsonTree.objOrNull;
import static io.kubus.gateway.table.Cells.name;

/**
 * policy/v1 PodDisruptionBudgets (pkg/registry/policy/poddisruptionbudget, validation from pkg/apis/policy/validation
 * of Kubernetes 1.32). policy/v1 has no defaults; the status belongs to the disruption controller and the eviction
 * subresource.
 */
@Singleton
public class PodDisruptionBudgetStrategy implements Strategy {
    /** UnhealthyPodEvictionPolicyType's values, sorted as sets.List() gives them. */
    public static final List<String> UNHEALTHY_POD_EVICTION_POLICIES = List.of("AlwaysAllow", "IfHealthyBudget");
    /** spec.selector is tagged patchStrategy:"replace": kubectl apply sends it whole, and it replaces the stored one. */
    private static final PatchSchema SCHEMA = PatchSchemas.object(PatchSchema.builder().replaceObject("selector").build(),
            PatchSchemas.CONDITIONS_STATUS);
    private static final TablePrinter PRINTER = new KindPrinter(KindPrinter.columns(
            "Min Available", "string", "The minimum number of pods that must be available.",
            "Max Unavailable", "string", "The maximum number of pods that may be unavailable.",
            "Allowed Disruptions", "integer", "Calculated number of pods that may be disrupted at this time.",
            "Age", "string", TablePrinters.AGE),
            (o, now) -> List.of(name(o), intOrStringOrNA(o.path("spec").get("minAvailable")),
                    intOrStringOrNA(o.path("spec").get("maxUnavailable")),
                    o.path("status").path("disruptionsAllowed").asLong(0), TablePrinters.age(o, now)));

    @Override
    public ResourceType type() {
        return ResourceTypes.PODDISRUPTIONBUDGETS;
    }

    /** The Go zero PodDisruptionBudgetStatus: its four counts have no omitempty. */
    @Override
    public ObjectNode emptyStatus() {
        ObjectNode status = JsonTree.F.objectNode();
        status.put("disruptionsAllowed", 0);
        status.put("currentHealthy", 0);
        status.put("desiredHealthy", 0);
        status.put("expectedPods", 0);
        return status;
    }

    /** ValidatePodDisruptionBudgetSpec. */
    @Override
    public void validate(ObjectNode pdb, ErrorList errs) {
        ObjectNode spec = objOrNull(pdb, "spec");
        if (spec == null) {
            return;
        }
        JsonNode minAvailable = spec.get("minAvailable");
        JsonNode maxUnavailable = spec.get("maxUnavailable");
        if (set(minAvailable) && set(maxUnavailable)) {
            errs.invalid("spec", new GoValue("policy.PodDisruptionBudgetSpec" + spec),
                    "minAvailable and maxUnavailable cannot be both set");
        }
        for (String field : List.of("minAvailable", "maxUnavailable")) {
            JsonNode v = spec.get(field);
            if (set(v)) {
                WorkloadValidation.intOrPercent(v, "spec." + field, errs);
                WorkloadValidation.notOverHundredPercent(v, "spec." + field, errs);
            }
        }
        errs.addAll(LabelSelectors.validate(spec.get("selector"), "spec.selector"));
        String policy = JsonTree.text(spec, "unhealthyPodEvictionPolicy");
        if (spec.hasNonNull("unhealthyPodEvictionPolicy") && !UNHEALTHY_POD_EVICTION_POLICIES.contains(policy)) {
            errs.notSupported("spec.unhealthyPodEvictionPolicy", policy, UNHEALTHY_POD_EVICTION_POLICIES);
        }
    }

    /**
     * ValidatePodDisruptionBudgetStatusUpdate: the status counts are never negative and its conditions are valid
     * meta/v1 Conditions. An update of the spec keeps the stored status, so this checks only what a status write sets.
     */
    @Override
    public void validateUpdate(ObjectNode pdb, ObjectNode old, ErrorList errs) {
        JsonNode status = pdb.path("status");
        Conditions.validate(status.path("conditions"), "status.conditions", errs);
        for (String field : List.of("disruptionsAllowed", "currentHealthy", "desiredHealthy", "expectedPods")) {
            errs.nonNegative("status." + field, status.path(field).asLong(0));
        }
    }

    @Override
    public TablePrinter printer() {
        return PRINTER;
    }

    @Override
    public PatchSchema patchSchema() {
        return SCHEMA;
    }

    private static boolean set(JsonNode v) {
        return v != null && !v.isNull();
    }

    /** IntOrString.String() of a set budget, N/A when unset (printPodDisruptionBudget). */
    private static String intOrStringOrNA(JsonNode v) {
        return set(v) ? v.asText() : "N/A";
    }
}

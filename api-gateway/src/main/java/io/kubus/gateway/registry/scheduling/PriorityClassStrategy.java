package io.kubus.gateway.registry.scheduling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.api.ApiException;
import io.kubus.gateway.registry.Deletion;
import io.kubus.gateway.registry.Deletions;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.ErrorList;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Objects;

import static io.kubus.gateway.table.Cells.name;

/**
 * PriorityClasses (pkg/registry/scheduling/priorityclass): a name and an integer priority that pods take by naming the
 * class (the Priority admission plugin resolves it); values above one billion and names starting with
 * {@code system-} belong to the two system classes the gateway makes at start ({@link SystemPriorityClasses}).
 */
@Singleton
public class PriorityClassStrategy implements Strategy {
    public static final String PREEMPT_LOWER_PRIORITY = "PreemptLowerPriority";
    static final List<String> PREEMPTION_POLICIES = List.of(PREEMPT_LOWER_PRIORITY, "Never");
    /** scheduling.HighestUserDefinablePriority. */
    static final long HIGHEST_USER_DEFINABLE = 1_000_000_000L;
    static final String SYSTEM_PREFIX = "system-";
    private static final TablePrinter PRINTER = new KindPrinter(KindPrinter.columns(
            "Value", "integer", "value represents the integer value of this priority class. This is the actual priority "
                    + "that pods receive when they have the name of this class in their pod spec.",
            "Global-Default", "boolean", "globalDefault specifies whether this PriorityClass should be considered as the "
                    + "default priority for pods that do not have any priority class. Only one PriorityClass can be "
                    + "marked as `globalDefault`. However, if more than one PriorityClasses exists with their "
                    + "`globalDefault` field set to true, the smallest value of such global default PriorityClasses "
                    + "will be used as the default priority.",
            "Age", "string", TablePrinters.AGE,
            "PreemptionPolicy", "string", "preemptionPolicy is the Policy for preempting pods with lower priority. One "
                    + "of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset."),
            (o, now) -> List.of(name(o), o.path("value").asLong(0), o.path("globalDefault").asBoolean(false),
                    TablePrinters.age(o, now), o.path("preemptionPolicy").asText("")));

    @Override
    public ResourceType type() {
        return ResourceTypes.PRIORITYCLASSES;
    }

    /**
     * SetDefaults_PriorityClass, and the value Go always writes (an int32 without omitempty): a class that names none
     * has priority 0.
     */
    @Override
    public void defaults(ObjectNode pc) {
        JsonTree.def(pc, "preemptionPolicy", PREEMPT_LOWER_PRIORITY);
        JsonTree.def(pc, "value", 0);
    }

    /** ValidatePriorityClass. */
    @Override
    public void validate(ObjectNode pc, ErrorList errs) {
        String name = pc.path("metadata").path("name").asText("");
        long value = pc.path("value").asLong(0);
        if (name.startsWith(SYSTEM_PREFIX)) {
            String why = SystemPriorityClasses.whyNotKnown(name, value, pc.path("globalDefault").asBoolean(false));
            if (why != null) {
                errs.forbidden("metadata.name", "priority class names with '" + SYSTEM_PREFIX
                        + "' prefix are reserved for system use only. error: " + why);
            }
        } else if (value > HIGHEST_USER_DEFINABLE) {
            errs.forbidden("value", "maximum allowed value of a user defined priority is " + HIGHEST_USER_DEFINABLE);
        }
        preemptionPolicy(pc.get("preemptionPolicy"), "preemptionPolicy", errs);
    }

    /** ValidatePreemptionPolicy, for PriorityClasses and pods. */
    public static void preemptionPolicy(JsonNode policy, String path, ErrorList errs) {
        if (policy == null || policy.isNull()) {
            return;
        }
        String p = policy.asText("");
        if (p.isEmpty()) {
            errs.required(path);
        } else if (!PREEMPTION_POLICIES.contains(p)) {
            errs.notSupported(path, p, PREEMPTION_POLICIES);
        }
    }

    /** ValidatePriorityClassUpdate: the value and the preemption policy are fixed once the class exists. */
    @Override
    public void validateUpdate(ObjectNode pc, ObjectNode old, ErrorList errs) {
        if (pc.path("value").asLong(0) != old.path("value").asLong(0)) {
            errs.forbidden("value", "may not be changed in an update.");
        }
        String policy = pc.path("preemptionPolicy").asText("");
        if (!Objects.equals(policy, old.path("preemptionPolicy").asText(""))) {
            errs.invalid("preemptionPolicy", policy, "field is immutable");
        }
    }

    /** The system classes cannot be deleted (kube-apiserver's priorityclass REST Delete); others go as any object. */
    @Override
    public Deletion deletion() {
        return (current, intent) -> {
            String name = current.path("metadata").path("name").asText("");
            if (SystemPriorityClasses.NAMES.contains(name)) {
                throw ApiException.forbidden(type(), name, type().qualifiedPlural() + " \"" + name
                        + "\" is forbidden: this is a system priority class and cannot be deleted");
            }
            return Deletions.generic(this, current, intent);
        };
    }

    @Override
    public TablePrinter printer() {
        return PRINTER;
    }
}

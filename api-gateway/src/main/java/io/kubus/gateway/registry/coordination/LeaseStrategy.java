package io.kubus.gateway.registry.coordination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.admission.AdmissionException;
import io.kubus.gateway.auth.UserInfo;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.GoTime;
import jakarta.inject.Singleton;

import java.util.List;

import static io.kubus.gateway.table.Cells.name;
import static io.kubus.gateway.table.Cells.text;

/**
 * Leases (pkg/registry/coordination/lease, ValidateLease of Kubernetes 1.32): a holder's claim, renewed in place. Node
 * agents keep one per node in {@code kube-node-lease} as their heartbeat. holderIdentity is free text to Kubernetes,
 * and so it is here.
 *
 * <p>{@code spec.strategy} and {@code spec.preferredHolder} belong to coordinated leader election, behind the
 * CoordinatedLeaderElection feature gate, alpha and off in 1.32: a create drops them, an update keeps them only where
 * the stored Lease has them, as kube-apiserver's strategy does with the gate off. So no Lease ever carries one here,
 * and their validation (ValidateCoordinatedLeaseStrategy) has nothing to check.
 */
@Singleton
public class LeaseStrategy implements Strategy {
    private static final List<String> MICRO_TIMES = List.of("acquireTime", "renewTime");
    private static final List<String> GATED = List.of("strategy", "preferredHolder");
    private static final TablePrinter PRINTER = new KindPrinter(KindPrinter.columns(
            "Holder", "string", "holderIdentity contains the identity of the holder of a current lease. If Coordinated "
                    + "Leader Election is used, the holder identity must be equal to the elected "
                    + "LeaseCandidate.metadata.name field.",
            "Age", "string", TablePrinters.AGE),
            (o, now) -> List.of(name(o), text(o, "/spec/holderIdentity"), TablePrinters.age(o, now)));

    @Override
    public ResourceType type() {
        return ResourceTypes.LEASES;
    }

    /**
     * acquireTime and renewTime are MicroTimes, read by MicroTime.UnmarshalJSON: a string (anything else fails its
     * inner json.Unmarshal, whose error names no field), which Go's decoder refuses where time.Parse refuses it with
     * RFC3339Micro (six fraction digits, exactly); kept in UTC, as Kubernetes writes them back.
     */
    @Override
    public void checkDecoding(ObjectNode lease) {
        ObjectNode spec = JsonTree.objOrNull(lease, "spec");
        for (String field : MICRO_TIMES) {
            JsonNode value = spec == null ? null : spec.get(field);
            if (value == null || value.isNull()) {
                continue; // the zero time
            }
            if (!value.isTextual()) {
                throw cannotDecode("json: cannot unmarshal " + JsonTree.goKind(value) + " into Go value of type string");
            }
            try {
                spec.put(field, GoTime.formatMicro(GoTime.parse(GoTime.RFC3339_MICRO, value.asText())));
            } catch (GoTime.ParseException e) {
                throw cannotDecode(e.getMessage());
            }
        }
    }

    private static AdmissionException cannotDecode(String why) {
        return AdmissionException.badRequest("Lease in version \"v1\" cannot be handled as a Lease: " + why);
    }

    @Override
    public void prepareForCreate(ObjectNode lease, UserInfo creator) {
        ObjectNode spec = JsonTree.objOrNull(lease, "spec");
        if (spec != null) {
            spec.remove(GATED);
        }
    }

    @Override
    public void prepareForUpdate(ObjectNode lease, ObjectNode old) {
        ObjectNode spec = JsonTree.objOrNull(lease, "spec");
        if (spec == null) {
            return;
        }
        for (String field : GATED) {
            if (JsonTree.absent(old.path("spec"), field)) {
                spec.remove(field);
            }
        }
    }

    @Override
    public void validate(ObjectNode lease, ErrorList errs) {
        JsonNode spec = lease.path("spec");
        JsonNode duration = spec.get("leaseDurationSeconds");
        if (duration != null && !duration.isNull() && duration.asLong() <= 0) {
            errs.invalid("spec.leaseDurationSeconds", duration.asLong(), "must be greater than 0");
        }
        JsonNode transitions = spec.get("leaseTransitions");
        if (transitions != null && !transitions.isNull()) {
            errs.nonNegative("spec.leaseTransitions", transitions.asLong());
        }
    }

    @Override
    public TablePrinter printer() {
        return PRINTER;
    }
}

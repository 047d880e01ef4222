package io.kubus.gateway.registry.apps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.patch.PatchSchema;
import io.kubus.gateway.patch.PatchSchemas;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.registry.core.pod.PodSpecDefaults;
import io.kubus.gateway.registry.core.pod.PodSpecValidation;
import io.kubus.gateway.table.Cells;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.ErrorList;
import jakarta.inject.Singleton;

import java.util.List;

import static io.kubus.gateway.registry.JsonTree.def;
import static io.kubus.gateway.registry.JsonTree.obj;
import static io.kubus.gateway.registry.JsonTree.objOrNull;
import static io.kubus.gateway.registry.JsonTree.text;
import static io.kubus.gateway.table.Cells.containerImages;
import static io.kubus.gateway.table.Cells.containerNames;
import static io.kubus.gateway.table.Cells.name;
import static io.kubus.gateway.table.Cells.number;

/** Deployments (pkg/registry/apps/deployment). */
@Singleton
public class DeploymentStrategy implements Strategy {
    private static final PatchSchema SCHEMA = PatchSchemas.object(PatchSchemas.DEPLOYMENT_SPEC, PatchSchemas.CONDITIONS_STATUS);
    private static final TablePrinter PRINTER = new KindPrinter(WorkloadColumns.columns(new String[]{
            "Ready", "string", "Number of the pod with ready state",
            "Up-to-date", "integer", "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
            "Available", "integer", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
            "Age", "string", TablePrinters.AGE}, WorkloadColumns.WIDE_CONTAINERS, WorkloadColumns.WIDE_SELECTOR),
            (o, now) -> {
                JsonNode template = o.path("spec").path("template").path("spec");
                return List.of(name(o), number(o, "/status/readyReplicas") + "/" + number(o, "/spec/replicas"),
                        number(o, "/status/updatedReplicas"), number(o, "/status/availableReplicas"),
                        TablePrinters.age(o, now), containerNames(template), containerImages(template),
                        Cells.selector(o.path("spec").path("selector")));
            });

    @Override
    public ResourceType type() {
        return ResourceTypes.DEPLOYMENTS;
    }

    /** apps/v1 no longer takes selector or labels from the template (extensions/v1beta1 did): both are the user's. */
    @Override
    public void defaults(ObjectNode deployment) {
        ObjectNode spec = obj(deployment, "spec");
        def(spec, "replicas", 1);
        ObjectNode strategy = obj(spec, "strategy");
        def(strategy, "type", "RollingUpdate");
        if (text(strategy, "type").equals("RollingUpdate")) {
            ObjectNode ru = obj(strategy, "rollingUpdate");
            def(ru, "maxUnavailable", "25%");
            def(ru, "maxSurge", "25%");
        }
        def(spec, "revisionHistoryLimit", 10);
        def(spec, "progressDeadlineSeconds", 600);
        PodSpecDefaults.template(spec, false);
    }

    @Override
    public void validate(ObjectNode deployment, ErrorList errs) {
        ObjectNode spec = objOrNull(deployment, "spec");
        WorkloadValidation.replicated(spec, errs);
        if (spec == null) {
            return;
        }
        PodSpecValidation.nonNegative(spec, "progressDeadlineSeconds", "spec", errs);
        JsonNode deadline = spec.get("progressDeadlineSeconds");
        if (deadline != null && deadline.isIntegralNumber()
                && deadline.asLong() <= spec.path("minReadySeconds").asLong(0)) {
            // A pod is not available before minReadySeconds, so such a rollout could only ever exceed its deadline.
            errs.invalid("spec.progressDeadlineSeconds", deadline.asLong(), "must be greater than minReadySeconds");
        }
        ObjectNode strategy = objOrNull(spec, "strategy");
        String type = text(strategy, "type");
        ObjectNode rolling = objOrNull(strategy, "rollingUpdate");
        if (type.equals("Recreate")) {
            if (rolling != null) {
                errs.forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'");
            }
        } else if (type.equals("RollingUpdate")) {
            if (rolling != null) {
                String path = "spec.strategy.rollingUpdate";
                WorkloadValidation.intOrPercent(rolling.get("maxUnavailable"), path + ".maxUnavailable", errs);
                WorkloadValidation.intOrPercent(rolling.get("maxSurge"), path + ".maxSurge", errs);
                WorkloadValidation.notBothZero(rolling.get("maxUnavailable"), rolling.get("maxSurge"), path + ".maxUnavailable", errs);
                WorkloadValidation.notOverHundredPercent(rolling.get("maxUnavailable"), path + ".maxUnavailable", errs);
            }
        } else {
            errs.notSupported("spec.strategy.type", type, List.of("Recreate", "RollingUpdate"));
        }
    }

    @Override
    public void validateUpdate(ObjectNode deployment, ObjectNode old, ErrorList errs) {
        WorkloadValidation.immutableSelector(deployment, old, errs);
    }

    @Override
    public TablePrinter printer() {
        return PRINTER;
    }

    @Override
    public PatchSchema patchSchema() {
        return SCHEMA;
    }
}

package io.kubus.gateway.registry.apps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.patch.PatchSchema;
import io.kubus.gateway.patch.PatchSchemas;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.registry.core.pod.PodSpecDefaults;
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
import static io.kubus.gateway.table.Cells.formatSelector;
import static io.kubus.gateway.table.Cells.labels;
import static io.kubus.gateway.table.Cells.name;
import static io.kubus.gateway.table.Cells.number;

/** DaemonSets (pkg/registry/apps/daemonset). */
@Singleton
public class DaemonSetStrategy implements Strategy {
    private static final List<String> STRATEGIES = List.of("OnDelete", "RollingUpdate");
    private static final TablePrinter PRINTER = new KindPrinter(WorkloadColumns.columns(new String[]{
            "Desired", "integer", "The total number of nodes that should be running the daemon pod.",
            "Current", "integer", "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.",
            "Ready", "integer", "numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.",
            "Up-to-date", "integer", "The total number of nodes that are running updated daemon pod",
            "Available", "integer", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)",
            "Node Selector", "string", "NodeSelector is a selector which must be true for the pod to fit on a node.",
            "Age", "string", TablePrinters.AGE}, WorkloadColumns.WIDE_CONTAINERS, WorkloadColumns.WIDE_SELECTOR),
            (o, now) -> {
                JsonNode template = o.path("spec").path("template").path("spec");
                return List.of(name(o), number(o, "/status/desiredNumberScheduled"),
                        number(o, "/status/currentNumberScheduled"), number(o, "/status/numberReady"),
                        number(o, "/status/updatedNumberScheduled"), number(o, "/status/numberAvailable"),
                        labels(template.path("nodeSelector")), TablePrinters.age(o, now), containerNames(template),
                        containerImages(template), formatSelector(o.path("spec").path("selector")));
            });

    @Override
    public ResourceType type() {
        return ResourceTypes.DAEMONSETS;
    }

    @Override
    public void defaults(ObjectNode ds) {
        ObjectNode spec = obj(ds, "spec");
        ObjectNode strategy = obj(spec, "updateStrategy");
        def(strategy, "type", "RollingUpdate");
        if (text(strategy, "type").equals("RollingUpdate")) {
            ObjectNode ru = obj(strategy, "rollingUpdate");
            def(ru, "maxUnavailable", 1);
            def(ru, "maxSurge", 0);
        }
        def(spec, "revisionHistoryLimit", 10);
        PodSpecDefaults.template(spec, false);
    }

    @Override
    public ObjectNode emptyStatus() {
        return Strategy.super.emptyStatus().put("currentNumberScheduled", 0).put("desiredNumberScheduled", 0)
                .put("numberMisscheduled", 0).put("numberReady", 0);
    }

    @Override
    public void validate(ObjectNode ds, ErrorList errs) {
        ObjectNode spec = objOrNull(ds, "spec");
        WorkloadValidation.replicated(spec, errs);
        if (spec == null) {
            return;
        }
        ObjectNode strategy = objOrNull(spec, "updateStrategy");
        String type = text(strategy, "type");
        if (!STRATEGIES.contains(type)) {
            errs.notSupported("spec.updateStrategy.type", type, STRATEGIES);
        }
        ObjectNode rolling = objOrNull(strategy, "rollingUpdate");
        if (rolling != null) {
            String path = "spec.updateStrategy.rollingUpdate";
            WorkloadValidation.intOrPercent(rolling.get("maxUnavailable"), path + ".maxUnavailable", errs);
            WorkloadValidation.intOrPercent(rolling.get("maxSurge"), path + ".maxSurge", errs);
            WorkloadValidation.notBothZero(rolling.get("maxUnavailable"), rolling.get("maxSurge"), path + ".maxUnavailable", errs);
        }
    }

    @Override
    public void validateUpdate(ObjectNode ds, ObjectNode old, ErrorList errs) {
        WorkloadValidation.immutableSelector(ds, old, errs);
    }

    @Override
    public TablePrinter printer() {
        return PRINTER;
    }

    @Override
    public PatchSchema patchSchema() {
        return PatchSchemas.TEMPLATED;
    }
}

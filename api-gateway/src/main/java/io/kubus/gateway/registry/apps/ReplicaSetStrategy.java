package io.kubus.gateway.registry.apps;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.patch.PatchSchema;
import io.kubus.gateway.patch.PatchSchemas;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.registry.core.pod.PodSpecDefaults;
import io.kubus.gateway.table.Cells;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.ErrorList;
import jakarta.inject.Singleton;

import java.util.Set;

import static io.kubus.gateway.registry.JsonTree.def;
import static io.kubus.gateway.registry.JsonTree.obj;
import static io.kubus.gateway.registry.JsonTree.objOrNull;

/** ReplicaSets (pkg/registry/apps/replicaset). */
@Singleton
public class ReplicaSetStrategy implements Strategy {
    private static final TablePrinter PRINTER = WorkloadColumns.replicas(Cells::formatSelector);

    @Override
    public ResourceType type() {
        return ResourceTypes.REPLICASETS;
    }

    @Override
    public void defaults(ObjectNode rs) {
        ObjectNode spec = obj(rs, "spec");
        def(spec, "replicas", 1);
        PodSpecDefaults.template(spec, false);
    }

    @Override
    public ObjectNode emptyStatus() {
        return Strategy.super.emptyStatus().put("replicas", 0);
    }

    @Override
    public void validate(ObjectNode rs, ErrorList errs) {
        WorkloadValidation.replicated(objOrNull(rs, "spec"), errs);
    }

    @Override
    public void validateUpdate(ObjectNode rs, ObjectNode old, ErrorList errs) {
        WorkloadValidation.immutableSelector(rs, old, errs);
    }

    @Override
    public TablePrinter printer() {
        return PRINTER;
    }

    @Override
    public PatchSchema patchSchema() {
        return PatchSchemas.TEMPLATED;
    }

    @Override
    public Set<String> selectableFields() {
        return Set.of("status.replicas");
    }
}

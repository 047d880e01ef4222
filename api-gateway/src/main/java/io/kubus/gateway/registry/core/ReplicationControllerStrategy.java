package io.kubus.gateway.registry.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.patch.PatchSchema;
import io.kubus.gateway.patch.PatchSchemas;
import io.kubus.gateway.registry.LabelSelectors;
import io.kubus.gateway.registry.ObjectMetaValidation;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.registry.apps.WorkloadColumns;
import io.kubus.gateway.registry.apps.WorkloadValidation;
import io.kubus.gateway.registry.core.pod.PodSpecDefaults;
import io.kubus.gateway.registry.core.pod.PodSpecValidation;
import io.kubus.gateway.table.Cells;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.ErrorList.GoValue;
import jakarta.inject.Singleton;

import java.util.Set;

import static io.kubus.gateway.registry.JsonTree.def;
import static io.kubus.gateway.registry.JsonTree.obj;
import static io.kubus.gateway.registry.JsonTree.objOrNull;

/**
 * ReplicationControllers (pkg/registry/core/replicationcontroller): the ReplicaSet's predecessor, whose selector is a
 * plain label map and whose dependents are orphaned by default, as before server-side garbage collection.
 */
@Singleton
public class ReplicationControllerStrategy implements Strategy {
    private static final TablePrinter PRINTER = WorkloadColumns.replicas(Cells::labels);

    @Override
    public ResourceType type() {
        return ResourceTypes.REPLICATIONCONTROLLERS;
    }

    /** The v1 defaulter takes selector and labels from the template when they are empty. */
    @Override
    public void defaults(ObjectNode rc) {
        ObjectNode spec = obj(rc, "spec");
        ObjectNode templateLabels = objOrNull(objOrNull(objOrNull(spec, "template"), "metadata"), "labels");
        if (templateLabels != null && !templateLabels.isEmpty()) {
            if (objOrNull(spec, "selector") == null || spec.get("selector").isEmpty()) {
                spec.set("selector", templateLabels.deepCopy());
            }
            ObjectNode meta = obj(rc, "metadata");
            if (objOrNull(meta, "labels") == null || meta.get("labels").isEmpty()) {
                meta.set("labels", templateLabels.deepCopy());
            }
        }
        def(spec, "replicas", 1);
        PodSpecDefaults.template(spec, false);
    }

    @Override
    public ObjectNode emptyStatus() {
        return Strategy.super.emptyStatus().put("replicas", 0);
    }

    @Override
    public void validate(ObjectNode rc, ErrorList errs) {
        ObjectNode spec = objOrNull(rc, "spec");
        if (spec == null) {
            errs.required("spec");
            return;
        }
        PodSpecValidation.nonNegative(spec, "replicas", "spec", errs);
        ObjectNode selector = objOrNull(spec, "selector");
        if (selector == null || selector.isEmpty()) {
            errs.required("spec.selector");
        } else {
            ObjectMetaValidation.labels(selector, "spec.selector", errs);
        }
        ObjectNode template = objOrNull(spec, "template");
        if (selector != null && !selector.isEmpty() && template != null) {
            ObjectNode labels = objOrNull(objOrNull(template, "metadata"), "labels");
            if (!LabelSelectors.ofMatchLabels(selector).matches(LabelSelectors.labels(labels))) {
                errs.invalid("spec.template.metadata.labels", new GoValue(WorkloadValidation.goMap(labels)),
                        "`selector` does not match template `labels`");
            }
        }
        PodSpecValidation.template(template, "spec.template", WorkloadValidation.ALWAYS, errs);
    }

    @Override
    public String defaultGarbageCollectionPolicy() {
        return ORPHAN;
    }

    @Override
    public String scaleSelector(ObjectNode rc) {
        return LabelSelectors.ofMatchLabels(rc.path("spec").path("selector")).toString();
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

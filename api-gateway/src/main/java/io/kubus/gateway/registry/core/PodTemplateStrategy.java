package io.kubus.gateway.registry.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.patch.PatchSchema;
import io.kubus.gateway.patch.PatchSchemas;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.registry.core.pod.PodSpecDefaults;
import io.kubus.gateway.registry.core.pod.PodSpecValidation;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.ErrorList;
import jakarta.inject.Singleton;

import java.util.List;

import static io.kubus.gateway.registry.JsonTree.obj;
import static io.kubus.gateway.registry.JsonTree.objOrNull;
import static io.kubus.gateway.table.Cells.containerImages;
import static io.kubus.gateway.table.Cells.containerNames;
import static io.kubus.gateway.table.Cells.labels;
import static io.kubus.gateway.table.Cells.name;

/** PodTemplates (pkg/registry/core/podtemplate, ValidatePodTemplate): a pod template stored on its own. */
@Singleton
public class PodTemplateStrategy implements Strategy {
    private static final PatchSchema SCHEMA = PatchSchema.builder()
            .object("metadata", PatchSchemas.OBJECT_META)
            .object("template", PatchSchemas.POD_TEMPLATE_SPEC)
            .build();
    private static final TablePrinter PRINTER = new KindPrinter(KindPrinter.columns(
            "Containers", "string", "Names of each container in the template.",
            "Images", "string", "Images referenced by each container in the template.",
            "Pod Labels", "string", "The labels for the pod template."),
            (o, now) -> {
                JsonNode template = o.path("template");
                return List.of(name(o), containerNames(template.path("spec")), containerImages(template.path("spec")),
                        labels(template.path("metadata").path("labels")));
            });

    @Override
    public ResourceType type() {
        return ResourceTypes.PODTEMPLATES;
    }

    @Override
    public void defaults(ObjectNode podTemplate) {
        PodSpecDefaults.podSpec(obj(obj(podTemplate, "template"), "spec"), false);
    }

    @Override
    public void validate(ObjectNode podTemplate, ErrorList errs) {
        PodSpecValidation.template(objOrNull(podTemplate, "template"), "template", PodSpecValidation.RESTART_POLICIES, errs);
    }

    @Override
    public TablePrinter printer() {
        return PRINTER;
    }

    @Override
    public PatchSchema patchSchema() {
        return SCHEMA;
    }

    @Override
    public boolean returnDeletedObject() {
        return true;
    }
}

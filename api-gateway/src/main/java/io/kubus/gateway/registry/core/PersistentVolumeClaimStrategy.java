package io.kubus.gateway.registry.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.patch.PatchSchema;
import io.kubus.gateway.patch.PatchSchemas;
import io.kubus.gateway.registry.Strategy;
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
import static io.kubus.gateway.table.Cells.accessModes;
import static io.kubus.gateway.table.Cells.name;
import static io.kubus.gateway.table.Cells.or;
import static io.kubus.gateway.table.Cells.text;

/** PersistentVolumeClaims (pkg/registry/core/persistentvolumeclaim): a new claim is Pending until bound. */
@Singleton
public class PersistentVolumeClaimStrategy implements Strategy {
    private static final PatchSchema SCHEMA = PatchSchemas.object(PatchSchema.EMPTY, PatchSchemas.CONDITIONS_STATUS);
    private static final TablePrinter PRINTER = columns();

    @Override
    public ResourceType type() {
        return ResourceTypes.PERSISTENTVOLUMECLAIMS;
    }

    @Override
    public void defaults(ObjectNode pvc) {
        def(obj(pvc, "spec"), "volumeMode", "Filesystem");
    }

    @Override
    public ObjectNode emptyStatus() {
        return Strategy.super.emptyStatus().put("phase", "Pending");
    }

    @Override
    public void validate(ObjectNode pvc, ErrorList errs) {
        ObjectNode spec = objOrNull(pvc, "spec");
        if (spec == null) {
            errs.required("spec");
            return;
        }
        PersistentVolumeStrategy.validateAccessModes(spec, "spec", errs);
        if (spec.path("resources").path("requests").path("storage").isMissingNode()) {
            errs.required("spec.resources.requests[storage]");
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

    private static TablePrinter columns() {
        return new KindPrinter(KindPrinter.columns(
                "Status", "string", "Phase represents the current phase of PersistentVolumeClaim.",
                "Volume", "string", "volumeName is the binding reference to the PersistentVolume backing this claim.",
                "Capacity", "string", "capacity represents the actual resources of the underlying volume.",
                "Access Modes", "string", "accessModes contains the desired access modes the volume should have.",
                "StorageClass", "string", "storageClassName is the name of the StorageClass required by the claim.",
                "VolumeAttributesClass", "string", "volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim.",
                "Age", "string", TablePrinters.AGE,
                "VolumeMode*", "string", "volumeMode defines what type of volume is required by the claim."),
                (o, now) -> {
                    String phase = Cells.deleting(o) ? "Terminating" : text(o, "/status/phase");
                    String volume = text(o, "/spec/volumeName");
                    // capacity and modes are the bound volume's, so they stay empty until the claim is bound
                    String capacity = volume.isEmpty() ? "" : text(o, "/status/capacity/storage");
                    String modes = volume.isEmpty() ? "" : accessModes(o.path("status").path("accessModes"));
                    return List.of(name(o), phase, volume, capacity, modes, Cells.storageClass(o),
                            or(text(o, "/spec/volumeAttributesClassName"), "<unset>"), TablePrinters.age(o, now),
                            or(text(o, "/spec/volumeMode"), "<unset>"));
                });
    }

    @Override
    public boolean returnDeletedObject() {
        return true;
    }
}

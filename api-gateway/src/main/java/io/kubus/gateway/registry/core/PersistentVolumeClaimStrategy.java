package io.kubus.gateway.registry.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.patch.PatchSchema;
import io.kubus.gateway.patch.PatchSchemas;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.LabelSelectors;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.table.Cells;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.quantity.ResourceQuantity;
import io.kubus.schema.storage.VolumeMatch;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.Names;
import io.micronaut.core.annotation.Nullable;
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
    /** Where kube-apiserver reports a claim's size: on create as a key of resources, on a shrink by its full path. */
    private static final String STORAGE = "resources[storage]";
    private static final List<String> VOLUME_MODES = List.of("Block", "Filesystem");

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
        validateSpec(spec, "spec", errs);
    }

    /**
     * ValidatePersistentVolumeClaimSpec, which a StatefulSet's volumeClaimTemplates meet as well (else the claims the
     * controller makes from them would be refused one pod at a time): access modes, a storage request above zero, and
     * the selector, class name and volume mode when given. {@code path} is the spec's.
     */
    public static void validateSpec(ObjectNode spec, String path, ErrorList errs) {
        PersistentVolumeStrategy.validateAccessModes(spec, path, "at least 1 access mode is required", errs);
        ObjectNode selector = objOrNull(spec, "selector");
        if (selector != null) {
            errs.addAll(LabelSelectors.validate(selector, path + ".selector"));
        }
        String storagePath = path + "." + STORAGE;
        JsonNode storage = spec.path("resources").path("requests").get("storage");
        if (storage == null || storage.isNull()) {
            errs.required(storagePath);
        } else {
            ResourceQuantity size = ResourceNames.quantity(storage.asText(), storagePath, errs);
            if (size != null && size.value().signum() <= 0) {
                errs.invalid(storagePath, size.toString(), "must be greater than zero");
            }
        }
        String className = JsonTree.text(spec, "storageClassName");
        if (!className.isEmpty()) {
            errs.invalidEach(path + ".storageClassName", className, Names.dns1123Subdomain(className));
        }
        String mode = JsonTree.text(spec, "volumeMode");
        if (!mode.isEmpty() && !VOLUME_MODES.contains(mode)) {
            errs.notSupported(path + ".volumeMode", mode, VOLUME_MODES);
        }
    }

    /**
     * ValidatePersistentVolumeClaimUpdate: the spec stays as quota and limit ranges admitted it, but for what binding
     * and expansion write. volumeName may be set once (the volume controller binds a claim so), storageClassName once
     * when the claim had none (a default class assigned later), and a bound claim's storage request and
     * volumeAttributesClassName may change, the request never below what it was, as volumes only grow. Kube's
     * message goes on with a diff of the two specs, which this one leaves out.
     */
    @Override
    public void validateUpdate(ObjectNode pvc, ObjectNode old, ErrorList errs) {
        ObjectNode now = specCopy(pvc);
        ObjectNode before = specCopy(old);
        if (JsonTree.text(before, "volumeName").isEmpty()) {
            JsonTree.keep(before, now, "volumeName");
        }
        String betaClass = old.path("metadata").path("annotations").path(VolumeMatch.BETA_STORAGE_CLASS).asText(null);
        if (JsonTree.absent(before, "storageClassName") && !JsonTree.absent(now, "storageClassName")
                && (betaClass == null || betaClass.equals(now.get("storageClassName").asText()))) {
            JsonTree.keep(before, now, "storageClassName");
        }
        ResourceQuantity oldSize = storage(before);
        ResourceQuantity newSize = storage(now);
        boolean bound = "Bound".equals(old.path("status").path("phase").asText());
        // Semantic.DeepEqual compares quantities by value: 1Gi written again as 1024Mi is no change
        boolean sameSize = oldSize != null && newSize != null && oldSize.compareTo(newSize) == 0;
        if ((bound || sameSize) && now.path("resources").get("requests") instanceof ObjectNode requests) {
            JsonTree.keep(requests, before.path("resources").path("requests"), "storage");
        }
        if (bound) {
            JsonTree.keep(now, before, "volumeAttributesClassName");
        }
        if (!KubusJson.equivalent(now, before)) {
            errs.forbidden("spec", "spec is immutable after creation except resources.requests and "
                    + "volumeAttributesClassName for bound claims");
        }
        if (oldSize != null && newSize != null && newSize.compareTo(oldSize) < 0) {
            errs.forbidden("spec.resources.requests.storage", "field can not be less than previous value");
        }
    }

    private static ObjectNode specCopy(ObjectNode pvc) {
        return pvc.get("spec") instanceof ObjectNode spec ? spec.deepCopy() : JsonTree.F.objectNode();
    }

    private static @Nullable ResourceQuantity storage(ObjectNode spec) {
        JsonNode storage = spec.path("resources").path("requests").get("storage");
        return storage == null || storage.isNull() ? null : ResourceNames.quantity(storage.asText());
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

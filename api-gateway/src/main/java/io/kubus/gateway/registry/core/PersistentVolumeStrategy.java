package io.kubus.gateway.registry.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

/** PersistentVolumes (pkg/registry/core/persistentvolume): a new volume is Pending until available. */
@Singleton
public class PersistentVolumeStrategy implements Strategy {
    private static final String RWOP = "ReadWriteOncePod";
    private static final List<String> ACCESS_MODES = List.of("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", RWOP);
    private static final List<String> RECLAIM_POLICIES = List.of("Delete", "Recycle", "Retain");
    private static final TablePrinter PRINTER = columns();

    @Override
    public ResourceType type() {
        return ResourceTypes.PERSISTENTVOLUMES;
    }

    @Override
    public void defaults(ObjectNode pv) {
        def(obj(pv, "spec"), "persistentVolumeReclaimPolicy", "Retain");
        def(obj(pv, "spec"), "volumeMode", "Filesystem");
    }

    @Override
    public ObjectNode emptyStatus() {
        return Strategy.super.emptyStatus().put("phase", "Pending");
    }

    @Override
    public void validate(ObjectNode pv, ErrorList errs) {
        ObjectNode spec = objOrNull(pv, "spec");
        if (spec == null) {
            errs.required("spec");
            return;
        }
        validateAccessModes(spec, "spec", "", errs);
        if (spec.path("capacity").path("storage").isMissingNode()) {
            errs.required("spec.capacity");
        }
        String policy = text(spec, "/persistentVolumeReclaimPolicy");
        if (!RECLAIM_POLICIES.contains(policy)) {
            errs.notSupported("spec.persistentVolumeReclaimPolicy", policy, RECLAIM_POLICIES);
        }
    }

    /**
     * The access modes volumes, claims and a VolumeAttachment's inline volume share: at least one ({@code whenNone} the
     * Required detail, which kube words differently for claims), each a known mode, and ReadWriteOncePod alone, since
     * it promises a single pod what any other mode would share; {@code path} is the spec's.
     */
    public static void validateAccessModes(ObjectNode spec, String path, String whenNone, ErrorList errs) {
        List<String> modes = spec.path("accessModes").valueStream().map(JsonNode::asText).toList();
        if (modes.isEmpty()) {
            errs.required(path + ".accessModes", whenNone);
        }
        for (String mode : modes) {
            if (!ACCESS_MODES.contains(mode)) {
                errs.notSupported(path + ".accessModes", mode, ACCESS_MODES);
            }
        }
        if (modes.contains(RWOP) && modes.stream().anyMatch(m -> !m.equals(RWOP) && ACCESS_MODES.contains(m))) {
            errs.forbidden(path + ".accessModes", "may not use ReadWriteOncePod with other access modes");
        }
    }

    @Override
    public TablePrinter printer() {
        return PRINTER;
    }

    private static TablePrinter columns() {
        return new KindPrinter(KindPrinter.columns(
                "Capacity", "string", "capacity is the description of the persistent volume's resources and capacity.",
                "Access Modes", "string", "accessModes contains all ways the volume can be mounted.",
                "Reclaim Policy", "string", "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.",
                "Status", "string", "phase indicates if a volume is available, bound to a claim, or released by a claim.",
                "Claim", "string", "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.",
                "StorageClass", "string", "storageClassName is the name of StorageClass to which this persistent volume belongs.",
                "VolumeAttributesClass", "string", "Name of VolumeAttributesClass to which this persistent volume belongs.",
                "Reason", "string", "reason is a brief CamelCase string that describes any failure.",
                "Age", "string", TablePrinters.AGE,
                "VolumeMode*", "string", "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state."),
                (o, now) -> {
                    JsonNode claim = o.path("spec").path("claimRef");
                    String claimCell = claim.isObject() ? text(claim, "/namespace") + "/" + text(claim, "/name") : "";
                    return List.of(name(o), or(text(o, "/spec/capacity/storage"), "0"), accessModes(o.path("spec").path("accessModes")),
                            text(o, "/spec/persistentVolumeReclaimPolicy"),
                            Cells.deleting(o) ? "Terminating" : text(o, "/status/phase"), claimCell, Cells.storageClass(o),
                            or(text(o, "/spec/volumeAttributesClassName"), "<unset>"), text(o, "/status/reason"), TablePrinters.age(o, now),
                            or(text(o, "/spec/volumeMode"), "<unset>"));
                });
    }

    @Override
    public boolean returnDeletedObject() {
        return true;
    }
}

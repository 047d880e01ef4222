package io.kubus.gateway.registry.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.registry.core.PersistentVolumeStrategy;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TableColumn;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.ErrorList.GoValue;
import io.kubus.schema.validation.Names;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.kubus.gateway.registry.JsonTree.objOrNull;
import static io.kubus.gateway.table.Cells.name;
import static io.kubus.gateway.table.Cells.text;

/**
 * VolumeAttachments (pkg/registry/storage/volumeattachment, ValidateVolumeAttachment and, for v1, ValidateVolumeAttachmentV1):
 * a request to attach a volume to a node, for the CSI attacher to carry out; only its status changes afterwards.
 */
@Singleton
public class VolumeAttachmentStrategy implements Strategy {
    private static final String EXACTLY_ONE_SOURCE = "must specify exactly one of inlineVolumeSpec and persistentVolumeName";
    private static final String INLINE_ONLY = "may not be specified in the context of inline volumes";
    /** The volume sources of a PersistentVolumeSpec, of which an inline volume must name one, and that one CSI. */
    private static final List<String> VOLUME_SOURCES = List.of("gcePersistentDisk", "awsElasticBlockStore", "hostPath",
            "glusterfs", "nfs", "rbd", "iscsi", "cinder", "cephfs", "fc", "flocker", "flexVolume", "azureFile",
            "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "portworxVolume", "scaleIO", "local",
            "storageos", "csi");
    private static final int MAX_CSI_DRIVER_NAME = 63;
    private static final int MAX_METADATA_BYTES = 256 * 1024;
    private static final int MAX_ERROR_MESSAGE = 1024;
    // Kubernetes prints the Attacher column as a name too.
    private static final TablePrinter PRINTER = new KindPrinter(List.of(TableColumn.nameColumn(),
            new TableColumn("Attacher", "string", "name", 0, "attacher indicates the name of the volume driver that MUST "
                    + "handle this request. This is the name returned by GetPluginName()."),
            TableColumn.of("PV", "string", 0, "persistentVolumeName represents the name of the persistent volume to attach."),
            TableColumn.of("Node", "string", 0, "nodeName represents the node that the volume should be attached to."),
            TableColumn.of("Attached", "boolean", 0, "attached indicates the volume is successfully attached. This field "
                    + "must only be set by the entity completing the attach operation, i.e. the external-attacher."),
            TableColumn.of("Age", "string", 0, TablePrinters.AGE)),
            (o, now) -> List.of(name(o), text(o, "/spec/attacher"), text(o, "/spec/source/persistentVolumeName"),
                    text(o, "/spec/nodeName"), o.path("status").path("attached").asBoolean(false), TablePrinters.age(o, now)));

    @Override
    public ResourceType type() {
        return ResourceTypes.VOLUMEATTACHMENTS;
    }

    @Override
    public ObjectNode emptyStatus() {
        return JsonTree.F.objectNode().put("attached", false);
    }

    @Override
    public void validate(ObjectNode attachment, ErrorList errs) {
        ObjectNode spec = objOrNull(attachment, "spec");
        String attacher = JsonTree.text(spec, "attacher");
        if (attacher.isEmpty()) {
            errs.required("spec.attacher");
        }
        source(objOrNull(spec, "source"), errs);
        String nodeName = JsonTree.text(spec, "nodeName");
        errs.invalidEach("spec.nodeName", nodeName, Names.dns1123Subdomain(nodeName));
        status(objOrNull(attachment, "status"), errs);
        // ValidateVolumeAttachmentV1: v1 attachments name a CSI driver and a valid PersistentVolume
        csiDriverName(attacher, "spec.attacher", errs);
        JsonNode pvName = spec == null ? null : spec.path("source").get("persistentVolumeName");
        if (pvName != null && !pvName.isNull()) {
            errs.invalidEach("spec.source.persistentVolumeName", pvName.asText(), Names.dns1123Subdomain(pvName.asText()));
        }
    }

    /** The spec is read-only: the attacher acts on it once. */
    @Override
    public void validateUpdate(ObjectNode attachment, ObjectNode old, ErrorList errs) {
        JsonNode spec = attachment.path("spec");
        if (!KubusJson.equivalent(spec, old.path("spec"))) {
            errs.invalid("spec", new GoValue("storage.VolumeAttachmentSpec" + spec), "field is immutable");
        }
    }

    @Override
    public TablePrinter printer() {
        return PRINTER;
    }

    /** ValidateCSIDriverName: a DNS subdomain of at most 63 characters, in any case. */
    private static void csiDriverName(String driver, String path, ErrorList errs) {
        if (driver.isEmpty()) {
            errs.required(path);
        }
        if (driver.getBytes(StandardCharsets.UTF_8).length > MAX_CSI_DRIVER_NAME) {
            errs.tooLong(path, MAX_CSI_DRIVER_NAME);
        }
        errs.invalidEach(path, driver, Names.dns1123Subdomain(driver.toLowerCase(Locale.ROOT)));
    }

    private static void source(ObjectNode source, ErrorList errs) {
        JsonNode pvName = source == null ? null : source.get("persistentVolumeName");
        boolean hasPv = pvName != null && !pvName.isNull();
        ObjectNode inline = objOrNull(source, "inlineVolumeSpec");
        if (!hasPv && inline == null) {
            errs.required("spec.source", EXACTLY_ONE_SOURCE);
        } else if (hasPv && inline != null) {
            errs.forbidden("spec.source", EXACTLY_ONE_SOURCE);
        } else if (hasPv) {
            if (pvName.asText().isEmpty()) {
                errs.required("spec.source.persistentVolumeName", "must specify non empty persistentVolumeName");
            }
        } else {
            inlineVolumeSpec(inline, "spec.source.inlineVolumeSpec", errs);
        }
    }

    /** ValidatePersistentVolumeSpec for an inline volume: a CSI volume with access modes, no claim and no capacity. */
    private static void inlineVolumeSpec(ObjectNode spec, String path, ErrorList errs) {
        if (objOrNull(spec, "claimRef") != null) {
            errs.forbidden(path + ".claimRef", INLINE_ONLY);
        }
        if (!JsonTree.isEmpty(spec.get("capacity"))) {
            errs.forbidden(path + ".capacity", INLINE_ONLY);
        }
        ObjectNode csi = objOrNull(spec, "csi");
        if (csi == null) {
            errs.required(path + ".csi", "has to be specified in the context of inline volumes");
        }
        PersistentVolumeStrategy.validateAccessModes(spec, path, "", errs);
        if (VOLUME_SOURCES.stream().noneMatch(spec::hasNonNull)) {
            errs.required(path, "must specify a volume type");
        }
        if (csi != null) {
            csiDriverName(JsonTree.text(csi, "driver"), path + ".csi.driver", errs);
            if (JsonTree.text(csi, "volumeHandle").isEmpty()) {
                errs.required(path + ".csi.volumeHandle");
            }
        }
        String reclaimPolicy = JsonTree.text(spec, "persistentVolumeReclaimPolicy");
        if (!reclaimPolicy.isEmpty() && !reclaimPolicy.equals("Retain")) {
            errs.forbidden(path + ".persistentVolumeReclaimPolicy", "may only be Retain in the context of inline volumes");
        }
    }

    /** validateVolumeAttachmentStatus: bounded metadata and error messages. */
    private static void status(ObjectNode status, ErrorList errs) {
        ObjectNode metadata = objOrNull(status, "attachmentMetadata");
        if (metadata != null) {
            long size = 0;
            for (Map.Entry<String, JsonNode> e : metadata.properties()) {
                size += e.getKey().getBytes(StandardCharsets.UTF_8).length
                        + e.getValue().asText().getBytes(StandardCharsets.UTF_8).length;
            }
            if (size > MAX_METADATA_BYTES) {
                errs.tooLong("status.attachmentMetadata", MAX_METADATA_BYTES);
            }
        }
        for (String error : List.of("attachError", "detachError")) {
            String message = JsonTree.text(objOrNull(status, error), "message");
            if (message.getBytes(StandardCharsets.UTF_8).length > MAX_ERROR_MESSAGE) {
                // Kubernetes names the metadata limit, not the message's, in this error
                errs.tooLong("status." + error + ".message", MAX_METADATA_BYTES);
            }
        }
    }

    @Override
    public boolean returnDeletedObject() {
        return true;
    }
}

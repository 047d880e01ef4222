package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static io.kubus.gateway.admission.Fixtures.json;
import static io.kubus.gateway.admission.KindRules.admitted;
import static io.kubus.gateway.admission.KindRules.admittedUpdate;
import static io.kubus.gateway.admission.KindRules.refused;
import static io.kubus.gateway.admission.KindRules.refusedUpdate;
import static io.kubus.gateway.admission.KindRules.with;
import static io.kubus.schema.ResourceTypes.CSIDRIVERS;
import static io.kubus.schema.ResourceTypes.STORAGECLASSES;
import static io.kubus.schema.ResourceTypes.VOLUMEATTACHMENTS;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** storage.k8s.io/v1: ValidateStorageClass, ValidateCSIDriver, ValidateVolumeAttachment(V1) and their defaults (Kubernetes 1.32). */
class StorageKindsTest {
    private static final String SUBDOMAIN = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
            + "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
            + "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    private static ObjectNode storageClass() {
        return json("{'apiVersion':'storage.k8s.io/v1','kind':'StorageClass','metadata':{'name':'fast'},"
                + "'provisioner':'csi.example.com','parameters':{'type':'ssd'}}");
    }

    @Test
    void storageClassDefaults() {
        ObjectNode stored = admitted(STORAGECLASSES, storageClass());
        assertEquals("Delete", stored.path("reclaimPolicy").asText());
        assertEquals("Immediate", stored.path("volumeBindingMode").asText());
        ObjectNode kept = admitted(STORAGECLASSES, with(storageClass(), s -> s.put("reclaimPolicy", "Retain")
                .put("volumeBindingMode", "WaitForFirstConsumer").put("allowVolumeExpansion", true)));
        assertEquals("Retain", kept.path("reclaimPolicy").asText());
        assertEquals("WaitForFirstConsumer", kept.path("volumeBindingMode").asText());
    }

    @Test
    void storageClassValidation() {
        refused(STORAGECLASSES, with(storageClass(), s -> s.remove("provisioner")), "provisioner: Required value");
        refused(STORAGECLASSES, with(storageClass(), s -> s.put("provisioner", "Example.com/My Driver")),
                "provisioner: Invalid value: \"example.com/my driver\": name part must consist of alphanumeric characters, '-', "
                        + "'_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
                        + "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
        refused(STORAGECLASSES, with(storageClass(), s -> s.put("reclaimPolicy", "Recycle")),
                "reclaimPolicy: Unsupported value: \"Recycle\": supported values: \"Delete\", \"Retain\"");
        refused(STORAGECLASSES, with(storageClass(), s -> s.put("volumeBindingMode", "Later")),
                "volumeBindingMode: Unsupported value: \"Later\": supported values: \"Immediate\", \"WaitForFirstConsumer\"");
        refused(STORAGECLASSES, with(storageClass(), s -> s.with("parameters").put("", "x")),
                "parameters: Invalid value: \"\": field can not be empty.");
        refused(STORAGECLASSES, with(storageClass(), s -> s.with("parameters").put("big", "x".repeat(256 * 1024))),
                "parameters: Too long: may not be more than 262144 bytes");
        refused(STORAGECLASSES, with(storageClass(), s -> s.set("allowedTopologies", json("{'t':[{'matchLabelExpressions':"
                        + "[{'key':'topology.kubernetes.io/zone','values':['a','a']},{'key':'topology.kubernetes.io/zone','values':[]}]}]}").get("t"))),
                "allowedTopologies[0].matchLabelExpressions[0].values[1]: Duplicate value: \"a\"",
                "allowedTopologies[0].matchLabelExpressions[1].values: Required value",
                "allowedTopologies[0].matchLabelExpressions[1].key: Duplicate value: \"topology.kubernetes.io/zone\"");
    }

    @Test
    void storageClassIsFixedButForExpansion() {
        ObjectNode old = admitted(STORAGECLASSES, storageClass());
        admittedUpdate(STORAGECLASSES, with(old, s -> s.put("allowVolumeExpansion", true).with("metadata")
                .putObject("annotations").put("storageclass.kubernetes.io/is-default-class", "true")), old);
        refusedUpdate(STORAGECLASSES, with(old, s -> s.put("provisioner", "other.example.com").put("reclaimPolicy", "Retain")
                        .put("volumeBindingMode", "WaitForFirstConsumer").with("parameters").put("type", "hdd")), old,
                "parameters: Forbidden: updates to parameters are forbidden.",
                "provisioner: Forbidden: updates to provisioner are forbidden.",
                "reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.",
                "volumeBindingMode: Invalid value: \"WaitForFirstConsumer\": field is immutable");
    }

    private static ObjectNode csiDriver() {
        return json("{'apiVersion':'storage.k8s.io/v1','kind':'CSIDriver','metadata':{'name':'csi.example.com'},'spec':{}}");
    }

    @Test
    void csiDriverDefaults() {
        ObjectNode stored = admitted(CSIDRIVERS, with(csiDriver(), d -> d.remove("spec")));
        assertEquals(json("{'attachRequired':true,'podInfoOnMount':false,'storageCapacity':false,"
                + "'fsGroupPolicy':'ReadWriteOnceWithFSType','volumeLifecycleModes':['Persistent'],'requiresRepublish':false,"
                + "'seLinuxMount':false}"), stored.get("spec"));
    }

    @Test
    void csiDriverValidation() {
        refused(CSIDRIVERS, with(csiDriver(), d -> d.with("spec").put("fsGroupPolicy", "Always")),
                "spec.fsGroupPolicy: Unsupported value: \"Always\": supported values: \"File\", \"None\", \"ReadWriteOnceWithFSType\"");
        refused(CSIDRIVERS, with(csiDriver(), d -> d.with("spec").putArray("volumeLifecycleModes").add("Persistent").add("Shared")),
                "spec.volumeLifecycleModes: Unsupported value: \"Shared\": supported values: \"Persistent\", \"Ephemeral\"");
        refused(CSIDRIVERS, with(csiDriver(), d -> d.with("spec").set("tokenRequests", json("{'t':[{'audience':'vault',"
                        + "'expirationSeconds':60},{'audience':'vault'},{'audience':'gcp','expirationSeconds':5000000000}]}").get("t"))),
                "spec.tokenRequests[0].expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes",
                "spec.tokenRequests[1].audience: Duplicate value: \"vault\"",
                "spec.tokenRequests[2].expirationSeconds: Invalid value: 5000000000: may not specify a duration larger than 2^32 seconds");
        ObjectNode old = admitted(CSIDRIVERS, csiDriver());
        admittedUpdate(CSIDRIVERS, with(old, d -> d.with("spec").put("podInfoOnMount", true).put("storageCapacity", true)), old);
        refusedUpdate(CSIDRIVERS, with(old, d -> d.with("spec").put("attachRequired", false).putArray("volumeLifecycleModes")
                        .add("Persistent").add("Ephemeral")), old,
                "spec.attachedRequired: Invalid value: false: field is immutable",
                "spec.volumeLifecycleModes: Invalid value: []storage.VolumeLifecycleMode{\"Persistent\", \"Ephemeral\"}: field is immutable");
    }

    private static ObjectNode attachment() {
        return json("{'apiVersion':'storage.k8s.io/v1','kind':'VolumeAttachment','metadata':{'name':'csi-0123'},"
                + "'spec':{'attacher':'csi.example.com','nodeName':'node-1','source':{'persistentVolumeName':'pv-1'}}}");
    }

    @Test
    void volumeAttachmentStartsDetached() {
        ObjectNode stored = admitted(VOLUMEATTACHMENTS, with(attachment(), a -> a.putObject("status").put("attached", true)));
        assertEquals(json("{'attached':false}"), stored.get("status"));
    }

    @Test
    void volumeAttachmentValidation() {
        refused(VOLUMEATTACHMENTS, with(attachment(), a -> a.remove("spec")),
                "spec.attacher: Required value",
                "spec.source: Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName",
                "spec.nodeName: Invalid value: \"\": " + SUBDOMAIN,
                "spec.attacher: Required value",
                "spec.attacher: Invalid value: \"\": " + SUBDOMAIN);
        // the message names the group-qualified kind and each problem once, as errors.NewInvalid's does
        assertEquals("VolumeAttachment.storage.k8s.io \"csi-0123\" is invalid: [spec.attacher: Required value, spec.source: "
                + "Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName, spec.nodeName: Invalid "
                + "value: \"\": " + SUBDOMAIN + ", spec.attacher: Invalid value: \"\": " + SUBDOMAIN + "]",
                Fixtures.refuse(VOLUMEATTACHMENTS, with(attachment(), a -> a.remove("spec")), null).getMessage());
        refused(VOLUMEATTACHMENTS, with(attachment(), a -> a.with("spec").put("attacher", "CSI_Driver").put("nodeName", "Node_1")),
                "spec.nodeName: Invalid value: \"Node_1\": " + SUBDOMAIN,
                "spec.attacher: Invalid value: \"CSI_Driver\": " + SUBDOMAIN);
        refused(VOLUMEATTACHMENTS, with(attachment(), a -> a.with("spec").put("attacher", "a".repeat(64))),
                "spec.attacher: Too long: may not be more than 63 bytes");
        refused(VOLUMEATTACHMENTS, with(attachment(), a -> a.with("spec").with("source").put("persistentVolumeName", "")),
                "spec.source.persistentVolumeName: Required value: must specify non empty persistentVolumeName",
                "spec.source.persistentVolumeName: Invalid value: \"\": " + SUBDOMAIN);
        refused(VOLUMEATTACHMENTS, with(attachment(), a -> a.with("spec").with("source").putObject("inlineVolumeSpec")),
                "spec.source: Forbidden: must specify exactly one of inlineVolumeSpec and persistentVolumeName");
        refused(VOLUMEATTACHMENTS, with(attachment(), a -> {
                    a.with("spec").with("source").remove("persistentVolumeName");
                    a.with("spec").with("source").set("inlineVolumeSpec", json("{'capacity':{'storage':'1Gi'},'hostPath':{'path':'/d'}}"));
                }),
                "spec.source.inlineVolumeSpec.capacity: Forbidden: may not be specified in the context of inline volumes",
                "spec.source.inlineVolumeSpec.csi: Required value: has to be specified in the context of inline volumes",
                "spec.source.inlineVolumeSpec.accessModes: Required value");
        admitted(VOLUMEATTACHMENTS, with(attachment(), a -> {
            a.with("spec").with("source").remove("persistentVolumeName");
            a.with("spec").with("source").set("inlineVolumeSpec", json("{'accessModes':['ReadWriteOnce'],"
                    + "'csi':{'driver':'csi.example.com','volumeHandle':'vol-1'}}"));
        }));
    }

    @Test
    void volumeAttachmentSpecIsReadOnly() {
        ObjectNode old = admitted(VOLUMEATTACHMENTS, attachment());
        refusedUpdate(VOLUMEATTACHMENTS, with(old, a -> a.with("spec").put("nodeName", "node-2")), old,
                "spec: Invalid value: storage.VolumeAttachmentSpec{\"attacher\":\"csi.example.com\",\"nodeName\":\"node-2\","
                        + "\"source\":{\"persistentVolumeName\":\"pv-1\"}}: field is immutable");
    }
}

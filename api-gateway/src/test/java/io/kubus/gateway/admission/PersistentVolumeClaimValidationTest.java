package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static io.kubus.gateway.admission.Fixtures.json;
import static io.kubus.gateway.admission.KindRules.admitted;
import static io.kubus.gateway.admission.KindRules.admittedUpdate;
import static io.kubus.gateway.admission.KindRules.refused;
import static io.kubus.gateway.admission.KindRules.refusedUpdate;
import static io.kubus.gateway.admission.KindRules.with;
import static io.kubus.schema.ResourceTypes.PERSISTENTVOLUMECLAIMS;
import static io.kubus.schema.ResourceTypes.PERSISTENTVOLUMES;

/** ValidatePersistentVolumeClaimSpec and ValidatePersistentVolumeClaimUpdate, and the access modes volumes share. */
class PersistentVolumeClaimValidationTest {
    private static final String IMMUTABLE = "spec: Forbidden: spec is immutable after creation except resources.requests "
            + "and volumeAttributesClassName for bound claims";
    private static final String SHRUNK = "spec.resources.requests.storage: Forbidden: field can not be less than previous value";

    private static ObjectNode claim() {
        return json("{'apiVersion':'v1','kind':'PersistentVolumeClaim','metadata':{'name':'data','namespace':'default'},"
                + "'spec':{'accessModes':['ReadWriteOnce'],'resources':{'requests':{'storage':'1Gi'}}}}");
    }

    private static ObjectNode storage(ObjectNode pvc, String size) {
        pvc.with("spec").with("resources").with("requests").put("storage", size);
        return pvc;
    }

    @Test
    void accessModesAreRequiredAndKnown() {
        refused(PERSISTENTVOLUMECLAIMS, with(claim(), c -> c.with("spec").remove("accessModes")),
                "spec.accessModes: Required value: at least 1 access mode is required");
        refused(PERSISTENTVOLUMECLAIMS, with(claim(), c -> c.with("spec").putArray("accessModes").add("ReadWriteOnce").add("WriteOnly")),
                "spec.accessModes: Unsupported value: \"WriteOnly\": supported values: \"ReadOnlyMany\", \"ReadWriteMany\", "
                        + "\"ReadWriteOnce\", \"ReadWriteOncePod\"");
        refused(PERSISTENTVOLUMECLAIMS, with(claim(), c -> c.with("spec").putArray("accessModes").add("ReadWriteOncePod").add("ReadOnlyMany")),
                "spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes");
        admitted(PERSISTENTVOLUMECLAIMS, with(claim(), c -> c.with("spec").putArray("accessModes").add("ReadWriteOncePod")));
    }

    /** The rule is the volumes' too (ValidatePersistentVolumeSpec), whose Required has no detail. */
    @Test
    void volumesShareTheAccessModeRules() {
        ObjectNode pv = json("{'apiVersion':'v1','kind':'PersistentVolume','metadata':{'name':'pv-1'},"
                + "'spec':{'capacity':{'storage':'1Gi'},'hostPath':{'path':'/d'}}}");
        refused(PERSISTENTVOLUMES, pv, "spec.accessModes: Required value");
        refused(PERSISTENTVOLUMES, with(pv, v -> v.with("spec").putArray("accessModes").add("ReadWriteOncePod").add("ReadWriteMany")),
                "spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes");
    }

    @Test
    void theStorageRequestIsRequiredAndAboveZero() {
        refused(PERSISTENTVOLUMECLAIMS, with(claim(), c -> c.with("spec").remove("resources")),
                "spec.resources[storage]: Required value");
        refused(PERSISTENTVOLUMECLAIMS, storage(claim(), "ten gigs"),
                "spec.resources[storage]: Invalid value: \"ten gigs\": quantities must match the regular "
                        + "expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
        refused(PERSISTENTVOLUMECLAIMS, storage(claim(), "0Gi"),
                "spec.resources[storage]: Invalid value: \"0\": must be greater than zero");
        refused(PERSISTENTVOLUMECLAIMS, storage(claim(), "-5Mi"),
                "spec.resources[storage]: Invalid value: \"-5Mi\": must be greater than zero");
    }

    @Test
    void classNameSelectorAndVolumeMode() {
        refused(PERSISTENTVOLUMECLAIMS, with(claim(), c -> c.with("spec").put("storageClassName", "Fast_SSD")),
                "spec.storageClassName: Invalid value: \"Fast_SSD\": a lowercase RFC 1123 subdomain must consist of lower "
                        + "case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
                        + "'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
        refused(PERSISTENTVOLUMECLAIMS, with(claim(), c -> c.with("spec").put("volumeMode", "Raw")),
                "spec.volumeMode: Unsupported value: \"Raw\": supported values: \"Block\", \"Filesystem\"");
        refused(PERSISTENTVOLUMECLAIMS, with(claim(), c -> c.with("spec").set("selector",
                        json("{'matchExpressions':[{'key':'zone','operator':'In'}]}"))),
                "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'");
    }

    @Test
    void aClaimsSpecIsFixedOnceCreated() {
        ObjectNode old = admitted(PERSISTENTVOLUMECLAIMS, claim());
        refusedUpdate(PERSISTENTVOLUMECLAIMS, with(old, c -> c.with("spec").putArray("accessModes").add("ReadWriteMany")), old,
                IMMUTABLE);
        refusedUpdate(PERSISTENTVOLUMECLAIMS, storage(old.deepCopy(), "2Gi"), old, IMMUTABLE);
        // the same size in other units is no change (quantities compare by value)
        admittedUpdate(PERSISTENTVOLUMECLAIMS, storage(old.deepCopy(), "1024Mi"), old);
        admittedUpdate(PERSISTENTVOLUMECLAIMS, with(old, c -> c.with("metadata").putObject("annotations").put("note", "x")), old);
    }

    @Test
    void aReducedSizeIsRefused() {
        ObjectNode old = admitted(PERSISTENTVOLUMECLAIMS, claim());
        refusedUpdate(PERSISTENTVOLUMECLAIMS, storage(old.deepCopy(), "512Mi"), old, IMMUTABLE, SHRUNK);
        ObjectNode bound = bound(old);
        refusedUpdate(PERSISTENTVOLUMECLAIMS, storage(bound.deepCopy(), "512Mi"), bound, SHRUNK);
    }

    /** Expansion: a bound claim's request may grow, and only that part of its spec. */
    @Test
    void aBoundClaimMayGrow() {
        ObjectNode bound = bound(admitted(PERSISTENTVOLUMECLAIMS, claim()));
        admittedUpdate(PERSISTENTVOLUMECLAIMS, storage(bound.deepCopy(), "5Gi"), bound);
        refusedUpdate(PERSISTENTVOLUMECLAIMS, with(storage(bound.deepCopy(), "5Gi"), c -> c.with("spec").put("volumeMode", "Block")),
                bound, IMMUTABLE);
    }

    /** What the volume controller writes when it binds: volumeName once, while it is empty, and annotations. */
    @Test
    void bindingSetsTheVolumeNameOnce() {
        ObjectNode old = admitted(PERSISTENTVOLUMECLAIMS, claim());
        ObjectNode named = with(old, c -> {
            c.with("spec").put("volumeName", "pv-1");
            c.with("metadata").putObject("annotations").put("pv.kubernetes.io/bind-completed", "yes");
        });
        admittedUpdate(PERSISTENTVOLUMECLAIMS, named, old);
        refusedUpdate(PERSISTENTVOLUMECLAIMS, with(named, c -> c.with("spec").put("volumeName", "pv-2")), named, IMMUTABLE);
    }

    /** A claim made while no class was the default may get one later, once (kube's upgrade from a nil class). */
    @Test
    void aClassMayBeSetOnceWhenTheClaimHadNone() {
        ObjectNode old = admitted(PERSISTENTVOLUMECLAIMS, claim());
        old.with("spec").remove("storageClassName"); // as stored when no class was the default
        ObjectNode classed = with(old, c -> c.with("spec").put("storageClassName", "fast"));
        admittedUpdate(PERSISTENTVOLUMECLAIMS, classed, old);
        refusedUpdate(PERSISTENTVOLUMECLAIMS, with(classed, c -> c.with("spec").put("storageClassName", "slow")), classed, IMMUTABLE);
    }

    private static ObjectNode bound(ObjectNode pvc) {
        ObjectNode copy = pvc.deepCopy();
        copy.with("spec").put("volumeName", "pv-1");
        copy.putObject("status").put("phase", "Bound");
        return copy;
    }
}

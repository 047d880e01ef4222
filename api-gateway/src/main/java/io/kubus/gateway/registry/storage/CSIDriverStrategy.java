package io.kubus.gateway.registry.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.ErrorList.GoValue;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static io.kubus.gateway.registry.JsonTree.absent;
import static io.kubus.gateway.registry.JsonTree.def;
import static io.kubus.gateway.registry.JsonTree.obj;
import static io.kubus.gateway.registry.JsonTree.objOrNull;
import static io.kubus.gateway.registry.JsonTree.objects;
import static io.kubus.gateway.table.Cells.name;

/** CSIDrivers (pkg/registry/storage/csidriver, ValidateCSIDriver): how Kubernetes talks to a CSI volume driver. */
@Singleton
public class CSIDriverStrategy implements Strategy {
    private static final List<String> FS_GROUP_POLICIES = List.of("File", "None", "ReadWriteOnceWithFSType");
    private static final List<String> LIFECYCLE_MODES = List.of("Persistent", "Ephemeral");
    private static final long MIN_TOKEN_SECONDS = 600;
    private static final long MAX_TOKEN_SECONDS = 1L << 32;
    private static final TablePrinter PRINTER = new KindPrinter(KindPrinter.columns(
            "AttachRequired", "boolean", "attachRequired indicates this CSI volume driver requires an attach operation "
                    + "(because it implements the CSI ControllerPublishVolume() method), and that the Kubernetes attach detach "
                    + "controller should call the attach volume interface which checks the volumeattachment status and waits "
                    + "until the volume is attached before proceeding to mounting.",
            "PodInfoOnMount", "boolean", "podInfoOnMount indicates this CSI volume driver requires additional pod information "
                    + "(like podName, podUID, etc.) during mount operations, if set to true.",
            "StorageCapacity", "boolean", "storageCapacity indicates that the CSI volume driver wants pod scheduling to "
                    + "consider the storage capacity that the driver deployment will report by creating CSIStorageCapacity "
                    + "objects with capacity information, if set to true.",
            "TokenRequests", "string", "tokenRequests indicates the CSI driver needs pods' service account tokens it is "
                    + "mounting volume for to do necessary authentication.",
            "RequiresRepublish", "boolean", "requiresRepublish indicates the CSI driver wants `NodePublishVolume` being "
                    + "periodically called to reflect any possible change in the mounted volume. This field defaults to false.",
            "Modes", "string", "volumeLifecycleModes defines what kind of volumes this CSI volume driver supports.",
            "Age", "string", TablePrinters.AGE),
            (o, now) -> {
                JsonNode spec = o.path("spec");
                return List.of(name(o), spec.path("attachRequired").asBoolean(true), spec.path("podInfoOnMount").asBoolean(false),
                        spec.path("storageCapacity").asBoolean(false), tokenRequests(spec.path("tokenRequests")),
                        spec.path("requiresRepublish").asBoolean(false), modes(spec.path("volumeLifecycleModes")),
                        TablePrinters.age(o, now));
            });

    @Override
    public ResourceType type() {
        return ResourceTypes.CSIDRIVERS;
    }

    /**
     * SetDefaults_CSIDriver, with Kubernetes 1.32's default feature gates (SELinuxMountReadWriteOncePod on). It
     * leaves nothing for validation's "Required" checks of these fields to find.
     */
    @Override
    public void defaults(ObjectNode driver) {
        ObjectNode spec = obj(driver, "spec");
        def(spec, "attachRequired", true);
        def(spec, "podInfoOnMount", false);
        def(spec, "storageCapacity", false);
        if (absent(spec, "fsGroupPolicy")) {
            spec.put("fsGroupPolicy", "ReadWriteOnceWithFSType");
        }
        if (JsonTree.isEmpty(spec.get("volumeLifecycleModes"))) {
            spec.putArray("volumeLifecycleModes").add("Persistent");
        }
        def(spec, "requiresRepublish", false);
        def(spec, "seLinuxMount", false);
    }

    @Override
    public void validate(ObjectNode driver, ErrorList errs) {
        ObjectNode spec = objOrNull(driver, "spec");
        String fsGroupPolicy = JsonTree.text(spec, "fsGroupPolicy");
        if (!FS_GROUP_POLICIES.contains(fsGroupPolicy)) {
            errs.notSupported("spec.fsGroupPolicy", fsGroupPolicy, FS_GROUP_POLICIES);
        }
        Set<String> audiences = new HashSet<>();
        List<ObjectNode> tokenRequests = objects(spec, "tokenRequests");
        for (int i = 0; i < tokenRequests.size(); i++) {
            String path = "spec.tokenRequests[" + i + "]";
            String audience = JsonTree.text(tokenRequests.get(i), "audience");
            if (!audiences.add(audience)) {
                errs.duplicate(path + ".audience", audience);
                continue;
            }
            JsonNode seconds = tokenRequests.get(i).get("expirationSeconds");
            if (seconds == null || seconds.isNull()) {
                continue;
            }
            if (seconds.asLong() < MIN_TOKEN_SECONDS) {
                errs.invalid(path + ".expirationSeconds", seconds.asLong(), "may not specify a duration less than 10 minutes");
            }
            if (seconds.asLong() > MAX_TOKEN_SECONDS) {
                errs.invalid(path + ".expirationSeconds", seconds.asLong(), "may not specify a duration larger than 2^32 seconds");
            }
        }
        for (JsonNode mode : driver.path("spec").path("volumeLifecycleModes")) {
            if (!LIFECYCLE_MODES.contains(mode.asText())) {
                errs.notSupported("spec.volumeLifecycleModes", mode.asText(), LIFECYCLE_MODES);
            }
        }
    }

    /**
     * Whether volumes need attaching, and which lifecycles they have, is fixed: nodes act on them. (Kubernetes names
     * attachRequired's path "spec.attachedRequired".)
     */
    @Override
    public void validateUpdate(ObjectNode driver, ObjectNode old, ErrorList errs) {
        JsonNode attach = driver.path("spec").path("attachRequired");
        if (!KubusJson.equivalent(attach, old.path("spec").path("attachRequired"))) {
            errs.invalid("spec.attachedRequired", attach.asBoolean(), "field is immutable");
        }
        JsonNode modes = driver.path("spec").path("volumeLifecycleModes");
        if (!KubusJson.equivalent(modes, old.path("spec").path("volumeLifecycleModes"))) {
            String shown = modes.valueStream().map(m -> ErrorList.show(m.asText())).collect(Collectors.joining(", "));
            errs.invalid("spec.volumeLifecycleModes", new GoValue("[]storage.VolumeLifecycleMode{" + shown + "}"),
                    "field is immutable");
        }
    }

    @Override
    public TablePrinter printer() {
        return PRINTER;
    }

    /** The audiences of the token requests, {@code <unset>} when there are none. */
    private static String tokenRequests(JsonNode requests) {
        if (requests.isEmpty()) {
            return "<unset>";
        }
        List<String> audiences = new ArrayList<>();
        requests.forEach(r -> audiences.add(r.path("audience").asText("")));
        return String.join(",", audiences);
    }

    private static String modes(JsonNode modes) {
        List<String> all = new ArrayList<>();
        modes.forEach(m -> all.add(m.asText()));
        return all.isEmpty() ? "<none>" : String.join(",", all);
    }

    @Override
    public boolean returnDeletedObject() {
        return true;
    }
}

package io.kubus.gateway.registry.core.pod;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.auth.UserInfo;
import io.kubus.gateway.patch.PatchSchema;
import io.kubus.gateway.patch.PatchSchemas;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.pod.PodPhases;
import io.kubus.schema.validation.ErrorList;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.kubus.gateway.registry.JsonTree.obj;
import static io.kubus.gateway.registry.JsonTree.objOrNull;

/** Pods (pkg/registry/core/pod/strategy.go). */
@Singleton
public class PodStrategy implements Strategy {
    private static final String FORBIDDEN_UPDATE = "pod updates may not change fields other than `spec.containers[*].image`,"
            + "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),"
            + "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";
    private static final PatchSchema SCHEMA = PatchSchemas.object(PatchSchemas.POD_SPEC, PatchSchemas.POD_STATUS);
    private static final Set<String> SELECTABLE = Set.of("spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
            "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName");
    /** The conditions only the kubelet sets (kubetypes.PodConditionByKubelet, less PodScheduled, which it carries over). */
    private static final Set<String> KUBELET_CONDITIONS = Set.of("Ready", "Initialized", "ContainersReady",
            "PodReadyToStartContainers");
    private final TablePrinter printer = new PodPrinter();

    @Override
    public ResourceType type() {
        return ResourceTypes.PODS;
    }

    @Override
    public void defaults(ObjectNode pod) {
        PodSpecDefaults.podSpec(obj(pod, "spec"), false);
    }

    /** A new pod starts Pending, with its QoS class fixed from the admitted resources. */
    @Override
    public void prepareForCreate(ObjectNode pod, UserInfo creator) {
        Strategy.super.prepareForCreate(pod, creator);
        ObjectNode status = obj(pod, "status");
        status.put("phase", "Pending");
        status.put("qosClass", QosClass.of(obj(pod, "spec")));
    }

    @Override
    public void validate(ObjectNode pod, ErrorList errs) {
        PodSpecValidation.spec(objOrNull(pod, "spec"), "spec", PodSpecValidation.RESTART_POLICIES, errs);
    }

    /**
     * A running pod's spec is fixed except for images, the deadline and added tolerations: the kubelet cannot apply
     * other changes to containers that already run. The check copies the mutable fields from the old spec into the
     * new one and asks for equality, as ValidatePodUpdate does.
     */
    @Override
    public void validateUpdate(ObjectNode pod, ObjectNode old, ErrorList errs) {
        JsonNode nowSpec = pod.path("spec");
        JsonNode oldSpec = old.path("spec");
        if (!(nowSpec instanceof ObjectNode) || !(oldSpec instanceof ObjectNode)) {
            return;
        }
        ObjectNode mutated = nowSpec.deepCopy();
        for (String list : List.of("containers", "initContainers")) {
            JsonNode a = mutated.path(list);
            JsonNode b = oldSpec.path(list);
            if (a.isArray() && b.isArray() && a.size() == b.size()) {
                for (int i = 0; i < a.size(); i++) {
                    if (a.get(i) instanceof ObjectNode c && b.get(i).has("image")) {
                        c.set("image", b.get(i).get("image"));
                    }
                }
            }
        }
        JsonNode oldDeadline = oldSpec.get("activeDeadlineSeconds");
        JsonNode newDeadline = nowSpec.get("activeDeadlineSeconds");
        if (newDeadline != null && !newDeadline.isNull()) {
            // the deadline may be set or shortened, never lengthened or removed
            if (oldDeadline == null || oldDeadline.isNull() || newDeadline.asLong() <= oldDeadline.asLong()) {
                JsonTree.keep(mutated, oldSpec, "activeDeadlineSeconds");
            }
        }
        if (tolerationsOnlyAdded(nowSpec.path("tolerations"), oldSpec.path("tolerations"))) {
            JsonTree.keep(mutated, oldSpec, "tolerations");
        }
        if (!KubusJson.equivalent(mutated, oldSpec)) {
            errs.forbidden("spec", FORBIDDEN_UPDATE);
        }
    }

    private static boolean tolerationsOnlyAdded(JsonNode now, JsonNode old) {
        for (JsonNode t : old) {
            boolean kept = false;
            for (JsonNode n : now) {
                kept |= KubusJson.equivalent(t, n);
            }
            if (!kept) {
                return false;
            }
        }
        return true;
    }

    /**
     * The conditions others set stay when the node does not report them, as the kubelet's status manager merges them:
     * the binding's PodScheduled, an eviction's DisruptionTarget. Only the kubelet's own conditions are the report's.
     */
    @Override
    public ObjectNode statusFromReport(ObjectNode current, ObjectNode reported) {
        Set<String> reportedTypes = new HashSet<>();
        reported.path("conditions").forEach(c -> reportedTypes.add(c.path("type").asText()));
        for (JsonNode c : current.path("status").path("conditions")) {
            String type = c.path("type").asText();
            if (!reportedTypes.contains(type) && !KUBELET_CONDITIONS.contains(type)) {
                ArrayNode conditions = reported.get("conditions") instanceof ArrayNode a ? a : reported.putArray("conditions");
                conditions.add(c.deepCopy());
            }
        }
        return reported;
    }

    @Override
    public @Nullable String boundNode(ObjectNode pod) {
        String node = pod.path("spec").path("nodeName").asText("");
        return node.isEmpty() ? null : node;
    }

    /**
     * A bound, running pod gets its grace period (the request's, else its terminationGracePeriodSeconds), for its
     * kubelet to stop it; one no kubelet has to stop (unbound, or finished) goes at once, as kube-apiserver decides.
     */
    @Override
    public long gracePeriodSeconds(ObjectNode pod, @Nullable Long requested) {
        String phase = pod.path("status").path("phase").asText("");
        if (pod.path("spec").path("nodeName").asText("").isEmpty() || PodPhases.isTerminal(phase)) {
            return 0;
        }
        return requested != null ? requested : pod.path("spec").path("terminationGracePeriodSeconds").asLong(30);
    }

    @Override
    public TablePrinter printer() {
        return printer;
    }

    @Override
    public PatchSchema patchSchema() {
        return SCHEMA;
    }

    @Override
    public Set<String> selectableFields() {
        return SELECTABLE;
    }

    @Override
    public boolean returnDeletedObject() {
        return true;
    }
}

package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.schema.ResourceType;

import java.util.List;
import java.util.Set;

/** The update-only rules (ValidateXUpdate): what may not change once an object exists. */
final class UpdateRules {
    private static final String POD_FORBIDDEN = "pod updates may not change fields other than `spec.containers[*].image`,"
            + "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),"
            + "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";
    private static final Set<String> STATEFULSET_MUTABLE = Set.of("replicas", "ordinals", "template", "updateStrategy",
            "persistentVolumeClaimRetentionPolicy", "minReadySeconds");

    private UpdateRules() {
    }

    static void validate(ResourceType type, ObjectNode now, ObjectNode old, Errors errs) {
        switch (type.kind()) {
            case "Pod" -> pod(now.path("spec"), old.path("spec"), errs);
            case "Deployment", "ReplicaSet", "DaemonSet" -> immutable(now, old, "selector", errs);
            case "Job" -> job(now, old, errs);
            case "Service" -> service(now, old, errs);
            case "ConfigMap", "Secret" -> configData(type, now, old, errs);
            case "StatefulSet" -> statefulSet(now, old, errs);
            default -> {
                // other kinds are freely updatable beyond what create validation checks
            }
        }
    }

    private static void immutable(ObjectNode now, ObjectNode old, String field, Errors errs) {
        JsonNode before = old.path("spec").path(field);
        JsonNode after = now.path("spec").path(field);
        if (!Json.same(before, after)) {
            errs.invalid("spec." + field, new Validation.GoValue("v1.LabelSelector" + after), "field is immutable");
        }
    }

    /**
     * A Job's pods are made from its template, so the template only changes while the job is suspended (to set
     * scheduling directives before it starts); completions are fixed.
     */
    private static void job(ObjectNode now, ObjectNode old, Errors errs) {
        immutable(now, old, "selector", errs);
        JsonNode before = old.path("spec");
        JsonNode after = now.path("spec");
        if (!before.path("suspend").asBoolean(false) && !Json.same(before.path("template"), after.path("template"))) {
            errs.invalid("spec.template", new Validation.GoValue("core.PodTemplateSpec" + after.path("template")), "field is immutable");
        }
        if (!Json.same(before.path("completions"), after.path("completions"))) {
            errs.invalid("spec.completions", after.path("completions").asLong(), "field is immutable");
        }
    }

    /**
     * The cluster IP is allocated once. An update that omits it keeps the allocated one (as the apiserver's
     * patchAllocatedValues does, so a PUT of the original manifest works); one that changes it is refused.
     */
    static void carryOverAllocated(ResourceType type, ObjectNode now, ObjectNode old) {
        if (!type.kind().equals("Service") || !(now.get("spec") instanceof ObjectNode spec)) {
            return;
        }
        JsonNode oldSpec = old.path("spec");
        for (String field : List.of("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy")) {
            if (Json.absent(spec, field) && oldSpec.has(field)) {
                spec.set(field, oldSpec.get(field).deepCopy());
            }
        }
        for (ObjectNode port : Json.objects(spec, "ports")) {
            if (Json.absent(port, "nodePort")) {
                for (JsonNode was : oldSpec.path("ports")) {
                    if (was.path("port").asLong() == port.path("port").asLong() && was.has("nodePort")) {
                        port.set("nodePort", was.get("nodePort").deepCopy());
                    }
                }
            }
        }
    }

    private static void service(ObjectNode now, ObjectNode old, Errors errs) {
        String before = old.path("spec").path("clusterIP").asText("");
        String after = now.path("spec").path("clusterIP").asText("");
        String type = now.path("spec").path("type").asText("");
        // ExternalName services have no cluster IP, so switching to one may drop it
        if (!before.isEmpty() && !before.equals(after) && !type.equals("ExternalName")) {
            errs.invalid("spec.clusterIP", after, "field is immutable");
        }
    }

    /** Immutable ConfigMaps and Secrets let kubelets stop watching them, so they must really not change. */
    private static void configData(ResourceType type, ObjectNode now, ObjectNode old, Errors errs) {
        if (type.kind().equals("Secret") && !Json.same(old.path("type"), now.path("type"))) {
            errs.invalid("type", now.path("type").asText(), "field is immutable");
        }
        if (!old.path("immutable").asBoolean(false)) {
            return;
        }
        if (!now.path("immutable").asBoolean(false)) {
            errs.forbidden("immutable", "field is immutable when `immutable` is set");
        }
        for (String field : List.of("data", "binaryData")) {
            if (!Json.same(old.path(field), now.path(field))) {
                errs.forbidden(field, "field is immutable when `immutable` is set");
            }
        }
    }

    private static void statefulSet(ObjectNode now, ObjectNode old, Errors errs) {
        ObjectNode a = now.path("spec").deepCopy();
        ObjectNode b = old.path("spec").deepCopy();
        a.remove(STATEFULSET_MUTABLE);
        b.remove(STATEFULSET_MUTABLE);
        if (!Json.same(a, b)) {
            errs.forbidden("spec", "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
                    + "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden");
        }
    }

    /**
     * A running pod's spec is fixed except for images, the deadline and added tolerations: the kubelet cannot
     * apply other changes to containers that already run. The check copies the mutable fields from the old
     * spec into the new one and asks for equality, as ValidatePodUpdate does.
     */
    private static void pod(JsonNode nowSpec, JsonNode oldSpec, Errors errs) {
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
                restore(mutated, oldSpec, "activeDeadlineSeconds");
            }
        }
        if (tolerationsOnlyAdded(nowSpec.path("tolerations"), oldSpec.path("tolerations"))) {
            restore(mutated, oldSpec, "tolerations");
        }
        if (!Json.same(mutated, oldSpec)) {
            errs.forbidden("spec", POD_FORBIDDEN);
        }
    }

    private static void restore(ObjectNode spec, JsonNode oldSpec, String field) {
        if (oldSpec.has(field)) {
            spec.set(field, oldSpec.get(field).deepCopy());
        } else {
            spec.remove(field);
        }
    }

    private static boolean tolerationsOnlyAdded(JsonNode now, JsonNode old) {
        for (JsonNode t : old) {
            boolean kept = false;
            for (JsonNode n : now) {
                kept |= Json.same(t, n);
            }
            if (!kept) {
                return false;
            }
        }
        return true;
    }
}

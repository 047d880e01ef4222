package io.kubus.controllers.common;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.ControllerRevisionBuilder;
import io.kubus.controllers.deployment.PodTemplates;
import io.kubus.schema.KubusJson;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The ControllerRevisions in which the DaemonSet and StatefulSet controllers keep their pod templates (Kubernetes'
 * controller/history with the daemon and statefulset snapshot, Match, getPatch and ApplyRevision): each holds one
 * template as the patch {@code {"spec":{"template":{..., "$patch":"replace"}}}} that {@code kubectl rollout undo}
 * sends back as a strategic merge patch, is named {@code <owner>-<hash>} and labelled with the owner's template
 * labels (so that the owner's selector finds it, as {@code kubectl rollout history} looks) and with the hash under
 * the owner kind's label: {@code controller-revision-hash} for a DaemonSet, whose pods carry the same hash,
 * {@code controller.kubernetes.io/hash} for a StatefulSet, whose pods carry the revision's name.
 */
public final class TemplateRevisions {
    /** The hash label of a StatefulSet's revisions (history.ControllerRevisionHashLabel). */
    public static final String CONTROLLER_HASH_LABEL = "controller.kubernetes.io/hash";
    public static final Comparator<ControllerRevision> BY_REVISION =
            Comparator.comparingLong(r -> Objects.requireNonNullElse(r.getRevision(), 0L));

    private TemplateRevisions() {
    }

    /** The hash of a template with the owner's collision count: its revision's name suffix and label value. */
    public static String hash(PodTemplateSpec template, Integer collisionCount) {
        return PodTemplates.hash(template, collisionCount);
    }

    /** The name of the revision of {@code template}: {@code <owner>-<hash>}. */
    public static String name(HasMetadata owner, PodTemplateSpec template, Integer collisionCount) {
        return owner.getMetadata().getName() + "-" + hash(template, collisionCount);
    }

    /**
     * A new revision of {@code owner}'s {@code template}, numbered {@code revision}, controlled by the owner, with its
     * annotations (kubectl's change-cause among them).
     */
    public static ControllerRevision snapshot(HasMetadata owner, PodTemplateSpec template, Integer collisionCount,
                                              String hashLabel, long revision) {
        String hash = hash(template, collisionCount);
        Map<String, String> labels = new HashMap<>(Objects.requireNonNullElse(
                template.getMetadata() == null ? null : template.getMetadata().getLabels(), Map.of()));
        labels.put(hashLabel, hash);
        return new ControllerRevisionBuilder()
                .withNewMetadata().withName(owner.getMetadata().getName() + "-" + hash)
                .withNamespace(owner.getMetadata().getNamespace()).withLabels(labels)
                .withAnnotations(owner.getMetadata().getAnnotations())
                .withOwnerReferences(OwnerReferences.controllerReference(owner)).endMetadata()
                .withData(patch(template)).withRevision(revision).build();
    }

    /** The revision's data: the template, replacing the owner's whole template when applied. */
    public static ObjectNode patch(PodTemplateSpec template) {
        ObjectNode patch = KubusJson.json().createObjectNode();
        ObjectNode t = KubusJson.json().valueToTree(template);
        t.put("$patch", "replace");
        patch.putObject("spec").set("template", t);
        return patch;
    }

    /** The template a revision holds (what ApplyRevision puts back into the owner), or null if it holds none. */
    public static PodTemplateSpec template(ControllerRevision revision) {
        JsonNode template = KubusJson.json().valueToTree(revision.getData()).path("spec").path("template");
        if (!(template instanceof ObjectNode t)) {
            return null;
        }
        ObjectNode withoutDirective = t.deepCopy();
        withoutDirective.remove("$patch");
        return KubusJson.json().convertValue(withoutDirective, PodTemplateSpec.class);
    }

    /** Whether the revision holds {@code template} (as JSON values, whatever their field order). */
    public static boolean matches(PodTemplateSpec template, ControllerRevision revision) {
        PodTemplateSpec stored = template(revision);
        return stored != null && PodTemplates.equalIgnoringHash(stored, template);
    }

    public static long maxRevision(List<ControllerRevision> revisions) {
        return revisions.stream().mapToLong(r -> Objects.requireNonNullElse(r.getRevision(), 0L)).max().orElse(0);
    }

    /** The revision's hash under {@code hashLabel}, or null. */
    public static String hashOf(ControllerRevision revision, String hashLabel) {
        Map<String, String> labels = revision.getMetadata().getLabels();
        return labels == null ? null : labels.get(hashLabel);
    }
}

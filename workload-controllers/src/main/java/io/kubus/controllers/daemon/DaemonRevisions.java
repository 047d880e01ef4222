package io.kubus.controllers.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.ControllerRevisionBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kubus.controllers.common.OwnerReferences;
import io.kubus.controllers.deployment.PodTemplates;
import io.kubus.schema.KubusJson;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A DaemonSet's ControllerRevisions (daemon update.go: snapshot, Match, getPatch): each holds one template as the
 * patch {@code {"spec":{"template":{..., "$patch":"replace"}}}} that {@code kubectl rollout undo} sends back as a
 * strategic merge patch, is named {@code <ds>-<hash>} and labelled with the hash its pods carry.
 */
final class DaemonRevisions {
    static final Comparator<ControllerRevision> BY_REVISION =
            Comparator.comparingLong(r -> Objects.requireNonNullElse(r.getRevision(), 0L));

    private DaemonRevisions() {
    }

    /** The hash of the DaemonSet's template: its revision's name suffix and label value. */
    static String hash(DaemonSet ds) {
        Integer collisions = ds.getStatus() == null ? null : ds.getStatus().getCollisionCount();
        return PodTemplates.hash(ds.getSpec().getTemplate(), collisions);
    }

    /** A new revision of the DaemonSet's current template, numbered {@code revision}. */
    static ControllerRevision snapshot(DaemonSet ds, long revision) {
        String hash = hash(ds);
        Map<String, String> labels = new HashMap<>(Objects.requireNonNullElse(
                ds.getSpec().getTemplate().getMetadata().getLabels(), Map.of()));
        labels.put(DaemonPods.HASH_LABEL, hash);
        return new ControllerRevisionBuilder()
                .withNewMetadata().withName(ds.getMetadata().getName() + "-" + hash)
                .withNamespace(ds.getMetadata().getNamespace()).withLabels(labels)
                .withAnnotations(ds.getMetadata().getAnnotations())
                .withOwnerReferences(OwnerReferences.controllerReference(ds)).endMetadata()
                .withData(patch(ds)).withRevision(revision).build();
    }

    /** The revision's data: the template, replacing the DaemonSet's whole template when applied. */
    static ObjectNode patch(DaemonSet ds) {
        ObjectNode patch = KubusJson.json().createObjectNode();
        ObjectNode template = KubusJson.json().valueToTree(ds.getSpec().getTemplate());
        template.put("$patch", "replace");
        patch.putObject("spec").set("template", template);
        return patch;
    }

    /** Whether the revision holds the DaemonSet's current template (as JSON values, whatever their field order). */
    static boolean matches(DaemonSet ds, ControllerRevision revision) {
        JsonNode template = KubusJson.json().valueToTree(revision.getData()).path("spec").path("template");
        if (!(template instanceof ObjectNode t)) {
            return false;
        }
        ObjectNode withoutDirective = t.deepCopy();
        withoutDirective.remove("$patch");
        PodTemplateSpec stored = KubusJson.json().convertValue(withoutDirective, PodTemplateSpec.class);
        return PodTemplates.equalIgnoringHash(stored, ds.getSpec().getTemplate());
    }

    static long maxRevision(List<ControllerRevision> revisions) {
        return revisions.stream().mapToLong(r -> Objects.requireNonNullElse(r.getRevision(), 0L)).max().orElse(0);
    }

    static String hashOf(ControllerRevision revision) {
        Map<String, String> labels = revision.getMetadata().getLabels();
        return labels == null ? null : labels.get(DaemonPods.HASH_LABEL);
    }
}

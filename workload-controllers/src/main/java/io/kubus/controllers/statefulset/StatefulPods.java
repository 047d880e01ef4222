package io.kubus.controllers.statefulset;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimVolumeSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.kubus.controllers.common.OwnerReferences;
import io.kubus.controllers.common.PodControl;
import io.kubus.controllers.common.PodStates;
import io.kubus.schema.KubusJson;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a StatefulSet's pod and claims are (Kubernetes' pkg/controller/statefulset/stateful_set_utils.go): the pod
 * {@code <set>-<ordinal>} with its host name, the set's Service as subdomain and its identity labels, one claim per
 * volumeClaimTemplate named {@code <template>-<set>-<ordinal>} that the pod's volume of the template's name refers
 * to, and who owns those claims under the set's persistentVolumeClaimRetentionPolicy.
 */
final class StatefulPods {
    /** The label naming a pod's revision: the name of the set's ControllerRevision it was made from. */
    static final String REVISION_LABEL = "controller-revision-hash";
    static final String POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
    static final String POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";
    static final String RETAIN = "Retain";
    static final String DELETE = "Delete";
    private static final Pattern NAME = Pattern.compile("^(.*)-([0-9]+)$");

    private StatefulPods() {
    }

    /** The parent name and ordinal a pod's name carries ({@code web-3}: web, 3); ordinal -1 if it carries none. */
    record Identity(String parent, int ordinal) {
    }

    static Identity identityOf(Pod pod) {
        Matcher m = NAME.matcher(Objects.requireNonNullElse(pod.getMetadata().getName(), ""));
        if (!m.matches()) {
            return new Identity(null, -1);
        }
        try {
            return new Identity(m.group(1), Integer.parseInt(m.group(2)));
        } catch (NumberFormatException e) {
            return new Identity(null, -1);
        }
    }

    static int ordinalOf(Pod pod) {
        return identityOf(pod).ordinal();
    }

    /** Whether the pod's name makes it one of the set's (isMemberOf). */
    static boolean isMemberOf(StatefulSet set, Pod pod) {
        return set.getMetadata().getName().equals(identityOf(pod).parent());
    }

    static int startOrdinal(StatefulSet set) {
        var ordinals = set.getSpec().getOrdinals();
        return ordinals == null || ordinals.getStart() == null ? 0 : ordinals.getStart();
    }

    static int replicas(StatefulSet set) {
        return Objects.requireNonNullElse(set.getSpec().getReplicas(), 1);
    }

    /** Whether the ordinal is one the set wants now: start to start + replicas - 1. */
    static boolean inOrdinalRange(StatefulSet set, int ordinal) {
        return ordinal >= startOrdinal(set) && ordinal < startOrdinal(set) + replicas(set);
    }

    static String podName(StatefulSet set, int ordinal) {
        return set.getMetadata().getName() + "-" + ordinal;
    }

    static String claimName(StatefulSet set, PersistentVolumeClaim template, int ordinal) {
        return template.getMetadata().getName() + "-" + set.getMetadata().getName() + "-" + ordinal;
    }

    static String revisionOf(Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        return labels == null ? null : labels.get(REVISION_LABEL);
    }

    /**
     * The pod of {@code ordinal} made from {@code template} (of the revision named {@code revision}): name, host
     * name, subdomain and labels of its identity, and a volume per claim template (newStatefulSetPod).
     */
    static Pod newPod(StatefulSet set, PodTemplateSpec template, String revision, int ordinal) {
        Pod pod = PodControl.fromTemplate(template, set);
        pod.getMetadata().setGenerateName(null);
        pod.getMetadata().setName(podName(set, ordinal));
        PodSpec spec = KubusJson.copy(pod.getSpec(), PodSpec.class);
        spec.setHostname(pod.getMetadata().getName());
        String service = set.getSpec().getServiceName();
        spec.setSubdomain(service == null || service.isEmpty() ? null : service);
        spec.setVolumes(volumes(set, spec.getVolumes(), ordinal));
        pod.setSpec(spec);
        Map<String, String> labels = new HashMap<>(Objects.requireNonNullElse(pod.getMetadata().getLabels(), Map.of()));
        labels.putAll(identityLabels(pod.getMetadata().getName(), ordinal));
        labels.put(REVISION_LABEL, revision);
        pod.getMetadata().setLabels(labels);
        return pod;
    }

    private static Map<String, String> identityLabels(String podName, int ordinal) {
        return Map.of(POD_NAME_LABEL, podName, POD_INDEX_LABEL, Integer.toString(ordinal));
    }

    /** Whether the pod carries its identity labels (identityMatches); its name and namespace are its own. */
    static boolean identityMatches(StatefulSet set, Pod pod) {
        Identity id = identityOf(pod);
        Map<String, String> labels = Objects.requireNonNullElse(pod.getMetadata().getLabels(), Map.of());
        return id.ordinal() >= 0 && set.getMetadata().getName().equals(id.parent())
                && Objects.equals(set.getMetadata().getNamespace(), pod.getMetadata().getNamespace())
                && pod.getMetadata().getName().equals(labels.get(POD_NAME_LABEL))
                && Integer.toString(id.ordinal()).equals(labels.get(POD_INDEX_LABEL));
    }

    /** A copy of the pod with its identity labels put back (updateIdentity; its spec cannot change). */
    static Pod withIdentity(Pod pod) {
        Pod copy = KubusJson.copy(pod, Pod.class);
        Map<String, String> labels = new HashMap<>(Objects.requireNonNullElse(copy.getMetadata().getLabels(), Map.of()));
        labels.putAll(identityLabels(copy.getMetadata().getName(), ordinalOf(pod)));
        copy.getMetadata().setLabels(labels);
        return copy;
    }

    /**
     * The pod's volumes with one per claim template, of the template's name, referring to the ordinal's claim; a
     * volume of the template's own of that name is replaced (updateStorage).
     */
    private static List<Volume> volumes(StatefulSet set, List<Volume> current, int ordinal) {
        List<PersistentVolumeClaim> templates = claimTemplates(set);
        Map<String, Volume> byName = new LinkedHashMap<>();
        for (PersistentVolumeClaim t : templates) {
            byName.put(t.getMetadata().getName(), new VolumeBuilder().withName(t.getMetadata().getName())
                    .withPersistentVolumeClaim(new PersistentVolumeClaimVolumeSource(claimName(set, t, ordinal), false))
                    .build());
        }
        List<Volume> out = new ArrayList<>(byName.values());
        for (Volume v : Objects.requireNonNullElse(current, List.<Volume>of())) {
            if (!byName.containsKey(v.getName())) {
                out.add(v);
            }
        }
        return out.isEmpty() ? null : out;
    }

    static List<PersistentVolumeClaim> claimTemplates(StatefulSet set) {
        return Objects.requireNonNullElse(set.getSpec().getVolumeClaimTemplates(), List.of());
    }

    /**
     * The claims of the ordinal's pod, by template name (getPersistentVolumeClaims): each template's spec and
     * annotations, named for the ordinal, labelled with the template's labels and the set's selector labels.
     */
    static Map<String, PersistentVolumeClaim> claims(StatefulSet set, int ordinal) {
        Map<String, PersistentVolumeClaim> claims = new LinkedHashMap<>();
        for (PersistentVolumeClaim t : claimTemplates(set)) {
            PersistentVolumeClaim claim = KubusJson.copy(t, PersistentVolumeClaim.class);
            ObjectMeta meta = new ObjectMeta();
            meta.setName(claimName(set, t, ordinal));
            meta.setNamespace(set.getMetadata().getNamespace());
            Map<String, String> labels = new HashMap<>(Objects.requireNonNullElse(t.getMetadata().getLabels(), Map.of()));
            var selector = set.getSpec().getSelector();
            if (selector != null && selector.getMatchLabels() != null) {
                labels.putAll(selector.getMatchLabels());
            }
            meta.setLabels(labels);
            meta.setAnnotations(t.getMetadata().getAnnotations());
            meta.setFinalizers(t.getMetadata().getFinalizers());
            claim.setMetadata(meta);
            claim.setStatus(null);
            claim.setApiVersion("v1");
            claim.setKind("PersistentVolumeClaim");
            claims.put(t.getMetadata().getName(), claim);
        }
        return claims;
    }

    /** The set's retention policy for deletion (whenDeleted) and scale-down (whenScaled), Retain by default. */
    record Retention(String whenDeleted, String whenScaled) {
        boolean retainsAll() {
            return !DELETE.equals(whenDeleted) && !DELETE.equals(whenScaled);
        }
    }

    static Retention retention(StatefulSet set) {
        var p = set.getSpec().getPersistentVolumeClaimRetentionPolicy();
        return new Retention(p == null || p.getWhenDeleted() == null ? RETAIN : p.getWhenDeleted(),
                p == null || p.getWhenScaled() == null ? RETAIN : p.getWhenScaled());
    }

    /**
     * The owner references a claim of the ordinal's pod should have under the set's retention policy
     * (updateClaimOwnerRefForSetAndPod): the references to the set and to {@code pod} are taken off, then whenDeleted
     * Delete makes the set the claim's controller, so that the garbage collector removes the claim with the set;
     * whenScaled Delete makes a pod scaled away (its ordinal out of range) the claim's controller, so that the claim
     * goes with the pod. A claim another controller controls only loses the references to the set and pod. Null when
     * the references are as they should be.
     */
    static List<OwnerReference> claimOwners(StatefulSet set, PersistentVolumeClaim claim, Pod pod) {
        List<OwnerReference> refs = OwnerReferences.of(claim);
        String setUid = set.getMetadata().getUid();
        String podUid = pod == null ? null : pod.getMetadata().getUid();
        boolean foreignController = refs.stream().anyMatch(r -> Boolean.TRUE.equals(r.getController())
                && !Objects.equals(r.getUid(), setUid) && !Objects.equals(r.getUid(), podUid));
        List<OwnerReference> out = new ArrayList<>(refs.stream()
                .filter(r -> !Objects.equals(r.getUid(), setUid) && (podUid == null || !Objects.equals(r.getUid(), podUid)))
                .toList());
        if (!foreignController) {
            Retention policy = retention(set);
            boolean scaledDown = pod != null && !inOrdinalRange(set, ordinalOf(pod));
            if (scaledDown && DELETE.equals(policy.whenScaled())) {
                out.add(controllerRef(pod, "v1", "Pod"));
            } else if (!scaledDown && DELETE.equals(policy.whenDeleted())) {
                out.add(controllerRef(set, "apps/v1", "StatefulSet"));
            } else if (scaledDown && DELETE.equals(policy.whenDeleted()) && !DELETE.equals(policy.whenScaled())) {
                out.add(controllerRef(set, "apps/v1", "StatefulSet"));
            }
        }
        return sameRefs(refs, out) ? null : out;
    }

    private static boolean sameRefs(List<OwnerReference> a, List<OwnerReference> b) {
        return KubusJson.equivalent(KubusJson.json().valueToTree(a), KubusJson.json().valueToTree(b));
    }

    private static OwnerReference controllerRef(HasMetadata owner, String apiVersion, String kind) {
        return new OwnerReferenceBuilder().withApiVersion(apiVersion).withKind(kind)
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    /**
     * Whether the claim belongs to a pod that is gone (PodClaimIsStale): it names a Pod as owner other than
     * {@code podUid} (null for a pod yet to be made). The garbage collector is about to delete it, and the pod of its
     * ordinal must wait for that rather than start on it.
     */
    static boolean isStale(PersistentVolumeClaim claim, String podUid) {
        return OwnerReferences.of(claim).stream()
                .anyMatch(r -> "Pod".equals(r.getKind()) && !Objects.equals(r.getUid(), podUid));
    }

    // ---- pod states (isRunningAndReady and friends) ----

    static boolean isTerminating(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() != null;
    }

    static String phase(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getPhase();
    }

    static boolean isRunningAndReady(Pod pod) {
        return "Running".equals(phase(pod)) && PodStates.isReady(pod);
    }

    static boolean isRunningAndAvailable(Pod pod, int minReadySeconds, Instant now) {
        return "Running".equals(phase(pod)) && PodStates.isAvailable(pod, minReadySeconds, now);
    }

    /** Running, ready and not being deleted (isHealthy). */
    static boolean isHealthy(Pod pod) {
        return isRunningAndReady(pod) && !isTerminating(pod);
    }
}

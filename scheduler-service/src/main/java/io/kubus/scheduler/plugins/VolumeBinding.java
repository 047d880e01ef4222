package io.kubus.scheduler.plugins;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.kubus.scheduler.framework.ClusterView;
import io.kubus.scheduler.framework.FilterPlugin;
import io.kubus.scheduler.framework.NodeInfo;
import io.kubus.scheduler.framework.VolumeView;
import io.kubus.schema.storage.LocalPath;
import io.kubus.schema.storage.VolumeMatch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * kube-scheduler's VolumeBinding filter for the pod's claims: a claim must exist and not be going; a bound claim's
 * volume must exist and its node affinity must take the node (a local-path volume lives on one node); an unbound
 * claim must wait for its first consumer (WaitForFirstConsumer), and then be the node already chosen for it, if one
 * was, and either reach an Available volume that fits the claim ({@link VolumeMatch}, the binder's own rule, so the
 * volume controller binds that one once the node is chosen) or be able to have one provisioned (for local-path: its
 * agent has published where volumes live; a class of {@code kubernetes.io/no-provisioner} has only the volumes
 * there are). The chosen node is written on such claims just before the pod is bound ({@link #claimsToSelect}).
 *
 * <p>Unlike kube-scheduler, no volume is reserved for the pod in the scheduler's cache: two pods scheduled at once
 * may both count on the one volume a node has, and the second claim then waits (Pending) until another fits.
 */
public final class VolumeBinding implements FilterPlugin {
    static final String CONFLICT = "node(s) had volume node affinity conflict";
    static final String NO_VOLUME = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";
    static final String CANNOT_PROVISION = "node(s) didn't find available persistent volumes to bind";
    static final String UNBOUND_IMMEDIATE = "pod has unbound immediate PersistentVolumeClaims";
    /** The provisioner of classes whose volumes are made by hand (Kubernetes' local volumes). */
    static final String NO_PROVISIONER = "kubernetes.io/no-provisioner";

    @Override
    public String name() {
        return "VolumeBinding";
    }

    @Override
    public String filter(Pod pod, NodeInfo node, ClusterView cluster) {
        VolumeView volumes = cluster.volumes();
        for (String claimName : claimNames(pod)) {
            Optional<PersistentVolumeClaim> found = volumes.claim(pod.getMetadata().getNamespace(), claimName);
            if (found.isEmpty()) {
                return "persistentvolumeclaim \"" + claimName + "\" not found";
            }
            PersistentVolumeClaim claim = found.get();
            if (claim.getMetadata().getDeletionTimestamp() != null) {
                return "persistentvolumeclaim \"" + claimName + "\" is being deleted";
            }
            String volumeName = claim.getSpec().getVolumeName();
            if (volumeName != null && !volumeName.isEmpty()) {
                Optional<PersistentVolume> pv = volumes.volume(volumeName);
                if (pv.isEmpty()) {
                    return NO_VOLUME;
                }
                if (!VolumeMatch.fitsNode(pv.get(), node.node())) {
                    return CONFLICT;
                }
                continue;
            }
            String className = VolumeMatch.claimClass(claim);
            Optional<StorageClass> sc = className.isEmpty() ? Optional.empty() : volumes.storageClass(className);
            if (!className.isEmpty() && sc.isEmpty()) {
                return "storageclass.storage.k8s.io \"" + className + "\" not found";
            }
            if (sc.isEmpty() || !"WaitForFirstConsumer".equals(sc.get().getVolumeBindingMode())) {
                return UNBOUND_IMMEDIATE; // the volume controller binds it on its own; the pod waits for that
            }
            String selected = annotation(claim, LocalPath.SELECTED_NODE_ANNOTATION);
            if (selected != null && !selected.equals(node.name())) {
                return CANNOT_PROVISION;
            }
            if (VolumeMatch.find(claim, volumes.volumes(), node.node(), false).isPresent()) {
                continue; // an existing volume the node reaches: the binder takes it once the node is chosen
            }
            String provisioner = Objects.requireNonNullElse(sc.get().getProvisioner(), "");
            if (NO_PROVISIONER.equals(provisioner) || LocalPath.PROVISIONER.equals(provisioner)
                    && annotation(node.node().getMetadata().getAnnotations(), LocalPath.ROOT_ANNOTATION) == null) {
                return CANNOT_PROVISION;
            }
        }
        return null;
    }

    /** The pod's claims that wait for their first consumer and have no node yet: the scheduler's choice goes on them. */
    public static List<PersistentVolumeClaim> claimsToSelect(Pod pod, VolumeView volumes) {
        List<PersistentVolumeClaim> out = new ArrayList<>();
        for (String claimName : claimNames(pod)) {
            volumes.claim(pod.getMetadata().getNamespace(), claimName)
                    .filter(c -> c.getSpec().getVolumeName() == null || c.getSpec().getVolumeName().isEmpty())
                    .filter(c -> annotation(c, LocalPath.SELECTED_NODE_ANNOTATION) == null)
                    .ifPresent(out::add);
        }
        return out;
    }

    private static List<String> claimNames(Pod pod) {
        return Objects.requireNonNullElse(pod.getSpec().getVolumes(), List.<Volume>of()).stream()
                .filter(v -> v.getPersistentVolumeClaim() != null)
                .map(v -> v.getPersistentVolumeClaim().getClaimName()).toList();
    }

    private static String annotation(PersistentVolumeClaim claim, String key) {
        return annotation(claim.getMetadata().getAnnotations(), key);
    }

    private static String annotation(Map<String, String> annotations, String key) {
        return annotations == null ? null : annotations.get(key);
    }
}

package io.kubus.controllers.volume;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClass;

import io.kubus.schema.storage.LocalPath;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The volumes of k3s' local-path provisioner, for StorageClasses whose provisioner is {@link #LocalPath.PROVISIONER}: a
 * folder {@code <root>/pvc-<claim uid>_<namespace>_<claim name>} on the node the claim's first pod was scheduled to,
 * as a {@code hostPath} PersistentVolume (DirectoryOrCreate) that only that node can mount (a required node affinity
 * on {@code kubernetes.io/hostname}). {@code <root>} is what the node agent publishes in its Node's
 * {@link #LocalPath.ROOT_ANNOTATION}.
 *
 * <p>Deleting such a volume must remove the folder, which lives on the node where only a pod there can reach it. So
 * the volume carries the {@link LocalPath#CLEANUP_FINALIZER}: the controller deletes the volume (reclaim policy
 * Delete), the volume stays terminating with that finalizer, and, as k3s' provisioner does, a helper pod bound to the
 * volume's node removes the folder ({@link #cleanupPod}); once it succeeded the controller removes the finalizer.
 */
final class LocalPathVolumes {
    static final String HOSTNAME_LABEL = "kubernetes.io/hostname";
    /** Where helper pods run: the system namespace, as k3s runs its provisioner's helpers in its own. */
    static final String HELPER_NAMESPACE = "kube-system";
    /** On a helper pod: the volume whose folder it removes. */
    static final String HELPER_VOLUME_LABEL = "kubus.io/local-path-volume";
    private static final String HELPER_MOUNT = "/storage";

    private LocalPathVolumes() {
    }

    /** {@code pvc-<claim uid>}: one name per claim, so that a second attempt finds the first one's volume. */
    static String volumeName(PersistentVolumeClaim claim) {
        return "pvc-" + claim.getMetadata().getUid();
    }

    /** The folder of the claim's volume under the node's root. */
    static String path(String root, PersistentVolumeClaim claim) {
        String base = root.endsWith("/") && root.length() > 1 ? root.substring(0, root.length() - 1) : root;
        return base + "/" + volumeName(claim) + "_" + claim.getMetadata().getNamespace() + "_"
                + claim.getMetadata().getName();
    }

    /**
     * The volume for {@code claim} on {@code node}: the claim's request and access modes, the class's reclaim policy
     * (Delete when it names none), pre-bound to the claim, marked as provisioned (and bound) by this controller, with
     * the pv-protection and cleanup finalizers.
     */
    static PersistentVolume volume(PersistentVolumeClaim claim, StorageClass storageClass, String node, String root) {
        String reclaim = Objects.requireNonNullElse(storageClass.getReclaimPolicy(), "Delete");
        return new PersistentVolumeBuilder()
                .withNewMetadata()
                .withName(volumeName(claim))
                .withAnnotations(Map.of(PersistentVolumeController.ANN_PROVISIONED_BY, LocalPath.PROVISIONER,
                        PersistentVolumeController.ANN_BOUND_BY_CONTROLLER, "yes"))
                .withFinalizers(List.of(PersistentVolumeController.PV_PROTECTION, LocalPath.CLEANUP_FINALIZER))
                .endMetadata()
                .withNewSpec()
                .withCapacity(Map.of("storage", claim.getSpec().getResources().getRequests().get("storage")))
                .withAccessModes(claim.getSpec().getAccessModes())
                .withPersistentVolumeReclaimPolicy(reclaim)
                .withStorageClassName(storageClass.getMetadata().getName())
                .withVolumeMode(Objects.requireNonNullElse(claim.getSpec().getVolumeMode(), "Filesystem"))
                .withMountOptions(storageClass.getMountOptions())
                .withNewHostPath(path(root, claim), "DirectoryOrCreate")
                .withNewNodeAffinity().withNewRequired().addNewNodeSelectorTerm().addNewMatchExpression()
                .withKey(HOSTNAME_LABEL).withOperator("In").withValues(node)
                .endMatchExpression().endNodeSelectorTerm().endRequired().endNodeAffinity()
                .withClaimRef(PersistentVolumeController.claimRef(claim))
                .endSpec()
                .build();
    }

    /** The helper pod's name: one per volume, so a second attempt meets the first one's pod. */
    static String cleanupPodName(PersistentVolume volume) {
        return "helper-pod-delete-" + volume.getMetadata().getName();
    }

    /** The node a local-path volume lives on: the one its required node affinity names by hostname. */
    static Optional<String> node(PersistentVolume volume) {
        if (volume.getSpec().getNodeAffinity() == null || volume.getSpec().getNodeAffinity().getRequired() == null) {
            return Optional.empty();
        }
        return volume.getSpec().getNodeAffinity().getRequired().getNodeSelectorTerms().stream()
                .flatMap(t -> t.getMatchExpressions().stream())
                .filter(e -> HOSTNAME_LABEL.equals(e.getKey()) && "In".equals(e.getOperator())
                        && e.getValues().size() == 1)
                .map(e -> e.getValues().getFirst()).findFirst();
    }

    /**
     * The pod that removes {@code volume}'s folder on {@code node}: it mounts the folder's parent and removes the
     * folder by its name. Empty unless the folder is one this provisioner made for this volume (an absolute, normal
     * path whose last part starts with the volume's name), so that a volume edited to point elsewhere never has a
     * folder of someone else's removed. The volume owns the pod, so the garbage collector removes a pod that
     * outlived it.
     */
    static Optional<Pod> cleanupPod(PersistentVolume volume, String node, String image) {
        if (volume.getSpec().getHostPath() == null || volume.getSpec().getHostPath().getPath() == null) {
            return Optional.empty();
        }
        Path folder = Path.of(volume.getSpec().getHostPath().getPath());
        if (!folder.isAbsolute() || !folder.normalize().equals(folder) || folder.getParent() == null
                || !folder.getFileName().toString().startsWith(volume.getMetadata().getName() + "_")) {
            return Optional.empty();
        }
        return Optional.of(new PodBuilder()
                .withNewMetadata().withName(cleanupPodName(volume)).withNamespace(HELPER_NAMESPACE)
                .withLabels(Map.of(HELPER_VOLUME_LABEL, volume.getMetadata().getName()))
                .addNewOwnerReference().withApiVersion("v1").withKind("PersistentVolume")
                .withName(volume.getMetadata().getName()).withUid(volume.getMetadata().getUid()).endOwnerReference()
                .endMetadata()
                .withNewSpec()
                .withNodeName(node)
                .withRestartPolicy("Never")
                .withAutomountServiceAccountToken(false)
                .withPriorityClassName("system-node-critical")
                .addNewToleration().withOperator("Exists").endToleration()
                .addNewContainer().withName("helper").withImage(image)
                .withCommand("rm", "-rf", HELPER_MOUNT + "/" + folder.getFileName())
                .addNewVolumeMount().withName("storage").withMountPath(HELPER_MOUNT).endVolumeMount()
                .endContainer()
                .addNewVolume().withName("storage").withNewHostPath(folder.getParent().toString(), "DirectoryOrCreate")
                .endVolume()
                .endSpec().build());
    }
}

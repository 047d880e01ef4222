package io.kubus.controllers.volume;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClass;

import io.kubus.schema.storage.LocalPath;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The volumes of k3s' local-path provisioner, for StorageClasses whose provisioner is {@link #LocalPath.PROVISIONER}: a
 * folder {@code <root>/pvc-<claim uid>_<namespace>_<claim name>} on the node the claim's first pod was scheduled to,
 * as a {@code hostPath} PersistentVolume (DirectoryOrCreate) that only that node can mount (a required node affinity
 * on {@code kubernetes.io/hostname}). {@code <root>} is what the node agent publishes in its Node's
 * {@link #LocalPath.ROOT_ANNOTATION}.
 *
 * <p>Deleting such a volume must remove the folder, which lives on the node where only its agent can reach it. So
 * the volume carries the {@link LocalPath#CLEANUP_FINALIZER}: the controller deletes the volume (reclaim policy Delete), the
 * volume stays terminating with that finalizer, and the node agent removes the folder and then the finalizer.
 */
final class LocalPathVolumes {
    static final String HOSTNAME_LABEL = "kubernetes.io/hostname";

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
}

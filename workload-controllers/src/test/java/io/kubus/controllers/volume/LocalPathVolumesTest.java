package io.kubus.controllers.volume;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.kubus.schema.storage.LocalPath;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The local-path provisioner's names, folders and clean-up pods, as pure functions. */
class LocalPathVolumesTest {
    private static final PersistentVolumeClaim CLAIM = new PersistentVolumeClaimBuilder().withNewMetadata().withName("c")
            .withNamespace("ns").withUid("u1").endMetadata().withNewSpec().withAccessModes("ReadWriteOnce")
            .withNewResources().withRequests(Map.of("storage", new Quantity("1Gi"))).endResources().endSpec().build();

    private static PersistentVolume volume(String root) {
        PersistentVolume v = LocalPathVolumes.volume(CLAIM, new StorageClassBuilder().withNewMetadata()
                .withName(LocalPath.STORAGE_CLASS).endMetadata().withProvisioner(LocalPath.PROVISIONER).build(), "n0", root);
        v.getMetadata().setUid("pv-uid");
        return v;
    }

    @Test
    void aVolumeIsAFolderNamedAfterItsClaimOnItsNode() {
        assertEquals("pvc-u1", LocalPathVolumes.volumeName(CLAIM));
        assertEquals("/r/pvc-u1_ns_c", LocalPathVolumes.path("/r/", CLAIM));
        assertEquals("/r/pvc-u1_ns_c", LocalPathVolumes.path("/r", CLAIM));
        assertEquals(Optional.of("n0"), LocalPathVolumes.node(volume("/r")));
        assertEquals("Delete", volume("/r").getSpec().getPersistentVolumeReclaimPolicy(), "the class names none");
    }

    @Test
    void theCleanupPodRemovesTheFolderFromItsParentOnItsNode() {
        Pod pod = LocalPathVolumes.cleanupPod(volume("/var/lib/kubus/n0/storage"), "n0", "img:1").orElseThrow();
        assertEquals("helper-pod-delete-pvc-u1", pod.getMetadata().getName());
        assertEquals("kube-system", pod.getMetadata().getNamespace());
        assertEquals("n0", pod.getSpec().getNodeName());
        assertEquals("Never", pod.getSpec().getRestartPolicy());
        assertEquals(List.of("rm", "-rf", "/storage/pvc-u1_ns_c"), pod.getSpec().getContainers().getFirst().getCommand());
        assertEquals("img:1", pod.getSpec().getContainers().getFirst().getImage());
        assertEquals("/var/lib/kubus/n0/storage", pod.getSpec().getVolumes().getFirst().getHostPath().getPath());
        assertEquals("pv-uid", pod.getMetadata().getOwnerReferences().getFirst().getUid());
        assertEquals("pvc-u1", pod.getMetadata().getLabels().get(LocalPathVolumes.HELPER_VOLUME_LABEL));
    }

    @Test
    void noCleanupPodForAFolderTheProvisionerDidNotMake() {
        for (String path : List.of("/srv/data", "/", "relative/pvc-u1_ns_c", "/r/../etc/pvc-u1_ns_c", "/r/./pvc-u1_ns_c",
                "/r/pvc-u10_ns_c")) {
            PersistentVolume v = volume("/r");
            v.getSpec().getHostPath().setPath(path);
            assertTrue(LocalPathVolumes.cleanupPod(v, "n0", "img:1").isEmpty(), path);
        }
        PersistentVolume local = volume("/r");
        local.getSpec().setHostPath(null);
        assertTrue(LocalPathVolumes.cleanupPod(local, "n0", "img:1").isEmpty(), "not a hostPath volume");
    }
}

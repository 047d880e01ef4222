package io.kubus.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.kubus.scheduler.framework.ClusterView;
import io.kubus.scheduler.framework.NodeInfo;
import io.kubus.scheduler.framework.VolumeView;
import io.kubus.schema.storage.LocalPath;
import org.junit.jupiter.api.Test;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.kubus.scheduler.plugins.Fixtures.info;
import static io.kubus.scheduler.plugins.Fixtures.node;
import static io.kubus.scheduler.plugins.Fixtures.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The VolumeBinding filter's rules, over claims, volumes and classes held in maps. */
class VolumeBindingTest {
    private final Map<String, PersistentVolumeClaim> claims = new HashMap<>();
    private final Map<String, PersistentVolume> volumes = new HashMap<>();
    private final Map<String, StorageClass> classes = new HashMap<>();
    private final VolumeBinding filter = new VolumeBinding();

    private final VolumeView view = new VolumeView() {
        @Override
        public Optional<PersistentVolumeClaim> claim(String namespace, String name) {
            return Optional.ofNullable(claims.get(namespace + "/" + name));
        }

        @Override
        public Optional<PersistentVolume> volume(String name) {
            return Optional.ofNullable(volumes.get(name));
        }

        @Override
        public Optional<StorageClass> storageClass(String name) {
            return Optional.ofNullable(classes.get(name));
        }
    };

    private String run(Pod pod, Node node) {
        NodeInfo n = info(node);
        return filter.filter(pod, n, new ClusterView() {
            @Override
            public Collection<NodeInfo> nodes() {
                return List.of(n);
            }

            @Override
            public VolumeView volumes() {
                return view;
            }
        });
    }

    private static Pod using(String claim) {
        return new PodBuilder(pod("p")).editSpec().addNewVolume().withName("data").withNewPersistentVolumeClaim()
                .withClaimName(claim).endPersistentVolumeClaim().endVolume().endSpec().build();
    }

    private static Node withRoot(String name) {
        return new NodeBuilder(node(name)).editMetadata().addToAnnotations(LocalPath.ROOT_ANNOTATION, "/var/lib/x")
                .endMetadata().build();
    }

    private void claim(String name, String className, String volumeName, Map<String, String> annotations) {
        claims.put("default/" + name, new PersistentVolumeClaimBuilder().withNewMetadata().withName(name)
                .withNamespace("default").withAnnotations(annotations).endMetadata().withNewSpec()
                .withStorageClassName(className).withVolumeName(volumeName).endSpec().build());
    }

    @Test
    void aPodWithoutClaimsFitsAnywhere() {
        assertNull(run(pod("p"), node("n1")));
    }

    @Test
    void aMissingOrDeletedClaimKeepsThePodOut() {
        assertEquals("persistentvolumeclaim \"data\" not found", run(using("data"), node("n1")));
        claim("data", "", "pv-1", Map.of());
        claims.get("default/data").getMetadata().setDeletionTimestamp("2026-12-06T00:00:00Z");
        assertEquals("persistentvolumeclaim \"data\" is being deleted", run(using("data"), node("n1")));
    }

    @Test
    void aBoundClaimTakesItsVolumesNode() {
        claim("data", "local-path", "pv-1", Map.of());
        assertEquals(VolumeBinding.NO_VOLUME, run(using("data"), node("n1")));
        volumes.put("pv-1", new PersistentVolumeBuilder().withNewMetadata().withName("pv-1").endMetadata()
                .withNewSpec().withNewNodeAffinity().withNewRequired().addNewNodeSelectorTerm().addNewMatchExpression()
                .withKey("kubernetes.io/hostname").withOperator("In").withValues("n2").endMatchExpression()
                .endNodeSelectorTerm().endRequired().endNodeAffinity().endSpec().build());
        Node n2 = new NodeBuilder(node("n2")).editMetadata().addToLabels("kubernetes.io/hostname", "n2").endMetadata().build();
        Node n1 = new NodeBuilder(node("n1")).editMetadata().addToLabels("kubernetes.io/hostname", "n1").endMetadata().build();
        assertEquals(VolumeBinding.CONFLICT, run(using("data"), n1));
        assertNull(run(using("data"), n2));
    }

    @Test
    void anUnboundClaimWaitsForItsFirstConsumerOnANodeThatCanProvisionIt() {
        classes.put("local-path", new StorageClassBuilder().withNewMetadata().withName("local-path").endMetadata()
                .withProvisioner(LocalPath.PROVISIONER).withVolumeBindingMode("WaitForFirstConsumer").build());
        classes.put("fast", new StorageClassBuilder().withNewMetadata().withName("fast").endMetadata()
                .withProvisioner("csi.example.com").withVolumeBindingMode("Immediate").build());
        claim("data", "local-path", null, Map.of());
        assertEquals(VolumeBinding.CANNOT_PROVISION, run(using("data"), node("n1")), "no local-path root published");
        assertNull(run(using("data"), withRoot("n1")));
        assertEquals(1, VolumeBinding.claimsToSelect(using("data"), view).size());

        claim("data", "local-path", null, Map.of(LocalPath.SELECTED_NODE_ANNOTATION, "n2"));
        assertEquals(VolumeBinding.CANNOT_PROVISION, run(using("data"), withRoot("n1")), "another node was chosen");
        assertNull(run(using("data"), withRoot("n2")));
        assertEquals(0, VolumeBinding.claimsToSelect(using("data"), view).size(), "chosen once only");

        claim("data", "fast", null, Map.of());
        assertEquals(VolumeBinding.UNBOUND_IMMEDIATE, run(using("data"), withRoot("n1")));
        claim("data", "", null, Map.of());
        assertEquals(VolumeBinding.UNBOUND_IMMEDIATE, run(using("data"), withRoot("n1")));
        claim("data", "gone", null, Map.of());
        assertEquals("storageclass.storage.k8s.io \"gone\" not found", run(using("data"), withRoot("n1")));
    }
}

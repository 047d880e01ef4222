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

        @Override
        public Collection<PersistentVolume> volumes() {
            return volumes.values();
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

    private static Node hostnamed(Node node) {
        return new NodeBuilder(node).editMetadata().addToLabels("kubernetes.io/hostname", node.getMetadata().getName())
                .endMetadata().build();
    }

    private void localVolume(String name, String className, String size, String node) {
        volumes.put(name, new PersistentVolumeBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withStorageClassName(className).withAccessModes("ReadWriteOnce")
                .withCapacity(Map.of("storage", new io.fabric8.kubernetes.api.model.Quantity(size)))
                .withNewNodeAffinity().withNewRequired().addNewNodeSelectorTerm().addNewMatchExpression()
                .withKey("kubernetes.io/hostname").withOperator("In").withValues(node).endMatchExpression()
                .endNodeSelectorTerm().endRequired().endNodeAffinity().endSpec().build());
    }

    @Test
    void anUnboundClaimGoesWhereAnAvailableVolumeFitsIt() {
        // Kubernetes' local volumes: made by hand, one class without a provisioner, each reachable from one node
        classes.put("local-storage", new StorageClassBuilder().withNewMetadata().withName("local-storage").endMetadata()
                .withProvisioner(VolumeBinding.NO_PROVISIONER).withVolumeBindingMode("WaitForFirstConsumer").build());
        claims.put("default/data", new PersistentVolumeClaimBuilder().withNewMetadata().withName("data")
                .withNamespace("default").endMetadata().withNewSpec().withStorageClassName("local-storage")
                .withAccessModes("ReadWriteOnce").withNewResources()
                .withRequests(Map.of("storage", new io.fabric8.kubernetes.api.model.Quantity("5Gi"))).endResources()
                .endSpec().build());
        localVolume("small-on-n1", "local-storage", "1Gi", "n1");
        localVolume("on-n2", "local-storage", "10Gi", "n2");
        localVolume("other-class-on-n1", "local-path", "10Gi", "n1");
        assertEquals(VolumeBinding.CANNOT_PROVISION, run(using("data"), hostnamed(withRoot("n1"))),
                "n1's volumes are too small or of another class, and nothing makes new ones");
        assertNull(run(using("data"), hostnamed(node("n2"))));
        volumes.get("on-n2").getSpec().setClaimRef(new io.fabric8.kubernetes.api.model.ObjectReferenceBuilder()
                .withNamespace("default").withName("someone-else").build());
        assertEquals(VolumeBinding.CANNOT_PROVISION, run(using("data"), hostnamed(node("n2"))), "taken");

        // local-path: an Available volume of the class lets in a node whose agent publishes no root
        classes.put("local-path", new StorageClassBuilder().withNewMetadata().withName("local-path").endMetadata()
                .withProvisioner(LocalPath.PROVISIONER).withVolumeBindingMode("WaitForFirstConsumer").build());
        claims.get("default/data").getSpec().setStorageClassName("local-path");
        assertNull(run(using("data"), hostnamed(node("n1"))));
        assertEquals(VolumeBinding.CANNOT_PROVISION, run(using("data"), hostnamed(node("n3"))));
    }
}

package io.kubus.schema.storage;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The binder's choice of a volume for a claim, without a cluster. */
class VolumeMatchTest {
    private static final List<String> RWO = List.of("ReadWriteOnce");

    private static PersistentVolume pv(String name, String size, String cls, List<String> modes) {
        return new PersistentVolumeBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withCapacity(Map.of("storage", new Quantity(size))).withAccessModes(modes).withStorageClassName(cls)
                .withVolumeMode("Filesystem").endSpec().build();
    }

    private static PersistentVolumeClaim pvc(String size, String cls, List<String> modes) {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withName("c").withNamespace("ns").withUid("u1")
                .endMetadata().withNewSpec().withAccessModes(modes).withStorageClassName(cls).withVolumeMode("Filesystem")
                .withNewResources().withRequests(Map.of("storage", new Quantity(size))).endResources().endSpec().build();
    }

    private static Optional<String> find(PersistentVolumeClaim c, Node node, boolean onlyPreBound, PersistentVolume... vs) {
        return VolumeMatch.find(c, List.of(vs), node, onlyPreBound).map(v -> v.getMetadata().getName());
    }

    @Test
    void smallestThatFitsOfTheClassAndModes() {
        PersistentVolumeClaim c = pvc("1500Mi", "manual", RWO);
        assertEquals(Optional.of("2g"), find(c, null, false, pv("1g", "1Gi", "manual", RWO),
                pv("5g", "5Gi", "manual", RWO), pv("2g", "2Gi", "manual", List.of("ReadWriteOnce", "ReadOnlyMany")),
                pv("rox", "1600Mi", "manual", List.of("ReadOnlyMany")), pv("other", "1600Mi", "fast", RWO),
                pv("none", "1600Mi", null, RWO)));
        // a claim without class takes only volumes without class
        assertEquals(Optional.of("none"), find(pvc("1Gi", "", RWO), null, false, pv("m", "1Gi", "manual", RWO),
                pv("none", "2Gi", null, RWO)));
        // 1Gi is 1024Mi: exactly enough
        assertEquals(Optional.of("m"), find(pvc("1024Mi", "manual", RWO), null, false, pv("m", "1Gi", "manual", RWO)));
        assertEquals(Optional.empty(), find(pvc("1025Mi", "manual", RWO), null, false, pv("m", "1Gi", "manual", RWO)));
    }

    @Test
    void claimedDeletedOrBlockVolumesAreSkippedAndTheSelectorFilters() {
        PersistentVolume taken = pv("taken", "1Gi", "manual", RWO);
        taken.getSpec().setClaimRef(new ObjectReferenceBuilder().withNamespace("ns").withName("other").withUid("u2").build());
        PersistentVolume going = pv("going", "1Gi", "manual", RWO);
        going.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");
        PersistentVolume block = pv("block", "1Gi", "manual", RWO);
        block.getSpec().setVolumeMode("Block");
        PersistentVolumeClaim c = pvc("1Gi", "manual", RWO);
        assertEquals(Optional.empty(), find(c, null, false, taken, going, block));

        PersistentVolume gold = pv("gold", "3Gi", "manual", RWO);
        gold.getMetadata().setLabels(Map.of("tier", "gold"));
        c.getSpec().setSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("tier", "gold")).build());
        assertEquals(Optional.of("gold"), find(c, null, false, pv("plain", "1Gi", "manual", RWO), gold));
    }

    @Test
    void aPreBoundVolumeWinsAndIsTheOnlyChoiceWhileBindingWaitsForANode() {
        PersistentVolume reserved = pv("reserved", "4Gi", "manual", RWO);
        reserved.getSpec().setClaimRef(new ObjectReferenceBuilder().withNamespace("ns").withName("c").build());
        PersistentVolumeClaim c = pvc("1Gi", "manual", RWO);
        assertEquals(Optional.of("reserved"), find(c, null, false, pv("small", "1Gi", "manual", RWO), reserved));
        assertEquals(Optional.of("reserved"), find(c, null, true, pv("small", "1Gi", "manual", RWO), reserved));
        assertEquals(Optional.empty(), find(c, null, true, pv("small", "1Gi", "manual", RWO)));
        // too small a pre-bound volume is passed over
        assertEquals(Optional.of("small"), find(pvc("5Gi", "manual", RWO), null, false, reserved,
                pv("small", "8Gi", "manual", RWO)));
    }

    @Test
    void withANodeOnlyVolumesItCanReach() {
        PersistentVolumeClaim c = pvc("1Gi", "local-path", RWO);
        c.getMetadata().setAnnotations(Map.of(LocalPath.SELECTED_NODE_ANNOTATION, "n1"));
        // a local-path volume: reachable from n0 only
        PersistentVolume onN0 = pv("on-n0", "1Gi", "local-path", RWO);
        onN0.getSpec().setNodeAffinity(new io.fabric8.kubernetes.api.model.VolumeNodeAffinityBuilder().withNewRequired()
                .addNewNodeSelectorTerm().addNewMatchExpression().withKey("kubernetes.io/hostname").withOperator("In")
                .withValues("n0").endMatchExpression().endNodeSelectorTerm().endRequired().build());
        Node n1 = new NodeBuilder().withNewMetadata().withName("n1").withLabels(Map.of("kubernetes.io/hostname", "n1"))
                .endMetadata().build();
        Node n0 = new NodeBuilder().withNewMetadata().withName("n0").withLabels(Map.of("kubernetes.io/hostname", "n0"))
                .endMetadata().build();
        assertEquals(Optional.empty(), find(c, n1, false, onN0));
        assertEquals(Optional.of(onN0.getMetadata().getName()), find(c, n0, false, onN0));
        assertEquals(Optional.of("anywhere"), find(c, n1, false, onN0, pv("anywhere", "1Gi", "local-path", RWO)));
    }

    @Test
    void unsatisfiedSaysWhy() {
        PersistentVolumeClaim c = pvc("2Gi", "manual", RWO);
        assertEquals(Optional.of("requested PV is too small"), VolumeMatch.unsatisfied(pv("v", "1Gi", "manual", RWO), c));
        assertEquals(Optional.of("storageClassName does not match"), VolumeMatch.unsatisfied(pv("v", "2Gi", "x", RWO), c));
        assertEquals(Optional.of("incompatible accessMode"),
                VolumeMatch.unsatisfied(pv("v", "2Gi", "manual", List.of("ReadOnlyMany")), c));
        assertTrue(VolumeMatch.unsatisfied(pv("v", "3Gi", "manual", RWO), c).isEmpty());
    }

}

package io.kubus.controllers.statefulset;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A StatefulSet's pod identity, claims and the owners of its claims under each retention policy. */
class StatefulPodsTest {
    private static StatefulSet set(int replicas, Integer start, String whenDeleted, String whenScaled) {
        StatefulSetBuilder b = new StatefulSetBuilder().withApiVersion("apps/v1").withKind("StatefulSet")
                .withNewMetadata().withName("db").withNamespace("default").withUid("set-uid").endMetadata()
                .withNewSpec().withReplicas(replicas).withServiceName("db-svc")
                .withNewSelector().addToMatchLabels("app", "db").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "db").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("i:1").endContainer()
                .addNewVolume().withName("data").withNewEmptyDir().endEmptyDir().endVolume()
                .addNewVolume().withName("config").withNewConfigMap().withName("cm").endConfigMap().endVolume()
                .endSpec().endTemplate()
                .addToVolumeClaimTemplates(new PersistentVolumeClaimBuilder().withNewMetadata().withName("data")
                        .addToLabels("tier", "db").endMetadata().withNewSpec().withAccessModes("ReadWriteOnce")
                        .withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec()
                        .build()).endSpec();
        if (start != null) {
            b.editSpec().withNewOrdinals().withStart(start).endOrdinals().endSpec();
        }
        if (whenDeleted != null) {
            b.editSpec().withNewPersistentVolumeClaimRetentionPolicy().withWhenDeleted(whenDeleted)
                    .withWhenScaled(whenScaled).endPersistentVolumeClaimRetentionPolicy().endSpec();
        }
        return b.build();
    }

    private static Pod pod(String name, String uid) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").withUid(uid).endMetadata()
                .build();
    }

    @Test
    void aPodCarriesItsIdentityAndItsClaimsAsVolumes() {
        StatefulSet s = set(3, 5, null, null);
        Pod p = StatefulPods.newPod(s, s.getSpec().getTemplate(), "db-abc", 6);
        assertEquals("db-6", p.getMetadata().getName());
        assertNull(p.getMetadata().getGenerateName());
        assertEquals("db-6", p.getSpec().getHostname());
        assertEquals("db-svc", p.getSpec().getSubdomain());
        assertEquals(Map.of("app", "db", "statefulset.kubernetes.io/pod-name", "db-6",
                "apps.kubernetes.io/pod-index", "6", "controller-revision-hash", "db-abc"), p.getMetadata().getLabels());
        Volume data = p.getSpec().getVolumes().getFirst();
        assertEquals("data", data.getName());
        assertEquals("data-db-6", data.getPersistentVolumeClaim().getClaimName());
        assertNull(data.getEmptyDir(), "the template's own volume of that name is replaced");
        assertEquals(List.of("data", "config"), p.getSpec().getVolumes().stream().map(Volume::getName).toList());
        assertTrue(StatefulPods.identityMatches(s, p));
        assertTrue(StatefulPods.inOrdinalRange(s, 5) && StatefulPods.inOrdinalRange(s, 7));
        assertFalse(StatefulPods.inOrdinalRange(s, 4) || StatefulPods.inOrdinalRange(s, 8));
    }

    @Test
    void namesAreParsedForTheirParentAndOrdinal() {
        StatefulSet s = set(1, null, null, null);
        assertEquals(new StatefulPods.Identity("db", 12), StatefulPods.identityOf(pod("db-12", "u")));
        assertTrue(StatefulPods.isMemberOf(s, pod("db-0", "u")));
        assertFalse(StatefulPods.isMemberOf(s, pod("db-x-0", "u")), "another set's pod");
        assertFalse(StatefulPods.isMemberOf(s, pod("db", "u")));
        Pod relabelled = StatefulPods.withIdentity(pod("db-3", "u"));
        assertTrue(StatefulPods.identityMatches(s, relabelled));
    }

    @Test
    void aClaimIsNamedForTemplateSetAndOrdinalAndLabelledWithTheSelector() {
        PersistentVolumeClaim c = StatefulPods.claims(set(2, null, null, null), 1).get("data");
        assertEquals("data-db-1", c.getMetadata().getName());
        assertEquals("default", c.getMetadata().getNamespace());
        assertEquals(Map.of("app", "db", "tier", "db"), c.getMetadata().getLabels());
        assertEquals("1Gi", c.getSpec().getResources().getRequests().get("storage").toString());
    }

    private static List<String> owners(List<OwnerReference> refs) {
        return refs.stream().map(r -> r.getKind() + "/" + r.getName() + (Boolean.TRUE.equals(r.getController())
                ? "(controller)" : "")).toList();
    }

    @Test
    void retentionPolicyDecidesWhoOwnsTheClaims() {
        PersistentVolumeClaim fresh = StatefulPods.claims(set(2, null, null, null), 0).get("data");
        Pod kept = pod("db-1", "pod-1");
        Pod scaled = pod("db-2", "pod-2");

        assertNull(StatefulPods.claimOwners(set(2, null, "Retain", "Retain"), fresh, kept), "nothing to change");
        assertEquals(List.of("StatefulSet/db(controller)"),
                owners(StatefulPods.claimOwners(set(2, null, "Delete", "Retain"), fresh, kept)));
        assertEquals(List.of("StatefulSet/db(controller)"),
                owners(StatefulPods.claimOwners(set(2, null, "Delete", "Retain"), fresh, scaled)));
        assertNull(StatefulPods.claimOwners(set(2, null, "Retain", "Delete"), fresh, kept));
        assertEquals(List.of("Pod/db-2(controller)"),
                owners(StatefulPods.claimOwners(set(2, null, "Retain", "Delete"), fresh, scaled)));
        assertEquals(List.of("StatefulSet/db(controller)"),
                owners(StatefulPods.claimOwners(set(2, null, "Delete", "Delete"), fresh, kept)));
        assertEquals(List.of("StatefulSet/db(controller)"),
                owners(StatefulPods.claimOwners(set(2, null, "Delete", "Delete"), fresh, null)), "before its pod");

        // scaled away under Delete/Delete: the set's reference gives way to the pod's
        PersistentVolumeClaim setOwned = new PersistentVolumeClaimBuilder(fresh).editMetadata()
                .withOwnerReferences(StatefulPods.claimOwners(set(2, null, "Delete", "Delete"), fresh, kept))
                .endMetadata().build();
        assertEquals(List.of("Pod/db-2(controller)"),
                owners(StatefulPods.claimOwners(set(2, null, "Delete", "Delete"), setOwned, scaled)));
        // back to Retain: our references go
        assertEquals(List.of(), StatefulPods.claimOwners(set(2, null, "Retain", "Retain"), setOwned, kept));

        // another controller's claim keeps its controller and gets none of ours
        OwnerReference other = new OwnerReferenceBuilder().withApiVersion("v1").withKind("Thing").withName("t")
                .withUid("other").withController(true).build();
        PersistentVolumeClaim foreign = new PersistentVolumeClaimBuilder(fresh).editMetadata()
                .withOwnerReferences(other).endMetadata().build();
        assertNull(StatefulPods.claimOwners(set(2, null, "Delete", "Delete"), foreign, kept));
    }

    @Test
    void aClaimOwnedByAGonePodIsStale() {
        OwnerReference byPod = new OwnerReferenceBuilder().withApiVersion("v1").withKind("Pod").withName("db-1")
                .withUid("old").withController(true).build();
        PersistentVolumeClaim c = new PersistentVolumeClaimBuilder().withNewMetadata().withName("data-db-1")
                .withOwnerReferences(byPod).endMetadata().build();
        assertTrue(StatefulPods.isStale(c, null));
        assertTrue(StatefulPods.isStale(c, "new"));
        assertFalse(StatefulPods.isStale(c, "old"));
    }
}

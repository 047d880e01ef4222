package io.kubus.controllers.common;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.kubus.schema.KubusJson;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A workload's ControllerRevisions: their data as kubectl reads it back, their names and labels. */
class TemplateRevisionsTest {
    private static final String LABEL = "controller-revision-hash";

    private static DaemonSet ds(String image) {
        return new DaemonSetBuilder().withNewMetadata().withName("agent").withNamespace("default").withUid("u1")
                .addToAnnotations("kubernetes.io/change-cause", "why").endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "agent").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "agent").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage(image).endContainer().endSpec()
                .endTemplate().endSpec().build();
    }

    /** As the informer gives it back: through JSON, the data a plain map. */
    private static ControllerRevision stored(ControllerRevision r) throws Exception {
        return KubusJson.json().readValue(KubusJson.write(r), ControllerRevision.class);
    }

    @Test
    void theDataReplacesTheWholeTemplate() {
        JsonNode data = TemplateRevisions.patch(ds("i:1").getSpec().getTemplate());
        assertEquals(1, data.size());
        assertEquals(1, data.path("spec").size(), "only spec.template");
        assertEquals("replace", data.at("/spec/template/$patch").asText());
        assertEquals("i:1", data.at("/spec/template/spec/containers/0/image").asText());
    }

    @Test
    void aSnapshotIsNamedAndLabelledByItsHashAndCarriesTheChangeCause() {
        DaemonSet d = ds("i:1");
        ControllerRevision r = TemplateRevisions.snapshot(d, d.getSpec().getTemplate(), null, LABEL, 4);
        String hash = TemplateRevisions.hash(d.getSpec().getTemplate(), null);
        assertEquals("agent-" + hash, r.getMetadata().getName());
        assertEquals(hash, TemplateRevisions.hashOf(r, LABEL));
        assertEquals("agent", r.getMetadata().getLabels().get("app"), "the DaemonSet's selector finds it");
        assertEquals(4L, r.getRevision());
        assertEquals("why", r.getMetadata().getAnnotations().get("kubernetes.io/change-cause"));
        assertTrue(r.getMetadata().getOwnerReferences().getFirst().getController());
        assertNotEquals(hash, TemplateRevisions.hash(ds("i:2").getSpec().getTemplate(), null));
    }

    @Test
    void aStoredRevisionMatchesItsTemplateOnly() throws Exception {
        ControllerRevision r = stored(TemplateRevisions.snapshot(ds("i:1"), ds("i:1").getSpec().getTemplate(), null, LABEL, 1));
        assertTrue(TemplateRevisions.matches(ds("i:1").getSpec().getTemplate(), r));
        assertFalse(TemplateRevisions.matches(ds("i:2").getSpec().getTemplate(), r));
    }

    @Test
    void theTemplateComesBackOutOfAStoredRevisionAndACollisionCountChangesTheHash() throws Exception {
        ControllerRevision r = stored(TemplateRevisions.snapshot(ds("i:1"), ds("i:1").getSpec().getTemplate(), 2,
                LABEL, 1));
        assertEquals("i:1", TemplateRevisions.template(r).getSpec().getContainers().getFirst().getImage());
        assertEquals("agent-" + TemplateRevisions.hash(ds("i:1").getSpec().getTemplate(), 2), r.getMetadata().getName());
        assertNotEquals(TemplateRevisions.hash(ds("i:1").getSpec().getTemplate(), null),
                TemplateRevisions.hash(ds("i:1").getSpec().getTemplate(), 2));
    }
}

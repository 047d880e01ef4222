package io.kubus.controllers.daemon;

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

/** A DaemonSet's ControllerRevisions: their data as kubectl reads it back, their names and labels. */
class DaemonRevisionsTest {
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
        JsonNode data = DaemonRevisions.patch(ds("i:1"));
        assertEquals(1, data.size());
        assertEquals(1, data.path("spec").size(), "only spec.template");
        assertEquals("replace", data.at("/spec/template/$patch").asText());
        assertEquals("i:1", data.at("/spec/template/spec/containers/0/image").asText());
    }

    @Test
    void aSnapshotIsNamedAndLabelledByItsHashAndCarriesTheChangeCause() {
        DaemonSet d = ds("i:1");
        ControllerRevision r = DaemonRevisions.snapshot(d, 4);
        String hash = DaemonRevisions.hash(d);
        assertEquals("agent-" + hash, r.getMetadata().getName());
        assertEquals(hash, DaemonRevisions.hashOf(r));
        assertEquals("agent", r.getMetadata().getLabels().get("app"), "the DaemonSet's selector finds it");
        assertEquals(4L, r.getRevision());
        assertEquals("why", r.getMetadata().getAnnotations().get("kubernetes.io/change-cause"));
        assertTrue(r.getMetadata().getOwnerReferences().getFirst().getController());
        assertNotEquals(hash, DaemonRevisions.hash(ds("i:2")));
    }

    @Test
    void aStoredRevisionMatchesItsTemplateOnly() throws Exception {
        ControllerRevision r = stored(DaemonRevisions.snapshot(ds("i:1"), 1));
        assertTrue(DaemonRevisions.matches(ds("i:1"), r));
        assertFalse(DaemonRevisions.matches(ds("i:2"), r));
    }
}

package io.kubus.controllers.deployment;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.kubus.controllers.deployment.TestObjects.rs;
import static io.kubus.controllers.deployment.TestObjects.withRevision;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RevisionsTest {
    @Test
    void aNewTemplateGetsTheHighestOldRevisionPlusOne() {
        Deployment d = TestObjects.rolling(3, 1, 0);
        ReplicaSet first = withRevision(rs("a", 0, 0, 0, 0), 1);
        ReplicaSet second = withRevision(rs("b", 1, 3, 3, 3), 4);
        assertEquals(4, Revisions.max(List.of(first, second)));
        ReplicaSet created = rs("c", 2, 1, 0, 0);
        assertTrue(Revisions.setNewReplicaSetAnnotations(d, created, Revisions.max(List.of(first, second)) + 1, false));
        assertEquals("5", created.getMetadata().getAnnotations().get(Revisions.REVISION));
        assertEquals("3", created.getMetadata().getAnnotations().get(Revisions.DESIRED_REPLICAS));
        assertEquals("4", created.getMetadata().getAnnotations().get(Revisions.MAX_REPLICAS));
        assertNull(created.getMetadata().getAnnotations().get(Revisions.REVISION_HISTORY));
    }

    @Test
    void rollingBackMovesTheOldReplicaSetToTheNextRevisionAndKeepsItsHistory() {
        // revision 1 = template A, 2 = template B; undo brings A back: its ReplicaSet becomes revision 3.
        Deployment d = TestObjects.rolling(3, 1, 0);
        ReplicaSet a = withRevision(rs("a", 0, 0, 0, 0), 1);
        ReplicaSet b = withRevision(rs("b", 1, 3, 3, 3), 2);
        assertTrue(Revisions.setNewReplicaSetAnnotations(d, a, Revisions.max(List.of(b)) + 1, true));
        assertEquals("3", a.getMetadata().getAnnotations().get(Revisions.REVISION));
        assertEquals("1", a.getMetadata().getAnnotations().get(Revisions.REVISION_HISTORY));
        // An existing ReplicaSet's replicas annotations are the scaling code's business, not this one's.
        assertNull(a.getMetadata().getAnnotations().get(Revisions.DESIRED_REPLICAS));
        // ... and back to B: revision 4, history "2".
        assertTrue(Revisions.setNewReplicaSetAnnotations(d, b, Revisions.max(List.of(a)) + 1, true));
        assertEquals("4", b.getMetadata().getAnnotations().get(Revisions.REVISION));
        assertEquals("2", b.getMetadata().getAnnotations().get(Revisions.REVISION_HISTORY));
        // ... and to A again: history "1,3".
        assertTrue(Revisions.setNewReplicaSetAnnotations(d, a, Revisions.max(List.of(b)) + 1, true));
        assertEquals("5", a.getMetadata().getAnnotations().get(Revisions.REVISION));
        assertEquals("1,3", a.getMetadata().getAnnotations().get(Revisions.REVISION_HISTORY));
    }

    @Test
    void aRevisionAheadOfTheOldOnesIsLeftAlone() {
        // Old ReplicaSets were deleted after the new one got its revision: it must not go backwards.
        Deployment d = TestObjects.rolling(3, 1, 0);
        ReplicaSet current = withRevision(rs("c", 0, 3, 3, 3), 7);
        assertFalse(Revisions.setNewReplicaSetAnnotations(d, current, 2, true));
        assertEquals("7", current.getMetadata().getAnnotations().get(Revisions.REVISION));
    }

    @Test
    void copiesTheDeploymentsAnnotationsButNotItsBookkeeping() {
        Deployment d = TestObjects.rolling(3, 1, 0);
        d.getMetadata().setAnnotations(new HashMap<>(Map.of("kubernetes.io/change-cause", "kubectl set image",
                Revisions.REVISION, "9", "kubectl.kubernetes.io/last-applied-configuration", "{}")));
        ReplicaSet r = withRevision(rs("a", 0, 3, 3, 3), 2);
        assertTrue(Revisions.setNewReplicaSetAnnotations(d, r, 2, true));
        Map<String, String> a = r.getMetadata().getAnnotations();
        assertEquals("kubectl set image", a.get("kubernetes.io/change-cause"));
        assertEquals("2", a.get(Revisions.REVISION));
        assertFalse(a.containsKey("kubectl.kubernetes.io/last-applied-configuration"));
        assertFalse(Revisions.setNewReplicaSetAnnotations(d, r, 2, true), "nothing left to change");
    }

    @Test
    void deploymentRevisionIsSetOnce() {
        Deployment d = TestObjects.rolling(3, 1, 0);
        assertTrue(Revisions.setDeploymentRevision(d, "1"));
        assertFalse(Revisions.setDeploymentRevision(d, "1"));
        assertEquals("1", Revisions.deploymentRevision(d));
    }

    @Test
    void anUnreadableRevisionCountsAsNone() {
        ReplicaSet r = rs("a", 0, 0, 0, 0);
        r.getMetadata().getAnnotations().put(Revisions.REVISION, "x");
        assertEquals(0, Revisions.of(r));
        assertEquals(0, Revisions.max(List.of()));
    }
}

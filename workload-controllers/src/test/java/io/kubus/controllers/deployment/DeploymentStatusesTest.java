package io.kubus.controllers.deployment;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetConditionBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.kubus.controllers.deployment.DeploymentStatuses.PROGRESSING;
import static io.kubus.controllers.deployment.TestObjects.T0;
import static io.kubus.controllers.deployment.TestObjects.rs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeploymentStatusesTest {
    private static Deployment withCondition(Deployment d, String reason, String status, Instant at) {
        DeploymentStatus s = DeploymentStatuses.statusForUpdate(d);
        DeploymentStatuses.set(s, DeploymentStatuses.condition(PROGRESSING, status, reason, "m", at));
        return d;
    }

    @Test
    void countsComeFromTheReplicaSets() {
        Deployment d = TestObjects.rolling(10, 3, 2);
        ReplicaSet old = rs("old", 0, 6, 8, 7);
        ReplicaSet now = rs("new", 1, 5, 5, 2);
        DeploymentStatus s = DeploymentStatuses.calculate(List.of(old, now), now, d, T0);
        assertEquals(13, s.getReplicas());
        assertEquals(5, s.getUpdatedReplicas());
        assertEquals(9, s.getReadyReplicas());
        assertEquals(9, s.getAvailableReplicas());
        assertEquals(2, s.getUnavailableReplicas());   // 11 wanted, 9 available
        assertEquals(1L, s.getObservedGeneration());
        DeploymentCondition available = DeploymentStatuses.get(s, DeploymentStatuses.AVAILABLE);
        assertEquals("True", available.getStatus());
        assertEquals("MinimumReplicasAvailable", available.getReason());
        assertEquals("Deployment has minimum availability.", available.getMessage());
    }

    @Test
    void belowMinimumAvailabilityAndZerosLeftOut() {
        Deployment d = TestObjects.rolling(10, 3, 2);
        ReplicaSet now = rs("new", 1, 10, 0, 0);
        DeploymentStatus s = DeploymentStatuses.calculate(List.of(now), now, d, T0);
        DeploymentCondition available = DeploymentStatuses.get(s, DeploymentStatuses.AVAILABLE);
        assertEquals("False", available.getStatus());
        assertEquals("MinimumReplicasUnavailable", available.getReason());
        assertEquals("Deployment does not have minimum availability.", available.getMessage());
        assertNull(s.getAvailableReplicas());
        assertNull(s.getReplicas());
        assertEquals(10, s.getUnavailableReplicas());
    }

    @Test
    void aCompleteRolloutReportsNewReplicaSetAvailable() {
        Deployment d = withCondition(TestObjects.rolling(3, 1, 0), "ReplicaSetUpdated", "True", T0);
        ReplicaSet now = rs("web-abc", 1, 3, 3, 3);
        DeploymentStatus s = DeploymentStatuses.rollout(List.of(now), now, d, T0.plusSeconds(5));
        DeploymentCondition p = DeploymentStatuses.get(s, PROGRESSING);
        assertEquals("NewReplicaSetAvailable", p.getReason());
        assertEquals("ReplicaSet \"web-abc\" has successfully progressed.", p.getMessage());
        assertTrue(DeploymentStatuses.complete(d, s));
    }

    @Test
    void progressMovesTheConditionsUpdateTimeButNotItsTransition() {
        Deployment d = withCondition(TestObjects.rolling(3, 1, 0), "NewReplicaSetCreated", "True", T0);
        Instant later = T0.plusSeconds(30);
        ReplicaSet now = rs("web-abc", 1, 2, 2, 1);
        DeploymentStatus s = DeploymentStatuses.rollout(List.of(now), now, d, later);
        DeploymentCondition p = DeploymentStatuses.get(s, PROGRESSING);
        assertEquals("ReplicaSetUpdated", p.getReason());
        assertEquals("ReplicaSet \"web-abc\" is progressing.", p.getMessage());
        assertEquals(later.toString(), p.getLastUpdateTime());
        assertEquals(T0.toString(), p.getLastTransitionTime());
    }

    @Test
    void noProgressPastTheDeadlineTimesOut() {
        Deployment d = withCondition(TestObjects.rolling(3, 1, 0), "ReplicaSetUpdated", "True", T0);
        d.getSpec().setProgressDeadlineSeconds(10);
        ReplicaSet now = rs("web-abc", 1, 1, 1, 0);
        d.getStatus().setReplicas(1);
        d.getStatus().setUpdatedReplicas(1);
        // Before the deadline: nothing changes, and the check is due one second after it.
        DeploymentStatus early = DeploymentStatuses.rollout(List.of(now), now, d, T0.plusSeconds(4));
        assertEquals("ReplicaSetUpdated", DeploymentStatuses.get(early, PROGRESSING).getReason());
        assertEquals(Duration.ofSeconds(7), DeploymentStatuses.progressCheckAfter(d, T0.plusSeconds(4)));
        DeploymentStatus late = DeploymentStatuses.rollout(List.of(now), now, d, T0.plusSeconds(11));
        DeploymentCondition p = DeploymentStatuses.get(late, PROGRESSING);
        assertEquals("False", p.getStatus());
        assertEquals("ProgressDeadlineExceeded", p.getReason());
        assertEquals("ReplicaSet \"web-abc\" has timed out progressing.", p.getMessage());
        d.setStatus(late);
        assertNull(DeploymentStatuses.progressCheckAfter(d, T0.plusSeconds(12)), "timed out: nothing left to check");
    }

    @Test
    void withoutADeadlineThereIsNoProgressingCondition() {
        Deployment d = withCondition(TestObjects.rolling(3, 1, 0), "ReplicaSetUpdated", "True", T0);
        d.getSpec().setProgressDeadlineSeconds(Integer.MAX_VALUE);
        ReplicaSet now = rs("web-abc", 1, 1, 1, 0);
        DeploymentStatus s = DeploymentStatuses.rollout(List.of(now), now, d, T0.plusSeconds(10_000));
        assertNull(DeploymentStatuses.get(s, PROGRESSING));
        assertNull(DeploymentStatuses.progressCheckAfter(d, T0));
    }

    @Test
    void pausingAndResumingAreUnknownProgress() {
        Deployment d = withCondition(TestObjects.rolling(3, 1, 0), "ReplicaSetUpdated", "True", T0);
        d.getSpec().setPaused(true);
        assertTrue(DeploymentStatuses.setPausedCondition(d, T0.plusSeconds(1)));
        DeploymentCondition paused = DeploymentStatuses.get(d.getStatus(), PROGRESSING);
        assertEquals("Unknown", paused.getStatus());
        assertEquals("DeploymentPaused", paused.getReason());
        assertEquals("Deployment is paused", paused.getMessage());
        assertFalse(DeploymentStatuses.setPausedCondition(d, T0.plusSeconds(2)));
        d.getSpec().setPaused(false);
        assertTrue(DeploymentStatuses.setPausedCondition(d, T0.plusSeconds(3)));
        assertEquals("DeploymentResumed", DeploymentStatuses.get(d.getStatus(), PROGRESSING).getReason());
        // A timeout already reported stays.
        Deployment timedOut = withCondition(TestObjects.rolling(3, 1, 0), "ProgressDeadlineExceeded", "False", T0);
        timedOut.getSpec().setPaused(true);
        assertFalse(DeploymentStatuses.setPausedCondition(timedOut, T0));
    }

    @Test
    void replicaFailuresOfTheNewReplicaSetComeFirst() {
        Deployment d = TestObjects.rolling(3, 1, 0);
        ReplicaSet old = rs("old", 0, 1, 1, 1);
        old.getStatus().setConditions(new ArrayList<>(List.of(new ReplicaSetConditionBuilder().withType("ReplicaFailure")
                .withStatus("True").withReason("FailedCreate").withMessage("old failure").build())));
        ReplicaSet now = rs("new", 1, 1, 0, 0);
        assertEquals("old failure", DeploymentStatuses.get(
                DeploymentStatuses.rollout(List.of(old, now), now, d, T0), "ReplicaFailure").getMessage());
        now.getStatus().setConditions(new ArrayList<>(List.of(new ReplicaSetConditionBuilder().withType("ReplicaFailure")
                .withStatus("True").withReason("FailedCreate").withMessage("new failure").build())));
        assertEquals("new failure", DeploymentStatuses.get(
                DeploymentStatuses.rollout(List.of(old, now), now, d, T0), "ReplicaFailure").getMessage());
    }
}

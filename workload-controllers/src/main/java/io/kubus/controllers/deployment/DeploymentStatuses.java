package io.kubus.controllers.deployment;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetCondition;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A deployment's status from its ReplicaSets, and its Available and Progressing conditions with Kubernetes'
 * reasons and messages, which {@code kubectl rollout status} and {@code kubectl describe} read.
 */
public final class DeploymentStatuses {
    public static final String AVAILABLE = "Available";
    public static final String PROGRESSING = "Progressing";
    public static final String REPLICA_FAILURE = "ReplicaFailure";

    public static final String MINIMUM_REPLICAS_AVAILABLE = "MinimumReplicasAvailable";
    public static final String MINIMUM_REPLICAS_UNAVAILABLE = "MinimumReplicasUnavailable";
    public static final String NEW_RS_CREATED = "NewReplicaSetCreated";
    public static final String FOUND_NEW_RS = "FoundNewReplicaSet";
    public static final String RS_UPDATED = "ReplicaSetUpdated";
    public static final String NEW_RS_AVAILABLE = "NewReplicaSetAvailable";
    public static final String TIMED_OUT = "ProgressDeadlineExceeded";
    public static final String FAILED_RS_CREATE = "ReplicaSetCreateError";
    public static final String PAUSED = "DeploymentPaused";
    public static final String RESUMED = "DeploymentResumed";

    private DeploymentStatuses() {
    }

    /**
     * The counts from the ReplicaSets (calculateStatus) and the Available condition; the other conditions and the
     * collision count carried over from {@code d}'s status. Zero counts are left out, as Kubernetes' JSON omits them.
     */
    public static DeploymentStatus calculate(List<ReplicaSet> allRSs, ReplicaSet newRS, Deployment d, Instant now) {
        int available = ReplicaSets.sum(allRSs, ReplicaSets::availableReplicas);
        int unavailable = Math.max(0, ReplicaSets.sum(allRSs, ReplicaSets::replicas) - available);
        DeploymentStatus current = statusOf(d);
        DeploymentStatus s = new DeploymentStatus();
        s.setObservedGeneration(DeploymentSpecs.generation(d) == 0 ? null : DeploymentSpecs.generation(d));
        s.setReplicas(omitZero(ReplicaSets.sum(allRSs, ReplicaSets::statusReplicas)));
        s.setUpdatedReplicas(omitZero(newRS == null ? 0 : ReplicaSets.statusReplicas(newRS)));
        s.setReadyReplicas(omitZero(ReplicaSets.sum(allRSs, ReplicaSets::readyReplicas)));
        s.setAvailableReplicas(omitZero(available));
        s.setUnavailableReplicas(omitZero(unavailable));
        s.setCollisionCount(current.getCollisionCount());
        s.setConditions(current.getConditions() == null ? new ArrayList<>() : new ArrayList<>(current.getConditions()));
        if (available >= DeploymentSpecs.replicas(d) - Fenceposts.of(d).maxUnavailable()) {
            set(s, condition(AVAILABLE, "True", MINIMUM_REPLICAS_AVAILABLE, "Deployment has minimum availability.", now));
        } else {
            set(s, condition(AVAILABLE, "False", MINIMUM_REPLICAS_UNAVAILABLE,
                    "Deployment does not have minimum availability.", now));
        }
        return s;
    }

    /**
     * The status during a rollout (syncRolloutStatus): the counts, then the Progressing condition — the new
     * ReplicaSet has all replicas available (NewReplicaSetAvailable), or progress was made since the last status
     * (ReplicaSetUpdated, its lastUpdateTime moves), or nothing moved for progressDeadlineSeconds
     * (ProgressDeadlineExceeded) — and the ReplicaSets' ReplicaFailure condition.
     */
    public static DeploymentStatus rollout(List<ReplicaSet> allRSs, ReplicaSet newRS, Deployment d, Instant now) {
        DeploymentStatus s = calculate(allRSs, newRS, d, now);
        String name = d.getMetadata().getName();
        if (!DeploymentSpecs.hasProgressDeadline(d)) {
            remove(s, PROGRESSING);
        }
        DeploymentCondition currentCond = get(statusOf(d), PROGRESSING);
        boolean alreadyComplete = intValue(s.getReplicas()) == intValue(s.getUpdatedReplicas())
                && currentCond != null && NEW_RS_AVAILABLE.equals(currentCond.getReason());
        if (DeploymentSpecs.hasProgressDeadline(d) && !alreadyComplete) {
            String subject = newRS != null ? "ReplicaSet \"" + newRS.getMetadata().getName() + "\""
                    : "Deployment \"" + name + "\"";
            if (complete(d, s)) {
                set(s, condition(PROGRESSING, "True", NEW_RS_AVAILABLE, subject + " has successfully progressed.", now));
            } else if (progressing(d, s)) {
                DeploymentCondition c = condition(PROGRESSING, "True", RS_UPDATED, subject + " is progressing.", now);
                // Unlike other conditions, this one is rewritten on every progress, to move its lastUpdateTime.
                if (currentCond != null) {
                    if ("True".equals(currentCond.getStatus())) {
                        c.setLastTransitionTime(currentCond.getLastTransitionTime());
                    }
                    remove(s, PROGRESSING);
                }
                set(s, c);
            } else if (timedOut(d, s, now)) {
                set(s, condition(PROGRESSING, "False", TIMED_OUT, subject + " has timed out progressing.", now));
            }
        }
        List<DeploymentCondition> failures = replicaFailures(allRSs, newRS);
        if (failures.isEmpty()) {
            remove(s, REPLICA_FAILURE);
        } else {
            set(s, failures.getFirst());
        }
        return s;
    }

    /** All replicas updated, none old, all available, and the current generation observed (DeploymentComplete). */
    public static boolean complete(Deployment d, DeploymentStatus s) {
        int replicas = DeploymentSpecs.replicas(d);
        return intValue(s.getUpdatedReplicas()) == replicas && intValue(s.getReplicas()) == replicas
                && intValue(s.getAvailableReplicas()) == replicas
                && (s.getObservedGeneration() == null ? 0 : s.getObservedGeneration()) >= DeploymentSpecs.generation(d);
    }

    /** More updated, ready or available pods, or fewer old ones, than the status held (DeploymentProgressing). */
    static boolean progressing(Deployment d, DeploymentStatus next) {
        DeploymentStatus old = statusOf(d);
        int oldOld = intValue(old.getReplicas()) - intValue(old.getUpdatedReplicas());
        int newOld = intValue(next.getReplicas()) - intValue(next.getUpdatedReplicas());
        return intValue(next.getUpdatedReplicas()) > intValue(old.getUpdatedReplicas()) || newOld < oldOld
                || intValue(next.getReadyReplicas()) > intValue(old.getReadyReplicas())
                || intValue(next.getAvailableReplicas()) > intValue(old.getAvailableReplicas());
    }

    /** The Progressing condition's last update is older than progressDeadlineSeconds (DeploymentTimedOut). */
    static boolean timedOut(Deployment d, DeploymentStatus s, Instant now) {
        if (!DeploymentSpecs.hasProgressDeadline(d)) {
            return false;
        }
        DeploymentCondition c = get(s, PROGRESSING);
        if (c == null || NEW_RS_AVAILABLE.equals(c.getReason())) {
            return false;
        }
        if (TIMED_OUT.equals(c.getReason())) {
            return true;
        }
        Instant from = parse(c.getLastUpdateTime());
        return from != null && from.plusSeconds(DeploymentSpecs.progressDeadlineSeconds(d)).isBefore(now);
    }

    /**
     * When to look at the deployment again to notice a missed deadline (requeueStuckDeployment): null when there is
     * no deadline to watch (none set, no Progressing condition, complete, or already timed out).
     */
    public static Duration progressCheckAfter(Deployment d, Instant now) {
        DeploymentStatus s = statusOf(d);
        DeploymentCondition c = get(s, PROGRESSING);
        if (!DeploymentSpecs.hasProgressDeadline(d) || c == null || complete(d, s) || TIMED_OUT.equals(c.getReason())) {
            return null;
        }
        Instant from = parse(c.getLastUpdateTime());
        if (from == null) {
            return null;
        }
        Duration after = Duration.between(now, from.plusSeconds(DeploymentSpecs.progressDeadlineSeconds(d)));
        // A second more, so that the deadline has surely passed when the check runs (times have second precision).
        return after.isNegative() ? Duration.ofSeconds(1) : after.plusSeconds(1);
    }

    /**
     * The Progressing condition while pausing and resuming (checkPausedConditions), in place: Unknown with
     * DeploymentPaused / DeploymentResumed, so that the time spent paused never counts against the deadline.
     * A reported timeout is kept. Returns whether it changed.
     */
    public static boolean setPausedCondition(Deployment d, Instant now) {
        if (!DeploymentSpecs.hasProgressDeadline(d)) {
            return false;
        }
        DeploymentStatus s = statusOf(d);
        DeploymentCondition c = get(s, PROGRESSING);
        if (c != null && TIMED_OUT.equals(c.getReason())) {
            return false;
        }
        boolean pausedCondition = c != null && PAUSED.equals(c.getReason());
        if (DeploymentSpecs.isPaused(d) && !pausedCondition) {
            set(statusForUpdate(d), condition(PROGRESSING, "Unknown", PAUSED, "Deployment is paused", now));
            return true;
        }
        if (!DeploymentSpecs.isPaused(d) && pausedCondition) {
            set(statusForUpdate(d), condition(PROGRESSING, "Unknown", RESUMED, "Deployment is resumed", now));
            return true;
        }
        return false;
    }

    private static List<DeploymentCondition> replicaFailures(List<ReplicaSet> allRSs, ReplicaSet newRS) {
        List<DeploymentCondition> fromNew = failuresOf(newRS);
        if (!fromNew.isEmpty()) {
            return fromNew;
        }
        List<DeploymentCondition> all = new ArrayList<>();
        allRSs.forEach(rs -> all.addAll(failuresOf(rs)));
        return all;
    }

    private static List<DeploymentCondition> failuresOf(ReplicaSet rs) {
        if (rs == null || rs.getStatus() == null || rs.getStatus().getConditions() == null) {
            return List.of();
        }
        List<DeploymentCondition> out = new ArrayList<>();
        for (ReplicaSetCondition c : rs.getStatus().getConditions()) {
            if (REPLICA_FAILURE.equals(c.getType())) {
                out.add(new DeploymentCondition(c.getLastTransitionTime(), c.getLastTransitionTime(), c.getMessage(),
                        c.getReason(), c.getStatus(), c.getType()));
            }
        }
        return out;
    }

    // ---- conditions, as deploymentutil handles them ----

    /** A condition stamped {@code now} (both times, to the second as the API's times are). */
    public static DeploymentCondition condition(String type, String status, String reason, String message, Instant now) {
        String t = now.truncatedTo(ChronoUnit.SECONDS).toString();
        return new DeploymentCondition(t, t, message, reason, status, type);
    }

    public static DeploymentCondition get(DeploymentStatus s, String type) {
        if (s == null || s.getConditions() == null) {
            return null;
        }
        return s.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    /**
     * Sets a condition (SetDeploymentCondition): unchanged if one of the type has the same status and reason;
     * lastTransitionTime kept if only the reason changes.
     */
    public static void set(DeploymentStatus s, DeploymentCondition c) {
        DeploymentCondition current = get(s, c.getType());
        if (current != null && Objects.equals(current.getStatus(), c.getStatus())
                && Objects.equals(current.getReason(), c.getReason())) {
            return;
        }
        if (current != null && Objects.equals(current.getStatus(), c.getStatus())) {
            c.setLastTransitionTime(current.getLastTransitionTime());
        }
        remove(s, c.getType());
        s.getConditions().add(c);
    }

    static void remove(DeploymentStatus s, String type) {
        if (s.getConditions() == null) {
            s.setConditions(new ArrayList<>());
        }
        s.getConditions().removeIf(c -> type.equals(c.getType()));
    }

    /** The deployment's status, never null; for reading. */
    static DeploymentStatus statusOf(Deployment d) {
        return d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
    }

    /** The deployment's status with a mutable condition list, created if missing; for writing in place. */
    public static DeploymentStatus statusForUpdate(Deployment d) {
        if (d.getStatus() == null) {
            d.setStatus(new DeploymentStatus());
        }
        if (d.getStatus().getConditions() == null) {
            d.getStatus().setConditions(new ArrayList<>());
        } else {
            d.getStatus().setConditions(new ArrayList<>(d.getStatus().getConditions()));
        }
        return d.getStatus();
    }

    private static Instant parse(String t) {
        return t == null || t.isEmpty() ? null : Instant.parse(t);
    }

    private static int intValue(Integer i) {
        return i == null ? 0 : i;
    }

    private static Integer omitZero(int v) {
        return v == 0 ? null : v;
    }
}

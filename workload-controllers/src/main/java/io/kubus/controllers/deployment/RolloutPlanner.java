package io.kubus.controllers.deployment;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDeployment;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The deployment controller's decisions, as pure functions of a deployment and its ReplicaSets: which ReplicaSet is
 * the new one, how far a rolling update may scale the new one up and the old ones down, how a scaling event is
 * spread over the ReplicaSets of a rollout in flight, which old ReplicaSets history cleanup may delete. Kubernetes'
 * {@code pkg/controller/deployment} decides the same way, with two differences that make the rollout's bounds
 * hold for pods and not only for ReplicaSet sizes (see {@link #podsCounted} and {@link #availableCounted}).
 */
public final class RolloutPlanner {
    /**
     * A ReplicaSet to scale to {@code replicas}. With {@code refreshAnnotations} the write also happens when only
     * its desired/max-replicas annotations are stale (proportional scaling); without, only a size change writes.
     */
    public record Scale(ReplicaSet rs, int replicas, boolean refreshAnnotations) {
    }

    private RolloutPlanner() {
    }

    /** The ReplicaSet whose template is the deployment's (the oldest, should there be several), or null. */
    public static ReplicaSet findNew(Deployment d, List<ReplicaSet> rsList) {
        return rsList.stream().sorted(ReplicaSets.BY_CREATION)
                .filter(rs -> PodTemplates.equalIgnoringHash(rs.getSpec().getTemplate(), d.getSpec().getTemplate()))
                .findFirst().orElse(null);
    }

    /**
     * The pods a ReplicaSet may still run: its size, or, while it is being scaled down and its controller has not yet
     * reported the surplus pods gone, the pods it last reported. Kubernetes counts spec.replicas only, so the new
     * ReplicaSet's controller can start pods before the old one's has stopped the surplus, and for a moment more than
     * replicas + maxSurge pods run; Kubus waits for the old ReplicaSet to report them gone.
     */
    static int podsCounted(ReplicaSet rs) {
        return Math.max(ReplicaSets.replicas(rs), ReplicaSets.statusReplicas(rs));
    }

    /**
     * The available pods a ReplicaSet will keep: what it reports, but no more than its size. Kubernetes sums the
     * reported availability, which still counts pods of a ReplicaSet just scaled down; a second scale-down decided
     * before the report catches up would take availability below replicas - maxUnavailable.
     */
    static int availableCounted(ReplicaSet rs) {
        return Math.min(ReplicaSets.availableReplicas(rs), ReplicaSets.replicas(rs));
    }

    /**
     * The size of the new ReplicaSet for the next step of a rollout (NewRSNewReplicas): Recreate wants all replicas
     * at once; RollingUpdate grows it as far as replicas + maxSurge allows over all ReplicaSets, never past replicas.
     */
    public static int newReplicaSetReplicas(Deployment d, List<ReplicaSet> allRSs, ReplicaSet newRS) {
        int replicas = DeploymentSpecs.replicas(d);
        if (!DeploymentSpecs.isRollingUpdate(d)) {
            return replicas;
        }
        RollingUpdateDeployment ru = d.getSpec().getStrategy().getRollingUpdate();
        IntOrString surge = ru == null ? null : ru.getMaxSurge();
        int maxTotal = replicas + Fenceposts.scaled(surge, replicas, true);
        int current = ReplicaSets.sum(allRSs, RolloutPlanner::podsCounted);
        int newReplicas = ReplicaSets.replicas(newRS);
        if (current >= maxTotal) {
            return newReplicas;
        }
        return newReplicas + Math.min(maxTotal - current, replicas - newReplicas);
    }

    /** The new ReplicaSet's target in a rolling update: down to replicas if above, else the next step up. */
    public static int newReplicaSetTarget(Deployment d, List<ReplicaSet> allRSs, ReplicaSet newRS) {
        int replicas = DeploymentSpecs.replicas(d);
        int current = ReplicaSets.replicas(newRS);
        if (current >= replicas) {
            return replicas;
        }
        return newReplicaSetReplicas(d, allRSs, newRS);
    }

    /**
     * How far a rolling update scales the old ReplicaSets down now (reconcileOldReplicaSets): first their unhealthy
     * pods, which costs no availability, then as many available pods as keep replicas - maxUnavailable available,
     * oldest ReplicaSet first. Nothing while the new ReplicaSet's unavailable pods already use the budget.
     */
    public static List<Scale> scaleDownOld(Deployment d, List<ReplicaSet> allRSs, List<ReplicaSet> activeOldRSs,
                                           ReplicaSet newRS) {
        if (ReplicaSets.sum(activeOldRSs, ReplicaSets::replicas) == 0) {
            return List.of();
        }
        int minAvailable = DeploymentSpecs.replicas(d) - Fenceposts.of(d).maxUnavailable();
        int newUnavailable = ReplicaSets.replicas(newRS) - ReplicaSets.availableReplicas(newRS);
        int maxScaledDown = ReplicaSets.sum(allRSs, ReplicaSets::replicas) - minAvailable - newUnavailable;
        if (maxScaledDown <= 0) {
            return List.of();
        }
        List<ReplicaSet> olds = activeOldRSs.stream().sorted(ReplicaSets.BY_CREATION).toList();
        int[] size = olds.stream().mapToInt(ReplicaSets::replicas).toArray();

        int cleaned = 0;
        for (int i = 0; i < olds.size() && cleaned < maxScaledDown; i++) {
            int unhealthy = size[i] - Math.min(ReplicaSets.availableReplicas(olds.get(i)), size[i]);
            int n = Math.min(maxScaledDown - cleaned, unhealthy);
            size[i] -= n;
            cleaned += n;
        }

        int available = Math.min(ReplicaSets.availableReplicas(newRS), ReplicaSets.replicas(newRS));
        for (int i = 0; i < olds.size(); i++) {
            available += Math.min(ReplicaSets.availableReplicas(olds.get(i)), size[i]);
        }
        int toScaleDown = available - minAvailable;
        for (int i = 0; i < olds.size() && toScaleDown > 0; i++) {
            int n = Math.min(size[i], toScaleDown);
            size[i] -= n;
            toScaleDown -= n;
        }

        List<Scale> scales = new ArrayList<>();
        for (int i = 0; i < olds.size(); i++) {
            if (size[i] != ReplicaSets.replicas(olds.get(i))) {
                scales.add(new Scale(olds.get(i), size[i], false));
            }
        }
        return scales;
    }

    /**
     * Whether the deployment's replicas changed since its active ReplicaSets were sized: one of them records other
     * desired replicas. Such a change is applied by {@link #proportional}, not by a rollout step.
     */
    public static boolean isScalingEvent(Deployment d, List<ReplicaSet> allRSs) {
        int replicas = DeploymentSpecs.replicas(d);
        for (ReplicaSet rs : ReplicaSets.active(allRSs)) {
            Integer desired = ReplicaSets.intAnnotation(rs, Revisions.DESIRED_REPLICAS);
            if (desired != null && desired != replicas) {
                return true;
            }
        }
        return false;
    }

    /**
     * A scaling event or a paused deployment (scale): with one active ReplicaSet (or none), it takes all replicas;
     * with a saturated new one, the old ones go to 0; otherwise, in a rolling update, the difference to
     * replicas + maxSurge is spread over the active ReplicaSets in proportion to their sizes, larger ones first, the
     * rounding leftover to the first, so that scaling neither hastens nor undoes the rollout.
     */
    public static List<Scale> proportional(Deployment d, ReplicaSet newRS, List<ReplicaSet> oldRSs) {
        int replicas = DeploymentSpecs.replicas(d);
        ReplicaSet only = activeOrLatest(newRS, oldRSs);
        if (only != null) {
            return ReplicaSets.replicas(only) == replicas ? List.of() : List.of(new Scale(only, replicas, false));
        }
        if (isSaturated(d, newRS)) {
            return ReplicaSets.active(oldRSs).stream().map(rs -> new Scale(rs, 0, false)).toList();
        }
        if (!DeploymentSpecs.isRollingUpdate(d)) {
            return List.of();
        }
        List<ReplicaSet> all = new ArrayList<>(ReplicaSets.active(ReplicaSets.withNew(oldRSs, newRS)));
        int allowed = replicas > 0 ? replicas + Fenceposts.of(d).maxSurge() : 0;
        int toAdd = allowed - ReplicaSets.sum(all, ReplicaSets::replicas);
        if (toAdd > 0) {
            all.sort(ReplicaSets.BY_SIZE_NEWER);
        } else if (toAdd < 0) {
            all.sort(ReplicaSets.BY_SIZE_OLDER);
        }
        int[] size = new int[all.size()];
        int added = 0;
        for (int i = 0; i < all.size(); i++) {
            int proportion = proportion(all.get(i), d, toAdd, added);
            size[i] = ReplicaSets.replicas(all.get(i)) + proportion;
            added += proportion;
        }
        if (!all.isEmpty() && toAdd != 0) {
            size[0] = Math.max(0, size[0] + toAdd - added);
        }
        List<Scale> scales = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            scales.add(new Scale(all.get(i), size[i], true));
        }
        return scales;
    }

    /** A ReplicaSet's share of {@code toAdd}, bounded by what is left of it (GetProportion). */
    static int proportion(ReplicaSet rs, Deployment d, int toAdd, int added) {
        if (ReplicaSets.replicas(rs) == 0 || toAdd == 0 || toAdd == added) {
            return 0;
        }
        int fraction = fraction(rs, d);
        int allowed = toAdd - added;
        return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
    }

    /**
     * How much a ReplicaSet grows or shrinks when the deployment's replicas + maxSurge changes from what the
     * ReplicaSet recorded in its max-replicas annotation (getReplicaSetFraction).
     */
    static int fraction(ReplicaSet rs, Deployment d) {
        int size = ReplicaSets.replicas(rs);
        if (DeploymentSpecs.replicas(d) == 0) {
            return -size;
        }
        int deploymentReplicas = DeploymentSpecs.replicas(d) + Fenceposts.of(d).maxSurge();
        Integer annotated = ReplicaSets.intAnnotation(rs, Revisions.MAX_REPLICAS);
        if (annotated == null) {
            // No record: assume the deployment's current size (stays within bounds thanks to min/max in proportion).
            annotated = d.getStatus() == null || d.getStatus().getReplicas() == null ? 0 : d.getStatus().getReplicas();
        }
        if (annotated == 0) {
            return 0; // Kubernetes would divide by zero here; the leftover then goes to the largest ReplicaSet
        }
        double scaled = (double) size * deploymentReplicas / annotated;
        return (int) Math.floor(scaled + 0.5) - size;
    }

    /**
     * The only active ReplicaSet, or, with none active, the new one (else the newest old one); null when several are
     * active (FindActiveOrLatest).
     */
    public static ReplicaSet activeOrLatest(ReplicaSet newRS, List<ReplicaSet> oldRSs) {
        if (newRS == null && oldRSs.isEmpty()) {
            return null;
        }
        List<ReplicaSet> active = ReplicaSets.active(ReplicaSets.withNew(oldRSs, newRS));
        return switch (active.size()) {
            case 0 -> newRS != null ? newRS : oldRSs.stream().max(ReplicaSets.BY_CREATION).orElseThrow();
            case 1 -> active.getFirst();
            default -> null;
        };
    }

    /** The new ReplicaSet holds all replicas, believes so (desired-replicas), and all of them are available. */
    public static boolean isSaturated(Deployment d, ReplicaSet rs) {
        if (rs == null) {
            return false;
        }
        int replicas = DeploymentSpecs.replicas(d);
        Integer desired = ReplicaSets.intAnnotation(rs, Revisions.DESIRED_REPLICAS);
        return desired != null && desired == replicas && ReplicaSets.replicas(rs) == replicas
                && ReplicaSets.availableReplicas(rs) == replicas;
    }

    /**
     * The old ReplicaSets that revisionHistoryLimit lets go: the lowest revisions beyond the limit, skipping any that
     * still has pods, wants some, has a spec its controller has not yet observed, or is being deleted.
     */
    public static List<ReplicaSet> toCleanUp(Deployment d, List<ReplicaSet> oldRSs) {
        if (!DeploymentSpecs.hasRevisionHistoryLimit(d)) {
            return List.of();
        }
        List<ReplicaSet> cleanable = oldRSs.stream().filter(rs -> rs.getMetadata().getDeletionTimestamp() == null)
                .sorted(Comparator.comparingLong(Revisions::of).thenComparing(ReplicaSets.BY_CREATION)).toList();
        int diff = cleanable.size() - d.getSpec().getRevisionHistoryLimit();
        List<ReplicaSet> out = new ArrayList<>();
        for (int i = 0; i < diff; i++) {
            ReplicaSet rs = cleanable.get(i);
            long generation = rs.getMetadata().getGeneration() == null ? 0 : rs.getMetadata().getGeneration();
            long observed = rs.getStatus() == null || rs.getStatus().getObservedGeneration() == null ? 0
                    : rs.getStatus().getObservedGeneration();
            if (ReplicaSets.statusReplicas(rs) == 0 && ReplicaSets.replicas(rs) == 0 && generation <= observed) {
                out.add(rs);
            }
        }
        return out;
    }
}

package io.kubus.controllers.deployment;

import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToIntFunction;

/** Counts and orders over a deployment's ReplicaSets, as Kubernetes' controller utilities define them. */
final class ReplicaSets {
    /** Oldest first, then by name: the order Kubernetes scales old ReplicaSets down in. */
    static final Comparator<ReplicaSet> BY_CREATION = Comparator.comparing(ReplicaSets::created)
            .thenComparing(rs -> rs.getMetadata().getName());
    /** Largest first; equal sizes newest first (proportional scale-up favours newer ReplicaSets). */
    static final Comparator<ReplicaSet> BY_SIZE_NEWER = Comparator.comparingInt(ReplicaSets::replicas).reversed()
            .thenComparing(BY_CREATION.reversed());
    /** Largest first; equal sizes oldest first (proportional scale-down takes from older ReplicaSets). */
    static final Comparator<ReplicaSet> BY_SIZE_OLDER = Comparator.comparingInt(ReplicaSets::replicas).reversed()
            .thenComparing(BY_CREATION);

    private ReplicaSets() {
    }

    /** spec.replicas (unset means 1, the API default). */
    static int replicas(ReplicaSet rs) {
        Integer r = rs.getSpec().getReplicas();
        return r == null ? 1 : r;
    }

    /** status.replicas: the active pods the ReplicaSet controller last counted. */
    static int statusReplicas(ReplicaSet rs) {
        return status(rs, ReplicaSetStatus::getReplicas);
    }

    static int readyReplicas(ReplicaSet rs) {
        return status(rs, ReplicaSetStatus::getReadyReplicas);
    }

    static int availableReplicas(ReplicaSet rs) {
        return status(rs, ReplicaSetStatus::getAvailableReplicas);
    }

    private static int status(ReplicaSet rs, java.util.function.Function<ReplicaSetStatus, Integer> field) {
        ReplicaSetStatus s = rs.getStatus();
        Integer v = s == null ? null : field.apply(s);
        return v == null ? 0 : v;
    }

    static Instant created(ReplicaSet rs) {
        String t = rs.getMetadata().getCreationTimestamp();
        return t == null || t.isEmpty() ? Instant.MAX : Instant.parse(t);
    }

    /** Sums a count over ReplicaSets, skipping nulls (an absent new ReplicaSet). */
    static int sum(Collection<ReplicaSet> rss, ToIntFunction<ReplicaSet> count) {
        int total = 0;
        for (ReplicaSet rs : rss) {
            if (rs != null) {
                total += count.applyAsInt(rs);
            }
        }
        return total;
    }

    /** The ReplicaSets that want pods (spec.replicas above 0), nulls dropped. */
    static List<ReplicaSet> active(Collection<ReplicaSet> rss) {
        return rss.stream().filter(Objects::nonNull).filter(rs -> replicas(rs) > 0).toList();
    }

    /** The list with {@code newRS} appended when there is one. */
    static List<ReplicaSet> withNew(List<ReplicaSet> oldRSs, ReplicaSet newRS) {
        List<ReplicaSet> all = new ArrayList<>(oldRSs);
        if (newRS != null) {
            all.add(newRS);
        }
        return all;
    }

    static String annotation(ReplicaSet rs, String key) {
        Map<String, String> a = rs.getMetadata().getAnnotations();
        return a == null ? null : a.get(key);
    }

    /** An integer annotation, or null when absent or not a number. */
    static Integer intAnnotation(ReplicaSet rs, String key) {
        String v = annotation(rs, key);
        if (v == null) {
            return null;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}

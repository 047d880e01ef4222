package io.kubus.controllers.daemon;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDaemonSet;
import io.kubus.controllers.common.PodStates;
import io.kubus.controllers.deployment.Fenceposts;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One step of a DaemonSet's rolling update (Kubernetes' daemon update.go), from the pods on each node: without
 * surge, old pods are deleted (the manage step then creates their replacements) while no more than maxUnavailable
 * nodes lack an available pod; with surge, new pods are created next to old ones on at most maxSurge nodes at a time
 * and an old pod goes once its new one is available.
 */
final class DaemonRollout {
    /** Oldest first, bound pods before unbound ones (podByCreationTimestampAndPhase). */
    static final Comparator<Pod> OLDEST_FIRST = Comparator
            .comparing((Pod p) -> PodStates.nodeName(p) == null)
            .thenComparing(p -> Objects.requireNonNullElse(p.getMetadata().getCreationTimestamp(), ""),
                    Comparator.comparing(DaemonRollout::instant))
            .thenComparing(p -> p.getMetadata().getName());

    private DaemonRollout() {
    }

    /** How far a rolling update may go, in nodes. */
    record Budget(int maxSurge, int maxUnavailable) {
    }

    /** The pods to delete and the nodes to create a pod on. */
    record Step(List<Pod> delete, List<String> create) {
    }

    /**
     * maxSurge and maxUnavailable of {@code desired} nodes, percentages rounded up (UnavailableCount, SurgeCount);
     * when both come to 0, one node may be unavailable so that the update can move at all.
     */
    static Budget budget(DaemonSet ds, int desired) {
        var strategy = ds.getSpec().getUpdateStrategy();
        RollingUpdateDaemonSet ru = strategy == null ? null : strategy.getRollingUpdate();
        int surge = ru == null ? 0 : Fenceposts.scaled(ru.getMaxSurge(), desired, true);
        int unavailable = ru == null ? 0 : Fenceposts.scaled(ru.getMaxUnavailable(), desired, true);
        if (desired > 0 && surge == 0 && unavailable == 0) {
            unavailable = 1;
        }
        return new Budget(surge, unavailable);
    }

    static boolean isUpdated(Pod pod, String hash) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        return hash != null && labels != null && hash.equals(labels.get(DaemonPods.HASH_LABEL));
    }

    /**
     * The rolling update's step. {@code nodeToPods} has every node that has daemon pods or should run one (with an
     * empty list), in a stable order; {@code shouldRun} the nodes that should run one.
     */
    static Step step(Map<String, List<Pod>> nodeToPods, Set<String> shouldRun, String hash, Budget budget,
                     int minReadySeconds, Instant now) {
        return budget.maxSurge() == 0
                ? withoutSurge(nodeToPods, hash, budget.maxUnavailable(), minReadySeconds, now)
                : withSurge(nodeToPods, shouldRun, hash, budget.maxSurge(), minReadySeconds, now);
    }

    private static Step withoutSurge(Map<String, List<Pod>> nodeToPods, String hash, int maxUnavailable,
                                     int minReadySeconds, Instant now) {
        int unavailable = 0;
        List<Pod> replace = new ArrayList<>();
        List<Pod> candidates = new ArrayList<>();
        for (List<Pod> pods : nodeToPods.values()) {
            OnNode on = OnNode.of(pods, hash);
            if (on == null || (on.newPod == null) == (on.oldPod == null)) {
                // several pods, none, or an old and a new one: the manage step sorts it out; count it unavailable
                unavailable++;
            } else if (on.newPod != null) {
                if (!PodStates.isAvailable(on.newPod, minReadySeconds, now)) {
                    unavailable++;
                }
            } else if (!PodStates.isAvailable(on.oldPod, minReadySeconds, now)) {
                replace.add(on.oldPod); // it serves nothing: replacing it costs no availability
            } else if (unavailable < maxUnavailable) {
                candidates.add(on.oldPod);
            }
        }
        int allowed = Math.clamp(maxUnavailable - unavailable, 0, candidates.size());
        replace.addAll(candidates.subList(0, allowed));
        return new Step(replace, List.of());
    }

    private static Step withSurge(Map<String, List<Pod>> nodeToPods, Set<String> shouldRun, String hash,
                                  int maxSurge, int minReadySeconds, Instant now) {
        int surging = 0;
        int available = 0;
        List<Pod> delete = new ArrayList<>();
        List<Pod> offNodes = new ArrayList<>();
        List<String> replace = new ArrayList<>();
        List<String> candidates = new ArrayList<>();
        for (Map.Entry<String, List<Pod>> e : nodeToPods.entrySet()) {
            String node = e.getKey();
            OnNode on = OnNode.of(e.getValue(), hash);
            if (on == null) {
                surging++; // the manage step cleans this node up
                continue;
            }
            Pod counted = on.oldPod != null ? on.oldPod : on.newPod;
            if (counted != null && PodStates.isAvailable(counted, minReadySeconds, now)) {
                available++;
            }
            if (on.oldPod == null) {
                continue;
            }
            if (on.newPod == null) {
                boolean oldAvailable = PodStates.isAvailable(on.oldPod, minReadySeconds, now);
                if (!shouldRun.contains(node)) {
                    (oldAvailable ? offNodes : delete).add(on.oldPod);
                } else if (!oldAvailable) {
                    replace.add(node);
                } else if (surging < maxSurge) {
                    candidates.add(node);
                }
            } else if (!PodStates.isAvailable(on.newPod, minReadySeconds, now)) {
                surging++; // waiting for the new pod to become available
            } else {
                delete.add(on.oldPod);
            }
        }
        // An available pod on a node it no longer fits goes only once the others keep the DaemonSet fully available.
        int deletable = Math.clamp(available - shouldRun.size(), 0, offNodes.size());
        delete.addAll(offNodes.subList(0, deletable));
        int allowed = Math.clamp(maxSurge - surging, 0, candidates.size());
        replace.addAll(candidates.subList(0, allowed));
        return new Step(delete, replace);
    }

    /**
     * The new and the old pod on a node, not counting those being deleted (findUpdatedPodsOnNode); null when it has
     * two of either, which the manage step resolves first.
     */
    private record OnNode(Pod newPod, Pod oldPod) {
        static OnNode of(List<Pod> pods, String hash) {
            Pod newPod = null;
            Pod oldPod = null;
            for (Pod p : pods) {
                if (p.getMetadata().getDeletionTimestamp() != null) {
                    continue;
                }
                if (isUpdated(p, hash)) {
                    if (newPod != null) {
                        return null;
                    }
                    newPod = p;
                } else {
                    if (oldPod != null) {
                        return null;
                    }
                    oldPod = p;
                }
            }
            return new OnNode(newPod, oldPod);
        }
    }

    private static Instant instant(String timestamp) {
        return timestamp.isEmpty() ? Instant.MAX : Instant.parse(timestamp);
    }
}

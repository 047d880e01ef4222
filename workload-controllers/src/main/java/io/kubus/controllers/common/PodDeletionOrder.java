package io.kubus.controllers.common;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which pods a scale-down removes first, in Kubernetes' order (controller.ActivePodsWithRanks): unscheduled before
 * scheduled; Pending before Unknown before Running; not ready before ready; pods sharing a node with more of their
 * siblings first; ready for a shorter time first; more container restarts first; newer first.
 */
public final class PodDeletionOrder {
    private PodDeletionOrder() {
    }

    /** The {@code count} pods to delete out of {@code pods}, best candidates first. */
    public static List<Pod> choose(List<Pod> pods, int count) {
        Map<String, Integer> perNode = new HashMap<>();
        for (Pod p : pods) {
            String node = nodeOf(p);
            if (!node.isEmpty()) {
                perNode.merge(node, 1, Integer::sum);
            }
        }
        List<Pod> sorted = new ArrayList<>(pods);
        sorted.sort(comparator(perNode));
        return List.copyOf(sorted.subList(0, Math.min(count, sorted.size())));
    }

    static Comparator<Pod> comparator(Map<String, Integer> siblingsPerNode) {
        return Comparator.<Pod>comparingInt(p -> nodeOf(p).isEmpty() ? 0 : 1)
                .thenComparingInt(PodDeletionOrder::phaseRank)
                .thenComparingInt(p -> ready(p) == null ? 0 : 1)
                .thenComparing(Comparator.<Pod>comparingInt(p -> siblingsPerNode.getOrDefault(nodeOf(p), 0)).reversed())
                .thenComparing(PodDeletionOrder::readySince, Comparator.nullsFirst(Comparator.<String>reverseOrder()))
                .thenComparing(Comparator.comparingInt(PodDeletionOrder::restarts).reversed())
                .thenComparing(p -> Objects.requireNonNullElse(p.getMetadata().getCreationTimestamp(), ""),
                        Comparator.reverseOrder());
    }

    private static String nodeOf(Pod p) {
        return p.getSpec() == null || p.getSpec().getNodeName() == null ? "" : p.getSpec().getNodeName();
    }

    private static int phaseRank(Pod p) {
        String phase = p.getStatus() == null || p.getStatus().getPhase() == null ? "Pending" : p.getStatus().getPhase();
        return switch (phase) {
            case "Pending" -> 0;
            case "Unknown" -> 1;
            case "Running" -> 2;
            default -> 3;
        };
    }

    /** The Ready condition if it is True, else null. */
    private static PodCondition ready(Pod p) {
        if (p.getStatus() == null || p.getStatus().getConditions() == null) {
            return null;
        }
        for (PodCondition c : p.getStatus().getConditions()) {
            if ("Ready".equals(c.getType())) {
                return "True".equals(c.getStatus()) ? c : null;
            }
        }
        return null;
    }

    /** When the pod became ready; RFC 3339 timestamps of one format sort as text. */
    private static String readySince(Pod p) {
        PodCondition c = ready(p);
        return c == null ? null : c.getLastTransitionTime();
    }

    private static int restarts(Pod p) {
        int max = 0;
        if (p.getStatus() != null && p.getStatus().getContainerStatuses() != null) {
            for (ContainerStatus s : p.getStatus().getContainerStatuses()) {
                max = Math.max(max, Objects.requireNonNullElse(s.getRestartCount(), 0));
            }
        }
        return max;
    }
}

package io.kubus.controllers.nodelifecycle;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.kubus.controllers.common.NodeStates;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the node lifecycle controller makes of a node's status, as pure functions: the conditions of a node that went
 * silent, and the taints its conditions call for (Kubernetes' nodeConditionToTaintKeyStatusMap).
 */
final class NodeHealth {
    static final String NOT_READY = "node.kubernetes.io/not-ready";
    static final String UNREACHABLE = "node.kubernetes.io/unreachable";
    static final String UNSCHEDULABLE = "node.kubernetes.io/unschedulable";
    static final String NO_SCHEDULE = "NoSchedule";
    static final String NO_EXECUTE = "NoExecute";

    /** Condition type → condition status → the key of the NoSchedule taint it calls for (TaintNodesByCondition). */
    private static final Map<String, Map<String, String>> CONDITION_TAINTS = Map.of(
            "Ready", Map.of("False", NOT_READY, "Unknown", UNREACHABLE),
            "MemoryPressure", Map.of("True", "node.kubernetes.io/memory-pressure"),
            "DiskPressure", Map.of("True", "node.kubernetes.io/disk-pressure"),
            "PIDPressure", Map.of("True", "node.kubernetes.io/pid-pressure"),
            "NetworkUnavailable", Map.of("True", "node.kubernetes.io/network-unavailable"));
    /** The conditions a silent node's agent stops vouching for (NetworkUnavailable belongs to the network's owner). */
    private static final List<String> AGENT_CONDITIONS =
            List.of("Ready", "MemoryPressure", "DiskPressure", "PIDPressure");

    private NodeHealth() {
    }

    /**
     * The status of a node whose agent went silent: every agent condition Unknown (those never reported are added,
     * dated from the node's creation), with Kubernetes' reasons; heartbeat times stay, they say when it was last heard.
     * Empty when it is so already.
     */
    static Optional<NodeStatus> silent(Node node, Instant now) {
        NodeStatus status = node.getStatus() == null ? new NodeStatus() : node.getStatus();
        List<NodeCondition> conditions = new ArrayList<>(Objects.requireNonNullElse(status.getConditions(), List.of()));
        String at = rfc3339(now);
        boolean changed = false;
        for (String type : AGENT_CONDITIONS) {
            int i = indexOf(conditions, type);
            if (i < 0) {
                conditions.add(new NodeConditionBuilder().withType(type).withStatus("Unknown")
                        .withReason("NodeStatusNeverUpdated").withMessage("Kubelet never posted node status.")
                        .withLastHeartbeatTime(node.getMetadata().getCreationTimestamp()).withLastTransitionTime(at)
                        .build());
                changed = true;
            } else if (!"Unknown".equals(conditions.get(i).getStatus())) {
                conditions.set(i, new NodeConditionBuilder(conditions.get(i)).withStatus("Unknown")
                        .withReason("NodeStatusUnknown").withMessage("Kubelet stopped posting node status.")
                        .withLastTransitionTime(at).build());
                changed = true;
            }
        }
        if (!changed) {
            return Optional.empty();
        }
        NodeStatus next = new NodeStatusBuilder(status).build();
        next.setConditions(conditions);
        return Optional.of(next);
    }

    /**
     * The node's taints as its conditions call for: a NoSchedule taint per adverse condition and for
     * {@code spec.unschedulable} (TaintNodesByCondition), and the NoExecute taint of a node that is not ready or
     * unreachable, stamped with {@code now} when it is added (the taint eviction counts tolerationSeconds from it).
     * Taints of other owners stay as they are; a taint that stays keeps its timeAdded.
     */
    static List<Taint> taints(Node node, Instant now) {
        List<Taint> current = taintsOf(node);
        List<Taint> wanted = new ArrayList<>();
        if (node.getStatus() != null && node.getStatus().getConditions() != null) {
            for (NodeCondition c : node.getStatus().getConditions()) {
                String key = CONDITION_TAINTS.getOrDefault(c.getType(), Map.of()).get(c.getStatus());
                if (key != null) {
                    wanted.add(new TaintBuilder().withKey(key).withEffect(NO_SCHEDULE).build());
                }
            }
        }
        if (node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable())) {
            wanted.add(new TaintBuilder().withKey(UNSCHEDULABLE).withEffect(NO_SCHEDULE).build());
        }
        Optional<String> ready = NodeStates.ready(node);
        boolean noExecuteManaged = ready.isPresent();
        if (ready.isPresent() && !ready.get().equals("True")) {
            String key = ready.get().equals("False") ? NOT_READY : UNREACHABLE;
            wanted.add(new TaintBuilder().withKey(key).withEffect(NO_EXECUTE).withTimeAdded(rfc3339(now)).build());
        }
        List<Taint> result = new ArrayList<>();
        for (Taint t : current) {
            boolean managed = NO_SCHEDULE.equals(t.getEffect()) && isConditionTaint(t.getKey())
                    || noExecuteManaged && NO_EXECUTE.equals(t.getEffect())
                    && (NOT_READY.equals(t.getKey()) || UNREACHABLE.equals(t.getKey()));
            if (!managed || wanted.removeIf(w -> sameTaint(w, t))) {
                result.add(t);
            }
        }
        result.addAll(wanted);
        return result;
    }

    static List<Taint> taintsOf(Node node) {
        return node.getSpec() == null || node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints();
    }

    private static boolean isConditionTaint(String key) {
        return UNSCHEDULABLE.equals(key)
                || CONDITION_TAINTS.values().stream().anyMatch(byStatus -> byStatus.containsValue(key));
    }

    /** Kubernetes' Taint.MatchTaint: the same key and effect. */
    private static boolean sameTaint(Taint a, Taint b) {
        return Objects.equals(a.getKey(), b.getKey()) && Objects.equals(a.getEffect(), b.getEffect());
    }

    private static int indexOf(List<NodeCondition> conditions, String type) {
        for (int i = 0; i < conditions.size(); i++) {
            if (type.equals(conditions.get(i).getType())) {
                return i;
            }
        }
        return -1;
    }

    static String rfc3339(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}

package io.kubus.controllers.nodelifecycle;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pure rules of the node lifecycle and the taint eviction: conditions of a silent node, taints, eviction times. */
class NodeHealthTest {
    private static final Instant NOW = Instant.parse("2025-05-01T10:00:00Z");
    private static final String BEAT = "2025-05-01T09:59:00Z";

    private static NodeCondition condition(String type, String status) {
        return new NodeConditionBuilder().withType(type).withStatus(status).withReason("Kubelet" + type)
                .withMessage("fine").withLastHeartbeatTime(BEAT).withLastTransitionTime("2025-05-01T09:00:00Z").build();
    }

    private static Node node(List<Taint> taints, NodeCondition... conditions) {
        return new NodeBuilder().withNewMetadata().withName("n").withCreationTimestamp("2025-05-01T08:00:00Z")
                .endMetadata().withNewSpec().withTaints(taints).endSpec()
                .withNewStatus().withConditions(conditions).endStatus().build();
    }

    private static Taint taint(String key, String effect, String timeAdded) {
        return new TaintBuilder().withKey(key).withEffect(effect).withTimeAdded(timeAdded).build();
    }

    @Test
    void aSilentNodesAgentConditionsTurnUnknownWithKubernetesReasons() {
        Node n = node(List.of(), condition("Ready", "True"), condition("MemoryPressure", "False"),
                condition("NetworkUnavailable", "False"));
        NodeStatus s = NodeHealth.silent(n, NOW).orElseThrow();
        Map<String, NodeCondition> byType = new HashMap<>();
        s.getConditions().forEach(c -> byType.put(c.getType(), c));
        NodeCondition ready = byType.get("Ready");
        assertEquals("Unknown", ready.getStatus());
        assertEquals("NodeStatusUnknown", ready.getReason());
        assertEquals("Kubelet stopped posting node status.", ready.getMessage());
        assertEquals(BEAT, ready.getLastHeartbeatTime(), "when it was last heard stays");
        assertEquals("2025-05-01T10:00:00Z", ready.getLastTransitionTime());
        assertEquals("Unknown", byType.get("MemoryPressure").getStatus());
        assertEquals("False", byType.get("NetworkUnavailable").getStatus(), "not the agent's to report");
        NodeCondition never = byType.get("DiskPressure");
        assertEquals("Unknown", never.getStatus());
        assertEquals("NodeStatusNeverUpdated", never.getReason());
        assertEquals("2025-05-01T08:00:00Z", never.getLastHeartbeatTime());
        assertEquals(Optional.empty(), NodeHealth.silent(new NodeBuilder(n).withStatus(s).build(), NOW.plusSeconds(9)),
                "nothing more to write once it is Unknown");
    }

    @Test
    void anUnreachableNodeGetsBothTaintsStampedAndKeepsOtherOwnersTaints() {
        Taint user = taint("dedicated", "NoExecute", "2025-05-01T07:00:00Z");
        Node n = node(List.of(user), condition("Ready", "Unknown"));
        List<Taint> taints = NodeHealth.taints(n, NOW);
        assertEquals(List.of(user, taint(NodeHealth.UNREACHABLE, "NoSchedule", null),
                taint(NodeHealth.UNREACHABLE, "NoExecute", "2025-05-01T10:00:00Z")), taints);
        assertEquals(taints, NodeHealth.taints(node(taints, condition("Ready", "Unknown")), NOW.plusSeconds(30)),
                "a taint that stays keeps its timeAdded");
    }

    @Test
    void notReadyReplacesUnreachableAndReadyClearsBoth() {
        List<Taint> unreachable = List.of(taint(NodeHealth.UNREACHABLE, "NoSchedule", null),
                taint(NodeHealth.UNREACHABLE, "NoExecute", "2025-05-01T09:00:00Z"));
        assertEquals(List.of(taint(NodeHealth.NOT_READY, "NoSchedule", null),
                        taint(NodeHealth.NOT_READY, "NoExecute", "2025-05-01T10:00:00Z")),
                NodeHealth.taints(node(unreachable, condition("Ready", "False")), NOW));
        Taint user = taint("gpu", "NoSchedule", null);
        List<Taint> withUser = new ArrayList<>(unreachable);
        withUser.add(user);
        assertEquals(List.of(user), NodeHealth.taints(node(withUser, condition("Ready", "True")), NOW));
    }

    @Test
    void adverseConditionsAndCordoningTaintNoSchedule() {
        Node n = node(List.of(), condition("Ready", "True"), condition("MemoryPressure", "True"),
                condition("DiskPressure", "False"), condition("PIDPressure", "True"));
        n.getSpec().setUnschedulable(true);
        assertEquals(List.of(taint("node.kubernetes.io/memory-pressure", "NoSchedule", null),
                        taint("node.kubernetes.io/pid-pressure", "NoSchedule", null),
                        taint(NodeHealth.UNSCHEDULABLE, "NoSchedule", null)),
                NodeHealth.taints(n, NOW));
    }

    @Test
    void aNodeThatNeverReportedKeepsItsNoExecuteTaints() {
        Taint unreachable = taint(NodeHealth.UNREACHABLE, "NoExecute", "2025-05-01T09:00:00Z");
        Node n = node(List.of(unreachable));
        assertEquals(List.of(unreachable), NodeHealth.taints(n, NOW));
    }

    private static Toleration toleration(String key, Long seconds) {
        return new TolerationBuilder().withKey(key).withOperator("Exists").withEffect("NoExecute")
                .withTolerationSeconds(seconds).build();
    }

    @Test
    void evictionTimeIsTheEarliestToleranceToRunOut() {
        Taint unreachable = taint(NodeHealth.UNREACHABLE, "NoExecute", "2025-05-01T09:59:50Z");
        Taint dedicated = taint("dedicated", "NoExecute", "2025-05-01T09:00:00Z");
        List<Taint> both = List.of(unreachable, dedicated);
        Function<Taint, Instant> added = t -> Instant.parse(t.getTimeAdded());

        assertEquals(Optional.of(Instant.MIN), TaintEvictionController.evictionTime(
                List.of(toleration(NodeHealth.UNREACHABLE, 300L)), both, added), "dedicated is not tolerated: now");
        assertEquals(Optional.of(Instant.parse("2025-05-01T10:04:50Z")), TaintEvictionController.evictionTime(
                List.of(toleration(NodeHealth.UNREACHABLE, 300L), toleration("dedicated", null)), both, added));
        assertEquals(Optional.of(Instant.parse("2025-05-01T09:01:00Z")), TaintEvictionController.evictionTime(
                List.of(toleration(NodeHealth.UNREACHABLE, 300L), toleration("dedicated", 60L)), both, added),
                "the earliest of the two");
        assertEquals(Optional.of(Instant.parse("2025-05-01T09:59:50Z")), TaintEvictionController.evictionTime(
                List.of(toleration(NodeHealth.UNREACHABLE, -5L)), List.of(unreachable), added),
                "negative seconds: as zero");
        assertEquals(Optional.empty(), TaintEvictionController.evictionTime(
                List.of(toleration(null, null)), both, added), "tolerated for good");
        assertEquals(Optional.empty(), TaintEvictionController.evictionTime(List.of(), List.of(), added));
        assertEquals(Optional.empty(), TaintEvictionController.evictionTime(List.of(toleration(null, null),
                toleration(NodeHealth.UNREACHABLE, 5L)), List.of(unreachable), added),
                "the first matching toleration counts, as Kubernetes' GetMatchingTolerations");
        assertTrue(TaintEvictionController.evictionTime(null, List.of(unreachable), added).isPresent());
    }
}

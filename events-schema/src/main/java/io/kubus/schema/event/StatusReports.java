package io.kubus.schema.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.PodStatus;

/**
 * What node agents publish about the pods and nodes they run, and the gateway stores (DESIGN.md "status topics").
 * Records are JSON, keyed like the change topics ({@code namespace/name} for pods, the node name for nodes), so the
 * reports of one object stay in order. A report carries the whole status; the latest one wins.
 */
public final class StatusReports {
    /** Pod status reports, key {@code namespace/name}, value {@link PodReport}. */
    public static final String POD_STATUS_TOPIC = "kubus.status.v1.pods";
    /** Node heartbeats and status, key the node name, value {@link NodeReport}. */
    public static final String NODE_STATUS_TOPIC = "kubus.status.v1.nodes";

    private StatusReports() {
    }

    /**
     * The status of one pod as its node sees it.
     *
     * @param uid        the pod's uid: a report for an older pod of the same name is ignored
     * @param nodeName   the reporting node: a report from a node the pod is not bound to is ignored
     * @param status     the whole pod status
     * @param reportedAt when the node observed it, RFC 3339
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PodReport(String uid, String nodeName, PodStatus status, String reportedAt) {
    }

    /**
     * The status of one node: capacity, allocatable, conditions (with the heartbeat time), addresses, nodeInfo.
     *
     * @param nodeName   the node
     * @param status     the whole node status
     * @param reportedAt when the node observed it, RFC 3339
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NodeReport(String nodeName, NodeStatus status, String reportedAt) {
    }
}

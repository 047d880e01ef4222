package io.kubus.schema.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;

import java.io.IOException;

/**
 * What node agents publish about the pods and nodes they run, and the gateway stores (docs/architecture.md, "How a change flows", step 5).
 * Records are JSON, keyed like the change topics ({@code namespace/name} for pods, the node name for nodes), so the
 * reports of one object stay in order. A report carries the whole status; the latest one wins. Every record is
 * signed by the sending agent's client certificate ({@link #SIGNER_CERTIFICATE_HEADER}, {@link #SIGNATURE_HEADER}):
 * the reporter is who signed, and an agent may report only on its own node and the pods bound to it.
 */
public final class StatusReports {
    /** Pod status reports, key {@code namespace/name}, value {@link PodReport}. */
    public static final String POD_STATUS_TOPIC = "kubus.status.v1.pods";
    /** Node status, when it changed or every few minutes, key the node name, value {@link NodeReport}. */
    public static final String NODE_STATUS_TOPIC = "kubus.status.v1.nodes";

    /**
     * Record header: the DER form of the client certificate of the agent that sent the report (CN
     * {@code system:node:NAME}); the gateway accepts reports only from certificates the cluster's CA issued.
     */
    public static final String SIGNER_CERTIFICATE_HEADER = "kubus-signer-certificate";
    /**
     * Record header: the signature, by that certificate's key (SHA256withECDSA, or SHA256withRSA for an RSA key), of
     * the UTF-8 bytes of {@code topic + "\n" + key + "\n"} followed by the value.
     */
    public static final String SIGNATURE_HEADER = "kubus-signature";

    private StatusReports() {
    }

    /**
     * One record of a status topic, whatever its topic, as the gateway applies it: the whole status of one object,
     * reported by the agent of one node.
     *
     * @param type      the kind the report is about
     * @param namespace the object's namespace, "" for a cluster-scoped kind
     * @param name      the object's name
     * @param uid       the uid the object must have, or null when the report names none
     * @param reporter  the node whose agent sent it
     * @param status    the whole status
     */
    public record Report(ResourceType type, String namespace, String name, String uid, String reporter, ObjectNode status) {
    }

    /**
     * Reads one status record.
     *
     * @throws IllegalArgumentException saying why the record is not a report (it is skipped, never retried)
     */
    public static Report read(String topic, String key, byte[] value) {
        if (value == null) {
            throw new IllegalArgumentException("no value");
        }
        return switch (topic) {
            case POD_STATUS_TOPIC -> pod(key, decode(value, PodReport.class));
            case NODE_STATUS_TOPIC -> node(key, decode(value, NodeReport.class));
            default -> throw new IllegalArgumentException("not a status topic");
        };
    }

    private static Report pod(String key, PodReport report) {
        int slash = key == null ? -1 : key.indexOf('/');
        if (slash <= 0 || slash == key.length() - 1 || key.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException("pod report key is not namespace/name: " + key);
        }
        if (isBlank(report.uid()) || isBlank(report.nodeName()) || report.status() == null) {
            throw new IllegalArgumentException("pod report without uid, nodeName or status");
        }
        return new Report(ResourceTypes.PODS, key.substring(0, slash), key.substring(slash + 1), report.uid(),
                report.nodeName(), KubusJson.json().valueToTree(report.status()));
    }

    private static Report node(String key, NodeReport report) {
        String name = key != null ? key : report.nodeName();
        if (isBlank(name) || (report.nodeName() != null && !report.nodeName().equals(name))) {
            throw new IllegalArgumentException("node report key and nodeName differ: " + key + ", " + report.nodeName());
        }
        if (report.status() == null) {
            throw new IllegalArgumentException("node report without status");
        }
        return new Report(ResourceTypes.NODES, "", name, null, name, KubusJson.json().valueToTree(report.status()));
    }

    private static <T> T decode(byte[] value, Class<T> type) {
        try {
            T report = KubusJson.json().readValue(value, type);
            if (report == null) {
                throw new IllegalArgumentException("null report");
            }
            return report;
        } catch (IOException e) {
            String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new IllegalArgumentException("not a " + type.getSimpleName() + ": " + why);
        }
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
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

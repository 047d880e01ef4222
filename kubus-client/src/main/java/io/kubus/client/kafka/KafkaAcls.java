package io.kubus.client.kafka;

import io.kubus.client.tls.Identities;
import io.kubus.schema.event.StatusReports;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.List;

/**
 * Who may do what on a Kafka that requires client certificates (docs/events.md, "Securing the broker"): the broker
 * knows a client by its certificate, the same one it holds for the API. The gateway owns the topics, writes the
 * change topics and reads the status topics; node agents read and write only the two status topics; the scheduler,
 * the controllers and the administrator (an event consumer's identity) read. Anyone else, a pod above all, holds no
 * certificate of the cluster's CA and gets no connection at all.
 */
public final class KafkaAcls {
    /** Every Kubus topic starts so: change topics, status topics and the leader-election topics. */
    public static final String TOPIC_PREFIX = "kubus.";
    /** Consumer groups: the gateway's status ingestion and the leader elections. */
    public static final String GROUP_PREFIX = "kubus-";

    /**
     * {@code ssl.principal.mapping.rules}: the Kafka user of a certificate subject (RFC 2253, as Kafka reads it) is
     * its common name, except that every node is one user, {@value Identities#NODES}, so that one set of rules
     * covers the nodes that join later (a node's reports are tied to its own name by their signatures, not by
     * Kafka). An escaped comma inside a name never ends it.
     */
    public static final String PRINCIPAL_MAPPING_RULES =
            "RULE:^CN=system:node:(?:[^,\\\\]|\\\\.)+,(?:.*,)?O=" + Identities.NODES + "(?:,.*)?$/" + Identities.NODES + "/,"
                    + "RULE:^CN=((?:[^,\\\\]|\\\\.)+)(?:,.*)?$/$1/,"
                    + "DEFAULT";

    private KafkaAcls() {
    }

    /** The rights of each Kubus identity, for a broker whose authorizer denies what no rule allows. */
    public static List<AclBinding> bindings() {
        List<AclBinding> acls = new ArrayList<>();
        String gateway = Identities.GATEWAY_KAFKA_CLIENT.user();
        acls.add(allow(gateway, ResourceType.TOPIC, TOPIC_PREFIX, AclOperation.ALL));
        acls.add(allow(gateway, ResourceType.GROUP, GROUP_PREFIX, AclOperation.READ));
        for (String reader : List.of(Identities.SCHEDULER.user(), Identities.CONTROLLER_MANAGER.user(),
                Identities.NODES, Identities.ADMIN.user())) {
            // READ implies DESCRIBE (partitions, offsets by time)
            acls.add(allow(reader, ResourceType.TOPIC, TOPIC_PREFIX, AclOperation.READ));
        }
        // the leader elections of the scheduler and the controllers: a topic each, made on first use, and a group
        for (String elector : List.of(Identities.SCHEDULER.user(), Identities.CONTROLLER_MANAGER.user())) {
            acls.add(allow(elector, ResourceType.TOPIC, TOPIC_PREFIX + "leader.", AclOperation.CREATE));
            acls.add(allow(elector, ResourceType.GROUP, GROUP_PREFIX + "leader-", AclOperation.READ));
        }
        acls.add(allow(Identities.ADMIN.user(), ResourceType.GROUP, "", AclOperation.READ));
        for (String status : List.of(StatusReports.POD_STATUS_TOPIC, StatusReports.NODE_STATUS_TOPIC)) {
            acls.add(new AclBinding(new ResourcePattern(ResourceType.TOPIC, status, PatternType.LITERAL),
                    entry(Identities.NODES, AclOperation.WRITE)));
        }
        return acls;
    }

    /** The principal Kafka gives the user {@code name}. */
    public static String principal(String name) {
        return "User:" + name;
    }

    private static AclBinding allow(String user, ResourceType type, String prefix, AclOperation operation) {
        // an empty prefix is every name: Kafka's wildcard
        ResourcePattern pattern = prefix.isEmpty()
                ? new ResourcePattern(type, ResourcePattern.WILDCARD_RESOURCE, PatternType.LITERAL)
                : new ResourcePattern(type, prefix, PatternType.PREFIXED);
        return new AclBinding(pattern, entry(user, operation));
    }

    private static AccessControlEntry entry(String user, AclOperation operation) {
        return new AccessControlEntry(principal(user), "*", operation, AclPermissionType.ALLOW);
    }
}

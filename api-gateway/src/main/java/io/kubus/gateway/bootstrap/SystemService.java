package io.kubus.gateway.bootstrap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.ServerMetadata;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.store.WriteOutcome;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Map;

/**
 * A Service the API server keeps for the cluster ({@code kubernetes}, {@code kube-dns}): a ClusterIP Service at a
 * fixed address without a selector, made when missing (unless another Service holds the address) and its ports and
 * type put back when they differ, as kube-apiserver's CreateOrUpdateMasterServiceIfNeeded does. A Service that is
 * right is not written, so that starting a gateway on a cluster that has it changes nothing.
 */
final class SystemService {
    private static final Logger LOG = LoggerFactory.getLogger(SystemService.class);

    private final ObjectStore store;
    private final Clock clock;

    SystemService(ObjectStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** @param ports the Service's {@code spec.ports} */
    void ensure(String namespace, String name, String clusterIp, Map<String, String> labels, JsonNode ports) {
        store.write(ResourceTypes.SERVICES, namespace, name, current -> {
            if (current == null) {
                if (store.list(ResourceTypes.SERVICES, null).items().stream().anyMatch(s ->
                        clusterIp.equals(s.path("spec").path("clusterIP").asText()))) {
                    LOG.warn("cannot make the {} Service: another Service holds {}", name, clusterIp);
                    return WriteOutcome.keep();
                }
                return WriteOutcome.put(service(namespace, name, clusterIp, labels, ports));
            }
            if (current.path("spec").path("ports").equals(ports)
                    && current.path("spec").path("type").asText().equals("ClusterIP")) {
                return WriteOutcome.keep();
            }
            ObjectNode updated = current.deepCopy();
            ((ObjectNode) updated.get("spec")).put("type", "ClusterIP").set("ports", ports.deepCopy());
            return WriteOutcome.put(updated);
        });
    }

    private ObjectNode service(String namespace, String name, String clusterIp, Map<String, String> labels,
                               JsonNode ports) {
        ObjectNode svc = object(ResourceTypes.SERVICES, namespace, name);
        ObjectNode labelNode = ((ObjectNode) svc.get("metadata")).putObject("labels");
        labels.forEach(labelNode::put);
        ObjectNode spec = svc.putObject("spec");
        spec.set("ports", ports.deepCopy());
        spec.put("clusterIP", clusterIp);
        spec.putArray("clusterIPs").add(clusterIp);
        spec.put("type", "ClusterIP");
        spec.put("sessionAffinity", "None");
        spec.putArray("ipFamilies").add("IPv4");
        spec.put("ipFamilyPolicy", "SingleStack");
        spec.put("internalTrafficPolicy", "Cluster");
        svc.putObject("status").putObject("loadBalancer");
        return svc;
    }

    /** A new object's apiVersion, kind and server-set metadata. */
    ObjectNode object(ResourceType type, String namespace, String name) {
        ObjectNode o = JsonTree.F.objectNode();
        o.put("apiVersion", type.apiVersion());
        o.put("kind", type.kind());
        ObjectNode meta = o.putObject("metadata");
        meta.put("name", name);
        meta.put("namespace", namespace);
        ServerMetadata.created(meta, clock);
        return o;
    }
}

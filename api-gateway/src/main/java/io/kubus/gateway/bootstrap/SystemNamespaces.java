package io.kubus.gateway.bootstrap;

import io.kubus.gateway.registry.ServerMetadata;
import io.micronaut.context.annotation.Requires;
import io.kubus.gateway.GatewayApplication;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.store.WriteOutcome;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PostConstruct;

import java.time.Clock;
import java.util.List;
import java.util.UUID;

/** The namespaces every Kubernetes cluster has from the start; made once, through the store like any write. */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Context
public class SystemNamespaces {
    static final List<String> NAMES = List.of("default", "kube-system", "kube-public", "kube-node-lease");

    private final ObjectStore store;
    private final Clock clock;

    public SystemNamespaces(ObjectStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    @PostConstruct
    void ensure() {
        for (String name : NAMES) {
            store.write(ResourceTypes.NAMESPACES, "", name, current -> current != null ? WriteOutcome.keep()
                    : WriteOutcome.put(namespace(name)));
        }
    }

    private ObjectNode namespace(String name) {
        ObjectNode ns = JsonNodeFactory.instance.objectNode();
        ns.put("apiVersion", "v1");
        ns.put("kind", "Namespace");
        ObjectNode meta = ns.putObject("metadata");
        meta.put("name", name);
        meta.put("uid", UUID.randomUUID().toString());
        meta.put("creationTimestamp", ServerMetadata.now(clock));
        meta.putObject("labels").put("kubernetes.io/metadata.name", name);
        ns.putObject("spec").putArray("finalizers").add("kubernetes");
        ns.putObject("status").put("phase", "Active");
        return ns;
    }
}

package io.kubus.gateway.bootstrap;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.registry.core.NamespaceContents;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PostConstruct;

/**
 * At each start, every active namespace gets back what it holds from its start (the system namespaces, made before
 * any request, and namespaces of a cluster made before this existed): {@link NamespaceContents}.
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Context
public class NamespaceContentsBootstrap {
    private final ObjectStore store;
    private final NamespaceContents contents;

    /** After {@link SystemNamespaces}, which it needs. */
    public NamespaceContentsBootstrap(ObjectStore store, NamespaceContents contents, SystemNamespaces systemNamespaces) {
        this.store = store;
        this.contents = contents;
    }

    @PostConstruct
    void ensure() {
        for (ObjectNode ns : store.listCommitted(ResourceTypes.NAMESPACES, "")) {
            if (ns.path("metadata").path("deletionTimestamp").isMissingNode()) {
                contents.ensure(ns.path("metadata").path("name").asText(), store);
            }
        }
    }
}

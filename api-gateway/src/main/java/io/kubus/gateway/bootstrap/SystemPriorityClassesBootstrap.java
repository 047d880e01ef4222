package io.kubus.gateway.bootstrap;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.registry.ServerMetadata;
import io.kubus.gateway.registry.scheduling.PriorityClassStrategy;
import io.kubus.gateway.registry.scheduling.SystemPriorityClasses;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.store.WriteOutcome;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PostConstruct;

import java.time.Clock;

/**
 * The system priority classes, made once at start as kube-apiserver's scheduling post-start hook makes them: with
 * the defaults a create gives them, and left as they are when they exist.
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Context
public class SystemPriorityClassesBootstrap {
    private final ObjectStore store;
    private final PriorityClassStrategy strategy;
    private final Clock clock;

    public SystemPriorityClassesBootstrap(ObjectStore store, PriorityClassStrategy strategy, Clock clock) {
        this.store = store;
        this.strategy = strategy;
        this.clock = clock;
    }

    @PostConstruct
    void ensure() {
        for (ObjectNode pc : SystemPriorityClasses.objects()) {
            String name = pc.path("metadata").path("name").asText();
            store.write(ResourceTypes.PRIORITYCLASSES, "", name, current -> current != null ? WriteOutcome.keep()
                    : WriteOutcome.put(created(pc)));
        }
    }

    private ObjectNode created(ObjectNode pc) {
        strategy.defaults(pc);
        ObjectNode meta = (ObjectNode) pc.get("metadata");
        ServerMetadata.created(meta, clock);
        return pc;
    }
}

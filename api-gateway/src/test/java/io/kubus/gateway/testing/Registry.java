package io.kubus.gateway.testing;

import io.kubus.gateway.admission.Admission;
import io.kubus.gateway.registry.Conversions;
import io.kubus.gateway.registry.Strategies;
import io.kubus.gateway.registry.Strategy;
import io.kubus.schema.ResourceType;
import io.micronaut.context.ApplicationContext;

/**
 * The gateway's strategies and admission chain as its application context wires them, without a server, a store or
 * a broker: for the tests of what kinds do (defaults, validation, printers, patch schemas).
 */
public final class Registry {
    private static final ApplicationContext CONTEXT = ApplicationContext.run();
    public static final Strategies STRATEGIES = CONTEXT.getBean(Strategies.class);
    public static final Admission ADMISSION = CONTEXT.getBean(Admission.class);
    public static final Conversions CONVERSIONS = CONTEXT.getBean(Conversions.class);

    private Registry() {
    }

    public static Strategy strategy(ResourceType type) {
        return STRATEGIES.of(type);
    }
}

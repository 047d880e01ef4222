package io.kubus.gateway.registry;

import io.kubus.gateway.apiextensions.ServedTypes;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import jakarta.inject.Singleton;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds a kind's {@link Strategy}. Every built-in kind has exactly one (a missing or doubled one stops the gateway
 * at start-up); a type served only as a converted view of another version uses its storage version's strategy. A
 * custom kind's versions each have one built from their CustomResourceDefinition ({@link ServedTypes}).
 */
@Singleton
public class Strategies {
    private final Map<ResourceType, Strategy> byType = new HashMap<>();
    private final ServedTypes served;

    public Strategies(List<Strategy> strategies, ServedTypes served) {
        this.served = served;
        for (Strategy s : strategies) {
            if (!s.type().isStorageType()) {
                throw new IllegalStateException("a strategy must be for a storage version: " + s.getClass().getName());
            }
            Strategy before = byType.put(s.type(), s);
            if (before != null) {
                throw new IllegalStateException("two strategies for " + s.type().qualifiedPlural() + ": "
                        + before.getClass().getName() + ", " + s.getClass().getName());
            }
        }
        for (ResourceType t : ResourceTypes.all()) {
            if (!byType.containsKey(t.storageType())) {
                throw new IllegalStateException("no strategy for " + t.qualifiedPlural());
            }
        }
    }

    /** The strategy of a kind (of its storage version; of the version itself for a custom kind). */
    public Strategy of(ResourceType type) {
        Strategy s = byType.get(type.storageType());
        if (s == null) {
            s = served.customStrategy(type);
        }
        if (s == null) {
            throw new IllegalArgumentException("no strategy for " + type.qualifiedPlural());
        }
        return s;
    }
}

package io.kubus.gateway.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.ErrorList;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the {@link Conversion} of a served-only version and applies it; for a storage type every method is the
 * identity. Every served-only type in ResourceTypes has exactly one conversion, and storage types none: anything
 * else stops the gateway at start-up.
 */
@Singleton
public class Conversions {
    private final Map<ResourceType, Conversion> byType = new HashMap<>();

    public Conversions(List<Conversion> conversions) {
        for (Conversion c : conversions) {
            if (c.type().isStorageType()) {
                throw new IllegalStateException(c.type().apiVersion() + " " + c.type().qualifiedPlural()
                        + " is a storage version and converts from nothing: " + c.getClass().getName());
            }
            Conversion before = byType.put(c.type(), c);
            if (before != null) {
                throw new IllegalStateException("two conversions for " + c.type().apiVersion() + " "
                        + c.type().qualifiedPlural() + ": " + before.getClass().getName() + ", " + c.getClass().getName());
            }
        }
        for (ResourceType t : ResourceTypes.all()) {
            if (!t.isStorageType() && !byType.containsKey(t)) {
                throw new IllegalStateException("no conversion for " + t.apiVersion() + " " + t.qualifiedPlural()
                        + ", which is served from " + t.storageType().apiVersion());
            }
        }
    }

    /** {@code served}, an object of {@code type}, as its storage version keeps it; itself for a storage type. */
    public ObjectNode toStorage(ResourceType type, ObjectNode served) {
        return type.isStorageType() ? served : typed(type.storageType(), of(type).toStorage(served));
    }

    /** A stored object as {@code type} shows it; the object itself (not a copy) for a storage type. */
    public ObjectNode fromStorage(ResourceType type, ObjectNode stored) {
        return type.isStorageType() ? stored : typed(type, of(type).fromStorage(stored));
    }

    /** The validation a served-only {@code type} adds to its storage version's; nothing for a storage type. */
    public void validate(ResourceType type, ObjectNode stored, @Nullable ObjectNode old, ErrorList errors) {
        if (!type.isStorageType()) {
            of(type).validate(stored, old, errors);
        }
    }

    /**
     * A served-only type's conversion: its bean for a built-in type (the constructor made sure there is one), the
     * {@code None} conversion for a custom kind's version (its objects differ from the stored ones in their
     * apiVersion only, which {@link #typed} sets).
     */
    private Conversion of(ResourceType type) {
        return byType.getOrDefault(type, new NoneConversion(type));
    }

    private record NoneConversion(ResourceType type) implements Conversion {
        @Override
        public ObjectNode toStorage(ObjectNode served) {
            return served;
        }

        @Override
        public ObjectNode fromStorage(ObjectNode stored) {
            return stored.deepCopy();
        }
    }

    /** The object with {@code type}'s apiVersion and kind first, as stored objects have them. */
    private static ObjectNode typed(ResourceType type, ObjectNode object) {
        ObjectNode out = JsonTree.F.objectNode();
        out.put("apiVersion", type.apiVersion());
        out.put("kind", type.kind());
        object.properties().forEach(e -> {
            if (!e.getKey().equals("apiVersion") && !e.getKey().equals("kind")) {
                out.set(e.getKey(), e.getValue());
            }
        });
        return out;
    }
}

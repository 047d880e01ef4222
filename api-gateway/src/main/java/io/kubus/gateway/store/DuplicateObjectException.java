package io.kubus.gateway.store;

import io.kubus.schema.ResourceType;

/** A create lost the race against another create of the same name. */
public final class DuplicateObjectException extends RuntimeException {
    private final transient ResourceType type;
    private final String name;

    public DuplicateObjectException(ResourceType type, String name) {
        super(type.plural() + " \"" + name + "\" already exists", null, false, false);
        this.type = type;
        this.name = name;
    }

    public ResourceType type() {
        return type;
    }

    public String name() {
        return name;
    }
}

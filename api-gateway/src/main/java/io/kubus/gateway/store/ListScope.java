package io.kubus.gateway.store;

import io.kubus.schema.ResourceType;
import io.micronaut.core.annotation.Nullable;

/**
 * What a list reads: the objects of one kind in one namespace, or in all ({@code namespace == null}; always so for
 * cluster-scoped kinds, whose rows have the namespace "").
 */
public record ListScope(ResourceType type, @Nullable String namespace) {
}

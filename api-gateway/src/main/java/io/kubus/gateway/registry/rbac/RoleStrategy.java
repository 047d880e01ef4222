package io.kubus.gateway.registry.rbac;

import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import jakarta.inject.Singleton;

/** Roles (pkg/registry/rbac/role): namespaced rules, which may not name non-resource URLs. */
@Singleton
public class RoleStrategy extends PolicyRuleStrategy {
    @Override
    public ResourceType type() {
        return ResourceTypes.ROLES;
    }
}

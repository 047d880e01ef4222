package io.kubus.gateway.registry.rbac;

import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import jakarta.inject.Singleton;

import java.util.List;

/**
 * RoleBindings (pkg/registry/rbac/rolebinding): grant a Role of their namespace, or a ClusterRole's rules within their
 * namespace; a ServiceAccount subject without a namespace is one of the binding's namespace.
 */
@Singleton
public class RoleBindingStrategy extends BindingStrategy {
    public RoleBindingStrategy() {
        super(List.of("Role", "ClusterRole"), "RoleRef can reference a Role in the current namespace or a ClusterRole "
                + "in the global namespace.", "roleBinding");
    }

    @Override
    public ResourceType type() {
        return ResourceTypes.ROLEBINDINGS;
    }
}

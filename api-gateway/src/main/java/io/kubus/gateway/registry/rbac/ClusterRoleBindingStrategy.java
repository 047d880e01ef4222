package io.kubus.gateway.registry.rbac;

import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import jakarta.inject.Singleton;

import java.util.List;

/** ClusterRoleBindings (pkg/registry/rbac/clusterrolebinding): grant a ClusterRole everywhere. */
@Singleton
public class ClusterRoleBindingStrategy extends BindingStrategy {
    public ClusterRoleBindingStrategy() {
        super(List.of("ClusterRole"), "RoleRef can only reference a ClusterRole in the global namespace.",
                "clusterRoleBinding");
    }

    @Override
    public ResourceType type() {
        return ResourceTypes.CLUSTERROLEBINDINGS;
    }
}

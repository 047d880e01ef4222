package io.kubus.gateway.registry.rbac;

import io.kubus.gateway.registry.Strategy;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.Names;

import java.util.List;

/**
 * What the four rbac.authorization.k8s.io kinds share (pkg/apis/rbac/validation): their names, and the role names a
 * binding refers to, are URL path segments (ValidateRBACName), not DNS names, so {@code system:controller:job} is a
 * valid one. The rules are evaluated by {@code auth.rbac.RbacAuthorizer}.
 */
abstract class RbacStrategy implements Strategy {
    /** The API group of the RBAC kinds, the only one a roleRef or a User or Group subject may name. */
    static final String GROUP = ResourceTypes.ROLES.group();

    @Override
    public List<String> validateName(String name) {
        return Names.pathSegmentName(name);
    }
}

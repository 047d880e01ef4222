package io.kubus.gateway.auth.rbac;

import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.watch.StoreFollower;
import io.kubus.gateway.watch.WatchCache;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;

import java.util.List;

/** Keeps {@link RbacPolicy} current with the four RBAC kinds, listed and watched by a {@link StoreFollower}. */
@Context
@Requires(env = GatewayApplication.ENVIRONMENT)
public class RbacPolicyFollower implements AutoCloseable {
    static final List<ResourceType> KINDS = List.of(ResourceTypes.CLUSTERROLES, ResourceTypes.CLUSTERROLEBINDINGS,
            ResourceTypes.ROLES, ResourceTypes.ROLEBINDINGS);

    private final StoreFollower follower;

    /**
     * @param bootstrapped taken so that the first lists come after the bootstrap policy is reconciled: once the
     *                     policy is loaded (and the gateway ready), the bootstrap bindings are in it
     */
    public RbacPolicyFollower(RbacPolicy policy, ObjectStore store, WatchCache watchCache, RbacBootstrap bootstrapped) {
        this.follower = new StoreFollower("rbac-policy", KINDS, store, watchCache, policy);
    }

    @PreDestroy
    @Override
    public void close() {
        follower.close();
    }
}

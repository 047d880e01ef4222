package io.kubus.gateway.auth.rbac;

import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.store.ObjectList;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.watch.WatchCache;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Keeps {@link RbacPolicy} current, as an informer would but inside the gateway: each of the four RBAC kinds is
 * listed from the store, then watched from the list's version through the {@link WatchCache} (which replays what
 * came after the list and then delivers live changes, fed by the change topics like every watch). When the watch
 * cache ends a watch (it lost the stream), the kind is listed and watched again.
 */
@Context
@Requires(env = GatewayApplication.ENVIRONMENT)
public class RbacPolicyFollower implements AutoCloseable {
    static final List<ResourceType> KINDS = List.of(ResourceTypes.CLUSTERROLES, ResourceTypes.CLUSTERROLEBINDINGS,
            ResourceTypes.ROLES, ResourceTypes.ROLEBINDINGS);
    private static final Logger LOG = LoggerFactory.getLogger(RbacPolicyFollower.class);

    private final RbacPolicy policy;
    private final ObjectStore store;
    private final WatchCache watchCache;
    private final BlockingQueue<ResourceType> toList = new LinkedBlockingQueue<>(KINDS);
    private final Map<ResourceType, AutoCloseable> watches = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param bootstrapped taken so that the first lists come after the bootstrap policy is reconciled: once the
     *                     policy is loaded (and the gateway ready), the bootstrap bindings are in it
     */
    public RbacPolicyFollower(RbacPolicy policy, ObjectStore store, WatchCache watchCache, RbacBootstrap bootstrapped) {
        this.policy = policy;
        this.store = store;
        this.watchCache = watchCache;
        this.thread = Thread.ofPlatform().daemon().name("rbac-policy").start(this::run);
    }

    private void run() {
        while (running) {
            ResourceType type;
            try {
                type = toList.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                follow(type);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                LOG.warn("listing and watching {} for RBAC failed, retrying in 1 s: {}", type.plural(), e.toString());
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException ie) {
                    return;
                }
                toList.add(type);
            }
        }
    }

    private void follow(ResourceType type) throws InterruptedException {
        closeWatch(type);
        // a list older than the watch cache's start could not be watched from (410): list once it follows
        if (!watchCache.awaitReady(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the watch cache is not ready yet");
        }
        ObjectList list = store.list(type, null);
        policy.replace(type, list.items());
        watches.put(type, watchCache.watch(type, list.resourceVersion(), event -> {
            if (event == null) {
                if (running) {
                    toList.add(type);
                }
                return false;
            }
            policy.apply(type, event.type(), event.object());
            return true;
        }));
    }

    private void closeWatch(ResourceType type) {
        AutoCloseable watch = watches.remove(type);
        if (watch != null) {
            try {
                watch.close();
            } catch (Exception e) {
                LOG.debug("closing the RBAC watch of {}: {}", type.plural(), e.toString());
            }
        }
    }

    @PreDestroy
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        KINDS.forEach(this::closeWatch);
    }
}

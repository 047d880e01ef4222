package io.kubus.gateway.watch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.store.ObjectList;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.event.WatchEventType;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The objects of the few small kinds that admission and authentication look up on every pod create or token
 * (namespaces, ServiceAccounts, LimitRanges, PriorityClasses, StorageClasses), kept in memory from their list and
 * watch ({@link StoreFollower}), as kube-apiserver's admission plugins read informer caches instead of etcd. A pod
 * create made five database reads for them.
 *
 * <p>Unlike an informer, it reads this gateway's own writes: a lookup answers from memory only when the cache has
 * seen the kind at least up to the newest version this gateway committed of it ({@link ObjectStore#lastWritten}),
 * and from the store otherwise (in the moments after such a write, before its change event came back, and while the
 * kind is being listed). A LimitRange created and then a pod, one request after the other, always meet. Writes through
 * another gateway on the same database are seen when their events arrive, as an informer sees them.
 *
 * <p>Lookups return copies: callers may change what they get.
 */
@Context
@Requires(env = GatewayApplication.ENVIRONMENT)
public class CachedObjects implements StoreFollower.View, AutoCloseable {
    static final List<ResourceType> KINDS = List.of(ResourceTypes.NAMESPACES, ResourceTypes.SERVICEACCOUNTS,
            ResourceTypes.LIMITRANGES, ResourceTypes.PRIORITYCLASSES, ResourceTypes.STORAGECLASSES);

    private final ObjectStore store;
    private final Map<ResourceType, Kind> kinds = new HashMap<>();
    private final StoreFollower follower;

    public CachedObjects(ObjectStore store, WatchCache watchCache) {
        this.store = store;
        KINDS.forEach(k -> kinds.put(k, new Kind()));
        this.follower = new StoreFollower("cached-objects", KINDS, store, watchCache, this);
    }

    /** The object as committed, or as of moments ago when written through another gateway. */
    public Optional<ObjectNode> get(ResourceType type, String namespace, String name) {
        synchronized (this) {
            if (fresh(type)) {
                ObjectNode found = kindOf(type).names(namespace).get(name);
                return Optional.ofNullable(found).map(ObjectNode::deepCopy);
            }
        }
        return store.get(type, namespace, name);
    }

    /** The objects of one namespace ({@code ""} for a cluster-scoped kind), by name. */
    public List<ObjectNode> list(ResourceType type, String namespace) {
        synchronized (this) {
            if (fresh(type)) {
                List<ObjectNode> out = new ArrayList<>();
                kindOf(type).names(namespace).values().forEach(o -> out.add(o.deepCopy()));
                return out;
            }
        }
        return store.listCommitted(type, namespace);
    }

    /** Whether a lookup of the kind is answered from memory now. */
    synchronized boolean fresh(ResourceType type) {
        return kindOf(type).fresh(store.lastWritten(type));
    }

    private Kind kindOf(ResourceType type) {
        Kind kind = kinds.get(type.storageType());
        if (kind == null) {
            throw new IllegalArgumentException(type.plural() + " are not cached");
        }
        return kind;
    }

    @Override
    public synchronized void replace(ResourceType type, ObjectList list) {
        Kind kind = kinds.get(type);
        kind.byNamespace.clear();
        list.items().forEach(kind::put);
        kind.seen = list.resourceVersion();
        kind.following = true;
    }

    @Override
    public synchronized void apply(ResourceType type, WatchEventType change, ObjectNode object) {
        Kind kind = kinds.get(type);
        if (change == WatchEventType.DELETED) {
            kind.remove(object);
        } else {
            kind.put(object);
        }
        // the watch hands a kind's events out in version order: every change up to this one is applied
        kind.seen = Math.max(kind.seen, version(object));
    }

    @Override
    public synchronized void lost(ResourceType type) {
        kinds.get(type).following = false;
    }

    private static long version(ObjectNode object) {
        return Long.parseLong(object.path("metadata").path("resourceVersion").asText("0"));
    }

    @PreDestroy
    @Override
    public void close() {
        follower.close();
    }

    /** One kind's objects by namespace and name, and how far its changes are applied. */
    private static final class Kind {
        final Map<String, TreeMap<String, ObjectNode>> byNamespace = new HashMap<>();
        long seen;
        boolean following;

        Map<String, ObjectNode> names(String namespace) {
            Map<String, ObjectNode> names = byNamespace.get(namespace);
            return names == null ? Map.of() : names;
        }

        boolean fresh(long lastWritten) {
            return following && seen >= lastWritten;
        }

        void put(ObjectNode o) {
            byNamespace.computeIfAbsent(namespace(o), n -> new TreeMap<>()).put(name(o), o);
        }

        void remove(ObjectNode o) {
            TreeMap<String, ObjectNode> names = byNamespace.get(namespace(o));
            if (names != null) {
                names.remove(name(o));
                if (names.isEmpty()) {
                    byNamespace.remove(namespace(o));
                }
            }
        }

        private static String namespace(ObjectNode o) {
            return o.path("metadata").path("namespace").asText("");
        }

        private static String name(ObjectNode o) {
            return o.path("metadata").path("name").asText();
        }
    }
}

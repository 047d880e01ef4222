package io.kubus.controllers.garbagecollector;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which objects name an owner uid in their ownerReferences: the dependents half of Kubernetes' GC graph, kept from
 * the informers' events. Each key is written by its kind's informer thread only; owner uids are shared across kinds,
 * so their sets change atomically per uid.
 */
final class DependentsIndex {
    private final Map<String, Set<String>> dependentsByOwner = new ConcurrentHashMap<>();
    private final Map<String, List<String>> ownersByKey = new ConcurrentHashMap<>();

    /** Records the owner uids the object under {@code key} now names (none: it left or has no owners). */
    void set(String key, List<String> ownerUids) {
        List<String> before = ownerUids.isEmpty() ? ownersByKey.remove(key) : ownersByKey.put(key, List.copyOf(ownerUids));
        if (before != null) {
            for (String uid : before) {
                if (!ownerUids.contains(uid)) {
                    dependentsByOwner.computeIfPresent(uid, (u, keys) -> {
                        keys.remove(key);
                        return keys.isEmpty() ? null : keys;
                    });
                }
            }
        }
        for (String uid : ownerUids) {
            dependentsByOwner.compute(uid, (u, keys) -> {
                Set<String> set = keys != null ? keys : ConcurrentHashMap.newKeySet();
                set.add(key);
                return set;
            });
        }
    }

    /** The keys of the objects that name {@code ownerUid} as an owner. */
    Collection<String> dependents(String ownerUid) {
        Set<String> keys = dependentsByOwner.get(ownerUid);
        return keys == null ? List.of() : List.copyOf(keys);
    }

    boolean hasDependents(String ownerUid) {
        return dependentsByOwner.containsKey(ownerUid);
    }
}

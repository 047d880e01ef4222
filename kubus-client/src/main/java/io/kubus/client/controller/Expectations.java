package io.kubus.client.controller;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What a controller has asked the API for and not yet seen in its caches, per controller key: client-go's
 * ControllerExpectations (creations counted) with UID-tracking deletions (deleted objects named). Until a key's
 * expectations are satisfied its reconcile must not create or delete again, or a cache lagging behind the
 * controller's own writes would make it do the same thing twice. Expectations expire after a TTL so that a lost
 * event cannot wedge a controller forever.
 */
public final class Expectations {
    private final Duration ttl;
    private final Map<String, Entry> entries = new HashMap<>();

    private static final class Entry {
        int creations;
        final Set<String> deletions = new HashSet<>();
        long since = System.nanoTime();
    }

    public Expectations(Duration ttl) {
        this.ttl = ttl;
    }

    /** The controller is about to create {@code count} objects for {@code key}. */
    public synchronized void expectCreations(String key, int count) {
        Entry e = entries.computeIfAbsent(key, k -> new Entry());
        e.creations += count;
        e.since = System.nanoTime();
    }

    /** The controller is about to delete these objects (by their cache keys) for {@code key}. */
    public synchronized void expectDeletions(String key, Collection<String> objectKeys) {
        Entry e = entries.computeIfAbsent(key, k -> new Entry());
        e.deletions.addAll(objectKeys);
        e.since = System.nanoTime();
    }

    /** A creation arrived in the cache, or a create failed and will not arrive. */
    public synchronized void creationObserved(String key) {
        Entry e = entries.get(key);
        if (e != null && e.creations > 0) {
            e.creations--;
        }
    }

    /** The object left the cache, or its delete failed and it will not leave. */
    public synchronized void deletionObserved(String key, String objectKey) {
        Entry e = entries.get(key);
        if (e != null) {
            e.deletions.remove(objectKey);
        }
    }

    /** Whether every expected change arrived (or the expectations are older than the TTL). */
    public synchronized boolean satisfied(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            return true;
        }
        if (e.creations <= 0 && e.deletions.isEmpty()) {
            return true;
        }
        if (System.nanoTime() - e.since > ttl.toNanos()) {
            entries.remove(key);
            return true;
        }
        return false;
    }

    /** The objects awaited as deleted for {@code key}, a snapshot. */
    public synchronized Set<String> expectedDeletions(String key) {
        Entry e = entries.get(key);
        return e == null ? Set.of() : Set.copyOf(e.deletions);
    }

    /** Drops the key's expectations: its object is gone. */
    public synchronized void forget(String key) {
        entries.remove(key);
    }

    /** Drops all: e.g. a new leader starts from what it lists. */
    public synchronized void clear() {
        entries.clear();
    }
}

package io.kubus.client.informer;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The indexes of an informer's cache (client-go's indices): per index, per value, the objects filed under it by key.
 * One writer at a time, which the informer ensures; readers take no lock and see each bucket as a
 * ConcurrentHashMap shows it, as they see the cache.
 */
final class Indices<T> {
    private final Map<String, Index<? super T>> indexes = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Map<String, T>>> buckets = new ConcurrentHashMap<>();

    /**
     * Adds an index over {@code objects} (the cache, by key). False if this index is there already; an index of the
     * same name with another function is refused.
     */
    boolean add(Index<? super T> index, Map<String, T> objects) {
        Index<? super T> existing = indexes.get(index.name());
        if (existing != null) {
            if (!existing.equals(index)) {
                throw new IllegalArgumentException("an index named " + index.name() + " exists with another function");
            }
            return false;
        }
        Map<String, Map<String, T>> byValue = new ConcurrentHashMap<>();
        objects.forEach((key, object) -> {
            for (String value : valuesOf(index, object)) {
                byValue.computeIfAbsent(value, v -> new ConcurrentHashMap<>()).put(key, object);
            }
        });
        buckets.put(index.name(), byValue);
        indexes.put(index.name(), index);
        return true;
    }

    /**
     * Files the object under {@code key} anew: {@code now} under its values, then out of the values only {@code old}
     * had, so that a reader never misses an object that stays. Either may be null (added, deleted).
     */
    void update(String key, T old, T now) {
        for (Index<? super T> index : indexes.values()) {
            Map<String, Map<String, T>> byValue = buckets.get(index.name());
            Collection<String> nowValues = now == null ? List.of() : valuesOf(index, now);
            for (String value : nowValues) {
                byValue.computeIfAbsent(value, v -> new ConcurrentHashMap<>()).put(key, now);
            }
            if (old == null) {
                continue;
            }
            for (String value : valuesOf(index, old)) {
                if (!nowValues.contains(value)) {
                    byValue.computeIfPresent(value, (v, objects) -> {
                        objects.remove(key);
                        return objects.isEmpty() ? null : objects;
                    });
                }
            }
        }
    }

    /** The objects filed under {@code value}, a snapshot. */
    List<T> objects(Index<? super T> index, String value) {
        Map<String, T> objects = bucketsOf(index).get(value);
        return objects == null ? List.of() : List.copyOf(objects.values());
    }

    /** The keys of the objects filed under {@code value}, a snapshot. */
    Set<String> keys(Index<? super T> index, String value) {
        Map<String, T> objects = bucketsOf(index).get(value);
        return objects == null ? Set.of() : Set.copyOf(objects.keySet());
    }

    private Map<String, Map<String, T>> bucketsOf(Index<? super T> index) {
        if (!index.equals(indexes.get(index.name()))) {
            throw new IllegalArgumentException("the index " + index.name() + " was not added");
        }
        return buckets.get(index.name());
    }

    private static <T> Collection<String> valuesOf(Index<? super T> index, T object) {
        Collection<String> values = index.function().apply(object);
        return values == null ? List.of() : values;
    }
}

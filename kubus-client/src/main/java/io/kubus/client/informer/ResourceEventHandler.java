package io.kubus.client.informer;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.function.Consumer;

/**
 * What an informer tells its user, on the informer's one thread, in order per object. The objects are the
 * cache's own: read them, never change them.
 */
public interface ResourceEventHandler<T extends HasMetadata> {
    /** An object entered the cache: it exists and matches the informer's selection. */
    default void onAdd(T object) {
    }

    /** A cached object changed and still matches. */
    default void onUpdate(T old, T now) {
    }

    /** An object left the cache: it was deleted, or it stopped matching (then {@code last} is its new state). */
    default void onDelete(T last) {
    }

    /**
     * A handler for the usual level-triggered user, to whom an add and an update are the same news: the object's
     * current state goes to {@code upserted}, the last state of one that left to {@code deleted}.
     */
    static <T extends HasMetadata> ResourceEventHandler<T> of(Consumer<T> upserted, Consumer<T> deleted) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T object) {
                upserted.accept(object);
            }

            @Override
            public void onUpdate(T old, T now) {
                upserted.accept(now);
            }

            @Override
            public void onDelete(T last) {
                deleted.accept(last);
            }
        };
    }
}

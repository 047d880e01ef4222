package io.kubus.gateway.store;

import io.micronaut.core.annotation.Nullable;

/**
 * The objects of a list as they were at {@link #version()}, in key order, read as they are asked for. Holds a database
 * connection until closed; close it whatever happens, from any thread (it waits for a read in progress).
 */
public interface ListCursor extends AutoCloseable {
    /** The resourceVersion the list shows. */
    long version();

    /**
     * The next object, or null after the last. Throws {@link HistoryCompactedException} when the history the list
     * needs was compacted meanwhile.
     */
    @Nullable ListRow next();

    @Override
    void close();
}

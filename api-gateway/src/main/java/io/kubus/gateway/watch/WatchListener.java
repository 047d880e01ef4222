package io.kubus.gateway.watch;

import io.kubus.schema.event.ChangeEvent;

/** Receives the change events of one watch. Called under the cache's lock: it must not block. */
public interface WatchListener {
    /**
     * @param event the next event, or null when the cache ends the watch (shutdown, lost stream)
     * @return false to end the watch (the client left, or it fell too far behind)
     */
    boolean onEvent(ChangeEvent event);
}

package io.kubus.gateway.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.schema.event.WatchEventType;

/**
 * The result of a write.
 *
 * @param object the object after the write; for a removal, its last state carrying the deletion's resourceVersion;
 *               null when a Keep found no object
 * @param change the change published, or null when nothing changed
 */
public record WriteResult(ObjectNode object, WatchEventType change) {
}

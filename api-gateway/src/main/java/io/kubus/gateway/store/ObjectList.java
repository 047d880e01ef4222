package io.kubus.gateway.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** Objects of one kind as they were at {@code resourceVersion}. */
public record ObjectList(List<ObjectNode> items, long resourceVersion) {
}

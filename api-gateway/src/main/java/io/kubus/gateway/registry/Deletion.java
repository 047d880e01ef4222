package io.kubus.gateway.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.store.WriteOutcome;

/** A kind's own way of going when deleted (kube-apiserver: a REST storage that overrides Delete). */
@FunctionalInterface
public interface Deletion {
    /**
     * Decides what a delete does with the current object: remove it, mark it terminating, or keep it. May refuse
     * with an {@code ApiException}.
     */
    WriteOutcome delete(ObjectNode current, DeleteIntent intent);
}

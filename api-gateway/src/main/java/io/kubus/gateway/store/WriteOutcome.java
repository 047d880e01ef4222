package io.kubus.gateway.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** What a write decided to do with the object it read under lock. */
public sealed interface WriteOutcome {
    /** Store this state (create when there was none). */
    record Put(ObjectNode object) implements WriteOutcome {
    }

    /** Remove the object. */
    record Remove() implements WriteOutcome {
    }

    /** Change nothing: no new resourceVersion, no event (Kubernetes treats a no-op update the same way). */
    record Keep() implements WriteOutcome {
    }

    static WriteOutcome put(ObjectNode object) {
        return new Put(object);
    }

    static WriteOutcome remove() {
        return new Remove();
    }

    static WriteOutcome keep() {
        return new Keep();
    }
}

package io.kubus.gateway.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * The metadata the server gives every new object, whoever creates it (a request, or the gateway's own bootstrap):
 * a fresh uid, the creation time to the second, generation 1.
 */
public final class ServerMetadata {
    private ServerMetadata() {
    }

    public static void created(ObjectNode meta, Clock clock) {
        meta.put("uid", UUID.randomUUID().toString());
        meta.put("creationTimestamp", now(clock));
        meta.put("generation", 1);
    }

    /** RFC 3339 to the second, as Kubernetes writes metav1.Time. */
    public static String now(Clock clock) {
        return Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    }
}

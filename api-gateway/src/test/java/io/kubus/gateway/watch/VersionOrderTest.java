package io.kubus.gateway.watch;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.event.ChangeEvent;
import io.kubus.schema.event.WatchEventType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The watch cache's reorder buffer: events of partitions that arrive at their own pace leave it in version order. */
class VersionOrderTest {
    private static final Instant T0 = Instant.parse("2026-12-06T00:00:00Z");

    private static ChangeEvent event(long version) {
        ObjectNode cm = JsonNodeFactory.instance.objectNode();
        cm.put("apiVersion", "v1").put("kind", "ConfigMap").putObject("metadata").put("name", "cm-" + version)
                .put("namespace", "default").put("resourceVersion", Long.toString(version));
        return ChangeEvent.of(ResourceTypes.CONFIGMAPS, WatchEventType.ADDED, version, T0, cm);
    }

    private static List<Long> versions(List<ChangeEvent> events) {
        return events.stream().map(ChangeEvent::resourceVersion).toList();
    }

    @Test
    void aHigherVersionWaitsForTheLowerOnesFromOtherPartitions() {
        VersionOrder order = new VersionOrder(Duration.ofSeconds(10));
        order.reset(100);
        assertEquals(List.of(), versions(order.offer(event(103), T0)), "101 and 102 are on their way");
        assertEquals(List.of(), versions(order.offer(event(102), T0)));
        assertEquals(2, order.waiting());
        assertEquals(List.of(101L, 102L, 103L), versions(order.offer(event(101), T0)));
        assertEquals(List.of(104L), versions(order.offer(event(104), T0)));
        assertEquals(0, order.waiting());
    }

    @Test
    void versionsHandedOutOrFromBeforeTheStartAreDropped() {
        VersionOrder order = new VersionOrder(Duration.ofSeconds(10));
        order.reset(100);
        assertEquals(List.of(), versions(order.offer(event(100), T0)), "listed before the cache started");
        assertEquals(List.of(101L), versions(order.offer(event(101), T0)));
        assertEquals(List.of(), versions(order.offer(event(101), T0)), "delivered twice by Kafka");
        order.offer(event(103), T0);
        assertEquals(List.of(), versions(order.offer(event(103), T0)));
        assertEquals(1, order.waiting(), "one 103 waits");
    }

    @Test
    void aVersionThatNeverComesIsGivenUpAfterThePatience() {
        VersionOrder order = new VersionOrder(Duration.ofSeconds(10));
        order.reset(100);
        order.offer(event(103), T0);
        order.offer(event(105), T0.plusSeconds(5));
        assertNull(order.expire(T0.plusSeconds(10)), "not yet");
        VersionOrder.Skipped skipped = order.expire(T0.plusSeconds(11));
        assertEquals(101, skipped.from());
        assertEquals(102, skipped.to());
        assertEquals(List.of(103L), versions(skipped.released()), "105 still waits for 104");
        assertNull(order.expire(T0.plusSeconds(12)), "105 has waited 7 s");
        assertEquals(List.of(104L, 105L), versions(order.offer(event(104), T0.plusSeconds(12))));
        assertEquals(List.of(), versions(order.offer(event(102), T0.plusSeconds(13))), "too late: given up");
    }

    @Test
    void aResetForgetsWhatWaited() {
        VersionOrder order = new VersionOrder(Duration.ofSeconds(10));
        order.reset(100);
        order.offer(event(102), T0);
        order.reset(200);
        assertEquals(0, order.waiting());
        assertEquals(List.of(201L), versions(order.offer(event(201), T0)));
    }
}

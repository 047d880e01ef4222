package io.kubus.client.events;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.event.ChangeEvent;
import io.kubus.schema.event.WatchEventType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ChangeEventRecordsTest {

    @Test
    void aRecordReadsBackAsTheEventItWasMadeFrom() {
        ObjectNode pod = JsonNodeFactory.instance.objectNode();
        pod.put("kind", "Pod").put("apiVersion", "v1");
        pod.putObject("metadata").put("name", "web").put("namespace", "default").put("resourceVersion", "42");
        ChangeEvent event = ChangeEvent.of(ResourceTypes.PODS, WatchEventType.MODIFIED, 42,
                Instant.parse("2026-11-22T01:00:00Z"), pod);

        ProducerRecord<String, byte[]> out = ChangeEventRecords.toRecord(event);
        assertEquals("kubus.core.v1.pods", out.topic());
        assertEquals("default/web", out.key());
        assertEquals("io.kubus.core.v1.pods.modified",
                new String(out.headers().lastHeader("ce_type").value(), StandardCharsets.UTF_8));
        assertEquals("42", new String(out.headers().lastHeader("ce_resourceversion").value(), StandardCharsets.UTF_8));

        ConsumerRecord<String, byte[]> in = new ConsumerRecord<>(out.topic(), 0, 7L, 0L, TimestampType.CREATE_TIME,
                0, 0, out.key(), out.value(), out.headers(), Optional.empty());
        ChangeEvent back = ChangeEventRecords.fromRecord(in);
        assertEquals(event, back);
    }

    @Test
    void aRecordInAnotherFormatIsRefused() {
        ConsumerRecord<String, byte[]> junk = new ConsumerRecord<>("kubus.core.v1.pods", 0, 0L, 0L,
                TimestampType.CREATE_TIME, 0, 0, "default/web", "{}".getBytes(StandardCharsets.UTF_8),
                new RecordHeaders(), Optional.empty());
        assertThrows(IllegalArgumentException.class, () -> ChangeEventRecords.fromRecord(junk));
    }
}

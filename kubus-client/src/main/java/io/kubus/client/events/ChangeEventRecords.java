package io.kubus.client.events;

import io.kubus.schema.event.ChangeEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Change events as Kafka records (docs/events.md): the one place that maps the envelope onto Kafka. */
public final class ChangeEventRecords {
    private ChangeEventRecords() {
    }

    /** The record a change is published as: key, CloudEvent headers, watch-event value. */
    public static ProducerRecord<String, byte[]> toRecord(ChangeEvent event) {
        RecordHeaders headers = new RecordHeaders();
        event.headers().forEach((k, v) -> headers.add(k, v.getBytes(StandardCharsets.UTF_8)));
        return new ProducerRecord<>(event.topic(), null, event.key(), event.value(), headers);
    }

    /** Reads a change event back; fails with IllegalArgumentException on a record in another format. */
    public static ChangeEvent fromRecord(ConsumerRecord<String, byte[]> record) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header h : record.headers()) {
            headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
        }
        return ChangeEvent.parse(record.topic(), record.key(), headers, record.value());
    }
}

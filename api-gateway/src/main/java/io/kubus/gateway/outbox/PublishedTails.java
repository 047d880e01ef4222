package io.kubus.gateway.outbox;

import io.kubus.client.kafka.KafkaClientConfig;
import io.kubus.schema.event.ChangeEvent;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The resourceVersions among the newest records of change topics: what the outbox relay reads before it sends rows
 * that may have reached Kafka already (see {@link OutboxRelay}).
 */
final class PublishedTails {
    private PublishedTails() {
    }

    /**
     * The versions of the last {@code depth} records of every partition of {@code topics}. Throws if Kafka does not
     * hand them over within {@code timeout}; the relay then retries the round.
     */
    static Set<Long> read(KafkaClientConfig kafka, Collection<String> topics, int depth, Duration timeout) {
        Set<Long> versions = new HashSet<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(kafka.client(Map.of(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", // the tail reaches below the log's start
                ConsumerConfig.CLIENT_ID_CONFIG, "kubus-outbox-relay-check")),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                for (PartitionInfo p : c.partitionsFor(topic, timeout)) {
                    partitions.add(new TopicPartition(topic, p.partition()));
                }
            }
            c.assign(partitions);
            Map<TopicPartition, Long> ends = c.endOffsets(partitions, timeout);
            for (TopicPartition p : partitions) {
                c.seek(p, Math.max(0, ends.get(p) - depth));
            }
            while (partitions.stream().anyMatch(p -> c.position(p, timeout) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the change topics' last records were not read within " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    Header h = r.headers().lastHeader(ChangeEvent.H_RESOURCEVERSION);
                    if (h != null) {
                        versions.add(Long.parseLong(new String(h.value(), StandardCharsets.UTF_8)));
                    }
                }
            }
        }
        return versions;
    }
}

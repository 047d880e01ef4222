package io.kubus.broker;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedKafkaBrokerTest {

    @Test
    void producesAndConsumesARecord() throws Exception {
        Path dir;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            dir = broker.dataDir();
            assertTrue(broker.bootstrapServers().startsWith("127.0.0.1:"));
            produce(broker.bootstrapServers(), "round-trip", "default/pod-a", "hello");
            List<ConsumerRecord<String, String>> records = consumeAll(broker.bootstrapServers(), "round-trip", 1);
            assertEquals(1, records.size());
            assertEquals("default/pod-a", records.getFirst().key());
            assertEquals("hello", records.getFirst().value());
        }
        assertFalse(Files.exists(dir), "a temporary broker deletes its directory on close");
    }

    @Test
    void restartOnTheSameDirectoryKeepsTheRecords() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "restart-");
        String firstBootstrap;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir, 0)) {
            firstBootstrap = broker.bootstrapServers();
            produce(broker.bootstrapServers(), "kept", "ns/obj", "v1");
        }
        assertTrue(Files.exists(dir.resolve("meta.properties")), "close() keeps the data");
        // ports change between runs; the static quorum makes that fine
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir, 0)) {
            assertNotEquals("", broker.bootstrapServers());
            produce(broker.bootstrapServers(), "kept", "ns/obj", "v2");
            List<ConsumerRecord<String, String>> records = consumeAll(broker.bootstrapServers(), "kept", 2);
            assertEquals(List.of("v1", "v2"), records.stream().map(ConsumerRecord::value).toList());
        }
        assertTrue(firstBootstrap.startsWith("127.0.0.1:"));
    }

    private static void produce(String bootstrap, String topic, String key, String value) throws Exception {
        Map<String, Object> conf = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(conf)) {
            producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        }
    }

    private static List<ConsumerRecord<String, String>> consumeAll(String bootstrap, String topic, int expected) {
        Map<String, Object> conf = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(conf)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}

package io.kubus.gateway.outbox;

import io.kubus.broker.EmbeddedKafkaBroker;
import io.kubus.gateway.testing.GatewayFixture;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The broker dies while the gateway takes writes and stays away longer than the relay's delivery timeout: the writes
 * are stored and acknowledged, the relay gives the unacknowledged round up and starts a new producer, and once the
 * broker is back on the same storage every write reaches its topic and the outbox empties.
 */
class OutboxRelayBrokerOutageTest {
    private static final String TOPIC = "kubus.core.v1.configmaps";

    @TempDir
    Path dir;

    @Test
    void writesMadeWhileTheBrokerIsDownArriveAfterItReturns() throws Exception {
        int port = freePort();
        Path data = dir.resolve("kafka");
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(data, port);
        EmbeddedKafkaBroker restarted = null;
        try (GatewayFixture gateway = GatewayFixture.start(broker, false, GatewayFixture.h2InMemory(),
                Map.of("kubus.gateway.relay-delivery-timeout", "3s"))) {
            OutboxRelay relay = gateway.context().getBean(OutboxRelay.class);
            create(gateway, "before");
            awaitOnTopic(broker, Set.of("default/before"));
            assertEquals(1, relay.producers(), "one producer while Kafka acknowledges");

            broker.close();
            for (int i = 0; i < 5; i++) {
                create(gateway, "during-" + i);
            }
            await(() -> relay.producers() >= 2, Duration.ofSeconds(30),
                    "the relay starts a new producer after a round Kafka did not acknowledge");

            restarted = EmbeddedKafkaBroker.start(data, port);
            Set<String> expected = new HashSet<>();
            for (int i = 0; i < 5; i++) {
                expected.add("default/during-" + i);
            }
            awaitOnTopic(restarted, expected);
            await(() -> outboxRows(gateway) == 0, Duration.ofSeconds(30), "the outbox empties");
        } finally {
            (restarted != null ? restarted : broker).close();
        }
    }

    private static void create(GatewayFixture gateway, String name) {
        GatewayFixture.Reply r = gateway.request("POST", "/api/v1/namespaces/default/configmaps", "application/json",
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\"},\"data\":{\"k\":\"v\"}}");
        assertEquals(201, r.status(), r.body());
    }

    private static long outboxRows(GatewayFixture gateway) {
        var tx = gateway.context().getBean(io.micronaut.transaction.TransactionOperations.class);
        @SuppressWarnings("unchecked")
        var ops = (io.micronaut.transaction.TransactionOperations<java.sql.Connection>) tx;
        return ops.executeRead(status -> {
            try (var rs = status.getConnection().createStatement().executeQuery("SELECT COUNT(*) FROM outbox")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private static void awaitOnTopic(EmbeddedKafkaBroker broker, Set<String> keys) {
        Set<String> seen = new HashSet<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(broker.superUser().client(Map.of(
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.GROUP_ID_CONFIG, "outage-" + System.nanoTime())),
                new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(TOPIC));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!seen.containsAll(keys)) {
                if (System.nanoTime() > deadline) {
                    fail("not on " + TOPIC + " after 60 s: " + keys.stream().filter(k -> !seen.contains(k)).toList());
                }
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    seen.add(r.key());
                }
            }
        }
    }

    private static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(what + ": not within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

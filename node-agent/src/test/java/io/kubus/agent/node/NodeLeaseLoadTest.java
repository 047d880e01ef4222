package io.kubus.agent.node;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.kubus.client.api.KubusApi;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.ApplicationContext;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The write load of node heartbeats: one agent process hosting 100 simulated nodes with the defaults (Leases of 40 s
 * renewed every 10 s, node status looked at every 10 s), measured over 30 s on the change topics, where every stored
 * write shows as one event. The Leases come at about ten a second, spread over the interval rather than a hundred at
 * once, and the Nodes, whose status does not change, are not written at all.
 */
class NodeLeaseLoadTest {
    private static final int NODES = 100;
    private static final Duration WINDOW = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void aHundredNodesWriteTenLeasesASecondAndNoNodes() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.start();
             ApplicationContext agent = AgentFixture.start(gateway, dir, Map.of(
                     "kubus.agent.runtime", "simulated", "kubus.agent.nodes", NODES, "kubus.agent.node-name", "load",
                     "kubus.agent.heartbeat-interval", "10s", "kubus.agent.node-lease-duration-seconds", 40));
             KubusApi api = new KubusApi(gateway.clientConfig())) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (api.list(ResourceTypes.LEASES, NodeLease.NAMESPACE, null, null, Lease.class).items().size() < NODES) {
                assertTrue(System.nanoTime() < deadline, "a lease per node within 60 s");
                Thread.sleep(200);
            }
            Thread.sleep(12_000); // every node past its first renewal, the registrations' status reports stored
            long from = System.currentTimeMillis();
            Thread.sleep(WINDOW.toMillis() + 2_000); // and the relay's last events of the window published
            long to = from + WINDOW.toMillis();

            Map<Long, Integer> leasesPerSecond = perSecond(gateway, "kubus.coordination.k8s.io.v1.leases", from, to);
            int leaseWrites = leasesPerSecond.values().stream().mapToInt(Integer::intValue).sum();
            int busiest = leasesPerSecond.values().stream().mapToInt(Integer::intValue).max().orElse(0);
            int nodeWrites = perSecond(gateway, "kubus.core.v1.nodes", from, to).values().stream()
                    .mapToInt(Integer::intValue).sum();
            double rate = leaseWrites * 1000.0 / WINDOW.toMillis();
            System.out.printf("node heartbeats of %d nodes over %d s: %d lease writes (%.1f/s, busiest second %d), "
                    + "%d node writes%n", NODES, WINDOW.toSeconds(), leaseWrites, rate, busiest, nodeWrites);
            assertTrue(rate >= 8 && rate <= 11, "about one renewal per node per 10 s: " + rate + "/s");
            assertTrue(busiest <= 20, "spread over the interval, never a burst: " + busiest + " in one second");
            assertEquals(0, nodeWrites, "an unchanged node status is not written");
        }
    }

    /** Events of {@code topic} stamped within [from, to), counted per second. */
    private static Map<Long, Integer> perSecond(GatewayFixture gateway, String topic, long from, long to) {
        Map<Long, Integer> counts = new TreeMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, gateway.kafkaBootstrap(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.timestamp() >= from && r.timestamp() < to) {
                        counts.merge((r.timestamp() - from) / 1000, 1, Integer::sum);
                    }
                }
            }
        }
        return counts;
    }
}

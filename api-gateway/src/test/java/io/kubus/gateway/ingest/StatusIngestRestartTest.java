package io.kubus.gateway.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.kubus.broker.EmbeddedKafkaBroker;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.schema.KubusJson;
import io.kubus.schema.event.StatusReports;
import io.kubus.schema.event.StatusReports.PodReport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Reports outlive the gateway that should store them: a report published while no gateway runs is stored by the next
 * one, from the offsets the group committed; and a gateway that reads reports again whose offsets were never
 * committed (simulated by a fresh consumer group, which starts from the beginning) stores nothing twice.
 */
class StatusIngestRestartTest {
    private static final String NODE = "node-r";

    @Test
    void reportsAreStoredOnceAcrossARestartAndAreHarmlessWhenReadAgain() throws Exception {
        String jdbc = GatewayFixture.h2InMemory();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary();
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                     ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            String uid;
            long afterFirst;
            long afterSecond;
            try (GatewayFixture first = GatewayFixture.start(broker, false, jdbc, Map.of())) {
                assertEquals(201, first.request("POST", "/api/v1/nodes", "application/json",
                        "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"" + NODE + "\"}}").status());
                GatewayFixture.Reply created = first.request("POST", "/api/v1/namespaces/default/pods", "application/json",
                        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":{\"nodeName\":\""
                                + NODE + "\",\"containers\":[{\"name\":\"app\",\"image\":\"nginx\"}]}}");
                assertEquals(201, created.status(), created.body());
                uid = KubusJson.json().readTree(created.body()).path("metadata").path("uid").asText();
                send(producer, new PodReport(uid, NODE, status("Pending", null), null));
                afterFirst = version(awaitPod(first, p -> "Pending".equals(p.path("status").path("phase").asText())));
            }

            // No gateway runs while the node reports again.
            send(producer, new PodReport(uid, NODE, status("Running", "10.3.0.1"), null));

            try (GatewayFixture second = GatewayFixture.start(broker, false, jdbc, Map.of())) {
                JsonNode pod = awaitPod(second, p -> "10.3.0.1".equals(p.path("status").path("podIP").asText()));
                afterSecond = version(pod);
                // stored once: the ingester applied one report (below); the store's version alone says nothing, as a
                // starting gateway writes other objects too (its address in the kubernetes Service's endpoints)
                assertTrue(afterSecond > afterFirst);
                // the ingester counts a batch after its commit, so the change can be read a moment before it is counted
                StatusIngester ingester = second.context().getBean(StatusIngester.class);
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (ingester.counters().applied() < 1 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertEquals(1, ingester.counters().applied());
            }

            // A gateway that never saw a commit reads both reports again: neither changes anything.
            try (GatewayFixture third = GatewayFixture.start(broker, false, jdbc,
                    Map.of("kubus.gateway.status-ingest.group-id", "a-group-without-commits"))) {
                StatusIngester ingester = third.context().getBean(StatusIngester.class);
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (ingester.counters().records() < 2 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                StatusIngester.Counters counters = ingester.counters();
                assertEquals(2, counters.records());
                assertEquals(0, counters.applied());
                assertTrue(counters.unchanged() >= 1, counters.toString());
                JsonNode pod = get(third, "/api/v1/namespaces/default/pods/p");
                assertEquals(afterSecond, version(pod));
                assertEquals("Running", pod.path("status").path("phase").asText());
            }
        }
    }

    private static PodStatus status(String phase, String ip) {
        PodStatusBuilder b = new PodStatusBuilder().withPhase(phase).withQosClass("BestEffort");
        if (ip != null) {
            b.withPodIP(ip).addNewPodIP().withIp(ip).endPodIP();
        }
        return b.build();
    }

    private static void send(KafkaProducer<String, byte[]> producer, PodReport report) throws Exception {
        byte[] value = KubusJson.json().writeValueAsBytes(report);
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(StatusReports.POD_STATUS_TOPIC, "default/p", value);
        io.kubus.gateway.testing.TestPki.nodeSigner(report.nodeName()).sign(StatusReports.POD_STATUS_TOPIC, "default/p",
                value, record.headers());
        producer.send(record).get();
    }

    private static long version(JsonNode obj) {
        return obj.path("metadata").path("resourceVersion").asLong();
    }

    private static JsonNode get(GatewayFixture g, String path) throws Exception {
        GatewayFixture.Reply r = g.request("GET", path, null, null);
        assertEquals(200, r.status(), r.body());
        return KubusJson.json().readTree(r.body());
    }

    private static JsonNode awaitPod(GatewayFixture g, Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = get(g, "/api/v1/namespaces/default/pods/p");
            if (done.test(last)) {
                return last;
            }
            Thread.sleep(20);
        }
        return fail("timed out; last: " + last);
    }
}

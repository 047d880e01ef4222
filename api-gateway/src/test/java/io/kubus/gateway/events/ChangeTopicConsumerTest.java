package io.kubus.gateway.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubus.broker.EmbeddedKafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Reads the change topics the way an outside consumer would: a plain Kafka consumer and a JSON parser, nothing from
 * Kubus but the documented format (docs/events.md). A burst of writes runs while the gateway is killed with
 * SIGKILL and restarted; every write the API acknowledged must be on the topic, and each object's changes arrive
 * once each, in order: the restarted gateway's relay reads what the topic holds before it sends the rows the killed
 * one left (OutboxRelay), so a change Kafka took just before the kill is not published again.
 */
class ChangeTopicConsumerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = "kubus.core.v1.configmaps";
    private static final int OBJECTS = 120;
    private static final int UPDATES = 3;
    private static final int WRITERS = 4;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedChangeArrivesOnceInOrderPerObjectAcrossAKill9OfTheGateway() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            int port = freePort();
            String jdbc = "jdbc:h2:file:" + dir.resolve("db/kubus").toAbsolutePath()
                    + io.kubus.gateway.store.H2Settings.URL_FLAGS;
            Path log = dir.resolve("gateway.log");
            GatewayProcess first = GatewayProcess.start(port, broker.bootstrapServers(), jdbc, log);
            String base = first.baseUrl();

            Map<String, List<Long>> acknowledged = new java.util.concurrent.ConcurrentHashMap<>();
            Set<String> deleted = java.util.concurrent.ConcurrentHashMap.newKeySet();
            AtomicInteger failedWhileDown = new AtomicInteger();
            AtomicInteger acks = new AtomicInteger();
            HttpClient http = io.kubus.gateway.testing.TestPki.adminHttp();
            GatewayProcess[] second = new GatewayProcess[1];
            try {
                // Writers run on their own threads so that requests are in flight when the gateway dies.
                List<Thread> writers = new ArrayList<>();
                for (int w = 0; w < WRITERS; w++) {
                    int writer = w;
                    writers.add(Thread.ofVirtual().start(() -> {
                        try {
                            for (int i = writer; i < OBJECTS; i += WRITERS) {
                                write(http, base, i, acknowledged, deleted, failedWhileDown, acks);
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }));
                }
                while (acks.get() < OBJECTS / 2) {
                    Thread.sleep(5);
                }
                first.kill9();
                second[0] = GatewayProcess.start(port, broker.bootstrapServers(), jdbc, log);
                for (Thread t : writers) {
                    t.join(Duration.ofSeconds(180));
                }
                assertTrue(failedWhileDown.get() > 0, "the kill happened while writes were under way");
                assertEquals(OBJECTS, acknowledged.size());

                Map<String, Long> deletions = new HashMap<>();
                Map<String, List<Long>> seen = consumeUntil(broker.bootstrapServers(), acknowledged, deleted, deletions);
                for (String key : deleted) {
                    long newestAcknowledged = acknowledged.get(key).stream().mapToLong(Long::longValue).max().orElse(0);
                    assertTrue(deletions.getOrDefault(key, -1L) > newestAcknowledged, key + " was deleted, but the topic "
                            + "has no DELETED record after its last change " + newestAcknowledged + ": " + seen.get(key));
                }
                for (Map.Entry<String, List<Long>> e : acknowledged.entrySet()) {
                    List<Long> got = seen.getOrDefault(e.getKey(), List.of());
                    for (long rv : e.getValue()) {
                        assertTrue(got.contains(rv), e.getKey() + " change at resourceVersion " + rv
                                + " is missing on the topic; seen " + got);
                    }
                    long newest = -1;
                    for (long rv : got) {
                        if (rv <= newest) {
                            fail(e.getKey() + " received change " + rv + " after " + newest + ": " + got);
                        }
                        newest = rv;
                    }
                }
            } finally {
                if (second[0] != null) {
                    second[0].close();
                }
                first.close();
            }
        }
    }

    /** Creates object i, updates some, deletes a few; records the resourceVersion of every acknowledged change. */
    private static void write(HttpClient http, String base, int i, Map<String, List<Long>> acknowledged,
                              Set<String> deleted, AtomicInteger failures, AtomicInteger acks) throws InterruptedException {
        String name = "cm-" + i;
        String key = "default/" + name;
        List<Long> rvs = new ArrayList<>();
        acknowledged.put(key, rvs);
        rvs.add(retry(http, failures, () -> post(http, base, name)));
        acks.incrementAndGet();
        if (i % 10 == 5) {
            for (int u = 0; u < UPDATES; u++) {
                int n = u;
                rvs.add(retry(http, failures, () -> patch(http, base, name, n)));
                acks.incrementAndGet();
            }
        }
        if (i % 40 == 7) {
            // a ConfigMap's delete answers with a Success Status, which names no resourceVersion: the deletion is
            // checked on the topic as a DELETED record newer than every acknowledged change of the object
            retry(http, failures, () -> delete(http, base, name));
            deleted.add(key);
            acks.incrementAndGet();
        }
    }

    /** Reads the topic from the start until every acknowledged change is there, checking each record's format. */
    private Map<String, List<Long>> consumeUntil(String bootstrap, Map<String, List<Long>> acknowledged,
                                                 Set<String> deleted, Map<String, Long> deletions) throws IOException {
        Map<String, List<Long>> seen = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "bare-consumer-test",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(TOPIC)) {
                parts.add(new TopicPartition(TOPIC, p.partition()));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && !(allSeen(acknowledged, seen) && deletions.keySet().containsAll(deleted))) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    long rv = checkFormat(r, deleted, deletions);
                    seen.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(rv);
                }
            }
        }
        return seen;
    }

    /** The documented record format; returns the change's resourceVersion. */
    private static long checkFormat(ConsumerRecord<String, byte[]> r, Set<String> deleted, Map<String, Long> deletions)
            throws IOException {
        Map<String, String> h = new HashMap<>();
        for (Header header : r.headers()) {
            h.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        JsonNode value = JSON.readTree(r.value());
        String type = value.path("type").asText();
        JsonNode object = value.path("object");
        String key = object.path("metadata").path("namespace").asText() + "/" + object.path("metadata").path("name").asText();
        assertEquals(key, r.key(), "record key is namespace/name");
        assertEquals("1.0", h.get("ce_specversion"));
        assertEquals("io.kubus.core.v1.configmaps." + type.toLowerCase(), h.get("ce_type"));
        assertEquals(key, h.get("ce_subject"));
        assertEquals("urn:kubus:events:watch-event:v1", h.get("ce_dataschema"));
        assertEquals("application/json", h.get("content-type"));
        assertTrue(h.get("ce_id") != null && h.get("ce_source") != null && h.get("ce_time") != null, h.toString());
        assertEquals(object.path("metadata").path("resourceVersion").asText(), h.get("ce_resourceversion"));
        assertEquals("ConfigMap", object.path("kind").asText());
        assertTrue(Set.of("ADDED", "MODIFIED", "DELETED").contains(type), type);
        if (type.equals("DELETED")) {
            assertTrue(deleted.contains(key), "only deleted objects have DELETED events: " + key);
            deletions.put(key, Long.parseLong(h.get("ce_resourceversion")));
        }
        return Long.parseLong(h.get("ce_resourceversion"));
    }

    private static boolean allSeen(Map<String, List<Long>> acknowledged, Map<String, List<Long>> seen) {
        return acknowledged.entrySet().stream().allMatch(e -> seen.getOrDefault(e.getKey(), List.of()).containsAll(e.getValue()));
    }

    private interface Write {
        long send() throws IOException, InterruptedException;
    }

    /** Retries a write while the gateway is down; a write is acknowledged only by a 2xx answer. */
    private static long retry(HttpClient http, AtomicInteger failures, Write write) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                return write.send();
            } catch (IOException e) {
                failures.incrementAndGet();
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the gateway did not come back");
    }

    private static long post(HttpClient http, String base, String name) throws IOException, InterruptedException {
        String body = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\"},\"data\":{\"n\":\"0\"}}";
        HttpResponse<String> r = send(http, HttpRequest.newBuilder(URI.create(base + "/api/v1/namespaces/default/configmaps"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
        if (r.statusCode() == 409) {
            // Created before the kill, answer lost: it counts once we read it back.
            return get(http, base, name);
        }
        return rvOf(r);
    }

    private static long patch(HttpClient http, String base, String name, int n) throws IOException, InterruptedException {
        String body = "{\"data\":{\"n\":\"" + (n + 1) + "\"}}";
        return rvOf(send(http, HttpRequest.newBuilder(URI.create(base + "/api/v1/namespaces/default/configmaps/" + name))
                .header("Content-Type", "application/merge-patch+json").method("PATCH", HttpRequest.BodyPublishers.ofString(body))));
    }

    private static long delete(HttpClient http, String base, String name) throws IOException, InterruptedException {
        HttpResponse<String> r = send(http, HttpRequest.newBuilder(URI.create(base + "/api/v1/namespaces/default/configmaps/" + name)).DELETE());
        if (r.statusCode() == 404) {
            return 0; // deleted before the kill, answer lost
        }
        ok(r);
        return 0;
    }

    private static long get(HttpClient http, String base, String name) throws IOException, InterruptedException {
        return rvOf(send(http, HttpRequest.newBuilder(URI.create(base + "/api/v1/namespaces/default/configmaps/" + name)).GET()));
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest.Builder b) throws IOException, InterruptedException {
        return http.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long rvOf(HttpResponse<String> r) throws IOException {
        ok(r);
        return Long.parseLong(JSON.readTree(r.body()).path("metadata").path("resourceVersion").asText());
    }

    /** A 2xx answer; a 5xx is the gateway being down (retried), anything else a failure. */
    private static void ok(HttpResponse<String> r) throws IOException {
        if (r.statusCode() >= 500) {
            throw new IOException("gateway answered " + r.statusCode() + ": " + r.body());
        }
        if (r.statusCode() / 100 != 2) {
            throw new AssertionError("unexpected answer " + r.statusCode() + ": " + r.body());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

package io.kubus.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.broker.EmbeddedKafkaBroker;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.testing.ServiceProcess;
import io.kubus.schema.KubusJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A gateway killed with SIGKILL while it streams a list and takes writes loses nothing: after a restart on the same
 * H2 file every acknowledged write is there, and a continue token handed out before the kill still pages through the
 * list at its version (the history is in the database, written in the writes' own transactions). The client of the
 * interrupted list sees a broken response, never a short list that looks whole.
 */
class ListAcrossKillTest {
    private static final int OBJECTS = 1500;
    private static final String NS = "kill";
    private static final String BASE = "/api/v1/namespaces/" + NS + "/configmaps";
    // Large enough that the whole list (about 12 MB) cannot sit in the sockets' buffers when the gateway dies.
    private static final String PAYLOAD = "x".repeat(8000);

    @TempDir
    Path dir;

    private final HttpClient http = io.kubus.gateway.testing.TestPki.adminHttp();
    /** Acknowledged writes: name -> resourceVersion -> value of data.v ("" for a deletion). */
    private final Map<String, NavigableMap<Long, String>> log = new ConcurrentHashMap<>();

    @Test
    void aKillMidListLosesNoWriteAndNoHistory() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            int port = freePort();
            String jdbc = "jdbc:h2:file:" + dir.resolve("db/kubus").toAbsolutePath()
                    + io.kubus.gateway.store.H2Settings.URL_FLAGS;
            Map<String, Object> props = Map.of("micronaut.server.port", port,
                    "kubus.kafka.bootstrap-servers", broker.bootstrapServers(),
                    "datasources.default.url", jdbc, "datasources.default.username", "sa",
                    "datasources.default.password", "", "kubus.auth.pki-dir", io.kubus.gateway.testing.TestPki.dir().toString());
            String base = "https://127.0.0.1:" + port;
            ServiceProcess first = ServiceProcess.start(GatewayApplication.class.getName(), props, dir.resolve("gateway.log"));
            ServiceProcess second = null;
            try {
                awaitReady(base, first);
                assertEquals(201, send(base, "POST", "/api/v1/namespaces",
                        "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + NS + "\"}}").statusCode());
                runParallel(8, i -> write(base, "POST", BASE, name(i), "0"), OBJECTS);

                JsonNode firstPage = json(send(base, "GET", BASE + "?limit=100", null).body());
                long version = firstPage.path("metadata").path("resourceVersion").asLong();
                String token = firstPage.path("metadata").path("continue").asText();
                // the namespace's kube-root-ca.crt is in the list too, as in every namespace
                assertEquals(OBJECTS + 1 - 100, firstPage.path("metadata").path("remainingItemCount").asLong());
                // Changes after the token's version: its later pages must not show them.
                runParallel(8, i -> i % 2 == 0 ? write(base, "PATCH", BASE + "/" + name(i * 7), name(i * 7), "1")
                        : write(base, "DELETE", BASE + "/" + name(i * 7 + 3), name(i * 7 + 3), null), 100);

                AtomicBoolean writing = new AtomicBoolean(true);
                AtomicInteger acknowledged = new AtomicInteger();
                Thread writer = Thread.ofVirtual().start(() -> {
                    for (int n = 2; writing.get(); n++) {
                        if (write(base, "PATCH", BASE + "/" + name(n % 50), name(n % 50), Integer.toString(n))) {
                            acknowledged.incrementAndGet();
                        }
                    }
                });
                HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(URI.create(base + BASE)).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                assertEquals(200, stream.statusCode());
                InputStream in = stream.body();
                byte[] head = in.readNBytes(64 * 1024);
                assertEquals(64 * 1024, head.length, "the list is bigger than what was read before the kill");
                while (acknowledged.get() < 20) {
                    Thread.sleep(5);
                }
                first.kill9();
                boolean broken = false;
                try {
                    in.readAllBytes();
                } catch (IOException e) {
                    broken = true;
                }
                assertTrue(broken, "the interrupted list ends in an error, not as a shorter list");
                writing.set(false);
                writer.join(Duration.ofSeconds(30));

                second = ServiceProcess.start(GatewayApplication.class.getName(), props, dir.resolve("gateway.log"));
                awaitReady(base, second);

                // Every acknowledged write is stored (an unacknowledged one may be too: then it is newer).
                JsonNode now = json(send(base, "GET", BASE, null).body());
                Map<String, JsonNode> current = new TreeMap<>();
                now.path("items").forEach(i -> current.put(i.path("metadata").path("name").asText(), i));
                assertTrue(current.containsKey("kube-root-ca.crt"));
                log.forEach((name, writes) -> {
                    Map.Entry<Long, String> last = writes.lastEntry();
                    JsonNode stored = current.get(name);
                    if (last.getValue().isEmpty()) {
                        assertNull(stored, name + " was deleted");
                        return;
                    }
                    assertTrue(stored != null, name + " is stored");
                    long rv = stored.path("metadata").path("resourceVersion").asLong();
                    assertTrue(rv >= last.getKey(), name + " at " + rv + " lost its write at " + last.getKey());
                    if (rv == last.getKey()) {
                        assertEquals(last.getValue(), stored.path("data").path("v").asText(), name);
                    }
                });

                // The token from before the kill still pages through the list at its version.
                Map<String, String> seen = new TreeMap<>();
                collect(firstPage, seen, version);
                while (token != null) {
                    JsonNode page = json(send(base, "GET", BASE + "?limit=300&continue="
                            + URLEncoder.encode(token, StandardCharsets.UTF_8), null).body());
                    collect(page, seen, version);
                    token = page.path("metadata").path("continue").asText(null);
                }
                Map<String, String> expected = new TreeMap<>();
                log.forEach((name, writes) -> {
                    Map.Entry<Long, String> at = writes.floorEntry(version);
                    if (at != null && !at.getValue().isEmpty()) {
                        expected.put(name, at.getValue());
                    }
                });
                assertEquals(OBJECTS, expected.size());
                assertEquals(expected, seen, "the pages after the restart add up to the list at " + version);
                assertTrue(write(base, "PATCH", BASE + "/" + name(1), name(1), "after"), "writes go on");
            } finally {
                if (second != null) {
                    second.close();
                }
                first.close();
            }
        }
    }

    private static void collect(JsonNode page, Map<String, String> seen, long version) {
        assertEquals(version, page.path("metadata").path("resourceVersion").asLong(), "a page at the token's version");
        for (JsonNode item : page.path("items")) {
            String name = item.path("metadata").path("name").asText();
            if (name.equals("kube-root-ca.crt")) {
                continue; // the namespace's own, not one of this test's writes
            }
            assertNull(seen.put(name, item.path("data").path("v").asText()), name + " twice");
        }
    }

    /** One write; records it when acknowledged. Failures (the gateway is down) are left to the caller. */
    private boolean write(String base, String method, String path, String name, String value) {
        try {
            HttpResponse<String> r = switch (method) {
                case "POST" -> send(base, "POST", path, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\""
                        + name + "\"},\"data\":{\"v\":\"" + value + "\",\"payload\":\"" + PAYLOAD + "\"}}");
                case "PATCH" -> send(base, "PATCH", path, "{\"data\":{\"v\":\"" + value + "\"}}");
                default -> send(base, "DELETE", path, null);
            };
            if (r.statusCode() != 200 && r.statusCode() != 201) {
                return false;
            }
            long rv = json(r.body()).path("metadata").path("resourceVersion").asLong();
            if (value == null) {
                // A delete answers with a Success Status, which has no version: a list's version read after it is
                // at or above the deletion's, and no other write of this object comes in between.
                rv = json(send(base, "GET", BASE + "?limit=1", null).body()).path("metadata").path("resourceVersion")
                        .asLong();
            }
            log.computeIfAbsent(name, n -> new ConcurrentSkipListMap<>()).put(rv, value == null ? "" : value);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private HttpResponse<String> send(String base, String method, String path, String body) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", method.equals("PATCH") ? "application/merge-patch+json" : "application/json");
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private interface Step {
        boolean run(int i) throws Exception;
    }

    private static void runParallel(int threads, Step step, int count) throws Exception {
        AtomicInteger next = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofVirtual().start(() -> {
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    try {
                        if (!step.run(i)) {
                            failures.add(new AssertionError("write " + i + " was refused"));
                        }
                    } catch (Exception e) {
                        failures.add(e);
                    }
                }
            }));
        }
        for (Thread w : workers) {
            w.join(Duration.ofSeconds(300));
        }
        assertEquals(List.of(), failures);
    }

    private static String name(int i) {
        return String.format("cm-%04d", i % OBJECTS);
    }

    private void awaitReady(String base, ServiceProcess process) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("the gateway exited; see " + process.log());
            }
            try {
                if (send(base, "GET", "/readyz", null).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        fail("the gateway was not ready in 90 s");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static JsonNode json(String s) {
        try {
            return KubusJson.json().readTree(s);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }
}

package io.kubus.gateway.bench;

import io.kubus.broker.EmbeddedKafkaBroker;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.gateway.testing.TestPki;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;

/**
 * What custom kinds and server-side apply cost, each next to its baseline in the same run, on one gateway (H2 file
 * database, embedded broker): creates of a custom object whose schema has 20 fields and two CEL rules next to
 * ConfigMap creates, and server-side applies of a ConfigMap (field ownership computed, managedFields written) next to
 * plain merge-patch updates of one. A first, untold round of every phase warms the JVM. Not a test:
 * {@code ./kubus bench crd [--clients N] [--seconds S]}.
 */
public final class CustomResourceBench {
    private static final String CRD = """
            {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
             "metadata":{"name":"benches.bench.example.com"},
             "spec":{"group":"bench.example.com","scope":"Namespaced",
              "names":{"plural":"benches","singular":"bench","kind":"Bench"},
              "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object",
               "properties":{"spec":{"type":"object","required":["f0"],
                "x-kubernetes-validations":[{"rule":"self.f1 <= self.f2","message":"f1 must not exceed f2"},
                                            {"rule":"self.f0.startsWith('b')","message":"f0 starts with b"}],
                "properties":{%s}}}}}}]}}""";

    private CustomResourceBench() {
    }

    public static void main(String[] args) throws Exception {
        int clients = 4;
        int seconds = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--clients" -> clients = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        List<String> fields = new ArrayList<>();
        StringBuilder values = new StringBuilder("\"f0\":\"bench\"");
        for (int f = 0; f < 20; f++) {
            fields.add(f % 2 == 0 && f > 2 ? "\"f" + f + "\":{\"type\":\"string\",\"maxLength\":64}"
                    : f == 0 ? "\"f0\":{\"type\":\"string\"}" : "\"f" + f + "\":{\"type\":\"integer\",\"minimum\":0,\"default\":" + f + "}");
            if (f > 0) {
                values.append(",\"f").append(f).append("\":").append(f % 2 == 0 && f > 2 ? "\"v" + f + "\"" : f);
            }
        }
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "bench-crd-");
        String jdbc = "jdbc:h2:file:" + dir.resolve("kubus") + io.kubus.gateway.store.H2Settings.URL_FLAGS;
        List<String> rows = new ArrayList<>();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary();
             GatewayFixture gateway = GatewayFixture.start(broker, false, jdbc, Map.of())) {
            String base = gateway.baseUrl();
            HttpClient setup = TestPki.adminHttp();
            send(setup, post(base + "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                    CRD.formatted(String.join(",", fields))), 201);
            awaitServed(setup, base + "/apis/bench.example.com/v1/namespaces/default/benches");
            String spec = "{" + values + "}";
            for (int round = 0; round < 2; round++) {
                String r = "r" + round + "-";
                double configMaps = run(clients, seconds, (c, n) -> send(c, post(base + "/api/v1/namespaces/default/configmaps",
                        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + r + n + "\"},"
                                + "\"data\":{\"a\":\"1\",\"b\":\"2\"}}"), 201));
                double custom = run(clients, seconds, (c, n) -> send(c, post(base + "/apis/bench.example.com/v1/namespaces/default/benches",
                        "{\"apiVersion\":\"bench.example.com/v1\",\"kind\":\"Bench\",\"metadata\":{\"name\":\"" + r + n + "\"},"
                                + "\"spec\":" + spec + "}"), 201));
                // each client updates its own ConfigMap, made by its first create above
                double updates = run(clients, seconds, (c, n) -> send(c, patch(base + "/api/v1/namespaces/default/configmaps/"
                        + r + (n - n % 1_000_000), "application/merge-patch+json", "{\"data\":{\"a\":\"" + n + "\"}}"), 200));
                double applies = run(clients, seconds, (c, n) -> send(c, patch(base + "/api/v1/namespaces/default/configmaps/"
                        + r + (n - n % 1_000_000) + "?fieldManager=bench&force=true", "application/apply-patch+yaml",
                        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + r + (n - n % 1_000_000)
                                + "\"},\"data\":{\"a\":\"" + n + "\",\"b\":\"2\"}}"), 200));
                if (round == 0) {
                    continue;
                }
                rows.add(String.format("| create | ConfigMap (baseline) | %.0f |", configMaps));
                rows.add(String.format("| create | custom object, 20-field schema, 2 CEL rules | %.0f (%.0f%%) |", custom,
                        100 * custom / configMaps));
                rows.add(String.format("| update | ConfigMap by merge patch (baseline) | %.0f |", updates));
                rows.add(String.format("| update | ConfigMap by server-side apply (managedFields) | %.0f (%.0f%%) |", applies,
                        100 * applies / updates));
            }
        }
        System.out.println("Custom objects and server-side apply through the API, " + clients + " clients, " + seconds
                + " s per phase after a warm-up round, " + Runtime.getRuntime().availableProcessors() + " CPUs:\n"
                + "| write | of | per second |\n|---|---|---|\n" + String.join("\n", rows) + "\n");
    }

    private interface Request {
        boolean send(HttpClient client, long n);
    }

    private static HttpRequest post(String url, String json) {
        return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    private static HttpRequest patch(String url, String contentType, String body) {
        return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", contentType)
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static boolean send(HttpClient client, HttpRequest request, int expected) {
        try {
            HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != expected) {
                throw new IllegalStateException(request.method() + " " + request.uri() + ": " + r.statusCode() + " " + r.body());
            }
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void awaitServed(HttpClient client, String url) throws InterruptedException {
        IntPredicate served = code -> code == 200;
        for (int i = 0; i < 300; i++) {
            try {
                if (served.test(client.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode())) {
                    return;
                }
            } catch (IOException e) {
                // not yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the bench kind was not served within 30 s");
    }

    /**
     * Closed-loop clients for {@code seconds}, each with its own connection; the k-th request of client c is numbered
     * c * 1,000,000 + k, so each client's first object is named by a multiple of a million.
     */
    private static double run(int clients, int seconds, Request request) throws InterruptedException {
        AtomicLong ok = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            int id = i;
            HttpClient client = TestPki.adminHttp();
            threads.add(Thread.ofPlatform().start(() -> {
                long n = 0;
                while (System.nanoTime() < end) {
                    if (request.send(client, id * 1_000_000L + n++)) {
                        ok.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return ok.get() / (double) seconds;
    }
}

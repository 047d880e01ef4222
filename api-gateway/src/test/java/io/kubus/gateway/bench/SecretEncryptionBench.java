package io.kubus.gateway.bench;

import io.kubus.broker.EmbeddedKafkaBroker;
import io.kubus.gateway.encryption.EncryptionConfiguration;
import io.kubus.gateway.testing.GatewayFixture;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What encrypting Secrets at rest costs: creates and gets of Secrets per second through the API, on a gateway that
 * stores them as they are and on one that encrypts them (aesgcm, as {@code ./kubus up} configures it), in one run, on
 * H2 file databases and one embedded broker, after a first round of both that warms the JVM. Not a test: {@code ./kubus bench secrets [--clients N] [--seconds S]
 * [--warmup S]}.
 */
public final class SecretEncryptionBench {
    private SecretEncryptionBench() {
    }

    public static void main(String[] args) throws Exception {
        int clients = 4;
        int seconds = 5;
        int warmup = 2;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--clients" -> clients = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "bench-secrets-");
        Path config = Files.writeString(dir.resolve("encryption-config.yaml"),
                EncryptionConfiguration.newSecretsConfiguration(new SecureRandom()));
        List<String> rows = new ArrayList<>();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            // Two rounds, alternately, of which the second is told: the first warms the JVM for both.
            for (int round = 0; round < 4; round++) {
                boolean encrypted = round % 2 == 1;
                Map<String, Object> extra = new HashMap<>();
                if (encrypted) {
                    extra.put("kubus.encryption.provider-config", config.toString());
                }
                String jdbc = "jdbc:h2:file:" + dir.resolve("round-" + round).resolve("kubus")
                        + io.kubus.gateway.store.H2Settings.URL_FLAGS;
                try (GatewayFixture gateway = GatewayFixture.start(broker, false, jdbc, extra)) {
                    ConcurrentLinkedQueue<String> names = new ConcurrentLinkedQueue<>();
                    String base = gateway.baseUrl() + "/api/v1/namespaces/default/secrets";
                    Phase create = c -> {
                        String name = "s-" + c.id + "-" + c.n++;
                        int status = c.send(HttpRequest.newBuilder(URI.create(base)).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"apiVersion\":\"v1\",\"kind\":\"Secret\","
                                        + "\"metadata\":{\"name\":\"" + name + "\"},\"data\":{\"password\":\"c2VjcmV0LXZhbHVl\","
                                        + "\"token\":\"" + "dG9rZW4t".repeat(16) + "\"}}")));
                        if (status == 201) {
                            names.add(name);
                        }
                        return status == 201;
                    };
                    double creates = run(clients, warmup, seconds, create);
                    List<String> created = List.copyOf(names);
                    double gets = run(clients, warmup, seconds, c -> c.send(HttpRequest.newBuilder(URI.create(
                            base + "/" + created.get(ThreadLocalRandom.current().nextInt(created.size())))).GET()) == 200);
                    if (round < 2) {
                        continue;
                    }
                    rows.add(String.format("| %s | %.0f | %.0f |", encrypted ? "aesgcm (encrypted at rest)" : "identity (as they are)",
                            creates, gets));
                }
            }
        }
        String table = "| Secrets stored | creates/s | gets/s |\n|---|---|---|\n" + String.join("\n", rows) + "\n";
        System.out.println("Secrets through the API, " + clients + " clients, " + seconds + " s per phase after "
                + warmup + " s of warm-up, " + Runtime.getRuntime().availableProcessors() + " CPUs:\n" + table);
    }

    /** One client's connection and counter. */
    private static final class Client {
        final int id;
        final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long n;

        Client(int id) {
            this.id = id;
        }

        int send(HttpRequest.Builder request) {
            try {
                return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
    }

    private interface Phase {
        boolean request(Client c);
    }

    /** Closed-loop clients for {@code warmup} then {@code seconds}; successful requests per measured second. */
    private static double run(int clients, int warmup, int seconds, Phase phase) throws InterruptedException {
        AtomicLong ok = new AtomicLong();
        long start = System.nanoTime();
        long measureFrom = start + warmup * 1_000_000_000L;
        long end = measureFrom + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Client c = new Client(i);
            threads.add(Thread.ofPlatform().start(() -> {
                while (System.nanoTime() < end) {
                    boolean done = phase.request(c);
                    if (done && System.nanoTime() >= measureFrom && System.nanoTime() < end) {
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

package io.kubus.gateway.events;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The api-gateway in a JVM of its own, so a test can kill -9 it; started with this test run's classpath. */
final class GatewayProcess implements AutoCloseable {
    private final Process process;
    private final int port;

    private GatewayProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static GatewayProcess start(int port, String kafkaBootstrap, String jdbcUrl, Path log) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m",
                "-Dmicronaut.server.port=" + port,
                "-Dkubus.kafka.bootstrap-servers=" + kafkaBootstrap,
                "-Ddatasources.default.url=" + jdbcUrl,
                "-Ddatasources.default.username=sa",
                "-Ddatasources.default.password=",
                "-Dkubus.auth.pki-dir=" + io.kubus.gateway.testing.TestPki.dir(),
                "-cp", System.getProperty("java.class.path"),
                "io.kubus.gateway.GatewayApplication"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        GatewayProcess g = new GatewayProcess(p, port);
        g.awaitReady(Duration.ofSeconds(90));
        return g;
    }

    String baseUrl() {
        return "https://127.0.0.1:" + port;
    }

    /** SIGKILL: no shutdown hook, no flush, no goodbye. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    private void awaitReady(Duration timeout) {
        HttpClient http = io.kubus.gateway.testing.TestPki.adminHttp();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the gateway process exited with " + process.exitValue());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/readyz"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("the gateway process was not ready in " + timeout);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                kill9();
            }
        }
    }
}

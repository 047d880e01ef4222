package io.kubus.launcher;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every port a `./kubus up` cluster listens on, found from the kernel's socket table rather than from a list kept by
 * hand, probed as a stranger: without credentials, no port hands out objects, logs or exec. The API answers 401
 * (but for /healthz and /version); the node agent refuses the TLS handshake; the scheduler's and controllers' ports
 * serve health and counters only. Every port that answers no HTTP at all (the broker, its KRaft controller, the
 * agent) is asked as a Kafka client too, plain and over TLS without a certificate: no topic is listed. The
 * administrator's Kafka settings, which `./kubus up` writes, list them: the probe would see a broker that answers.
 */
class LauncherPortsTest {
    private static final List<String> OBJECT_PATHS = List.of("/api/v1/secrets", "/api/v1/namespaces/default/pods",
            "/containerLogs/default/p/c", "/exec/default/p/c?command=id", "/metrics");

    @TempDir
    Path dir;

    @Test
    void noPortServesObjectsLogsOrExecWithoutCredentials() throws Exception {
        int apiPort;
        try (ServerSocket s = new ServerSocket(0)) {
            apiPort = s.getLocalPort();
        }
        LauncherOptions options = LauncherOptions.parse("--data", dir.toString(), "--port", Integer.toString(apiPort),
                "--runtime", "simulated", "--docker-host", "unix://" + dir.resolve("no-engine.sock"));
        Set<Integer> before = listeningPorts();
        try (StartedCluster cluster = StartedCluster.start(options)) {
            Properties state = new Properties();
            try (var in = Files.newBufferedReader(options.stateFile())) {
                state.load(in);
            }
            String bootstrap = state.getProperty("kafka.bootstrap");
            int kafkaPort = Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
            Set<Integer> ports = listeningPorts();
            ports.removeAll(before);
            assertTrue(ports.contains(apiPort) && ports.contains(kafkaPort) && ports.size() >= 5,
                    "the API, Kafka (and its controller), the agent, the scheduler and the controllers listen: " + ports);
            HttpClient anyTls = HttpClient.newBuilder().sslContext(io.kubus.client.tls.AnyServer.context(null))
                    .connectTimeout(Duration.ofSeconds(3)).build();
            HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
            List<String> served = new ArrayList<>();
            for (int port : ports) {
                for (String path : OBJECT_PATHS) {
                    for (String scheme : List.of("https", "http")) {
                        int code = status(scheme.equals("https") ? anyTls : plain, scheme + "://127.0.0.1:" + port + path);
                        boolean metricsOfAService = path.equals("/metrics") && port != apiPort && code == 200;
                        if (code >= 200 && code < 300 && !metricsOfAService) {
                            served.add(scheme + " " + port + path + " -> " + code);
                        }
                    }
                }
            }
            assertEquals(List.of(), served, "nothing served without credentials");
            Properties admin = new Properties();
            try (var in = Files.newBufferedReader(options.kafkaClientProperties())) {
                admin.load(in);
            }
            assertTrue(topics(admin).orElseThrow().contains("kubus.core.v1.pods"), "the administrator reads the topics");
            String ca = admin.getProperty("ssl.truststore.certificates");
            for (int port : ports) {
                if (status(anyTls, "https://127.0.0.1:" + port + "/") != -1 || status(plain, "http://127.0.0.1:" + port + "/") != -1) {
                    continue;
                }
                Properties noCredentials = new Properties();
                noCredentials.setProperty("bootstrap.servers", "127.0.0.1:" + port);
                assertEquals(Optional.empty(), topics(noCredentials), "plain Kafka client on " + port);
                noCredentials.setProperty("security.protocol", "SSL");
                noCredentials.setProperty("ssl.truststore.type", "PEM");
                noCredentials.setProperty("ssl.truststore.certificates", ca);
                noCredentials.setProperty("ssl.endpoint.identification.algorithm", "");
                assertEquals(Optional.empty(), topics(noCredentials), "TLS Kafka client without a certificate on " + port);
            }
            assertEquals(401, status(anyTls, "https://127.0.0.1:" + apiPort + "/api/v1/secrets"));
            assertEquals(200, status(anyTls, "https://127.0.0.1:" + apiPort + "/healthz"));
        }
    }

    /** The topics a Kafka client with {@code settings} lists; empty when it gets no answer within seconds. */
    private static Optional<Set<String>> topics(Properties settings) throws InterruptedException {
        Properties p = new Properties();
        p.putAll(settings);
        p.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "4000");
        p.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        try (Admin admin = Admin.create(p)) {
            return Optional.of(admin.listTopics().names().get(6, TimeUnit.SECONDS));
        } catch (ExecutionException | TimeoutException e) {
            return Optional.empty();
        }
    }

    /** The HTTP status, -1 when no HTTP answer came (a refused handshake, a closed connection, a timeout). */
    private static int status(HttpClient client, String url) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The TCP ports this JVM listens on, from /proc/net/tcp{,6} and the JVM's own socket descriptors. */
    private static Set<Integer> listeningPorts() throws IOException {
        Set<String> inodes = new TreeSet<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        Set<Integer> ports = new TreeSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table)).subList(1, Files.readAllLines(Path.of(table)).size())) {
                String[] f = line.trim().split("\\s+");
                if (f[3].equals("0A") && inodes.contains(f[9])) {
                    ports.add(Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16));
                }
            }
        }
        return ports;
    }
}

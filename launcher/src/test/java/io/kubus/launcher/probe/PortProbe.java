package io.kubus.launcher.probe;

import io.kubus.client.tls.AnyServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks listening ports as a stranger would, with no credentials: over HTTP and HTTPS for objects, logs, exec and
 * metrics, and, on a port that answers no HTTP at all, as a Kafka client (plain, and over TLS trusting the cluster's
 * CA but with no certificate of its own) for the list of topics. What any port hands out is a finding. Only the
 * counters of a service that is not an API server (its {@code /version} does not answer) may be served: they hold no
 * object data.
 *
 * <p>Used by LauncherPortsTest on `./kubus up`, and by .ci/compose-smoke on every container of the compose stack as a
 * single-file program: {@code java -cp 'launcher/target/lib/*' PortProbe.java CA_FILE HOST PORT...}, exit 1 on a
 * finding.
 */
public final class PortProbe {
    private static final List<String> OBJECT_PATHS = List.of("/api/v1/secrets", "/api/v1/namespaces/default/pods",
            "/containerLogs/default/p/c", "/exec/default/p/c?command=id", "/metrics");

    private final String caPem;
    private final HttpClient anyTls = HttpClient.newBuilder().sslContext(AnyServer.context(null))
            .connectTimeout(Duration.ofSeconds(3)).build();
    private final HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    /** {@code caPem}: the cluster's CA, so that a refused Kafka handshake is the server's refusal, not the probe's. */
    public PortProbe(String caPem) {
        this.caPem = caPem;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: PortProbe CA_FILE HOST PORT...");
            System.exit(2);
        }
        PortProbe probe = new PortProbe(Files.readString(Path.of(args[0])));
        List<Integer> ports = Arrays.stream(args).skip(2).map(Integer::parseInt).toList();
        List<String> served = probe.served(args[1], ports);
        System.out.println("port-probe: " + args[1] + " " + ports + ": "
                + (served.isEmpty() ? "nothing served without credentials" : "SERVED " + served));
        System.exit(served.isEmpty() ? 0 : 1);
    }

    /** What {@code host}'s {@code ports} hand out without credentials: empty when nothing. */
    public List<String> served(String host, Iterable<Integer> ports) throws InterruptedException {
        List<String> served = new ArrayList<>();
        for (int port : ports) {
            boolean apiServer = status(anyTls, "https://" + host + ":" + port + "/version") == 200;
            for (String path : OBJECT_PATHS) {
                for (String scheme : List.of("https", "http")) {
                    int code = status(scheme.equals("https") ? anyTls : plain, scheme + "://" + host + ":" + port + path);
                    boolean counters = path.equals("/metrics") && !apiServer;
                    if (code >= 200 && code < 300 && !counters) {
                        served.add(scheme + " " + port + path + " -> " + code);
                    }
                }
            }
            if (status(anyTls, "https://" + host + ":" + port + "/") == -1
                    && status(plain, "http://" + host + ":" + port + "/") == -1) {
                Properties noCredentials = new Properties();
                noCredentials.setProperty("bootstrap.servers", host + ":" + port);
                topics(noCredentials).ifPresent(t -> served.add("kafka " + port + " topics " + t));
                noCredentials.setProperty("security.protocol", "SSL");
                noCredentials.setProperty("ssl.truststore.type", "PEM");
                noCredentials.setProperty("ssl.truststore.certificates", caPem);
                // asked by address: the broker's certificate names its host
                noCredentials.setProperty("ssl.endpoint.identification.algorithm", "");
                topics(noCredentials).ifPresent(t -> served.add("kafka over TLS " + port + " topics " + t));
            }
        }
        return served;
    }

    /** The topics a Kafka client with {@code settings} lists; empty when it gets no answer within seconds. */
    public static Optional<Set<String>> topics(Properties settings) throws InterruptedException {
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
    public static int status(HttpClient client, String url) throws InterruptedException {
        try {
            return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    /** A client that takes any server certificate and presents none: a stranger's. */
    public HttpClient stranger() {
        return anyTls;
    }
}

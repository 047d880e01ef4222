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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * single-file program: {@code java -cp 'launcher/target/lib/*' PortProbe.java CA_FILE HOST:PORT[,PORT...]...},
 * exit 1 on a finding.
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
        if (args.length < 2) {
            System.err.println("usage: PortProbe CA_FILE HOST:PORT[,PORT...]...");
            System.exit(2);
        }
        PortProbe probe = new PortProbe(Files.readString(Path.of(args[0])));
        List<String> targets = Arrays.asList(args).subList(1, args.length);
        List<Future<String>> reports = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (String target : targets) { // every host at once, as every port of a host
                String host = target.substring(0, target.lastIndexOf(':'));
                List<Integer> ports = Arrays.stream(target.substring(target.lastIndexOf(':') + 1).split(","))
                        .map(Integer::parseInt).toList();
                reports.add(threads.submit(() -> {
                    List<String> served = probe.served(host, ports);
                    return host + " " + ports + ": "
                            + (served.isEmpty() ? "nothing served without credentials" : "SERVED " + served);
                }));
            }
        }
        boolean found = false;
        for (Future<String> report : reports) {
            System.out.println("port-probe: " + report.get());
            found |= report.get().contains(": SERVED ");
        }
        System.exit(found ? 1 : 0);
    }

    /**
     * What {@code host}'s {@code ports} hand out without credentials: empty when nothing. Each port is asked on a
     * thread of its own: a port that answers nothing costs seconds of timeouts, and asking one after the other made
     * the compose stack's probe take a minute.
     */
    public List<String> served(String host, Iterable<Integer> ports) throws InterruptedException {
        List<Future<List<String>>> asked = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int port : ports) {
                asked.add(threads.submit(() -> served(host, port)));
            }
        }
        List<String> served = new ArrayList<>();
        for (Future<List<String>> f : asked) {
            try {
                served.addAll(f.get());
            } catch (ExecutionException e) {
                throw new IllegalStateException("probing " + host + " failed", e.getCause());
            }
        }
        return served;
    }

    /**
     * One port: a port that answers HTTP on neither scheme is asked as Kafka (plainly and over TLS), one that does is
     * asked for objects, logs, exec and metrics. The questions of a port go out at once too: one that takes bytes and
     * never answers costs a timeout each, and eleven of them in a row made a broker's port take 45 s.
     */
    private List<String> served(String host, int port) throws InterruptedException {
        String at = host + ":" + port;
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Integer> https = threads.submit(() -> status(anyTls, "https://" + at + "/"));
            Future<Integer> http = threads.submit(() -> status(plain, "http://" + at + "/"));
            List<Future<Optional<String>>> findings = new ArrayList<>();
            if (https.get() == -1 && http.get() == -1) {
                findings.add(threads.submit(() -> topics(kafkaClient(at, false)).map(t -> "kafka " + port + " topics " + t)));
                findings.add(threads.submit(() -> topics(kafkaClient(at, true))
                        .map(t -> "kafka over TLS " + port + " topics " + t)));
            } else {
                boolean apiServer = status(anyTls, "https://" + at + "/version") == 200;
                for (String path : OBJECT_PATHS) {
                    // only an API server's counters are object data
                    boolean counters = path.equals("/metrics") && !apiServer;
                    for (String scheme : List.of("https", "http")) {
                        findings.add(threads.submit(() -> {
                            int code = status(scheme.equals("https") ? anyTls : plain, scheme + "://" + at + path);
                            return code >= 200 && code < 300 && !counters
                                    ? Optional.of(scheme + " " + port + path + " -> " + code) : Optional.empty();
                        }));
                    }
                }
            }
            List<String> served = new ArrayList<>();
            for (Future<Optional<String>> f : findings) {
                f.get().ifPresent(served::add);
            }
            return served;
        } catch (ExecutionException e) {
            throw new IllegalStateException("probing " + at + " failed", e.getCause());
        }
    }

    /** A Kafka client with no credentials: plain, or over TLS trusting the cluster's CA but with no certificate. */
    private Properties kafkaClient(String bootstrap, boolean tls) {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", bootstrap);
        if (tls) {
            p.setProperty("security.protocol", "SSL");
            p.setProperty("ssl.truststore.type", "PEM");
            p.setProperty("ssl.truststore.certificates", caPem);
            // asked by address: the broker's certificate names its host
            p.setProperty("ssl.endpoint.identification.algorithm", "");
        }
        return p;
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

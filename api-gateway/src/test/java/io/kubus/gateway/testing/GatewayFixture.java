package io.kubus.gateway.testing;

import io.kubus.broker.EmbeddedKafkaBroker;
import io.kubus.client.config.ClientConfig;
import io.kubus.client.tls.Identities;
import io.kubus.gateway.GatewayApplication;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A real api-gateway for tests: an in-process KRaft broker, an H2 database, and the gateway's HTTP server on a free
 * port, started the way the launcher starts it. Close it to stop the gateway, then the broker.
 */
public final class GatewayFixture implements AutoCloseable {
    private final EmbeddedKafkaBroker broker;
    private final boolean ownsBroker;
    private final ApplicationContext context;
    private final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .sslContext(TestPki.ssl(TestPki.admin())).build();

    private GatewayFixture(EmbeddedKafkaBroker broker, boolean ownsBroker, ApplicationContext context) {
        this.broker = broker;
        this.ownsBroker = ownsBroker;
        this.context = context;
        // HTTPS, unless a benchmark's baseline turned TLS off
        boolean tls = context.getProperty("micronaut.server.ssl.enabled", Boolean.class).orElse(true);
        this.baseUrl = (tls ? "https" : "http") + "://127.0.0.1:" + context.getBean(EmbeddedServer.class).getPort();
    }

    /** A gateway on a fresh in-memory H2 database and its own broker. */
    public static GatewayFixture start() {
        return start(Map.of());
    }

    /** A gateway on a broker of its own and an in-memory H2, with {@code extra} configuration. */
    public static GatewayFixture start(Map<String, Object> extra) {
        return start(EmbeddedKafkaBroker.startTemporary(), true, h2InMemory(), extra);
    }

    public static String h2InMemory() {
        return "jdbc:h2:mem:kubus-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1" + io.kubus.gateway.store.H2Settings.URL_FLAGS;
    }

    public static GatewayFixture start(EmbeddedKafkaBroker broker, boolean ownsBroker, String jdbcUrl,
                                       Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>(datasource(jdbcUrl));
        props.put("micronaut.server.port", -1);
        props.put("kubus.kafka.bootstrap-servers", broker.bootstrapServers());
        props.put("kubus.auth.pki-dir", TestPki.dir().toString());
        props.putAll(extra);
        ApplicationContext ctx = ApplicationContext.builder()
                .mainClass(GatewayApplication.class)
                .environments(GatewayApplication.ENVIRONMENT, "test")
                .properties(props)
                .start();
        try {
            ctx.getBean(EmbeddedServer.class).start();
            GatewayFixture f = new GatewayFixture(broker, ownsBroker, ctx);
            f.awaitReady();
            return f;
        } catch (RuntimeException e) {
            ctx.close();
            if (ownsBroker) {
                broker.close();
            }
            throw e;
        }
    }

    /** The datasource settings for a JDBC URL: H2 or PostgreSQL (user and password from the test environment). */
    public static Map<String, Object> datasource(String jdbcUrl) {
        Map<String, Object> props = new HashMap<>();
        props.put("datasources.default.url", jdbcUrl);
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            props.put("datasources.default.driver-class-name", "org.postgresql.Driver");
            props.put("datasources.default.username", TestPostgres.user());
            props.put("datasources.default.password", TestPostgres.password());
        } else {
            props.put("datasources.default.driver-class-name", "org.h2.Driver");
            props.put("datasources.default.username", "sa");
            props.put("datasources.default.password", "");
        }
        return props;
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (request("GET", "/readyz", null, null).status() == 200) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("the gateway did not become ready in 60 s");
    }

    public String baseUrl() {
        return baseUrl;
    }

    public EmbeddedKafkaBroker broker() {
        return broker;
    }

    public String kafkaBootstrap() {
        return broker.bootstrapServers();
    }

    public ApplicationContext context() {
        return context;
    }

    /** Writes the administrator's kubeconfig for this gateway, as the launcher does, and returns its path. */
    public Path writeKubeconfig(Path dir) {
        return writeKubeconfig(dir, "kubeconfig", TestPki.kubeconfig(baseUrl, TestPki.admin()));
    }

    /** Writes a kubeconfig of {@code user} in {@code groups} for this gateway as {@code dir/fileName}. */
    public Path writeKubeconfig(Path dir, String fileName, String user, String... groups) {
        return writeKubeconfig(dir, fileName, TestPki.kubeconfig(baseUrl, TestPki.identity(user, groups)));
    }

    private static Path writeKubeconfig(Path dir, String fileName, String content) {
        try {
            Files.createDirectories(dir);
            return Files.writeString(dir.resolve(fileName), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A kubeconfig file of {@code user} in {@code groups} for this gateway, what a service started against it
     * reads (kube components' --kubeconfig).
     */
    public String kubeconfigFile(String user, String... groups) {
        try {
            Path dir = Files.createTempDirectory("kubus-kubeconfig");
            return writeKubeconfig(dir, "kubeconfig", user, groups).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A kubeconfig file of one of the cluster's identities ({@link Identities}). */
    public String kubeconfigFile(Identities.Identity identity) {
        return kubeconfigFile(identity.user(), identity.groups().toArray(String[]::new));
    }

    public String schedulerKubeconfig() {
        return kubeconfigFile(Identities.SCHEDULER);
    }

    public String controllerManagerKubeconfig() {
        return kubeconfigFile(Identities.CONTROLLER_MANAGER);
    }

    /** A node agent's: user {@code system:node:NODE} in {@code system:nodes}, as a kubelet's certificate names it. */
    public String nodeKubeconfig(String node) {
        return agentKubeconfig(node, 1);
    }

    /**
     * The kubeconfig of an agent that runs {@code nodes} nodes named after {@code nodeName} (the agent's
     * {@code kubus.agent.node-name} and {@code kubus.agent.nodes}): one node's, or, for several simulated nodes
     * {@code NAME-0..}, the pool's identity.
     */
    public String agentKubeconfig(String nodeName, int nodes) {
        return kubeconfigFile(Identities.node(nodeName, nodes));
    }

    /**
     * Deletes the {@code kube-root-ca.crt} ConfigMap every namespace starts with, for a test that watches, lists or
     * counts a namespace's ConfigMaps and wants only its own (the gateway makes it again only at its next start).
     */
    public void withoutRootCaConfigMap(String namespace) {
        Reply r = request("DELETE", "/api/v1/namespaces/" + namespace + "/configmaps/kube-root-ca.crt", null, null);
        if (r.status() != 200) {
            throw new IllegalStateException("cannot delete kube-root-ca.crt in " + namespace + ": " + r.body());
        }
    }

    /** How the administrator reaches this gateway. */
    public ClientConfig clientConfig() {
        return TestPki.clientConfig(baseUrl, TestPki.admin());
    }

    /** How {@code user} in {@code groups} reaches this gateway, with a client certificate. */
    public ClientConfig clientConfig(String user, String... groups) {
        return TestPki.clientConfig(baseUrl, TestPki.identity(user, groups));
    }

    public Reply request(String method, String path, String contentType, String body) {
        return request(method, path, contentType, body == null ? null : body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    public Reply request(String method, String path, String contentType, byte[] body, Map<String, String> headers) {
        return request(http, method, path, contentType, body, headers);
    }

    /** Creates the namespaces, as the administrator; fails unless each is created. */
    public void createNamespaces(String... names) {
        for (String name : names) {
            Reply r = request("POST", "/api/v1/namespaces", "application/json",
                    "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + name + "\"}}");
            if (r.status() != 201) {
                throw new IllegalStateException("namespace " + name + " not created: " + r.status() + " " + r.body());
            }
        }
    }

    /** An HTTP client that trusts the cluster's CA and presents no certificate: anonymous, or a bearer token's. */
    public static HttpClient anonymousClient() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(TestPki.ssl(null)).build();
    }

    /** An HTTP client presenting {@code identity}'s client certificate. */
    public static HttpClient clientOf(io.kubus.client.tls.CertificateAuthority.Issued identity) {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(TestPki.ssl(identity)).build();
    }

    /** A request through {@code client}: as whoever that client is. */
    public Reply request(HttpClient client, String method, String path, String contentType, byte[] body,
                         Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        headers.forEach(b::header);
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body(), r.headers().map());
        } catch (IOException e) {
            return new Reply(-1, e.toString(), Map.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        context.close();
        if (ownsBroker) {
            broker.close();
        }
    }

    /** An HTTP answer. */
    public record Reply(int status, String body, Map<String, java.util.List<String>> headers) {
    }
}

package io.kubus.broker;

import io.kubus.client.kafka.KafkaAcls;
import io.kubus.client.kafka.KafkaClientConfig;
import io.kubus.client.tls.Subjects;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * An in-process, single-node Apache Kafka broker in KRaft combined mode (broker and controller in one node),
 * for tests and for the one-JVM launcher.
 *
 * <p>The storage in {@code dataDir} is formatted on first start only, so a broker restarted on the same
 * directory keeps its topics and records. The controller quorum is static ({@code controller.quorum.voters}),
 * so a restart may use other ports than the previous run.
 *
 * <p>Internal topics use replication factor and min ISR 1, {@code group.initial.rebalance.delay.ms} is 0,
 * topics are created automatically with {@value #DEFAULT_NUM_PARTITIONS} partitions unless told otherwise.
 *
 * <p>Plain by default (the tests' brokers); with {@link Security} every listener, the controller's too, requires a
 * client certificate of the cluster's CA, and an authorizer grants only what {@link KafkaAcls} lists: what
 * `./kubus up` and the compose stack run.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    /** Default partition count of automatically created topics. */
    public static final int DEFAULT_NUM_PARTITIONS = 3;

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final int NODE_ID = 1;
    private static final String HOST = "127.0.0.1";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    /** The clients' listener (and the broker's own); {@code CONTROLLER} is the KRaft controller's. */
    public static final String CLIENT_LISTENER = "CLIENT";

    private final KafkaRaftServer server;
    private final Path dataDir;
    private final KafkaClientConfig superUser;
    private final boolean deleteOnClose;
    private boolean closed;

    /**
     * TLS with client certificates on every listener and an authorizer: the broker's own certificate (valid for
     * the host clients connect to and for 127.0.0.1, where the broker reaches its controller; its common name is
     * the broker's user, the one super user), the authorities client certificates are checked against, and the
     * ACLs made on every start (making one that exists changes nothing).
     */
    public record Security(PrivateKey key, List<X509Certificate> chain, List<X509Certificate> authorities,
                           List<AclBinding> acls) {
        public Security {
            chain = List.copyOf(chain);
            authorities = List.copyOf(authorities);
            acls = List.copyOf(acls);
        }

        /** Kubus's rules ({@link KafkaAcls}) with this certificate. */
        public static Security kubus(PrivateKey key, List<X509Certificate> chain, List<X509Certificate> authorities) {
            return new Security(key, chain, authorities, KafkaAcls.bindings());
        }

        String user() {
            return Subjects.of(chain.getFirst()).user();
        }
    }

    private EmbeddedKafkaBroker(KafkaRaftServer server, Path dataDir, KafkaClientConfig superUser, boolean deleteOnClose) {
        this.server = server;
        this.dataDir = dataDir;
        this.superUser = superUser;
        this.deleteOnClose = deleteOnClose;
    }

    /** Starts a broker that keeps its data in {@code dataDir}; {@code port} 0 picks a free port. */
    public static EmbeddedKafkaBroker start(Path dataDir, int port) {
        return start(dataDir, port, Map.of());
    }

    /** As {@link #start(Path, int)}, with {@code num.partitions} for automatically created topics. */
    public static EmbeddedKafkaBroker start(Path dataDir, int port, int numPartitions) {
        return start(dataDir, port, Map.of("num.partitions", numPartitions));
    }

    /**
     * As {@link #start(Path, int)}; {@code overrides} are broker properties that replace the defaults
     * (listeners, node id, roles and log directories are not meant to be overridden).
     */
    public static EmbeddedKafkaBroker start(Path dataDir, int port, Map<String, ?> overrides) {
        return start(dataDir, port, overrides, null, false);
    }

    /** As {@link #start(Path, int, Map)}, with TLS, client certificates and ACLs. */
    public static EmbeddedKafkaBroker start(Path dataDir, int port, Map<String, ?> overrides, Security security) {
        return start(dataDir, port, overrides, security, false);
    }

    /**
     * Starts a broker on a free port with a fresh directory under {@code target/} (of the working
     * directory), deleted again by {@link #close()}. Meant for tests.
     */
    public static EmbeddedKafkaBroker startTemporary() {
        return startTemporary(Map.of());
    }

    /** As {@link #startTemporary()}, with broker property overrides. */
    public static EmbeddedKafkaBroker startTemporary(Map<String, ?> overrides) {
        return start(temporaryDir(), 0, overrides, null, true);
    }

    /** As {@link #startTemporary()}, secured. */
    public static EmbeddedKafkaBroker startTemporary(Security security) {
        return start(temporaryDir(), 0, Map.of(), security, true);
    }

    private static Path temporaryDir() {
        try {
            Path target = Paths.get("target").toAbsolutePath();
            Files.createDirectories(target);
            return Files.createTempDirectory(target, "embedded-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary broker directory under target/", e);
        }
    }

    private static EmbeddedKafkaBroker start(Path dataDir, int port, Map<String, ?> overrides, Security security,
                                             boolean deleteOnClose) {
        Path dir = dataDir.toAbsolutePath().normalize();
        KafkaRaftServer server = null;
        long started = System.nanoTime();
        try {
            Files.createDirectories(dir);
            int brokerPort = port == 0 ? freePort() : port;
            int controllerPort = freePort(brokerPort);
            Properties props = config(dir, brokerPort, controllerPort, overrides, security);
            boolean fresh = !Files.exists(dir.resolve("meta.properties"));
            if (fresh) {
                format(dir, props);
            }
            server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            server.startup();
            // the broker's own client port, whatever host it advertises
            String bootstrap = HOST + ":" + brokerPort;
            KafkaClientConfig superUser = security == null ? KafkaClientConfig.plaintext(bootstrap)
                    : KafkaClientConfig.tls(bootstrap, security.key(), security.chain(), security.authorities());
            awaitReady(superUser, security == null ? List.of() : security.acls());
            LOG.info("Embedded Kafka broker ready at {} in {} ms ({} storage in {}{})", bootstrap,
                    (System.nanoTime() - started) / 1_000_000, fresh ? "new" : "existing", dir,
                    security == null ? "" : ", TLS with client certificates and " + security.acls().size() + " ACLs");
            return new EmbeddedKafkaBroker(server, dir, superUser, deleteOnClose);
        } catch (IOException | RuntimeException e) {
            if (server != null) {
                stop(server);
            }
            if (deleteOnClose) {
                deleteRecursively(dir);
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException("embedded Kafka broker in " + dir + " did not start", io);
            }
            throw new IllegalStateException("embedded Kafka broker in " + dir + " did not start: " + e.getMessage(), e);
        }
    }

    /** {@code host:port} for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return superUser.bootstrapServers();
    }

    /** How the broker's own super user connects: for tests and tools that manage it. */
    public KafkaClientConfig superUser() {
        return superUser;
    }

    /** The directory holding the broker's data. */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * Shuts the broker down cleanly and waits for it. Deletes the data directory only for a broker
     * from {@link #startTemporary()}. Stop the clients (application contexts) first: clients of a
     * stopped broker retry for a long time.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop(server);
        } finally {
            if (deleteOnClose) {
                deleteRecursively(dataDir);
            }
        }
    }

    private static void stop(KafkaRaftServer server) {
        server.shutdown();
        server.awaitShutdown();
    }

    private static Properties config(Path dir, int brokerPort, int controllerPort, Map<String, ?> overrides,
                                     Security security) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("process.roles", "broker,controller");
        c.put("node.id", NODE_ID);
        c.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        c.put("listeners", CLIENT_LISTENER + "://" + HOST + ":" + brokerPort + ",CONTROLLER://" + HOST + ":" + controllerPort);
        c.put("advertised.listeners", CLIENT_LISTENER + "://" + HOST + ":" + brokerPort);
        String protocol = security == null ? "PLAINTEXT" : "SSL";
        c.put("listener.security.protocol.map", CLIENT_LISTENER + ":" + protocol + ",CONTROLLER:" + protocol);
        c.put("controller.listener.names", "CONTROLLER");
        c.put("inter.broker.listener.name", CLIENT_LISTENER);
        if (security != null) {
            // The broker reaches its controller (and itself) with its own certificate: it is the one super user.
            // No listener takes a client without a certificate, so no connection is ever ANONYMOUS.
            c.putAll(KafkaClientConfig.pemStores(security.key(), security.chain(), security.authorities()));
            c.put("ssl.client.auth", "required");
            c.put("ssl.principal.mapping.rules", KafkaAcls.PRINCIPAL_MAPPING_RULES);
            c.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            c.put("super.users", KafkaAcls.principal(security.user()));
            c.put("allow.everyone.if.no.acl.found", false);
        }
        c.put("log.dirs", dir.toString());
        c.put("auto.create.topics.enable", true);
        c.put("num.partitions", DEFAULT_NUM_PARTITIONS);
        c.put("default.replication.factor", 1);
        c.put("min.insync.replicas", 1);
        c.put("offsets.topic.replication.factor", 1);
        c.put("offsets.topic.num.partitions", 10);
        c.put("transaction.state.log.replication.factor", 1);
        c.put("transaction.state.log.min.isr", 1);
        c.put("transaction.state.log.num.partitions", 10);
        c.put("share.coordinator.state.topic.replication.factor", 1);
        c.put("share.coordinator.state.topic.min.isr", 1);
        c.put("group.initial.rebalance.delay.ms", 0);
        // The log cleaner allocates its dedupe buffer up front (128 MiB by default): keep a laptop's heap free.
        c.put("log.cleaner.dedupe.buffer.size", 8 * 1024 * 1024);
        c.put("log.cleaner.threads", 1);
        c.put("num.network.threads", 2);
        c.put("num.io.threads", 4);
        c.putAll(overrides);
        Properties props = new Properties();
        c.forEach((k, v) -> props.setProperty(k, String.valueOf(v)));
        return props;
    }

    private static void format(Path dir, Properties props) throws IOException {
        Path configFile = Files.createTempFile("kubus-kafka-format-", ".properties");
        try {
            try (OutputStream out = Files.newOutputStream(configFile)) {
                props.store(out, "kubus embedded broker: storage format");
            }
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            int rc;
            try (PrintStream ps = new PrintStream(output, true, StandardCharsets.UTF_8)) {
                rc = kafka.tools.StorageTool.execute(new String[] {
                        "format", "-t", Uuid.randomUuid().toString(), "-c", configFile.toString()}, ps);
            }
            if (rc != 0) {
                throw new IllegalStateException("formatting the Kafka storage in " + dir + " failed (" + rc + "): "
                        + output.toString(StandardCharsets.UTF_8).strip());
            }
        } finally {
            Files.deleteIfExists(configFile);
        }
    }

    private static void awaitReady(KafkaClientConfig superUser, List<AclBinding> acls) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Map<String, Object> conf = superUser.client(Map.of(
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000));
        String bootstrap = superUser.bootstrapServers();
        Exception last = null;
        try (Admin admin = Admin.create(conf)) {
            while (System.nanoTime() < deadline) {
                try {
                    if (!admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty()) {
                        if (!acls.isEmpty()) {
                            admin.createAcls(acls).all().get(10, TimeUnit.SECONDS);
                        }
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the broker", e);
                } catch (Exception e) {
                    last = e;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the broker", e);
                }
            }
        }
        throw new IllegalStateException("broker at " + bootstrap + " did not answer describeCluster within "
                + READY_TIMEOUT.toSeconds() + " s", last);
    }

    private static int freePort(int... avoid) {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
                socket.setReuseAddress(true);
                int p = socket.getLocalPort();
                if (java.util.Arrays.stream(avoid).noneMatch(a -> a == p)) {
                    return p;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot find a free port", e);
            }
        }
        throw new IllegalStateException("cannot find a free port");
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a leftover directory under target/ is harmless
        }
    }

    @Override
    public String toString() {
        return "EmbeddedKafkaBroker[" + superUser + ", " + dataDir + "]";
    }
}

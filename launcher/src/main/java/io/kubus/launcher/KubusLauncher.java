package io.kubus.launcher;

import io.kubus.broker.BrokerCertificates;
import io.kubus.broker.EmbeddedKafkaBroker;
import io.kubus.client.config.ClientConfig;
import io.kubus.client.kafka.KafkaClientConfig;
import io.kubus.client.tls.CertificateAuthority;
import io.kubus.client.tls.ClusterPki;
import io.kubus.client.tls.Identities;
import io.kubus.gateway.GatewayApplication;
import io.kubus.agent.NodeAgentApplication;
import io.kubus.agent.dns.LocalAddress;
import io.kubus.agent.runtime.docker.DockerRuntime;
import io.kubus.controllers.ControllersApplication;
import io.kubus.scheduler.SchedulerApplication;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.EmbeddedApplication;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The one-command local cluster: starts the embedded Kafka broker (data in {@code DIR/kafka}), then the
 * api-gateway in the same JVM on an H2 file database ({@code DIR/db}), writes {@code DIR/kubeconfig} and
 * {@code DIR/state.properties}, and on shutdown (SIGTERM, Ctrl-C) stops the gateway before the broker,
 * because Kafka clients of a stopped broker retry for about 30 s.
 *
 * <p>Only one launcher runs on a data directory at a time ({@code DIR/kubus.lock}). {@code DIR/kubus.pid} exists
 * from the moment the directory is taken, {@code DIR/state.properties} once the cluster is up; both go on shutdown.
 */
public final class KubusLauncher implements AutoCloseable {

    /** Exit code when the arguments are wrong. */
    public static final int EXIT_USAGE = 2;
    /** Exit code when another launcher runs on the same data directory. */
    public static final int EXIT_ALREADY_RUNNING = 3;

    private static final String LOGBACK_CONFIG = "kubus-launcher-logback.xml";

    private final LauncherOptions options;
    private final Logger log = LoggerFactory.getLogger(KubusLauncher.class);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Object lifecycle = new Object();
    private FileChannel lockChannel;
    private FileLock lock;
    private EmbeddedKafkaBroker broker;
    private ClusterPki pki;
    private ApplicationContext gateway;
    private List<ApplicationContext> agents = List.of();
    private ApplicationContext scheduler;
    private ApplicationContext controllers;
    private String runtimeLine = "";
    /** The host's address on Docker's pod network when the nodes run pods on Docker; null on simulated nodes. */
    private String podNetworkAddress;
    private boolean closed;

    public KubusLauncher(LauncherOptions options) {
        this.options = options;
    }

    public static void main(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", LOGBACK_CONFIG);
        }
        LauncherOptions options;
        try {
            options = LauncherOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("kubus: " + e.getMessage());
            System.err.print(LauncherOptions.USAGE);
            System.exit(EXIT_USAGE);
            return;
        }
        if (options.help()) {
            System.out.print(LauncherOptions.USAGE);
            return;
        }
        KubusLauncher launcher = new KubusLauncher(options);
        Runtime.getRuntime().addShutdownHook(new Thread(launcher::close, "kubus-shutdown"));
        try {
            launcher.start();
        } catch (AlreadyRunningException e) {
            System.err.println("kubus: " + e.getMessage());
            System.exit(EXIT_ALREADY_RUNNING);
            return;
        } catch (RuntimeException | IOException e) {
            launcher.log.error("Kubus did not start", e);
            System.err.println("kubus: did not start: " + e.getMessage());
            System.exit(1);
            return;
        }
        System.out.print(launcher.welcome());
        System.out.flush();
        launcher.awaitStopped();
    }

    /** Starts the broker, the gateway, the scheduler, the controllers and the node agents, then writes the kubeconfig and the state file. */
    public void start() throws IOException {
        long t0 = System.nanoTime();
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("closed");
            }
            Files.createDirectories(options.dataDir());
            lock();
            Files.deleteIfExists(options.stateFile());
            ClusterFiles.writeAtomically(options.pidFile(), ProcessHandle.current().pid() + "\n");
            log.info("Starting Kubus in {}", options.dataDir());
            writeCredentials();
            broker = startBroker();
            boolean clusterExists = Files.exists(options.databaseFile().resolveSibling(
                    options.databaseFile().getFileName() + ".mv.db"));
            if (ClusterFiles.ensureEncryptionConfig(options.encryptionConfig(), clusterExists)) {
                log.info("Wrote {} with a new key: Secrets are encrypted at rest with it; keep it with the data",
                        options.encryptionConfig());
            }
            Files.createDirectories(options.databaseFile().getParent());
            chooseRuntime();
            gateway = startGateway(broker.bootstrapServers());
            scheduler = startScheduler(broker.bootstrapServers());
            controllers = startControllers(broker.bootstrapServers());
            agents = startAgents(broker.bootstrapServers());
            ClusterFiles.writeState(options.stateFile(), ProcessHandle.current().pid(), options.apiUrl(),
                    broker.bootstrapServers(), options.dataDir(), runtimeLine);
        }
        log.info("Kubus started in {} ms: API {}, Kafka {}", (System.nanoTime() - t0) / 1_000_000,
                options.apiUrl(), broker.bootstrapServers());
    }

    /**
     * The cluster's PKI (made on the first start, kept after) and a kubeconfig per identity, as kubeadm writes
     * admin.conf, scheduler.conf, controller-manager.conf and kubelet.conf: the user's is the administrator's
     * ({@code system:masters}); each service gets only its own identity and the rights RBAC gives it.
     */
    private void writeCredentials() {
        List<String> hosts = new ArrayList<>(CertificateAuthority.localHosts());
        hosts.add(options.bind());
        pki = ClusterPki.ensure(options.pkiDir(), hosts);
        String server = options.apiUrl();
        pki.writeKubeconfig(options.kubeconfig(), server, Identities.ADMIN);
        pki.writeKubeconfig(options.dataDir().resolve("scheduler.kubeconfig"), server, Identities.SCHEDULER);
        pki.writeKubeconfig(options.dataDir().resolve("controller-manager.kubeconfig"), server,
                Identities.CONTROLLER_MANAGER);
    }

    /**
     * The broker, on 127.0.0.1 whatever the API binds to, with TLS on every listener: it takes only clients with a
     * certificate of the cluster's CA and gives each Kubus identity its rights alone (KafkaAcls). The administrator's
     * Kafka client settings go beside the kubeconfig, for event consumers and Kafka's own tools.
     */
    private EmbeddedKafkaBroker startBroker() throws IOException {
        CertificateAuthority.Issued cert = BrokerCertificates.write(pki, options.pkiDir(), List.of());
        EmbeddedKafkaBroker started = EmbeddedKafkaBroker.start(options.kafkaDir(), options.kafkaPort(), Map.of(),
                EmbeddedKafkaBroker.Security.kubus(cert.key(), List.of(cert.certificate()),
                        List.of(pki.ca().certificate())));
        ClientConfig administrator = ClientConfig.fromKubeconfig(options.kubeconfig());
        ClientConfig.Identity id = administrator.identity().orElseThrow();
        KafkaClientConfig admin = KafkaClientConfig.tls(started.bootstrapServers(), id.key(), id.chain(),
                administrator.authorities());
        ClusterFiles.writeKafkaClientProperties(options.kafkaClientProperties(), admin);
        return started;
    }

    /** The settings each service's Kafka clients start from: the broker's address, over TLS as the service. */
    private static Map<String, Object> kafka(String bootstrap) {
        return Map.of("kubus.kafka.bootstrap-servers", bootstrap, "kubus.kafka.security-protocol", KafkaClientConfig.SSL);
    }

    /**
     * An agent's kubeconfig: user {@code system:node:NAME} in {@code system:nodes}, as a kubelet's client
     * certificate; an agent simulating several nodes {@code NAME-0..} is their pool (kubus:simulated-node-pools).
     */
    private Path nodeKubeconfig(String node, int nodes) {
        Path file = options.dataDir().resolve("node-" + node + ".kubeconfig");
        pki.writeKubeconfig(file, options.apiUrl(), Identities.node(node, nodes));
        return file;
    }

    private ApplicationContext startGateway(String kafkaBootstrap) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("micronaut.server.port", options.apiPort());
        props.put("micronaut.server.host", options.bind());
        if (podNetworkAddress != null) {
            // Pods reach the API through the kubernetes Service at the host's address on their network; an API bound
            // to the loopback only listens there as well (pods cannot reach the host's 127.0.0.1)
            props.put("kubus.gateway.advertise-address", isLoopback(options.bind()) || isWildcard(options.bind())
                    ? podNetworkAddress : options.bind());
            if (isLoopback(options.bind())) {
                for (Map.Entry<String, String> listener : Map.of("main", options.bind(), "pods", podNetworkAddress).entrySet()) {
                    String prefix = "micronaut.server.netty.listeners." + listener.getKey() + ".";
                    props.put(prefix + "host", listener.getValue());
                    props.put(prefix + "port", options.apiPort());
                    props.put(prefix + "ssl", true);
                }
            }
        }
        props.put("kubus.auth.pki-dir", options.pkiDir().toString());
        props.putAll(kafka(kafkaBootstrap));
        props.put("datasources.default.url", options.jdbcUrl());
        props.put("datasources.default.driver-class-name", "org.h2.Driver");
        props.put("datasources.default.username", "sa");
        props.put("datasources.default.password", "");
        props.put("kubus.encryption.provider-config", options.encryptionConfig().toString());
        // Built like io.micronaut.runtime.Micronaut#start, but without Micronaut's own JVM shutdown hook:
        // that hook would stop the gateway concurrently with ours, so the broker could stop first.
        ApplicationContext ctx = ApplicationContext.builder()
                .mainClass(GatewayApplication.class)
                .environments("api-gateway")
                .properties(props)
                .banner(false)
                .start();
        try {
            ctx.findBean(EmbeddedApplication.class).ifPresent(EmbeddedApplication::start);
            return ctx;
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
    }

    /**
     * The node agents in this JVM, on the runtime asked for (auto: Docker when an engine answers, else simulated),
     * and a line that says which. One node is {@code kubus-node}; N nodes are {@code kubus-node-0..N-1}, as the agent
     * names simulated nodes. Each Docker node is an agent of its own (its containers carry its name, so that the next
     * start adopts them); simulated nodes share one agent, as kwok's do.
     */
    private List<ApplicationContext> startAgents(String kafkaBootstrap) {
        int n = options.nodes();
        List<ApplicationContext> started = new ArrayList<>();
        if (podNetworkAddress == null) {
            started.add(startAgent(kafkaBootstrap, "simulated", "kubus-node", n, "agent"));
            return started;
        }
        for (int i = 0; i < n; i++) {
            String node = n == 1 ? "kubus-node" : "kubus-node-" + i;
            // The first keeps the directory of the one-node cluster, so that a cluster grown from it keeps its state.
            started.add(startAgent(kafkaBootstrap, "docker", node, 1, i == 0 ? "agent" : "agent-" + node));
        }
        return started;
    }

    /**
     * The runtime asked for (auto: Docker when an engine answers, else simulated) and a line that says which; for
     * Docker, the host's address on the pod network ({@link #podNetworkAddress}), where pods reach the API and the nodes.
     */
    private void chooseRuntime() {
        int n = options.nodes();
        boolean docker = switch (options.runtime()) {
            case DOCKER -> {
                if (!dockerAnswers()) {
                    throw new IllegalStateException("--runtime docker: no Docker engine answers at "
                            + options.dockerHost() + " (start one, or use --runtime simulated)");
                }
                yield true;
            }
            case SIMULATED -> false;
            case AUTO -> dockerAnswers();
        };
        String names = n == 1 ? "node kubus-node" : n + " nodes kubus-node-0.." + (n - 1);
        runtimeLine = docker ? names + " run" + (n == 1 ? "s" : "") + " pods as Docker containers"
                : (options.runtime() == LauncherOptions.NodeRuntime.AUTO
                ? "no Docker engine answers at " + options.dockerHost() + ": " : "")
                + names + " run" + (n == 1 ? "s" : "") + " pods on the simulated runtime";
        log.info(runtimeLine);
        if (docker) {
            try (DockerRuntime engine = new DockerRuntime(options.dockerHost(), "probe")) {
                // the same address the agent's DNS server listens on: the host's own in the network's subnet
                podNetworkAddress = LocalAddress.inSubnets(engine.podNetworkSubnets()).map(InetAddress::getHostAddress)
                        .orElseThrow(() -> new IllegalStateException("no address of this host is in Docker's network "
                                + DockerRuntime.DEFAULT_POD_NETWORK));
            }
        }
    }

    private ApplicationContext startAgent(String kafkaBootstrap, String runtime, String node, int nodes, String dir) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("kubus.agent.kubeconfig", nodeKubeconfig(node, nodes).toString());
        props.putAll(kafka(kafkaBootstrap));
        props.put("kubus.agent.runtime", runtime);
        props.put("kubus.agent.docker-host", options.dockerHost().toString());
        props.put("kubus.agent.node-name", node);
        props.put("kubus.agent.nodes", nodes);
        // the node's address: the host's on the pod network, where pods, the host and the gateway all reach it
        // (NodePorts and LoadBalancer addresses are served there); a simulated node's is never dialled
        props.put("kubus.agent.host-ip", podNetworkAddress != null ? podNetworkAddress : "127.0.0.1");
        props.put("kubus.agent.data-dir", options.dataDir().resolve(dir).toString());
        // Any free port for logs and exec: the node advertises it in its status, and a laptop may run a kubelet.
        props.put("kubus.agent.port", -1);
        return ApplicationContext.builder().environments(NodeAgentApplication.ENVIRONMENT).properties(props)
                .banner(false).start();
    }

    private ApplicationContext startScheduler(String kafkaBootstrap) {
        Map<String, Object> props = new LinkedHashMap<>(kafka(kafkaBootstrap));
        props.put("kubus.scheduler.kubeconfig", options.dataDir().resolve("scheduler.kubeconfig").toString());
        props.put("kubus.scheduler.port", -1);
        return ApplicationContext.builder().environments(SchedulerApplication.ENVIRONMENT).properties(props)
                .banner(false).start();
    }

    private ApplicationContext startControllers(String kafkaBootstrap) {
        // Any free port for /metrics: a laptop may run a kube-controller-manager on 10257.
        Map<String, Object> props = new LinkedHashMap<>(kafka(kafkaBootstrap));
        props.put("kubus.controllers.kubeconfig", options.dataDir().resolve("controller-manager.kubeconfig").toString());
        props.put("kubus.controllers.port", -1);
        return ApplicationContext.builder().environments(ControllersApplication.ENVIRONMENT).properties(props)
                .banner(false).start();
    }

    private static boolean isLoopback(String address) {
        return InetAddress.ofLiteral(address).isLoopbackAddress(); // LauncherOptions took only IP addresses
    }

    private static boolean isWildcard(String address) {
        return InetAddress.ofLiteral(address).isAnyLocalAddress();
    }

    private boolean dockerAnswers() {
        try (DockerRuntime docker = new DockerRuntime(options.dockerHost(), "probe")) {
            docker.versionString();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** What the user reads after the start. */
    public String welcome() {
        Path kubeconfig = options.kubeconfig();
        return """

                Kubus is running.
                  API:         %s
                  Kafka:       %s (TLS with client certificates: %s)
                  kubeconfig:  %s
                  data:        %s
                  nodes:       %s

                Next:
                  export KUBECONFIG=%s; kubectl get namespaces

                """.formatted(options.apiUrl(), broker.bootstrapServers(), options.kafkaClientProperties(), kubeconfig, options.dataDir(), runtimeLine,
                kubeconfig);
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops the node agent, the controllers and the scheduler, the gateway, then the broker; removes the state file and releases the
     * data directory. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            boolean started = !agents.isEmpty() || controllers != null || scheduler != null || gateway != null || broker != null;
            if (started) {
                log.info("Stopping Kubus");
            }
            try {
                List<ApplicationContext> services = new ArrayList<>(agents);
                services.add(controllers);
                services.add(scheduler);
                for (ApplicationContext service : services) {
                    if (service != null) {
                        try {
                            service.close();
                        } catch (RuntimeException e) {
                            log.warn("Stopping {} failed", service.getEnvironment().getActiveNames(), e);
                        }
                    }
                }
                if (gateway != null) {
                    try {
                        gateway.close();
                    } catch (RuntimeException e) {
                        log.warn("Stopping the api-gateway failed", e);
                    }
                }
                if (broker != null) {
                    try {
                        broker.close();
                    } catch (RuntimeException e) {
                        log.warn("Stopping the Kafka broker failed", e);
                    }
                }
                if (lock != null) {
                    for (Path file : new Path[] {options.stateFile(), options.pidFile()}) {
                        try {
                            Files.deleteIfExists(file);
                        } catch (IOException e) {
                            log.warn("Cannot delete {}", file, e);
                        }
                    }
                }
            } finally {
                unlock();
                if (started) {
                    log.info("Kubus stopped");
                }
                stopped.countDown();
            }
        }
    }

    private void lock() throws IOException {
        Path file = options.lockFile();
        lockChannel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            lock = lockChannel.tryLock();
        } catch (IOException | RuntimeException e) {
            lockChannel.close();
            lockChannel = null;
            throw e;
        }
        if (lock == null) {
            lockChannel.close();
            lockChannel = null;
            throw new AlreadyRunningException("another Kubus runs on " + options.dataDir()
                    + " (see " + options.stateFile() + "); stop it with ./kubus down --data " + options.dataDir());
        }
    }

    private void unlock() {
        try {
            if (lock != null) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException e) {
            log.warn("Cannot release {}", options.lockFile(), e);
        } finally {
            lock = null;
            lockChannel = null;
        }
    }

    /** Another launcher holds the data directory. */
    public static final class AlreadyRunningException extends IllegalStateException {
        public AlreadyRunningException(String message) {
            super(message);
        }
    }
}

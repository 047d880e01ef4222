package io.kubus.launcher;

import io.kubus.agent.runtime.docker.DockerRuntime;

import io.kubus.schema.validation.IpAddresses;

import java.net.URI;
import java.nio.file.Path;

/**
 * Command line of the launcher: {@code --data DIR} (default {@code .kubus}), {@code --port P} (API port,
 * default 6443), {@code --kafka-port K} (default 0: a free port), {@code --nodes N} (default 1),
 * {@code --runtime docker|simulated} (default: docker when an engine answers), {@code --docker-host URI} (default
 * {@code unix:///var/run/docker.sock}; {@code ./kubus} passes {@code DOCKER_HOST}), {@code --bind ADDRESS} (the address
 * the API listens on, default 127.0.0.1: a laptop's cluster is not for the network unless asked). {@code --name=value}
 * works too.
 */
public record LauncherOptions(Path dataDir, String bind, int apiPort, int kafkaPort, int nodes, NodeRuntime runtime,
                              URI dockerHost, boolean help) {
    /** More simulated nodes than a laptop needs; each Docker node is an agent of its own. */
    public static final int MAX_NODES = 1000;

    public static final String USAGE = """
            usage: KubusLauncher [--data DIR] [--bind ADDRESS] [--port P] [--kafka-port K] [--nodes N]
                                 [--runtime docker|simulated] [--docker-host URI]
              --data DIR        where the cluster keeps its state (default .kubus)
              --bind ADDRESS    the address the API listens on (default 127.0.0.1; 0.0.0.0 for every interface)
              --port P          port of the Kubernetes API (default 6443)
              --kafka-port K    port of the embedded Kafka broker (default 0: a free port)
              --nodes N         how many nodes (default 1)
              --runtime R       docker or simulated (default: docker when a Docker engine answers, else simulated)
              --docker-host URI the Docker engine (default unix:///var/run/docker.sock)
            """;

    /** How the nodes run pods: {@code AUTO} picks Docker when an engine answers. */
    public enum NodeRuntime { AUTO, DOCKER, SIMULATED }

    public LauncherOptions {
        dataDir = dataDir.toAbsolutePath().normalize();
        if (!IpAddresses.isIp(bind)) {
            throw new IllegalArgumentException("--bind must be an IP address such as 127.0.0.1 or 0.0.0.0, not '" + bind + "'");
        }
        checkPort("--port", apiPort);
        checkPort("--kafka-port", kafkaPort);
        if (nodes < 1 || nodes > MAX_NODES) {
            throw new IllegalArgumentException("--nodes must be between 1 and " + MAX_NODES + ", not " + nodes);
        }
    }

    /** Parses the arguments; throws {@link IllegalArgumentException} with a message for the user. */
    public static LauncherOptions parse(String... args) {
        Path data = Path.of(".kubus");
        String bind = "127.0.0.1";
        int port = 6443;
        int kafkaPort = 0;
        int nodes = 1;
        NodeRuntime runtime = NodeRuntime.AUTO;
        URI dockerHost = DockerRuntime.DEFAULT_DOCKER_HOST;
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            switch (name) {
                case "-h", "--help" -> help = true;
                case "--data", "--bind", "--port", "--kafka-port", "--nodes", "--runtime", "--docker-host" -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException(name + " needs a value");
                        }
                        value = args[++i];
                    }
                    switch (name) {
                        case "--data" -> {
                            if (value.isBlank()) {
                                throw new IllegalArgumentException("--data needs a directory");
                            }
                            data = Path.of(value);
                        }
                        case "--port" -> port = parsePort(name, value);
                        case "--bind" -> bind = value.trim();
                        case "--docker-host" -> dockerHost = parseDockerHost(value);
                        case "--nodes" -> nodes = parseNodes(value);
                        case "--runtime" -> runtime = switch (value.trim()) {
                            case "docker" -> NodeRuntime.DOCKER;
                            case "simulated" -> NodeRuntime.SIMULATED;
                            default -> throw new IllegalArgumentException(
                                    "--runtime must be docker or simulated, not '" + value + "'");
                        };
                        default -> kafkaPort = parsePort(name, value);
                    }
                }
                default -> throw new IllegalArgumentException("unknown argument: " + arg);
            }
        }
        return new LauncherOptions(data, bind, port, kafkaPort, nodes, runtime, dockerHost, help);
    }

    private static URI parseDockerHost(String value) {
        try {
            URI uri = new URI(value.trim());
            if ("unix".equals(uri.getScheme()) && uri.getPath() != null && !uri.getPath().isEmpty()
                    || "tcp".equals(uri.getScheme()) && uri.getHost() != null && uri.getPort() > 0) {
                return uri;
            }
        } catch (java.net.URISyntaxException e) {
            // the message below says what is expected
        }
        throw new IllegalArgumentException("--docker-host must be unix:///path/to/docker.sock or tcp://host:port, not '"
                + value + "'");
    }

    private static int parseNodes(String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--nodes must be a number, not '" + value + "'");
        }
    }

    private static int parsePort(String name, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a port number, not '" + value + "'");
        }
    }

    private static void checkPort(String name, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(name + " must be between 0 and 65535, not " + port);
        }
    }

    /** The cluster's PKI folder: its CA, the API's serving certificate, the ServiceAccount signing key. */
    public Path pkiDir() {
        return dataDir.resolve("pki");
    }

    public Path kafkaDir() {
        return dataDir.resolve("kafka");
    }

    /** The administrator's Kafka client settings (TLS, its certificate): {@code --consumer.config} for Kafka's tools. */
    public Path kafkaClientProperties() {
        return dataDir.resolve("kafka-client.properties");
    }

    public Path databaseFile() {
        return dataDir.resolve("db").resolve("kubus");
    }

    /** The gateway's encryption provider configuration: Secrets are encrypted at rest with its key. */
    public Path encryptionConfig() {
        return dataDir.resolve("encryption-config.yaml");
    }

    public Path kubeconfig() {
        return dataDir.resolve("kubeconfig");
    }

    public Path stateFile() {
        return dataDir.resolve("state.properties");
    }

    public Path pidFile() {
        return dataDir.resolve("kubus.pid");
    }

    public Path lockFile() {
        return dataDir.resolve("kubus.lock");
    }

    public String apiUrl() {
        return "https://" + (bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1" : bind.contains(":") ? "[" + bind + "]" : bind) + ":" + apiPort;
    }

    /**
     * The H2 URL of the gateway's store, in the PostgreSQL mode that Micronaut Data's dialect needs. H2 does not close
     * the database in its own shutdown hook: the launcher closes it after the services that use it have stopped
     * (otherwise a stopping cluster's last requests and relay rounds fail on a closed database).
     */
    public String jdbcUrl() {
        return "jdbc:h2:file:" + databaseFile()
                + io.kubus.gateway.store.H2Settings.URL_FLAGS + ";DB_CLOSE_ON_EXIT=FALSE";
    }
}

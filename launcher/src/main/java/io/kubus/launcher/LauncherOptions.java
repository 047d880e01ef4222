package io.kubus.launcher;

import java.nio.file.Path;

/**
 * Command line of the launcher: {@code --data DIR} (default {@code .kubus}), {@code --port P} (API port,
 * default 6443), {@code --kafka-port K} (default 0: a free port). {@code --name=value} works too.
 */
public record LauncherOptions(Path dataDir, int apiPort, int kafkaPort, boolean help) {

    public static final String USAGE = """
            usage: KubusLauncher [--data DIR] [--port P] [--kafka-port K]
              --data DIR        where the cluster keeps its state (default .kubus)
              --port P          port of the Kubernetes API (default 6443)
              --kafka-port K    port of the embedded Kafka broker (default 0: a free port)
            """;

    public LauncherOptions {
        dataDir = dataDir.toAbsolutePath().normalize();
        checkPort("--port", apiPort);
        checkPort("--kafka-port", kafkaPort);
    }

    /** Parses the arguments; throws {@link IllegalArgumentException} with a message for the user. */
    public static LauncherOptions parse(String... args) {
        Path data = Path.of(".kubus");
        int port = 6443;
        int kafkaPort = 0;
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
                case "--data", "--port", "--kafka-port" -> {
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
                        default -> kafkaPort = parsePort(name, value);
                    }
                }
                default -> throw new IllegalArgumentException("unknown argument: " + arg);
            }
        }
        return new LauncherOptions(data, port, kafkaPort, help);
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

    public Path kafkaDir() {
        return dataDir.resolve("kafka");
    }

    public Path databaseFile() {
        return dataDir.resolve("db").resolve("kubus");
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
        return "http://127.0.0.1:" + apiPort;
    }

    /** The H2 URL of the gateway's store, in the PostgreSQL mode that Micronaut Data's dialect needs. */
    public String jdbcUrl() {
        return "jdbc:h2:file:" + databaseFile() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
    }
}

package io.kubus.launcher;

import io.kubus.launcher.probe.PortProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every port a `./kubus up` cluster listens on, found from the kernel's socket table rather than from a list kept by
 * hand, probed as a stranger (PortProbe): without credentials, no port hands out objects, logs, exec or topics. The
 * API answers 401 (but for /healthz and /version); the node agent refuses the TLS handshake; the scheduler's and
 * controllers' ports serve health and counters only; the broker and its KRaft controller take no Kafka client without
 * a certificate. The administrator's Kafka settings, which `./kubus up` writes, list the topics: the probe would see
 * a broker that answers.
 */
class LauncherPortsTest {
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
            Properties admin = new Properties();
            try (var in = Files.newBufferedReader(options.kafkaClientProperties())) {
                admin.load(in);
            }
            PortProbe probe = new PortProbe(admin.getProperty("ssl.truststore.certificates"));
            assertEquals(List.of(), probe.served("127.0.0.1", ports), "nothing served without credentials");
            // the probe's Kafka client gets an answer where credentials are given
            assertTrue(PortProbe.topics(admin).orElseThrow().contains("kubus.core.v1.pods"),
                    "the administrator reads the topics");
            HttpClient anyTls = probe.stranger();
            assertEquals(401, PortProbe.status(anyTls, "https://127.0.0.1:" + apiPort + "/api/v1/secrets"));
            assertEquals(200, PortProbe.status(anyTls, "https://127.0.0.1:" + apiPort + "/healthz"));
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
            // read once: the table changes between two reads (it shrank under a CI run's connection churn)
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f[3].equals("0A") && inodes.contains(f[9])) {
                    ports.add(Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16));
                }
            }
        }
        return ports;
    }
}

package io.kubus.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LauncherOptionsTest {

    @Test
    void defaults() {
        LauncherOptions o = LauncherOptions.parse();
        assertEquals(Path.of(".kubus").toAbsolutePath().normalize(), o.dataDir());
        assertEquals(6443, o.apiPort());
        assertEquals(0, o.kafkaPort());
        assertFalse(o.help());
        assertEquals("https://127.0.0.1:6443", o.apiUrl());
        assertEquals("127.0.0.1", o.bind());
        assertEquals(o.dataDir().resolve("kafka"), o.kafkaDir());
        assertEquals(1, o.nodes());
        assertEquals(LauncherOptions.NodeRuntime.AUTO, o.runtime());
        assertEquals("unix:///var/run/docker.sock", o.dockerHost().toString());
    }

    @Test
    void bind() {
        assertEquals("https://127.0.0.1:6443", LauncherOptions.parse("--bind", "0.0.0.0").apiUrl());
        assertEquals("0.0.0.0", LauncherOptions.parse("--bind=0.0.0.0").bind());
        assertEquals("https://10.1.2.3:7443", LauncherOptions.parse("--bind", "10.1.2.3", "--port", "7443").apiUrl());
        for (String bad : new String[] {"", "localhost", "10.1.2", "0.0.0.0/0"}) {
            assertEquals("--bind must be an IP address such as 127.0.0.1 or 0.0.0.0, not '" + bad + "'",
                    assertThrows(IllegalArgumentException.class, () -> LauncherOptions.parse("--bind", bad)).getMessage(), bad);
        }
    }

    @Test
    void dockerHost() {
        assertEquals("unix:///run/user/1000/docker.sock",
                LauncherOptions.parse("--docker-host", "unix:///run/user/1000/docker.sock").dockerHost().toString());
        assertEquals("tcp://10.0.0.5:2375", LauncherOptions.parse("--docker-host=tcp://10.0.0.5:2375").dockerHost().toString());
        for (String bad : new String[] {"", "/var/run/docker.sock", "unix://", "tcp://host", "http://host:2375", "::"}) {
            assertEquals("--docker-host must be unix:///path/to/docker.sock or tcp://host:port, not '" + bad + "'",
                    assertThrows(IllegalArgumentException.class, () -> LauncherOptions.parse("--docker-host", bad))
                            .getMessage(), bad);
        }
    }

    @Test
    void nodesAndRuntime() {
        LauncherOptions o = LauncherOptions.parse("--nodes", "3", "--runtime=simulated");
        assertEquals(3, o.nodes());
        assertEquals(LauncherOptions.NodeRuntime.SIMULATED, o.runtime());
        assertEquals(LauncherOptions.NodeRuntime.DOCKER, LauncherOptions.parse("--runtime", "docker").runtime());
    }

    @Test
    void bothArgumentForms() {
        LauncherOptions o = LauncherOptions.parse("--data", "/tmp/k", "--port=16443", "--kafka-port", "19092");
        assertEquals(Path.of("/tmp/k"), o.dataDir());
        assertEquals(16443, o.apiPort());
        assertEquals(19092, o.kafkaPort());
        assertEquals("jdbc:h2:file:/tmp/k/db/kubus;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;QUERY_CACHE_SIZE=64;DB_CLOSE_ON_EXIT=FALSE",
                o.jdbcUrl());
    }

    @Test
    void badArgumentsSayWhatIsWrong() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LauncherOptions.parse("--port"))
                .getMessage().contains("--port needs a value"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LauncherOptions.parse("--port", "x"))
                .getMessage().contains("port number"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LauncherOptions.parse("--port", "70000"))
                .getMessage().contains("between 0 and 65535"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LauncherOptions.parse("--bogus"))
                .getMessage().contains("unknown argument"));
        assertEquals("--nodes must be between 1 and 1000, not 0",
                assertThrows(IllegalArgumentException.class, () -> LauncherOptions.parse("--nodes", "0")).getMessage());
        assertEquals("--nodes must be a number, not 'two'",
                assertThrows(IllegalArgumentException.class, () -> LauncherOptions.parse("--nodes=two")).getMessage());
        assertEquals("--runtime must be docker or simulated, not 'podman'",
                assertThrows(IllegalArgumentException.class, () -> LauncherOptions.parse("--runtime", "podman")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LauncherOptions.parse("--runtime"))
                .getMessage().contains("--runtime needs a value"));
    }

    @Test
    void stateFile(@TempDir Path dir) throws Exception {
        ClusterFiles.writeState(dir.resolve("state.properties"), 42, "http://127.0.0.1:16443", "127.0.0.1:9092", dir,
                "node kubus-node runs pods as Docker containers");
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(dir.resolve("state.properties"))) {
            p.load(in);
        }
        assertEquals("42", p.getProperty("pid"));
        assertEquals("http://127.0.0.1:16443", p.getProperty("api.url"));
        assertEquals("127.0.0.1:9092", p.getProperty("kafka.bootstrap"));
        assertEquals("node kubus-node runs pods as Docker containers", p.getProperty("nodes"));
        assertFalse(Files.exists(dir.resolve("state.properties.tmp")));
    }
}

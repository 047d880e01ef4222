package io.kubus.broker;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BrokerMainTest {

    @Test
    void listensOnTheGivenPortsAndAdvertisesTheGivenHost() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "broker-main-");
        int port = freePort();
        int controllerPort = freePort();
        // "localhost" rather than the default 127.0.0.1: the metadata must carry the advertised name.
        try (EmbeddedKafkaBroker broker = BrokerMain.start(Map.of(
                "KUBUS_BROKER_PORT", String.valueOf(port),
                "KUBUS_BROKER_CONTROLLER_PORT", String.valueOf(controllerPort),
                "KUBUS_BROKER_ADVERTISED_HOST", "localhost",
                "KUBUS_BROKER_DATA_DIR", dir.toString()));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port))) {
            Collection<Node> nodes = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
            assertEquals(1, nodes.size());
            assertEquals("localhost", nodes.iterator().next().host());
            assertEquals(port, nodes.iterator().next().port());
        }
        assertTrue(Files.exists(dir.resolve("meta.properties")), "the data directory was formatted");
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

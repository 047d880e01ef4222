package io.kubus.launcher;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.kubus.client.api.KubusApi;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ./kubus up} encrypts Secrets at rest with a key it makes on the cluster's first start, and only then. */
class LauncherEncryptionTest {
    @TempDir
    Path dir;

    @Test
    void theFirstStartMakesTheKeyLaterStartsKeepItAndALostKeyStopsTheStart() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        LauncherOptions options = LauncherOptions.parse("--data", dir.toString(), "--port", Integer.toString(port),
                "--nodes", "1", "--docker-host", "unix://" + dir.resolve("no-engine.sock"));
        String value = "v-" + UUID.randomUUID();
        try (StartedCluster cluster = StartedCluster.start(options)) {
            KubusApi api = cluster.api();
            api.create(ResourceTypes.SECRETS, new SecretBuilder().withNewMetadata().withName("db")
                    .withNamespace("default").endMetadata().addToStringData("password", value).build());
        }
        Path config = options.encryptionConfig();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(config)));
        String key = Files.readString(config);
        assertTrue(key.contains("aesgcm") && key.contains("name: key1"), key);
        String db = new String(Files.readAllBytes(dir.resolve("db").resolve("kubus.mv.db")), StandardCharsets.ISO_8859_1);
        assertTrue(db.contains("k8s:enc:aesgcm:v1:key1:"), "the Secret is stored encrypted");
        assertFalse(db.contains(value) || db.contains(Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))));

        try (StartedCluster cluster = StartedCluster.start(options)) {
            KubusApi api = cluster.api();
            Secret s = api.get(ResourceTypes.SECRETS, "default", "db", Secret.class).orElseThrow();
            assertEquals(value, new String(Base64.getDecoder().decode(s.getData().get("password")), StandardCharsets.UTF_8));
        }
        assertEquals(key, Files.readString(config), "the key is kept");

        Files.delete(config);
        try (KubusLauncher launcher = new KubusLauncher(options)) {
            IllegalStateException refused = assertThrows(IllegalStateException.class, launcher::start);
            assertTrue(refused.getMessage().contains(config + " is missing"), refused.getMessage());
        }
        assertFalse(Files.exists(config), "no second key made");
    }
}

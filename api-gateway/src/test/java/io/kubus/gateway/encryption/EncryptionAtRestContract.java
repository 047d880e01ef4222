package io.kubus.gateway.encryption;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.broker.EmbeddedKafkaBroker;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.gateway.testing.Kubectl;
import io.kubus.schema.KubusJson;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Secrets encrypted at rest, through a real gateway on each database Kubus supports (the subclasses pick H2 or
 * PostgreSQL, and how the database's raw content is read), with kubectl as the client.
 */
abstract class EncryptionAtRestContract {
    private static final String SECRETS = "/api/v1/namespaces/default/secrets";
    private static final String JSON = "application/json";

    @TempDir
    Path dir;

    /** A fresh, empty database. */
    abstract String freshDatabaseUrl(Path dir);

    /**
     * Everything the database holds for {@code jdbcUrl}, as text, read beneath the gateway (which is stopped): H2's
     * files byte for byte, or every row of every PostgreSQL table.
     */
    abstract String rawContent(String jdbcUrl, Path dir) throws Exception;

    @Test
    void secretValuesAreEncryptedInEveryStoredCopyAndNeverPublished() throws Exception {
        String jdbc = freshDatabaseUrl(dir);
        Path config = write("enc.yaml", config(aesgcm(key("key1")), identity()));
        List<String> values = new ArrayList<>();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            try (GatewayFixture gateway = start(broker, jdbc, config)) {
                Kubectl kubectl = kubectl(gateway);
                String created = value(values);
                assertEquals(201, gateway.request("POST", SECRETS, JSON, secret("db", created)).status());
                // kubectl apply copies the whole manifest, values included, into an annotation.
                String applied = value(values);
                Files.writeString(dir.resolve("applied.yaml"), KubusJson.write(
                        KubusJson.json().readTree(secret("applied", applied))));
                kubectl.run("apply", "-f", dir.resolve("applied.yaml").toString()).ok();
                String updated = value(values);
                assertEquals(200, gateway.request("PUT", SECRETS + "/db", JSON, withVersion(gateway, "db", updated))
                        .status());

                JsonNode got = json(gateway.request("GET", SECRETS + "/db", null, null));
                assertEquals(b64(updated), got.at("/data/password").asText(), "GET decrypts");
                JsonNode list = json(gateway.request("GET", SECRETS, null, null));
                assertEquals(List.of(b64(applied), b64(updated)), passwords(list), "LIST decrypts");
                assertTrue(kubectl.run("get", "secret", "applied", "-o", "jsonpath={.data.password}").ok().out()
                        .contains(b64(applied)), "kubectl reads it");

                // A paged list whose second page is read at the first page's version, from the history.
                JsonNode first = json(gateway.request("GET", SECRETS + "?limit=1", null, null));
                String token = first.at("/metadata/continue").asText();
                String later = value(values);
                assertEquals(200, gateway.request("PUT", SECRETS + "/db", JSON, withVersion(gateway, "db", later))
                        .status());
                JsonNode second = json(gateway.request("GET", SECRETS + "?limit=1&continue="
                        + URLEncoder.encode(token, StandardCharsets.UTF_8), null, null));
                assertEquals(List.of(b64(updated)), passwords(second), "the old version, read from the history");

                // A watch's initial events come from the store, decrypted.
                GatewayFixture.Reply watch = gateway.request("GET", SECRETS + "?watch=true&timeoutSeconds=1", null, null);
                assertEquals(200, watch.status());
                assertTrue(watch.body().contains(b64(later)) && watch.body().contains(b64(applied)), watch.body());
                // the outbox relay publishes after the response: read the topics once it has (while it runs)
                String published = everyTopic(broker);
                long deadline = System.nanoTime() + 15_000_000_000L;
                while (!published.contains("\"name\":\"applied\"") && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                    published = everyTopic(broker);
                }
                assertTrue(published.contains("\"name\":\"applied\""), "the Secrets' events were read");
                for (String v : values) {
                    assertFalse(published.contains(v) || published.contains(b64(v)), "a value on Kafka: " + v);
                }
            }
        }
        String raw = rawContent(jdbc, dir);
        assertTrue(raw.contains("k8s:enc:aesgcm:v1:key1:"), "the stored Secrets carry kube's aesgcm prefix");
        for (String v : values) {
            assertFalse(raw.contains(v) || raw.contains(b64(v)), "a value in clear in the database: " + v);
        }
    }

    @Test
    void rotationToANewKeyAndAwayFromTheOldOne() throws Exception {
        String jdbc = freshDatabaseUrl(dir);
        String key1 = key("key1");
        String key2 = key("key2");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            String plain = UUID.randomUUID().toString();
            try (GatewayFixture gateway = start(broker, jdbc, null)) {
                assertEquals(201, gateway.request("POST", SECRETS, JSON, secret("before", plain)).status());
            }
            assertEquals(List.of("{"), storedPrefixes(jdbc), "without the setting, stored as it is");

            String first = UUID.randomUUID().toString();
            Path withKey1 = write("key1.yaml", config(aesgcm(key1), identity()));
            try (GatewayFixture gateway = start(broker, jdbc, withKey1)) {
                assertEquals(b64(plain), json(gateway.request("GET", SECRETS + "/before", null, null))
                        .at("/data/password").asText(), "identity reads what was stored before");
                assertEquals(201, gateway.request("POST", SECRETS, JSON, secret("after", first)).status());
            }
            assertEquals(List.of("k8s:enc:aesgcm:v1:key1:", "{"), storedPrefixes(jdbc), "after, before");

            // The new key writes, the old one still reads; every Secret is rewritten, as the README says.
            Path both = write("both.yaml", config(aesgcm(key2, key1), identity()));
            try (GatewayFixture gateway = start(broker, jdbc, both)) {
                Kubectl kubectl = kubectl(gateway);
                Files.writeString(dir.resolve("all.json"), kubectl.run("get", "secrets", "-A", "-o", "json").ok().out());
                // --validate=false: kubectl validates a List against the OpenAPI document, whose stub has no List.
                kubectl.run("replace", "--validate=false", "-f", dir.resolve("all.json").toString()).ok();
            }
            assertEquals(List.of("k8s:enc:aesgcm:v1:key2:"), storedPrefixes(jdbc));

            Path onlyKey2 = write("key2.yaml", config(aesgcm(key2)));
            try (GatewayFixture gateway = start(broker, jdbc, onlyKey2)) {
                assertEquals(b64(plain), json(gateway.request("GET", SECRETS + "/before", null, null))
                        .at("/data/password").asText());
                assertEquals(b64(first), json(gateway.request("GET", SECRETS + "/after", null, null))
                        .at("/data/password").asText());
            }
        }
    }

    @Test
    void aValueUnderAnUnknownKeyIsAnInternalErrorNotTheValue() throws Exception {
        String jdbc = freshDatabaseUrl(dir);
        String value = UUID.randomUUID().toString();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            try (GatewayFixture gateway = start(broker, jdbc, write("a.yaml", config(aesgcm(key("key1")), identity())))) {
                assertEquals(201, gateway.request("POST", SECRETS, JSON, secret("lost", value)).status());
            }
            try (GatewayFixture gateway = start(broker, jdbc, write("b.yaml", config(aesgcm(key("key2")), identity())))) {
                for (String path : List.of(SECRETS + "/lost", SECRETS, "/api/v1/secrets?limit=5")) {
                    GatewayFixture.Reply r = gateway.request("GET", path, null, null);
                    assertEquals(500, r.status(), path + ": " + r.body());
                    JsonNode status = json(r);
                    assertEquals("InternalError", status.path("reason").asText());
                    assertEquals("Internal error occurred: no matching key was found for the provided AES transformer",
                            status.path("message").asText());
                    assertFalse(r.body().contains(value) || r.body().contains(b64(value)));
                }
                Kubectl.Result get = kubectl(gateway).run("get", "secret", "lost");
                assertTrue(get.exitCode() != 0 && get.err().contains("no matching key was found"), get.err());
                assertEquals(200, gateway.request("GET", "/readyz", null, null).status(), "the gateway still serves");
                assertEquals(200, gateway.request("GET", "/api/v1/namespaces/default/configmaps", null, null).status());
            }
        }
    }

    @Test
    void aMissingOrInvalidFileStopsTheGateway() throws Exception {
        String jdbc = freshDatabaseUrl(dir);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            Path missing = dir.resolve("missing.yaml");
            String message = refusal(broker, jdbc, missing);
            assertTrue(message.contains(missing.toString()) && message.contains("kubus.encryption.provider-config")
                    && message.contains("error opening encryption provider configuration file"), message);

            String shortKey = Base64.getEncoder().encodeToString("seven!!".getBytes(StandardCharsets.UTF_8));
            Path invalid = write("short.yaml", config(aesgcm("{name: k, secret: " + shortKey + "}"), "{aescbc: {keys: []}}"));
            message = refusal(broker, jdbc, invalid);
            assertTrue(message.contains(invalid.toString()), message);
            assertTrue(message.contains("resources[0].providers[0].aesgcm.keys[0].secret: Invalid value: \"REDACTED\": "
                    + "secret is not of the expected length, got 7, expected one of [16 24 32]"), message);
            assertTrue(message.contains("resources[0].providers[1]: Unsupported value: \"aescbc\""), message);
            assertFalse(message.contains(shortKey), "the key is never told");
        }
    }

    private static String refusal(EmbeddedKafkaBroker broker, String jdbc, Path config) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> start(broker, jdbc, config).close());
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InvalidEncryptionConfigException refused) {
                return refused.getMessage();
            }
        }
        throw new AssertionError("the gateway failed for another reason", e);
    }

    private static GatewayFixture start(EmbeddedKafkaBroker broker, String jdbc, Path config) {
        Map<String, Object> extra = new HashMap<>();
        if (config != null) {
            extra.put("kubus.encryption.provider-config", config.toString());
        }
        return GatewayFixture.start(broker, false, jdbc, extra);
    }

    private Kubectl kubectl(GatewayFixture gateway) {
        Path work = dir.resolve("kubectl-" + UUID.randomUUID());
        return new Kubectl(gateway.writeKubeconfig(work), work);
    }

    /** The start of each stored Secret body: its provider's prefix and key, or "{" for JSON as it is. */
    private static List<String> storedPrefixes(String jdbc) throws SQLException {
        List<String> prefixes = new ArrayList<>();
        for (String body : column(jdbc, "SELECT body FROM api_object WHERE resource = '/v1/secrets' ORDER BY name")) {
            String prefix = body.startsWith("k8s:enc:") ? body.substring(0, body.indexOf(':', "k8s:enc:aesgcm:v1:".length()) + 1)
                    : body.substring(0, 1);
            if (!prefixes.contains(prefix)) {
                prefixes.add(prefix);
            }
        }
        return prefixes;
    }

    static List<String> column(String jdbc, String sql) throws SQLException {
        Map<String, Object> ds = GatewayFixture.datasource(jdbc);
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(jdbc, (String) ds.get("datasources.default.username"),
                (String) ds.get("datasources.default.password"));
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    out.add(rs.getString(i));
                }
            }
        }
        return out;
    }

    /** Every record of every topic, internal ones too, from the start: keys, values and headers as text. */
    private static String everyTopic(EmbeddedKafkaBroker broker) throws Exception {
        List<String> topics;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            topics = new ArrayList<>(admin.listTopics(new ListTopicsOptions().listInternal(true)).names()
                    .get(30, TimeUnit.SECONDS));
        }
        StringBuilder all = new StringBuilder();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String t : topics) {
                consumer.partitionsFor(t).forEach(p -> parts.add(new TopicPartition(t, p.partition())));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                assertTrue(System.nanoTime() < deadline, "the topics were not read to their end in 60 s");
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    all.append(text(r.key())).append(' ').append(text(r.value()));
                    for (Header h : r.headers()) {
                        all.append(' ').append(h.key()).append('=').append(text(h.value()));
                    }
                    all.append('\n');
                }
            }
        }
        return all.toString();
    }

    private static String text(byte[] b) {
        return b == null ? "" : new String(b, StandardCharsets.ISO_8859_1);
    }

    private Path write(String name, String content) {
        try {
            return Files.writeString(dir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String config(String... providers) {
        return """
                apiVersion: apiserver.config.k8s.io/v1
                kind: EncryptionConfiguration
                resources:
                  - resources: [secrets]
                    providers: [%s]
                """.formatted(String.join(", ", providers));
    }

    static String aesgcm(String... keys) {
        return "{aesgcm: {keys: [" + String.join(", ", keys) + "]}}";
    }

    static String identity() {
        return "{identity: {}}";
    }

    /** A named key with 32 random bytes. */
    static String key(String name) {
        byte[] k = new byte[32];
        new java.security.SecureRandom().nextBytes(k);
        return "{name: " + name + ", secret: " + Base64.getEncoder().encodeToString(k) + "}";
    }

    private static String value(List<String> values) {
        String v = "v-" + UUID.randomUUID();
        values.add(v);
        return v;
    }

    static String b64(String v) {
        return Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8));
    }

    static String secret(String name, String password) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"" + name
                + "\",\"namespace\":\"default\"},\"data\":{\"password\":\"" + b64(password) + "\"}}";
    }

    private static String withVersion(GatewayFixture gateway, String name, String password) throws IOException {
        String rv = json(gateway.request("GET", SECRETS + "/" + name, null, null)).at("/metadata/resourceVersion").asText();
        var obj = (com.fasterxml.jackson.databind.node.ObjectNode) KubusJson.json().readTree(secret(name, password));
        obj.with("metadata").put("resourceVersion", rv);
        return KubusJson.write(obj);
    }

    private static List<String> passwords(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.path("items").forEach(i -> out.add(i.at("/data/password").asText()));
        return out;
    }

    private static JsonNode json(GatewayFixture.Reply reply) throws IOException {
        assertNotNull(reply.body());
        return KubusJson.json().readTree(reply.body());
    }
}

package io.kubus.gateway.ingest;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.broker.EmbeddedKafkaBroker;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.store.WriteOutcome;
import io.kubus.gateway.store.WriteResult;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.event.WatchEventType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ObjectStore#writeAll}, the batch write status ingestion stores through: one transaction, one resourceVersion
 * and one outbox row per change, all or nothing. The gateway runs with its relay off, so the outbox rows stay to be
 * read, and with status ingestion off, which must then not exist at all.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchWriteTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private GatewayFixture gateway;
    private ObjectStore store;
    private String jdbcUrl;

    @BeforeAll
    void start() {
        jdbcUrl = GatewayFixture.h2InMemory();
        gateway = GatewayFixture.start(EmbeddedKafkaBroker.startTemporary(), true, jdbcUrl, Map.of(
                "kubus.gateway.relay.enabled", "false",
                "kubus.gateway.status-ingest.enabled", "false"));
        store = gateway.context().getBean(ObjectStore.class);
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void statusIngestionCanBeSwitchedOff() {
        assertFalse(gateway.context().containsBean(StatusIngester.class));
    }

    @Test
    void eachChangeOfABatchGetsItsOwnVersionAndEventInOneCommit() throws Exception {
        store.write(ResourceTypes.CONFIGMAPS, "default", "b-old", current -> WriteOutcome.put(configMap("b-old", "0")));
        store.write(ResourceTypes.CONFIGMAPS, "default", "b-same", current -> WriteOutcome.put(configMap("b-same", "0")));
        long before = store.currentVersion();

        List<WriteResult> results = store.writeAll(List.of(
                new ObjectStore.Write(ResourceTypes.CONFIGMAPS, "default", "b-new",
                        current -> WriteOutcome.put(configMap("b-new", "1"))),
                new ObjectStore.Write(ResourceTypes.CONFIGMAPS, "default", "b-same", current -> WriteOutcome.keep()),
                new ObjectStore.Write(ResourceTypes.CONFIGMAPS, "default", "b-old",
                        current -> WriteOutcome.put(configMap("b-old", "2"))),
                new ObjectStore.Write(ResourceTypes.CONFIGMAPS, "default", "b-absent", current -> WriteOutcome.remove())));

        assertEquals(4, results.size());
        assertEquals(WatchEventType.ADDED, results.get(0).change());
        assertNull(results.get(1).change());
        assertEquals(WatchEventType.MODIFIED, results.get(2).change());
        assertNull(results.get(3).change());
        // In the order of the writes, consecutive, and nothing for the Keep or the removal of nothing.
        assertEquals(before + 1, version(results.get(0)));
        assertEquals(before + 2, version(results.get(2)));
        assertEquals(before + 2, store.currentVersion());
        assertEquals("2", store.get(ResourceTypes.CONFIGMAPS, "default", "b-old").orElseThrow()
                .path("data").path("v").asText());
        assertEquals(List.of((before + 1) + " default/b-new ADDED", (before + 2) + " default/b-old MODIFIED"),
                outboxAfter(before));
    }

    @Test
    void aDecisionThatRefusesRefusesTheWholeBatch() throws Exception {
        store.write(ResourceTypes.CONFIGMAPS, "default", "r-old", current -> WriteOutcome.put(configMap("r-old", "0")));
        long before = store.currentVersion();

        assertThrows(RuntimeException.class, () -> store.writeAll(List.of(
                new ObjectStore.Write(ResourceTypes.CONFIGMAPS, "default", "r-new",
                        current -> WriteOutcome.put(configMap("r-new", "1"))),
                new ObjectStore.Write(ResourceTypes.CONFIGMAPS, "default", "r-old",
                        current -> WriteOutcome.put(configMap("r-old", "1"))),
                new ObjectStore.Write(ResourceTypes.CONFIGMAPS, "default", "r-bad", current -> {
                    throw new IllegalStateException("refused");
                }))));

        assertEquals(before, store.currentVersion());
        assertTrue(store.get(ResourceTypes.CONFIGMAPS, "default", "r-new").isEmpty());
        assertEquals("0", store.get(ResourceTypes.CONFIGMAPS, "default", "r-old").orElseThrow()
                .path("data").path("v").asText());
        assertEquals(List.of(), outboxAfter(before));
    }

    @Test
    void twoWritesOfOneObjectInABatchApplyInOrder() {
        long before = store.currentVersion();
        List<WriteResult> results = store.writeAll(List.of(
                new ObjectStore.Write(ResourceTypes.CONFIGMAPS, "default", "twice",
                        current -> WriteOutcome.put(configMap("twice", "1"))),
                new ObjectStore.Write(ResourceTypes.CONFIGMAPS, "default", "twice", current -> {
                    ObjectNode next = current.deepCopy();
                    ((ObjectNode) next.get("data")).put("v", current.path("data").path("v").asText() + "+2");
                    return WriteOutcome.put(next);
                })));
        assertEquals(WatchEventType.ADDED, results.get(0).change());
        assertEquals(WatchEventType.MODIFIED, results.get(1).change());
        assertEquals(before + 2, version(results.get(1)));
        assertEquals("1+2", store.get(ResourceTypes.CONFIGMAPS, "default", "twice").orElseThrow()
                .path("data").path("v").asText());
    }

    private static long version(WriteResult r) {
        return Long.parseLong(r.object().path("metadata").path("resourceVersion").asText());
    }

    private static ObjectNode configMap(String name, String value) {
        ObjectNode cm = NODES.objectNode();
        cm.put("apiVersion", "v1");
        cm.put("kind", "ConfigMap");
        ObjectNode meta = cm.putObject("metadata");
        meta.put("name", name);
        meta.put("namespace", "default");
        meta.put("uid", UUID.randomUUID().toString());
        cm.putObject("data").put("v", value);
        return cm;
    }

    private List<String> outboxAfter(long version) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl, "sa", "");
             PreparedStatement ps = c.prepareStatement("SELECT resource_version, record_key, event_type FROM outbox "
                     + "WHERE resource_version > ? ORDER BY resource_version")) {
            ps.setLong(1, version);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getLong(1) + " " + rs.getString(2) + " " + rs.getString(3));
                }
            }
        }
        return rows;
    }
}

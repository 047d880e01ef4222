package io.kubus.gateway.store;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.broker.EmbeddedKafkaBroker;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A write made inside another write's decide (what the ResourceQuota admission does when it charges a quota for the
 * object being created) belongs to that write's transaction: it commits with it, and it is undone, event and all,
 * when the outer write refuses later. Run against each database Kubus supports.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class NestedWriteContract {
    private GatewayFixture gateway;
    private ObjectStore store;

    abstract String freshDatabaseUrl();

    @BeforeAll
    void startGateway() {
        gateway = GatewayFixture.start(EmbeddedKafkaBroker.startTemporary(), true, freshDatabaseUrl(), Map.of());
        store = gateway.context().getBean(ObjectStore.class);
    }

    @AfterAll
    void stopGateway() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void aNestedWriteCommitsWithTheOuterOneInVersionOrder() {
        long before = store.currentVersion();
        WriteResult outer = store.write(ResourceTypes.CONFIGMAPS, "default", "outer", cur -> {
            store.write(ResourceTypes.CONFIGMAPS, "default", "inner", c -> WriteOutcome.put(configMap("inner")));
            assertEquals(1, store.listCommitted(ResourceTypes.CONFIGMAPS, "default").stream()
                    .filter(o -> o.path("metadata").path("name").asText().equals("inner")).count(),
                    "the transaction sees its own nested write");
            return WriteOutcome.put(configMap("outer"));
        });
        ObjectNode inner = store.get(ResourceTypes.CONFIGMAPS, "default", "inner").orElseThrow();
        assertEquals(before + 1, Long.parseLong(inner.path("metadata").path("resourceVersion").asText()));
        assertEquals(before + 2, Long.parseLong(outer.object().path("metadata").path("resourceVersion").asText()));
        assertEquals(before + 2, store.currentVersion());
    }

    @Test
    void aNestedWriteIsUndoneWhenTheOuterOneRefuses() {
        long before = store.currentVersion();
        IllegalStateException refused = new IllegalStateException("refused after the charge");
        assertEquals(refused, assertThrows(IllegalStateException.class,
                () -> store.write(ResourceTypes.CONFIGMAPS, "default", "refused", cur -> {
                    store.write(ResourceTypes.CONFIGMAPS, "default", "charged", c -> WriteOutcome.put(configMap("charged")));
                    throw refused;
                })));
        assertTrue(store.get(ResourceTypes.CONFIGMAPS, "default", "charged").isEmpty(), "the nested write is gone");
        assertTrue(store.get(ResourceTypes.CONFIGMAPS, "default", "refused").isEmpty());
        assertEquals(before, store.currentVersion(), "no version taken, so no event in the outbox");
    }

    private static ObjectNode configMap(String name) {
        ObjectNode cm = JsonNodeFactory.instance.objectNode();
        cm.put("apiVersion", "v1").put("kind", "ConfigMap");
        cm.putObject("metadata").put("name", name).put("namespace", "default").put("uid", name + "-uid");
        return cm;
    }
}

package io.kubus.gateway.watch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceTypes;
import io.micronaut.transaction.TransactionOperations;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The objects admission looks up on every pod create, held in the gateway's memory: in a real gateway (H2, embedded
 * broker), a lookup made right after this gateway's own write sees it, a settled one is answered without the
 * database, and what a caller gets is its own copy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CachedObjectsTest {
    private static final String JSON = "application/json";

    private GatewayFixture gateway;
    private CachedObjects cache;
    private ObjectStore store;

    @BeforeAll
    void start() {
        gateway = GatewayFixture.start();
        cache = gateway.context().getBean(CachedObjects.class);
        store = gateway.context().getBean(ObjectStore.class);
        gateway.createNamespaces("ryw", "settled", "copies");
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void aPodCreatedRightAfterItsLimitRangeChangedGetsTheNewDefaultsEveryTime() {
        String ranges = "/api/v1/namespaces/ryw/limitranges";
        created(ranges, limitRange("100m"));
        for (int i = 1; i <= 40; i++) {
            String cpu = (100 + i) + "m";
            GatewayFixture.Reply patched = gateway.request("PATCH", ranges + "/defaults", "application/merge-patch+json",
                    "{\"spec\":{\"limits\":[{\"type\":\"Container\",\"defaultRequest\":{\"cpu\":\"" + cpu + "\"}}]}}");
            assertEquals(200, patched.status(), patched.body());
            JsonNode pod = created("/api/v1/namespaces/ryw/pods", pod("p" + i));
            assertEquals(cpu, pod.at("/spec/containers/0/resources/requests/cpu").asText(),
                    "pod " + i + " was admitted with the LimitRange as this gateway had just written it");
        }
        // a delete is seen as soon, and a pod after it gets no defaults
        assertEquals(200, gateway.request("DELETE", ranges + "/defaults", null, null).status());
        JsonNode plain = created("/api/v1/namespaces/ryw/pods", pod("after-delete"));
        assertTrue(plain.at("/spec/containers/0/resources").isMissingNode()
                || plain.at("/spec/containers/0/resources").isEmpty(), plain.toString());
    }

    @Test
    void aSettledObjectIsAnsweredFromMemoryNotTheDatabase() throws Exception {
        created("/api/v1/namespaces/settled/serviceaccounts",
                "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"robot\"}}");
        awaitFromCache("settled", "robot");
        // remove the row behind the store's back: no write of this gateway, no change event
        @SuppressWarnings("unchecked")
        TransactionOperations<Connection> tx = gateway.context().getBean(TransactionOperations.class);
        tx.executeWrite(status -> {
            try (PreparedStatement ps = status.getConnection().prepareStatement(
                    "DELETE FROM api_object WHERE resource LIKE '%/v1/serviceaccounts' AND namespace = 'settled' AND name = 'robot'")) {
                assertEquals(1, ps.executeUpdate());
            }
            return null;
        });
        assertFalse(store.get(ResourceTypes.SERVICEACCOUNTS, "settled", "robot").isPresent(), "gone from the database");
        assertTrue(cache.get(ResourceTypes.SERVICEACCOUNTS, "settled", "robot").isPresent(),
                "the cache answered without reading the database");
        // once this gateway writes the kind, the next lookup goes to the store until the write's event is back
        created("/api/v1/namespaces/settled/serviceaccounts",
                "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"other\"}}");
        assertTrue(cache.get(ResourceTypes.SERVICEACCOUNTS, "settled", "other").isPresent());
    }

    @Test
    void whatALookupReturnsIsTheCallersOwnCopy() {
        created("/api/v1/namespaces/copies/limitranges", limitRange("300m"));
        ObjectNode first = cache.list(ResourceTypes.LIMITRANGES, "copies").getFirst();
        first.putObject("spec").put("changed", true);
        ObjectNode again = cache.list(ResourceTypes.LIMITRANGES, "copies").getFirst();
        assertEquals("300m", again.at("/spec/limits/0/defaultRequest/cpu").asText());
        ObjectNode ns = cache.get(ResourceTypes.NAMESPACES, "", "copies").orElseThrow();
        ns.putObject("metadata").put("name", "renamed");
        assertEquals("copies", cache.get(ResourceTypes.NAMESPACES, "", "copies").orElseThrow().at("/metadata/name").asText());
    }

    @Test
    void onlyTheKindsItFollowsCanBeLookedUp() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> cache.get(ResourceTypes.PODS, "copies", "p"));
        assertEquals("pods are not cached", e.getMessage());
    }

    /** Waits until the lookup is answered from memory: the cache has the kind's change event of this gateway's write. */
    private void awaitFromCache(String namespace, String name) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (!cache.fresh(ResourceTypes.SERVICEACCOUNTS)) {
            assertTrue(Instant.now().isBefore(deadline), "the ServiceAccounts' change events never came back");
            Thread.sleep(10);
        }
        Optional<ObjectNode> found = cache.get(ResourceTypes.SERVICEACCOUNTS, namespace, name);
        assertTrue(found.isPresent());
    }

    private static String limitRange(String cpu) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"LimitRange\",\"metadata\":{\"name\":\"defaults\"},\"spec\":{\"limits\":"
                + "[{\"type\":\"Container\",\"defaultRequest\":{\"cpu\":\"" + cpu + "\"}}]}}";
    }

    private static String pod(String name) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"containers\":"
                + "[{\"name\":\"app\",\"image\":\"busybox\"}]}}";
    }

    private JsonNode created(String path, String body) {
        GatewayFixture.Reply r = gateway.request("POST", path, JSON, body);
        assertEquals(201, r.status(), r.body());
        try {
            return KubusJson.json().readTree(r.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }
}

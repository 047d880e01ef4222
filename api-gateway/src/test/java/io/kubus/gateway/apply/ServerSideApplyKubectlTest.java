package io.kubus.gateway.apply;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.gateway.testing.Kubectl;
import io.kubus.schema.KubusJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Server-side apply through the real kubectl against one gateway: field ownership in managedFields, a conflict
 * between two managers answered 409 naming both, {@code --force-conflicts}, a field dropped from the applier's file
 * removed, {@code kubectl diff --server-side}, updates recorded as their managers' (operation Update), and kubectl's
 * migration from client-side apply. The managedFields are compared, as field sets per manager and operation, with
 * what kube-apiserver 1.32 writes for the same sequence of requests.
 */
class ServerSideApplyKubectlTest {
    @TempDir
    static Path dir;
    static GatewayFixture gateway;
    static Kubectl kubectl;

    @BeforeAll
    static void start() {
        gateway = GatewayFixture.start();
        kubectl = new Kubectl(gateway.writeKubeconfig(dir), dir);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void twoManagersConflictForceTakesOwnershipAndDroppedFieldsGo() throws Exception {
        Path mine = write("mine.yaml", configMap("settings", "a: \"1\"\n  b: \"2\""));
        assertEquals("configmap/settings serverside-applied", kubectl.run("apply", "--server-side", "-f", mine.toString())
                .ok().out().trim());
        // an apply owns the leaves it sets, not the map that holds them (an update that makes the map owns it too)
        assertEquals(Map.of("kubectl/Apply", "{\"f:data\":{\"f:a\":{},\"f:b\":{}}}"), managedFields("settings"));

        // another manager setting a field kubectl owns, to another value: a conflict naming both
        Path theirs = write("theirs.yaml", configMap("settings", "a: \"9\""));
        Kubectl.Result conflict = kubectl.run("apply", "--server-side", "--field-manager=tuner", "-f", theirs.toString());
        assertNotEquals(0, conflict.exitCode());
        assertTrue(conflict.err().contains("Apply failed with 1 conflict: conflict with \"kubectl\": .data.a"), conflict.err());
        assertEquals("1", data("settings").path("a").asText(), "nothing changed");

        kubectl.run("apply", "--server-side", "--field-manager=tuner", "--force-conflicts", "-f", theirs.toString()).ok();
        assertEquals("9", data("settings").path("a").asText());
        assertEquals(Map.of("kubectl/Apply", "{\"f:data\":{\"f:b\":{}}}",
                "tuner/Apply", "{\"f:data\":{\"f:a\":{}}}"), managedFields("settings"));

        // kubectl's file no longer has b: nobody else owns it, so it goes; a stays, tuner owns it
        Path fewer = write("fewer.yaml", configMap("settings", "c: \"3\""));
        assertTrue(kubectl.run("diff", "--server-side", "-f", fewer.toString()).out().contains("-  b: \"2\""));
        kubectl.run("apply", "--server-side", "-f", fewer.toString()).ok();
        JsonNode data = data("settings");
        assertTrue(data.path("b").isMissingNode(), "a field dropped from the applier's file is removed: " + data);
        assertEquals("9", data.path("a").asText());
        assertEquals("3", data.path("c").asText());
        assertEquals(Map.of("kubectl/Apply", "{\"f:data\":{\"f:c\":{}}}",
                "tuner/Apply", "{\"f:data\":{\"f:a\":{}}}"), managedFields("settings"));

        // an update is recorded as its manager's, and takes the fields it changed from the appliers
        kubectl.run("patch", "configmap", "settings", "--type=merge", "-p", "{\"data\":{\"a\":\"10\",\"d\":\"4\"}}").ok();
        assertEquals(Map.of("kubectl/Apply", "{\"f:data\":{\"f:c\":{}}}",
                "kubectl-patch/Update", "{\"f:data\":{\"f:a\":{},\"f:d\":{}}}"), managedFields("settings"));
    }

    @Test
    void clientSideApplyMigratesToServerSide() throws Exception {
        Path csa = write("csa.yaml", configMap("legacy", "a: \"1\""));
        kubectl.run("apply", "-f", csa.toString()).ok();
        assertEquals("{\"f:data\":{\".\":{},\"f:a\":{}},\"f:metadata\":{\"f:annotations\":{\".\":{},"
                + "\"f:kubectl.kubernetes.io/last-applied-configuration\":{}}}}",
                managedFields("legacy").get("kubectl-client-side-apply/Update"));
        // the same configuration applied server-side shares the fields; kubectl then moves the client-side
        // manager's fields to its own apply entry (a JSON patch of managedFields), after which a change conflicts
        // with nobody
        Path same = write("same.yaml", configMap("legacy", "a: \"1\""));
        kubectl.run("apply", "--server-side", "-f", same.toString()).ok();
        Map<String, String> migrated = managedFields("legacy");
        assertEquals(null, migrated.get("kubectl-client-side-apply/Update"), "migrated: " + migrated);
        assertTrue(migrated.get("kubectl/Apply").contains("\"f:a\":{}"), migrated.toString());
        Path ssa = write("ssa.yaml", configMap("legacy", "a: \"2\""));
        kubectl.run("apply", "--server-side", "-f", ssa.toString()).ok();
        assertEquals("2", data("legacy").path("a").asText());
    }

    private static Path write(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }

    private static String configMap(String name, String data) {
        return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\ndata:\n  " + data + "\n";
    }

    private static JsonNode data(String name) throws Exception {
        return KubusJson.json().readTree(kubectl.run("get", "configmap", name, "-o", "json").ok().out()).path("data");
    }

    /** manager/operation → fieldsV1, as the server keeps them (kubectl hides them unless asked). */
    private static Map<String, String> managedFields(String name) throws Exception {
        JsonNode cm = KubusJson.json().readTree(kubectl.run("get", "configmap", name, "-o", "json",
                "--show-managed-fields").ok().out());
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode e : cm.path("metadata").path("managedFields")) {
            assertEquals("FieldsV1", e.path("fieldsType").asText());
            assertEquals("v1", e.path("apiVersion").asText());
            // entries the server writes carry their time; kubectl's migration patch writes its entry without one
            assertTrue(e.path("time").isMissingNode() || e.path("time").asText().endsWith("Z"), e.toString());
            out.put(e.path("manager").asText() + "/" + e.path("operation").asText(), KubusJson.write(e.path("fieldsV1")));
        }
        return out;
    }
}

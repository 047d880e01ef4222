package io.kubus.gateway.api;

import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The continue token's own encoding: pure logic, checked against the JDK's base64 and the format's rules. */
class ContinueTokenTest {

    @Test
    void encodesAsKubernetesDoesAndDecodesBackForEveryLength() {
        for (int n = 1; n <= 40; n++) {
            String start = "configmaps/default/" + "a".repeat(n) + "\u0000";
            ContinueToken token = new ContinueToken(1234, start);
            String json = "{\"v\":\"meta.k8s.io/v1\",\"rv\":1234,\"start\":\"configmaps/default/" + "a".repeat(n)
                    + "\\u0000\"}";
            assertEquals(Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8)),
                    token.encode(), "unpadded URL-safe base64 of Go's JSON, length " + n);
            assertEquals(token, ContinueToken.decode(token.encode()));
        }
    }

    @Test
    void theStartKeyNamesTheListItComesFrom() {
        String start = ContinueToken.startAfter(ResourceTypes.DEPLOYMENTS, "prod", "web");
        assertEquals("deployments.apps/prod/web\u0000", start);
        ContinueToken token = new ContinueToken(7, start);
        ContinueToken.Position inNamespace = token.position(ResourceTypes.DEPLOYMENTS, "prod");
        assertEquals("web", inNamespace.key().name());
        assertFalse(inNamespace.inclusive(), "after the key, not at it");
        ContinueToken.Position across = token.position(ResourceTypes.DEPLOYMENTS, null);
        assertEquals("prod", across.key().namespace());
        assertEquals("web", across.key().name());
        assertEquals(400, assertThrows(ApiException.class, () -> token.position(ResourceTypes.DEPLOYMENTS, "dev")).code());
        assertEquals(400, assertThrows(ApiException.class, () -> token.position(ResourceTypes.REPLICASETS, "prod")).code());
        assertEquals("node-1", new ContinueToken(7, ContinueToken.startAfter(ResourceTypes.NODES, "", "node-1"))
                .position(ResourceTypes.NODES, null).key().name());
        assertTrue(new ContinueToken(7, "deployments.apps/prod/web").position(ResourceTypes.DEPLOYMENTS, "prod")
                .inclusive(), "a key without the NUL starts at that key, as an etcd key would");
    }

    @Test
    void cleanPathIsGosPathClean() {
        assertEquals("/a/b", ContinueToken.cleanPath("/a/b"));
        assertEquals("/a/b", ContinueToken.cleanPath("/a//b/"));
        assertEquals("/a/c", ContinueToken.cleanPath("/a/b/../c"));
        assertEquals("/c", ContinueToken.cleanPath("/../../c"));
        assertEquals("/a", ContinueToken.cleanPath("/./a/."));
        assertEquals("/", ContinueToken.cleanPath("/"));
    }
}

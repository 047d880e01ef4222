package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.schema.KubusJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The StorageClass every cluster starts with ({@code local-path}, default) and the DefaultStorageClass admission
 * plugin, in a real gateway over HTTP.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DefaultStorageClassTest {
    private static final String CLASSES = "/apis/storage.k8s.io/v1/storageclasses";
    private static final String CLAIMS = "/api/v1/namespaces/default/persistentvolumeclaims";

    private GatewayFixture gateway;

    @BeforeAll
    void start() {
        gateway = GatewayFixture.start();
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void theClusterStartsWithTheLocalPathClassAsItsDefault() {
        JsonNode sc = read(CLASSES + "/local-path");
        assertEquals("kubus.io/local-path", sc.path("provisioner").asText());
        assertEquals("WaitForFirstConsumer", sc.path("volumeBindingMode").asText());
        assertEquals("Delete", sc.path("reclaimPolicy").asText());
        assertEquals("true", sc.at("/metadata/annotations/storageclass.kubernetes.io~1is-default-class").asText());
    }

    @Test
    void aClaimWithoutAClassGetsTheNewestDefault() throws InterruptedException {
        assertEquals("local-path", claim("plain", "").at("/spec/storageClassName").asText());
        assertEquals("", claim("no-class", "\"storageClassName\":\"\",").at("/spec/storageClassName").asText(),
                "the empty class means no class, and stays");
        assertEquals("fast", claim("named", "\"storageClassName\":\"fast\",").at("/spec/storageClassName").asText(),
                "a named class stays, even one that does not exist");

        Thread.sleep(1_100); // creation timestamps have seconds: the newer default must be a second younger
        created(CLASSES, """
                {"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"name":"newer",
                "annotations":{"storageclass.kubernetes.io/is-default-class":"true"}},"provisioner":"csi.example.com"}""");
        assertEquals("newer", claim("after-newer", "").at("/spec/storageClassName").asText());
        assertEquals(200, gateway.request("DELETE", CLASSES + "/newer", null, null).status());

        assertEquals(200, gateway.request("PATCH", CLASSES + "/local-path", "application/merge-patch+json",
                "{\"metadata\":{\"annotations\":{\"storageclass.kubernetes.io/is-default-class\":null}}}").status());
        assertTrue(claim("no-default", "").path("spec").path("storageClassName").isMissingNode(),
                "no default class: the claim keeps none");
        assertEquals(200, gateway.request("PATCH", CLASSES + "/local-path", "application/merge-patch+json",
                "{\"metadata\":{\"annotations\":{\"storageclass.kubernetes.io/is-default-class\":\"true\"}}}").status());
    }

    private JsonNode claim(String name, String classField) {
        return created(CLAIMS, """
                {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"%s"},"spec":{%s
                "accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}""".formatted(name, classField));
    }

    private JsonNode created(String path, String body) {
        GatewayFixture.Reply r = gateway.request("POST", path, "application/json", body);
        assertEquals(201, r.status(), r.body());
        return parse(r.body());
    }

    private JsonNode read(String path) {
        GatewayFixture.Reply r = gateway.request("GET", path, null, null);
        assertEquals(200, r.status(), r.body());
        return parse(r.body());
    }

    private static JsonNode parse(String body) {
        try {
            return KubusJson.json().readTree(body);
        } catch (java.io.IOException e) {
            throw new AssertionError(body, e);
        }
    }
}

package io.kubus.controllers.deployment;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.kubus.schema.KubusJson;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PodTemplatesTest {
    @Test
    void fnv32aMatchesTheReferenceVectors() {
        // FNV-1a 32-bit test vectors (Fowler/Noll/Vo): "" and "a", "foobar".
        assertEquals(0x811c9dc5, PodTemplates.fnv32a(0x811c9dc5, new byte[0]));
        assertEquals(0xe40c292c, PodTemplates.fnv32a(0x811c9dc5, "a".getBytes(StandardCharsets.UTF_8)));
        assertEquals(0xbf9cf968, PodTemplates.fnv32a(0x811c9dc5, "foobar".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void safeEncodingUsesKubernetesAlphabet() {
        // rand.SafeEncodeString maps each byte to alphabet[b % 27]: '0' (48) -> '4', '1' -> '5', '9' (57) -> 'f'.
        assertEquals("45f", PodTemplates.safeEncode("019"));
    }

    @Test
    void hashIsStableWhateverTheOrderOfMaps() throws Exception {
        PodTemplateSpec a = TestObjects.template("img:1");
        Map<String, String> ab = new LinkedHashMap<>();
        ab.put("a", "1");
        ab.put("b", "2");
        Map<String, String> ba = new LinkedHashMap<>();
        ba.put("b", "2");
        ba.put("a", "1");
        a.getMetadata().setAnnotations(ab);
        PodTemplateSpec b = KubusJson.json().readValue(KubusJson.write(a), PodTemplateSpec.class);
        b.getMetadata().setAnnotations(ba);
        assertEquals(PodTemplates.hash(a, null), PodTemplates.hash(b, null));
        assertTrue(PodTemplates.hash(a, null).matches("[bcdfghjklmnpqrstvwxz2456789]{1,10}"));
    }

    @Test
    void hashChangesWithTheTemplateAndTheCollisionCount() {
        String h = PodTemplates.hash(TestObjects.template("img:1"), null);
        assertNotEquals(h, PodTemplates.hash(TestObjects.template("img:2"), null));
        assertNotEquals(h, PodTemplates.hash(TestObjects.template("img:1"), 1));
        assertNotEquals(PodTemplates.hash(TestObjects.template("img:1"), 1),
                PodTemplates.hash(TestObjects.template("img:1"), 2));
        // A count of 0 is hashed in: it differs from no count, as in Kubernetes (collisionCount 0 vs nil).
        assertNotEquals(h, PodTemplates.hash(TestObjects.template("img:1"), 0));
    }

    @Test
    void equalityIgnoresOnlyTheHashLabel() {
        PodTemplateSpec d = TestObjects.template("img:1");
        PodTemplateSpec rs = TestObjects.template("img:1");
        rs.getMetadata().getLabels().put(PodTemplates.HASH_LABEL, "abc");
        assertTrue(PodTemplates.equalIgnoringHash(d, rs));
        rs.getMetadata().getLabels().put("tier", "front");
        assertFalse(PodTemplates.equalIgnoringHash(d, rs));
        PodTemplateSpec restarted = TestObjects.template("img:1");
        restarted.getMetadata().setAnnotations(Map.of("kubectl.kubernetes.io/restartedAt", "2025-01-01T00:00:00Z"));
        assertFalse(PodTemplates.equalIgnoringHash(d, restarted));
    }

    @Test
    void emptyStructsKubectlSendsBackAreNoDifference() {
        // kubectl rollout undo patches the template back with Go's empty structs, e.g. resources: {}.
        PodTemplateSpec stored = TestObjects.template("img:1");
        PodTemplateSpec patchedBack = TestObjects.template("img:1");
        patchedBack.getSpec().getContainers().getFirst().setResources(new io.fabric8.kubernetes.api.model.ResourceRequirements());
        patchedBack.getSpec().setSecurityContext(new io.fabric8.kubernetes.api.model.PodSecurityContext());
        patchedBack.getSpec().setVolumes(new java.util.ArrayList<>());
        assertTrue(PodTemplates.equalIgnoringHash(stored, patchedBack));
        assertEquals(PodTemplates.hash(stored, null), PodTemplates.hash(patchedBack, null));
        patchedBack.getSpec().getContainers().getFirst().getResources().setLimits(
                Map.of("cpu", new io.fabric8.kubernetes.api.model.Quantity("1")));
        assertFalse(PodTemplates.equalIgnoringHash(stored, patchedBack));
    }
}

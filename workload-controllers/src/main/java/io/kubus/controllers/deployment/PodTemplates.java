package io.kubus.controllers.deployment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.kubus.schema.KubusJson;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The pod-template-hash that names a deployment's ReplicaSets, and template equality that ignores it. */
public final class PodTemplates {
    /** The label a deployment adds to its ReplicaSets' selector, labels and template labels. */
    public static final String HASH_LABEL = "pod-template-hash";

    /** Kubernetes' rand.SafeEncodeString alphabet: no vowels (no words), no 0/1/3 (no look-alikes). */
    private static final String SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    private static final int FNV32_OFFSET = 0x811c9dc5;
    private static final int FNV32_PRIME = 0x01000193;

    private PodTemplates() {
    }

    /**
     * The template's hash, shaped as Kubernetes' {@code controller.ComputeHash}: FNV-32a over the template, then the
     * collision count (4 bytes little-endian, zero-padded to 8) when there is one, the unsigned sum in decimal
     * safe-encoded. Kubernetes feeds FNV a dump of its Go struct; Kubus feeds it the template's canonical JSON (see
     * {@link #canonical}), so equal templates hash equally whatever order their maps were read in. The values therefore differ
     * from Kubernetes' bit for bit; nothing outside this controller compares them.
     */
    public static String hash(PodTemplateSpec template, Integer collisionCount) {
        int h = fnv32a(FNV32_OFFSET, canonicalJson(template));
        if (collisionCount != null) {
            byte[] count = new byte[8];
            int c = collisionCount;
            for (int i = 0; i < 4; i++) {
                count[i] = (byte) (c >>> (8 * i));
            }
            h = fnv32a(h, count);
        }
        return safeEncode(Integer.toUnsignedString(h));
    }

    static int fnv32a(int seed, byte[] data) {
        int h = seed;
        for (byte b : data) {
            h ^= b & 0xff;
            h *= FNV32_PRIME;
        }
        return h;
    }

    static String safeEncode(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            out.append(SAFE_ALPHABET.charAt(s.charAt(i) % SAFE_ALPHABET.length()));
        }
        return out.toString();
    }

    /**
     * Whether two templates are the same but for the pod-template-hash label: how a deployment recognises the
     * ReplicaSet of its current template (EqualIgnoreHash).
     */
    public static boolean equalIgnoringHash(PodTemplateSpec a, PodTemplateSpec b) {
        return withoutHash(a).equals(withoutHash(b));
    }

    private static JsonNode withoutHash(PodTemplateSpec t) {
        JsonNode node = canonical(t == null ? new PodTemplateSpec() : t);
        JsonNode labels = node.path("metadata").path("labels");
        if (labels instanceof ObjectNode l) {
            l.remove(HASH_LABEL);
        }
        return node;
    }

    private static byte[] canonicalJson(PodTemplateSpec template) {
        try {
            return KubusJson.json().writeValueAsString(canonical(template)).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a pod template", e);
        }
    }

    /**
     * The template as JSON with object keys sorted and nulls, empty objects and empty arrays left out. Kubernetes
     * compares Go structs, in which {@code resources: {}} and no resources are the same value; kubectl sends such
     * empty structs back (e.g. in {@code rollout undo}'s patch), and JSON would keep them apart.
     */
    private static JsonNode canonical(PodTemplateSpec template) {
        JsonNode pruned = pruneAndSort(KubusJson.json().valueToTree(template));
        return pruned == null ? KubusJson.json().createObjectNode() : pruned;
    }

    private static JsonNode pruneAndSort(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isObject()) {
            ObjectNode out = KubusJson.json().createObjectNode();
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            Collections.sort(names);
            for (String n : names) {
                JsonNode v = pruneAndSort(node.get(n));
                if (v != null) {
                    out.set(n, v);
                }
            }
            return out.isEmpty() ? null : out;
        }
        if (node.isArray()) {
            var out = KubusJson.json().createArrayNode();
            for (JsonNode e : node) {
                JsonNode v = pruneAndSort(e);
                out.add(v == null ? KubusJson.json().createObjectNode() : v);
            }
            return out.isEmpty() ? null : out;
        }
        return node;
    }
}

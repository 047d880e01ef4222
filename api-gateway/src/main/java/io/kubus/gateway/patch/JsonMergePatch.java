package io.kubus.gateway.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Iterator;
import java.util.Map;

/**
 * JSON Merge Patch (RFC 7386), i.e. {@code application/merge-patch+json}: objects merge
 * recursively, {@code null} deletes a member, anything else (arrays included) replaces.
 */
public final class JsonMergePatch {

    private JsonMergePatch() {
    }

    /** Returns the patched document; neither argument is modified. */
    public static JsonNode apply(JsonNode target, JsonNode patch) {
        if (patch == null || patch.isMissingNode()) {
            throw new PatchException("merge patch: the patch document is empty");
        }
        return merge(target, patch);
    }

    private static JsonNode merge(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        // Only an object target is merged into; anything else is discarded per RFC 7386 section 2.
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : Json.NODES.objectNode();
        mergeInto(result, (ObjectNode) patch);
        return result;
    }

    /** Merges into a node we already own, so nested levels are not copied again. */
    private static void mergeInto(ObjectNode owned, ObjectNode patch) {
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode value = e.getValue();
            if (value.isNull()) {
                owned.remove(key);
            } else if (value.isObject()) {
                JsonNode existing = owned.get(key);
                ObjectNode child;
                if (existing != null && existing.isObject()) {
                    child = (ObjectNode) existing;
                } else {
                    child = Json.NODES.objectNode();
                    owned.set(key, child);
                }
                mergeInto(child, (ObjectNode) value);
            } else {
                owned.set(key, value.deepCopy());
            }
        }
    }
}

package io.kubus.gateway.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micronaut.core.annotation.Nullable;

import java.util.ArrayList;
import java.util.List;

/** Small tree helpers for defaulting and validating the decoded JSON of an object, shared by every strategy. */
public final class JsonTree {
    public static final JsonNodeFactory F = JsonNodeFactory.instance;

    private JsonTree() {
    }

    /** The child object, created when absent or null. */
    public static ObjectNode obj(ObjectNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n instanceof ObjectNode o) {
            return o;
        }
        return parent.putObject(field);
    }

    /** The child object, or null when absent or not an object. */
    public static @Nullable ObjectNode objOrNull(@Nullable JsonNode parent, String field) {
        return parent != null && parent.get(field) instanceof ObjectNode o ? o : null;
    }

    public static boolean absent(@Nullable JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v == null || v.isNull();
    }

    /** Sets a string default: when the field is absent, null or empty (Go's zero value). */
    public static void def(ObjectNode n, String field, String value) {
        if (absent(n, field) || n.get(field).asText().isEmpty()) {
            n.put(field, value);
        }
    }

    public static void def(ObjectNode n, String field, int value) {
        if (absent(n, field)) {
            n.put(field, value); // an IntNode, as the parser makes it: IntOrString and equality depend on it
        }
    }

    public static void def(ObjectNode n, String field, boolean value) {
        if (absent(n, field)) {
            n.put(field, value);
        }
    }

    /** Object elements of an array member; missing or non-array gives an empty list. */
    public static List<ObjectNode> objects(@Nullable JsonNode parent, String field) {
        List<ObjectNode> out = new ArrayList<>();
        if (parent != null && parent.get(field) instanceof ArrayNode a) {
            for (JsonNode e : a) {
                if (e instanceof ObjectNode o) {
                    out.add(o);
                }
            }
        }
        return out;
    }

    /** The text of a member, "" when absent or null. */
    public static String text(@Nullable JsonNode parent, String field) {
        if (parent == null) {
            return "";
        }
        JsonNode v = parent.get(field);
        return v == null || v.isNull() ? "" : v.asText();
    }

    /** Makes {@code object}'s member {@code field} what it is in {@code old}: the same value, or absent. */
    public static void keep(ObjectNode object, JsonNode old, String field) {
        JsonNode was = old.get(field);
        if (was == null) {
            object.remove(field);
        } else {
            object.set(field, was.deepCopy());
        }
    }

    /** True for a missing, null or empty array (or object). */
    public static boolean isEmpty(@Nullable JsonNode n) {
        return n == null || n.isMissingNode() || n.isNull() || n.isEmpty();
    }

    /** The kind of a JSON value as Go's encoding/json names it in its UnmarshalTypeError: string, number, bool, array, object. */
    public static String goKind(JsonNode node) {
        if (node.isTextual()) {
            return "string";
        }
        if (node.isNumber()) {
            return "number";
        }
        if (node.isBoolean()) {
            return "bool";
        }
        return node.isArray() ? "array" : "object";
    }

    /** An array's items as text, as Go decodes a {@code []string} (a null item is ""); none when it is no array. */
    public static List<String> texts(@Nullable JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null) {
            array.forEach(n -> out.add(n.asText("")));
        }
        return out;
    }

    /** Whether an array holds a string. */
    public static boolean contains(JsonNode array, String value) {
        for (JsonNode n : array) {
            if (n.asText().equals(value)) {
                return true;
            }
        }
        return false;
    }
}

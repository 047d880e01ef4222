package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micronaut.core.annotation.Nullable;

import java.util.ArrayList;
import java.util.List;

/** Small tree helpers shared by defaulting and validation, which both work on the decoded JSON. */
final class Json {
    static final JsonNodeFactory F = JsonNodeFactory.instance;

    private Json() {
    }

    /** The child object, created when absent or null. */
    static ObjectNode obj(ObjectNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n instanceof ObjectNode o) {
            return o;
        }
        return parent.putObject(field);
    }

    /** The child object, or null when absent or not an object. */
    @Nullable
    static ObjectNode objOrNull(@Nullable JsonNode parent, String field) {
        return parent != null && parent.get(field) instanceof ObjectNode o ? o : null;
    }

    static boolean absent(ObjectNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull();
    }

    static void def(ObjectNode n, String field, String value) {
        if (absent(n, field) || n.get(field).asText().isEmpty()) {
            n.put(field, value);
        }
    }

    static void def(ObjectNode n, String field, int value) {
        if (absent(n, field)) {
            n.put(field, value); // an IntNode, as the parser makes it: IntOrString and equality depend on it
        }
    }

    static void def(ObjectNode n, String field, boolean value) {
        if (absent(n, field)) {
            n.put(field, value);
        }
    }

    /** Object elements of an array member; missing or non-array gives an empty list. */
    static List<ObjectNode> objects(@Nullable JsonNode parent, String field) {
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

    /** Equality that sees 1 (int) and 1 (long) as the same number, as stored and decoded trees may differ so. */
    static boolean same(JsonNode a, JsonNode b) {
        return a.equals((x, y) -> {
            if (x.isNumber() && y.isNumber()) {
                return x.decimalValue().compareTo(y.decimalValue()) == 0 ? 0 : 1;
            }
            return x.equals(y) ? 0 : 1;
        }, b);
    }

    static String text(@Nullable JsonNode parent, String field) {
        if (parent == null) {
            return "";
        }
        JsonNode v = parent.get(field);
        return v == null || v.isNull() ? "" : v.asText();
    }
}

package io.kubus.gateway.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.util.Iterator;
import java.util.Map;

/** Small JSON helpers shared by the patch implementations. */
final class Json {

    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Json() {
    }

    /**
     * Semantic JSON equality: numbers compare by value (Jackson's equals would treat 1 and 1.0,
     * or an int and a long, as different), objects ignore member order.
     */
    static boolean equal(JsonNode a, JsonNode b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        if (a.getNodeType() != b.getNodeType()) {
            return false;
        }
        if (a.isObject()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!equal(e.getValue(), b.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        if (a.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!equal(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    /** Short JSON type name for error messages. */
    static String typeName(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "nothing";
        }
        return switch (n.getNodeType()) {
            case OBJECT -> "object";
            case ARRAY -> "array";
            case STRING -> "string";
            case NUMBER -> "number";
            case BOOLEAN -> "boolean";
            case NULL -> "null";
            default -> n.getNodeType().name().toLowerCase();
        };
    }

    /** Escapes one JSON Pointer reference token (RFC 6901), for building error paths. */
    static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}

package io.kubus.gateway.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * JSON Patch (RFC 6902), i.e. {@code application/json-patch+json}. Operations apply in order to
 * a private copy of the target; the first failing operation aborts the whole patch (the target is
 * never partially patched, as the RFC requires).
 */
public final class JsonPatch {

    private JsonPatch() {
    }

    /** Returns the patched document; neither argument is modified. */
    public static JsonNode apply(JsonNode target, JsonNode patch) {
        if (patch == null || !patch.isArray()) {
            throw new PatchException("json patch: the patch document must be a JSON array of operations, got "
                    + Json.typeName(patch));
        }
        JsonNode doc = target == null ? MissingNode.getInstance() : target.deepCopy();
        for (int i = 0; i < patch.size(); i++) {
            doc = applyOne(doc, patch.get(i), i);
        }
        return doc;
    }

    private static JsonNode applyOne(JsonNode doc, JsonNode op, int index) {
        if (!op.isObject()) {
            throw new PatchException("json patch: operation " + index + " must be an object, got " + Json.typeName(op));
        }
        JsonNode opNode = op.get("op");
        if (opNode == null || !opNode.isTextual()) {
            throw new PatchException("json patch: operation " + index + " is missing the \"op\" member");
        }
        String name = opNode.asText();
        String where = "json patch: operation " + index + " (" + name + ")";
        List<String> path = pointer(op, "path", where);
        return switch (name) {
            case "add" -> add(doc, path, required(op, "value", where).deepCopy(), where);
            case "remove" -> {
                remove(doc, path, where);
                yield doc;
            }
            case "replace" -> {
                JsonNode value = required(op, "value", where).deepCopy();
                get(doc, path, where);
                if (path.isEmpty()) {
                    yield value;
                }
                // Replace in place so object member order and array position are kept.
                JsonNode parent = parent(doc, path, where);
                String last = path.get(path.size() - 1);
                if (parent.isObject()) {
                    ((ObjectNode) parent).set(last, value);
                } else {
                    ((ArrayNode) parent).set(arrayIndex(last, parent.size(), false), value);
                }
                yield doc;
            }
            case "move" -> {
                List<String> from = pointer(op, "from", where);
                // A location cannot be moved into one of its own children (RFC 6902 4.4).
                if (from.size() < path.size() && path.subList(0, from.size()).equals(from)) {
                    throw new PatchException(where + ": cannot move " + render(from) + " into its own child " + render(path));
                }
                if (from.equals(path)) {
                    get(doc, from, where);
                    yield doc;
                }
                JsonNode value = get(doc, from, where);
                remove(doc, from, where);
                yield add(doc, path, value, where);
            }
            case "copy" -> {
                List<String> from = pointer(op, "from", where);
                yield add(doc, path, get(doc, from, where).deepCopy(), where);
            }
            case "test" -> {
                JsonNode expected = required(op, "value", where);
                JsonNode actual = get(doc, path, where);
                if (!Json.equal(actual, expected)) {
                    // Neither value is told, as kube-apiserver's json-patch tells neither: the one found may be
                    // a Secret's, and the patch may be all a client is allowed to send.
                    throw new PatchException(where + ": testing value " + render(path) + " failed: test failed");
                }
                yield doc;
            }
            default -> throw new PatchException("json patch: operation " + index + " has unknown op \"" + name
                    + "\" (expected add, remove, replace, move, copy or test)");
        };
    }

    private static JsonNode required(JsonNode op, String member, String where) {
        // "value": null is a legitimate value, so presence is what matters.
        if (!op.has(member)) {
            throw new PatchException(where + " is missing the \"" + member + "\" member");
        }
        return op.get(member);
    }

    private static List<String> pointer(JsonNode op, String member, String where) {
        JsonNode node = required(op, member, where);
        if (!node.isTextual()) {
            throw new PatchException(where + ": \"" + member + "\" must be a JSON Pointer string");
        }
        return parsePointer(node.asText(), where);
    }

    /** RFC 6901 parsing; "" is the whole document. */
    static List<String> parsePointer(String pointer, String where) {
        List<String> tokens = new ArrayList<>();
        if (pointer.isEmpty()) {
            return tokens;
        }
        if (pointer.charAt(0) != '/') {
            throw new PatchException(where + ": invalid JSON Pointer \"" + pointer + "\": must be empty or start with '/'");
        }
        for (String raw : pointer.substring(1).split("/", -1)) {
            StringBuilder sb = new StringBuilder(raw.length());
            for (int i = 0; i < raw.length(); i++) {
                char c = raw.charAt(i);
                if (c == '~') {
                    char next = i + 1 < raw.length() ? raw.charAt(i + 1) : 0;
                    if (next == '0') {
                        sb.append('~');
                    } else if (next == '1') {
                        sb.append('/');
                    } else {
                        throw new PatchException(where + ": invalid JSON Pointer \"" + pointer
                                + "\": '~' must be followed by '0' or '1'");
                    }
                    i++;
                } else {
                    sb.append(c);
                }
            }
            tokens.add(sb.toString());
        }
        return tokens;
    }

    private static String render(List<String> tokens) {
        StringBuilder sb = new StringBuilder();
        for (String t : tokens) {
            sb.append('/').append(Json.escape(t));
        }
        return sb.isEmpty() ? "\"\" (the document root)" : sb.toString();
    }

    private static JsonNode get(JsonNode doc, List<String> path, String where) {
        JsonNode current = doc;
        for (int i = 0; i < path.size(); i++) {
            current = child(current, path.get(i), false);
            if (current == null) {
                throw new PatchException(where + ": path " + render(path) + " does not exist (missing at "
                        + render(path.subList(0, i + 1)) + ")");
            }
        }
        if (current.isMissingNode()) {
            throw new PatchException(where + ": path " + render(path) + " does not exist (the document is empty)");
        }
        return current;
    }

    /** The child named by one token, or null when absent (or the token is not a valid index). */
    private static JsonNode child(JsonNode node, String token, boolean allowEnd) {
        if (node.isObject()) {
            return node.get(token);
        }
        if (node.isArray()) {
            int idx = arrayIndex(token, node.size(), allowEnd);
            return idx >= 0 && idx < node.size() ? node.get(idx) : null;
        }
        return null;
    }

    /** Parses an array index; -1 when malformed. Leading zeros are not allowed (RFC 6901 section 4). */
    private static int arrayIndex(String token, int size, boolean allowEnd) {
        if (token.equals("-")) {
            return allowEnd ? size : -1;
        }
        if (token.isEmpty() || token.length() > 9 || (token.length() > 1 && token.charAt(0) == '0')) {
            return -1;
        }
        for (int i = 0; i < token.length(); i++) {
            if (!Character.isDigit(token.charAt(i))) {
                return -1;
            }
        }
        return Integer.parseInt(token);
    }

    private static JsonNode parent(JsonNode doc, List<String> path, String where) {
        List<String> parentPath = path.subList(0, path.size() - 1);
        JsonNode parent;
        try {
            parent = get(doc, parentPath, where);
        } catch (PatchException e) {
            // Name the path the operation asked for, not just its missing ancestor.
            throw new PatchException(where + ": path " + render(path) + " does not exist (its parent "
                    + render(parentPath) + " is missing)", e);
        }
        if (!parent.isContainerNode()) {
            throw new PatchException(where + ": cannot address " + render(path) + " because "
                    + render(parentPath) + " is a " + Json.typeName(parent) + ", not an object or array");
        }
        return parent;
    }

    private static JsonNode add(JsonNode doc, List<String> path, JsonNode value, String where) {
        if (path.isEmpty()) {
            return value;
        }
        JsonNode parent = parent(doc, path, where);
        String last = path.get(path.size() - 1);
        if (parent.isObject()) {
            ((ObjectNode) parent).set(last, value);
        } else {
            ArrayNode array = (ArrayNode) parent;
            int idx = arrayIndex(last, array.size(), true);
            if (idx < 0 || idx > array.size()) {
                throw new PatchException(where + ": array index \"" + last + "\" in " + render(path)
                        + " is out of bounds (array size " + array.size() + ")");
            }
            array.insert(idx, value);
        }
        return doc;
    }

    private static void remove(JsonNode doc, List<String> path, String where) {
        if (path.isEmpty()) {
            throw new PatchException(where + ": cannot remove the document root");
        }
        get(doc, path, where);
        JsonNode parent = parent(doc, path, where);
        String last = path.get(path.size() - 1);
        if (parent.isObject()) {
            ((ObjectNode) parent).remove(last);
        } else {
            ((ArrayNode) parent).remove(arrayIndex(last, parent.size(), false));
        }
    }
}

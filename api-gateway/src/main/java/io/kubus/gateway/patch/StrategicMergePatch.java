package io.kubus.gateway.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Kubernetes strategic merge patch ({@code application/strategic-merge-patch+json}), with the
 * semantics of k8s.io/apimachinery/pkg/util/strategicpatch applied server side: maps merge,
 * {@code null} deletes, lists replace unless the {@link PatchSchema} tags them {@code merge}, and
 * the {@code $patch}, {@code $retainKeys}, {@code $setElementOrder/} and
 * {@code $deleteFromPrimitiveList/} directives are honoured.
 *
 * <p>Deliberate differences from the Go code, all on inputs kubectl never produces: a value
 * added where the target has none is still run through the merge (so directives and nulls
 * inside it are resolved rather than stored verbatim), and {@code $patch: merge} on a map is
 * accepted as an explicit "merge as usual" instead of being rejected.
 */
public final class StrategicMergePatch {

    private static final String DIRECTIVE = "$patch";
    private static final String RETAIN_KEYS = "$retainKeys";
    private static final String SET_ELEMENT_ORDER = "$setElementOrder";
    private static final String DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList";

    private StrategicMergePatch() {
    }

    /** Returns the patched object; none of the arguments is modified. */
    public static JsonNode apply(JsonNode target, JsonNode patch, PatchSchema schema) {
        if (patch == null || !patch.isObject()) {
            throw new PatchException("strategic merge patch: the patch document must be a JSON object, got "
                    + Json.typeName(patch));
        }
        ObjectNode original;
        if (target == null || target.isNull() || target.isMissingNode()) {
            original = Json.NODES.objectNode();
        } else if (target.isObject()) {
            original = ((ObjectNode) target).deepCopy();
        } else {
            throw new PatchException("strategic merge patch: the target document must be a JSON object, got "
                    + Json.typeName(target));
        }
        return mergeMap(original, (ObjectNode) patch, schema == null ? PatchSchema.EMPTY : schema, "");
    }

    /** Merges {@code patch} into {@code original}, which this class owns (a copy) and may mutate; null means absent. */
    private static ObjectNode mergeMap(ObjectNode original, ObjectNode patch, PatchSchema schema, String path) {
        JsonNode directive = patch.get(DIRECTIVE);
        if (directive != null) {
            String d = directive.isTextual() ? directive.asText() : null;
            if ("replace".equals(d)) {
                // The map becomes the patch itself; merging into an empty map resolves nested directives.
                ObjectNode rest = patch.deepCopy();
                rest.remove(DIRECTIVE);
                return mergeMap(null, rest, schema, path);
            }
            if ("delete".equals(d)) {
                return Json.NODES.objectNode();
            }
            if (!"merge".equals(d)) {
                throw new PatchException(at(path) + ": invalid $patch directive " + directive
                        + " (expected \"replace\", \"delete\" or \"merge\")");
            }
        }
        ObjectNode result = original == null ? Json.NODES.objectNode() : original;
        applyRetainKeys(result, patch, path);
        Set<String> ordered = applySetElementOrder(result, patch, schema, path);

        List<Map.Entry<String, JsonNode>> deletions = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode value = e.getValue();
            if (key.equals(DIRECTIVE) || key.equals(RETAIN_KEYS) || key.startsWith(SET_ELEMENT_ORDER)
                    || ordered.contains(key)) {
                continue;
            }
            if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
                // Applied after the merges so a list's additions and removals in one patch commute.
                deletions.add(e);
                continue;
            }
            if (value.isNull()) {
                result.remove(key);
                continue;
            }
            result.set(key, mergeValue(result.get(key), value, schema.field(key), child(path, key)));
        }
        for (Map.Entry<String, JsonNode> e : deletions) {
            deleteFromPrimitiveList(result, e.getKey(), e.getValue(), path);
        }
        return result;
    }

    private static JsonNode mergeValue(JsonNode existing, JsonNode patch, PatchSchema.Field field, String path) {
        if (patch.isObject()) {
            // A type change (e.g. scalar to map) simply takes the patch, as in k8s; so does a replace-tagged object.
            ObjectNode base = existing != null && existing.isObject() && !field.replace() ? (ObjectNode) existing : null;
            return mergeMap(base, (ObjectNode) patch, field.schema(), path);
        }
        if (patch.isArray()) {
            ArrayNode base = existing != null && existing.isArray() ? (ArrayNode) existing : Json.NODES.arrayNode();
            return mergeList(base, (ArrayNode) patch, field, path);
        }
        return patch.deepCopy();
    }

    private static ArrayNode mergeList(ArrayNode original, ArrayNode patch, PatchSchema.Field field, String path) {
        if (field.listStrategy() != PatchSchema.ListStrategy.MERGE) {
            return patch.deepCopy();
        }
        if (original.isEmpty() && patch.isEmpty()) {
            return original;
        }
        boolean ofObjects = elementsAreObjects(original, patch, path);
        if (!ofObjects) {
            // Scalar merge lists are sets: union, duplicates dropped, patch order then wins.
            List<JsonNode> merged = new ArrayList<>();
            for (JsonNode n : original) {
                addIfAbsent(merged, n);
            }
            for (JsonNode n : patch) {
                addIfAbsent(merged, n.deepCopy());
            }
            return order(merged, list(patch), list(original), null);
        }

        String key = field.mergeKey();
        if (key == null) {
            throw new PatchException(at(path) + ": cannot merge a list of objects without a merge key");
        }
        List<JsonNode> merged = list(original);
        List<JsonNode> plain = new ArrayList<>();
        boolean replace = false;
        for (JsonNode element : patch) {
            JsonNode directive = element.get(DIRECTIVE);
            if (directive == null) {
                plain.add(element);
                continue;
            }
            String d = directive.isTextual() ? directive.asText() : String.valueOf(directive);
            switch (d) {
                case "delete" -> {
                    JsonNode value = element.get(key);
                    if (value == null) {
                        throw new PatchException(at(path) + ": $patch: delete element " + element
                                + " does not contain the merge key \"" + key + "\"");
                    }
                    // Every match goes, so duplicated keys in a stored list can be cleaned up.
                    merged.removeIf(o -> Json.equal(o.get(key), value));
                }
                case "replace" -> replace = true;
                case "merge" -> throw new PatchException(at(path)
                        + ": $patch: merge is not supported on list elements; lists merge per their patch strategy");
                default -> throw new PatchException(at(path) + ": invalid $patch directive " + directive
                        + " in list element " + element + " (expected \"replace\" or \"delete\")");
            }
        }
        if (replace) {
            ArrayNode out = Json.NODES.arrayNode();
            plain.forEach(n -> out.add(n.deepCopy()));
            return out;
        }
        List<JsonNode> serverOrder = new ArrayList<>(merged);
        for (JsonNode element : plain) {
            JsonNode value = element.get(key);
            if (value == null || value.isNull()) {
                throw new PatchException(at(path) + ": list element " + element + " does not contain the merge key \""
                        + key + "\"");
            }
            String elementPath = path + "[" + key + "=" + value + "]";
            int idx = indexOf(merged, value, n -> n.get(key));
            if (idx >= 0) {
                merged.set(idx, mergeMap((ObjectNode) merged.get(idx), (ObjectNode) element, field.schema(), elementPath));
            } else {
                merged.add(mergeMap(null, (ObjectNode) element, field.schema(), elementPath));
            }
        }
        return order(merged, plain, serverOrder, key);
    }

    /**
     * Kubernetes' ordering rule for merged lists: items named by {@code order} (the patch list or
     * a {@code $setElementOrder}) follow that order; the remaining server-only items keep their
     * relative order and are interleaved back at their original positions where both sides can
     * be located in {@code serverOrder}, otherwise the patch items come first.
     */
    private static ArrayNode order(List<JsonNode> merged, List<JsonNode> order, List<JsonNode> serverOrder, String key) {
        Function<JsonNode, JsonNode> id = key == null ? n -> n : n -> n.get(key);
        List<JsonNode> patchItems = new ArrayList<>();
        List<JsonNode> serverOnly = new ArrayList<>();
        for (JsonNode n : merged) {
            (indexOf(order, id.apply(n), id) >= 0 ? patchItems : serverOnly).add(n);
        }
        patchItems.sort((a, b) -> Integer.compare(indexOf(order, id.apply(a), id), indexOf(order, id.apply(b), id)));
        serverOnly.sort((a, b) -> Integer.compare(rank(serverOrder, a, id), rank(serverOrder, b, id)));

        ArrayNode out = Json.NODES.arrayNode();
        int i = 0;
        int j = 0;
        while (i < serverOnly.size() || j < patchItems.size()) {
            if (j >= patchItems.size()) {
                out.add(serverOnly.get(i++));
            } else if (i >= serverOnly.size()) {
                out.add(patchItems.get(j++));
            } else {
                int si = indexOf(serverOrder, id.apply(serverOnly.get(i)), id);
                int pj = indexOf(serverOrder, id.apply(patchItems.get(j)), id);
                if (si >= 0 && pj >= 0 && si < pj) {
                    out.add(serverOnly.get(i++));
                } else {
                    out.add(patchItems.get(j++));
                }
            }
        }
        return out;
    }

    private static int rank(List<JsonNode> list, JsonNode n, Function<JsonNode, JsonNode> id) {
        int idx = indexOf(list, id.apply(n), id);
        return idx < 0 ? Integer.MAX_VALUE : idx;
    }

    private static int indexOf(List<JsonNode> list, JsonNode identity, Function<JsonNode, JsonNode> id) {
        if (identity == null) {
            return -1;
        }
        for (int i = 0; i < list.size(); i++) {
            if (Json.equal(identity, id.apply(list.get(i)))) {
                return i;
            }
        }
        return -1;
    }

    private static void addIfAbsent(List<JsonNode> list, JsonNode n) {
        if (indexOf(list, n, x -> x) < 0) {
            list.add(n);
        }
    }

    /** True for a list of objects, false for scalars; k8s rejects nested and mixed lists. */
    private static boolean elementsAreObjects(ArrayNode original, ArrayNode patch, String path) {
        Boolean objects = null;
        for (ArrayNode a : List.of(original, patch)) {
            for (JsonNode n : a) {
                if (n.isArray()) {
                    throw new PatchException(at(path) + ": lists of lists cannot be merged");
                }
                boolean isObject = n.isObject();
                if (objects == null) {
                    objects = isObject;
                } else if (objects != isObject) {
                    throw new PatchException(at(path) + ": list elements are not all of the same type (objects mixed with scalars)");
                }
            }
        }
        return Boolean.TRUE.equals(objects);
    }

    /** {@code $retainKeys}: clears every original key not listed; the patch may only set listed keys. */
    private static void applyRetainKeys(ObjectNode original, ObjectNode patch, String path) {
        JsonNode retain = patch.get(RETAIN_KEYS);
        if (retain == null) {
            return;
        }
        if (!retain.isArray()) {
            throw new PatchException(at(path) + ": $retainKeys must be a list of field names, got " + Json.typeName(retain));
        }
        Set<String> keep = new HashSet<>();
        for (JsonNode n : retain) {
            if (!n.isTextual()) {
                throw new PatchException(at(path) + ": $retainKeys must contain only field names, got " + n);
            }
            keep.add(n.asText());
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull() || e.getKey().startsWith("$")) {
                continue;
            }
            if (!keep.contains(e.getKey())) {
                throw new PatchException(at(path) + ": field \"" + e.getKey()
                        + "\" is set by the patch but missing from $retainKeys " + retain);
            }
        }
        original.properties().removeIf(e -> !keep.contains(e.getKey()));
    }

    /**
     * {@code $setElementOrder/<list>}: merges that list now (like k8s, so it is skipped later) and
     * reorders it. Returns the names of the lists handled.
     */
    private static Set<String> applySetElementOrder(ObjectNode original, ObjectNode patch, PatchSchema schema, String path) {
        Set<String> handled = new HashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().startsWith(SET_ELEMENT_ORDER)) {
                continue;
            }
            String listName = directiveTarget(e.getKey(), SET_ELEMENT_ORDER, path);
            JsonNode orderNode = e.getValue();
            if (!orderNode.isArray()) {
                throw new PatchException(at(path) + ": " + e.getKey() + " must be a list, got " + Json.typeName(orderNode));
            }
            PatchSchema.Field field = schema.field(listName);
            if (field.listStrategy() != PatchSchema.ListStrategy.MERGE) {
                // Order of a replaced list is already the patch's own; nothing to reorder.
                continue;
            }
            JsonNode patchNode = patch.get(listName);
            if (patchNode != null && !patchNode.isArray()) {
                if (patchNode.isNull()) {
                    continue;
                }
                throw new PatchException(at(path) + ": " + child(path, listName) + " must be a list, got "
                        + Json.typeName(patchNode));
            }
            String key = field.mergeKey();
            List<JsonNode> order = list((ArrayNode) orderNode);
            Function<JsonNode, JsonNode> id = idFor(order, key, e.getKey(), path);
            if (patchNode != null) {
                checkConsistentOrder((ArrayNode) patchNode, order, id, e.getKey(), path);
            }
            JsonNode originalNode = original.get(listName);
            ArrayNode originalList = originalNode != null && originalNode.isArray() ? (ArrayNode) originalNode : null;
            ArrayNode merged;
            if (patchNode != null) {
                ArrayNode base = originalList != null ? originalList : Json.NODES.arrayNode();
                merged = mergeList(base, (ArrayNode) patchNode, field, child(path, listName));
            } else if (originalList != null) {
                merged = originalList;
            } else {
                continue;
            }
            // Stored items the order list does not mention stay, interleaved at their old positions.
            List<JsonNode> serverOrder = originalList != null ? list(originalList) : List.of();
            original.set(listName, order(list(merged), order, serverOrder, key));
            handled.add(listName);
        }
        return handled;
    }

    private static Function<JsonNode, JsonNode> idFor(List<JsonNode> order, String key, String directive, String path) {
        if (key == null) {
            return n -> n;
        }
        for (JsonNode n : order) {
            if (!n.isObject() || n.get(key) == null) {
                throw new PatchException(at(path) + ": " + directive + " entry " + n + " does not contain the merge key \""
                        + key + "\"");
            }
        }
        return n -> n.get(key);
    }

    /** The patch list (ignoring directive elements) must be a subsequence of the order list, as k8s checks. */
    private static void checkConsistentOrder(ArrayNode patchList, List<JsonNode> order, Function<JsonNode, JsonNode> id,
                                             String directive, String path) {
        int o = 0;
        for (JsonNode element : patchList) {
            if (element.isObject() && element.has(DIRECTIVE)) {
                continue;
            }
            JsonNode identity = id.apply(element);
            while (o < order.size() && !Json.equal(identity, id.apply(order.get(o)))) {
                o++;
            }
            if (o >= order.size()) {
                throw new PatchException(at(path) + ": the order of the patch list doesn't match " + directive
                        + ": element " + element + " is missing from it or out of order");
            }
            o++;
        }
    }

    private static void deleteFromPrimitiveList(ObjectNode original, String directiveKey, JsonNode values, String path) {
        String listName = directiveTarget(directiveKey, DELETE_FROM_PRIMITIVE_LIST, path);
        if (!values.isArray()) {
            throw new PatchException(at(path) + ": " + directiveKey + " must be a list, got " + Json.typeName(values));
        }
        List<JsonNode> toDelete = list((ArrayNode) values);
        for (JsonNode v : toDelete) {
            if (v.isContainerNode()) {
                throw new PatchException(at(path) + ": " + directiveKey + " may only contain scalar values, got " + v);
            }
        }
        JsonNode current = original.get(listName);
        if (current == null || !current.isArray()) {
            return;
        }
        ArrayNode kept = Json.NODES.arrayNode();
        for (JsonNode n : current) {
            if (indexOf(toDelete, n, x -> x) < 0) {
                kept.add(n);
            }
        }
        original.set(listName, kept);
    }

    private static String directiveTarget(String key, String prefix, String path) {
        if (!key.startsWith(prefix + "/") || key.length() == prefix.length() + 1) {
            throw new PatchException(at(path) + ": malformed directive \"" + key + "\", expected \"" + prefix
                    + "/<list field>\"");
        }
        return key.substring(prefix.length() + 1);
    }

    private static List<JsonNode> list(ArrayNode array) {
        List<JsonNode> out = new ArrayList<>(array.size());
        array.forEach(out::add);
        return out;
    }

    private static String child(String path, String key) {
        return path + "/" + Json.escape(key);
    }

    private static String at(String path) {
        return "strategic merge patch at " + (path.isEmpty() ? "the document root" : path);
    }
}

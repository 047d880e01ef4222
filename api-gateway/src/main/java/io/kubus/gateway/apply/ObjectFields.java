package io.kubus.gateway.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The typed walks over objects that server-side apply is built from, following structured-merge-diff's typed package:
 * the field set of an object, the comparison of two objects, the merge of an applied configuration into a live object,
 * and the removal of a set of fields. Objects are Jackson trees; a {@link FieldType} says how lists and maps behave.
 */
public final class ObjectFields {

    private ObjectFields() {
    }

    /** Added, modified and removed paths between two objects, as structured-merge-diff's Comparison. */
    public record Comparison(FieldSet added, FieldSet modified, FieldSet removed) {
        public boolean isSame() {
            return added.isEmpty() && modified.isEmpty() && removed.isEmpty();
        }
    }

    // ---- field set ----

    /**
     * Every field the object sets: leaves, atomic lists and maps as a whole, list items by key or value (the item
     * itself and its fields), map keys that are not struct fields, and empty or null values.
     */
    public static FieldSet toFieldSet(JsonNode object, FieldType type) {
        FieldSet.Builder b = new FieldSet.Builder();
        if (object != null) {
            walkSet(object, type, new ArrayList<>(), b);
        }
        return b.build();
    }

    private static void walkSet(JsonNode v, FieldType t, List<PathElement> path, FieldSet.Builder b) {
        if (v.isObject()) {
            if (!path.isEmpty() && t.mapType() == FieldType.MapType.ATOMIC) {
                b.insert(path);
                return;
            }
            for (Map.Entry<String, JsonNode> e : v.properties()) {
                path.add(new PathElement.Field(e.getKey()));
                JsonNode val = e.getValue();
                walkSet(val, t.field(e.getKey()), path, b);
                // an empty map or null owns nothing below it, and a map key is owned in itself
                if (val.isNull() || (val.isObject() && val.isEmpty()) || !t.isNamedField(e.getKey())) {
                    b.insert(path);
                }
                path.removeLast();
            }
        } else if (v.isArray()) {
            if (t.listType() == FieldType.ListType.ATOMIC) {
                b.insert(path);
                return;
            }
            List<PathElement> pes = new ArrayList<>();
            Map<PathElement, Integer> counts = new HashMap<>();
            for (int i = 0; i < v.size(); i++) {
                PathElement pe = itemElement(v.get(i), t, i);
                pes.add(pe);
                counts.merge(pe, 1, Integer::sum);
            }
            for (int i = 0; i < v.size(); i++) {
                path.add(pes.get(i));
                // duplicated items are owned only as a whole: their fields cannot be told apart
                if (counts.get(pes.get(i)) == 1) {
                    walkSet(v.get(i), t.element(), path, b);
                }
                b.insert(path);
                path.removeLast();
            }
        } else {
            b.insert(path);
        }
    }

    /** The path element that identifies a list item: its key fields in a map list, its value in a set. */
    static PathElement itemElement(JsonNode item, FieldType list, int index) {
        return switch (list.listType()) {
            case ATOMIC -> new PathElement.Index(index);
            case SET -> new PathElement.Value(item);
            case MAP -> {
                if (!item.isObject()) {
                    throw new IllegalArgumentException("associative list with keys has an element that is not a map");
                }
                List<Map.Entry<String, JsonNode>> key = new ArrayList<>();
                for (String k : list.listMapKeys()) {
                    JsonNode kv = item.get(k);
                    if (kv == null || kv.isNull()) {
                        kv = list.keyDefault(k);
                    }
                    if (kv == null) {
                        throw new IllegalArgumentException("associative list with keys has an element that omits key field \""
                                + k + "\" (and doesn't have default value)");
                    }
                    key.add(Map.entry(k, kv));
                }
                if (key.isEmpty()) {
                    throw new IllegalArgumentException("associative list without keys has an element that's a map type");
                }
                yield new PathElement.Key(key);
            }
        };
    }

    // ---- comparison ----

    /** What changed from {@code lhs} to {@code rhs} (either may be null for no object). */
    public static Comparison compare(JsonNode lhs, JsonNode rhs, FieldType type) {
        FieldSet.Builder added = new FieldSet.Builder();
        FieldSet.Builder modified = new FieldSet.Builder();
        FieldSet.Builder removed = new FieldSet.Builder();
        Cmp c = new Cmp(added, modified, removed);
        c.compare(lhs, rhs, type, new ArrayList<>());
        return new Comparison(added.build(), modified.build(), removed.build());
    }

    private enum Kind { LEAF, MAP, LIST }

    private static Kind kind(JsonNode v, FieldType t, List<PathElement> path) {
        if (v.isObject()) {
            return !path.isEmpty() && t.mapType() == FieldType.MapType.ATOMIC ? Kind.LEAF : Kind.MAP;
        }
        if (v.isArray()) {
            return t.listType() == FieldType.ListType.ATOMIC ? Kind.LEAF : Kind.LIST;
        }
        return Kind.LEAF;
    }

    private record Cmp(FieldSet.Builder added, FieldSet.Builder modified, FieldSet.Builder removed) {

        void compare(JsonNode l, JsonNode r, FieldType t, List<PathElement> path) {
            // a null against a granular map or list is that map or list empty (Go's nil slice or map): its items are
            // added or removed one by one and the position itself is neither
            if (l != null && l.isNull() && r != null && kind(r, t, path) != Kind.LEAF) {
                l = r.isObject() ? JsonNodeFactory.instance.objectNode() : JsonNodeFactory.instance.arrayNode();
            } else if (r != null && r.isNull() && l != null && kind(l, t, path) != Kind.LEAF) {
                r = l.isObject() ? JsonNodeFactory.instance.objectNode() : JsonNodeFactory.instance.arrayNode();
            }
            Kind k = kind(r != null ? r : l, t, path);
            if (l != null && r != null && kind(l, t, path) != k) {
                k = Kind.LEAF; // a value changed shape: one modified leaf
            }
            if (k == Kind.LIST && isEmptyList(l) && isEmptyList(r)) {
                k = Kind.LEAF; // structured-merge-diff promotes empty lists to leaves
            }
            switch (k) {
                case LEAF -> {
                    leaf(l, r, path);
                    return;
                }
                case MAP -> {
                    Set<String> keys = new java.util.LinkedHashSet<>();
                    if (l != null) {
                        l.fieldNames().forEachRemaining(keys::add);
                    }
                    if (r != null) {
                        r.fieldNames().forEachRemaining(keys::add);
                    }
                    for (String key : keys) {
                        path.add(new PathElement.Field(key));
                        compare(l == null ? null : l.get(key), r == null ? null : r.get(key), t.field(key), path);
                        path.removeLast();
                    }
                }
                case LIST -> items(l, r, t, path);
            }
            if (!path.isEmpty()) {
                if (l == null) {
                    added.insert(path);
                } else if (r == null) {
                    removed.insert(path);
                }
            }
        }

        private static boolean isEmptyList(JsonNode v) {
            return v == null || (v.isArray() && v.isEmpty());
        }

        private void leaf(JsonNode l, JsonNode r, List<PathElement> path) {
            if (l == null) {
                added.insert(path);
            } else if (r == null) {
                removed.insert(path);
            } else if (!JsonValues.equal(l, r)) {
                modified.insert(path);
            }
        }

        private void items(JsonNode l, JsonNode r, FieldType t, List<PathElement> path) {
            Map<PathElement, List<JsonNode>> lItems = index(l, t);
            Map<PathElement, List<JsonNode>> rItems = index(r, t);
            List<PathElement> all = new ArrayList<>(lItems.keySet());
            rItems.keySet().stream().filter(pe -> !lItems.containsKey(pe)).forEach(all::add);
            for (PathElement pe : all) {
                List<JsonNode> ls = lItems.getOrDefault(pe, List.of());
                List<JsonNode> rs = rItems.getOrDefault(pe, List.of());
                path.add(pe);
                if (ls.size() <= 1 && rs.size() <= 1) {
                    compare(ls.isEmpty() ? null : ls.getFirst(), rs.isEmpty() ? null : rs.getFirst(), t.element(), path);
                } else if (ls.size() >= 2 && rs.size() >= 2) {
                    if (!sameItems(ls, rs)) {
                        modified.insert(path);
                    }
                } else if (ls.size() >= 2) {
                    if (!rs.isEmpty()) {
                        compare(null, rs.getFirst(), t.element(), path);
                    }
                    removed.insert(path);
                } else {
                    if (!ls.isEmpty()) {
                        compare(ls.getFirst(), null, t.element(), path);
                    }
                    added.insert(path);
                }
                path.removeLast();
            }
        }

        private static boolean sameItems(List<JsonNode> a, List<JsonNode> b) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!JsonValues.equal(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
    }

    private static Map<PathElement, List<JsonNode>> index(JsonNode list, FieldType t) {
        Map<PathElement, List<JsonNode>> out = new LinkedHashMap<>();
        if (list != null && list.isArray()) {
            for (int i = 0; i < list.size(); i++) {
                out.computeIfAbsent(itemElement(list.get(i), t, i), k -> new ArrayList<>()).add(list.get(i));
            }
        }
        return out;
    }

    // ---- merge ----

    /**
     * The applied configuration merged into the live object: granular maps merge key by key, list items of set and
     * map lists merge by identity (the configuration's order wins for items both have, live-only items keep their
     * place), atomic values are replaced.
     */
    public static JsonNode merge(JsonNode live, JsonNode config, FieldType type) {
        return merge(live, config, type, true);
    }

    private static JsonNode merge(JsonNode l, JsonNode r, FieldType t, boolean root) {
        if (r == null) {
            return l == null ? null : l.deepCopy();
        }
        if (l == null) {
            // still walked, so that a configuration's duplicate list items are refused wherever they are
            if (r.isObject()) {
                l = JsonNodeFactory.instance.objectNode();
            } else if (r.isArray()) {
                l = JsonNodeFactory.instance.arrayNode();
            } else {
                return r.deepCopy();
            }
        }
        if (l.isObject() && r.isObject() && (root || t.mapType() == FieldType.MapType.GRANULAR)) {
            ObjectNode out = ((ObjectNode) l).deepCopy();
            for (Map.Entry<String, JsonNode> e : r.properties()) {
                out.set(e.getKey(), merge(l.get(e.getKey()), e.getValue(), t.field(e.getKey()), false));
            }
            return out;
        }
        if (l.isArray() && r.isArray() && t.listType() != FieldType.ListType.ATOMIC) {
            return mergeItems(l, r, t);
        }
        return r.deepCopy();
    }

    private static JsonNode mergeItems(JsonNode l, JsonNode r, FieldType t) {
        Map<PathElement, JsonNode> lItems = new LinkedHashMap<>();
        for (int i = 0; i < l.size(); i++) {
            lItems.putIfAbsent(itemElement(l.get(i), t, i), l.get(i));
        }
        Map<PathElement, JsonNode> rItems = new LinkedHashMap<>();
        for (int i = 0; i < r.size(); i++) {
            PathElement pe = itemElement(r.get(i), t, i);
            if (rItems.putIfAbsent(pe, r.get(i)) != null) {
                throw new IllegalArgumentException("duplicate entries for key " + pe.human());
            }
        }
        List<PathElement> lPes = new ArrayList<>(lItems.keySet());
        List<PathElement> rPes = new ArrayList<>(rItems.keySet());
        // the items both sides have, in the configuration's order: a live item is placed where the configuration puts it
        java.util.ArrayDeque<PathElement> shared = new java.util.ArrayDeque<>();
        rPes.stream().filter(lItems::containsKey).forEach(shared::add);
        Set<PathElement> emitted = new HashSet<>();
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        int li = 0;
        int ri = 0;
        while (li < lPes.size() || ri < rPes.size()) {
            if (li < lPes.size() && ri < rPes.size()) {
                PathElement pe = lPes.get(li);
                if (pe.equals(rPes.get(ri))) {
                    out.add(merge(lItems.get(pe), rItems.get(pe), t.element(), false));
                    emitted.add(pe);
                    li++;
                    ri++;
                    shared.remove(pe);
                    continue;
                }
                if (rItems.containsKey(pe) && !shared.isEmpty() && !shared.peekFirst().equals(pe)) {
                    li++; // emitted later, at the configuration's position
                    continue;
                }
            }
            if (li < lPes.size()) {
                PathElement pe = lPes.get(li);
                if (!rItems.containsKey(pe)) {
                    out.add(lItems.get(pe).deepCopy());
                    li++;
                    continue;
                } else if (emitted.contains(pe)) {
                    li++;
                }
            }
            if (ri < rPes.size()) {
                PathElement pe = rPes.get(ri);
                out.add(merge(lItems.get(pe), rItems.get(pe), t.element(), false));
                emitted.add(pe);
                ri++;
                if (!shared.isEmpty() && shared.peekFirst().equals(pe)) {
                    shared.removeFirst();
                }
            }
        }
        return out;
    }

    // ---- removal ----

    /**
     * The object without the given paths. A member path removes the value (or list item) whole; a map or list left
     * empty by removal is dropped, as Go's typed objects omit it.
     */
    public static JsonNode removeItems(JsonNode object, FieldSet toRemove, FieldType type) {
        if (object == null || toRemove.isEmpty()) {
            return object == null ? null : object.deepCopy();
        }
        JsonNode out = remove(object, toRemove, type, true);
        return out == null ? JsonNodeFactory.instance.objectNode() : out;
    }

    private static JsonNode remove(JsonNode v, FieldSet toRemove, FieldType t, boolean root) {
        if (v.isObject()) {
            if (v.isEmpty()) {
                return v.deepCopy();
            }
            if (!root && t.mapType() == FieldType.MapType.ATOMIC) {
                return null; // removing inside an atomic map removes it, as structured-merge-diff does
            }
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (Map.Entry<String, JsonNode> e : v.properties()) {
                PathElement pe = new PathElement.Field(e.getKey());
                if (toRemove.members().contains(pe)) {
                    continue;
                }
                FieldSet sub = toRemove.withPrefix(pe);
                JsonNode val = sub.isEmpty() ? e.getValue().deepCopy() : remove(e.getValue(), sub, t.field(e.getKey()), false);
                if (val != null) {
                    out.set(e.getKey(), val);
                }
            }
            return out.isEmpty() ? null : out;
        }
        if (v.isArray()) {
            if (v.isEmpty()) {
                return v.deepCopy();
            }
            if (t.listType() == FieldType.ListType.ATOMIC) {
                return null;
            }
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            for (int i = 0; i < v.size(); i++) {
                PathElement pe = itemElement(v.get(i), t, i);
                if (toRemove.members().contains(pe)) {
                    continue;
                }
                FieldSet sub = toRemove.withPrefix(pe);
                JsonNode item = sub.isEmpty() ? v.get(i).deepCopy() : remove(v.get(i), sub, t.element(), false);
                if (item != null) {
                    out.add(item);
                }
            }
            return out.isEmpty() ? null : out;
        }
        return v.deepCopy();
    }

    /**
     * The set with every struct field that has owned paths below it also a member, so that pruning may remove a
     * struct nobody owns anything in (structured-merge-diff's EnsureNamedFieldsAreMembers).
     */
    public static FieldSet ensureNamedFieldsAreMembers(FieldSet s, FieldType t) {
        FieldSet.Builder b = new FieldSet.Builder();
        ensure(s, t, new ArrayList<>(), b);
        return b.build();
    }

    private static void ensure(FieldSet s, FieldType t, List<PathElement> path, FieldSet.Builder b) {
        for (PathElement pe : s.members()) {
            path.add(pe);
            b.insert(path);
            path.removeLast();
        }
        s.children().forEach((pe, child) -> {
            path.add(pe);
            FieldType ct;
            if (pe instanceof PathElement.Field f) {
                if (t.isNamedField(f.name())) {
                    b.insert(path);
                }
                ct = t.field(f.name());
            } else {
                ct = t.element();
            }
            ensure(child, ct, path, b);
            path.removeLast();
        });
    }

    /**
     * A stored set brought in line with the current types (structured-merge-diff's ReconcileFieldSetWithSchema): where
     * a list or map has become atomic since the entry was written (a CRD update), the paths below it collapse into
     * the list or map itself, so ownership and conflicts use the new granularity. Whether a position is a list or a
     * map is read from the set's own path elements; deduced (schemaless) positions are left alone.
     */
    public static FieldSet reconcileWithTypes(FieldSet s, FieldType t) {
        FieldSet.Builder b = new FieldSet.Builder();
        boolean changed = reconcile(s, t, new ArrayList<>(), b);
        return changed ? b.build() : s;
    }

    private static boolean reconcile(FieldSet s, FieldType t, List<PathElement> path, FieldSet.Builder b) {
        boolean changed = false;
        for (PathElement pe : s.members()) {
            path.add(pe);
            b.insert(path);
            path.removeLast();
        }
        for (Map.Entry<PathElement, FieldSet> e : s.children().entrySet()) {
            PathElement pe = e.getKey();
            FieldSet child = e.getValue();
            FieldType ct = pe instanceof PathElement.Field f ? t.field(f.name()) : t.element();
            path.add(pe);
            if (ct != FieldType.DEDUCED && isAtomicHere(child, ct)) {
                b.insert(path);
                changed = true;
            } else {
                changed |= reconcile(child, ct, path, b);
            }
            path.removeLast();
        }
        return changed;
    }

    /** The set below a position says whether it is a map (field names) or a list (keys, values, indices). */
    private static boolean isAtomicHere(FieldSet below, FieldType t) {
        PathElement first = below.children().isEmpty() ? below.members().first()
                : below.members().isEmpty() ? below.children().firstKey()
                : java.util.Collections.min(List.of(below.members().first(), below.children().firstKey()));
        if (first instanceof PathElement.Field) {
            return t.mapType() == FieldType.MapType.ATOMIC;
        }
        return t.listType() == FieldType.ListType.ATOMIC;
    }
}

package io.kubus.gateway.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An immutable set of field paths in structured-merge-diff's shape: at each level the path elements that are members
 * (the path ends there) and the children (paths continuing below). A path can be both, as a list item owned in itself
 * and through its fields ({@code k:{...}: {".": {}, "f:image": {}}}). This is what one managedFields entry's
 * {@code fieldsV1} holds.
 */
public final class FieldSet {

    public static final FieldSet EMPTY = new FieldSet(new TreeSet<>(), new TreeMap<>());

    private final NavigableSet<PathElement> members;
    /** Never holds an empty child set, so emptiness is structural. */
    private final NavigableMap<PathElement, FieldSet> children;

    private FieldSet(NavigableSet<PathElement> members, NavigableMap<PathElement, FieldSet> children) {
        this.members = Collections.unmodifiableNavigableSet(members);
        this.children = Collections.unmodifiableNavigableMap(children);
    }

    /** A set of the given paths. */
    @SafeVarargs
    public static FieldSet of(List<PathElement>... paths) {
        Builder b = new Builder();
        for (List<PathElement> p : paths) {
            b.insert(p);
        }
        return b.build();
    }

    /** A path of field names, for tests and fixed sets: {@code path("spec", "replicas")}. */
    public static List<PathElement> path(String... fields) {
        List<PathElement> p = new ArrayList<>();
        for (String f : fields) {
            p.add(new PathElement.Field(f));
        }
        return p;
    }

    public boolean isEmpty() {
        return members.isEmpty() && children.isEmpty();
    }

    public boolean has(List<PathElement> path) {
        if (path.isEmpty()) {
            return false;
        }
        if (path.size() == 1) {
            return members.contains(path.getFirst());
        }
        FieldSet c = children.get(path.getFirst());
        return c != null && c.has(path.subList(1, path.size()));
    }

    /** The paths below {@code pe}, relative to it. */
    public FieldSet withPrefix(PathElement pe) {
        return children.getOrDefault(pe, EMPTY);
    }

    NavigableSet<PathElement> members() {
        return members;
    }

    NavigableMap<PathElement, FieldSet> children() {
        return children;
    }

    public FieldSet union(FieldSet o) {
        TreeSet<PathElement> m = new TreeSet<>(members);
        m.addAll(o.members);
        TreeMap<PathElement, FieldSet> c = new TreeMap<>(children);
        o.children.forEach((pe, s) -> c.merge(pe, s, FieldSet::union));
        return new FieldSet(m, c);
    }

    public FieldSet intersection(FieldSet o) {
        TreeSet<PathElement> m = new TreeSet<>(members);
        m.retainAll(o.members);
        TreeMap<PathElement, FieldSet> c = new TreeMap<>();
        children.forEach((pe, s) -> {
            FieldSet other = o.children.get(pe);
            if (other != null) {
                putNonEmpty(c, pe, s.intersection(other));
            }
        });
        return new FieldSet(m, c);
    }

    /** The paths of this set that {@code o} lacks; a member of {@code o} does not remove paths below it. */
    public FieldSet difference(FieldSet o) {
        return minus(o, false);
    }

    /** Like {@link #difference} but a member of {@code o} also removes everything below it (kube's reset fields). */
    public FieldSet recursiveDifference(FieldSet o) {
        return minus(o, true);
    }

    private FieldSet minus(FieldSet o, boolean recursive) {
        TreeSet<PathElement> m = new TreeSet<>(members);
        m.removeAll(o.members);
        TreeMap<PathElement, FieldSet> c = new TreeMap<>();
        children.forEach((pe, s) -> {
            if (recursive && o.members.contains(pe)) {
                return;
            }
            FieldSet other = o.children.get(pe);
            putNonEmpty(c, pe, other == null ? s : s.minus(other, recursive));
        });
        return new FieldSet(m, c);
    }

    private static void putNonEmpty(Map<PathElement, FieldSet> c, PathElement pe, FieldSet s) {
        if (!s.isEmpty()) {
            c.put(pe, s);
        }
    }

    /** Every path, in structured-merge-diff's iteration order: this level's members, then each child's paths. */
    public List<List<PathElement>> paths() {
        List<List<PathElement>> out = new ArrayList<>();
        collect(new ArrayList<>(), out);
        return out;
    }

    private void collect(List<PathElement> prefix, List<List<PathElement>> out) {
        for (PathElement pe : members) {
            List<PathElement> p = new ArrayList<>(prefix);
            p.add(pe);
            out.add(List.copyOf(p));
        }
        children.forEach((pe, s) -> {
            prefix.add(pe);
            s.collect(prefix, out);
            prefix.removeLast();
        });
    }

    /** The fieldsV1 object, element keys in structured-merge-diff's order and {@code "."} first for a member that has children. */
    public ObjectNode toFieldsV1() {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        emit(out);
        return out;
    }

    private void emit(ObjectNode out) {
        TreeSet<PathElement> all = new TreeSet<>(members);
        all.addAll(children.keySet());
        for (PathElement pe : all) {
            ObjectNode node = out.putObject(pe.serialize());
            FieldSet child = children.get(pe);
            if (child != null) {
                if (members.contains(pe)) {
                    node.putObject(".");
                }
                child.emit(node);
            }
        }
    }

    /** Compact fieldsV1 JSON as kube stores it. */
    public String toFieldsV1String() {
        StringBuilder b = new StringBuilder();
        writeCompact(toFieldsV1(), b);
        return b.toString();
    }

    private static void writeCompact(JsonNode n, StringBuilder b) {
        b.append('{');
        boolean first = true;
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            JsonValues.writeGoJson(b, e.getKey());
            b.append(':');
            writeCompact(e.getValue(), b);
        }
        b.append('}');
    }

    /**
     * Reads fieldsV1. As kube does, an empty object marks a member, {@code "."} marks the enclosing element as a member
     * too, and keys of an unknown element type are dropped.
     */
    public static FieldSet fromFieldsV1(JsonNode fieldsV1) {
        if (fieldsV1 == null || fieldsV1.isNull()) {
            return EMPTY;
        }
        if (!fieldsV1.isObject()) {
            throw new IllegalArgumentException("fieldsV1 must be a JSON object");
        }
        FieldSet s = read(fieldsV1).set;
        return s == null ? EMPTY : s;
    }

    private record Read(FieldSet set, boolean member) {
    }

    private static Read read(JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("fieldsV1 values must be JSON objects");
        }
        boolean member = false;
        TreeSet<PathElement> m = new TreeSet<>();
        TreeMap<PathElement, FieldSet> c = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (e.getKey().equals(".")) {
                member = true;
                continue;
            }
            PathElement pe = PathElement.parse(e.getKey());
            if (pe == null) {
                continue;
            }
            Read child = read(e.getValue());
            if (child.member) {
                m.add(pe);
            }
            if (child.set != null) {
                c.merge(pe, child.set, FieldSet::union);
            }
        }
        if (m.isEmpty() && c.isEmpty()) {
            return new Read(null, true);
        }
        return new Read(new FieldSet(m, c), member);
    }

    /** One human path per line, as kube prints a set. */
    @Override
    public String toString() {
        List<String> lines = new ArrayList<>();
        paths().forEach(p -> lines.add(PathElement.human(p)));
        return String.join("\n", lines);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FieldSet s && members.equals(s.members) && children.equals(s.children);
    }

    @Override
    public int hashCode() {
        return Objects.hash(members, children);
    }

    /** Accumulates paths; the result is immutable. */
    public static final class Builder {
        private final TreeSet<PathElement> members = new TreeSet<>();
        private final TreeMap<PathElement, Builder> children = new TreeMap<>();

        public Builder insert(List<PathElement> path) {
            if (path.isEmpty()) {
                return this;
            }
            if (path.size() == 1) {
                members.add(path.getFirst());
            } else {
                children.computeIfAbsent(path.getFirst(), k -> new Builder()).insert(path.subList(1, path.size()));
            }
            return this;
        }

        public Builder addAll(FieldSet s) {
            members.addAll(s.members);
            s.children.forEach((pe, c) -> children.computeIfAbsent(pe, k -> new Builder()).addAll(c));
            return this;
        }

        public FieldSet build() {
            TreeMap<PathElement, FieldSet> c = new TreeMap<>();
            children.forEach((pe, b) -> putNonEmpty(c, pe, b.build()));
            if (members.isEmpty() && c.isEmpty()) {
                return EMPTY;
            }
            return new FieldSet(new TreeSet<>(members), c);
        }
    }

}

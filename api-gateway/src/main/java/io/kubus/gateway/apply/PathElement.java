package io.kubus.gateway.apply;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One step of a field path, as structured-merge-diff's PathElement: a map field ({@code f:name}), a list-map item by
 * its key fields ({@code k:{"name":"x"}}), a set item by its value ({@code v:"x"}) or an atomic list's index
 * ({@code i:0}). Elements are totally ordered as structured-merge-diff orders them (field names, then keys, then
 * values, then indices), which is the order kube writes them in fieldsV1.
 */
public sealed interface PathElement extends Comparable<PathElement> {

    record Field(String name) implements PathElement {
        public Field {
            Objects.requireNonNull(name);
        }
    }

    /** Key fields sorted by name, as structured-merge-diff keeps them. */
    record Key(List<Map.Entry<String, JsonNode>> fields) implements PathElement {
        public Key {
            List<Map.Entry<String, JsonNode>> sorted = new ArrayList<>(fields);
            sorted.sort(Map.Entry.comparingByKey());
            fields = List.copyOf(sorted);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && compareKeys(fields, k.fields) == 0;
        }

        @Override
        public int hashCode() {
            return fields.stream().mapToInt(e -> e.getKey().hashCode()).sum();
        }
    }

    record Value(JsonNode value) implements PathElement {
        public Value {
            Objects.requireNonNull(value);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Value v && JsonValues.compare(value, v.value) == 0;
        }

        @Override
        public int hashCode() {
            return value.isNumber() ? Double.hashCode(value.doubleValue()) : value.hashCode();
        }
    }

    record Index(int index) implements PathElement {
    }

    static PathElement field(String name) {
        return new Field(name);
    }

    private int rank() {
        return switch (this) {
            case Field f -> 0;
            case Key k -> 1;
            case Value v -> 2;
            case Index i -> 3;
        };
    }

    @Override
    default int compareTo(PathElement o) {
        int r = Integer.compare(rank(), o.rank());
        if (r != 0) {
            return r;
        }
        return switch (this) {
            case Field f -> JsonValues.compareStrings(f.name(), ((Field) o).name());
            case Key k -> compareKeys(k.fields(), ((Key) o).fields());
            case Value v -> JsonValues.compare(v.value(), ((Value) o).value());
            case Index i -> Integer.compare(i.index(), ((Index) o).index());
        };
    }

    /** Lexical over the sorted key fields: name, then value, shorter first. */
    private static int compareKeys(List<Map.Entry<String, JsonNode>> a, List<Map.Entry<String, JsonNode>> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = JsonValues.compareStrings(a.get(i).getKey(), b.get(i).getKey());
            if (c == 0) {
                c = JsonValues.compare(a.get(i).getValue(), b.get(i).getValue());
            }
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    /** The fieldsV1 key: {@code f:name}, {@code k:{...}}, {@code v:...}, {@code i:n}. */
    default String serialize() {
        return switch (this) {
            case Field f -> "f:" + f.name();
            case Key k -> {
                StringBuilder b = new StringBuilder("k:{");
                for (int i = 0; i < k.fields().size(); i++) {
                    if (i > 0) {
                        b.append(',');
                    }
                    JsonValues.writeGoJson(b, k.fields().get(i).getKey());
                    b.append(':');
                    JsonValues.writeGoJson(b, k.fields().get(i).getValue());
                }
                yield b.append('}').toString();
            }
            case Value v -> {
                StringBuilder b = new StringBuilder("v:");
                JsonValues.writeGoJson(b, v.value());
                yield b.toString();
            }
            case Index i -> "i:" + i.index();
        };
    }

    /** Parses a fieldsV1 key; null for an unknown element type, which kube skips so newer writers stay readable. */
    static PathElement parse(String s) {
        if (s.length() < 2 || s.charAt(1) != ':') {
            throw new IllegalArgumentException(s.length() < 2 ? "key must be 2 characters long: " + s
                    : "missing colon: " + s);
        }
        String body = s.substring(2);
        return switch (s.charAt(0)) {
            case 'f' -> new Field(body);
            case 'v' -> new Value(JsonValues.parse(body));
            case 'k' -> {
                JsonNode obj = JsonValues.parse(body);
                if (!obj.isObject()) {
                    throw new IllegalArgumentException("key is not a JSON object: " + s);
                }
                List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
                obj.properties().forEach(e -> fields.add(Map.entry(e.getKey(), e.getValue())));
                yield new Key(fields);
            }
            case 'i' -> {
                try {
                    yield new Index(Integer.parseInt(body));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("invalid index: " + s);
                }
            }
            default -> null;
        };
    }

    /** The human form used in conflict messages: {@code .name}, {@code [k="v",k2=1]}, {@code [="v"]}, {@code [0]}. */
    default String human() {
        return switch (this) {
            case Field f -> "." + f.name();
            case Key k -> {
                List<String> parts = new ArrayList<>();
                k.fields().forEach(e -> parts.add(e.getKey() + "=" + JsonValues.toGoString(e.getValue())));
                yield "[" + String.join(",", parts) + "]";
            }
            case Value v -> "[=" + JsonValues.toGoString(v.value()) + "]";
            case Index i -> "[" + i.index() + "]";
        };
    }

    /** A path's human form, the concatenation of its elements'. */
    static String human(List<PathElement> path) {
        StringBuilder b = new StringBuilder();
        path.forEach(pe -> b.append(pe.human()));
        return b.toString();
    }

    Comparator<List<PathElement>> PATH_ORDER = (a, b) -> {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    };
}

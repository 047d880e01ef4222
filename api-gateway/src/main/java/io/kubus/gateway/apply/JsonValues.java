package io.kubus.gateway.apply;

import io.kubus.schema.validation.GoQuote;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** JSON value helpers that follow Go's behaviour where managedFields' bytes or messages depend on it. */
final class JsonValues {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonValues() {
    }

    static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("invalid JSON in path element: " + json, e);
        }
    }

    /** Go's strings.Compare orders UTF-8 bytes, which is code point order (UTF-16 units differ above U+D800). */
    static int compareStrings(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** structured-merge-diff's total order of values: floats and ints numerically first, then strings, bools, lists, maps, null. */
    static int compare(JsonNode a, JsonNode b) {
        int ra = rank(a);
        int rb = rank(b);
        if (ra <= 1 && rb <= 1) {
            if (ra == 1 && rb == 1) {
                return a.bigIntegerValue().compareTo(b.bigIntegerValue());
            }
            return Double.compare(a.doubleValue(), b.doubleValue());
        }
        if (ra != rb) {
            return Integer.compare(ra, rb);
        }
        switch (ra) {
            case 2:
                return compareStrings(a.textValue(), b.textValue());
            case 3:
                return Boolean.compare(a.booleanValue(), b.booleanValue());
            case 4: {
                for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                    int c = compare(a.get(i), b.get(i));
                    if (c != 0) {
                        return c;
                    }
                }
                return Integer.compare(a.size(), b.size());
            }
            case 5: {
                List<Map.Entry<String, JsonNode>> ea = sortedEntries(a);
                List<Map.Entry<String, JsonNode>> eb = sortedEntries(b);
                for (int i = 0; i < Math.min(ea.size(), eb.size()); i++) {
                    int c = compareStrings(ea.get(i).getKey(), eb.get(i).getKey());
                    if (c == 0) {
                        c = compare(ea.get(i).getValue(), eb.get(i).getValue());
                    }
                    if (c != 0) {
                        return c;
                    }
                }
                return Integer.compare(ea.size(), eb.size());
            }
            default:
                return 0;
        }
    }

    private static int rank(JsonNode v) {
        if (v.isNumber()) {
            return v.isIntegralNumber() ? 1 : 0;
        }
        if (v.isTextual()) {
            return 2;
        }
        if (v.isBoolean()) {
            return 3;
        }
        if (v.isArray()) {
            return 4;
        }
        if (v.isObject()) {
            return 5;
        }
        return 6;
    }

    private static List<Map.Entry<String, JsonNode>> sortedEntries(JsonNode o) {
        TreeMap<String, JsonNode> m = new TreeMap<>(JsonValues::compareStrings);
        o.properties().forEach(e -> m.put(e.getKey(), e.getValue()));
        return new ArrayList<>(m.entrySet());
    }

    /** Equality as structured-merge-diff sees it (1 and 1.0 are equal; key order never matters). */
    static boolean equal(JsonNode a, JsonNode b) {
        if (a == null || b == null) {
            return a == b;
        }
        return compare(a, b) == 0;
    }

    /** Writes a value as Go's encoding/json does: sorted object keys, HTML characters escaped. */
    static void writeGoJson(StringBuilder b, JsonNode v) {
        if (v.isTextual()) {
            writeGoJson(b, v.textValue());
        } else if (v.isIntegralNumber()) {
            b.append(v.bigIntegerValue());
        } else if (v.isNumber()) {
            b.append(goFloat(v.doubleValue()));
        } else if (v.isBoolean()) {
            b.append(v.booleanValue());
        } else if (v.isArray()) {
            b.append('[');
            Iterator<JsonNode> it = v.elements();
            boolean first = true;
            while (it.hasNext()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                writeGoJson(b, it.next());
            }
            b.append(']');
        } else if (v.isObject()) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<String, JsonNode> e : sortedEntries(v)) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                writeGoJson(b, e.getKey());
                b.append(':');
                writeGoJson(b, e.getValue());
            }
            b.append('}');
        } else {
            b.append("null");
        }
    }

    static void writeGoJson(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> b.append(String.format("\\u%04x", (int) c));
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    /** Go's shortest float formatting for the common cases (integral floats print without a fraction). */
    private static String goFloat(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e21) {
            return new BigDecimal(d).toPlainString();
        }
        String s = Double.toString(d);
        return s.contains("E") ? BigDecimal.valueOf(d).toString().replace("E", "e") : s;
    }

    /** Go's {@code %v}/{@code %q} rendering used by structured-merge-diff's value.ToString in conflict paths. */
    static String toGoString(JsonNode v) {
        if (v == null || v.isNull()) {
            return "null";
        }
        if (v.isTextual()) {
            return GoQuote.quote(v.textValue());
        }
        if (v.isIntegralNumber()) {
            return v.bigIntegerValue().toString();
        }
        if (v.isNumber()) {
            return goFloat(v.doubleValue());
        }
        if (v.isBoolean()) {
            return Boolean.toString(v.booleanValue());
        }
        if (v.isArray()) {
            List<String> parts = new ArrayList<>();
            v.elements().forEachRemaining(e -> parts.add(toGoString(e)));
            return "[" + String.join(",", parts) + "]";
        }
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, JsonNode> e : sortedEntries(v)) {
            b.append(e.getKey()).append('=').append(toGoString(e.getValue()));
        }
        return b.toString();
    }
}

package io.kubus.schema.validation;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Quotes a string the way Go's {@code %q} does, because Kubernetes error messages embed values that way
 * and clients (kubectl, tests) compare them textually.
 */
public final class GoQuote {

    private GoQuote() {
    }

    public static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (cp < 0x20 || cp == 0x7f) {
                        sb.append(String.format("\\x%02x", cp));
                    } else if (Character.isISOControl(cp) || !Character.isDefined(cp)) {
                        sb.append(cp <= 0xffff ? String.format("\\u%04x", cp) : String.format("\\U%08x", cp));
                    } else {
                        sb.appendCodePoint(cp);
                    }
                }
            }
        });
        return sb.append('"').toString();
    }

    /** A {@code []string} as Go's {@code %#v} prints it: {@code []string{"a", "b"}}. */
    public static String stringSlice(List<String> values) {
        return values.stream().map(GoQuote::quote).collect(Collectors.joining(", ", "[]string{", "}"));
    }
}

package io.kubus.schema.selector;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * An immutable Kubernetes field selector: a conjunction of {@code field=value} / {@code field!=value} terms
 * (k8s.io/apimachinery/pkg/fields). Values may escape {@code \\}, {@code \,} and {@code \=} with a backslash.
 *
 * <p>Unlike Kubernetes, whitespace around fields and values is trimmed ({@code metadata.name = x} is
 * {@code metadata.name=x}); Kubernetes would keep it and then fail to find the field {@code "metadata.name "}.
 */
public final class FieldSelector {

    /** One term; {@code equals == false} means {@code !=}. */
    public record Term(String field, boolean equals, String value) {

        public Term {
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(value, "value");
        }

        boolean matches(String actual) {
            return equals == value.equals(actual);
        }

        /** {@code field=value} or {@code field!=value}, value escaped so that it parses back. */
        @Override
        public String toString() {
            return field + (equals ? "=" : "!=") + escapeValue(value);
        }
    }

    private static final FieldSelector EVERYTHING = new FieldSelector(List.of());

    private final List<Term> terms;

    private FieldSelector(List<Term> terms) {
        this.terms = terms;
    }

    public static FieldSelector everything() {
        return EVERYTHING;
    }

    /**
     * Parses {@code a=b,c==d,e!=f}. Null, empty or blank selects everything; empty terms ({@code a=b,,}) are
     * ignored, as in Kubernetes.
     *
     * @throws SelectorException e.g. {@code invalid selector: 'x'; can't understand 'x'}
     */
    public static FieldSelector parse(String selector) {
        if (selector == null || selector.isBlank()) {
            return EVERYTHING;
        }
        List<Term> terms = new ArrayList<>();
        for (String part : splitTerms(selector)) {
            String term = part.strip();
            if (term.isEmpty()) {
                continue;
            }
            Term t = splitTerm(term);
            if (t == null) {
                throw new SelectorException("invalid selector: '" + selector + "'; can't understand '" + term + "'");
            }
            terms.add(t);
        }
        return of(terms);
    }

    /** A selector of the given terms (sorted into canonical order). */
    public static FieldSelector of(List<Term> terms) {
        if (terms.isEmpty()) {
            return EVERYTHING;
        }
        return new FieldSelector(terms.stream().map(Objects::requireNonNull)
                .sorted(Comparator.comparing(Term::toString)).distinct().toList());
    }

    /** Selects objects whose {@code field} equals {@code value}. */
    public static FieldSelector oneTermEquals(String field, String value) {
        return of(List.of(new Term(field, true, value)));
    }

    public List<Term> terms() {
        return terms;
    }

    public boolean isEverything() {
        return terms.isEmpty();
    }

    /** The distinct field names used, sorted. */
    public Set<String> fields() {
        return terms.stream().map(Term::field).collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * Rejects a selector on a field the resource does not index, with Kubernetes' message
     * {@code field label not supported: <field>} (the first unsupported field in sorted order).
     *
     * @param resource the resource being listed (e.g. {@code pods}); not used in the message, which is
     *                 Kubernetes' exact text, but kept so call sites state what the set of fields belongs to
     */
    public void requireSupported(Set<String> supported, String resource) {
        Objects.requireNonNull(supported, "supported");
        for (String f : fields()) {
            if (!supported.contains(f)) {
                throw new SelectorException("field label not supported: " + f);
            }
        }
    }

    /**
     * Evaluates the selector against an object's JSON. Fields are dotted paths ({@code metadata.name},
     * {@code spec.nodeName}, {@code involvedObject.uid}); a missing or null field reads as {@code ""},
     * numbers and booleans as their JSON text, and objects/arrays as {@code ""} (they are never selectable).
     */
    public boolean matches(JsonNode object) {
        for (Term t : terms) {
            if (!t.matches(resolve(object, t.field))) {
                return false;
            }
        }
        return true;
    }

    /** Evaluates against a precomputed field set, as Kubernetes' {@code fields.Set}; absent means {@code ""}. */
    public boolean matches(Map<String, String> fields) {
        Map<String, String> fs = fields == null ? Map.of() : fields;
        for (Term t : terms) {
            if (!t.matches(Objects.requireNonNullElse(fs.get(t.field), ""))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The value {@code field} must equal, if some {@code field=value} term requires it (Kubernetes'
     * {@code RequiresExactMatch}); lets stores use an index, e.g. for {@code metadata.name=x}.
     */
    public Optional<String> exactValue(String field) {
        return terms.stream().filter(t -> t.equals && t.field.equals(field)).map(Term::value).findFirst();
    }

    /** Canonical form: terms sorted, values escaped; parses back to an equal selector. */
    @Override
    public String toString() {
        return terms.stream().map(Term::toString).collect(Collectors.joining(","));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FieldSelector s && terms.equals(s.terms);
    }

    @Override
    public int hashCode() {
        return terms.hashCode();
    }

    /** Escapes {@code \}, {@code ,} and {@code =} so a value can be embedded in a selector string. */
    public static String escapeValue(String s) {
        return s.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=");
    }

    /** Reverses {@link #escapeValue}; any other escape, a trailing {@code \} or a bare {@code ,}/{@code =} is an error. */
    public static String unescapeValue(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean inSlash = false;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (inSlash) {
                if (c != '\\' && c != ',' && c != '=') {
                    throw new SelectorException("invalid field selector: invalid escape sequence: \\"
                            + Character.toString(c));
                }
                sb.appendCodePoint(c);
                inSlash = false;
            } else if (c == '\\') {
                inSlash = true;
            } else if (c == ',' || c == '=') {
                throw new SelectorException("invalid field selector: unescaped character in value: "
                        + Character.toString(c));
            } else {
                sb.appendCodePoint(c);
            }
        }
        if (inSlash) {
            throw new SelectorException("invalid field selector: invalid escape sequence: \\");
        }
        return sb.toString();
    }

    // Splits on commas not preceded by a backslash; escapes stay in the terms for unescapeValue.
    private static List<String> splitTerms(String s) {
        List<String> out = new ArrayList<>();
        int start = 0;
        boolean inSlash = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inSlash) {
                inSlash = false;
            } else if (c == '\\') {
                inSlash = true;
            } else if (c == ',') {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }

    // The field part has no escaping, so the first operator occurrence splits the term. "==" is tried
    // before "=" so that "a==b" does not leave "=b" as the value.
    private static Term splitTerm(String term) {
        for (int i = 0; i < term.length(); i++) {
            for (String op : new String[] {"!=", "==", "="}) {
                if (term.startsWith(op, i)) {
                    String field = term.substring(0, i).strip();
                    if (field.isEmpty()) {
                        return null;
                    }
                    String value = unescapeValue(term.substring(i + op.length()).strip());
                    return new Term(field, !op.equals("!="), value);
                }
            }
        }
        return null;
    }

    private static String resolve(JsonNode object, String path) {
        JsonNode node = object;
        for (String segment : path.split("\\.", -1)) {
            if (node == null || !node.isObject()) {
                return "";
            }
            node = node.get(segment);
        }
        if (node == null || node.isNull() || node.isContainerNode() || node.isMissingNode()) {
            return "";
        }
        return node.asText();
    }
}

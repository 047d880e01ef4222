package io.kubus.schema.selector;

import io.kubus.schema.validation.GoQuote;
import io.kubus.schema.validation.Names;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lexer and recursive-descent parser for the Kubernetes label selector string syntax, following the grammar
 * and error texts of k8s.io/apimachinery/pkg/labels/selector.go. Single-use; not thread-safe.
 */
final class LabelSelectorParser {

    private enum Tok {
        ERROR, END, CLOSED_PAR, COMMA, DOES_NOT_EXIST, DOUBLE_EQUALS, EQUALS, GREATER_THAN, IDENTIFIER, IN,
        LESS_THAN, NOT_EQUALS, NOT_IN, OPEN_PAR
    }

    private record Item(Tok tok, String literal) {
    }

    private static final Map<String, Tok> KEYWORDS = Map.ofEntries(
            Map.entry(")", Tok.CLOSED_PAR), Map.entry(",", Tok.COMMA), Map.entry("!", Tok.DOES_NOT_EXIST),
            Map.entry("==", Tok.DOUBLE_EQUALS), Map.entry("=", Tok.EQUALS), Map.entry(">", Tok.GREATER_THAN),
            Map.entry("in", Tok.IN), Map.entry("<", Tok.LESS_THAN), Map.entry("!=", Tok.NOT_EQUALS),
            Map.entry("notin", Tok.NOT_IN), Map.entry("(", Tok.OPEN_PAR));

    private static final String BINARY_OPERATORS = "in, notin, =, ==, !=, gt, lt";

    private final List<Item> items = new ArrayList<>();
    private int position;

    private LabelSelectorParser(String s) {
        Lexer lexer = new Lexer(s);
        Item item;
        do {
            item = lexer.next();
            items.add(item);
        } while (item.tok != Tok.END);
    }

    static List<Requirement> parse(String s) {
        return new LabelSelectorParser(s).parseRequirements();
    }

    private List<Requirement> parseRequirements() {
        List<Requirement> requirements = new ArrayList<>();
        while (true) {
            Item la = lookahead(true);
            switch (la.tok) {
                case IDENTIFIER, DOES_NOT_EXIST -> {
                    Requirement r;
                    try {
                        r = parseRequirement();
                    } catch (SelectorException e) {
                        throw new SelectorException("unable to parse requirement: " + e.getMessage());
                    }
                    requirements.add(r);
                    Item next = consume(true);
                    switch (next.tok) {
                        case END -> {
                            return requirements;
                        }
                        case COMMA -> {
                            Item after = lookahead(true);
                            if (after.tok != Tok.IDENTIFIER && after.tok != Tok.DOES_NOT_EXIST) {
                                throw new SelectorException(
                                        "found '" + after.literal + "', expected: identifier after ','");
                            }
                        }
                        default -> throw new SelectorException(
                                "found '" + next.literal + "', expected: ',' or 'end of string'");
                    }
                }
                case END -> {
                    return requirements;
                }
                default -> throw new SelectorException(
                        "found '" + la.literal + "', expected: !, identifier, or 'end of string'");
            }
        }
    }

    private Requirement parseRequirement() {
        // Key, with the operator inferred when it is a bare "k" or "!k".
        Operator op = null;
        Item t = consume(true);
        if (t.tok == Tok.DOES_NOT_EXIST) {
            op = Operator.DOES_NOT_EXIST;
            t = consume(true);
        }
        if (t.tok != Tok.IDENTIFIER) {
            throw new SelectorException("found '" + t.literal + "', expected: identifier");
        }
        String key = t.literal;
        List<String> keyErrs = Names.qualifiedName(key);
        if (!keyErrs.isEmpty()) {
            throw new SelectorException("Invalid value: " + GoQuote.quote(key) + ": " + String.join("; ", keyErrs));
        }
        Tok after = lookahead(true).tok;
        if (op == null && (after == Tok.END || after == Tok.COMMA)) {
            op = Operator.EXISTS;
        }
        if (op == Operator.EXISTS || op == Operator.DOES_NOT_EXIST) {
            return Requirement.of(key, op, List.of());
        }

        Item o = consume(false);
        op = switch (o.tok) {
            case IN -> Operator.IN;
            case NOT_IN -> Operator.NOT_IN;
            case EQUALS -> Operator.EQUALS;
            case DOUBLE_EQUALS -> Operator.DOUBLE_EQUALS;
            case NOT_EQUALS -> Operator.NOT_EQUALS;
            case GREATER_THAN -> Operator.GREATER_THAN;
            case LESS_THAN -> Operator.LESS_THAN;
            default -> throw new SelectorException("found '" + o.literal + "', expected: " + BINARY_OPERATORS);
        };
        Set<String> values = (op == Operator.IN || op == Operator.NOT_IN) ? parseValues() : parseExactValue();
        return Requirement.of(key, op, values);
    }

    private Set<String> parseValues() {
        Item t = consume(true);
        if (t.tok != Tok.OPEN_PAR) {
            throw new SelectorException("found '" + t.literal + "' expected: '('");
        }
        Item la = lookahead(true);
        switch (la.tok) {
            case IDENTIFIER, COMMA -> {
                Set<String> s = parseIdentifiersList();
                if (consume(true).tok != Tok.CLOSED_PAR) {
                    throw new SelectorException("found '" + la.literal + "', expected: ')'");
                }
                return s;
            }
            case CLOSED_PAR -> {
                // Kubernetes reads "()" as the single empty value, i.e. "k in ()" means k="".
                consume(true);
                return Set.of("");
            }
            default -> throw new SelectorException("found '" + la.literal + "', expected: ',', ')' or identifier");
        }
    }

    // A comma separated list of possibly empty identifiers: "(a,,b)" and "(,a)" contain "".
    private Set<String> parseIdentifiersList() {
        Set<String> s = new LinkedHashSet<>();
        while (true) {
            Item t = consume(true);
            switch (t.tok) {
                case IDENTIFIER -> {
                    s.add(t.literal);
                    Item la = lookahead(true);
                    switch (la.tok) {
                        case COMMA -> {
                        }
                        case CLOSED_PAR -> {
                            return s;
                        }
                        default -> throw new SelectorException("found '" + la.literal + "', expected: ',' or ')'");
                    }
                }
                case COMMA -> {
                    if (s.isEmpty()) {
                        s.add("");
                    }
                    Tok la = lookahead(true).tok;
                    if (la == Tok.CLOSED_PAR) {
                        s.add("");
                        return s;
                    }
                    if (la == Tok.COMMA) {
                        consume(true);
                        s.add("");
                    }
                }
                default -> throw new SelectorException("found '" + t.literal + "', expected: ',', or identifier");
            }
        }
    }

    private Set<String> parseExactValue() {
        Tok la = lookahead(true).tok;
        if (la == Tok.END || la == Tok.COMMA) {
            return Set.of(""); // "k=" selects the empty value
        }
        Item t = consume(true);
        if (t.tok == Tok.IDENTIFIER) {
            return Set.of(t.literal);
        }
        throw new SelectorException("found '" + t.literal + "', expected: identifier");
    }

    /** In value position the keywords {@code in}/{@code notin} are ordinary identifiers (a label may be "in"). */
    private Item lookahead(boolean values) {
        Item item = items.get(position);
        if (values && (item.tok == Tok.IN || item.tok == Tok.NOT_IN)) {
            return new Item(Tok.IDENTIFIER, item.literal);
        }
        return item;
    }

    private Item consume(boolean values) {
        Item item = lookahead(values);
        if (position < items.size() - 1) {
            position++;
        }
        return item;
    }

    private static final class Lexer {
        private final String s;
        private int pos;

        Lexer(String s) {
            this.s = s;
        }

        Item next() {
            while (pos < s.length() && isWhitespace(s.charAt(pos))) {
                pos++;
            }
            if (pos >= s.length()) {
                return new Item(Tok.END, "");
            }
            return isSpecial(s.charAt(pos)) ? scanOperator() : scanIdentifier();
        }

        // Longest run of special characters that still forms a known operator ("!=" vs "!").
        private Item scanOperator() {
            Item last = null;
            int start = pos;
            while (pos < s.length() && isSpecial(s.charAt(pos))) {
                Tok tok = KEYWORDS.get(s.substring(start, pos + 1));
                if (tok != null) {
                    last = new Item(tok, s.substring(start, pos + 1));
                } else if (last != null) {
                    break;
                }
                pos++;
            }
            if (last == null) {
                return new Item(Tok.ERROR, "error expected: keyword found '" + s.substring(start, pos) + "'");
            }
            pos = start + last.literal.length();
            return last;
        }

        private Item scanIdentifier() {
            int start = pos;
            while (pos < s.length() && !isSpecial(s.charAt(pos)) && !isWhitespace(s.charAt(pos))) {
                pos++;
            }
            String lit = s.substring(start, pos);
            Tok kw = KEYWORDS.get(lit);
            return new Item(kw != null ? kw : Tok.IDENTIFIER, lit);
        }

        private static boolean isWhitespace(char c) {
            return c == ' ' || c == '\t' || c == '\r' || c == '\n';
        }

        private static boolean isSpecial(char c) {
            return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
        }
    }
}

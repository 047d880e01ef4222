package io.kubus.schema.validation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NamesTest {

    static final String QNAME_REGEX_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start "
            + "and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
            + "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

    @ParameterizedTest
    @ValueSource(strings = {"a", "ab", "a-b", "0", "a.b", "example.com", "a-1.b-2.c", "my-app-123"})
    void validSubdomains(String s) {
        assertEquals(List.of(), Names.dns1123Subdomain(s));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-a", "a-", "A", "a_b", "a..b", ".a", "a.", "a b", "ä", "a/b", "a\n"})
    void invalidSubdomains(String s) {
        assertEquals(List.of("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
                + "'-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
                + "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
                Names.dns1123Subdomain(s));
    }

    @Test
    void subdomainLength() {
        String ok = ("a".repeat(63) + ".").repeat(3) + "a".repeat(61); // 253
        assertEquals(253, ok.length());
        assertEquals(List.of(), Names.dns1123Subdomain(ok));
        assertEquals(List.of("must be no more than 253 characters"), Names.dns1123Subdomain(ok + "a"));
    }

    @Test
    void nullIsTreatedAsEmpty() {
        assertFalse(Names.dns1123Subdomain(null).isEmpty());
        assertFalse(Names.qualifiedName(null).isEmpty());
        assertEquals(List.of(), Names.labelValue(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "a-b", "123", "abc-123-x"})
    void validLabels(String s) {
        assertEquals(List.of(), Names.dns1123Label(s));
    }

    @Test
    void labelWithDotsGetsSpecificMessage() {
        assertEquals(List.of("must not contain dots"), Names.dns1123Label("a.b"));
    }

    @Test
    void invalidLabels() {
        String regex = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
                + "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
                + "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
        for (String s : List.of("", "-a", "a-", "Ab", "a_b", "a b", "a..b")) {
            assertEquals(List.of(regex), Names.dns1123Label(s), s);
        }
        assertEquals(List.of(), Names.dns1123Label("a".repeat(63)));
        assertEquals(List.of("must be no more than 63 characters"), Names.dns1123Label("a".repeat(64)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "A", "app", "My_Name", "my.name", "123-abc", "example.com/app", "k8s.io/a_b.C",
            "a.b-c/Z"})
    void validQualifiedNames(String s) {
        assertEquals(List.of(), Names.qualifiedName(s));
    }

    @Test
    void qualifiedNameErrors() {
        assertEquals(List.of("name part " + QNAME_REGEX_MSG), Names.qualifiedName("-bad"));
        assertEquals(List.of("name part " + QNAME_REGEX_MSG), Names.qualifiedName("bad_"));
        assertEquals(List.of("name part must be non-empty", "name part " + QNAME_REGEX_MSG), Names.qualifiedName(""));
        assertEquals(List.of("name part must be non-empty", "name part " + QNAME_REGEX_MSG),
                Names.qualifiedName("example.com/"));
        assertEquals(List.of("prefix part must be non-empty"), Names.qualifiedName("/a"));
        assertEquals(List.of("prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                + "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
                + "'example.com', regex used for validation is "
                + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"), Names.qualifiedName("Ex/a"));
        assertEquals(List.of("name part must be no more than 63 characters"), Names.qualifiedName("a".repeat(64)));
        assertEquals(List.of(), Names.qualifiedName("a".repeat(63)));
        assertEquals(List.of("a qualified name " + QNAME_REGEX_MSG
                        + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"),
                Names.qualifiedName("a/b/c"));
        assertEquals(2, Names.qualifiedName("Bad/-x").size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a", "A-b_c.d", "12345", "my_value"})
    void validLabelValues(String s) {
        assertEquals(List.of(), Names.labelValue(s));
    }

    @Test
    void invalidLabelValues() {
        String regex = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
                + "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
                + "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
        for (String s : List.of("-a", "a-", "a b", "a/b", "é", " ", "a\n")) {
            assertEquals(List.of(regex), Names.labelValue(s), s);
        }
        assertEquals(List.of("must be no more than 63 characters"), Names.labelValue("a".repeat(64)));
        assertTrue(Names.labelValue("-".repeat(64)).size() == 2);
    }

    @Test
    void goQuote() {
        assertEquals("\"a\\\"b\\\\c\\n\\x01\"", GoQuote.quote("a\"b\\c\n\u0001"));
        assertEquals("\"é\"", GoQuote.quote("é"));
        assertEquals("null", GoQuote.quote(null));
    }

    @Test
    void fieldProblemFactories() {
        FieldProblem p = FieldProblem.invalid("metadata.name", "X", "bad");
        assertEquals(new FieldProblem("metadata.name", "FieldValueInvalid", "Invalid value: \"X\": bad"), p);
        assertEquals("metadata.name: Invalid value: \"X\": bad", p.toString());
        assertEquals("Required value", FieldProblem.required("metadata.name", null).message());
        assertEquals("FieldValueRequired", FieldProblem.required("f", "name or generateName is required").reason());
        assertEquals("Required value: x", FieldProblem.required("f", "x").message());
        assertEquals("Too long: may not be more than 63 bytes", FieldProblem.tooLong("f", 63).message());
        assertEquals("Unsupported value: \"Foo\": supported values: \"In\", \"NotIn\"",
                FieldProblem.notSupported("f", "Foo", List.of("In", "NotIn")).message());
        assertEquals("Forbidden: nope", FieldProblem.forbidden("f", "nope").message());
        assertEquals("Invalid value: \"x\"", FieldProblem.invalid("", "x", "").toString());
    }
}

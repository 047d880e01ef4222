package io.kubus.schema.selector;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.kubus.schema.validation.FieldProblem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LabelSelectorTest {

    private static SelectorException fails(String s) {
        return assertThrows(SelectorException.class, () -> LabelSelector.parse(s), s);
    }

    // ---- parsing & canonical form ----

    @ParameterizedTest(name = "[{index}] \"{0}\" -> \"{1}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "x=a                              | x=a",
            "x==a                             | x==a",
            "x!=a                             | x!=a",
            "x                                | x",
            "!x                               | !x",
            "x in (a,b)                       | x in (a,b)",
            "x notin (b,a)                    | x notin (a,b)",
            "env in ( b , a ),app = web       | app=web,env in (a,b)",
            "  app=web , !foo ,env in (a,b)   | app=web,env in (a,b),!foo",
            "x=                               | x=",
            "x=,z=                            | x=,z=",
            "x in ()                          | x in ()",
            "x in (,a)                        | x in (,a)",
            "x in (a,,b)                      | x in (,a,b)",
            "x in (a,)                        | x in (,a)",
            "x in (a,a,a)                     | x in (a)",
            "x>1                              | x>1",
            "x<10                             | x<10",
            "in                               | in",
            "example.com/app=web              | example.com/app=web",
            "in=notin                         | in=notin",
            "notin in (in,notin)              | notin in (in,notin)",
            "a.b_c-D=E_f.g-1                  | a.b_c-D=E_f.g-1",
            "b,a,c                            | a,b,c",
            "x=a,x=b                          | x=a,x=b",
            "x!=a,x in (a)                    | x in (a),x!=a",
    })
    void parsesToCanonicalForm(String input, String canonical) {
        LabelSelector s = LabelSelector.parse(input);
        assertEquals(canonical, s.toString());
        assertEquals(s, LabelSelector.parse(s.toString()), "canonical form re-parses to an equal selector");
        assertFalse(s.isEverything());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t\n "})
    void emptyMeansEverything(String s) {
        LabelSelector sel = LabelSelector.parse(s);
        assertTrue(sel.isEverything());
        assertSame(LabelSelector.everything(), sel);
        assertTrue(sel.matches(Map.of()));
        assertTrue(sel.matches(null));
        assertTrue(sel.matches(Map.of("a", "b")));
        assertEquals("", sel.toString());
    }

    @Test
    void whitespaceOfAllKindsIsTolerated() {
        assertEquals("x=a,y", LabelSelector.parse("x\t=\ta ,\n y\r\n").toString());
    }

    @Test
    void nullMeansEverything() {
        assertTrue(LabelSelector.parse(null).isEverything());
    }

    @Test
    void requirementsAreExposed() {
        List<Requirement> r = LabelSelector.parse("env notin (b,a), app").requirements();
        assertEquals(2, r.size());
        assertEquals("app", r.get(0).key());
        assertEquals(Operator.EXISTS, r.get(0).operator());
        assertEquals(List.of(), r.get(0).values());
        assertEquals(Operator.NOT_IN, r.get(1).operator());
        assertEquals(List.of("a", "b"), r.get(1).values());
        assertThrows(UnsupportedOperationException.class, () -> r.add(r.getFirst()));
    }

    // ---- junk ----

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "=x                  | found '=', expected: !, identifier, or 'end of string'",
            "a=b=c               | found '=', expected: ',' or 'end of string'",
            "env in (a           | unable to parse requirement: found '', expected: ',' or ')'",
            "env in a            | unable to parse requirement: found 'a' expected: '('",
            "env in              | unable to parse requirement: found '' expected: '('",
            "env in (a b)        | unable to parse requirement: found 'b', expected: ',' or ')'",
            "env in (=)          | unable to parse requirement: found '=', expected: ',', ')' or identifier",
            "env in (a,=)        | unable to parse requirement: found '=', expected: ',', or identifier",
            "a,                  | found '', expected: identifier after ','",
            "a,,b                | found ',', expected: identifier after ','",
            ",a                  | found ',', expected: !, identifier, or 'end of string'",
            "a b                 | unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt",
            "a (b)               | unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt",
            "a=(b)               | unable to parse requirement: found '(', expected: identifier",
            "!                   | unable to parse requirement: found '', expected: identifier",
            "!=a                 | found '!=', expected: !, identifier, or 'end of string'",
            "!a=b                | found '=', expected: ',' or 'end of string'",
            "!!a                 | unable to parse requirement: found '!', expected: identifier",
            "a!b                 | unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt",
            "a=b c               | found 'c', expected: ',' or 'end of string'",
            ")                   | found ')', expected: !, identifier, or 'end of string'",
            "(a)                 | found '(', expected: !, identifier, or 'end of string'",
            "a===b               | unable to parse requirement: found '=', expected: identifier",
            "a in (b) c          | found 'c', expected: ',' or 'end of string'",
    })
    void syntaxErrors(String input, String message) {
        assertEquals(message, fails(input).getMessage());
    }

    @Test
    void errorsAreIllegalArgumentExceptions() {
        assertTrue(fails("=") instanceof IllegalArgumentException);
    }

    @Test
    void invalidKeysAreRejected() {
        assertEquals("unable to parse requirement: Invalid value: \"-bad\": name part must consist of alphanumeric "
                + "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', "
                + " or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?"
                + "[A-Za-z0-9]')", fails("-bad=x").getMessage());
        assertTrue(fails("a/b/c=x").getMessage().contains("a qualified name must consist"));
        assertTrue(fails("Example.com/a").getMessage().contains("prefix part a lowercase RFC 1123 subdomain"));
        assertTrue(fails("a".repeat(64)).getMessage().contains("name part must be no more than 63 characters"));
        assertTrue(fails("!a_").getMessage().startsWith("unable to parse requirement: Invalid value: \"a_\""));
        assertTrue(fails("a$b in (x)").getMessage().contains("\"a$b\""));
    }

    @Test
    void invalidValuesAreRejected() {
        String msg = fails("env=-x").getMessage();
        assertTrue(msg.startsWith("unable to parse requirement: values[0][env]: Invalid value: \"-x\": a valid label "
                + "must be an empty string or consist of alphanumeric characters"), msg);
        assertTrue(fails("env in (a,b_)").getMessage().contains("values[1][env]: Invalid value: \"b_\""));
        assertTrue(fails("env=" + "a".repeat(64)).getMessage().contains("must be no more than 63 characters"));
        assertTrue(fails("env!=a/b").getMessage().contains("Invalid value: \"a/b\""));
    }

    @Test
    void numericComparisonsNeedIntegers() {
        assertEquals("unable to parse requirement: values[0]: Invalid value: \"abc\": for 'Gt', 'Lt' operators, "
                + "the value must be an integer", fails("x>abc").getMessage());
        assertTrue(fails("x<1.5").getMessage().contains("must be an integer"));
        assertTrue(fails("x>").getMessage().contains("must be an integer"));
        assertTrue(fails("x>-1").getMessage().contains("values[0][x]: Invalid value: \"-1\""));
        assertTrue(fails("x>99999999999999999999").getMessage().contains("must be an integer"));
    }

    // ---- matching ----

    @ParameterizedTest(name = "[{index}] \"{0}\" on {1} -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "x=a           | x=a         | true",
            "x=a           | x=b         | false",
            "x=a           | \"\"          | false",
            "x==a          | x=a         | true",
            "x!=a          | x=a         | false",
            "x!=a          | x=b         | true",
            "x!=a          | y=a         | true",
            "x             | x=          | true",
            "x             | y=a         | false",
            "!x            | y=a         | true",
            "!x            | x=          | false",
            "x in (a,b)    | x=b         | true",
            "x in (a,b)    | x=c         | false",
            "x in (a,b)    | y=a         | false",
            "x notin (a,b) | x=c         | true",
            "x notin (a,b) | x=a         | false",
            "x notin (a,b) | y=a         | true",
            "x in ()       | x=          | true",
            "x in ()       | x=a         | false",
            "x=            | x=          | true",
            "x=            | \"\"          | false",
            "x>5           | x=6         | true",
            "x>5           | x=5         | false",
            "x>5           | x=abc       | false",
            "x>5           | \"\"          | false",
            "x<5           | x=-3        | true",
            "x<5           | x=5         | false",
            "x=a,y=b       | x=a;y=b;z=c | true",
            "x=a,y=b       | x=a         | false",
            "x=a,!z        | x=a;z=c     | false",
    })
    void matching(String selector, String labels, boolean expected) {
        Map<String, String> ls = new HashMap<>();
        if (!labels.isEmpty()) {
            for (String kv : labels.split(";")) {
                String[] p = kv.split("=", -1);
                ls.put(p[0], p[1]);
            }
        }
        assertEquals(expected, LabelSelector.parse(selector).matches(ls));
    }

    @Test
    void nullLabelsAreEmpty() {
        assertTrue(LabelSelector.parse("!a").matches(null));
        assertFalse(LabelSelector.parse("a").matches(null));
        Map<String, String> withNullValue = new HashMap<>();
        withNullValue.put("a", null);
        assertTrue(LabelSelector.parse("a=").matches(withNullValue));
    }

    // ---- everything / nothing / API selector ----

    @Test
    void nothingMatchesNothing() {
        LabelSelector n = LabelSelector.nothing();
        assertFalse(n.matches(Map.of()));
        assertFalse(n.matches(Map.of("a", "b")));
        assertFalse(n.isEverything());
        assertTrue(n.isNothing());
        assertNotEquals(LabelSelector.everything(), n);
        assertEquals("", n.toString());
    }

    @Test
    void apiSelectorNullIsNothing() {
        assertSame(LabelSelector.nothing(), LabelSelector.of(null));
    }

    @Test
    void apiSelectorEmptyIsEverything() {
        assertTrue(LabelSelector.of(new io.fabric8.kubernetes.api.model.LabelSelector()).isEverything());
        var nulls = new io.fabric8.kubernetes.api.model.LabelSelector();
        nulls.setMatchLabels(null);
        nulls.setMatchExpressions(null);
        assertTrue(LabelSelector.of(nulls).isEverything());
    }

    @Test
    void apiSelectorCombinesLabelsAndExpressions() {
        var api = new LabelSelectorBuilder()
                .addToMatchLabels("app", "web")
                .addToMatchLabels("tier", "front")
                .addNewMatchExpression().withKey("env").withOperator("In").withValues("prod", "dev").endMatchExpression()
                .addNewMatchExpression().withKey("zone").withOperator("NotIn").withValues("z1").endMatchExpression()
                .addNewMatchExpression().withKey("gpu").withOperator("Exists").endMatchExpression()
                .addNewMatchExpression().withKey("canary").withOperator("DoesNotExist").endMatchExpression()
                .build();
        LabelSelector s = LabelSelector.of(api);
        assertEquals("app=web,!canary,env in (dev,prod),gpu,tier=front,zone notin (z1)", s.toString());
        assertTrue(s.matches(Map.of("app", "web", "tier", "front", "env", "dev", "gpu", "1")));
        assertFalse(s.matches(Map.of("app", "web", "tier", "front", "env", "dev", "gpu", "1", "canary", "y")));
        assertFalse(s.matches(Map.of("app", "web", "tier", "front", "env", "qa", "gpu", "1")));
        assertEquals(s, LabelSelector.parse(s.toString()));
    }

    @Test
    void apiSelectorValidation() {
        assertEquals("\"Gt\" is not a valid label selector operator", apiFails("k", "Gt", List.of("1")));
        assertEquals("\"\" is not a valid label selector operator", apiFails("k", null, List.of()));
        assertEquals("\"in\" is not a valid label selector operator", apiFails("k", "in", List.of("a")));
        assertEquals("values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
                apiFails("k", "In", List.of()));
        assertEquals("values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
                apiFails("k", "NotIn", null));
        assertEquals("values: Invalid value: []string{\"a\"}: values set must be empty for exists and does not exist",
                apiFails("k", "Exists", List.of("a")));
        assertTrue(apiFails("k", "DoesNotExist", List.of("a")).contains("values set must be empty"));
        assertTrue(apiFails("-k", "Exists", List.of()).startsWith("key: Invalid value: \"-k\": name part"));
        assertTrue(apiFails(null, "Exists", List.of()).startsWith("key: Invalid value: \"\": [name part must be")
                || apiFails(null, "Exists", List.of()).contains("name part must be non-empty"));
        String both = apiFails("-k", "In", List.of("-v"));
        assertTrue(both.startsWith("[key: Invalid value: \"-k\"") && both.contains(", values[0][-k]: Invalid value"),
                both);

        var badLabels = new LabelSelectorBuilder().addToMatchLabels("app", "-web").build();
        SelectorException e = assertThrows(SelectorException.class, () -> LabelSelector.of(badLabels));
        assertTrue(e.getMessage().startsWith("values[0][app]: Invalid value: \"-web\""), e.getMessage());
        var badKey = new LabelSelectorBuilder().addToMatchLabels("a b", "x").build();
        assertThrows(SelectorException.class, () -> LabelSelector.of(badKey));
    }

    private static String apiFails(String key, String op, List<String> values) {
        var req = new LabelSelectorRequirement(key, op, values == null ? null : new ArrayList<>(values));
        var api = new io.fabric8.kubernetes.api.model.LabelSelector();
        api.setMatchExpressions(new ArrayList<>(List.of(req)));
        return assertThrows(SelectorException.class, () -> LabelSelector.of(api)).getMessage();
    }

    @Test
    void ofMatchLabels() {
        LabelSelector s = LabelSelector.ofMatchLabels(Map.of("b", "2", "a", "1"));
        assertEquals("a=1,b=2", s.toString());
        assertTrue(LabelSelector.ofMatchLabels(Map.of()).isEverything());
        assertTrue(LabelSelector.ofMatchLabels(null).isEverything());
        assertThrows(SelectorException.class, () -> LabelSelector.ofMatchLabels(Map.of("a", "b c")));
    }

    @Test
    void fromRequirements() {
        LabelSelector s = LabelSelector.fromRequirements(List.of(
                Requirement.of("z", Operator.EXISTS, List.of()),
                Requirement.of("a", Operator.IN, List.of("2", "1", "2"))));
        assertEquals("a in (1,2),z", s.toString());
        assertTrue(LabelSelector.fromRequirements(List.of()).isEverything());
    }

    @Test
    void equalityAndHashing() {
        LabelSelector a = LabelSelector.parse("env in (b,a),app=web");
        LabelSelector b = LabelSelector.parse("app = web, env in (a, b, a)");
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, LabelSelector.parse("app==web,env in (a,b)"));
        assertNotEquals(a, "app=web,env in (a,b)");
    }

    // ---- label map validation ----

    @Test
    void validateLabels() {
        assertEquals(List.of(), LabelSelector.validateLabels(Map.of("app", "web", "k8s.io/x", ""), "metadata.labels"));
        assertEquals(List.of(), LabelSelector.validateLabels(null, "metadata.labels"));
        List<FieldProblem> problems = LabelSelector.validateLabels(Map.of("-bad", "ok", "good", "bad-"),
                "metadata.labels");
        assertEquals(2, problems.size());
        assertEquals(new FieldProblem("metadata.labels", "FieldValueInvalid", "Invalid value: \"-bad\": name part "
                + "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                + "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation "
                + "is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"), problems.get(0));
        assertEquals("metadata.labels", problems.get(1).field());
        assertTrue(problems.get(1).message().startsWith("Invalid value: \"bad-\": a valid label must be"));
        Map<String, String> nullKey = new HashMap<>();
        nullKey.put(null, "v");
        assertEquals("Invalid value: \"\": name part must be non-empty",
                LabelSelector.validateLabels(nullKey, "metadata.labels").getFirst().message());
        List<FieldProblem> tooLong = LabelSelector.validateLabels(Map.of("a", "x".repeat(64)), "spec.template");
        assertEquals("Invalid value: \"" + "x".repeat(64) + "\": must be no more than 63 characters",
                tooLong.getFirst().message());
    }
}

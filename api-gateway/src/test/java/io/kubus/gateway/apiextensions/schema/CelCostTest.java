package io.kubus.gateway.apiextensions.schema;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.apiextensions.CustomResourceDefinitionValidation;
import io.kubus.schema.validation.ErrorList;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.kubus.gateway.apiextensions.schema.SchemaTestSupport.json;
import static io.kubus.gateway.apiextensions.schema.SchemaTestSupport.lines;
import static io.kubus.gateway.apiextensions.schema.SchemaTestSupport.schema;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The static cost of x-kubernetes-validations: the estimates of apiextensions' compilation_test.go
 * (TestCostEstimation, each case unbounded and with its bounds set), and the budget errors of CRD validation with
 * kube's paths and messages.
 */
class CelCostTest {
    private static final String AT = "spec.versions[0].schema.openAPIV3Schema";
    private static final String HINT = " (try simplifying the rule, or adding maxItems, maxProperties, and maxLength"
            + " where arrays, maps, and strings are declared)";

    /** The one rule's worst-case cost on a node that is not a resource root, as kube's schemaChecker computes it. */
    private static long cost(String node) {
        StructuralSchema s = schema(node);
        List<CelRules.Compiled> compiled = CelRules.compile(s, false);
        assertEquals(1, compiled.size());
        assertNotNull(compiled.get(0).ast(), () -> String.valueOf(compiled.get(0).error()));
        return CelCost.maxCost(compiled.get(0).ast(), CelCost.decl(s, false));
    }

    private static String array(String itemType, String rule, String bounds) {
        return "{type: 'array', items: " + itemType + ", " + bounds + " 'x-kubernetes-validations': [{rule: \"" + rule + "\"}]}";
    }

    private static String map(String valueType, String rule, String bounds) {
        return "{type: 'object', additionalProperties: " + valueType + ", " + bounds
                + " 'x-kubernetes-validations': [{rule: \"" + rule + "\"}]}";
    }

    private static String string(String rule, String bounds) {
        return "{type: 'string', " + bounds + " 'x-kubernetes-validations': [{rule: \"" + rule + "\"}]}";
    }

    @Test
    void comprehensionsCostTheirRangeTimesTheirBody() {
        assertEquals(4718591, cost(array("{type: 'number'}", "self.all(x, true)", "")));
        assertEquals(32, cost(array("{type: 'number'}", "self.all(x, true)", "maxItems: 10,")));
        assertEquals(3145727, cost(array("{type: 'string'}", "self.all(x, true)", "")));
        assertEquals(62, cost(array("{type: 'string'}", "self.all(x, true)", "maxItems: 20,")));
        assertEquals(1887437, cost(array("{type: 'boolean'}", "self.all(x, true)", "")));
        assertEquals(4718591, cost(array("{'x-kubernetes-int-or-string': true}", "self.all(x, true)", "")));
        assertEquals(428963, cost(array("{type: 'string', format: 'date-time'}", "self.all(x, true)", "")));
        assertEquals(77, cost(array("{type: 'string', format: 'date-time'}", "self.all(x, true)", "maxItems: 25,")));
        assertEquals(1179647, cost(map("{type: 'string'}", "self.all(x, true)", "")));
        assertEquals(11, cost(map("{type: 'string'}", "self.all(x, true)", "maxProperties: 3,")));
        assertEquals(943718, cost(map("{type: 'boolean'}", "self.all(x, true)", "")));
        assertEquals(352, cost(array("{type: 'number'}", "self.all(x, self.all(y, true))", "maxItems: 10,")));
        assertEquals(3552, cost(array("{type: 'number'}", "self.all(x, self.all(y, self.all(z, true)))", "maxItems: 10,")));
        // a declared bound counts even above what a request could hold
        assertEquals(6291454, cost(array("{type: 'number'}", "self.all(x, x == 0.0)", "")));
        assertEquals(25165826, cost(array("{type: 'number'}", "self.all(x, x == 0.0)", "maxItems: 6291456,")));
        // exists_one compares its count with 1: the count is an int (size 1), not data the schema sizes; over an
        // empty list that is range 1 + result (1 for the comparison, 1 for the count) = 3
        assertEquals(3, cost(array("{type: 'integer'}", "self.exists_one(x, x > 0)", "maxItems: 0,")));
        String mapItems = "{type: 'object', additionalProperties: {type: 'number'}}";
        assertEquals(6291452, cost(array(mapItems, "self.all(x, x.y == 25.2)", "")));
        assertEquals(74, cost(array(mapItems, "self.all(x, x.y == 25.2)", "maxItems: 12,")));
    }

    @Test
    void nestedSizesFollowThePathThroughTheSchema() {
        assertEquals(1348169, cost(map("{type: 'number'}", "self.all(x, true)", "")));
        assertEquals(32, cost(map("{type: 'number'}", "self.all(x, true)", "maxProperties: 10,")));
        // a map's keys have no size: only its values are bounded
        String values = "{type: 'object', additionalProperties: {type: 'string'%s}, %s"
                + " 'x-kubernetes-validations': [{rule: 'self.all(x, x.contains(self[x]))'}]}";
        assertEquals(2752507, cost(values.formatted("", "")));
        assertEquals(72, cost(values.formatted(", maxLength: 10", "maxProperties: 10,")));
        // a list of maps of objects: unbounded, it holds as many as 3 MiB of {}, then the lookup follows
        // @items, @values and the property to the unbounded string
        String nested = "{type: 'array', %s items: {type: 'object', %s additionalProperties: {type: 'object', %s"
                + " required: ['required'], properties: {required: {type: 'string'}, optional: {type: 'string'}}}},"
                + " 'x-kubernetes-validations': [{rule: \"self.all(x, x['y'].required == 'z')\"}]}";
        assertEquals(7340027, cost(nested.formatted("", "", "")));
        assertEquals(72, cost(nested.formatted("maxItems: 10,", "maxProperties: 10,", "maxProperties: 10,")));
        // only the list's bound counts for the range: the maps' bounds do not matter here
        assertEquals(7340027, cost(nested.formatted("", "maxProperties: 10,", "")));
        // an object's smallest form holds its required properties without defaults: {"required":""}, 16 bytes
        String objects = "{type: 'object', required: ['required'], properties: {required: {type: 'string'},"
                + " optional: {type: 'string'}}}";
        assertEquals(555128, cost(array(objects, "self.all(x, true)", "")));
        assertEquals(152, cost(array(objects, "self.all(x, true)", "maxItems: 50,")));
        assertEquals(3145727, cost(array("{type: 'array', items: {type: 'number'}}", "self.all(x, true)", "")));
        assertEquals(302, cost(array("{type: 'array', items: {type: 'number'}}", "self.all(x, true)", "maxItems: 100,")));
        assertEquals(2, cost(array("{type: 'number'}", "self[3] == 0.0", "maxItems: 0,")));
        assertEquals(2, cost(string("self == 'x'", "")));
        assertEquals(1, cost(string("self == 'x'", "maxLength: 0,")));
    }

    @Test
    void stringFunctionsCostTheirLengths() {
        assertEquals(314574, cost(string("self.contains('test')", "")));
        assertEquals(5, cost(string("self.contains('test')", "maxLength: 10,")));
        assertEquals(2, cost(string("self.startsWith('test')", "")));
        assertEquals(314578, cost(string("size(self + 'hello') > size('hello')", "")));
        assertEquals(7, cost(string("size(self + 'hello') > size('hello')", "maxLength: 4,")));
        assertEquals(314574, cost(string("self.matches('x')", "")));
        assertEquals(22, cost(string("self.matches('x')", "maxLength: 50,")));
        assertEquals(1, cost(string("self.matches('')", "")));
        assertEquals(7, cost(string("''.matches('(((((((((())))))))))[0-9]')", "")));
        assertEquals(314575, cost(string("self.lowerAscii() == 'lower!'", "")));
        assertEquals(6, cost(string("self.lowerAscii() == 'lower!'", "maxLength: 10,")));
        // strings.quote's result is up to twice as long plus quotes: the comparison stops at self's 40 bytes
        assertEquals(10, cost(string("strings.quote(self) == self", "maxLength: 10,")));
        // an enum bounds a string by its longest value
        assertEquals(2, cost("{type: 'string', enum: ['A', 'B', 'C', 'LongValue'], 'x-kubernetes-validations': [{rule: \"self.contains('A')\"}]}"));
        assertEquals(401, cost("{type: 'string', maxLength: 1000, enum: ['A', 'LongValue'], 'x-kubernetes-validations': [{rule: \"self.contains('A')\"}]}"));
    }

    @Test
    void extensionFunctionsCostAsKubeEstimatesThem() {
        String replace = "{type: 'object', properties: {str: {type: 'string'%s}, before: {type: 'string', maxLength: 2},"
                + " after: {type: 'string', maxLength: 4}}, 'x-kubernetes-validations': [{rule:"
                + " \"self.str.replace(self.before, self.after) == 'does not matter'\"}]}";
        assertEquals(629154, cost(replace.formatted("")));
        assertEquals(12, cost(replace.formatted(", maxLength: 4")));
        String split = "{type: 'object', properties: {str: {type: 'string'%s}, separator: {type: 'string'%<s}},"
                + " 'x-kubernetes-validations': [{rule: \"self.str.split(self.separator) == []\"}]}";
        assertEquals(629160, cost(split.formatted("")));
        assertEquals(22, cost(split.formatted(", maxLength: 10")));
        assertEquals(329853068905L, cost(array("{type: 'string'}", "self.join(' ') == 'aa bb'", "")));
        assertEquals(43, cost(array("{type: 'string', maxLength: 10}", "self.join(' ') == 'aa bb'", "maxItems: 10,")));
    }

    @Test
    void indexingAndSizeAreCheap() {
        assertEquals(2, cost(array("{type: 'number'}", "self[1] == 0.0", "")));
        assertEquals(314577, cost(array("{type: 'string'}", "self[1] == self[1]", "maxItems: 8,")));
        assertEquals(3, cost(array("{'x-kubernetes-int-or-string': true}", "self[0] == 5", "")));
        assertEquals(2, cost(array("{type: 'boolean'}", "self[0] == false", "maxItems: 25,")));
        assertEquals(4, cost(array(mapItemsOfNumbers(), "self[0].x > 2.0", "")));
        assertEquals(2, cost(map("{type: 'number'}", "self['x'] == 0.0", "")));
        assertEquals(5, cost(map("{type: 'integer'}", "oldSelf.size() == self.size()", "")));
        // kube keeps has() itself free (PresenceTestHasCost(false)): only self costs
        assertEquals(1, cost(map("{type: 'string'}", "has(self.x)", "")));
    }

    private static String mapItemsOfNumbers() {
        return "{type: 'object', additionalProperties: {type: 'number'}}";
    }

    private static List<String> check(String spec) {
        return lines(StructuralChecks.check(schema("{type: 'object', properties: {spec: " + spec + "}}"), AT));
    }

    @Test
    void aCheapRulePasses() {
        assertEquals(List.of(), check("""
                {type: 'object', properties: {replicas: {type: 'integer'}, name: {type: 'string'}},
                 'x-kubernetes-validations': [{rule: "self.replicas >= 0 && self.name.startsWith('web')"}]}"""));
    }

    @Test
    void aRegexOverAnUnboundedListOfUnboundedStringsExceedsTheBudget() {
        String at = AT + ".properties[spec].x-kubernetes-validations[0].rule";
        assertEquals(List.of(
                at + ": Forbidden: estimated rule cost exceeds budget by factor of more than 100x" + HINT,
                at + ": Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema",
                AT + ": Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema"
                        + " exceeds budget by factor of more than 100x" + HINT),
                check("""
                        {type: 'object', properties: {list: {type: 'array', items: {type: 'string'}}},
                         'x-kubernetes-validations': [{rule: "self.list.all(x, x.matches('^[a-z]+$'))"}]}"""));
    }

    @Test
    void theSameRuleWithMaxItemsAndMaxLengthPasses() {
        assertEquals(List.of(), check("""
                {type: 'object', properties: {list: {type: 'array', maxItems: 10, items: {type: 'string', maxLength: 64}}},
                 'x-kubernetes-validations': [{rule: "self.list.all(x, x.matches('^[a-z]+$'))"}]}"""));
    }

    /** 3 + n * 86 for a list of n strings of at most 100 characters (400 bytes) each. */
    private static String boundedRegexList(long maxItems) {
        return "{type: 'object', properties: {list: {type: 'array', maxItems: " + maxItems
                + ", items: {type: 'string', maxLength: 100}}},"
                + " 'x-kubernetes-validations': [{rule: \"self.list.all(x, x.matches('^[a-z]+$'))\"}]}";
    }

    @Test
    void theFactorIsPrintedAsGoPrintsIt() {
        String at = AT + ".properties[spec].x-kubernetes-validations[0].rule: Forbidden: ";
        // 3 + 372093 * 86 = 32,000,001
        assertEquals(List.of(at + "estimated rule cost exceeds budget by factor of 3.2x" + HINT),
                check(boundedRegexList(372093)));
        // 3 + 150000 * 86 = 12,900,003: below 1.5 Go prints six decimals
        assertEquals(List.of(at + "estimated rule cost exceeds budget by factor of 1.290000x" + HINT),
                check(boundedRegexList(150000)));
        // 3 + 116279 * 86 = 9,999,997: just within
        assertEquals(List.of(), check(boundedRegexList(116279)));
    }

    @Test
    void aRuleRunsAsOftenAsTheListsAboveAllow() {
        String rule = "'x-kubernetes-validations': [{rule: \"self.matches('^[a-z]+$')\"}]";
        String at = AT + ".properties[spec].properties[names].items.x-kubernetes-validations[0].rule: Forbidden: ";
        // 8003 per string of 10000 characters, run 1000 times
        assertEquals(List.of(), check("{type: 'object', properties: {names: {type: 'array', maxItems: 1000,"
                + " items: {type: 'string', maxLength: 10000, " + rule + "}}}}"));
        // ... 2000 times: 16,006,000
        assertEquals(List.of(at + "estimated rule cost exceeds budget by factor of 1.6x" + HINT),
                check("{type: 'object', properties: {names: {type: 'array', maxItems: 2000,"
                        + " items: {type: 'string', maxLength: 10000, " + rule + "}}}}"));
        // an unbounded list: as many strings as 3 MiB holds ("",), 1048576 of them; 8.4e9 in all
        List<String> unbounded = check("{type: 'object', properties: {names: {type: 'array',"
                + " items: {type: 'string', maxLength: 10000, " + rule + "}}}}");
        assertEquals(at + "estimated rule cost exceeds budget by factor of more than 100x" + HINT, unbounded.get(0));
        assertEquals(3, unbounded.size());
    }

    @Test
    void requiredPropertiesMakeFewerObjectsFitARequest() {
        String items = "{type: 'object', %s properties: {name: {type: 'string', maxLength: 100}},"
                + " 'x-kubernetes-validations': [{rule: \"self.name.matches('^[a-z]+$')\"}]}";
        String at = AT + ".properties[spec].properties[people].items.x-kubernetes-validations[0].rule: Forbidden: ";
        // 84 a rule; {} fits 1048576 times into 3 MiB: 88,080,384
        assertEquals(List.of(at + "estimated rule cost exceeds budget by factor of 8.8x" + HINT),
                check("{type: 'object', properties: {people: {type: 'array', items: " + items.formatted("") + "}}}"));
        // {"name":""} only 241979 times: 20,326,236
        assertEquals(List.of(at + "estimated rule cost exceeds budget by factor of 2.0x" + HINT),
                check("{type: 'object', properties: {people: {type: 'array', items: "
                        + items.formatted("required: ['name'],") + "}}}"));
    }

    @Test
    void theRulesOfOneSchemaShareABudget() {
        // eleven rules within their own budget (9,030,002 up to 9,890,002), 104,060,022 together
        StringBuilder props = new StringBuilder();
        for (int i = 0; i < 11; i++) {
            props.append(i == 0 ? "" : ", ").append("l").append(i).append(": {type: 'array', maxItems: ")
                    .append(105000 + 1000 * i).append(", items: {type: 'string', maxLength: 100},")
                    .append(" 'x-kubernetes-validations': [{rule: \"self.all(x, x.matches('^[a-z]+$'))\"}]}");
        }
        List<String> want = new ArrayList<>();
        for (int i = 10; i >= 7; i--) { // the four costliest, costliest first
            want.add(AT + ".properties[spec].properties[l" + i + "].x-kubernetes-validations[0].rule: Forbidden:"
                    + " contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema");
        }
        want.add(AT + ": Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema"
                + " exceeds budget by factor of 1.040600x" + HINT);
        assertEquals(want, check("{type: 'object', properties: {" + props + "}}"));
    }

    @Test
    void aMessageExpressionHasItsOwnBudget() {
        String at = AT + ".properties[spec].x-kubernetes-validations[0].messageExpression";
        assertEquals(List.of(
                at + ": Forbidden: estimated messageExpression cost exceeds budget by factor of more than 100x" + HINT,
                at + ": Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema",
                AT + ": Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema"
                        + " exceeds budget by factor of more than 100x" + HINT),
                check("""
                        {type: 'object', properties: {list: {type: 'array', items: {type: 'string'}}},
                         'x-kubernetes-validations': [{rule: "size(self.list) < 5",
                           messageExpression: "self.list.exists(x, x.matches('^[a-z]+$')) ? 'lower' : 'other'"}]}"""));
    }

    @Test
    void aWholeCrdReportsItsHoistedSchemasPaths() {
        // one version: kube hoists its schema to spec.validation, where the errors are then found
        ObjectNode crd = (ObjectNode) json("""
                {apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
                 metadata: {name: 'widgets.example.com'},
                 spec: {group: 'example.com', scope: 'Namespaced',
                   names: {plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList'},
                   versions: [{name: 'v1', served: true, storage: true,
                     schema: {openAPIV3Schema: {type: 'object', properties: {spec: %s}}}}],
                   conversion: {strategy: 'None'}},
                 status: {storedVersions: ['v1']}}""".formatted(boundedRegexList(372093)));
        ErrorList errs = new ErrorList();
        CustomResourceDefinitionValidation.validate(crd, errs);
        assertEquals(List.of("spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule:"
                + " Forbidden: estimated rule cost exceeds budget by factor of 3.2x" + HINT), lines(errs.problems()));
    }

    @Test
    void theMessagesFactorRoundsAsGo() {
        // 2.25 is exact in binary: Go's %.1f rounds it to even
        assertEquals("c exceeds budget by factor of 2.2x" + HINT, CelCost.exceedsMessage("c", 22_500_000, 10_000_000));
        assertEquals("c exceeds budget by factor of 2.4x" + HINT, CelCost.exceedsMessage("c", 23_500_001, 10_000_000));
        assertEquals("c exceeds budget by factor of 100.0x" + HINT, CelCost.exceedsMessage("c", 1_000_000_000, 10_000_000));
        assertEquals("c exceeds budget by factor of more than 100x" + HINT, CelCost.exceedsMessage("c", 1_000_000_001, 10_000_000));
    }
}

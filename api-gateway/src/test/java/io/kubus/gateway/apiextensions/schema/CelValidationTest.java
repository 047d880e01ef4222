package io.kubus.gateway.apiextensions.schema;

import io.kubus.schema.validation.ErrorList;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.kubus.gateway.apiextensions.schema.SchemaTestSupport.json;
import static io.kubus.gateway.apiextensions.schema.SchemaTestSupport.lines;
import static io.kubus.gateway.apiextensions.schema.SchemaTestSupport.schema;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** x-kubernetes-validations: compiled at CRD validation, evaluated on a custom object, with kube's messages. */
class CelValidationTest {
    private static final String AT = "spec.versions[0].schema.openAPIV3Schema";

    /** A CR root with {@code spec} of the given schema. */
    private static StructuralSchema crd(String spec) {
        return schema("{type: 'object', properties: {spec: " + spec + "}}");
    }

    private static List<String> create(StructuralSchema s, String object) {
        ErrorList errs = new ErrorList();
        SchemaValidator.validateObject(json(object), s, errs);
        return lines(errs.problems());
    }

    private static List<String> update(StructuralSchema s, String object, String old) {
        ErrorList errs = new ErrorList();
        SchemaValidator.validateObject(json(object), json(old), s, errs);
        return lines(errs.problems());
    }

    private static List<String> checkCrd(StructuralSchema s) {
        return lines(StructuralChecks.check(s, AT));
    }

    @Test
    void aRuleOnAnObject() {
        StructuralSchema s = crd("""
                {type: 'object', properties: {min: {type: 'integer'}, max: {type: 'integer'}},
                 'x-kubernetes-validations': [{rule: 'self.min <= self.max'}]}""");
        assertEquals(List.of(), checkCrd(s));
        assertEquals(List.of(), create(s, "{spec: {min: 1, max: 2}}"));
        assertEquals(List.of("spec: Invalid value: failed rule: self.min <= self.max"),
                create(s, "{spec: {min: 3, max: 2}}"));
    }

    @Test
    void aRuleOnListItems() {
        StructuralSchema s = crd("""
                {type: 'object', properties: {
                  tags: {type: 'array', items: {type: 'string', 'x-kubernetes-validations': [{rule: 'self.size() <= 3'}]}},
                  ports: {type: 'array', items: {type: 'object', properties: {name: {type: 'string'}, port: {type: 'integer'}},
                          'x-kubernetes-validations': [{rule: 'self.port > 1024 || self.name.startsWith("priv")',
                                                        message: 'low ports must be named priv*'}]}}}}""");
        assertEquals(List.of(), checkCrd(s));
        assertEquals(List.of(), create(s, "{spec: {tags: ['a', 'abc'], ports: [{name: 'web', port: 8080}, {name: 'privssh', port: 22}]}}"));
        assertEquals(List.of(
                "spec.tags[1]: Invalid value: \"string\": failed rule: self.size() <= 3",
                "spec.ports[0]: Invalid value: low ports must be named priv*"),
                create(s, "{spec: {tags: ['a', 'abcd'], ports: [{name: 'ssh', port: 22}]}}"));
    }

    @Test
    void aRuleOnMapValues() {
        StructuralSchema s = crd("""
                {type: 'object', properties: {limits: {type: 'object', additionalProperties: {type: 'integer',
                  'x-kubernetes-validations': [{rule: 'self >= 0'}]},
                  'x-kubernetes-validations': [{rule: "'cpu' in self", message: 'cpu is required'}]}}}""");
        assertEquals(List.of(), checkCrd(s));
        assertEquals(List.of(), create(s, "{spec: {limits: {cpu: 2, memory: 0}}}"));
        assertEquals(List.of(
                "spec.limits: Invalid value: cpu is required",
                "spec.limits[memory]: Invalid value: \"integer\": failed rule: self >= 0"),
                create(s, "{spec: {limits: {memory: -1}}}"));
    }

    @Test
    void aTransitionRuleComparesWithTheOldValueOnlyOnUpdate() {
        StructuralSchema s = crd("""
                {type: 'object', properties: {name: {type: 'string',
                  'x-kubernetes-validations': [{rule: 'self == oldSelf', message: 'name is immutable'}]}}}""");
        assertEquals(List.of(), checkCrd(s));
        assertEquals(List.of(), create(s, "{spec: {name: 'a'}}"), "no old value on create: the rule is skipped");
        assertEquals(List.of(), update(s, "{spec: {name: 'a'}}", "{spec: {}}"), "nor when the old object lacks the field");
        assertEquals(List.of(), update(s, "{spec: {name: 'a'}}", "{spec: {name: 'a'}}"));
        assertEquals(List.of("spec.name: Invalid value: \"string\": name is immutable"),
                update(s, "{spec: {name: 'b'}}", "{spec: {name: 'a'}}"));
    }

    @Test
    void anOptionalOldSelfRuleRunsOnCreateTooWithAnEmptyOldSelf() {
        StructuralSchema s = crd("""
                {type: 'object', properties: {size: {type: 'integer',
                  'x-kubernetes-validations': [{rule: '!oldSelf.hasValue() || self >= oldSelf.value()',
                                                message: 'may not shrink', optionalOldSelf: true},
                                               {rule: 'oldSelf.orValue(0) != 99', optionalOldSelf: true}]}}}""");
        assertEquals(List.of(), checkCrd(s));
        assertEquals(List.of(), create(s, "{spec: {size: 5}}"));
        assertEquals(List.of(), update(s, "{spec: {size: 6}}", "{spec: {}}"));
        assertEquals(List.of("spec.size: Invalid value: \"integer\": may not shrink"),
                update(s, "{spec: {size: 4}}", "{spec: {size: 5}}"));
        assertEquals(List.of("spec.size: Invalid value: \"integer\": failed rule: oldSelf.orValue(0) != 99"),
                update(s, "{spec: {size: 100}}", "{spec: {size: 99}}"));
    }

    @Test
    void mapListItemsCorrelateByKeyOtherListsNot() {
        StructuralSchema s = crd("""
                {type: 'object', properties: {
                  ports: {type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
                          items: {type: 'object', required: ['name'], properties: {name: {type: 'string'}, port: {type: 'integer'}},
                                  'x-kubernetes-validations': [{rule: 'self.port == oldSelf.port', message: 'port is immutable'}]}}}}""");
        assertEquals(List.of(), checkCrd(s));
        assertEquals(List.of("spec.ports[1]: Invalid value: port is immutable"),
                update(s, "{spec: {ports: [{name: 'new', port: 1}, {name: 'web', port: 81}]}}",
                        "{spec: {ports: [{name: 'web', port: 80}]}}"));
        assertEquals(List.of(AT + ".properties[spec].properties[tags].items.x-kubernetes-validations[0].rule: Invalid value: "
                        + "\"self == oldSelf\": oldSelf cannot be used on the uncorrelatable portion of the schema within "
                        + AT + ".properties[spec].properties[tags]"),
                // bounded: unbounded, the rule would also exceed kube's cost budget (see CelCostTest)
                checkCrd(crd("""
                        {type: 'object', properties: {tags: {type: 'array', maxItems: 10, items: {type: 'string', maxLength: 64,
                          'x-kubernetes-validations': [{rule: 'self == oldSelf'}]}}}}""")));
    }

    @Test
    void messageExpressionReasonAndFieldPath() {
        StructuralSchema s = crd("""
                {type: 'object', properties: {replicas: {type: 'integer'}, max: {type: 'integer'}},
                 'x-kubernetes-validations': [
                   {rule: 'self.replicas <= self.max', message: 'too many',
                    messageExpression: "'replicas ' + string(self.replicas) + ' exceeds ' + string(self.max)"},
                   {rule: 'self.replicas != 13', reason: 'FieldValueForbidden', fieldPath: '.replicas', message: 'unlucky'},
                   {rule: 'has(self.max)', reason: 'FieldValueRequired', fieldPath: "['max']", message: 'max is required'},
                   {rule: 'self.replicas != 7', reason: 'FieldValueDuplicate'},
                   {rule: 'self.replicas != 8', message: 'eight', messageExpression: "self.replicas / 0 == 1 ? 'x' : 'y'"}]}""");
        // kube refuses the first messageExpression: string(int) has no size estimate, so the concatenation is
        // costed as unbounded (kube's documented way out, format(), is not in cel-java); evaluation still works
        String at = AT + ".properties[spec].x-kubernetes-validations[0].messageExpression: Forbidden: ";
        String hint = " (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps,"
                + " and strings are declared)";
        assertEquals(List.of(at + "estimated messageExpression cost exceeds budget by factor of more than 100x" + hint,
                at + "contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema",
                AT + ": Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema"
                        + " exceeds budget by factor of more than 100x" + hint), checkCrd(s));
        assertEquals(List.of("spec: Invalid value: replicas 20 exceeds 10"), create(s, "{spec: {replicas: 20, max: 10}}"));
        assertEquals(List.of("spec.replicas: Forbidden: unlucky"), create(s, "{spec: {replicas: 13, max: 20}}"));
        assertEquals(List.of("spec: Invalid value: no such key: max evaluating rule: too many",
                        "spec.max: Required value: max is required"),
                create(s, "{spec: {replicas: 1}}"));
        assertEquals(List.of("spec: Duplicate value"), create(s, "{spec: {replicas: 7, max: 20}}"));
        assertEquals(List.of("spec: Invalid value: eight"), create(s, "{spec: {replicas: 8, max: 20}}"),
                "a messageExpression that fails falls back to the message");
    }

    @Test
    void aFieldPathMustNameAFieldOfTheSchema() {
        StructuralSchema s = crd("""
                {type: 'object', properties: {limits: {type: 'object', additionalProperties: {type: 'integer'}}},
                 'x-kubernetes-validations': [{rule: "!('cpu' in self.limits) || self.limits.cpu > 0",
                                               fieldPath: ".limits['cpu']", message: 'cpu must be positive'}]}""");
        assertEquals(List.of(), checkCrd(s));
        assertEquals(List.of("spec.limits[cpu]: Invalid value: cpu must be positive"),
                create(s, "{spec: {limits: {cpu: 0}}}"));
        assertEquals(List.of(
                AT + ".properties[spec].x-kubernetes-validations[0].fieldPath: Invalid value: \".nope\": must be a valid path",
                AT + ".properties[spec].x-kubernetes-validations[1].fieldPath: Invalid value: \"limits\": must be a valid path"),
                checkCrd(crd("""
                        {type: 'object', properties: {limits: {type: 'object', additionalProperties: {type: 'integer'}}},
                         'x-kubernetes-validations': [{rule: 'true', fieldPath: '.nope'}, {rule: 'true', fieldPath: 'limits'}]}""")));
    }

    @Test
    void rulesAtTheRootSeeTypeAndObjectMeta() {
        StructuralSchema s = schema("""
                {type: 'object', properties: {spec: {type: 'object', properties: {host: {type: 'string'}}}},
                 'x-kubernetes-validations': [{rule: 'self.metadata.name.startsWith(self.spec.host)'}]}""");
        assertEquals(List.of(), checkCrd(s));
        assertEquals(List.of(), create(s, "{apiVersion: 'x/v1', kind: 'X', metadata: {name: 'web-1'}, spec: {host: 'web'}}"));
        assertEquals(List.of("<nil>: Invalid value: failed rule: self.metadata.name.startsWith(self.spec.host)"),
                create(s, "{apiVersion: 'x/v1', kind: 'X', metadata: {name: 'db-1'}, spec: {host: 'web'}}"));
    }

    @Test
    void runtimeErrorsAreReportedAsKubeWordsThem() {
        StructuralSchema s = crd("""
                {type: 'object', properties: {n: {type: 'integer'}, l: {type: 'array', items: {type: 'integer'}},
                  port: {'x-kubernetes-int-or-string': true}},
                 'x-kubernetes-validations': [{rule: 'self.n / 0 == 1'}, {rule: 'self.l[5] == 1'},
                   {rule: 'self.n + 9223372036854775807 > 0'}, {rule: 'self.port > 1'}]}""");
        assertEquals(List.of(), checkCrd(s));
        assertEquals(List.of(
                "spec: Invalid value: division by zero evaluating rule: self.n / 0 == 1",
                "spec: Invalid value: index out of bounds: 5 evaluating rule: self.l[5] == 1",
                "spec: Invalid value: integer overflow evaluating rule: self.n + 9223372036854775807 > 0",
                "spec: Invalid value: 'no such overload': call arguments did not match a supported operator, function or"
                        + " macro signature for rule: self.port > 1"),
                create(s, "{spec: {n: 2, l: [1], port: 'http'}}"));
    }

    @Test
    void aCallOverItsLimitStopsValidation() {
        StructuralSchema s = crd("""
                {type: 'object', properties: {l: {type: 'array', items: {type: 'integer'}}},
                 'x-kubernetes-validations': [{rule: 'self.l.all(a, self.l.all(b, a + b >= 0))'}, {rule: 'false'}]}""");
        String big = java.util.stream.IntStream.range(0, 1001).mapToObj(Integer::toString)
                .collect(java.util.stream.Collectors.joining(",", "{spec: {l: [", "]}}"));
        assertEquals(List.of("spec: Invalid value: 'operation cancelled: actual cost limit exceeded': no further validation"
                        + " rules will be run due to call cost exceeds limit for rule: self.l.all(a, self.l.all(b, a + b >= 0))"),
                create(s, big));
    }

    @Test
    void schemaErrorsBlockTheRules() {
        StructuralSchema s = crd("""
                {type: 'object', properties: {n: {type: 'integer'}}, 'x-kubernetes-validations': [{rule: 'self.n > 0'}]}""");
        assertEquals(List.of(
                "spec.n: Invalid value: \"string\": spec.n in body must be of type integer: \"string\"",
                "<nil>: Invalid value: null: some validation rules were not checked because the object was invalid;"
                        + " correct the existing errors to complete validation"),
                create(s, "{spec: {n: 'x'}}"));
    }

    @Test
    void aRuleThatDoesNotCompileIsRefused() {
        String rules = AT + ".properties[spec].x-kubernetes-validations";
        assertEquals(List.of(
                rules + "[0].rule: Invalid value: {\"Rule\":\"self.min \\u003c= \",\"Message\":\"\",\"MessageExpression\":\"\","
                        + "\"Reason\":null,\"FieldPath\":\"\",\"OptionalOldSelf\":null}: compilation failed: ERROR: <input>:1:13:"
                        + " mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT,"
                        + " NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n | self.min <= \n | ............^",
                rules + "[1].rule: Invalid value: {\"Rule\":\"self.nope == 1\",\"Message\":\"m\",\"MessageExpression\":\"\","
                        + "\"Reason\":null,\"FieldPath\":\"\",\"OptionalOldSelf\":null}: compilation failed: ERROR: <input>:1:5:"
                        + " undefined field 'nope'\n | self.nope == 1\n | ....^",
                rules + "[2].rule: Invalid value: {\"Rule\":\"self.min\",\"Message\":\"\",\"MessageExpression\":\"\","
                        + "\"Reason\":null,\"FieldPath\":\"\",\"OptionalOldSelf\":null}: cel expression must evaluate to a bool",
                rules + "[3].messageExpression: Invalid value: {\"Rule\":\"true\",\"Message\":\"\",\"MessageExpression\":\"self.min\","
                        + "\"Reason\":null,\"FieldPath\":\"\",\"OptionalOldSelf\":null}: messageExpression must evaluate to a string",
                rules + "[4].optionalOldSelf: Invalid value: true: may not be set if oldSelf is not used in rule"),
                checkCrd(crd("""
                        {type: 'object', properties: {min: {type: 'integer'}}, 'x-kubernetes-validations': [
                          {rule: 'self.min <= '}, {rule: 'self.nope == 1', message: 'm'}, {rule: 'self.min'},
                          {rule: 'true', messageExpression: 'self.min'}, {rule: 'true', optionalOldSelf: true}]}""")));
    }
}

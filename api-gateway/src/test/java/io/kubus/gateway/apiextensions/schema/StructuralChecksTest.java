package io.kubus.gateway.apiextensions.schema;

import io.kubus.schema.validation.FieldProblem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static io.kubus.gateway.apiextensions.schema.SchemaTestSupport.json;
import static io.kubus.gateway.apiextensions.schema.SchemaTestSupport.lines;
import static io.kubus.gateway.apiextensions.schema.SchemaTestSupport.schema;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StructuralChecksTest {
    private static final String AT = "spec.versions[0].schema.openAPIV3Schema";
    private static final String P = AT + ".properties[spec]";

    private static List<String> check(String schema) {
        return lines(StructuralChecks.check(schema(schema), AT));
    }

    @Test
    void aStructuralSchemaPasses() {
        assertEquals(List.of(), check("""
                {type: 'object', properties: {
                  metadata: {type: 'object', properties: {name: {type: 'string', maxLength: 20}}},
                  spec: {type: 'object', required: ['host'], properties: {
                    host: {type: 'string'}, replicas: {type: 'integer', minimum: 1, default: 1},
                    port: {'x-kubernetes-int-or-string': true, anyOf: [{type: 'integer'}, {type: 'string'}], pattern: '^\\\\d+%?$'},
                    ports: {type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
                            items: {type: 'object', required: ['name'], properties: {name: {type: 'string'}}}},
                    tags: {type: 'array', 'x-kubernetes-list-type': 'set', items: {type: 'string'}},
                    labels: {type: 'object', additionalProperties: {type: 'string'}},
                    raw: {type: 'object', 'x-kubernetes-preserve-unknown-fields': true},
                    any: {'x-kubernetes-preserve-unknown-fields': true},
                    template: {type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true},
                    mode: {type: 'string', oneOf: [{enum: ['a']}, {enum: ['b']}]}},
                   'x-kubernetes-validations': [{rule: 'self.replicas < 10', message: 'too many'}]},
                  status: {type: 'object', 'x-kubernetes-preserve-unknown-fields': true}}}
                """));
    }

    @Test
    void everySpecifiedFieldNeedsAType() {
        assertEquals(List.of(
                AT + ".properties[list].items.type: Required value: must not be empty for specified array items",
                AT + ".properties[spec].type: Required value: must not be empty for specified object fields",
                AT + ".type: Required value: must not be empty at the root"),
                check("{properties: {spec: {properties: {}}, list: {type: 'array', items: {}}}}"));
        assertEquals(List.of(
                AT + ".items: Required value: must be specified",
                AT + ".type: Invalid value: \"array\": must be object at the root"),
                check("{type: 'array'}"));
    }

    @Test
    void junctorsHoldValueValidationsOnly() {
        assertEquals(List.of(
                P + ".allOf[0].type: Forbidden: must be empty to be structural",
                P + ".anyOf[0].default: Forbidden: must be undefined to be structural",
                P + ".anyOf[0].description: Forbidden: must be empty to be structural",
                P + ".anyOf[0].nullable: Forbidden: must be false to be structural",
                P + ".not.x-kubernetes-preserve-unknown-fields: Forbidden: must be false to be structural",
                P + ".oneOf[0].additionalProperties: Forbidden: must be undefined to be structural",
                P + ".oneOf[0].properties[metadata]: Forbidden: must not be specified in a nested context",
                P + ".oneOf[0].x-kubernetes-list-type: Forbidden: must be undefined to be structural",
                P + ".oneOf[0].x-kubernetes-validations: Forbidden: must be empty to be structural",
                // then the OpenAPI rules, which hold inside junctors too
                P + ".oneOf[0].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive",
                P + ".oneOf[0].type: Required value: must be array if x-kubernetes-list-type is specified"),
                check("""
                        {type: 'object', properties: {spec: {type: 'object', properties: {metadata: {type: 'object'}},
                          allOf: [{type: 'string'}], anyOf: [{default: 1, description: 'd', nullable: true}],
                          oneOf: [{additionalProperties: {}, properties: {metadata: {}}, 'x-kubernetes-list-type': 'set',
                                   'x-kubernetes-validations': [{rule: 'true'}]}],
                          not: {'x-kubernetes-preserve-unknown-fields': true}}}}
                        """));
    }

    @Test
    void junctorsNameOnlySpecifiedFieldsAtTheRoot() {
        assertEquals(List.of(
                AT + ".properties[spec].properties[b]: Required value: because it is defined in " + AT + ".anyOf[0].properties[spec].properties[b]",
                AT + ".properties[status]: Required value: because it is defined in " + AT + ".anyOf[1].properties[status]"),
                check("""
                        {type: 'object', properties: {spec: {type: 'object', properties: {a: {type: 'string'}}}},
                         anyOf: [{properties: {spec: {properties: {a: {minLength: 1}, b: {minLength: 1}}}}},
                                 {properties: {status: {}}}]}
                        """));
    }

    @Test
    void intOrStringAndPreserveUnknownFieldsNeedNoType() {
        assertEquals(List.of(
                P + ".x-kubernetes-preserve-unknown-fields: Invalid value: true: must be false if x-kubernetes-int-or-string is true"),
                check("{type: 'object', properties: {spec: {'x-kubernetes-int-or-string': true, 'x-kubernetes-preserve-unknown-fields': true}}}"));
        assertEquals(List.of(P + ".anyOf[0].type: Forbidden: must be empty to be structural",
                        P + ".anyOf[1].type: Forbidden: must be empty to be structural"),
                check("{type: 'object', properties: {spec: {'x-kubernetes-int-or-string': true, "
                        + "anyOf: [{type: 'integer', minimum: 1}, {type: 'string'}]}}}"));
        assertEquals(List.of(), check("{type: 'object', properties: {spec: {'x-kubernetes-int-or-string': true, "
                + "allOf: [{anyOf: [{type: 'integer'}, {type: 'string'}]}, {pattern: 'x'}]}}}"));
    }

    @Test
    void rootMetadataMayOnlyRestrictNames() {
        String metadata = AT + ".properties[metadata]";
        assertEquals(List.of(metadata + ": Forbidden: must not specify anything other than name and generateName, but "
                        + "metadata is implicitly specified"),
                check("{type: 'object', properties: {metadata: {type: 'object', properties: {labels: {type: 'object'}}}}}"));
        assertEquals(List.of(
                AT + ".properties[kind].type: Invalid value: \"integer\": must be string",
                metadata + ".type: Invalid value: \"string\": must be object"),
                check("{type: 'object', properties: {metadata: {type: 'string'}, kind: {type: 'integer'}}}"));
        assertEquals(List.of(metadata + ".default: Forbidden: must not be set in top-level metadata"),
                check("{type: 'object', properties: {metadata: {type: 'object', default: {name: 'x'}}}}"));
    }

    @Test
    void additionalPropertiesRules() {
        assertEquals(List.of(AT + ".additionalProperties: Forbidden: must not be used at the root"),
                check("{type: 'object', additionalProperties: {type: 'string'}}"));
        assertEquals(List.of(P + ".additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive"),
                check("{type: 'object', properties: {spec: {type: 'object', properties: {a: {type: 'string'}}, "
                        + "additionalProperties: {type: 'string'}}}}"));
        assertEquals(List.of(), check("{type: 'object', properties: {spec: {type: 'object', properties: {a: {type: 'string'}}, "
                + "additionalProperties: true}}}"));
    }

    @Test
    void embeddedResources() {
        assertEquals(List.of(
                P + ".additionalProperties: Forbidden: must not be used if x-kubernetes-embedded-resource is set",
                P + ".properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without "
                        + "x-kubernetes-preserve-unknown-fields",
                P + ".type: Invalid value: \"string\": must be object if x-kubernetes-embedded-resource is true"),
                check("{type: 'object', properties: {spec: {type: 'string', 'x-kubernetes-embedded-resource': true, "
                        + "additionalProperties: {type: 'string'}}}}"));
    }

    @Test
    void whatCrdsDoNotSupport() {
        assertEquals(List.of(
                P + ".type: Unsupported value: \"null\": supported values: \"array\", \"boolean\", \"integer\", \"number\", \"object\", \"string\"",
                P + ".type: Forbidden: type cannot be set to null, use nullable as an alternative",
                AT + ".properties[a].$ref: Forbidden: $ref is not supported",
                AT + ".properties[b].items: Forbidden: items must be a schema object and not an array",
                AT + ".properties[c].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic",
                AT + ".properties[d].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined"),
                check("""
                        {type: 'object', properties: {spec: {type: 'null'}, a: {'$ref': '#/x'}, b: {type: 'array', items: [{type: 'string'}]},
                         c: {type: 'array', items: {type: 'string'}, uniqueItems: true}, d: {type: 'object', 'x-kubernetes-preserve-unknown-fields': false}}}
                        """));
        assertEquals(List.of(AT + ": Invalid value: \"\": OpenAPIV3Schema 'schema' is not supported"),
                check("{type: 'object', '$schema': 'x'}"));
    }

    @Test
    void badPatterns() {
        assertEquals(List.of(P + ".pattern: Invalid value: \"[a\": must be a valid regular expression, but isn't: "
                        + "error parsing regexp: Unclosed character class: `[a`"),
                check("{type: 'object', properties: {spec: {type: 'string', pattern: '[a'}}}"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "(?=a)b       | invalid or unsupported Perl syntax: `(?=`",
        "a(?<!b)      | invalid or unsupported Perl syntax: `(?<`",
        "(?>ab)       | invalid or unsupported Perl syntax: `(?>`",
        "(a)\\1       | invalid escape sequence: `\\1`",
        "a++          | invalid nested repetition operator: `++`",
        "a*+          | invalid nested repetition operator: `*+`",
        "[\\9]         | invalid escape sequence: `\\9`",
    })
    void patternsRe2RefusesAreRefused(String pattern, String fault) {
        assertEquals(fault, StructuralChecks.re2Refusal(pattern));
    }

    @ParameterizedTest
    @ValueSource(strings = {"^[a-z]+$", "(?<name>x)", "[(?=]", "a+?", "a*?b??", "\\\\1", "[]a]+", "(?i)abc"})
    void patternsRe2TakesPass(String pattern) {
        assertNull(StructuralChecks.re2Refusal(pattern));
    }

    @Test
    void listAndMapTypes() {
        assertEquals(List.of(
                AT + ".properties[a].type: Invalid value: \"string\": must be array if x-kubernetes-list-type is specified",
                AT + ".properties[b].x-kubernetes-list-type: Unsupported value: \"bag\": supported values: \"atomic\", \"set\", \"map\"",
                AT + ".properties[c].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map",
                AT + ".properties[c].items.type: Invalid value: \"string\": must be object if parent array's x-kubernetes-list-type is map",
                AT + ".properties[d].x-kubernetes-list-map-keys: Invalid value: [\"name\",\"missing\",\"name\"]: entries must all be names of item properties",
                AT + ".properties[d].x-kubernetes-list-map-keys: Invalid value: [\"name\",\"missing\",\"name\"]: must not contain duplicate entries",
                AT + ".properties[d].items.nullable: Forbidden: cannot be nullable when x-kubernetes-list-type is map",
                AT + ".properties[d].items.properties[name].default: Required value: this property is in "
                        + "x-kubernetes-list-map-keys, so it must have a default or be a required property",
                AT + ".properties[d].items.properties[name].default: Required value: this property is in "
                        + "x-kubernetes-list-map-keys, so it must have a default or be a required property",
                AT + ".properties[e].x-kubernetes-list-type: Invalid value: \"set\": must be map if x-kubernetes-list-map-keys is non-empty",
                AT + ".properties[f].items.x-kubernetes-map-type: Invalid value: null: must be atomic as item of a list with x-kubernetes-list-type=set",
                AT + ".properties[g].type: Required value: must be object if x-kubernetes-map-type is specified",
                AT + ".properties[g].x-kubernetes-map-type: Unsupported value: \"loose\": supported values: \"atomic\", \"granular\""),
                check("""
                        {type: 'object', properties: {
                          a: {type: 'string', 'x-kubernetes-list-type': 'set'},
                          b: {type: 'array', items: {type: 'string'}, 'x-kubernetes-list-type': 'bag'},
                          c: {type: 'array', items: {type: 'string'}, 'x-kubernetes-list-type': 'map'},
                          d: {type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name', 'missing', 'name'],
                              items: {type: 'object', nullable: true, properties: {name: {type: 'string'}}}},
                          e: {type: 'array', items: {type: 'string'}, 'x-kubernetes-list-type': 'set', 'x-kubernetes-list-map-keys': ['x']},
                          f: {type: 'array', 'x-kubernetes-list-type': 'set', items: {type: 'object'}},
                          g: {'x-kubernetes-map-type': 'loose', 'x-kubernetes-preserve-unknown-fields': true}}}
                        """));
    }

    @Test
    void defaultsMustValidateAndBePruned() {
        assertEquals(List.of(
                P + ".properties[replicas].default: Invalid value: \"string\":  in body must be of type integer: \"string\"",
                P + ".properties[size].default: Invalid value: 0:  in body should be greater than or equal to 1",
                P + ".properties[strategy].default: Invalid value: {\"extra\":1,\"type\":\"A\"}: must not have unknown fields"),
                check("""
                        {type: 'object', properties: {spec: {type: 'object', properties: {
                          replicas: {type: 'integer', default: 'two'},
                          size: {type: 'integer', minimum: 1, default: 0},
                          strategy: {type: 'object', default: {type: 'A', extra: 1}, properties: {type: {type: 'string'}}}}}}}
                        """));
        // a map's values may have a default, outside object meta
        assertEquals(List.of(), check("""
                {type: 'object', properties: {spec: {type: 'object', properties: {
                  labels: {type: 'object', additionalProperties: {type: 'string', default: 'x'}}}}}}
                """));
    }

    @Test
    void defaultsInsideEmbeddedMetadataMapsAreForbidden() {
        assertEquals(List.of(P + ".properties[metadata].properties[labels].additionalProperties.default: Forbidden: "
                        + "must not be set inside additionalProperties applying to object metadata"),
                check("""
                        {type: 'object', properties: {spec: {type: 'object', 'x-kubernetes-embedded-resource': true, properties: {
                          metadata: {type: 'object', properties: {labels: {type: 'object', additionalProperties: {type: 'string', default: 'x'}}}}}}}}
                        """));
    }

    @Test
    void validationRulesAreCheckedStatically() {
        assertEquals(List.of(
                P + ".x-kubernetes-validations[0].rule: Required value: rule is not specified",
                P + ".x-kubernetes-validations[1].message: Invalid value: \" \": must be non-empty if specified",
                P + ".x-kubernetes-validations[2].message: Required value: message must be specified if rule contains line breaks",
                P + ".x-kubernetes-validations[3].messageExpression: Required value: messageExpression must be non-empty if specified",
                P + ".x-kubernetes-validations[3].reason: Unsupported value: \"Nope\": supported values: \"FieldValueDuplicate\", "
                        + "\"FieldValueForbidden\", \"FieldValueInvalid\", \"FieldValueRequired\"",
                P + ".x-kubernetes-validations[3].fieldPath: Invalid value: \"a\\nb\": must not contain line breaks",
                // a path starts with . or [ and names a field of the schema
                P + ".x-kubernetes-validations[3].fieldPath: Invalid value: \"a\\nb\": must be a valid path"),
                check("""
                        {type: 'object', properties: {spec: {type: 'object', 'x-kubernetes-validations': [
                          {rule: ' '}, {rule: 'true', message: ' '}, {rule: 'a ||\\n b'},
                          {rule: 'true', messageExpression: ' ', reason: 'Nope', fieldPath: 'a\\nb'}]}}}
                        """));
        ValidationRule kept = schema("{type: 'object', 'x-kubernetes-validations': [{rule: 'self.a > 0', message: 'm', "
                + "messageExpression: 'e', reason: 'FieldValueForbidden', fieldPath: '.a', optionalOldSelf: true}]}")
                .validations.getFirst();
        assertEquals(new ValidationRule("self.a > 0", "m", "e", "FieldValueForbidden", ".a", true), kept);
    }

    @Test
    void goDecodingErrorsAreRefusedBeforeAnyCheck() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StructuralSchema.parse(json("{type: 'object', properties: {spec: {type: 5}}}")));
        assertEquals("json: cannot unmarshal number into Go struct field openAPIV3Schema.properties.spec.type of type string",
                e.getMessage());
    }

    @Test
    void problemsCarryKubesReasons() {
        List<FieldProblem> problems = StructuralChecks.check(schema("{properties: {}}"), AT);
        assertEquals(FieldProblem.REQUIRED, problems.getFirst().reason());
    }
}

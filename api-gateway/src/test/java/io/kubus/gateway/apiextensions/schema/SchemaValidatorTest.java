package io.kubus.gateway.apiextensions.schema;

import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.FieldProblem;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.kubus.gateway.apiextensions.schema.SchemaTestSupport.json;
import static io.kubus.gateway.apiextensions.schema.SchemaTestSupport.lines;
import static io.kubus.gateway.apiextensions.schema.SchemaTestSupport.schema;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Each expected line is what kube-apiserver answers for the same schema and object (kubectl prints these). */
class SchemaValidatorTest {

    private static final StructuralSchema WIDGET = schema("""
            {type: 'object', properties: {
              apiVersion: {type: 'string'}, kind: {type: 'string'}, metadata: {type: 'object'},
              spec: {type: 'object', required: ['name'], properties: {
                name: {type: 'string', minLength: 3, maxLength: 8, pattern: '^[a-z]+$'},
                replicas: {type: 'integer', minimum: 1, maximum: 10},
                ratio: {type: 'number', exclusiveMinimum: true, minimum: 0.5, exclusiveMaximum: true, maximum: 2.5},
                mode: {type: 'string', enum: ['Fast', 'Slow']},
                level: {type: 'integer', enum: [1, 2]},
                enabled: {type: 'boolean'},
                tags: {type: 'array', items: {type: 'string'}, minItems: 1, maxItems: 2},
                labels: {type: 'object', additionalProperties: {type: 'string', maxLength: 1}, maxProperties: 1, minProperties: 1},
                port: {'x-kubernetes-int-or-string': true},
                note: {type: 'string', nullable: true},
                when: {type: 'string', format: 'date-time'},
                id: {type: 'string', format: 'uuid'},
                size: {type: 'integer', format: 'int32'},
                step: {type: 'integer', multipleOf: 5},
                anything: {type: 'string', format: 'no-such-format'}
              }}}}
            """);

    private static List<String> errors(String object) {
        return lines(SchemaValidator.validate(json(object), WIDGET));
    }

    @Test
    void aValidObjectHasNoErrors() {
        assertEquals(List.of(), errors("""
                {apiVersion: 'x/v1', kind: 'Widget', metadata: {name: 'w'}, spec: {name: 'abc', replicas: 3, ratio: 1,
                 mode: 'Fast', level: 2.0, enabled: true, tags: ['a'], labels: {a: 'b'}, port: 'http', note: null,
                 when: '2024-01-02T03:04:05Z', id: '123e4567-e89b-12d3-a456-426614174000', size: 5, step: 10,
                 anything: 'whatever'}}
                """));
    }

    @Test
    void typesAreReportedAsGoOpenApiNamesThem() {
        assertEquals(List.of(
                "spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\"",
                "spec.enabled: Invalid value: \"integer\": spec.enabled in body must be of type boolean: \"integer\"",
                "spec.tags: Invalid value: \"object\": spec.tags in body must be of type array: \"object\"",
                "spec.port: Invalid value: \"boolean\": spec.port in body must be of type integer,string: \"boolean\""),
                errors("{spec: {name: 'abc', replicas: 'three', enabled: 1, tags: {}, port: true}}"));
        List<FieldProblem> problems = SchemaValidator.validate(json("{spec: {name: 'abc', replicas: 'x'}}"), WIDGET);
        assertEquals(FieldProblem.TYPE_INVALID, problems.getFirst().reason());
    }

    @Test
    void aFractionIsNoIntegerButAWholeFloatIs() {
        assertEquals(List.of(
                "spec.replicas: Invalid value: \"number\": spec.replicas in body must be of type integer: \"number\"",
                "<nil>: Invalid value: \"\": Checked value must be of type integer (default format) in spec.replicas"),
                errors("{spec: {name: 'abc', replicas: 2.5}}"));
        assertEquals(List.of(), errors("{spec: {name: 'abc', replicas: 2.0}}"));
    }

    @Test
    void nullIsRefusedUnlessNullable() {
        assertEquals(List.of("spec.replicas: Invalid value: \"null\": spec.replicas in body must be of type integer: \"null\""),
                errors("{spec: {name: 'abc', replicas: null, note: null}}"));
    }

    @Test
    void boundsAndLengths() {
        assertEquals(List.of(
                "spec.name: Invalid value: \"ab\": spec.name in body should be at least 3 chars long",
                "spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1",
                "spec.ratio: Invalid value: 0.5: spec.ratio in body should be greater than 0.5"),
                errors("{spec: {name: 'ab', replicas: 0, ratio: 0.5}}"));
        assertEquals(List.of(
                "spec.name: Too long: may not be more than 8 bytes",
                "spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10",
                "spec.ratio: Invalid value: 3.5: spec.ratio in body should be less than 2.5"),
                errors("{spec: {name: 'abcdefghi', replicas: 11, ratio: 3.5}}"));
        // kube-openapi compares an int64 with the bound truncated to an int64, and prints that bound
        assertEquals(List.of("spec.ratio: Invalid value: 3: spec.ratio in body should be less than 2"),
                errors("{spec: {name: 'abc', ratio: 3}}"));
    }

    @Test
    void patternIsSearchedAsGoDoes() {
        assertEquals(List.of("spec.name: Invalid value: \"ABC\": spec.name in body should match '^[a-z]+$'"),
                errors("{spec: {name: 'ABC'}}"));
    }

    @Test
    void enumsListTheirValuesQuoted() {
        assertEquals(List.of(
                "spec.mode: Unsupported value: \"Medium\": supported values: \"Fast\", \"Slow\"",
                "spec.level: Unsupported value: 3: supported values: \"1\", \"2\""),
                errors("{spec: {name: 'abc', mode: 'Medium', level: 3}}"));
        assertEquals(FieldProblem.NOT_SUPPORTED,
                SchemaValidator.validate(json("{spec: {name: 'abc', mode: 'x'}}"), WIDGET).getFirst().reason());
    }

    @Test
    void requiredFieldsAreRequiredValues() {
        List<FieldProblem> problems = SchemaValidator.validate(json("{spec: {}}"), WIDGET);
        assertEquals(List.of("spec.name: Required value"), lines(problems));
        assertEquals(FieldProblem.REQUIRED, problems.getFirst().reason());
    }

    @Test
    void itemsAndMapsAreNamedByIndexAndKey() {
        assertEquals(List.of(
                "spec.tags[1]: Invalid value: \"integer\": spec.tags[1] in body must be of type string: \"integer\"",
                "spec.tags: Too many: 3: must have at most 2 items",
                "spec.labels: Too many: 2: must have at most 1 item",
                "spec.labels.b: Too long: may not be more than 1 byte"),
                errors("{spec: {name: 'abc', tags: ['a', 1, 'c'], labels: {a: 'x', b: 'yy'}}}"));
        assertEquals(List.of(
                "spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items",
                "spec.labels: Invalid value: 0: spec.labels in body should have at least 1 properties"),
                errors("{spec: {name: 'abc', tags: [], labels: {}}}"));
    }

    @Test
    void formatsKubeChecks() {
        assertEquals(List.of(
                "spec.when: Invalid value: \"yesterday\": spec.when in body must be of type date-time: \"yesterday\"",
                "spec.id: Invalid value: \"nope\": spec.id in body must be of type uuid: \"nope\""),
                errors("{spec: {name: 'abc', when: 'yesterday', id: 'nope', anything: '?'}}"));
        assertEquals(List.of("<nil>: Invalid value: \"\": Checked value must be of type integer with format int32 in spec.size"),
                errors("{spec: {name: 'abc', size: 3000000000}}"));
    }

    @Test
    void multipleOf() {
        assertEquals(List.of("spec.step: Invalid value: 7: spec.step in body should be a multiple of 5"),
                errors("{spec: {name: 'abc', step: 7}}"));
    }

    @Test
    void intOrStringTakesBoth() {
        assertEquals(List.of(), errors("{spec: {name: 'abc', port: 8080}}"));
        assertEquals(List.of(), errors("{spec: {name: 'abc', port: '50%'}}"));
    }

    @Test
    void junctorsAreReportedWithoutAField() {
        StructuralSchema s = schema("""
                {type: 'object', properties: {spec: {type: 'object', properties: {
                  a: {type: 'string', anyOf: [{pattern: '^x'}, {pattern: '^y'}]},
                  b: {type: 'string', oneOf: [{minLength: 1}, {maxLength: 3}]},
                  c: {type: 'integer', allOf: [{minimum: 5}, {maximum: 9}]},
                  d: {type: 'string', not: {enum: ['no']}}}}}}
                """);
        assertEquals(List.of(
                "<nil>: Invalid value: \"\": \"spec.a\" must validate at least one schema (anyOf)",
                "spec.a: Invalid value: \"z\": spec.a in body should match '^x'",
                "<nil>: Invalid value: \"\": \"spec.b\" must validate one and only one schema (oneOf). Found 2 valid alternatives",
                "spec.c: Invalid value: 3: spec.c in body should be greater than or equal to 5",
                "<nil>: Invalid value: \"\": \"spec.c\" must validate all the schemas (allOf)",
                "<nil>: Invalid value: \"\": \"spec.d\" must not validate the schema (not)"),
                lines(SchemaValidator.validate(json("{spec: {a: 'z', b: 'ab', c: 3, d: 'no'}}"), s)));
        assertEquals(List.of("status: Invalid value: \"\": \"spec.a\" must validate at least one schema (anyOf)",
                        "status.spec.a: Invalid value: \"z\": spec.a in body should match '^x'"),
                lines(SchemaValidator.validate("status", json("{spec: {a: 'z'}}"), s)));
    }

    @Test
    void additionalPropertiesFalseForbidsUnknownKeys() {
        StructuralSchema s = schema("{type: 'object', properties: {spec: {type: 'object', additionalProperties: false}}}");
        assertEquals(List.of("spec: Invalid value: \"x\": spec.x in body is a forbidden property"),
                lines(SchemaValidator.validate(json("{spec: {x: 1}}"), s)));
    }

    @Test
    void setsAndMapListsRefuseDuplicates() {
        StructuralSchema s = schema("""
                {type: 'object', properties: {spec: {type: 'object', properties: {
                  set: {type: 'array', 'x-kubernetes-list-type': 'set', items: {type: 'string'}},
                  nums: {type: 'array', 'x-kubernetes-list-type': 'set', items: {type: 'number'}},
                  ports: {type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['port', 'protocol'],
                          items: {type: 'object', properties: {port: {type: 'integer'}, protocol: {type: 'string'}}}},
                  byName: {type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
                           items: {type: 'object', properties: {name: {type: 'string'}}}}}}}}
                """);
        ErrorList errs = new ErrorList();
        SchemaValidator.validateObject(json("""
                {spec: {set: ['a', 'b', 'a', 'a'], nums: [1, 1.0, 1.5, 1.5],
                 ports: [{port: 80, protocol: 'TCP'}, {port: 80, protocol: 'UDP'}, {protocol: 'TCP', port: 80}],
                 byName: [{name: 'x'}, {}, {name: 'x'}, {}]}}
                """), s, errs);
        assertEquals(List.of(
                "spec.set[2]: Duplicate value: \"a\"",
                "spec.nums[3]: Duplicate value: 1.5",
                "spec.ports[2]: Duplicate value: {\"port\":80,\"protocol\":\"TCP\"}",
                "spec.byName[2]: Duplicate value: {\"name\":\"x\"}",
                "spec.byName[3]: Duplicate value: {}"), lines(errs.problems()));
        assertEquals(FieldProblem.DUPLICATE, errs.problems().getFirst().reason());

        ErrorList notObjects = new ErrorList();
        SchemaValidator.validateObject(json("{spec: {byName: [{name: 'x'}, 'y', 3]}}"), s, notObjects);
        assertEquals(List.of(
                "spec.byName[1]: Invalid value: \"string\": spec.byName[1] in body must be of type object: \"string\"",
                "spec.byName[2]: Invalid value: \"integer\": spec.byName[2] in body must be of type object: \"integer\"",
                "spec.byName[1]: Invalid value: \"y\": must be an object for an array of list-type map"),
                lines(notObjects.problems()));
    }

    @Test
    void embeddedResourcesNeedTypeMetaAndValidMetadata() {
        StructuralSchema s = schema("""
                {type: 'object', properties: {spec: {type: 'object', properties: {
                  template: {type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true},
                  objects: {type: 'array', items: {type: 'object', 'x-kubernetes-embedded-resource': true,
                            'x-kubernetes-preserve-unknown-fields': true}}}}}}
                """);
        ErrorList errs = new ErrorList();
        SchemaValidator.validateObject(json("""
                {spec: {template: {metadata: {name: 'a/b', namespace: 'Bad_NS'}},
                        objects: [{apiVersion: 'a/b/c', kind: 'Config_Map'}, {apiVersion: 'v1', kind: 'ConfigMap'}, {apiVersion: '', kind: 5}]}}
                """), s, errs);
        assertEquals(List.of(
                "spec.template.apiVersion: Required value",
                "spec.template.kind: Required value",
                "spec.template.metadata.name: Invalid value: \"a/b\": may not contain '/'",
                "spec.template.metadata.namespace: Invalid value: \"Bad_NS\": a lowercase RFC 1123 label must consist of lower case "
                        + "alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or "
                        + "'123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
                "spec.objects[0].apiVersion: Invalid value: \"a/b/c\": unexpected GroupVersion string: a/b/c",
                "spec.objects[0].kind: Invalid value: \"Config_Map\": may have mixed case, but should otherwise match: a DNS-1035 "
                        + "label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, "
                        + "and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
                        + "'[a-z]([-a-z0-9]*[a-z0-9])?')",
                "spec.objects[2].apiVersion: Invalid value: \"\": must not be empty",
                "spec.objects[2].kind: Invalid value: 5: must be a string"), lines(errs.problems()));
    }

    @Test
    void goFloatPrinting() {
        assertEquals("1", GoValues.goFloat(1.0));
        assertEquals("0.5", GoValues.goFloat(0.5));
        assertEquals("1e+21", GoValues.goFloat(1e21));
        assertEquals("100000000000000000000", GoValues.goFloat(1e20));
        assertEquals("1e-05", GoValues.goFloat(0.00001));
        assertEquals("-2.5e-07", GoValues.goFloat(-2.5e-7));
    }
}

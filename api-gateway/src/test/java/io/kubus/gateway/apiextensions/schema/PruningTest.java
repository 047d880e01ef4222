package io.kubus.gateway.apiextensions.schema;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.kubus.gateway.apiextensions.schema.SchemaTestSupport.json;
import static io.kubus.gateway.apiextensions.schema.SchemaTestSupport.schema;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PruningTest {

    private static final StructuralSchema SCHEMA = schema("""
            {type: 'object', properties: {
              spec: {type: 'object', properties: {
                replicas: {type: 'integer'},
                items: {type: 'array', items: {type: 'object', properties: {name: {type: 'string'}}}},
                labels: {type: 'object', additionalProperties: {type: 'string'}},
                free: {type: 'object', 'x-kubernetes-preserve-unknown-fields': true,
                       properties: {known: {type: 'object', properties: {a: {type: 'string'}}}}},
                anyMap: {type: 'object', additionalProperties: true},
                template: {type: 'object', 'x-kubernetes-embedded-resource': true, properties: {
                  spec: {type: 'object', properties: {x: {type: 'string'}}}}},
                templates: {type: 'object', additionalProperties: {type: 'object', 'x-kubernetes-embedded-resource': true,
                  'x-kubernetes-preserve-unknown-fields': true}},
                count: {type: 'integer', default: 1},
                note: {type: 'string', nullable: true},
                size: {type: 'integer'}}},
              status: {type: 'object', 'x-kubernetes-preserve-unknown-fields': true}}}
            """);

    private static ObjectNode prune(ObjectNode o, List<String> expectedPaths) {
        assertEquals(expectedPaths, Pruning.prune(o, SCHEMA));
        return o;
    }

    @Test
    void unknownFieldsArePrunedAndNamed() {
        ObjectNode o = (ObjectNode) json("""
                {apiVersion: 'x/v1', kind: 'W', metadata: {name: 'w', labels: {a: 'b'}, bogus: 1},
                 extra: true, spec: {replicas: 1, foo: 'x', items: [{name: 'a', color: 'red'}, {}],
                 labels: {a: 'b'}, free: {any: {thing: 1}, known: {a: 'x', b: 'y'}}, anyMap: {k: {nested: 1}, s: 'v'}},
                 status: {whatever: [1]}}
                """);
        prune(o, List.of("metadata.bogus", "extra", "spec.anyMap.k.nested", "spec.foo", "spec.free.known.b",
                "spec.items[0].color"));
        assertEquals(json("""
                {apiVersion: 'x/v1', kind: 'W', metadata: {name: 'w', labels: {a: 'b'}},
                 spec: {replicas: 1, items: [{name: 'a'}, {}], labels: {a: 'b'}, free: {any: {thing: 1}, known: {a: 'x'}},
                 anyMap: {k: {}, s: 'v'}}, status: {whatever: [1]}}
                """), o);
    }

    @Test
    void embeddedResourcesKeepTypeAndObjectMeta() {
        ObjectNode o = (ObjectNode) json("""
                {spec: {template: {apiVersion: 'v1', kind: 'Pod', metadata: {name: 'p', extra: 1}, spec: {x: 'a', y: 'b'}, other: 1},
                        templates: {a: {apiVersion: 'v1', kind: 'Pod', metadata: {namespace: 'n', junk: true}, anything: 1}}}}
                """);
        prune(o, List.of("spec.template.other", "spec.template.spec.y",
                "spec.template.metadata.extra", "spec.templates[a].metadata.junk"));
        assertEquals(json("""
                {spec: {template: {apiVersion: 'v1', kind: 'Pod', metadata: {name: 'p'}, spec: {x: 'a'}},
                        templates: {a: {apiVersion: 'v1', kind: 'Pod', metadata: {namespace: 'n'}, anything: 1}}}}
                """), o);
    }

    @Test
    void nullsTheSchemaCannotHoldAreDropped() {
        ObjectNode o = (ObjectNode) json("{spec: {size: null, note: null, count: null, labels: {a: null}}}");
        prune(o, List.of());
        // count keeps its null for defaulting to replace; note may be null; size and the label go
        assertEquals(json("{spec: {note: null, count: null, labels: {}}}"), o);
    }

    @Test
    void aFieldWithoutSchemaBelowIsPrunedWhole() {
        StructuralSchema s = schema("{type: 'object', properties: {spec: {type: 'object', properties: {"
                + "list: {type: 'array', items: {type: 'string'}}}}}}");
        ObjectNode o = (ObjectNode) json("{spec: {list: [{a: 1, b: 2}]}}");
        assertEquals(List.of("spec.list[0].a", "spec.list[0].b"), Pruning.prune(o, s));
        assertEquals(json("{spec: {list: [{}]}}"), o);
    }
}

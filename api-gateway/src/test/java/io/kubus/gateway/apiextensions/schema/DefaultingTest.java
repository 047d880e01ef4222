package io.kubus.gateway.apiextensions.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static io.kubus.gateway.apiextensions.schema.SchemaTestSupport.json;
import static io.kubus.gateway.apiextensions.schema.SchemaTestSupport.schema;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

class DefaultingTest {

    private static final StructuralSchema SCHEMA = schema("""
            {type: 'object', properties: {spec: {type: 'object', default: {}, properties: {
              replicas: {type: 'integer', default: 1},
              mode: {type: 'string', default: 'Fast'},
              note: {type: 'string', nullable: true, default: 'n'},
              strategy: {type: 'object', default: {type: 'Rolling'}, properties: {
                type: {type: 'string'}, maxSurge: {type: 'integer', default: 25}}},
              ports: {type: 'array', items: {type: 'object', default: {port: 80}, properties: {
                port: {type: 'integer'}, protocol: {type: 'string', default: 'TCP'}}}},
              limits: {type: 'object', additionalProperties: {type: 'string', default: '1'}}}}}}
            """);

    private static JsonNode defaulted(String object) {
        ObjectNode o = (ObjectNode) json(object);
        Defaulting.apply(o, SCHEMA);
        return o;
    }

    @Test
    void missingFieldsTakeTheirDefaultsFromTheOutsideIn() {
        assertEquals(json("""
                {spec: {replicas: 1, mode: 'Fast', note: 'n', strategy: {type: 'Rolling', maxSurge: 25}}}
                """), defaulted("{}"));
    }

    @Test
    void givenValuesStay() {
        assertEquals(json("""
                {spec: {replicas: 3, mode: 'Slow', note: 'x', strategy: {type: 'Recreate', maxSurge: 0}}}
                """), defaulted("{spec: {replicas: 3, mode: 'Slow', note: 'x', strategy: {type: 'Recreate', maxSurge: 0}}}"));
    }

    @Test
    void aNullIsDefaultedOnlyWhereTheSchemaDoesNotAllowIt() {
        assertEquals(json("""
                {spec: {replicas: 1, mode: 'Fast', note: null, strategy: {type: 'Rolling', maxSurge: 25}}}
                """), defaulted("{spec: {replicas: null, note: null}}"));
    }

    @Test
    void itemsAndMapValuesTakeTheirSchemasDefaults() {
        assertEquals(json("""
                {spec: {replicas: 1, mode: 'Fast', note: 'n', strategy: {type: 'Rolling', maxSurge: 25},
                 ports: [{port: 80, protocol: 'TCP'}, {port: 81, protocol: 'UDP'}, {port: 82, protocol: 'TCP'}],
                 limits: {cpu: '1', memory: '2'}}}
                """), defaulted("{spec: {ports: [null, {port: 81, protocol: 'UDP'}, {port: 82}], limits: {cpu: null, memory: '2'}}}"));
    }

    @Test
    void eachObjectGetsItsOwnCopyOfADefault() {
        ObjectNode a = (ObjectNode) defaulted("{}");
        ObjectNode b = (ObjectNode) defaulted("{}");
        assertNotSame(a.get("spec").get("strategy"), b.get("spec").get("strategy"));
        ((ObjectNode) a.get("spec").get("strategy")).put("type", "changed");
        assertEquals("Rolling", defaulted("{}").get("spec").get("strategy").get("type").asText());
    }
}

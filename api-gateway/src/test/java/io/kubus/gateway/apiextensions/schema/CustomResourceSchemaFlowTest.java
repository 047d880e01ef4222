package io.kubus.gateway.apiextensions.schema;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.schema.validation.ErrorList;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.kubus.gateway.apiextensions.schema.SchemaTestSupport.json;
import static io.kubus.gateway.apiextensions.schema.SchemaTestSupport.lines;
import static io.kubus.gateway.apiextensions.schema.SchemaTestSupport.schema;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The pieces in the order kube-apiserver runs them on a create (decode: prune, then default; then validate), with
 * the schema issue 16's acceptance CRD has: a required string, an integer with a minimum and a default, a CEL rule.
 */
class CustomResourceSchemaFlowTest {
    private static final StructuralSchema SCHEMA = schema("""
            {type: 'object', properties: {
              spec: {type: 'object', required: ['host'], properties: {
                host: {type: 'string'},
                replicas: {type: 'integer', minimum: 1, default: 1}},
                'x-kubernetes-validations': [{rule: 'self.replicas <= 5', message: 'at most 5'}]},
              status: {type: 'object', properties: {ready: {type: 'boolean'}}}}}
            """);

    private static List<String> create(ObjectNode object, List<String> expectedPruned) {
        assertEquals(List.of(), StructuralChecks.check(SCHEMA, "spec.versions[0].schema.openAPIV3Schema"));
        assertEquals(expectedPruned, Pruning.prune(object, SCHEMA));
        Defaulting.apply(object, SCHEMA);
        ErrorList errs = new ErrorList();
        SchemaValidator.validateObject(object, SCHEMA, errs);
        return lines(errs.problems());
    }

    @Test
    void aGoodObjectIsPrunedAndDefaulted() {
        ObjectNode o = (ObjectNode) json("{apiVersion: 'x.io/v1', kind: 'Web', metadata: {name: 'w'}, spec: {host: 'h', color: 'red', replicas: null}}");
        assertEquals(List.of(), create(o, List.of("spec.color")));
        assertEquals(json("{apiVersion: 'x.io/v1', kind: 'Web', metadata: {name: 'w'}, spec: {host: 'h', replicas: 1}}"), o);
    }

    @Test
    void aBadObjectIsRefusedNamingTheFields() {
        ObjectNode o = (ObjectNode) json("{apiVersion: 'x.io/v1', kind: 'Web', metadata: {name: 'w'}, spec: {replicas: 0}}");
        assertEquals(List.of(
                "spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1",
                "spec.host: Required value",
                // as kube-apiserver, a missing required field keeps the CEL rules from running, and says so
                "<nil>: Invalid value: null: some validation rules were not checked because the object was invalid;"
                        + " correct the existing errors to complete validation"), create(o, List.of()));
    }

    @Test
    void anObjectBreakingTheCelRuleIsRefusedWithItsMessage() {
        ObjectNode o = (ObjectNode) json("{apiVersion: 'x.io/v1', kind: 'Web', metadata: {name: 'w'}, spec: {host: 'h', replicas: 6}}");
        assertEquals(List.of("spec: Invalid value: at most 5"), create(o, List.of()));
    }
}

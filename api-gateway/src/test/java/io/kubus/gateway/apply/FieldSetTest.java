package io.kubus.gateway.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.kubus.gateway.apply.FieldSet.path;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FieldSetTest {

    private static final ObjectMapper M = new ObjectMapper();

    static JsonNode json(String s) {
        try {
            return M.readTree(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** What `kubectl apply --server-side` records for an nginx Deployment (kube 1.2x, ports keyed by port and protocol). */
    static final String KUBE_APPLY_DEPLOYMENT = "{\"f:metadata\":{\"f:labels\":{\"f:app\":{}}},\"f:spec\":{\"f:replicas\":{},"
            + "\"f:selector\":{},\"f:template\":{\"f:metadata\":{\"f:labels\":{\"f:app\":{}}},\"f:spec\":{\"f:containers\":"
            + "{\"k:{\\\"name\\\":\\\"nginx\\\"}\":{\".\":{},\"f:image\":{},\"f:name\":{},\"f:ports\":"
            + "{\"k:{\\\"containerPort\\\":80,\\\"protocol\\\":\\\"TCP\\\"}\":{\".\":{},\"f:containerPort\":{}}}}}}}}}";

    /** The Deployment controller's status entry as kube-controller-manager leaves it. */
    static final String KUBE_CONTROLLER_STATUS = "{\"f:metadata\":{\"f:annotations\":{\".\":{},"
            + "\"f:deployment.kubernetes.io/revision\":{}}},\"f:status\":{\"f:availableReplicas\":{},\"f:conditions\":"
            + "{\".\":{},\"k:{\\\"type\\\":\\\"Available\\\"}\":{\".\":{},\"f:lastTransitionTime\":{},\"f:lastUpdateTime\":{},"
            + "\"f:message\":{},\"f:reason\":{},\"f:status\":{},\"f:type\":{}},\"k:{\\\"type\\\":\\\"Progressing\\\"}\":"
            + "{\".\":{},\"f:lastTransitionTime\":{},\"f:lastUpdateTime\":{},\"f:message\":{},\"f:reason\":{},\"f:status\":{},"
            + "\"f:type\":{}}},\"f:observedGeneration\":{},\"f:readyReplicas\":{},\"f:replicas\":{},\"f:updatedReplicas\":{}}}";

    @Test
    void kubeWrittenFieldsV1RoundTripsByteForByte() {
        for (String s : List.of(KUBE_APPLY_DEPLOYMENT, KUBE_CONTROLLER_STATUS)) {
            assertEquals(s, FieldSet.fromFieldsV1(json(s)).toFieldsV1String());
        }
    }

    @Test
    void decodedSetHoldsKubesPaths() {
        FieldSet s = FieldSet.fromFieldsV1(json(KUBE_APPLY_DEPLOYMENT));
        assertEquals("""
                .metadata.labels.app
                .spec.replicas
                .spec.selector
                .spec.template.metadata.labels.app
                .spec.template.spec.containers[name="nginx"]
                .spec.template.spec.containers[name="nginx"].image
                .spec.template.spec.containers[name="nginx"].name
                .spec.template.spec.containers[name="nginx"].ports[containerPort=80,protocol="TCP"]
                .spec.template.spec.containers[name="nginx"].ports[containerPort=80,protocol="TCP"].containerPort""",
                s.toString());
        assertTrue(s.has(path("spec", "replicas")));
        assertFalse(s.has(path("spec")), "a struct with owned fields is not itself a member");
    }

    @Test
    void elementsAreWrittenInStructuredMergeDiffOrderWhateverTheInputOrder() {
        // fields, then keys, then values, then indices; fields by name, values by type then value
        String unordered = "{\"i:1\":{},\"v:\\\"b\\\"\":{},\"i:0\":{},\"v:2\":{},\"k:{\\\"a\\\":1}\":{},\"v:\\\"a\\\"\":{},"
                + "\"f:z\":{},\"f:a\":{},\"v:1.5\":{},\"v:true\":{}}";
        assertEquals("{\"f:a\":{},\"f:z\":{},\"k:{\\\"a\\\":1}\":{},\"v:1.5\":{},\"v:2\":{},\"v:\\\"a\\\"\":{},\"v:\\\"b\\\"\":{},"
                        + "\"v:true\":{},\"i:0\":{},\"i:1\":{}}",
                FieldSet.fromFieldsV1(json(unordered)).toFieldsV1String());
    }

    @Test
    void keyFieldsAreSortedAndEscapedAsGoDoes() {
        PathElement k = new PathElement.Key(List.of(Map.entry("protocol", json("\"TCP\"")), Map.entry("containerPort", json("80"))));
        assertEquals("k:{\"containerPort\":80,\"protocol\":\"TCP\"}", k.serialize());
        PathElement html = new PathElement.Value(json("\"a<b&c\""));
        assertEquals("v:\"a\\u003cb\\u0026c\"", html.serialize());
        assertEquals(html, PathElement.parse(html.serialize()));
        assertEquals("[containerPort=80,protocol=\"TCP\"]", k.human());
        assertEquals("[=\"a<b&c\"]", html.human());
        assertEquals("[3]", new PathElement.Index(3).human());
    }

    @Test
    void dotMarksAMemberThatAlsoHasChildrenAndEmptyObjectsAreMembers() {
        FieldSet s = FieldSet.fromFieldsV1(json("{\"f:a\":{\".\":{},\"f:b\":{}},\"f:c\":{}}"));
        assertTrue(s.has(path("a")));
        assertTrue(s.has(path("a", "b")));
        assertTrue(s.has(path("c")));
        FieldSet noDot = FieldSet.fromFieldsV1(json("{\"f:a\":{\"f:b\":{}}}"));
        assertFalse(noDot.has(path("a")));
    }

    @Test
    void unknownElementTypesAreDroppedAndMalformedOnesRefused() {
        assertEquals("{\"f:a\":{}}", FieldSet.fromFieldsV1(json("{\"f:a\":{},\"x:future\":{}}")).toFieldsV1String());
        assertThrows(IllegalArgumentException.class, () -> FieldSet.fromFieldsV1(json("{\"fa\":{}}")));
        assertThrows(IllegalArgumentException.class, () -> FieldSet.fromFieldsV1(json("{\"i:x\":{}}")));
        assertThrows(IllegalArgumentException.class, () -> FieldSet.fromFieldsV1(json("{\"f:a\":1}")));
    }

    @Test
    void setAlgebra() {
        FieldSet a = FieldSet.of(path("spec", "replicas"), path("spec", "paused"), path("data"));
        FieldSet b = FieldSet.of(path("spec", "replicas"), path("metadata", "labels", "x"));
        assertEquals(FieldSet.of(path("spec", "replicas")), a.intersection(b));
        assertEquals(FieldSet.of(path("spec", "paused"), path("data")), a.difference(b));
        assertEquals(FieldSet.of(path("spec", "replicas"), path("spec", "paused"), path("data"),
                path("metadata", "labels", "x")), a.union(b));
        assertTrue(a.difference(a).isEmpty());
        assertTrue(FieldSet.EMPTY.isEmpty());
        assertFalse(a.isEmpty());
    }

    @Test
    void recursiveDifferenceRemovesWholeSubtreesWhereDifferenceDoesNot() {
        FieldSet a = FieldSet.of(path("status", "replicas"), path("spec", "x"));
        FieldSet status = FieldSet.of(path("status"));
        assertEquals(a, a.difference(status));
        assertEquals(FieldSet.of(path("spec", "x")), a.recursiveDifference(status));
    }
}

package io.kubus.gateway.apply;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.gateway.apiextensions.schema.StructuralSchema;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static io.kubus.gateway.apply.FieldSet.path;
import static io.kubus.gateway.apply.FieldSetTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Field types read from a CRD's structural schema. */
class CustomResourceApplyTest {

    static final StructuralSchema SCHEMA = StructuralSchema.parse(json("""
            {"type":"object","properties":{
              "spec":{"type":"object","properties":{
                "replicas":{"type":"integer"},
                "items":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name","port"],
                  "items":{"type":"object","properties":{"name":{"type":"string"},
                    "port":{"type":"integer","default":80},"value":{"type":"string"}}}},
                "tags":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},
                "args":{"type":"array","items":{"type":"string"}},
                "atomicList":{"type":"array","x-kubernetes-list-type":"atomic","items":{"type":"string"}},
                "config":{"type":"object","x-kubernetes-map-type":"atomic","properties":{"a":{"type":"string"},"b":{"type":"string"}}},
                "env":{"type":"object","additionalProperties":{"type":"object","properties":{"v":{"type":"string"}}}},
                "extra":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}},
              "status":{"type":"object","properties":{"phase":{"type":"string"}}}}}
            """));
    static final FieldType TYPE = StructuralSchemaFieldTypes.of(SCHEMA);
    static final FieldManager WIDGETS = new FieldManager(TYPE, FieldSet.EMPTY,
            Clock.fixed(Instant.parse("2026-12-07T01:00:00Z"), ZoneOffset.UTC));

    static JsonNode widget(String spec) {
        return json("{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w\",\"labels\":{\"a\":\"b\"}},"
                + "\"spec\":" + spec + "}");
    }

    @Test
    void listAndMapTypesComeFromTheSchemaExtensions() {
        FieldType spec = TYPE.field("spec");
        assertEquals(FieldType.ListType.MAP, spec.field("items").listType());
        assertEquals(List.of("name", "port"), spec.field("items").listMapKeys());
        assertEquals(FieldType.ListType.SET, spec.field("tags").listType());
        assertEquals(FieldType.ListType.ATOMIC, spec.field("args").listType(), "a list without a list type is atomic");
        assertEquals(FieldType.ListType.ATOMIC, spec.field("atomicList").listType());
        assertEquals(FieldType.MapType.ATOMIC, spec.field("config").mapType());
        assertEquals(FieldType.MapType.GRANULAR, spec.field("env").mapType());
        assertTrue(spec.isNamedField("replicas"));
        assertFalse(spec.field("env").isNamedField("X"), "additionalProperties keys are map keys");
        assertFalse(spec.field("extra").isNamedField("anything"));
        assertEquals(FieldType.ListType.SET, TYPE.field("metadata").field("finalizers").listType(),
                "metadata is ObjectMeta whatever the CRD says");
    }

    @Test
    void aCustomObjectsFieldSetIsWrittenAsKubeWritesIt() {
        JsonNode obj = widget("""
                {"replicas":1,"items":[{"name":"x","value":"v"}],"tags":["t"],"args":["a"],"config":{"a":"1"},
                 "env":{"X":{"v":"1"}},"extra":{"a":{"b":1}}}""");
        FieldSet s = ObjectFields.toFieldSet(obj, TYPE);
        assertEquals("{\"f:apiVersion\":{},\"f:kind\":{},\"f:metadata\":{\"f:labels\":{\"f:a\":{}},\"f:name\":{}},"
                + "\"f:spec\":{\"f:args\":{},\"f:config\":{},\"f:env\":{\"f:X\":{\".\":{},\"f:v\":{}}},"
                + "\"f:extra\":{\"f:a\":{\".\":{},\"f:b\":{}}},"
                + "\"f:items\":{\"k:{\\\"name\\\":\\\"x\\\",\\\"port\\\":80}\":{\".\":{},\"f:name\":{},\"f:value\":{}}},"
                + "\"f:replicas\":{},\"f:tags\":{\"v:\\\"t\\\"\":{}}}}", s.toFieldsV1String());
    }

    @Test
    void createByUpdateOwnsTheNewMapsThemselvesAsKubeDoesForCustomResources() {
        FieldManager.Result r = WIDGETS.update(null, widget("{\"replicas\":1}"), "creator", "example.com/v1", "");
        assertEquals("{\"f:metadata\":{\"f:labels\":{\".\":{},\"f:a\":{}}},\"f:spec\":{\".\":{},\"f:replicas\":{}}}",
                r.managedFields().getFirst().fields().toFieldsV1String());
    }

    @Test
    void mapListItemsWithSeveralKeysMergeAndConflictPerItem() {
        FieldManager.Result r = WIDGETS.apply(null, widget("{\"items\":[{\"name\":\"x\",\"port\":1,\"value\":\"a\"}]}"),
                "m1", "example.com/v1", false);
        r = WIDGETS.apply(r.object(), widget("{\"items\":[{\"name\":\"x\",\"port\":2,\"value\":\"b\"}]}"),
                "m2", "example.com/v1", false);
        assertEquals(2, r.object().at("/spec/items").size(), "same name, different port: two items");
        FieldManager.Result before = r;
        ApplyConflictException e = assertThrows(ApplyConflictException.class, () -> WIDGETS.apply(before.object(),
                widget("{\"items\":[{\"name\":\"x\",\"port\":1,\"value\":\"c\"}]}"), "m2", "example.com/v1", false));
        assertEquals("Apply failed with 1 conflict: conflict with \"m1\": .spec.items[name=\"x\",port=1].value", e.getMessage());
    }

    @Test
    void setItemsAndAtomicMapsInCustomObjects() {
        FieldManager.Result r = WIDGETS.apply(null, widget("{\"tags\":[\"a\"],\"config\":{\"a\":\"1\"}}"), "m1",
                "example.com/v1", false);
        r = WIDGETS.apply(r.object(), widget("{\"tags\":[\"b\"]}"), "m2", "example.com/v1", false);
        assertEquals(json("[\"a\",\"b\"]"), r.object().at("/spec/tags"));
        FieldManager.Result before = r;
        ApplyConflictException e = assertThrows(ApplyConflictException.class, () -> WIDGETS.apply(before.object(),
                widget("{\"config\":{\"b\":\"2\"}}"), "m2", "example.com/v1", false));
        assertEquals(".spec.config", e.causes().getFirst().field(), "an atomic map conflicts as a whole");
        FieldManager.Result forced = WIDGETS.apply(r.object(), widget("{\"config\":{\"b\":\"2\"}}"), "m2", "example.com/v1", true);
        assertEquals(json("{\"b\":\"2\"}"), forced.object().at("/spec/config"), "and is replaced, not merged");
    }

    @Test
    void preservedUnknownFieldsAreGranular() {
        FieldManager.Result r = WIDGETS.apply(null, widget("{\"extra\":{\"a\":1}}"), "m1", "example.com/v1", false);
        r = WIDGETS.apply(r.object(), widget("{\"extra\":{\"b\":2}}"), "m2", "example.com/v1", false);
        assertEquals(json("{\"a\":1,\"b\":2}"), r.object().at("/spec/extra"));
        assertTrue(r.managedFields().stream().allMatch(e -> e.fields().has(path("spec", "extra", e.manager().equals("m1") ? "a" : "b"))));
    }

    @Test
    void entriesWrittenBeforeAListBecameAtomicOwnItWhole() {
        FieldManager.Result r = WIDGETS.apply(null, widget("{\"items\":[{\"name\":\"x\",\"value\":\"a\"}]}"), "m1",
                "example.com/v1", false);
        StructuralSchema atomic = StructuralSchema.parse(json("""
                {"type":"object","properties":{"spec":{"type":"object","properties":{
                  "items":{"type":"array","items":{"type":"object"}}}}}}"""));
        FieldManager now = new FieldManager(StructuralSchemaFieldTypes.of(atomic), FieldSet.EMPTY,
                Clock.fixed(Instant.parse("2026-12-07T02:00:00Z"), ZoneOffset.UTC));
        ApplyConflictException e = assertThrows(ApplyConflictException.class, () -> now.apply(r.object(),
                widget("{\"items\":[{\"name\":\"y\"}]}"), "m2", "example.com/v1", false));
        assertEquals(List.of(".spec.items"), e.causes().stream().map(ApplyConflictException.Cause::field).toList());
        assertEquals("{\"f:spec\":{\"f:items\":{}}}", ObjectFields.reconcileWithTypes(
                FieldSet.fromFieldsV1(json("{\"f:spec\":{\"f:items\":{\"k:{\\\"name\\\":\\\"x\\\"}\":{\".\":{},\"f:name\":{}}}}}")),
                StructuralSchemaFieldTypes.of(atomic)).toFieldsV1String());
    }
}

package io.kubus.gateway.apply;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.gateway.patch.PatchSchema;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.kubus.gateway.apply.FieldSet.path;
import static io.kubus.gateway.apply.FieldSetTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ObjectFieldsTest {

    static final FieldType T = PatchSchemaFieldTypes.of(PatchSchema.builder()
            .mergeList("items", "name")
            .mergePrimitiveList("tags")
            .build());

    @Test
    void mapListMergeKeepsLiveOnlyItemsInPlaceAndFollowsTheConfigurationsOrder() {
        JsonNode live = json("{\"items\":[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"c\"}]}");
        JsonNode config = json("{\"items\":[{\"name\":\"c\",\"v\":1},{\"name\":\"a\",\"v\":2}]}");
        assertEquals(json("{\"items\":[{\"name\":\"b\"},{\"name\":\"c\",\"v\":1},{\"name\":\"a\",\"v\":2}]}"),
                ObjectFields.merge(live, config, T));
        JsonNode appended = ObjectFields.merge(live, json("{\"items\":[{\"name\":\"d\"}]}"), T);
        assertEquals(json("[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"c\"},{\"name\":\"d\"}]"), appended.get("items"));
    }

    @Test
    void setMergeIsAUnionAndAtomicValuesAreReplaced() {
        // y comes first: the configuration places it before the shared x
        assertEquals(json("{\"tags\":[\"y\",\"x\"],\"other\":[3]}"), ObjectFields.merge(
                json("{\"tags\":[\"x\"],\"other\":[1,2]}"), json("{\"tags\":[\"y\",\"x\"],\"other\":[3]}"), T));
    }

    @Test
    void duplicateItemsInAConfigurationAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ObjectFields.merge(json("{}"),
                json("{\"items\":[{\"name\":\"a\"},{\"name\":\"a\"}]}"), T));
    }

    @Test
    void duplicateLiveItemsAreOwnedOnlyAsWholes() {
        FieldSet s = ObjectFields.toFieldSet(json("{\"items\":[{\"name\":\"a\",\"v\":1},{\"name\":\"a\",\"v\":2}]}"), T);
        assertEquals("{\"f:items\":{\"k:{\\\"name\\\":\\\"a\\\"}\":{}}}", s.toFieldsV1String());
    }

    @Test
    void comparisonReportsAddedModifiedAndRemovedLeavesAndNewMaps() {
        ObjectFields.Comparison c = ObjectFields.compare(
                json("{\"a\":1,\"b\":{\"x\":1},\"items\":[{\"name\":\"k\",\"v\":1}]}"),
                json("{\"a\":2,\"c\":{\"y\":1},\"items\":[{\"name\":\"k\",\"v\":1},{\"name\":\"n\"}]}"), T);
        assertEquals(FieldSet.of(path("a")), c.modified());
        assertEquals(FieldSet.of(path("b"), path("b", "x")), c.removed());
        // each level's members, then each child's paths, as structured-merge-diff iterates
        assertEquals(".c\n.c.y\n.items[name=\"n\"]\n.items[name=\"n\"].name", c.added().toString());
        assertTrue(ObjectFields.compare(json("{\"a\":1}"), json("{\"a\":1.0}"), T).isSame(), "1 and 1.0 are one value");
    }

    @Test
    void removalDropsWhatIsLeftEmpty() {
        JsonNode obj = json("{\"m\":{\"a\":1},\"items\":[{\"name\":\"a\"},{\"name\":\"b\",\"v\":1}],\"keep\":true}");
        FieldSet remove = FieldSet.fromFieldsV1(json(
                "{\"f:m\":{\"f:a\":{}},\"f:items\":{\"k:{\\\"name\\\":\\\"a\\\"}\":{},\"k:{\\\"name\\\":\\\"b\\\"}\":{\"f:v\":{}}}}"));
        assertEquals(json("{\"items\":[{\"name\":\"b\"}],\"keep\":true}"), ObjectFields.removeItems(obj, remove, T));
    }

    @Test
    void namedFieldsBecomeMembersButMapKeysDoNot() {
        FieldType withLabels = PatchSchemaFieldTypes.of(PatchSchema.builder()
                .object("metadata", PatchSchema.EMPTY).build());
        FieldSet s = FieldSet.of(path("spec", "x"), path("metadata", "labels", "a"));
        FieldSet ensured = ObjectFields.ensureNamedFieldsAreMembers(s, withLabels);
        assertTrue(ensured.has(path("spec")));
        assertTrue(ensured.has(path("metadata", "labels")));
        assertFalse(ensured.has(path("metadata", "labels", "a", "b")));
        assertEquals(s, ensured.intersection(s));
    }

    /** Random sets keep their fieldsV1 form and set laws hold. */
    @Test
    void randomSetsRoundTripAndObeySetLaws() {
        Random rnd = new Random(42);
        for (int i = 0; i < 200; i++) {
            FieldSet a = random(rnd);
            FieldSet b = random(rnd);
            assertEquals(a, FieldSet.fromFieldsV1(json(a.toFieldsV1String())));
            assertEquals(a.union(b), b.union(a));
            assertEquals(a.intersection(b), b.intersection(a));
            assertTrue(a.difference(b).intersection(b).isEmpty());
            assertEquals(a, a.difference(b).union(a.intersection(b)));
            for (List<PathElement> p : a.paths()) {
                assertTrue(a.has(p));
            }
        }
    }

    private static FieldSet random(Random rnd) {
        FieldSet.Builder b = new FieldSet.Builder();
        int n = rnd.nextInt(6);
        for (int i = 0; i < n; i++) {
            List<PathElement> p = new ArrayList<>();
            int depth = 1 + rnd.nextInt(3);
            for (int d = 0; d < depth; d++) {
                p.add(switch (rnd.nextInt(4)) {
                    case 0 -> new PathElement.Field("f" + rnd.nextInt(3));
                    case 1 -> new PathElement.Key(List.of(Map.entry("name", json("\"k" + rnd.nextInt(2) + "\""))));
                    case 2 -> new PathElement.Value(json(String.valueOf(rnd.nextInt(3))));
                    default -> new PathElement.Index(rnd.nextInt(2));
                });
            }
            b.insert(p);
        }
        return b.build();
    }
}

package io.kubus.gateway.apiextensions.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.FieldProblem;
import io.micronaut.core.annotation.Nullable;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * listtype.ValidateListSetsAndMaps: a list of {@code x-kubernetes-list-type: set} holds no item twice, one of type
 * {@code map} no two items with the same {@code x-kubernetes-list-map-keys} values (a missing key counts as a value
 * of its own); each repeat is a Duplicate value naming its index. Paths are field.Path's ({@code spec.ports[1]}).
 */
final class ListTypes {
    private ListTypes() {
    }

    static List<FieldProblem> validate(JsonNode object, StructuralSchema schema) {
        ErrorList errs = new ErrorList();
        objectLevel(null, schema, object, errs);
        return errs.problems();
    }

    private static void objectLevel(@Nullable String path, StructuralSchema s, JsonNode obj, ErrorList errs) {
        if (!obj.isObject()) {
            return;
        }
        if (s.additionalProperties != null) {
            for (Map.Entry<String, JsonNode> e : obj.properties()) {
                value(FieldPaths.key(path, e.getKey()), s.additionalProperties, e.getValue(), errs);
            }
        }
        for (Map.Entry<String, JsonNode> e : obj.properties()) {
            StructuralSchema sub = s.properties.get(e.getKey());
            if (sub != null) {
                value(FieldPaths.child(path, e.getKey()), sub, e.getValue(), errs);
            }
        }
    }

    private static void value(String path, StructuralSchema s, JsonNode v, ErrorList errs) {
        if (v.isArray()) {
            array(path, s, v, errs);
        } else if (v.isObject()) {
            objectLevel(path, s, v, errs);
        }
    }

    private static void array(String path, StructuralSchema s, JsonNode list, ErrorList errs) {
        if ("set".equals(s.listType)) {
            List<JsonNode> items = new ArrayList<>();
            list.forEach(items::add);
            for (int i : nonUnique(items)) {
                errs.duplicate(FieldPaths.index(path, i), GoValues.show(list.get(i)));
            }
        } else if ("map".equals(s.listType)) {
            mapList(path, s, list, errs);
        }
        if (s.items != null) {
            for (int i = 0; i < list.size(); i++) {
                value(FieldPaths.index(path, i), s.items, list.get(i), errs);
            }
        }
    }

    private static void mapList(String path, StructuralSchema s, JsonNode list, ErrorList errs) {
        for (int i = 0; i < list.size(); i++) {
            JsonNode x = list.get(i);
            if (!x.isNull() && !x.isObject()) {
                errs.invalid(FieldPaths.index(path, i), GoValues.show(x), "must be an object for an array of list-type map");
                return;
            }
        }
        // the key of each item: the object of its key fields (those it has); JSON null and a missing key differ
        List<JsonNode> keys = new ArrayList<>();
        for (JsonNode x : list) {
            ObjectNode key = JsonNodeFactory.instance.objectNode();
            for (String k : s.listMapKeys) {
                if (x.isObject() && x.has(k)) {
                    key.set(k, x.get(k));
                }
            }
            keys.add(key);
        }
        for (int i : nonUnique(keys)) {
            errs.duplicate(FieldPaths.index(path, i), GoValues.show(keys.get(i)));
        }
    }

    /** validateListSet: the index of the second appearance of each repeated value, compared as Go's map keys do. */
    private static List<Integer> nonUnique(List<JsonNode> items) {
        List<Integer> out = new ArrayList<>();
        if (items.size() <= 1) {
            return out;
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode x = items.get(i);
            // an int64 and a float64 are different keys in Go, whatever their value
            String key = (x.isNumber() ? (GoValues.isInt(x) ? "i" : "f") : "") + GoValues.json(x);
            if (seen.merge(key, 1, Integer::sum) == 2) {
                out.add(i);
            }
        }
        return out;
    }
}

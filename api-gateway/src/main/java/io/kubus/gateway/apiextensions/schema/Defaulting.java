package io.kubus.gateway.apiextensions.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micronaut.core.annotation.Nullable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * defaulting.Default: fills a custom object from its schema's {@code default} values, as kube-apiserver does after
 * pruning, on every read from the client and from storage. A property that is missing takes its default, and so does
 * one that holds a null the schema does not allow (pruning has already dropped the non-nullable nulls that have no
 * default); items and additionalProperties values that are such nulls take their schema's default. Defaults are
 * applied from the outside in, so a default object is itself defaulted below. Each default is a fresh copy.
 */
public final class Defaulting {
    private Defaulting() {
    }

    /** Applies the defaults to {@code object} in place. */
    public static void apply(JsonNode object, StructuralSchema schema) {
        defaultValue(object, schema);
    }

    private static void defaultValue(JsonNode x, @Nullable StructuralSchema s) {
        if (s == null) {
            return;
        }
        if (x instanceof ObjectNode obj) {
            for (Map.Entry<String, StructuralSchema> p : s.properties.entrySet()) {
                StructuralSchema prop = p.getValue();
                if (prop.defaultValue == null) {
                    continue;
                }
                JsonNode current = obj.get(p.getKey());
                if (current == null || nonNullableNull(current, prop)) {
                    obj.set(p.getKey(), prop.defaultCopy());
                }
            }
            List<String> keys = new ArrayList<>();
            obj.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                StructuralSchema prop = s.properties.get(k);
                if (prop != null) {
                    defaultValue(obj.get(k), prop);
                } else if (s.additionalProperties != null) {
                    if (nonNullableNull(obj.get(k), s.additionalProperties)) {
                        obj.set(k, orNull(s.additionalProperties.defaultCopy()));
                    }
                    defaultValue(obj.get(k), s.additionalProperties);
                }
            }
        } else if (x instanceof ArrayNode list) {
            for (int i = 0; i < list.size(); i++) {
                if (nonNullableNull(list.get(i), s.items)) {
                    list.set(i, orNull(s.items.defaultCopy()));
                }
                defaultValue(list.get(i), s.items);
            }
        }
    }

    /** isNonNullableNull: a JSON null where the schema does not say nullable. */
    private static boolean nonNullableNull(JsonNode v, @Nullable StructuralSchema s) {
        return v.isNull() && s != null && !s.nullable;
    }

    /** A schema without a default puts back the null it found (Go copies its nil default). */
    private static JsonNode orNull(@Nullable JsonNode v) {
        return v == null ? NullNode.getInstance() : v;
    }
}

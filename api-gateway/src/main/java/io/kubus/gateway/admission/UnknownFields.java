package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

/**
 * Finds the JSON members the object model does not declare, by walking the JSON alongside the model class as
 * Jackson sees it. The model's any-setter ({@code additionalProperties}) would otherwise swallow them, so they
 * are removed from the tree here, whatever the caller then does with the list.
 */
final class UnknownFields {
    private final ObjectMapper mapper;
    /** Known property types per bean class; introspection is costly and the model is fixed. */
    private final Map<Class<?>, Map<String, JavaType>> properties = new ConcurrentHashMap<>();

    UnknownFields(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** Removes unknown members from {@code object} and returns their paths in Kubernetes form. */
    List<String> strip(ObjectNode object, Class<?> type) {
        List<String> unknown = new ArrayList<>();
        walk(object, mapper.constructType(type), "", unknown);
        return unknown;
    }

    private void walk(JsonNode node, JavaType type, String path, List<String> unknown) {
        if (node == null || node.isNull()) {
            return;
        }
        if (type.isCollectionLikeType() || type.isArrayType()) {
            if (node instanceof ArrayNode array) {
                for (int i = 0; i < array.size(); i++) {
                    walk(array.get(i), type.getContentType(), path + "[" + i + "]", unknown);
                }
            }
            return;
        }
        if (type.isMapLikeType()) {
            if (node instanceof ObjectNode map) {
                for (Map.Entry<String, JsonNode> e : map.properties()) {
                    walk(e.getValue(), type.getContentType(), path + "[" + e.getKey() + "]", unknown);
                }
            }
            return;
        }
        if (!(node instanceof ObjectNode object)) {
            return; // a scalar where an object belongs is a type error, reported by decoding
        }
        Map<String, JavaType> known = propertiesOf(type);
        if (known == null) {
            return; // a leaf with its own deserializer (IntOrString, Quantity) or a free-form value
        }
        // a custom kind's model keeps every member: its schema, not the model, says what is unknown
        boolean freeForm = type.getRawClass() == GenericKubernetesResource.class;
        Iterator<Map.Entry<String, JsonNode>> it = object.properties().iterator();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String child = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
            JavaType childType = known.get(e.getKey());
            if (freeForm && childType == null) {
                continue;
            }
            if (childType == null) {
                unknown.add(child);
                it.remove();
            } else {
                walk(e.getValue(), childType, child, unknown);
            }
        }
    }

    /** The declared properties of a bean type, or null when the type is not walked into. */
    private Map<String, JavaType> propertiesOf(JavaType type) {
        Class<?> raw = type.getRawClass();
        if (raw == Object.class || raw.isPrimitive() || raw.isEnum() || raw.getName().startsWith("java.")
                || raw.getName().startsWith("com.fasterxml.")) {
            return null;
        }
        JsonDeserialize custom = raw.getAnnotation(JsonDeserialize.class);
        if (custom != null && custom.using() != JsonDeserializer.None.class) {
            return null;
        }
        Map<String, JavaType> cached = properties.get(raw);
        if (cached != null) {
            return cached.isEmpty() ? null : cached;
        }
        BeanDescription description = mapper.getDeserializationConfig().introspect(type);
        Map<String, JavaType> found = new HashMap<>();
        for (BeanPropertyDefinition p : description.findProperties()) {
            // the any-setter's backing map is where unknown members would land, not a member itself
            if (!p.getName().equals("additionalProperties") && (p.hasSetter() || p.hasField() || p.hasConstructorParameter())) {
                found.put(p.getName(), p.getPrimaryType());
            }
        }
        properties.put(raw, Map.copyOf(found));
        return found.isEmpty() ? null : found;
    }
}

package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Decodes JSON into the model class as strictly as Go's encoding/json does for Kubernetes: no string-to-number,
 * number-to-string or float-to-int coercion, which Jackson would otherwise do silently. Failures are 400s whose
 * message reads like the apiserver's, naming the field.
 */
public final class StrictDecoder {
    private final ObjectMapper mapper;

    public StrictDecoder() {
        ObjectMapper m = KubusJson.json().copy();
        m.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        for (LogicalType t : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
            m.coercionConfigFor(t).setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        }
        m.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        m.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        m.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        this.mapper = m;
    }

    ObjectMapper mapper() {
        return mapper;
    }

    <T> T decode(ResourceType type, ObjectNode object, Class<T> cls) {
        return decode(type.kind(), type.version(), object, cls);
    }

    /** The same for a body that is no stored kind (a subresource's, such as an Eviction). */
    public <T> T decode(String kind, String version, ObjectNode object, Class<T> cls) {
        try {
            return mapper.treeToValue(object, cls);
        } catch (JsonMappingException e) {
            throw AdmissionException.badRequest(prefix(kind, version) + describe(e, object));
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw AdmissionException.badRequest(prefix(kind, version) + e.getMessage());
        }
    }

    private static String prefix(String kind, String version) {
        return kind + " in version \"" + version + "\" cannot be handled as a " + kind + ": ";
    }

    /** Go's "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32". */
    private static String describe(JsonMappingException e, JsonNode root) {
        List<String> fields = new ArrayList<>();
        String struct = null;
        JsonNode at = root;
        for (JsonMappingException.Reference ref : e.getPath()) {
            Object from = ref.getFrom();
            boolean container = from instanceof Map || from instanceof Collection;
            if (ref.getFieldName() != null) {
                at = at == null ? null : at.get(ref.getFieldName());
                if (!container) {
                    fields.add(ref.getFieldName());
                    struct = from instanceof Class<?> c ? c.getSimpleName() : from == null ? null : from.getClass().getSimpleName();
                }
            } else if (ref.getIndex() >= 0) {
                at = at == null ? null : at.get(ref.getIndex());
            }
        }
        if (!(e instanceof MismatchedInputException mismatch) || at == null || struct == null) {
            return e.getOriginalMessage() + (fields.isEmpty() ? "" : " (field " + String.join(".", fields) + ")");
        }
        return "json: cannot unmarshal " + JsonTree.goKind(at) + " into Go struct field " + struct + "." + String.join(".", fields)
                + " of type " + goType(mismatch.getTargetType());
    }

    private static String goType(Class<?> t) {
        if (t == null) {
            return "unknown";
        }
        if (t == int.class || t == Integer.class) {
            return "int32";
        }
        if (t == long.class || t == Long.class) {
            return "int64";
        }
        if (t == boolean.class || t == Boolean.class) {
            return "bool";
        }
        if (t == double.class || t == Double.class || t == float.class || t == Float.class) {
            return "float64";
        }
        if (t == String.class) {
            return "string";
        }
        if (Map.class.isAssignableFrom(t)) {
            return "map[string]string";
        }
        if (Collection.class.isAssignableFrom(t)) {
            return "[]interface {}";
        }
        return "v1." + t.getSimpleName();
    }
}

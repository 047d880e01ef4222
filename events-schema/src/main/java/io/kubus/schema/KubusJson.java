package io.kubus.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.util.Comparator;

/**
 * The one Jackson configuration every Kubus part uses for API objects, so that JSON written by the
 * gateway, carried on Kafka and read by a consumer is byte-for-byte the same shape. Immutable once built.
 */
public final class KubusJson {
    /**
     * java.time for the few model fields fabric8 types so (a Lease's MicroTimes are ZonedDateTime, written with the
     * pattern of Kubernetes' MicroTime); every other time in the model is a string.
     */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();

    private static final ObjectMapper YAML = YAMLMapper.builder(new YAMLFactory()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .addModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();

    private KubusJson() {
    }

    /** The JSON mapper; thread-safe, do not reconfigure. */
    public static ObjectMapper json() {
        return JSON;
    }

    /** The YAML mapper, for manifests and {@code application/yaml} responses. */
    public static ObjectMapper yaml() {
        return YAML;
    }

    /**
     * Equal as JSON values: numbers compare by value, so an IntNode 1 read back from storage equals the LongNode 1
     * a defaulter or {@code put(long)} made (Jackson's own equality is type-strict); objects ignore member order.
     */
    public static boolean equivalent(JsonNode a, JsonNode b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.equals(SAME_VALUE, b);
    }

    private static final Comparator<JsonNode> SAME_VALUE = (x, y) -> {
        if (x.isNumber() && y.isNumber()) {
            return x.decimalValue().compareTo(y.decimalValue()) == 0 ? 0 : 1;
        }
        return x.equals(y) ? 0 : 1;
    };

    /** A deep copy of a model object through its JSON form: what controllers change before they write it back. */
    public static <T> T copy(T value, Class<T> cls) {
        try {
            return JSON.treeToValue(JSON.valueToTree(value), cls);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot copy a " + cls.getSimpleName(), e);
        }
    }

    /** Compact JSON of any model object; the object model guarantees it serialises. */
    public static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getName(), e);
        }
    }
}

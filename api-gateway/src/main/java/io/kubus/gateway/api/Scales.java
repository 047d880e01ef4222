package io.kubus.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;

import java.util.List;
import java.util.Map;

/** The autoscaling/v1 Scale view of the kinds with a scale subresource. */
final class Scales {
    private Scales() {
    }

    static ObjectNode toScale(ResourceType type, ObjectNode object) {
        ObjectNode scale = JsonNodeFactory.instance.objectNode();
        scale.put("kind", "Scale");
        scale.put("apiVersion", "autoscaling/v1");
        ObjectNode meta = scale.putObject("metadata");
        JsonNode m = object.path("metadata");
        for (String f : List.of("name", "namespace", "uid", "resourceVersion", "creationTimestamp")) {
            if (m.has(f)) {
                meta.set(f, m.get(f));
            }
        }
        scale.putObject("spec").put("replicas", object.path("spec").path("replicas").asInt(0));
        ObjectNode status = scale.putObject("status");
        status.put("replicas", object.path("status").path("replicas").asInt(0));
        status.put("selector", selector(type, object.path("spec").path("selector")));
        return scale;
    }

    /** The wanted replicas of a Scale; 422 unless a non-negative integer. */
    static int replicas(ResourceType type, String name, ObjectNode scale) {
        JsonNode r = scale.path("spec").path("replicas");
        if (!r.isMissingNode() && !r.isNull() && !(r.isIntegralNumber() && r.canConvertToInt())) {
            // Not an int32 at all is a decoding error (400), as kube-apiserver answers; only a negative one is invalid.
            throw ApiException.badRequest("Scale in version \"v1\" cannot be handled as a Scale: spec.replicas: "
                    + "expected an integer, got " + r);
        }
        if (!r.canConvertToInt() || !r.isIntegralNumber() || r.asInt() < 0) {
            throw ApiException.invalid(type, name, List.of(ApiException.cause("FieldValueInvalid", "spec.replicas",
                    "Invalid value: " + r + ": must be greater than or equal to 0")));
        }
        return r.asInt();
    }

    @SuppressWarnings("unchecked")
    private static String selector(ResourceType type, JsonNode selector) {
        if (!selector.isObject()) {
            return "";
        }
        if (type == ResourceTypes.REPLICATIONCONTROLLERS) {
            // A ReplicationController's selector is a plain label map.
            return io.kubus.schema.selector.LabelSelector.ofMatchLabels(
                    KubusJson.json().convertValue(selector, Map.class)).toString();
        }
        return io.kubus.schema.selector.LabelSelector.of(KubusJson.json().convertValue(selector, LabelSelector.class))
                .toString();
    }
}

package io.kubus.gateway.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.schema.KubusJson;
import io.kubus.schema.selector.LabelSelector;
import io.kubus.schema.validation.FieldProblem;

import java.util.List;
import java.util.Map;

/**
 * The shared label-selector rules (events-schema's {@link LabelSelector}) applied to the JSON of stored or admitted
 * objects: one implementation for the gateway and the controllers.
 */
public final class LabelSelectors {
    private LabelSelectors() {
    }

    /**
     * The selector of an API {@code LabelSelector} (metav1.LabelSelectorAsSelector): null or missing selects nothing,
     * an empty one everything.
     */
    public static LabelSelector of(JsonNode selector) {
        if (selector == null || !selector.isObject()) {
            return LabelSelector.nothing();
        }
        return LabelSelector.of(KubusJson.json().convertValue(selector, io.fabric8.kubernetes.api.model.LabelSelector.class));
    }

    /** The selector of a plain label map (a ReplicationController's or a Service's selector). */
    @SuppressWarnings("unchecked")
    public static LabelSelector ofMatchLabels(JsonNode labels) {
        return labels != null && labels.isObject()
                ? LabelSelector.ofMatchLabels(KubusJson.json().convertValue(labels, Map.class)) : LabelSelector.everything();
    }

    /** ValidateLabelSelector of an API LabelSelector at {@code path}. */
    public static List<FieldProblem> validate(JsonNode selector, String path) {
        if (selector == null || !selector.isObject()) {
            return List.of();
        }
        return LabelSelector.validate(KubusJson.json().convertValue(selector,
                io.fabric8.kubernetes.api.model.LabelSelector.class), path);
    }

    /** The labels of an object's metadata (or a template's) as a map; none when absent. */
    @SuppressWarnings("unchecked")
    public static Map<String, String> labels(JsonNode labels) {
        return labels != null && labels.isObject() ? KubusJson.json().convertValue(labels, Map.class) : Map.of();
    }
}

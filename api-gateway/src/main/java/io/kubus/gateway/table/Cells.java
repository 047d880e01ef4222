package io.kubus.gateway.table;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.schema.KubusJson;
import io.kubus.schema.selector.LabelSelector;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The formatting helpers of printers.go and apimachinery that several kinds' cells share. */
public final class Cells {
    private Cells() {
    }

    public static String text(JsonNode node, String pointer) {
        JsonNode v = node.at(pointer);
        return v.isMissingNode() || v.isNull() ? "" : v.asText();
    }

    public static long number(JsonNode node, String pointer) {
        return node.at(pointer).asLong(0);
    }

    public static String name(JsonNode object) {
        return text(object, "/metadata/name");
    }

    public static boolean deleting(JsonNode object) {
        return !text(object, "/metadata/deletionTimestamp").isEmpty();
    }

    /** translateTimestampSince: the age of a timestamp, {@code <unknown>} when unset. */
    public static String since(String timestamp, Instant now) {
        if (timestamp.isEmpty()) {
            return "<unknown>";
        }
        try {
            return TablePrinters.humanDuration(Duration.between(Instant.parse(timestamp), now));
        } catch (DateTimeParseException e) {
            return "<invalid>";
        }
    }

    public static String or(String value, String fallback) {
        return value.isEmpty() ? fallback : value;
    }

    /** labels.FormatLabels: sorted {@code k=v} pairs, {@code <none>} when empty. */
    public static String labels(JsonNode map) {
        if (map == null || !map.isObject() || map.isEmpty()) {
            return "<none>";
        }
        Map<String, String> sorted = new TreeMap<>();
        map.properties().forEach(e -> sorted.put(e.getKey(), e.getValue().asText()));
        return sorted.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    /** The String() of the selector a LabelSelector converts to: requirements sorted by key, "" when empty. */
    public static String selector(JsonNode selector) {
        if (selector == null || !selector.isObject()) {
            return "";
        }
        return LabelSelector.of(KubusJson.json().convertValue(selector, io.fabric8.kubernetes.api.model.LabelSelector.class))
                .toString();
    }

    /** metav1.FormatLabelSelector: the selector string, {@code <none>} when it selects by nothing. */
    public static String formatSelector(JsonNode selector) {
        return or(selector(selector), "<none>");
    }

    public static String containerNames(JsonNode podSpec) {
        List<String> names = new ArrayList<>();
        podSpec.path("containers").forEach(c -> names.add(c.path("name").asText()));
        return String.join(",", names);
    }

    public static String containerImages(JsonNode podSpec) {
        List<String> images = new ArrayList<>();
        podSpec.path("containers").forEach(c -> images.add(c.path("image").asText()));
        return String.join(",", images);
    }

    /** helper.GetAccessModesAsString: the short forms, in Kubernetes' fixed order. */
    public static String accessModes(JsonNode modes) {
        List<String> present = new ArrayList<>();
        modes.forEach(m -> present.add(m.asText()));
        List<String> out = new ArrayList<>();
        for (String[] m : new String[][]{{"ReadWriteOnce", "RWO"}, {"ReadOnlyMany", "ROX"}, {"ReadWriteMany", "RWX"},
                {"ReadWriteOncePod", "RWOP"}}) {
            if (present.contains(m[0])) {
                out.add(m[1]);
            }
        }
        return String.join(",", out);
    }

    /** The storage class, from the beta annotation that predates the field when it is set. */
    public static String storageClass(JsonNode object) {
        String annotated = text(object, "/metadata/annotations/volume.beta.kubernetes.io~1storage-class");
        return annotated.isEmpty() ? text(object, "/spec/storageClassName") : annotated;
    }
}

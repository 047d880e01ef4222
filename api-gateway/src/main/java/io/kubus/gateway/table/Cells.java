package io.kubus.gateway.table;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The formatting helpers of printers.go and apimachinery that several kinds' cells share. */
final class Cells {
    private Cells() {
    }

    static String text(JsonNode node, String pointer) {
        JsonNode v = node.at(pointer);
        return v.isMissingNode() || v.isNull() ? "" : v.asText();
    }

    static long number(JsonNode node, String pointer) {
        return node.at(pointer).asLong(0);
    }

    static String name(JsonNode object) {
        return text(object, "/metadata/name");
    }

    static boolean deleting(JsonNode object) {
        return !text(object, "/metadata/deletionTimestamp").isEmpty();
    }

    /** translateTimestampSince: the age of a timestamp, {@code <unknown>} when unset. */
    static String since(String timestamp, Instant now) {
        if (timestamp.isEmpty()) {
            return "<unknown>";
        }
        try {
            return TablePrinters.humanDuration(Duration.between(Instant.parse(timestamp), now));
        } catch (DateTimeParseException e) {
            return "<invalid>";
        }
    }

    static String or(String value, String fallback) {
        return value.isEmpty() ? fallback : value;
    }

    /** labels.FormatLabels: sorted {@code k=v} pairs, {@code <none>} when empty. */
    static String labels(JsonNode map) {
        if (map == null || !map.isObject() || map.isEmpty()) {
            return "<none>";
        }
        Map<String, String> sorted = new TreeMap<>();
        map.properties().forEach(e -> sorted.put(e.getKey(), e.getValue().asText()));
        return sorted.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    /** The String() of the selector a LabelSelector converts to: requirements sorted by key, "" when empty. */
    static String selector(JsonNode selector) {
        if (selector == null || !selector.isObject()) {
            return "";
        }
        Map<String, List<String>> byKey = new TreeMap<>();
        selector.path("matchLabels").properties().forEach(e ->
                byKey.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getKey() + "=" + e.getValue().asText()));
        for (JsonNode expr : selector.path("matchExpressions")) {
            String key = expr.path("key").asText();
            List<String> values = new ArrayList<>();
            expr.path("values").forEach(v -> values.add(v.asText()));
            values.sort(null);
            String req = switch (expr.path("operator").asText()) {
                case "In" -> key + " in (" + String.join(",", values) + ")";
                case "NotIn" -> key + " notin (" + String.join(",", values) + ")";
                case "Exists" -> key;
                case "DoesNotExist" -> "!" + key;
                default -> key + " " + expr.path("operator").asText();
            };
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(req);
        }
        return byKey.values().stream().flatMap(List::stream).collect(Collectors.joining(","));
    }

    /** metav1.FormatLabelSelector: the selector string, {@code <none>} when it selects by nothing. */
    static String formatSelector(JsonNode selector) {
        return or(selector(selector), "<none>");
    }

    static String containerNames(JsonNode podSpec) {
        List<String> names = new ArrayList<>();
        podSpec.path("containers").forEach(c -> names.add(c.path("name").asText()));
        return String.join(",", names);
    }

    static String containerImages(JsonNode podSpec) {
        List<String> images = new ArrayList<>();
        podSpec.path("containers").forEach(c -> images.add(c.path("image").asText()));
        return String.join(",", images);
    }

    /** helper.GetAccessModesAsString: the short forms, in Kubernetes' fixed order. */
    static String accessModes(JsonNode modes) {
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
    static String storageClass(JsonNode object) {
        String annotated = text(object, "/metadata/annotations/volume.beta.kubernetes.io~1storage-class");
        return annotated.isEmpty() ? text(object, "/spec/storageClassName") : annotated;
    }
}

package io.kubus.gateway.registry.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.schema.KubusJson;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.ErrorList.GoValue;
import io.kubus.schema.validation.Names;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.function.Function;

/**
 * ValidateEventCreate and ValidateEventUpdate of Kubernetes 1.32 (pkg/apis/core/validation/events.go) for a request
 * in events.k8s.io/v1, on the core Event the request converts to: legacyValidateEvent, which holds an event with an
 * eventTime to the new-style fields, then the strict rules only events.k8s.io/v1 applies. Kubernetes validates the
 * internal object, so the fields are named as core/v1 names them (message, source, count, ...), except
 * reportingController, which is named for the request's version.
 */
final class EventV1Validation {
    private static final int REPORTING_INSTANCE_LENGTH_LIMIT = 128;
    private static final int ACTION_LENGTH_LIMIT = 128;
    private static final int REASON_LENGTH_LIMIT = 128;
    private static final int NOTE_LENGTH_LIMIT = 1024;
    /** Go's time.Time.String() layout, which a Time value prints as in a field error. */
    private static final DateTimeFormatter GO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    private EventV1Validation() {
    }

    static void create(JsonNode event, ErrorList errs) {
        legacy(event, errs);
        series(event, errs);
        if (unset(event, "eventTime")) {
            errs.required("eventTime");
        }
        String type = JsonTree.text(event, "type");
        if (!type.equals("Normal") && !type.equals("Warning")) {
            errs.invalid("type", "", "has invalid value: " + type);
        }
        for (String field : List.of("firstTimestamp", "lastTimestamp")) {
            if (!unset(event, field)) {
                errs.invalid(field, "", "needs to be unset");
            }
        }
        if (event.path("count").asLong(0) != 0) {
            errs.invalid("count", "", "needs to be unset");
        }
        if (!event.path("source").path("component").asText("").isEmpty()
                || !event.path("source").path("host").asText("").isEmpty()) {
            errs.invalid("source", "", "needs to be unset");
        }
    }

    static void update(JsonNode event, JsonNode old, ErrorList errs) {
        legacy(event, errs);
        if (!event.path("series").equals(old.path("series"))) {
            series(event, errs);
        }
        immutable(event, old, "involvedObject", v -> new GoValue("core.ObjectReference" + KubusJson.write(v)), errs);
        immutable(event, old, "reason", EventV1Validation::text, errs);
        immutable(event, old, "message", EventV1Validation::text, errs);
        immutable(event, old, "source", v -> new GoValue("core.EventSource" + KubusJson.write(v)), errs);
        immutable(event, old, "firstTimestamp", EventV1Validation::goTime, errs);
        immutable(event, old, "lastTimestamp", EventV1Validation::goTime, errs);
        immutable(event, old, "count", v -> v.asLong(0), errs);
        // Kubernetes checks reason twice.
        immutable(event, old, "reason", EventV1Validation::text, errs);
        immutable(event, old, "type", EventV1Validation::text, errs);
        immutable(event, old, "eventTime", EventV1Validation::goTime, errs);
        immutable(event, old, "action", EventV1Validation::text, errs);
        immutable(event, old, "related", v -> v.isMissingNode() || v.isNull() ? "null"
                : new GoValue("core.ObjectReference" + KubusJson.write(v)), errs);
        immutable(event, old, "reportingComponent", "reportingController", EventV1Validation::text, errs);
        immutable(event, old, "reportingInstance", EventV1Validation::text, errs);
    }

    /** legacyValidateEvent, as it reads an events.k8s.io/v1 request. */
    private static void legacy(JsonNode event, ErrorList errs) {
        String namespace = event.path("metadata").path("namespace").asText("");
        String involvedNamespace = event.path("involvedObject").path("namespace").asText("");
        if (unset(event, "eventTime")) {
            // An old-style event: its namespace must be the involved object's, or default for a cluster-scoped one.
            if (involvedNamespace.isEmpty() ? !namespace.isEmpty() && !namespace.equals("default")
                    : !namespace.equals(involvedNamespace)) {
                errs.invalid("involvedObject.namespace", involvedNamespace, "does not match event.namespace");
            }
        } else {
            if (involvedNamespace.isEmpty() && !namespace.equals("default") && !namespace.equals("kube-system")) {
                errs.invalid("involvedObject.namespace", involvedNamespace, "does not match event.namespace");
            }
            String controller = JsonTree.text(event, "reportingComponent");
            if (controller.isEmpty()) {
                errs.required("reportingController");
            }
            errs.invalidEach("reportingController", controller, Names.qualifiedName(controller));
            limited(event, "reportingInstance", REPORTING_INSTANCE_LENGTH_LIMIT, true, errs);
            limited(event, "action", ACTION_LENGTH_LIMIT, true, errs);
            limited(event, "reason", REASON_LENGTH_LIMIT, true, errs);
            limited(event, "message", NOTE_LENGTH_LIMIT, false, errs);
        }
        errs.invalidEach("namespace", namespace, Names.dns1123Subdomain(namespace));
    }

    /** A string field of a new-style event: required unless {@code optional}, and at most {@code limit} bytes. */
    private static void limited(JsonNode event, String field, int limit, boolean required, ErrorList errs) {
        String value = JsonTree.text(event, field);
        if (required && value.isEmpty()) {
            errs.required(field);
        }
        if (value.getBytes(StandardCharsets.UTF_8).length > limit) {
            errs.invalid(field, "", "can have at most " + limit + " characters");
        }
    }

    /** validateV1EventSeries. */
    private static void series(JsonNode event, ErrorList errs) {
        JsonNode series = event.get("series");
        if (series == null || !series.isObject()) {
            return;
        }
        if (series.path("count").asLong(0) < 2) {
            errs.invalid("series.count", "", "should be at least 2");
        }
        if (unset(series, "lastObservedTime")) {
            errs.required("series.lastObservedTime");
        }
    }

    private static void immutable(JsonNode event, JsonNode old, String field, Function<JsonNode, Object> shown,
                                  ErrorList errs) {
        immutable(event, old, field, field, shown, errs);
    }

    /** ValidateImmutableField: {@code field} (named {@code path} in the error) as it was, shown as Go prints it. */
    private static void immutable(JsonNode event, JsonNode old, String field, String path,
                                  Function<JsonNode, Object> shown, ErrorList errs) {
        JsonNode now = event.path(field);
        JsonNode was = old.path(field);
        if (!sameValue(now, was)) {
            errs.invalid(path, shown.apply(now), "field is immutable");
        }
    }

    /** Equal as Go compares the fields: absent and null are the zero value, as is an empty string. */
    private static boolean sameValue(JsonNode a, JsonNode b) {
        boolean zeroA = a.isMissingNode() || a.isNull() || (a.isTextual() && a.asText().isEmpty());
        boolean zeroB = b.isMissingNode() || b.isNull() || (b.isTextual() && b.asText().isEmpty());
        return zeroA && zeroB || a.equals(b);
    }

    private static boolean unset(JsonNode object, String field) {
        return object.path(field).asText("").isEmpty();
    }

    private static Object text(JsonNode v) {
        return v.asText("");
    }

    /** A Time or MicroTime as time.Time.String() prints it, Go's zero time when unset. */
    private static Object goTime(JsonNode v) {
        String text = v.asText("");
        if (text.isEmpty()) {
            return new GoValue("0001-01-01 00:00:00 +0000 UTC");
        }
        try {
            Instant t = Instant.parse(text);
            String fraction = t.getNano() == 0 ? "" : ("." + String.format("%09d", t.getNano())).replaceAll("0+$", "");
            return new GoValue(GO_TIME.format(t) + fraction + " +0000 UTC");
        } catch (DateTimeParseException e) {
            return text;
        }
    }
}

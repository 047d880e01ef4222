package io.kubus.gateway.registry.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.Conversion;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.ErrorList;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;

/**
 * events.k8s.io/v1 Events, a view of the core/v1 Events they are stored as (pkg/apis/events/v1/conversion.go of
 * Kubernetes 1.32): regarding is involvedObject, note is message, reportingController is reportingComponent, and
 * the deprecated fields are core's source, firstTimestamp, lastTimestamp and count; the rest has the same names.
 * What it adds is validation: events.k8s.io/v1 requires the fields of a new-style event ({@link EventV1Validation}).
 */
@Singleton
public class EventV1Conversion implements Conversion {
    /** events.k8s.io/v1 name ↔ core/v1 name, for the fields that differ. */
    private static final String[][] RENAMED = {{"regarding", "involvedObject"}, {"note", "message"},
            {"reportingController", "reportingComponent"}, {"deprecatedSource", "source"},
            {"deprecatedFirstTimestamp", "firstTimestamp"}, {"deprecatedLastTimestamp", "lastTimestamp"},
            {"deprecatedCount", "count"}};
    private static final String[] SAME = {"eventTime", "series", "reportingInstance", "action", "reason", "related", "type"};

    @Override
    public ResourceType type() {
        return ResourceTypes.EVENTS_V1;
    }

    @Override
    public ObjectNode toStorage(ObjectNode event) {
        ObjectNode out = JsonTree.F.objectNode();
        copy(event, "metadata", out, "metadata");
        for (String field : SAME) {
            copy(event, field, out, field);
        }
        for (String[] names : RENAMED) {
            copy(event, names[0], out, names[1]);
        }
        return out;
    }

    /**
     * The core Event as events.k8s.io/v1 writes it, in its field order and with Go's zero values where its fields
     * have no omitempty or are structs (regarding and deprecatedSource {@code {}}, the times null).
     */
    @Override
    public ObjectNode fromStorage(ObjectNode event) {
        ObjectNode out = JsonTree.F.objectNode();
        copy(event, "metadata", out, "metadata");
        out.set("eventTime", orNull(event.get("eventTime")));
        copy(event, "series", out, "series");
        copyText(event, "reportingComponent", out, "reportingController");
        copyText(event, "reportingInstance", out, "reportingInstance");
        copyText(event, "action", out, "action");
        copyText(event, "reason", out, "reason");
        out.set("regarding", event.path("involvedObject").isObject() ? event.get("involvedObject").deepCopy()
                : JsonTree.F.objectNode());
        copy(event, "related", out, "related");
        copyText(event, "message", out, "note");
        copyText(event, "type", out, "type");
        out.set("deprecatedSource", event.path("source").isObject() ? event.get("source").deepCopy() : JsonTree.F.objectNode());
        out.set("deprecatedFirstTimestamp", orNull(event.get("firstTimestamp")));
        out.set("deprecatedLastTimestamp", orNull(event.get("lastTimestamp")));
        if (event.path("count").asLong(0) != 0) {
            out.set("deprecatedCount", event.get("count"));
        }
        return out;
    }

    /** ValidateEventCreate and ValidateEventUpdate for the events.k8s.io/v1 request version. */
    @Override
    public void validate(ObjectNode event, @Nullable ObjectNode old, ErrorList errors) {
        if (old == null) {
            EventV1Validation.create(event, errors);
        } else {
            EventV1Validation.update(event, old, errors);
        }
    }

    private static void copy(JsonNode from, String field, ObjectNode to, String as) {
        JsonNode v = from.get(field);
        if (v != null && !v.isNull()) {
            to.set(as, v.deepCopy());
        }
    }

    /** A string field with omitempty: left out when empty. */
    private static void copyText(JsonNode from, String field, ObjectNode to, String as) {
        if (!from.path(field).asText("").isEmpty()) {
            to.set(as, from.get(field));
        }
    }

    private static JsonNode orNull(@Nullable JsonNode v) {
        return v == null ? NullNode.getInstance() : v;
    }
}

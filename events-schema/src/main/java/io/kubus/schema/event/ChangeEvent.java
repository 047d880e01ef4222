package io.kubus.schema.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One change of one API object as published on its kind's change topic: a CloudEvent 1.0 in Kafka binary
 * mode. The record key is {@link #key()}, the value is a Kubernetes watch event {@code {"type":..,"object":..}},
 * and the CloudEvent attributes travel as {@code ce_*} headers (see docs/events.md; the contract is versioned
 * by {@link #DATA_SCHEMA}).
 *
 * @param type            ADDED, MODIFIED or DELETED
 * @param topic           the kind's change topic
 * @param key             {@code namespace/name}, or {@code name} for cluster-scoped kinds
 * @param resourceVersion the object's resourceVersion after the change (for DELETED: the version of the deletion)
 * @param time            when the change was stored
 * @param ceType          the CloudEvent type, e.g. {@code io.kubus.apps.v1.deployments.modified}
 * @param object          the object as stored after the change (for DELETED, its last state)
 */
public record ChangeEvent(WatchEventType type, String topic, String key, long resourceVersion, Instant time,
                          String ceType, ObjectNode object) {

    public static final String SPEC_VERSION = "1.0";
    /** The version of this event format; bumped on any incompatible change. */
    public static final String DATA_SCHEMA = "urn:kubus:events:watch-event:v1";
    public static final String SOURCE = "/kubus/api-gateway";
    public static final String H_SPECVERSION = "ce_specversion";
    public static final String H_ID = "ce_id";
    public static final String H_SOURCE = "ce_source";
    public static final String H_TYPE = "ce_type";
    public static final String H_TIME = "ce_time";
    public static final String H_SUBJECT = "ce_subject";
    public static final String H_DATASCHEMA = "ce_dataschema";
    /** CloudEvent extension attribute carrying the object's resourceVersion as a decimal string. */
    public static final String H_RESOURCEVERSION = "ce_resourceversion";
    public static final String H_CONTENT_TYPE = "content-type";

    public static ChangeEvent of(ResourceType resource, WatchEventType type, long resourceVersion, Instant time,
                                 ObjectNode object) {
        return new ChangeEvent(type, resource.topic(), keyOf(object),
                resourceVersion, time, "io.kubus." + resource.groupOrCore() + "." + resource.version() + "."
                + resource.plural() + "." + type.ceSuffix(), object);
    }

    /** The Kafka record key of an object: {@code namespace/name}, or {@code name} when it has no namespace. */
    public static String keyOf(JsonNode object) {
        JsonNode meta = object.path("metadata");
        String ns = meta.path("namespace").asText("");
        String name = meta.path("name").asText("");
        return ns.isEmpty() ? name : ns + "/" + name;
    }

    /** The CloudEvent id: unique per change, and the same when the same change is published twice. */
    public String id() {
        return key + "@" + resourceVersion;
    }

    /** The record value: the watch event JSON. */
    public byte[] value() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("type", type.name());
        node.set("object", object);
        return KubusJson.write(node).getBytes(StandardCharsets.UTF_8);
    }

    /** The record headers, in order. */
    public Map<String, String> headers() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put(H_SPECVERSION, SPEC_VERSION);
        h.put(H_ID, id());
        h.put(H_SOURCE, SOURCE);
        h.put(H_TYPE, ceType);
        h.put(H_TIME, time.toString());
        h.put(H_SUBJECT, key);
        h.put(H_DATASCHEMA, DATA_SCHEMA);
        h.put(H_RESOURCEVERSION, Long.toString(resourceVersion));
        h.put(H_CONTENT_TYPE, "application/json");
        return h;
    }

    /** Reads a record back: its topic, key, headers and value. Fails clearly on a record not in this format. */
    public static ChangeEvent parse(String topic, String key, Map<String, String> headers, byte[] value) {
        String rv = headers.get(H_RESOURCEVERSION);
        String ceType = headers.get(H_TYPE);
        if (rv == null || ceType == null) {
            throw new IllegalArgumentException("not a Kubus change event: missing " + H_RESOURCEVERSION + " or " + H_TYPE);
        }
        try {
            JsonNode node = KubusJson.json().readTree(value);
            WatchEventType type = WatchEventType.valueOf(node.path("type").asText());
            if (!(node.get("object") instanceof ObjectNode obj)) {
                throw new IllegalArgumentException("change event without an object");
            }
            String time = headers.get(H_TIME);
            return new ChangeEvent(type, topic, key, Long.parseLong(rv),
                    time == null ? Instant.EPOCH : Instant.parse(time), ceType, obj);
        } catch (IOException e) {
            throw new UncheckedIOException("malformed change event value", e);
        }
    }
}

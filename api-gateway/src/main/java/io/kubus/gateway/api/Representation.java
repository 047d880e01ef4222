package io.kubus.gateway.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.Conversions;
import io.kubus.gateway.table.TableColumn;
import io.kubus.gateway.registry.Strategies;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * Turns stored objects into what the client asked for: JSON, YAML, or a meta.k8s.io/v1 Table, in the version the
 * request named (a served-only version converts each object from its storage version). A Table's cells are printed
 * from the stored object, as kube-apiserver prints the internal one.
 */
@Singleton
public class Representation {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Strategies strategies;
    private final Conversions conversions;
    private final Clock clock;

    public Representation(Strategies strategies, Conversions conversions, Clock clock) {
        this.strategies = strategies;
        this.conversions = conversions;
        this.clock = clock;
    }

    /** A stored object as {@code type}, the request's version, shows it; the object itself for a storage type. */
    public ObjectNode served(ResourceType type, ObjectNode stored) {
        return conversions.fromStorage(type, stored);
    }

    public byte[] encode(JsonNode node, Format format) {
        try {
            return format == Format.YAML ? KubusJson.yaml().writeValueAsBytes(node)
                    : KubusJson.json().writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One stored object, or a one-row Table of it. */
    public JsonNode object(ResourceType type, ObjectNode object, Format format, @Nullable String includeObject) {
        return format == Format.TABLE ? table(type, List.of(object), null, includeObject) : served(type, object);
    }

    /** A list of one kind, or a Table of it; {@code resourceVersion} is the version the list is consistent at. */
    public JsonNode list(ResourceType type, List<ObjectNode> items, long resourceVersion, Format format,
                         @Nullable String includeObject) {
        return list(type, items, resourceVersion, format, includeObject, null);
    }

    /** The same, with the continue token of the next page when there is one. */
    public JsonNode list(ResourceType type, List<ObjectNode> items, long resourceVersion, Format format,
                         @Nullable String includeObject, @Nullable String continueToken) {
        JsonNode out;
        if (format == Format.TABLE) {
            out = table(type, items, resourceVersion, includeObject);
        } else {
            ObjectNode list = NODES.objectNode();
            list.put("kind", type.listKind());
            list.put("apiVersion", type.apiVersion());
            list.putObject("metadata").put("resourceVersion", Long.toString(resourceVersion));
            ArrayNode arr = list.putArray("items");
            items.forEach(item -> arr.add(served(type, item)));
            out = list;
        }
        if (continueToken != null) {
            ((ObjectNode) out.get("metadata")).put("continue", continueToken);
        }
        return out;
    }

    public ObjectNode table(ResourceType type, List<ObjectNode> items, @Nullable Long resourceVersion,
                            @Nullable String includeObject) {
        String mode = includeObjectMode(includeObject);
        ObjectNode table = NODES.objectNode();
        table.put("kind", "Table");
        table.put("apiVersion", "meta.k8s.io/v1");
        ObjectNode meta = table.putObject("metadata");
        if (resourceVersion != null) {
            meta.put("resourceVersion", Long.toString(resourceVersion));
        }
        table.set("columnDefinitions", columnDefinitions(type));
        ArrayNode rows = table.putArray("rows");
        Instant now = Instant.now(clock);
        for (ObjectNode item : items) {
            rows.add(tableRow(type, item, now, mode));
        }
        return table;
    }

    /** The Table's columns for a kind, as kubectl prints them. */
    public ArrayNode columnDefinitions(ResourceType type) {
        ArrayNode columns = NODES.arrayNode();
        for (TableColumn c : strategies.of(type).printer().columns()) {
            ObjectNode col = columns.addObject();
            col.put("name", c.name());
            col.put("type", c.type());
            col.put("format", c.format());
            col.put("description", c.description());
            col.put("priority", c.priority());
        }
        return columns;
    }

    /** One Table row: the object's cells at {@code now}, and the object as {@code mode} (from {@link #includeObjectMode}). */
    public ObjectNode tableRow(ResourceType type, ObjectNode item, Instant now, String mode) {
        ObjectNode row = NODES.objectNode();
        ArrayNode cells = row.putArray("cells");
        for (Object cell : strategies.of(type).printer().cells(item, now)) {
            cells.add(KubusJson.json().valueToTree(cell) instanceof JsonNode n ? n : NODES.nullNode());
        }
        switch (mode) {
            case "Object" -> row.set("object", served(type, item));
            case "None" -> { }
            default -> {
                ObjectNode partial = row.putObject("object");
                partial.put("kind", "PartialObjectMetadata");
                partial.put("apiVersion", "meta.k8s.io/v1");
                partial.set("metadata", item.path("metadata").deepCopy());
            }
        }
        return row;
    }

    /** The Table's includeObject parameter, checked: Metadata (the default), Object or None; a 400 otherwise. */
    public static String includeObjectMode(@Nullable String includeObject) {
        String mode = includeObject == null || includeObject.isEmpty() ? "Metadata" : includeObject;
        return switch (mode) {
            case "Metadata", "Object", "None" -> mode;
            default -> throw ApiException.badRequest("includeObject: Unsupported value: \"" + includeObject
                    + "\": supported values: \"Metadata\", \"None\", \"Object\"");
        };
    }

    public Clock clock() {
        return clock;
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

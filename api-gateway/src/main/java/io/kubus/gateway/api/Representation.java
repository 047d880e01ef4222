package io.kubus.gateway.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.table.TableColumn;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.registry.Strategies;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/** Turns stored objects into what the client asked for: JSON, YAML, or a meta.k8s.io/v1 Table. */
@Singleton
public class Representation {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Strategies strategies;
    private final Clock clock;

    public Representation(Strategies strategies, Clock clock) {
        this.strategies = strategies;
        this.clock = clock;
    }

    public byte[] encode(JsonNode node, Format format) {
        try {
            return format == Format.YAML ? KubusJson.yaml().writeValueAsBytes(node)
                    : KubusJson.json().writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One object, or a one-row Table of it. */
    public JsonNode object(ResourceType type, ObjectNode object, Format format, @Nullable String includeObject) {
        return format == Format.TABLE ? table(type, List.of(object), null, includeObject) : object;
    }

    /** A list of one kind, or a Table of it; {@code resourceVersion} is the version the list is consistent at. */
    public JsonNode list(ResourceType type, List<ObjectNode> items, long resourceVersion, Format format,
                         @Nullable String includeObject) {
        if (format == Format.TABLE) {
            return table(type, items, resourceVersion, includeObject);
        }
        ObjectNode list = NODES.objectNode();
        list.put("kind", type.listKind());
        list.put("apiVersion", type.apiVersion());
        list.putObject("metadata").put("resourceVersion", Long.toString(resourceVersion));
        ArrayNode arr = list.putArray("items");
        items.forEach(arr::add);
        return list;
    }

    public ObjectNode table(ResourceType type, List<ObjectNode> items, @Nullable Long resourceVersion,
                            @Nullable String includeObject) {
        TablePrinter printer = strategies.of(type).printer();
        ObjectNode table = NODES.objectNode();
        table.put("kind", "Table");
        table.put("apiVersion", "meta.k8s.io/v1");
        ObjectNode meta = table.putObject("metadata");
        if (resourceVersion != null) {
            meta.put("resourceVersion", Long.toString(resourceVersion));
        }
        ArrayNode columns = table.putArray("columnDefinitions");
        for (TableColumn c : printer.columns()) {
            ObjectNode col = columns.addObject();
            col.put("name", c.name());
            col.put("type", c.type());
            col.put("format", c.format());
            col.put("description", c.description());
            col.put("priority", c.priority());
        }
        ArrayNode rows = table.putArray("rows");
        Instant now = Instant.now(clock);
        for (ObjectNode item : items) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            for (Object cell : printer.cells(item, now)) {
                cells.add(KubusJson.json().valueToTree(cell) instanceof JsonNode n ? n : NODES.nullNode());
            }
            String mode = includeObject == null || includeObject.isEmpty() ? "Metadata" : includeObject;
            switch (mode) {
                case "Object" -> row.set("object", item);
                case "None" -> { }
                case "Metadata" -> {
                    ObjectNode partial = row.putObject("object");
                    partial.put("kind", "PartialObjectMetadata");
                    partial.put("apiVersion", "meta.k8s.io/v1");
                    partial.set("metadata", item.path("metadata").deepCopy());
                }
                default -> throw ApiException.badRequest("includeObject: Unsupported value: \"" + includeObject
                        + "\": supported values: \"Metadata\", \"None\", \"Object\"");
            }
        }
        return table;
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

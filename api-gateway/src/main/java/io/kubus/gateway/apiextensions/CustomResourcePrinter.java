package io.kubus.gateway.apiextensions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.Option;
import com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;
import io.kubus.gateway.table.TableColumn;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;
import io.kubus.schema.KubusJson;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The Table of a custom kind's version, from its {@code additionalPrinterColumns} (kube's CRD table convertor): the
 * name column, then one column per printer column, its cell the first value its JSONPath finds in the object, typed
 * as the column says (a {@code date} as the time since, as kubectl shows ages). A version without printer columns
 * shows Name and Age, as kube-apiserver serves it.
 */
final class CustomResourcePrinter implements TablePrinter {
    private static final Configuration JSON_PATH = Configuration.builder()
            .jsonProvider(new JacksonJsonNodeJsonProvider(KubusJson.json()))
            .mappingProvider(new JacksonMappingProvider(KubusJson.json()))
            .options(Set.of(Option.ALWAYS_RETURN_LIST, Option.SUPPRESS_EXCEPTIONS))
            .build();
    private static final Column AGE = new Column(TableColumn.of("Age", "date", 0, TablePrinters.AGE),
            JsonPath.compile("$.metadata.creationTimestamp"));

    private record Column(TableColumn definition, JsonPath path) {
    }

    private final List<Column> columns;

    private CustomResourcePrinter(List<Column> columns) {
        this.columns = columns;
    }

    /** The printer of a version's {@code additionalPrinterColumns} (validated with the definition). */
    static CustomResourcePrinter of(JsonNode printerColumns) {
        List<Column> columns = new ArrayList<>();
        for (JsonNode c : printerColumns) {
            columns.add(new Column(new TableColumn(c.path("name").asText(), c.path("type").asText(),
                    c.path("format").asText(""), c.path("priority").asInt(0), c.path("description").asText("")),
                    JsonPath.compile("$" + c.path("jsonPath").asText())));
        }
        return new CustomResourcePrinter(columns.isEmpty() ? List.of(AGE) : List.copyOf(columns));
    }

    @Override
    public List<TableColumn> columns() {
        List<TableColumn> out = new ArrayList<>();
        out.add(TableColumn.nameColumn());
        columns.forEach(c -> out.add(c.definition));
        return out;
    }

    @Override
    public List<Object> cells(ObjectNode object, Instant now) {
        List<Object> cells = new ArrayList<>();
        cells.add(object.path("metadata").path("name").asText());
        for (Column c : columns) {
            JsonNode found = c.path.read(object, JSON_PATH);
            JsonNode first = found != null && found.isArray() && !found.isEmpty() ? found.get(0) : null;
            cells.add(first == null || first.isNull() ? null : cell(c.definition.type(), first, now));
        }
        return cells;
    }

    /** cellForJSONValue: a value of another JSON type than the column's is no value; a string column prints any. */
    private static Object cell(String type, JsonNode value, Instant now) {
        return switch (type) {
            case "integer" -> value.isNumber() ? (Object) value.asLong() : null;
            case "number" -> value.isIntegralNumber() ? (Object) value.asLong() : value.isNumber() ? value.asDouble() : null;
            case "boolean" -> value.isBoolean() ? value.asBoolean() : null;
            case "date" -> value.isTextual() ? since(value.asText(), now) : null;
            default -> value.isTextual() ? value.asText() : KubusJson.write(value);
        };
    }

    private static String since(String timestamp, Instant now) {
        try {
            return TablePrinters.humanDuration(Duration.between(Instant.parse(timestamp), now));
        } catch (DateTimeParseException e) {
            return "<invalid>";
        }
    }
}

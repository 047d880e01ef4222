package io.kubus.gateway.table;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.testing.Registry;
import io.kubus.schema.ResourceType;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Fixtures for the printer tests: a fixed clock and single-quoted JSON. */
final class TableTestSupport {
    static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    static final String CREATED = "2026-11-22T11:00:00Z"; // one hour before NOW: Age "60m"
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TableTestSupport() {
    }

    /** A kind's printer, from its strategy. */
    static TablePrinter printer(ResourceType type) {
        return Registry.strategy(type).printer();
    }

    static ObjectNode json(String text) {
        try {
            return (ObjectNode) MAPPER.readTree(text.replace('\'', '"'));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("bad test JSON: " + text, e);
        }
    }

    /** Asserts the headers as kubectl prints them: wide columns marked with a trailing '*'. */
    static void assertColumns(ResourceType type, String... expected) {
        List<String> actual = printer(type).columns().stream()
                .map(c -> c.name() + (c.priority() == 1 ? "*" : "")).toList();
        assertEquals(List.of(expected), actual);
    }

    static List<Object> row(ResourceType type, ObjectNode object) {
        List<Object> cells = printer(type).cells(object, NOW);
        assertEquals(printer(type).columns().size(), cells.size(), "one cell per column");
        return cells;
    }
}

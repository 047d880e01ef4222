package io.kubus.gateway.patch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Parsing and comparison helpers for the patch tests. */
final class PatchTestSupport {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private PatchTestSupport() {
    }

    /** Parses JSON written with single quotes, to keep test literals readable. */
    static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text.replace('\'', '"'));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("bad test JSON: " + text, e);
        }
    }

    /** Minimal fluent substring assertion (AssertJ is not on this module's test classpath). */
    static Message assertThat(String message) {
        return new Message(message);
    }

    record Message(String text) {
        Message contains(String part) {
            if (text == null || !text.contains(part)) {
                throw new AssertionError("expected message to contain <" + part + "> but was <" + text + ">");
            }
            return this;
        }
    }

    /** Order-sensitive for arrays, order-insensitive for object members (Jackson's equals). */
    static void assertJson(String expected, JsonNode actual) {
        assertEquals(json(expected), actual);
    }
}

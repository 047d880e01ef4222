package io.kubus.gateway.apiextensions.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.kubus.schema.validation.FieldProblem;

import java.io.UncheckedIOException;
import java.util.List;

/** JSON written with single quotes, as the tests write schemas and objects inline. */
final class SchemaTestSupport {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_SINGLE_QUOTES)
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES)
            .build();

    private SchemaTestSupport() {
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static StructuralSchema schema(String text) {
        return StructuralSchema.parse(json(text));
    }

    /** Each problem as kube's field.Error prints it: {@code field: body}. */
    static List<String> lines(List<FieldProblem> problems) {
        return problems.stream().map(p -> p.field() + ": " + p.message()).toList();
    }
}

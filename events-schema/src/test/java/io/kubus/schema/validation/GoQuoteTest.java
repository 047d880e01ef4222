package io.kubus.schema.validation;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GoQuoteTest {
    @Test
    void quotesAsStrconvQuote() {
        assertEquals("\"abc\"", GoQuote.quote("abc"));
        assertEquals("\"a\\\"b\\\\c\"", GoQuote.quote("a\"b\\c"));
        assertEquals("\"\\x00\\n\\t\\x7f\"", GoQuote.quote("\u0000\n\t\u007f"));
        assertEquals("\"é<>\"", GoQuote.quote("é<>"));
        assertEquals("\"\\u0085\"", GoQuote.quote("\u0085"), "a C1 control character");
    }

    @Test
    void slicesAsGoPrintsThem() {
        assertEquals("[]string{\"a\", \"b\"}", GoQuote.stringSlice(List.of("a", "b")));
    }
}

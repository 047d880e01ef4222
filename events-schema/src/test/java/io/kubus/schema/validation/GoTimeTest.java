package io.kubus.schema.validation;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static io.kubus.schema.validation.GoTime.RFC3339;
import static io.kubus.schema.validation.GoTime.RFC3339_MICRO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Go's time.Parse with metav1's two layouts: what it reads, and its ParseError texts for what it refuses. */
class GoTimeTest {
    private static final String MICRO = "\"2006-01-02T15:04:05.000000Z07:00\"";

    @Test
    void microTimesNeedSixFractionDigitsAndAnyOffset() {
        assertEquals(Instant.parse("2024-05-01T10:00:00.123456Z"), GoTime.parse(RFC3339_MICRO, "2024-05-01T10:00:00.123456Z"));
        assertEquals(Instant.parse("2024-05-01T10:00:00.123456Z"),
                GoTime.parse(RFC3339_MICRO, "2024-05-01T12:00:00.123456+02:00"));
        assertEquals(Instant.parse("2024-05-01T01:00:00Z"), GoTime.parse(RFC3339_MICRO, "2024-05-01T1:00:00.000000Z"),
                "Go reads a one-digit hour");
        assertEquals("2024-05-01T10:00:00.000000Z", GoTime.formatMicro(Instant.parse("2024-05-01T12:00:00+02:00")));
        assertEquals("2024-05-01T10:00:00.120000Z", GoTime.formatMicro(Instant.parse("2024-05-01T10:00:00.12Z")));
    }

    @Test
    void whatGoRefusesItsMessages() {
        refused(RFC3339_MICRO, "2024-05-01T10:00:00Z",
                "parsing time \"2024-05-01T10:00:00Z\" as " + MICRO + ": cannot parse \"Z\" as \".000000\"");
        refused(RFC3339_MICRO, "2024-05-01T10:00:00.123Z",
                "parsing time \"2024-05-01T10:00:00.123Z\" as " + MICRO + ": cannot parse \".123Z\" as \".000000\"");
        refused(RFC3339_MICRO, "2024-05-01T10:00:00.123456789Z",
                "parsing time \"2024-05-01T10:00:00.123456789Z\" as " + MICRO + ": cannot parse \"789Z\" as \"Z07:00\"");
        refused(RFC3339_MICRO, "yesterday", "parsing time \"yesterday\" as " + MICRO + ": cannot parse \"yesterday\" as \"2006\"");
        refused(RFC3339_MICRO, "", "parsing time \"\" as " + MICRO + ": cannot parse \"\" as \"2006\"");
        refused(RFC3339_MICRO, "2024-05-01 10:00:00.000000Z",
                "parsing time \"2024-05-01 10:00:00.000000Z\" as " + MICRO + ": cannot parse \" 10:00:00.000000Z\" as \"T\"");
        refused(RFC3339_MICRO, "2024-5-01T10:00:00.000000Z",
                "parsing time \"2024-5-01T10:00:00.000000Z\" as " + MICRO + ": cannot parse \"5-01T10:00:00.000000Z\" as \"01\"");
        refused(RFC3339_MICRO, "2024-13-01T10:00:00.000000Z", "parsing time \"2024-13-01T10:00:00.000000Z\": month out of range");
        refused(RFC3339_MICRO, "2024-02-30T10:00:00.000000Z", "parsing time \"2024-02-30T10:00:00.000000Z\": day out of range");
        refused(RFC3339_MICRO, "2024-05-01T24:00:00.000000Z", "parsing time \"2024-05-01T24:00:00.000000Z\": hour out of range");
        refused(RFC3339_MICRO, "2024-05-01T10:00:00.000000Zjunk",
                "parsing time \"2024-05-01T10:00:00.000000Zjunk\": extra text: \"junk\"");
        refused(RFC3339_MICRO, "2024-05-01T10:00:00.000000+0200",
                "parsing time \"2024-05-01T10:00:00.000000+0200\" as " + MICRO + ": cannot parse \"+0200\" as \"Z07:00\"");
        refused(RFC3339_MICRO, "2024-05-01T10:00:00.000000+25:00",
                "parsing time \"2024-05-01T10:00:00.000000+25:00\": time zone offset hour out of range");
        refused(RFC3339_MICRO, "2024-05-01T10:00:00.000000z",
                "parsing time \"2024-05-01T10:00:00.000000z\" as " + MICRO + ": cannot parse \"z\" as \"Z07:00\"");
        refused(RFC3339_MICRO, "2024-05-01T10:00:00.000000Z\"é",
                "parsing time \"2024-05-01T10:00:00.000000Z\\\"\\xc3\\xa9\": extra text: \"\\\"\\xc3\\xa9\"");
    }

    @Test
    void rfc3339ReadsAFractionItDoesNotMention() {
        assertEquals(Instant.parse("2024-05-01T10:00:00Z"), GoTime.parse(RFC3339, "2024-05-01T10:00:00Z"));
        assertEquals(Instant.parse("2024-05-01T10:00:00.5Z"), GoTime.parse(RFC3339, "2024-05-01T10:00:00.5Z"));
        assertEquals(Instant.parse("2024-05-01T10:00:00.5Z"), GoTime.parse(RFC3339, "2024-05-01T10:00:00,5Z"));
        assertEquals(Instant.parse("2024-05-01T10:00:00.123456789Z"),
                GoTime.parse(RFC3339, "2024-05-01T10:00:00.1234567891Z"), "nine digits count, more are read and dropped");
        refused(RFC3339, "2024-05-01T10:00Z", "parsing time \"2024-05-01T10:00Z\" as \"2006-01-02T15:04:05Z07:00\": "
                + "cannot parse \"Z\" as \":\"");
    }

    private static void refused(GoTime.Layout layout, String value, String message) {
        assertEquals(message, assertThrows(GoTime.ParseException.class, () -> GoTime.parse(layout, value)).getMessage());
    }
}

package io.kubus.gateway.apiextensions.schema;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FormatsTest {

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "date-time      | 2024-01-02T03:04:05Z           | true",
        "date-time      | 2024-01-02T03:04:05.123+02:00  | true",
        "datetime       | 2024-01-02t03:04:05z           | true",
        "date-time      | 2024-01-02 03:04:05Z           | false",
        "date-time      | 2024-02-30T03:04:05Z           | false",
        "date-time      | 2024-01-02T24:04:05Z           | false",
        "date           | 2024-02-29                     | true",
        "date           | 2023-02-29                     | false",
        "byte           | aGVsbG8=                       | true",
        "byte           | aGVsbG8                        | false",
        "uuid           | 123E4567-E89B-12D3-A456-426614174000 | true",
        "uuid           | 123e4567e89b12d3a456426614174000 | true",
        "uuid           | 123e4567-e89b-12d3-a456        | false",
        "uuid4          | 123e4567-e89b-42d3-a456-426614174000 | true",
        "uuid4          | 123e4567-e89b-12d3-a456-426614174000 | false",
        "ipv4           | 10.0.0.1                       | true",
        "ipv4           | 010.000.000.001                | true",
        "ipv4           | ::1                            | false",
        "ipv6           | 2001:db8::1                    | true",
        "ipv6           | 10.0.0.1                       | false",
        "cidr           | 10.0.0.0/8                     | true",
        "cidr           | 10.0.0.0                       | false",
        "hostname       | example.com                    | true",
        "hostname       | -bad-.com                      | false",
        "email          | a.b@example.com                | true",
        "email          | Joe <joe@example.com>          | true",
        "email          | not-an-email                   | false",
        "mac            | 00:1a:2b:3c:4d:5e              | true",
        "mac            | 00:1a:2b:3c:4d                 | false",
        "duration       | 1h30m                          | true",
        "duration       | 3 days                         | true",
        "duration       | soon                           | false",
        "uri            | https://example.com/a?b=c      | true",
        "uri            | /just/a/path                   | true",
        "uri            | example.com                    | false",
        "k8s-short-name | my-name                        | true",
        "k8s-short-name | My-Name                        | false",
        "k8s-long-name  | a.b-c.d                        | true",
        "k8s-long-name  | a..b                           | false",
        "hexcolor       | #FFF                           | true",
        "hexcolor       | #FFFF                          | false",
        "password       | anything at all                | true",
    })
    void stringFormats(String format, String value, boolean valid) {
        assertEquals(valid, Formats.valid(format, value));
    }

    @Test
    void formatsKubeDoesNotKnowOrThatDoNotFitTheTypeAreStripped() {
        assertEquals("date-time", Formats.effective("string", "date-time"));
        assertEquals("", Formats.effective("string", "no-such-format"));
        assertEquals("", Formats.effective("integer", "date-time"));
        assertEquals("int32", Formats.effective("integer", "int32"));
        assertEquals("", Formats.effective("number", "int32"));
        assertEquals("float", Formats.effective("number", "float"));
        assertEquals("", Formats.effective("boolean", "byte"));
    }
}

package io.kubus.schema.validation;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.Year;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The times of Kubernetes' wire format as Go reads and writes them: metav1.Time is {@code time.Parse(time.RFC3339, s)}
 * and metav1.MicroTime {@code time.Parse(RFC3339Micro, s)}, and what they refuse is a decoding error whose message is
 * Go's {@code time.ParseError} (kube-apiserver's 400 quotes it). Go's parser is more lenient than the layout looks in
 * places (a one-digit hour, a fraction of any length where the layout has none, a comma before it) and stricter in
 * others (a MicroTime needs exactly six fraction digits, so {@code 2024-05-01T10:00:00Z} is refused): this follows
 * Go's {@code time.parse} (Go 1.23) chunk by chunk for the two layouts, with its error texts.
 */
public final class GoTime {
    /** Go's time.RFC3339, metav1.Time's layout. */
    public static final Layout RFC3339 = new Layout("2006-01-02T15:04:05Z07:00", List.of(
            new Chunk("", Std.YEAR), new Chunk("-", Std.MONTH), new Chunk("-", Std.DAY), new Chunk("T", Std.HOUR),
            new Chunk(":", Std.MINUTE), new Chunk(":", Std.SECOND), new Chunk("", Std.ZONE), new Chunk("", Std.END)));
    /** metav1.RFC3339Micro, MicroTime's layout: six fraction digits, no more, no fewer. */
    public static final Layout RFC3339_MICRO = new Layout("2006-01-02T15:04:05.000000Z07:00", List.of(
            new Chunk("", Std.YEAR), new Chunk("-", Std.MONTH), new Chunk("-", Std.DAY), new Chunk("T", Std.HOUR),
            new Chunk(":", Std.MINUTE), new Chunk(":", Std.SECOND), new Chunk("", Std.MICROS), new Chunk("", Std.ZONE),
            new Chunk("", Std.END)));
    private static final DateTimeFormatter MICRO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX")
            .withZone(ZoneOffset.UTC);

    private GoTime() {
    }

    /** A Go time layout as the chunks time.parse walks: the literal before each standard element, and the element. */
    public record Layout(String text, List<Chunk> chunks) {
    }

    private record Chunk(String prefix, Std std) {
    }

    private enum Std {
        YEAR("2006"), MONTH("01"), DAY("02"), HOUR("15"), MINUTE("04"), SECOND("05"), MICROS(".000000"), ZONE("Z07:00"),
        END("");

        final String text;

        Std(String text) {
            this.text = text;
        }
    }

    /** What Go's time.Parse refuses, with the message of its time.ParseError. */
    public static final class ParseException extends IllegalArgumentException {
        ParseException(String message) {
            super(message, null);
        }
    }

    /** MicroTime's MarshalJSON: UTC, six fraction digits. */
    public static String formatMicro(Instant t) {
        return MICRO.format(t);
    }

    /**
     * {@code time.Parse(layout, value)}.
     *
     * @throws ParseException with Go's message, e.g. {@code parsing time "2024-05-01T10:00:00Z" as
     *                        "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000"}
     */
    public static Instant parse(Layout layout, String value) {
        String rest = value;
        int year = 0;
        int month = 0;
        int day = 0;
        int hour = 0;
        int minute = 0;
        int second = 0;
        long nanos = 0;
        int offset = 0;
        List<Chunk> chunks = layout.chunks();
        for (int c = 0; c < chunks.size(); c++) {
            Chunk chunk = chunks.get(c);
            if (!chunk.prefix().isEmpty()) {
                if (!rest.startsWith(chunk.prefix())) {
                    throw cannotParse(layout, value, rest, chunk.prefix());
                }
                rest = rest.substring(chunk.prefix().length());
            }
            String hold = rest;
            String range = null;
            boolean bad = false;
            switch (chunk.std()) {
                case END -> {
                    if (!rest.isEmpty()) {
                        throw new ParseException("parsing time " + quote(value) + ": extra text: " + quote(rest));
                    }
                }
                case YEAR -> {
                    if (rest.length() < 4 || !isDigit(rest, 0)) {
                        bad = true;
                    } else {
                        Long y = atoi(rest.substring(0, 4));
                        rest = rest.substring(4);
                        bad = y == null;
                        year = bad ? 0 : y.intValue();
                    }
                }
                case MONTH, DAY, MINUTE, HOUR -> {
                    // getnum: two digits, or one where the layout element is not zero-padded (the hour, "15")
                    boolean fixed = chunk.std() != Std.HOUR;
                    if (!isDigit(rest, 0) || (!isDigit(rest, 1) && fixed)) {
                        bad = true;
                        break;
                    }
                    int digits = isDigit(rest, 1) ? 2 : 1;
                    int n = Integer.parseInt(rest.substring(0, digits));
                    rest = rest.substring(digits);
                    switch (chunk.std()) {
                        case MONTH -> {
                            month = n;
                            range = n < 1 || n > 12 ? "month" : null;
                        }
                        case DAY -> day = n; // checked against the month once all is read, as Go does
                        case HOUR -> {
                            hour = n;
                            range = n >= 24 ? "hour" : null;
                        }
                        default -> {
                            minute = n;
                            range = n >= 60 ? "minute" : null;
                        }
                    }
                }
                case SECOND -> {
                    if (!isDigit(rest, 0) || !isDigit(rest, 1)) {
                        bad = true;
                        break;
                    }
                    second = Integer.parseInt(rest.substring(0, 2));
                    rest = rest.substring(2);
                    if (second >= 60) {
                        range = "second";
                        break;
                    }
                    boolean fraction = rest.length() >= 2 && (rest.charAt(0) == '.' || rest.charAt(0) == ',')
                            && isDigit(rest, 1);
                    if (fraction && chunks.get(c + 1).std() != Std.MICROS) {
                        // a fraction the layout does not mention is read anyway, however long
                        int n = 2;
                        while (n < rest.length() && isDigit(rest, n)) {
                            n++;
                        }
                        Fraction f = fraction(rest, n);
                        nanos = f.nanos;
                        range = f.range;
                        bad = f.bad;
                        rest = rest.substring(n);
                    }
                }
                case MICROS -> {
                    if (rest.length() < 7) {
                        bad = true;
                        break;
                    }
                    Fraction f = fraction(rest, 7);
                    nanos = f.nanos;
                    range = f.range;
                    bad = f.bad;
                    rest = rest.substring(7);
                }
                case ZONE -> {
                    if (rest.startsWith("Z")) {
                        rest = rest.substring(1);
                        break;
                    }
                    if (rest.length() < 6 || rest.charAt(3) != ':') {
                        bad = true;
                        break;
                    }
                    char sign = rest.charAt(0);
                    String h = rest.substring(1, 3);
                    String m = rest.substring(4, 6);
                    rest = rest.substring(6);
                    // as Go: the minutes are read only after good hours, and a range error wins over a bad sign
                    boolean hoursRead = isDigit(h, 0) && isDigit(h, 1);
                    boolean minutesRead = hoursRead && isDigit(m, 0) && isDigit(m, 1);
                    int hh = hoursRead ? Integer.parseInt(h) : 0;
                    int mm = minutesRead ? Integer.parseInt(m) : 0;
                    // Go allows an offset of 24 hours or 60 minutes: its test is >, not >=
                    range = mm > 60 ? "time zone offset minute" : hh > 24 ? "time zone offset hour" : null;
                    offset = (hh * 60 + mm) * 60;
                    if (sign == '-') {
                        offset = -offset;
                    }
                    bad = !minutesRead || sign != '+' && sign != '-';
                }
            }
            if (range != null) {
                throw new ParseException("parsing time " + quote(value) + ": " + range + " out of range");
            }
            if (bad) {
                throw cannotParse(layout, value, hold, chunk.std().text);
            }
        }
        if (day < 1 || day > java.time.Month.of(month).length(Year.isLeap(year))) {
            throw new ParseException("parsing time " + quote(value) + ": day out of range");
        }
        return LocalDateTime.of(year, month, day, hour, minute, second, (int) nanos).toInstant(ZoneOffset.UTC)
                .minusSeconds(offset);
    }

    private record Fraction(long nanos, String range, boolean bad) {
    }

    /** Go's parseNanoseconds of the first {@code n} characters: a period or comma, then up to nine digits counted. */
    private static Fraction fraction(String s, int n) {
        if (s.charAt(0) != '.' && s.charAt(0) != ',') {
            return new Fraction(0, null, true);
        }
        int used = Math.min(n, 10);
        Long digits = atoi(s.substring(1, used));
        if (digits == null) {
            return new Fraction(0, null, true);
        }
        if (digits < 0) {
            return new Fraction(0, "fractional second", false);
        }
        long nanos = digits;
        for (int i = used; i < 10; i++) {
            nanos *= 10;
        }
        return new Fraction(nanos, null, false);
    }

    /** Go's time.atoi: an optional sign, then digits only (none reads as 0); null where Go fails. */
    private static Long atoi(String s) {
        boolean negative = false;
        if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
            negative = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (!s.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            return null;
        }
        long v = s.isEmpty() ? 0 : Long.parseLong(s);
        return negative ? -v : v;
    }

    private static boolean isDigit(String s, int i) {
        return s.length() > i && s.charAt(i) >= '0' && s.charAt(i) <= '9';
    }

    private static ParseException cannotParse(Layout layout, String value, String valueElem, String layoutElem) {
        return new ParseException("parsing time " + quote(value) + " as " + quote(layout.text()) + ": cannot parse "
                + quote(valueElem) + " as " + quote(layoutElem));
    }

    /** Go time's quote: double quotes, with {@code "} and {@code \} escaped and every byte of anything else not printable ASCII as \xNN. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            if (cp < ' ' || cp >= 0x80) {
                for (byte x : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
                    b.append(String.format("\\x%02x", x & 0xff));
                }
            } else {
                if (cp == '"' || cp == '\\') {
                    b.append('\\');
                }
                b.append((char) cp);
            }
        });
        return b.append('"').toString();
    }
}

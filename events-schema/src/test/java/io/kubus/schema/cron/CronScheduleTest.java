package io.kubus.schema.cron;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CronScheduleTest {
    private static final ZoneId UTC = ZoneOffset.UTC;

    private static Instant next(String schedule, String after) {
        return CronSchedule.parse(schedule).next(Instant.parse(after), UTC).orElseThrow();
    }

    /** The first {@code n} times after {@code after} in {@code zone}, as instants. */
    private static List<String> times(String schedule, String after, ZoneId zone, int n) {
        CronSchedule s = CronSchedule.parse(schedule);
        List<String> out = new ArrayList<>();
        Instant t = Instant.parse(after);
        for (int i = 0; i < n; i++) {
            t = s.next(t, zone).orElseThrow();
            out.add(t.toString());
        }
        return out;
    }

    @ParameterizedTest(name = "{0} after {1}")
    @CsvSource(delimiter = '|', value = {
            "*/1 * * * *          | 2026-01-05T10:00:00Z     | 2026-01-05T10:01:00Z",
            "* * * * *            | 2026-01-05T10:00:59.999Z | 2026-01-05T10:01:00Z",
            "*/15 * * * *         | 2026-01-05T10:16:00Z     | 2026-01-05T10:30:00Z",
            "5/20 * * * *         | 2026-01-05T10:46:00Z     | 2026-01-05T11:05:00Z",
            "10-12 * * * *        | 2026-01-05T10:12:00Z     | 2026-01-05T11:10:00Z",
            "0 9-17/4 * * *       | 2026-01-05T13:00:00Z     | 2026-01-05T17:00:00Z",
            "0 0 1,15 * *         | 2026-01-02T00:00:00Z     | 2026-01-15T00:00:00Z",
            "30 6 * jun-aug *     | 2026-01-05T00:00:00Z     | 2026-06-01T06:30:00Z",
            "0 0 * * SAT          | 2026-01-05T00:00:00Z     | 2026-01-10T00:00:00Z",
            "0 0 * * 7            | 2026-01-05T00:00:00Z     | 2026-01-11T00:00:00Z",
            "0 0 29 2 *           | 2026-01-05T00:00:00Z     | 2028-02-29T00:00:00Z",
            "0 0 ? * mon-fri      | 2026-01-09T12:00:00Z     | 2026-01-12T00:00:00Z",
            "@hourly              | 2026-01-05T10:00:00Z     | 2026-01-05T11:00:00Z",
            "@daily               | 2026-01-05T10:00:00Z     | 2026-01-06T00:00:00Z",
            "@midnight            | 2026-01-05T10:00:00Z     | 2026-01-06T00:00:00Z",
            "@weekly              | 2026-01-05T10:00:00Z     | 2026-01-11T00:00:00Z",
            "@monthly             | 2026-01-05T10:00:00Z     | 2026-02-01T00:00:00Z",
            "@yearly              | 2026-01-05T10:00:00Z     | 2027-01-01T00:00:00Z",
            "@annually            | 2026-01-05T10:00:00Z     | 2027-01-01T00:00:00Z",
            "@every 90s           | 2026-01-05T10:00:00.5Z   | 2026-01-05T10:01:30Z",
            "@every 1h30m         | 2026-01-05T10:00:00Z     | 2026-01-05T11:30:00Z",
    })
    void nextTime(String schedule, String after, String expected) {
        assertEquals(Instant.parse(expected), next(schedule.trim(), after.trim()));
    }

    /** Both day fields restricted: either one matching is enough (cron's rule, and robfig's). */
    @Test
    void dayOfMonthOrDayOfWeekWhenBothAreRestricted() {
        // 2026-01: the 13th is a Tuesday; Fridays are the 2nd, 9th, 16th
        assertEquals(List.of("2026-01-09T00:00:00Z", "2026-01-13T00:00:00Z", "2026-01-16T00:00:00Z"),
                times("0 0 13 * fri", "2026-01-05T00:00:00Z", UTC, 3));
        // one of them a star: both must match, which for a star is the other alone
        assertEquals(List.of("2026-01-13T00:00:00Z", "2026-02-13T00:00:00Z"),
                times("0 0 13 * *", "2026-01-05T00:00:00Z", UTC, 2));
        // a stepped star is no star any more (robfig clears its star bit for a step above 1)
        assertEquals(List.of("2026-01-07T00:00:00Z", "2026-01-09T00:00:00Z"),
                times("0 0 */2 * fri", "2026-01-06T00:00:00Z", UTC, 2));
    }

    @Test
    void fieldsAreReadInTheTimeZone() {
        ZoneId tokyo = ZoneId.of("Asia/Tokyo");
        assertEquals(List.of("2026-01-05T00:00:00Z", "2026-01-06T00:00:00Z"),
                times("0 9 * * *", "2026-01-04T12:00:00Z", tokyo, 2));
    }

    /** New York springs forward at 2:00 on 2026-03-08 and falls back at 2:00 on 2026-11-01. */
    @Test
    void daylightSavingTimeAsRobfig() {
        ZoneId ny = ZoneId.of("America/New_York");
        // 2:30 does not exist on the day clocks spring forward: that day has no run
        assertEquals(List.of("2026-03-07T07:30:00Z", "2026-03-09T06:30:00Z"),
                times("30 2 * * *", "2026-03-07T00:00:00Z", ny, 2));
        // 1:30 happens twice on the day clocks fall back: it runs at both
        assertEquals(List.of("2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z", "2026-11-02T06:30:00Z"),
                times("30 1 * * *", "2026-10-31T12:00:00Z", ny, 3));
        // hourly keeps one run per real hour through both changes
        assertEquals(List.of("2026-03-08T06:00:00Z", "2026-03-08T07:00:00Z", "2026-03-08T08:00:00Z"),
                times("0 * * * *", "2026-03-08T05:30:00Z", ny, 3));
        // a daily midnight run keeps local midnight across the change
        assertEquals(List.of("2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z"),
                times("@daily", "2026-03-07T12:00:00Z", ny, 2));
    }

    @Test
    void aScheduleThatNeverFiresHasNoNextTime() {
        assertTrue(CronSchedule.parse("0 0 30 2 *").next(Instant.parse("2026-01-01T00:00:00Z"), UTC).isEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "every minute     | expected exactly 5 fields, found 2: [every minute]",
            "* * * *          | expected exactly 5 fields, found 4: [* * * *]",
            "61 * * * *       | end of range (61) above maximum (59): 61",
            "* 24 * * *       | end of range (24) above maximum (23): 24",
            "* * 0 * *        | beginning of range (0) below minimum (1): 0",
            "* * * 13 *       | end of range (13) above maximum (12): 13",
            "5-3 * * * *      | beginning of range (5) beyond end of range (3): 5-3",
            "1-2-3 * * * *    | too many hyphens: 1-2-3",
            "*/2/3 * * * *    | too many slashes: */2/3",
            "*/x * * * *      | failed to parse int from x",
            "*/0 * * * *      | step of range should be a positive number: */0",
            "* * * foo *      | failed to parse int from foo",
            "@fortnightly     | unrecognized descriptor: @fortnightly",
            "@every often     | failed to parse duration @every often: time: invalid duration \"often\"",
            "TZ=UTC * * * * * | cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
            "CRON_TZ=UTC 0 * * * * | cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
    })
    void refusalsSayWhatRobfigSays(String schedule, String message) {
        CronSchedule.InvalidException e = assertThrows(CronSchedule.InvalidException.class,
                () -> CronSchedule.parse(schedule.trim()));
        assertEquals(message.trim(), e.getMessage());
    }

    @Test
    void timeZonesAreIanaNames() {
        assertEquals(ZoneId.of("Europe/Berlin"), CronSchedule.zone("Europe/Berlin"));
        assertEquals(ZoneId.of("UTC"), CronSchedule.zone("UTC"));
        assertEquals(ZoneId.of("Etc/GMT+5"), CronSchedule.zone("Etc/GMT+5"));
        assertEquals("unknown time zone Mars/Olympus_Mons",
                assertThrows(CronSchedule.InvalidException.class, () -> CronSchedule.zone("Mars/Olympus_Mons")).getMessage());
        assertEquals("unknown time zone +05:00",
                assertThrows(CronSchedule.InvalidException.class, () -> CronSchedule.zone("+05:00")).getMessage());
        assertEquals("unknown time zone ../etc/passwd",
                assertThrows(CronSchedule.InvalidException.class, () -> CronSchedule.zone("../etc/passwd")).getMessage());
        assertEquals("timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
                assertThrows(CronSchedule.InvalidException.class, () -> CronSchedule.zone("Local")).getMessage());
        assertEquals("timeZone must be nil or non-empty string",
                assertThrows(CronSchedule.InvalidException.class, () -> CronSchedule.zone("")).getMessage());
    }
}

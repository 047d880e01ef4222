package io.kubus.controllers.cronjob;

import io.kubus.schema.cron.CronSchedule;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScheduleTimesTest {
    private static final ZoneId UTC = ZoneOffset.UTC;

    private static ScheduleTimes.Due due(String schedule, String earliest, String now) {
        return ScheduleTimes.mostRecent(CronSchedule.parse(schedule), UTC, Instant.parse(earliest), Instant.parse(now));
    }

    @Test
    void nothingIsDueBeforeTheFirstTime() {
        ScheduleTimes.Due d = due("*/5 * * * *", "2026-01-05T10:00:00Z", "2026-01-05T10:04:59Z");
        assertNull(d.time());
        assertFalse(d.tooManyMissed());
    }

    @Test
    void ofSeveralMissedTimesOnlyTheMostRecentIsDue() {
        ScheduleTimes.Due d = due("*/5 * * * *", "2026-01-05T10:00:00Z", "2026-01-05T10:17:00Z");
        assertEquals(Instant.parse("2026-01-05T10:15:00Z"), d.time());
        assertFalse(d.tooManyMissed());
    }

    @Test
    void aTimeExactlyNowIsDue() {
        assertEquals(Instant.parse("2026-01-05T10:05:00Z"),
                due("*/5 * * * *", "2026-01-05T10:00:00Z", "2026-01-05T10:05:00Z").time());
    }

    /** 100 missed runs are still few; 101 are too many (Kubernetes' warning), and the latest of them is due. */
    @Test
    void moreThanAHundredMissedTimesAreTooMany() {
        ScheduleTimes.Due hundred = due("* * * * *", "2026-01-05T10:00:00Z", "2026-01-05T11:40:30Z");
        assertEquals(Instant.parse("2026-01-05T11:40:00Z"), hundred.time());
        assertFalse(hundred.tooManyMissed());
        ScheduleTimes.Due more = due("* * * * *", "2026-01-05T10:00:00Z", "2026-01-05T11:41:30Z");
        assertEquals(Instant.parse("2026-01-05T11:41:00Z"), more.time());
        assertTrue(more.tooManyMissed());
    }

    @Test
    void yearsOfMissedTimesStillFindTheLatest() {
        ScheduleTimes.Due d = due("30 4 * * mon", "2016-01-01T00:00:00Z", "2026-01-07T00:00:00Z");
        assertEquals(Instant.parse("2026-01-05T04:30:00Z"), d.time());
        assertTrue(d.tooManyMissed());
    }
}

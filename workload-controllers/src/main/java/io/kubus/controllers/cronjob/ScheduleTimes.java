package io.kubus.controllers.cronjob;

import io.kubus.schema.cron.CronSchedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

/**
 * Which scheduled time a CronJob is due for (Kubernetes' mostRecentScheduleTime): of the times the schedule fired
 * after {@code earliest} and up to {@code now}, only the most recent still starts a Job; more than
 * {@value #MISSED_LIMIT} of them point at a clock skew or a controller that was down for long, which Kubernetes
 * reports with a warning.
 */
final class ScheduleTimes {
    static final int MISSED_LIMIT = 100;

    private ScheduleTimes() {
    }

    /** The time a run is due for ({@code null}: none), and whether more than the limit were missed before it. */
    record Due(Instant time, boolean tooManyMissed) {
    }

    static Due mostRecent(CronSchedule schedule, ZoneId zone, Instant earliest, Instant now) {
        Optional<Instant> first = schedule.next(earliest, zone);
        if (first.isEmpty() || first.get().isAfter(now)) {
            return new Due(null, false);
        }
        Instant last = first.get();
        for (int missed = 1; missed <= MISSED_LIMIT; missed++) {
            Optional<Instant> t = schedule.next(last, zone);
            if (t.isEmpty() || t.get().isAfter(now)) {
                return new Due(last, false);
            }
            last = t.get();
        }
        return new Due(latestUpTo(schedule, zone, last, now), true);
    }

    /**
     * The last time at or before {@code now}, found from windows before {@code now} that double until one holds a
     * run, so that a controller back after years does not walk through every minute since ({@code floor} is a run).
     */
    private static Instant latestUpTo(CronSchedule schedule, ZoneId zone, Instant floor, Instant now) {
        for (Duration window = Duration.ofMinutes(1); ; window = window.multipliedBy(2)) {
            Instant from = now.minus(window);
            if (!from.isAfter(floor)) {
                from = floor;
            }
            Optional<Instant> t = schedule.next(from, zone);
            if (t.isPresent() && !t.get().isAfter(now)) {
                Instant last = t.get();
                for (Optional<Instant> n = schedule.next(last, zone); n.isPresent() && !n.get().isAfter(now);
                     n = schedule.next(last, zone)) {
                    last = n.get();
                }
                return last;
            }
            if (from.equals(floor)) {
                return floor;
            }
        }
    }
}

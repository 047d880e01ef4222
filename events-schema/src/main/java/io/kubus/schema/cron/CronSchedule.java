package io.kubus.schema.cron;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A CronJob's schedule as Kubernetes reads it with robfig/cron's ParseStandard: five fields (minute, hour,
 * day of month, month, day of week) with lists, ranges, steps and month/day names, the {@code @hourly}-style
 * descriptors and {@code @every <duration>}. The API's validation and the CronJob controller both read schedules
 * here, so a schedule the API stores is one the controller can run, and refusals carry robfig's messages.
 */
public final class CronSchedule {
    /** Set on a day field written {@code *} or {@code ?}: robfig's starBit, which decides how the two day fields combine. */
    private static final long STAR = 1L << 63;
    private static final Field MINUTE = new Field(0, 59, List.of());
    private static final Field HOUR = new Field(0, 23, List.of());
    private static final Field DOM = new Field(1, 31, List.of());
    private static final Field MONTH = new Field(1, 12, List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug",
            "sep", "oct", "nov", "dec"));
    private static final Field DOW = new Field(0, 6, List.of("sun", "mon", "tue", "wed", "thu", "fri", "sat"));
    /** robfig/cron gives up looking for a time after five years (a schedule such as Feb 30 never fires). */
    private static final int YEAR_LIMIT = 5;
    private static final Pattern DURATION_PART = Pattern.compile("([0-9]*(?:\\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)");
    private static final Map<String, Double> DURATION_UNITS = Map.of("ns", 1d, "us", 1e3, "µs", 1e3, "μs", 1e3,
            "ms", 1e6, "s", 1e9, "m", 60e9, "h", 3600e9);
    /** Go's time zone names: parts of letters, digits and . - _ + (time.LoadLocation via Kubernetes' validation). */
    private static final Pattern ZONE_PART = Pattern.compile("[A-Za-z.\\-_0-9+]{1,14}");

    private final long minutes;
    private final long hours;
    private final long daysOfMonth;
    private final long months;
    private final long daysOfWeek;
    /** For {@code @every}: the constant delay between runs; null for a field schedule. */
    private final Duration every;

    private CronSchedule(long minutes, long hours, long daysOfMonth, long months, long daysOfWeek, Duration every) {
        this.minutes = minutes;
        this.hours = hours;
        this.daysOfMonth = daysOfMonth;
        this.months = months;
        this.daysOfWeek = daysOfWeek;
        this.every = every;
    }

    /** Why a schedule or time zone is refused: the message the API puts in its Invalid cause. */
    public static final class InvalidException extends IllegalArgumentException {
        InvalidException(String message) {
            super(message);
        }
    }

    /** Parses {@code spec}; an {@link InvalidException} says what robfig/cron would say about it. */
    public static CronSchedule parse(String spec) {
        String s = spec.trim();
        if (s.startsWith("TZ=") || s.startsWith("CRON_TZ=")) {
            throw new InvalidException("cannot use TZ or CRON_TZ in schedule, use timeZone field instead");
        }
        if (s.startsWith("@")) {
            return descriptor(s);
        }
        String[] fields = s.isEmpty() ? new String[0] : s.split("\\s+");
        if (fields.length != 5) {
            throw new InvalidException("expected exactly 5 fields, found " + fields.length + ": ["
                    + String.join(" ", fields) + "]");
        }
        return new CronSchedule(MINUTE.parse(fields[0]), HOUR.parse(fields[1]), DOM.parse(fields[2]),
                MONTH.parse(fields[3]), DOW.parse(fields[4]), null);
    }

    /**
     * A CronJob's {@code spec.timeZone} as kube-apiserver accepts it (a name of the IANA database, as Go's
     * time.LoadLocation finds it), with its messages.
     */
    public static ZoneId zone(String name) {
        if (name.isEmpty()) {
            throw new InvalidException("timeZone must be nil or non-empty string");
        }
        for (String part : name.split("/", -1)) {
            if (part.equals(".") || part.equals("..") || part.startsWith("-") || !ZONE_PART.matcher(part).matches()) {
                throw new InvalidException("unknown time zone " + name);
            }
        }
        if (name.equalsIgnoreCase("Local")) {
            throw new InvalidException("timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones");
        }
        // Java also reads offsets ("+05:00", "UTC+1") as zones; Go knows only the database's names.
        if (!name.equals("UTC") && !ZoneId.getAvailableZoneIds().contains(name)) {
            throw new InvalidException("unknown time zone " + name);
        }
        try {
            return ZoneId.of(name);
        } catch (DateTimeException e) {
            throw new InvalidException("unknown time zone " + name);
        }
    }

    /**
     * The first time after {@code after} (at least a second later, on a whole second) that the schedule fires,
     * its fields read in {@code zone}; empty when none comes within five years (e.g. {@code 0 0 30 2 *}).
     */
    public Optional<Instant> next(Instant after, ZoneId zone) {
        Instant second = after.truncatedTo(ChronoUnit.SECONDS);
        if (every != null) {
            return Optional.of(second.plus(every));
        }
        return Optional.ofNullable(nextMatch(ZonedDateTime.ofInstant(second.plusSeconds(1), zone)));
    }

    /**
     * robfig/cron's SpecSchedule.Next: from the month down to the minute, advance the first field that does not
     * match (resetting the smaller ones) and start over when a larger one wrapped. Hours and minutes advance on the
     * time line, so a wall-clock hour skipped by a DST change is skipped and one repeated runs twice, as in
     * Kubernetes.
     */
    private Instant nextMatch(ZonedDateTime from) {
        ZonedDateTime t = from;
        ZoneId zone = from.getZone();
        boolean added = false;
        int yearLimit = t.getYear() + YEAR_LIMIT;
        wrap:
        while (true) {
            if (t.getYear() > yearLimit) {
                return null;
            }
            while (!has(months, t.getMonthValue())) {
                if (!added) {
                    added = true;
                    t = ZonedDateTime.of(t.getYear(), t.getMonthValue(), 1, 0, 0, 0, 0, zone);
                }
                t = t.plusMonths(1);
                if (t.getMonthValue() == 1) {
                    continue wrap;
                }
            }
            while (!dayMatches(t)) {
                if (!added) {
                    added = true;
                    t = ZonedDateTime.of(t.toLocalDate().atStartOfDay(), zone);
                }
                t = t.plusDays(1);
                // Midnight may not exist on a DST day: come back to the day's first hour (robfig does the same).
                if (t.getHour() != 0) {
                    t = t.getHour() > 12 ? t.plusHours(24 - t.getHour()) : t.minusHours(t.getHour());
                }
                if (t.getDayOfMonth() == 1) {
                    continue wrap;
                }
            }
            while (!has(hours, t.getHour())) {
                if (!added) {
                    added = true;
                    t = t.truncatedTo(ChronoUnit.HOURS);
                }
                t = t.plusHours(1);
                if (t.getHour() == 0) {
                    continue wrap;
                }
            }
            while (!has(minutes, t.getMinute())) {
                if (!added) {
                    added = true;
                    t = t.truncatedTo(ChronoUnit.MINUTES);
                }
                t = t.plusMinutes(1);
                if (t.getMinute() == 0) {
                    continue wrap;
                }
            }
            // Standard schedules fire on second 0 only.
            if (t.getSecond() != 0) {
                added = true;
                t = t.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
                continue;
            }
            return t.toInstant();
        }
    }

    /** Day of month and day of week: both must match when either is {@code *}, else one is enough (as cron). */
    private boolean dayMatches(ZonedDateTime t) {
        boolean dom = has(daysOfMonth, t.getDayOfMonth());
        boolean dow = has(daysOfWeek, t.getDayOfWeek().getValue() % 7);
        if ((daysOfMonth & STAR) != 0 || (daysOfWeek & STAR) != 0) {
            return dom && dow;
        }
        return dom || dow;
    }

    private static boolean has(long bits, int value) {
        return (bits & (1L << value)) != 0;
    }

    private static CronSchedule descriptor(String s) {
        return switch (s) {
            case "@yearly", "@annually" -> new CronSchedule(1L, 1L, 1L << 1, 1L << 1, DOW.all(), null);
            case "@monthly" -> new CronSchedule(1L, 1L, 1L << 1, MONTH.all(), DOW.all(), null);
            case "@weekly" -> new CronSchedule(1L, 1L, DOM.all(), MONTH.all(), 1L, null);
            case "@daily", "@midnight" -> new CronSchedule(1L, 1L, DOM.all(), MONTH.all(), DOW.all(), null);
            case "@hourly" -> new CronSchedule(1L, HOUR.all(), DOM.all(), MONTH.all(), DOW.all(), null);
            default -> {
                if (!s.startsWith("@every ")) {
                    throw new InvalidException("unrecognized descriptor: " + s);
                }
                Duration d = goDuration(s, s.substring("@every ".length()));
                // robfig's Every: at least a second, whole seconds only
                Duration whole = Duration.ofSeconds(Math.max(1, d.getSeconds()));
                yield new CronSchedule(0, 0, 0, 0, 0, whole);
            }
        };
    }

    /** Go's time.ParseDuration, as far as a schedule needs it; errors as robfig/cron words them. */
    private static Duration goDuration(String descriptor, String text) {
        String invalid = "failed to parse duration " + descriptor + ": time: invalid duration \"" + text + "\"";
        String s = text.startsWith("-") || text.startsWith("+") ? text.substring(1) : text;
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw new InvalidException(invalid);
        }
        Matcher m = DURATION_PART.matcher(s);
        double nanos = 0;
        int at = 0;
        while (at < s.length()) {
            if (!m.find(at) || m.start() != at || m.group(1).isEmpty() || m.group(1).equals(".")) {
                throw new InvalidException(invalid);
            }
            nanos += Double.parseDouble(m.group(1)) * DURATION_UNITS.get(m.group(2));
            at = m.end();
        }
        return text.startsWith("-") ? Duration.ZERO : Duration.ofNanos((long) nanos);
    }

    /** One of the five fields: its bounds and the names it takes, the first name meaning {@code min}. */
    private record Field(int min, int max, List<String> names) {
        long all() {
            return bits(min, max, 1) | STAR;
        }

        long parse(String field) {
            long bits = 0;
            for (String expr : field.split(",", -1)) {
                bits |= range(expr);
            }
            return bits;
        }

        /** robfig/cron's getRange: {@code *}, {@code ?}, {@code n}, {@code a-b}, each with an optional {@code /step}. */
        private long range(String expr) {
            String[] rangeAndStep = expr.split("/", -1);
            String[] lowAndHigh = rangeAndStep[0].split("-", -1);
            boolean single = lowAndHigh.length == 1;
            int start;
            int end;
            long extra = 0;
            if (lowAndHigh[0].equals("*") || lowAndHigh[0].equals("?")) {
                start = min;
                end = max;
                extra = STAR;
            } else {
                start = value(lowAndHigh[0]);
                end = switch (lowAndHigh.length) {
                    case 1 -> start;
                    case 2 -> value(lowAndHigh[1]);
                    default -> throw new InvalidException("too many hyphens: " + expr);
                };
            }
            int step = 1;
            if (rangeAndStep.length == 2) {
                step = number(rangeAndStep[1]);
                if (single) {
                    end = max; // "n/step" means n-max/step
                }
                if (step > 1) {
                    extra = 0;
                }
            } else if (rangeAndStep.length > 2) {
                throw new InvalidException("too many slashes: " + expr);
            }
            if (start < min) {
                throw new InvalidException("beginning of range (" + start + ") below minimum (" + min + "): " + expr);
            }
            if (end > max) {
                throw new InvalidException("end of range (" + end + ") above maximum (" + max + "): " + expr);
            }
            if (start > end) {
                throw new InvalidException("beginning of range (" + start + ") beyond end of range (" + end + "): " + expr);
            }
            if (step == 0) {
                throw new InvalidException("step of range should be a positive number: " + expr);
            }
            return bits(start, end, step) | extra;
        }

        private int value(String s) {
            int named = names.indexOf(s.toLowerCase(Locale.ROOT));
            if (named >= 0) {
                return named + min;
            }
            int v = number(s);
            // Sunday may be written 7, as in crontab(5).
            return this == DOW && v == 7 ? 0 : v;
        }

        private static int number(String s) {
            if (!s.matches("[0-9]{1,9}")) {
                throw new InvalidException("failed to parse int from " + s);
            }
            return Integer.parseInt(s);
        }

        private static long bits(int start, int end, int step) {
            long bits = 0;
            for (int i = start; i <= end; i += step) {
                bits |= 1L << i;
            }
            return bits;
        }
    }
}

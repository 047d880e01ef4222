package io.kubus.gateway.registry.batch;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The standard 5-field cron syntax the CronJob controller parses (robfig/cron ParseStandard); null when valid. */
final class Cron {
    private static final Set<String> DESCRIPTORS = Set.of("@yearly", "@annually", "@monthly", "@weekly", "@daily",
            "@midnight", "@hourly");
    private static final List<String> MONTHS = List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
            "oct", "nov", "dec");
    private static final List<String> DAYS = List.of("sun", "mon", "tue", "wed", "thu", "fri", "sat");
    private static final int[][] BOUNDS = {{0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 6}};

    private Cron() {
    }

    static String check(String schedule) {
        String s = schedule.trim();
        if (s.startsWith("TZ=") || s.startsWith("CRON_TZ=")) {
            return "cannot use TZ or CRON_TZ in schedule, use timeZone field instead";
        }
        if (s.startsWith("@")) {
            if (DESCRIPTORS.contains(s) || s.startsWith("@every ")) {
                return null;
            }
            return "unrecognized descriptor: " + s;
        }
        String[] fields = s.isEmpty() ? new String[0] : s.split("\\s+");
        if (fields.length != 5) {
            return "expected exactly 5 fields, found " + fields.length + ": [" + String.join(" ", fields) + "]";
        }
        for (int i = 0; i < 5; i++) {
            for (String part : fields[i].split(",", -1)) {
                String err = range(part, i);
                if (err != null) {
                    return err;
                }
            }
        }
        return null;
    }

    private static String range(String expr, int field) {
        String[] step = expr.split("/", -1);
        if (step.length > 2) {
            return "too many slashes: " + expr;
        }
        if (step.length == 2 && !step[1].matches("[0-9]+")) {
            return "failed to parse int from " + step[1];
        }
        String r = step[0];
        if (r.equals("*") || r.equals("?")) {
            return null;
        }
        String[] ends = r.split("-", -1);
        if (ends.length > 2) {
            return "too many hyphens: " + expr;
        }
        int lo = BOUNDS[field][0];
        int hi = BOUNDS[field][1];
        int first = -1;
        for (String end : ends) {
            int v = value(end, field);
            if (v < 0) {
                return "failed to parse int from " + end;
            }
            if (v < lo) {
                return "beginning of range (" + v + ") below minimum (" + lo + "): " + expr;
            }
            if (v > hi) {
                return "end of range (" + v + ") above maximum (" + hi + "): " + expr;
            }
            if (first >= 0 && v < first) {
                return "beginning of range (" + first + ") beyond end of range (" + v + "): " + expr;
            }
            first = v;
        }
        return null;
    }

    private static int value(String s, int field) {
        String lower = s.toLowerCase(Locale.ROOT);
        if (field == 3 && MONTHS.contains(lower)) {
            return MONTHS.indexOf(lower) + 1;
        }
        if (field == 4 && DAYS.contains(lower)) {
            return DAYS.indexOf(lower);
        }
        if (!s.matches("[0-9]{1,9}")) {
            return -1;
        }
        int v = Integer.parseInt(s);
        return field == 4 && v == 7 ? 0 : v; // Sunday may be written 7
    }
}

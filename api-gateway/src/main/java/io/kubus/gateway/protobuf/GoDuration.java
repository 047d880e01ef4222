package io.kubus.gateway.protobuf;

/**
 * Go's {@code time.Duration.String()}, the JSON form of a meta/v1 Duration: "1h30m0s", "1.5s", "300ms", "0s". The
 * largest unit is hours; under a second the unit is ms, µs or ns; fractions lose their trailing zeros.
 */
final class GoDuration {
    private static final long MICRO = 1_000L;
    private static final long MILLI = 1_000_000L;
    private static final long SECOND = 1_000_000_000L;

    private GoDuration() {
    }

    static String format(long nanos) {
        if (nanos == 0) {
            return "0s";
        }
        boolean negative = nanos < 0;
        // Long.MIN_VALUE has no positive counterpart; its magnitude is still right as an unsigned value.
        long u = negative ? -nanos : nanos;
        StringBuilder out = new StringBuilder();
        if (Long.compareUnsigned(u, SECOND) < 0) {
            if (u < MICRO) {
                out.append(u).append("ns");
            } else if (u < MILLI) {
                out.append(fraction(u, MICRO, 3)).append("µs");
            } else {
                out.append(fraction(u, MILLI, 6)).append("ms");
            }
        } else {
            String secs = fraction(Long.remainderUnsigned(u, 60 * SECOND), SECOND, 9);
            long minutes = Long.divideUnsigned(u, 60 * SECOND);
            out.append(secs).append('s');
            if (minutes > 0) {
                out.insert(0, (minutes % 60) + "m");
                long hours = minutes / 60;
                if (hours > 0) {
                    out.insert(0, hours + "h");
                }
            }
        }
        return negative ? "-" + out : out.toString();
    }

    /** {@code value / unit} with up to {@code digits} decimals, trailing zeros dropped. */
    private static String fraction(long value, long unit, int digits) {
        long whole = value / unit;
        long rest = value % unit;
        if (rest == 0) {
            return Long.toString(whole);
        }
        String frac = String.format("%0" + digits + "d", rest).replaceFirst("0+$", "");
        return whole + "." + frac;
    }
}

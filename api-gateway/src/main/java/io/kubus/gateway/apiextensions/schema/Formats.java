package io.kubus.gateway.apiextensions.schema;

import io.kubus.schema.validation.IpAddresses;
import io.kubus.schema.validation.Names;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The string formats a CRD schema may name and kube-apiserver checks (apiextensions' supportedVersionedFormats, with
 * kube-openapi's strfmt checks). Names compare without dashes, as go-openapi normalises them ({@code date-time} is
 * {@code datetime}). A format not listed here is stripped from the schema by kube and so checks nothing; so does a
 * format on a type it does not apply to.
 */
final class Formats {
    private static final Pattern HOSTNAME = Pattern.compile("^([a-zA-Z0-9\\p{S}\\p{L}]((-?[a-zA-Z0-9\\p{S}\\p{L}]{0,62})?)|"
            + "([a-zA-Z0-9\\p{S}\\p{L}](([a-zA-Z0-9-\\p{S}\\p{L}]{0,61}[a-zA-Z0-9\\p{S}\\p{L}])?)(\\.)){1,}([a-zA-Z\\p{L}]){2,63})$");
    private static final Pattern UUID = Pattern.compile("(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$");
    private static final Pattern UUID3 = Pattern.compile("(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$");
    private static final Pattern UUID4 = Pattern.compile("(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$");
    private static final Pattern UUID5 = Pattern.compile("(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$");
    /** strfmt's DateTimePattern, matched against what follows the date's "t" (lower-cased). */
    private static final Pattern TIME = Pattern.compile("^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$");
    private static final Pattern MAC = Pattern.compile("^([0-9A-Fa-f]{2}[:-]){5}([0-9A-Fa-f]{2})$|^([0-9A-Fa-f]{2}[:-]){7}([0-9A-Fa-f]{2})$"
            + "|^([0-9A-Fa-f]{2}[:-]){19}([0-9A-Fa-f]{2})$|^([0-9A-Fa-f]{4}\\.){2}([0-9A-Fa-f]{4})$"
            + "|^([0-9A-Fa-f]{4}\\.){3}([0-9A-Fa-f]{4})$|^([0-9A-Fa-f]{4}\\.){9}([0-9A-Fa-f]{4})$");
    private static final Pattern SSN = Pattern.compile("^\\d{3}[- ]?\\d{2}[- ]?\\d{4}$");
    private static final Pattern HEXCOLOR = Pattern.compile("^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$");
    private static final Pattern RGBCOLOR = Pattern.compile(
            "^rgb\\(\\s*(0|[1-9]\\d?|1\\d\\d?|2[0-4]\\d|25[0-5])\\s*,\\s*(0|[1-9]\\d?|1\\d\\d?|2[0-4]\\d|25[0-5])\\s*,"
                    + "\\s*(0|[1-9]\\d?|1\\d\\d?|2[0-4]\\d|25[0-5])\\s*\\)$");
    private static final Pattern BSON_OBJECT_ID = Pattern.compile("^[0-9a-fA-F]{24}$");
    /** Go's time.ParseDuration input: "0" or signed sequences of decimal numbers with units. */
    private static final Pattern GO_DURATION = Pattern.compile("^[-+]?(0|((\\d+(\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h))+)$");
    /** strfmt's other duration form, "3 days" or "22 ns": every number followed by a known unit. */
    private static final Pattern UNIT_DURATION = Pattern.compile("(\\d+)\\s*([A-Za-zµ]+)");
    private static final Set<String> DURATION_UNITS = Set.of("ns", "us", "µs", "ms", "s", "m", "h", "d", "w",
            "nanosecond", "nanoseconds", "microsecond", "microseconds", "millisecond", "milliseconds", "second",
            "seconds", "sec", "secs", "minute", "minutes", "min", "mins", "hour", "hours", "hr", "hrs", "day", "days",
            "week", "weeks");
    private static final Pattern URI_SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:.*");

    private static final Map<String, Predicate<String>> CHECKS = Map.ofEntries(
            Map.entry("bsonobjectid", s -> BSON_OBJECT_ID.matcher(s).matches()),
            Map.entry("uri", Formats::requestUri),
            Map.entry("email", Formats::email),
            Map.entry("hostname", s -> HOSTNAME.matcher(s).matches() && s.length() <= 255
                    && java.util.Arrays.stream(s.split("\\.", -1)).allMatch(p -> p.length() <= 63)),
            Map.entry("ipv4", s -> IpAddresses.isIp(s) && s.contains(".")),
            Map.entry("ipv6", s -> IpAddresses.isIp(s) && s.contains(":")),
            Map.entry("cidr", s -> IpAddresses.parseCidr(s).isPresent()),
            Map.entry("mac", s -> MAC.matcher(s).matches()),
            Map.entry("uuid", s -> UUID.matcher(s).matches()),
            Map.entry("uuid3", s -> UUID3.matcher(s).matches()),
            Map.entry("uuid4", s -> UUID4.matcher(s).matches()),
            Map.entry("uuid5", s -> UUID5.matcher(s).matches()),
            Map.entry("ssn", s -> SSN.matcher(s).matches()),
            Map.entry("hexcolor", s -> HEXCOLOR.matcher(s).matches()),
            Map.entry("rgbcolor", s -> RGBCOLOR.matcher(s).matches()),
            Map.entry("byte", Formats::base64),
            Map.entry("password", s -> true),
            Map.entry("date", Formats::date),
            Map.entry("duration", Formats::duration),
            Map.entry("datetime", Formats::dateTime),
            Map.entry("k8sshortname", s -> Names.dns1123Label(s).isEmpty()),
            Map.entry("k8slongname", s -> Names.dns1123Subdomain(s).isEmpty()));

    private Formats() {
    }

    /** The format as kube keeps it for a schema of {@code type}: empty when kube strips it (StripUnsupportedFormats). */
    static String effective(String type, String format) {
        if (format.isEmpty()) {
            return "";
        }
        return switch (type) {
            case "", "string" -> CHECKS.containsKey(normalise(format)) ? format : "";
            case "integer" -> format.equals("int32") || format.equals("int64") ? format : "";
            case "number" -> format.equals("float") || format.equals("double") ? format : "";
            default -> "";
        };
    }

    /** Whether {@code value} is of the string format (one {@link #effective} kept for a string). */
    static boolean valid(String format, String value) {
        Predicate<String> check = CHECKS.get(normalise(format));
        return check == null || check.test(value);
    }

    /** A string format that kube checks (integer and number formats are checked as ranges, not here). */
    static boolean isStringFormat(String format) {
        return CHECKS.containsKey(normalise(format));
    }

    private static String normalise(String format) {
        return format.replace("-", "");
    }

    /** govalidator.IsRequestURI: url.ParseRequestURI accepts an absolute URI or an absolute path. */
    private static boolean requestUri(String s) {
        if (!s.startsWith("/") && !URI_SCHEME.matcher(s).matches()) {
            return false;
        }
        try {
            new java.net.URI(s.replace(" ", "%20"));
            return true;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    /** net/mail.ParseAddress, for the plain forms: "a@b" or "Name <a@b>". */
    private static boolean email(String s) {
        Matcher named = Pattern.compile("^[^<>]*<([^<>]+)>$").matcher(s.trim());
        String addr = named.matches() ? named.group(1) : s.trim();
        return addr.matches("^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+$") && !addr.startsWith(".")
                && !addr.contains("..") && !addr.endsWith(".");
    }

    /** govalidator.IsBase64: standard padded base64. */
    private static boolean base64(String s) {
        if (s.length() % 4 != 0 || !s.matches("^[A-Za-z0-9+/]*={0,2}$")) {
            return false;
        }
        try {
            Base64.getDecoder().decode(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** time.Parse("2006-01-02", s): a real calendar day. */
    private static boolean date(String s) {
        if (!s.matches("^\\d{4}-\\d{2}-\\d{2}$")) {
            return false;
        }
        try {
            LocalDate.parse(s);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    /** strfmt.IsDateTime: a date, a "t" (any case), then hh:mm:ss[.frac] and "z" or an offset. */
    private static boolean dateTime(String s) {
        if (s.length() < 4) {
            return false;
        }
        String[] parts = s.toLowerCase(Locale.ROOT).split("t", -1);
        if (parts.length < 2 || !date(parts[0])) {
            return false;
        }
        Matcher m = TIME.matcher(parts[1]);
        return m.find() && m.group(1).compareTo("23") <= 0 && m.group(2).compareTo("59") <= 0
                && m.group(3).compareTo("59") <= 0;
    }

    private static boolean duration(String s) {
        if (GO_DURATION.matcher(s).matches()) {
            return true;
        }
        Matcher m = UNIT_DURATION.matcher(s);
        boolean any = false;
        while (m.find()) {
            if (!DURATION_UNITS.contains(m.group(2))) {
                return false;
            }
            any = true;
        }
        return any;
    }
}

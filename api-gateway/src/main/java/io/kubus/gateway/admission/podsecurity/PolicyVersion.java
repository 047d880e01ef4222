package io.kubus.gateway.admission.podsecurity;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A policy version: {@code latest}, or {@code v1.N}, whose checks are those of Kubernetes 1.N. A version newer than
 * every check's is evaluated as the newest, as kube's evaluator does.
 *
 * @param minor the N of v1.N, or {@link #LATEST} for {@code latest}
 */
public record PolicyVersion(int minor) {
    static final int LATEST = Integer.MAX_VALUE;
    /** ParseVersion's message for a value of neither form. */
    static final String INVALID = "must be \"latest\" or \"v1.x\"";
    private static final Pattern FORM = Pattern.compile("^v1\\.([0-9]|[1-9][0-9]*)$");

    public static PolicyVersion latest() {
        return new PolicyVersion(LATEST);
    }

    /** The version a label value names, if it is of one of the two forms. */
    public static Optional<PolicyVersion> parse(String value) {
        if (value.equals("latest")) {
            return Optional.of(latest());
        }
        Matcher m = FORM.matcher(value);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new PolicyVersion(Integer.parseInt(m.group(1))));
        } catch (NumberFormatException tooBig) {
            return Optional.empty(); // strconv.Atoi fails the same way
        }
    }

    /** Whether the checks of this version include those that came in 1.{@code since}. */
    boolean atLeast(int since) {
        return minor >= since;
    }

    @Override
    public String toString() {
        return minor == LATEST ? "latest" : "v1." + minor;
    }
}

package io.kubus.gateway.admission.podsecurity;

import java.util.Arrays;
import java.util.Optional;

/** The Pod Security Standards' levels, from the least strict; {@link #compareTo} orders them by strictness. */
public enum Level {
    PRIVILEGED("privileged"), BASELINE("baseline"), RESTRICTED("restricted");

    /** ParseLevel's message for a value that is none of the levels. */
    static final String INVALID = "must be one of privileged, baseline, restricted";

    private final String label;

    Level(String label) {
        this.label = label;
    }

    /** The level a label value names, if any. */
    public static Optional<Level> parse(String value) {
        return Arrays.stream(values()).filter(l -> l.label.equals(value)).findFirst();
    }

    @Override
    public String toString() {
        return label;
    }
}

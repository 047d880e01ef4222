package io.kubus.schema.quantity;

import java.io.Serial;

/** A string is not a Kubernetes resource quantity; messages are Kubernetes' own. */
public class QuantityFormatException extends IllegalArgumentException {

    @Serial
    private static final long serialVersionUID = 1L;

    /** Kubernetes' {@code ErrFormatWrong} text. */
    public static final String FORMAT_WRONG =
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
    /** Kubernetes' {@code ErrSuffix} text: well-formed, but an unknown suffix such as {@code mi}. */
    public static final String BAD_SUFFIX = "unable to parse quantity's suffix";

    public QuantityFormatException(String message) {
        super(message);
    }
}

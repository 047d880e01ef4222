package io.kubus.schema.selector;

import java.io.Serial;

/** A label or field selector could not be parsed or is not acceptable; the message is Kubernetes-style. */
public class SelectorException extends IllegalArgumentException {

    @Serial
    private static final long serialVersionUID = 1L;

    public SelectorException(String message) {
        super(message);
    }
}

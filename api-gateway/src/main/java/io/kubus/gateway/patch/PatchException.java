package io.kubus.gateway.patch;

/**
 * A patch document that cannot be applied. The message names the patch type and the
 * path/operation at fault so the API layer can surface it verbatim in a Kubernetes Status.
 */
public class PatchException extends RuntimeException {

    public PatchException(String message) {
        super(message);
    }

    public PatchException(String message, Throwable cause) {
        super(message, cause);
    }
}

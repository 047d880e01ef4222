package io.kubus.gateway.encryption;

/**
 * A stored value that cannot be read back: encrypted with a key the configuration no longer holds, or altered. The
 * message never holds the value, so it can be shown to clients (kube-apiserver answers such reads with an internal
 * error carrying the transformer's message).
 */
public class ValueTransformException extends RuntimeException {
    public ValueTransformException(String message) {
        super(message);
    }
}

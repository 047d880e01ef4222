package io.kubus.gateway.auth;

/** A credential that is recognised but not good: expired, altered, of a deleted ServiceAccount. Answered with 401. */
public class InvalidTokenException extends RuntimeException {
    public InvalidTokenException(String message) {
        super(message, null, false, false);
    }
}

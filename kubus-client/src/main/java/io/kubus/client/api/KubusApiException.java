package io.kubus.client.api;

import io.fabric8.kubernetes.api.model.Status;

/**
 * The gateway refused a request: the HTTP status code and the Kubernetes {@code Status} it answered with
 * (reason and message as k8s.io/apimachinery/pkg/api/errors names them). Transport failures are not this
 * exception; they surface as {@link java.io.UncheckedIOException}.
 */
public final class KubusApiException extends RuntimeException {
    private final int code;
    private final transient Status status;

    public KubusApiException(String method, String path, int code, Status status) {
        super(method + " " + path + " -> " + code + " " + nullToEmpty(status.getReason()) + ": "
                + nullToEmpty(status.getMessage()));
        this.code = code;
        this.status = status;
    }

    /** The HTTP status code. */
    public int code() {
        return code;
    }

    /** The Status the gateway answered with (one with just a message if the body was not a Status). */
    public Status status() {
        return status;
    }

    /** The machine-readable reason: NotFound, AlreadyExists, Conflict, Invalid, BadRequest, Forbidden, ... */
    public String reason() {
        return nullToEmpty(status.getReason());
    }

    /** The human-readable message of the Status. */
    public String statusMessage() {
        return nullToEmpty(status.getMessage());
    }

    public boolean isNotFound() {
        return code == 404;
    }

    /** 409 for a stale resourceVersion (optimistic concurrency): re-read and try again. */
    public boolean isConflict() {
        return code == 409 && !"AlreadyExists".equals(status.getReason());
    }

    /** 409 AlreadyExists: a create named an object that exists. */
    public boolean isAlreadyExists() {
        return code == 409 && "AlreadyExists".equals(status.getReason());
    }

    /** 410 Expired: a list's resourceVersion or continue token is older than the gateway's history keeps. */
    public boolean isExpired() {
        return code == 410;
    }

    /** 422 Invalid: the object failed validation; the Status details name the fields. */
    public boolean isInvalid() {
        return code == 422;
    }

    /** Whether the Status names a cause of this type (e.g. {@code NamespaceTerminating} on a refused create). */
    public boolean hasCause(String type) {
        return status.getDetails() != null && status.getDetails().getCauses() != null
                && status.getDetails().getCauses().stream().anyMatch(c -> type.equals(c.getReason()));
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}

package io.kubus.gateway.api;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.StatusDetails;
import io.fabric8.kubernetes.api.model.StatusDetailsBuilder;
import io.kubus.gateway.admission.AdmissionException;
import io.kubus.schema.ResourceType;
import io.kubus.schema.validation.FieldProblem;

import java.util.Collection;
import java.util.List;

/**
 * A request the API refuses, carrying the Kubernetes {@code Status} that is sent back. The reasons and messages
 * follow k8s.io/apimachinery/pkg/api/errors, because kubectl prints them and scripts match on them.
 */
public final class ApiException extends RuntimeException {
    private final transient Status status;

    private ApiException(Status status) {
        super(status.getMessage(), null, false, false);
        this.status = status;
    }

    public Status status() {
        return status;
    }

    public int code() {
        return status.getCode();
    }

    public static ApiException of(int code, String reason, String message, StatusDetails details) {
        return new ApiException(new StatusBuilder().withStatus("Failure").withCode(code).withReason(reason)
                .withMessage(message).withDetails(details).withNewMetadata().endMetadata().build());
    }

    public static ApiException notFound(ResourceType type, String name) {
        return of(404, "NotFound", type.qualifiedPlural() + " \"" + name + "\" not found",
                details(type, name).build());
    }

    public static ApiException notFound(String message) {
        return of(404, "NotFound", message, null);
    }

    public static ApiException alreadyExists(ResourceType type, String name) {
        return of(409, "AlreadyExists", type.qualifiedPlural() + " \"" + name + "\" already exists",
                details(type, name).build());
    }

    /** An optimistic-concurrency failure: the caller's resourceVersion is stale. */
    public static ApiException conflict(ResourceType type, String name, String why) {
        return of(409, "Conflict", "Operation cannot be fulfilled on " + type.qualifiedPlural() + " \"" + name
                + "\": " + why, details(type, name).build());
    }

    /** A server-side apply's conflicts: 409 Conflict with kube's message and one FieldManagerConflict cause each. */
    public static ApiException applyConflict(io.kubus.gateway.apply.ApplyConflictException e) {
        List<StatusCause> causes = e.causes().stream().map(c -> new io.fabric8.kubernetes.api.model.StatusCauseBuilder()
                .withReason(c.reason()).withMessage(c.message()).withField(c.field()).build()).toList();
        return of(409, "Conflict", e.getMessage(), new StatusDetailsBuilder()
                .withCauses(causes).build());
    }

    public static ApiException badRequest(String message) {
        return of(400, "BadRequest", message, null);
    }

    public static ApiException forbidden(ResourceType type, String name, String message, StatusCause... causes) {
        return of(403, "Forbidden", message, details(type, name).withCauses(causes).build());
    }

    public static ApiException methodNotAllowed(String message) {
        return of(405, "MethodNotAllowed", message, null);
    }

    public static ApiException notAcceptable(String message) {
        return of(406, "NotAcceptable", message, null);
    }

    public static ApiException tooLarge(String message) {
        return of(413, "RequestEntityTooLarge", message, null);
    }

    public static ApiException unsupportedMediaType(String message) {
        return of(415, "UnsupportedMediaType", message, null);
    }

    public static ApiException gone(String message) {
        return of(410, "Expired", message, null);
    }

    /**
     * 410 Expired for a continue token whose version is compacted, carrying in the Status's metadata.continue a
     * token that continues the list at the newest version, as kube-apiserver hands one out.
     */
    public static ApiException expired(String message, String continueToken) {
        return new ApiException(new StatusBuilder().withStatus("Failure").withCode(410).withReason("Expired")
                .withMessage(message).withNewMetadata().withContinue(continueToken).endMetadata().build());
    }

    /** apierrors.NewInternalError: the error's text is also the one cause, as kube-apiserver sends it. */
    public static ApiException internal(String message) {
        StatusCause cause = new StatusCause();
        cause.setMessage(message);
        return of(500, "InternalError", "Internal error occurred: " + message,
                new StatusDetailsBuilder().withCauses(cause).build());
    }

    public static ApiException serviceUnavailable(String message) {
        return of(503, "ServiceUnavailable", message, null);
    }

    /**
     * 422 Invalid, in the form kubectl renders as {@code The Pod "x" is invalid: spec.containers[0].image: Required value}
     * (kubectl takes the kind and the causes from the details; the message is apierrors.NewInvalid's, which names a
     * kind of a named group with its group: {@code Deployment.apps "web" is invalid: ...}).
     */
    public static ApiException invalid(ResourceType type, String name, List<StatusCause> causes) {
        return invalid(type.group(), type.kind(), name, causes);
    }

    /** 422 Invalid for a kind that is no resource, such as meta.k8s.io's ListOptions. */
    public static ApiException invalid(String group, String kind, String name, List<StatusCause> causes) {
        String message = AdmissionException.invalidMessage(group, kind, name, causes.stream()
                .map(c -> (c.getField() == null || c.getField().isEmpty() ? "" : c.getField() + ": ") + c.getMessage()).toList());
        StatusDetails details = new StatusDetailsBuilder().withName(name).withGroup(group)
                .withKind(kind).withCauses(causes).build();
        return of(422, "Invalid", message, details);
    }

    /** 422 Invalid with a cause per field problem, for a kind that is no stored resource (a TokenRequest, a review). */
    public static ApiException invalid(String group, String kind, String name, Collection<FieldProblem> problems) {
        return invalid(group, kind, name, causes(problems));
    }

    /** The Status of a refusal by admission, as kube-apiserver answers it (errors.NewBadRequest, NewInvalid, NewForbidden). */
    public static ApiException from(AdmissionException e) {
        return switch (e.kind()) {
            case BAD_REQUEST -> badRequest(e.getMessage());
            case INVALID -> invalid(e.type(), e.name(), causes(e.problems()));
            case FORBIDDEN -> forbidden(e.type(), e.name(), e.getMessage());
        };
    }

    private static List<StatusCause> causes(Collection<FieldProblem> problems) {
        return problems.stream().map(p -> cause(p.reason(), p.field(), p.message())).toList();
    }

    public static StatusCause cause(String reason, String field, String message) {
        StatusCause c = new StatusCause();
        c.setReason(reason);
        c.setField(field);
        c.setMessage(message);
        return c;
    }

    private static StatusDetailsBuilder details(ResourceType type, String name) {
        return new StatusDetailsBuilder().withName(name).withGroup(type.group()).withKind(type.plural());
    }
}

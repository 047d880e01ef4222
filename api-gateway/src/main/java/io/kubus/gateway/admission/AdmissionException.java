package io.kubus.gateway.admission;

import io.kubus.schema.ResourceType;
import io.kubus.schema.validation.FieldProblem;
import io.micronaut.core.annotation.Nullable;

import java.util.List;

/**
 * An object refused on its way into the store: undecodable (kube-apiserver's 400 BadRequest), invalid (422, with one
 * problem per field at fault), or forbidden by an admission plugin (403). The HTTP edge turns it into a Kubernetes
 * Status; the status ingester, which has no HTTP caller, only logs and counts it.
 */
public final class AdmissionException extends RuntimeException {
    /** What kind of refusal, with the HTTP code and Status reason kube-apiserver gives it. */
    public enum Kind {
        BAD_REQUEST(400, "BadRequest"), FORBIDDEN(403, "Forbidden"), INVALID(422, "Invalid");

        public final int code;
        public final String reason;

        Kind(int code, String reason) {
            this.code = code;
            this.reason = reason;
        }
    }

    private final Kind kind;
    private final @Nullable ResourceType type;
    private final String name;
    private final List<FieldProblem> problems;

    private AdmissionException(Kind kind, @Nullable ResourceType type, String name, String message,
                               List<FieldProblem> problems) {
        super(message, null, false, false);
        this.kind = kind;
        this.type = type;
        this.name = name;
        this.problems = List.copyOf(problems);
    }

    /** The body cannot be decoded into the kind's model (kube-apiserver's decoding errors). */
    public static AdmissionException badRequest(String message) {
        return new AdmissionException(Kind.BAD_REQUEST, null, "", message, List.of());
    }

    /** The object breaks the kind's rules: one problem per field at fault. */
    public static AdmissionException invalid(ResourceType type, String name, List<FieldProblem> problems) {
        return new AdmissionException(Kind.INVALID, type, name,
                invalidMessage(type.group(), type.kind(), name, problems.stream().map(FieldProblem::toString).toList()), problems);
    }

    /**
     * errors.NewInvalid's message: the kind qualified by its group when it has one ({@code Deployment.apps "web" is
     * invalid: ...}), and the field errors once each (ErrorList.ToAggregate drops repeats), in brackets when several.
     */
    public static String invalidMessage(String group, String kind, String name, List<String> fieldErrors) {
        List<String> distinct = fieldErrors.stream().distinct().toList();
        String summary = String.join(", ", distinct);
        return (group.isEmpty() ? kind : kind + "." + group) + " \"" + name + "\" is invalid: "
                + (distinct.size() > 1 ? "[" + summary + "]" : summary);
    }

    /** An admission plugin refuses the request (quota, pod security), with kube-apiserver's whole message. */
    public static AdmissionException forbidden(ResourceType type, String name, String message) {
        return new AdmissionException(Kind.FORBIDDEN, type, name, message, List.of());
    }

    public Kind kind() {
        return kind;
    }

    public @Nullable ResourceType type() {
        return type;
    }

    public String name() {
        return name;
    }

    public List<FieldProblem> problems() {
        return problems;
    }
}

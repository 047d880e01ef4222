package io.kubus.gateway.auth;

import io.kubus.gateway.GatewayApplication;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.util.List;

/**
 * kube-apiserver's authorizer union: the members of {@code system:masters} may do anything (its privileged-groups
 * authorizer, so an administrator is never locked out by a broken role), then every {@link Authorizer} bean in
 * order (RBAC); the first that allows or denies decides, and a request nobody allows is forbidden.
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Singleton
public class Authorization {
    private final List<Authorizer> authorizers;

    public Authorization(List<Authorizer> authorizers) {
        this.authorizers = authorizers;
    }

    public Authorizer.Decision authorize(RequestAttributes attributes) {
        if (attributes.user().inGroup(UserInfo.MASTERS)) {
            return Authorizer.Decision.allow("");
        }
        String reasons = "";
        for (Authorizer a : authorizers) {
            Authorizer.Decision d = a.authorize(attributes);
            if (d.kind() != Authorizer.Decision.Kind.NO_OPINION) {
                return d;
            }
            if (!d.reason().isEmpty()) {
                reasons = reasons.isEmpty() ? d.reason() : reasons + "\n" + d.reason();
            }
        }
        return Authorizer.Decision.noOpinion(reasons);
    }

    /**
     * The 403 kube-apiserver answers (responsewriters.Forbidden): the qualified resource and name as in any
     * Forbidden, then who may not do what, where.
     */
    public static io.kubus.gateway.api.ApiException forbidden(RequestAttributes a, String reason) {
        String user = a.user().name();
        String message;
        if (!a.resourceRequest()) {
            message = "User \"" + user + "\" cannot " + a.verb() + " path \"" + a.path() + "\"";
        } else {
            String resource = a.subresource().isEmpty() ? a.resource() : a.resource() + "/" + a.subresource();
            message = "User \"" + user + "\" cannot " + a.verb() + " resource \"" + resource + "\" in API group \""
                    + a.apiGroup() + "\"" + (a.namespace().isEmpty() ? " at the cluster scope"
                    : " in the namespace \"" + a.namespace() + "\"");
        }
        if (!reason.isEmpty()) {
            message += ": " + reason;
        }
        String qualified = a.resource().isEmpty() ? "" : a.apiGroup().isEmpty() ? a.resource() : a.resource() + "." + a.apiGroup();
        String full = qualified.isEmpty() ? "forbidden: " + message
                : a.name().isEmpty() ? qualified + " is forbidden: " + message
                : qualified + " \"" + a.name() + "\" is forbidden: " + message;
        io.fabric8.kubernetes.api.model.StatusDetails details = new io.fabric8.kubernetes.api.model.StatusDetails();
        if (!a.name().isEmpty()) {
            details.setName(a.name());
        }
        if (!a.apiGroup().isEmpty()) {
            details.setGroup(a.apiGroup());
        }
        if (!a.resource().isEmpty()) {
            details.setKind(a.resource());
        }
        return io.kubus.gateway.api.ApiException.of(403, "Forbidden", full, details);
    }
}

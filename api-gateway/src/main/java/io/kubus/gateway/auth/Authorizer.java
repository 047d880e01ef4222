package io.kubus.gateway.auth;

/**
 * Decides whether a request may go on (k8s.io/apiserver's authorizer.Authorizer). Authorizers form a chain: the
 * first that allows or denies decides; when every one has no opinion, the request is forbidden.
 */
public interface Authorizer {
    Decision authorize(RequestAttributes attributes);

    /** An authorizer's answer, with the reason kube-apiserver logs and SubjectAccessReview returns. */
    record Decision(Kind kind, String reason) {
        public enum Kind { ALLOW, DENY, NO_OPINION }

        public static Decision allow(String reason) {
            return new Decision(Kind.ALLOW, reason);
        }

        public static Decision deny(String reason) {
            return new Decision(Kind.DENY, reason);
        }

        public static Decision noOpinion(String reason) {
            return new Decision(Kind.NO_OPINION, reason);
        }

        public boolean allowed() {
            return kind == Kind.ALLOW;
        }
    }
}

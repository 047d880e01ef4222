package io.kubus.gateway.api;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.kubus.schema.ResourceType;

import java.util.List;
import java.util.Set;

/**
 * The review resources of authentication.k8s.io and authorization.k8s.io: create-only, answered from the request
 * and never stored (no storage, no change topic), so they are served and listed in discovery but are not in the
 * catalogue of stored kinds. {@code auth/ReviewController} answers them.
 */
public final class Reviews {
    public static final ResourceType SELF_SUBJECT_REVIEWS = review("authentication.k8s.io", "SelfSubjectReview",
            "selfsubjectreviews", false);
    public static final ResourceType TOKEN_REVIEWS = review("authentication.k8s.io", "TokenReview", "tokenreviews", false);
    public static final ResourceType LOCAL_SUBJECT_ACCESS_REVIEWS = review("authorization.k8s.io",
            "LocalSubjectAccessReview", "localsubjectaccessreviews", true);
    public static final ResourceType SELF_SUBJECT_ACCESS_REVIEWS = review("authorization.k8s.io",
            "SelfSubjectAccessReview", "selfsubjectaccessreviews", false);
    public static final ResourceType SELF_SUBJECT_RULES_REVIEWS = review("authorization.k8s.io",
            "SelfSubjectRulesReview", "selfsubjectrulesreviews", false);
    public static final ResourceType SUBJECT_ACCESS_REVIEWS = review("authorization.k8s.io", "SubjectAccessReview",
            "subjectaccessreviews", false);
    public static final List<ResourceType> TYPES = List.of(SELF_SUBJECT_REVIEWS, TOKEN_REVIEWS,
            LOCAL_SUBJECT_ACCESS_REVIEWS, SELF_SUBJECT_ACCESS_REVIEWS, SELF_SUBJECT_RULES_REVIEWS, SUBJECT_ACCESS_REVIEWS);

    private Reviews() {
    }

    private static ResourceType review(String group, String kind, String plural, boolean namespaced) {
        return new ResourceType(group, "v1", kind, plural, namespaced, List.of(), List.of(), Set.of(),
                GenericKubernetesResource.class);
    }
}

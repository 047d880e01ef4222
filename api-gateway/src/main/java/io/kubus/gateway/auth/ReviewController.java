package io.kubus.gateway.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.api.ApiErrors;
import io.kubus.gateway.api.ApiException;
import io.kubus.gateway.api.RequestBodies;
import io.kubus.gateway.api.Reviews;
import io.kubus.gateway.auth.rbac.RbacAuthorizer;
import io.kubus.gateway.config.AuthSettings;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.validation.FieldProblem;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The review APIs (kube-apiserver's pkg/registry/authentication and authorization): who am I
 * ({@code kubectl auth whoami}), is this token good (TokenReview), may I / may they ({@code kubectl auth can-i},
 * SelfSubjectAccessReview, SubjectAccessReview, LocalSubjectAccessReview) and what may I do in a namespace
 * ({@code kubectl auth can-i --list}, SelfSubjectRulesReview). Each answers from the request through
 * the same authenticators and authorizers as every request, and stores nothing.
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Controller
@ExecuteOn(TaskExecutors.BLOCKING)
public class ReviewController {

    private final RequestBodies bodies;
    private final Authentication authentication;
    private final ServiceAccountTokens serviceAccountTokens;
    private final Authorization authorization;
    private final AuthSettings settings;
    private final RbacAuthorizer rbac;

    public ReviewController(RequestBodies bodies, Authentication authentication, ServiceAccountTokens serviceAccountTokens,
                            Authorization authorization, AuthSettings settings, RbacAuthorizer rbac) {
        this.rbac = rbac;
        this.bodies = bodies;
        this.authentication = authentication;
        this.serviceAccountTokens = serviceAccountTokens;
        this.authorization = authorization;
        this.settings = settings;
    }

    @Post(uri = "/apis/authentication.k8s.io/v1/selfsubjectreviews", consumes = MediaType.ALL, produces = MediaType.ALL)
    public HttpResponse<?> selfSubjectReview(HttpRequest<?> request, @Nullable @Body byte[] body) {
        return answer(() -> {
            ObjectNode review = review(request, body, Reviews.SELF_SUBJECT_REVIEWS);
            review.putObject("status").set("userInfo", userInfo(SecurityFilter.user(request)));
            return review;
        });
    }

    @Post(uri = "/apis/authentication.k8s.io/v1/tokenreviews", consumes = MediaType.ALL, produces = MediaType.ALL)
    public HttpResponse<?> tokenReview(HttpRequest<?> request, @Nullable @Body byte[] body) {
        return answer(() -> {
            ObjectNode review = review(request, body, Reviews.TOKEN_REVIEWS);
            JsonNode spec = review.path("spec");
            String token = spec.path("token").asText("");
            if (token.isEmpty()) {
                throw invalid(Reviews.TOKEN_REVIEWS, FieldProblem.required("spec.token", "token must be set"));
            }
            List<String> audiences = new ArrayList<>();
            spec.path("audiences").forEach(a -> audiences.add(a.asText()));
            List<String> wanted = audiences.isEmpty() ? settings.getApiAudiences() : audiences;
            ObjectNode status = review.putObject("status");
            try {
                Optional<UserInfo> user = token.contains(".")
                        ? serviceAccountTokens.authenticate(token, wanted)
                        : Optional.empty();
                if (user.isEmpty() && audiences.isEmpty()) {
                    user = authentication.authenticateToken(token);
                }
                status.put("authenticated", user.isPresent());
                if (user.isPresent()) {
                    status.set("user", userInfo(user.get()));
                    ArrayNode a = status.putArray("audiences");
                    wanted.forEach(a::add);
                } else {
                    status.putObject("user");
                    status.put("error", "invalid bearer token");
                }
            } catch (InvalidTokenException e) {
                status.put("authenticated", false);
                status.putObject("user");
                status.put("error", "[invalid bearer token, " + e.getMessage() + "]");
            }
            return review;
        });
    }

    @Post(uri = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", consumes = MediaType.ALL, produces = MediaType.ALL)
    public HttpResponse<?> selfSubjectAccessReview(HttpRequest<?> request, @Nullable @Body byte[] body) {
        return answer(() -> {
            ObjectNode review = review(request, body, Reviews.SELF_SUBJECT_ACCESS_REVIEWS);
            decide(review, SecurityFilter.user(request), Reviews.SELF_SUBJECT_ACCESS_REVIEWS);
            return review;
        });
    }

    @Post(uri = "/apis/authorization.k8s.io/v1/subjectaccessreviews", consumes = MediaType.ALL, produces = MediaType.ALL)
    public HttpResponse<?> subjectAccessReview(HttpRequest<?> request, @Nullable @Body byte[] body) {
        return answer(() -> {
            ObjectNode review = review(request, body, Reviews.SUBJECT_ACCESS_REVIEWS);
            decide(review, subject(review, Reviews.SUBJECT_ACCESS_REVIEWS), Reviews.SUBJECT_ACCESS_REVIEWS);
            return review;
        });
    }

    @Post(uri = "/apis/authorization.k8s.io/v1/namespaces/{namespace}/localsubjectaccessreviews",
            consumes = MediaType.ALL, produces = MediaType.ALL)
    public HttpResponse<?> localSubjectAccessReview(HttpRequest<?> request, @PathVariable String namespace,
                                                    @Nullable @Body byte[] body) {
        return answer(() -> {
            ObjectNode review = review(request, body, Reviews.LOCAL_SUBJECT_ACCESS_REVIEWS);
            String ns = review.path("metadata").path("namespace").asText("");
            if (!ns.isEmpty() && !ns.equals(namespace)) {
                throw ApiException.badRequest("the namespace of the provided object does not match the namespace sent on the request");
            }
            JsonNode attrs = review.path("spec").path("resourceAttributes");
            if (!attrs.isObject() || !attrs.path("namespace").asText("").equals(namespace)) {
                throw invalid(Reviews.LOCAL_SUBJECT_ACCESS_REVIEWS, FieldProblem.invalid("spec.resourceAttributes.namespace",
                        attrs.path("namespace").asText(""), "must match metadata.namespace"));
            }
            ((ObjectNode) review.get("metadata")).put("namespace", namespace);
            decide(review, subject(review, Reviews.LOCAL_SUBJECT_ACCESS_REVIEWS), Reviews.LOCAL_SUBJECT_ACCESS_REVIEWS);
            return review;
        });
    }

    @Post(uri = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", consumes = MediaType.ALL, produces = MediaType.ALL)
    public HttpResponse<?> selfSubjectRulesReview(HttpRequest<?> request, @Nullable @Body byte[] body) {
        return answer(() -> {
            ObjectNode review = review(request, body, Reviews.SELF_SUBJECT_RULES_REVIEWS);
            String namespace = review.path("spec").path("namespace").asText("");
            UserInfo user = SecurityFilter.user(request);
            ObjectNode status = review.putObject("status");
            ArrayNode resourceRules = status.putArray("resourceRules");
            ArrayNode nonResourceRules = status.putArray("nonResourceRules");
            if (user.inGroup(UserInfo.MASTERS)) {
                // the privileged-groups authorizer's rules, as kube-apiserver's union resolver lists them first
                ObjectNode all = resourceRules.addObject();
                all.putArray("verbs").add("*");
                all.putArray("apiGroups").add("*");
                all.putArray("resources").add("*");
                ObjectNode paths = nonResourceRules.addObject();
                paths.putArray("verbs").add("*");
                paths.putArray("nonResourceURLs").add("*");
            }
            RbacAuthorizer.Rules rules = rbac.rulesFor(user, namespace);
            for (RbacAuthorizer.ResourceRuleInfo r : rules.resourceRules()) {
                ObjectNode rule = resourceRules.addObject();
                strings(rule.putArray("verbs"), r.verbs());
                strings(rule.putArray("apiGroups"), r.apiGroups());
                strings(rule.putArray("resources"), r.resources());
                if (!r.resourceNames().isEmpty()) {
                    strings(rule.putArray("resourceNames"), r.resourceNames());
                }
            }
            for (RbacAuthorizer.NonResourceRuleInfo r : rules.nonResourceRules()) {
                ObjectNode rule = nonResourceRules.addObject();
                strings(rule.putArray("verbs"), r.verbs());
                strings(rule.putArray("nonResourceURLs"), r.nonResourceURLs());
            }
            status.put("incomplete", rules.incomplete());
            if (!rules.evaluationError().isEmpty()) {
                status.put("evaluationError", rules.evaluationError());
            }
            return review;
        });
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }

    /** The user a SubjectAccessReview asks about: spec.user, spec.groups, spec.uid and spec.extra. */
    private static UserInfo subject(ObjectNode review, ResourceType kind) {
        JsonNode spec = review.path("spec");
        String user = spec.path("user").asText("");
        List<String> groups = new ArrayList<>();
        spec.path("groups").forEach(g -> groups.add(g.asText()));
        if (user.isEmpty() && groups.isEmpty()) {
            throw invalid(kind, FieldProblem.invalid("spec.user", "", "at least one of user or group must be specified"));
        }
        Map<String, List<String>> extra = new LinkedHashMap<>();
        spec.path("extra").properties().forEach(e -> {
            List<String> values = new ArrayList<>();
            e.getValue().forEach(v -> values.add(v.asText()));
            extra.put(e.getKey(), values);
        });
        return new UserInfo(user, spec.path("uid").asText(""), groups, extra);
    }

    /** Fills status.allowed, status.denied and status.reason from the authorizers, as the request would be decided. */
    private void decide(ObjectNode review, UserInfo user, ResourceType kind) {
        JsonNode spec = review.path("spec");
        JsonNode res = spec.path("resourceAttributes");
        JsonNode nonRes = spec.path("nonResourceAttributes");
        boolean hasRes = res.isObject();
        boolean hasNonRes = nonRes.isObject();
        if (hasRes == hasNonRes) {
            throw invalid(kind, hasRes
                    ? FieldProblem.invalid("spec.resourceAttributes", "resourceAttributes",
                            "cannot be specified in combination with nonResourceAttributes")
                    : FieldProblem.required("spec.resourceAttributes",
                            "exactly one of nonResourceAttributes or resourceAttributes must be specified"));
        }
        RequestAttributes attributes = hasRes
                ? RequestAttributes.resource(user, res.path("verb").asText(""), res.path("group").asText(""),
                        res.path("version").asText(""), res.path("resource").asText(""),
                        res.path("subresource").asText(""), res.path("namespace").asText(""), res.path("name").asText(""))
                : RequestAttributes.nonResource(user, nonRes.path("verb").asText(""), nonRes.path("path").asText(""));
        Authorizer.Decision d = authorization.authorize(attributes);
        ObjectNode status = review.putObject("status");
        status.put("allowed", d.allowed());
        if (d.kind() == Authorizer.Decision.Kind.DENY) {
            status.put("denied", true);
        }
        if (!d.reason().isEmpty()) {
            status.put("reason", d.reason());
        }
    }

    /** The body as a review of {@code type}: its apiVersion and kind checked, its metadata as kube returns it. */
    private ObjectNode review(HttpRequest<?> request, @Nullable byte[] body, ResourceType type) {
        ObjectNode review = bodies.request(type.kind(), type.apiVersion(), request.getHeaders().get(HttpHeaders.CONTENT_TYPE),
                body);
        review.put("kind", type.kind());
        review.put("apiVersion", type.apiVersion());
        ObjectNode meta = review.has("metadata") && review.get("metadata").isObject()
                ? (ObjectNode) review.get("metadata") : review.putObject("metadata");
        meta.putNull("creationTimestamp");
        return review;
    }

    private static ObjectNode userInfo(UserInfo user) {
        ObjectNode u = JsonTree.F.objectNode();
        u.put("username", user.name());
        if (!user.uid().isEmpty()) {
            u.put("uid", user.uid());
        }
        ArrayNode groups = u.putArray("groups");
        user.groups().forEach(groups::add);
        if (!user.extra().isEmpty()) {
            ObjectNode extra = u.putObject("extra");
            user.extra().forEach((k, v) -> {
                ArrayNode a = extra.putArray(k);
                v.forEach(a::add);
            });
        }
        return u;
    }

    private static ApiException invalid(ResourceType review, FieldProblem problem) {
        return ApiException.invalid(review.group(), review.kind(), "", List.of(problem));
    }

    private static HttpResponse<?> answer(java.util.function.Supplier<ObjectNode> review) {
        try {
            return HttpResponse.status(io.micronaut.http.HttpStatus.CREATED)
                    .body(KubusJson.write(review.get())).contentType(MediaType.APPLICATION_JSON);
        } catch (ApiException e) {
            return ApiErrors.respond(e);
        }
    }
}

package io.kubus.gateway.auth;

import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.api.ApiErrors;
import io.kubus.gateway.api.ApiException;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Filter;
import io.micronaut.http.filter.HttpServerFilter;
import io.micronaut.http.filter.ServerFilterChain;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every request is authenticated, impersonation applied, and authorized before anything else looks at it
 * (kube-apiserver's handler chain: WithAuthentication, WithImpersonation, WithAuthorization). A request without
 * credentials is anonymous, and anonymous requests are let through only to the health and version endpoints (the
 * anonymous paths of kube 1.32's AuthenticationConfiguration); everything else gets 401, as does a credential
 * that is recognised but not good. A request the authorizers do not allow gets kube's 403.
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Filter("/**")
public class SecurityFilter implements HttpServerFilter {
    /** The request attribute holding the {@link UserInfo} a request acts as. */
    public static final String USER = "kubus.user";
    private static final Set<String> ANONYMOUS_PATHS = Set.of("/healthz", "/livez", "/readyz", "/version");
    private static final UserInfo ANONYMOUS = new UserInfo(UserInfo.ANONYMOUS, "", List.of(UserInfo.ALL_UNAUTHENTICATED),
            Map.of());

    private final Authentication authentication;
    private final Impersonation impersonation;
    private final Authorization authorization;

    public SecurityFilter(Authentication authentication, Impersonation impersonation, Authorization authorization) {
        this.authentication = authentication;
        this.impersonation = impersonation;
        this.authorization = authorization;
    }

    /** Before every other filter (the watch and exec upgrade filters): nothing is prepared for a stranger. */
    @Override
    public int getOrder() {
        return Integer.MIN_VALUE + 1000;
    }

    public static UserInfo user(HttpRequest<?> request) {
        return request.getAttribute(USER, UserInfo.class)
                .orElseThrow(() -> new IllegalStateException("request passed no authentication"));
    }

    @Override
    public Publisher<MutableHttpResponse<?>> doFilter(HttpRequest<?> request, ServerFilterChain chain) {
        // token checks read the store: off the event loop
        return Mono.fromCallable(() -> admit(request))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(user -> {
                    request.setAttribute(USER, user);
                    return Mono.from(chain.proceed(request));
                })
                .onErrorResume(ApiException.class, e -> Mono.just(ApiErrors.respond(e)));
    }

    private UserInfo admit(HttpRequest<?> request) {
        Optional<UserInfo> authenticated;
        try {
            authenticated = authentication.authenticate(request);
        } catch (InvalidTokenException e) {
            throw unauthorized();
        }
        String path = request.getPath();
        if (authenticated.isEmpty()) {
            if (!isAnonymousPath(path)) {
                throw unauthorized();
            }
            // the anonymous paths are public by kube's system:public-info-viewer role, which RBAC may not yet hold
            return ANONYMOUS;
        }
        UserInfo user = impersonation.impersonate(authenticated.get(), request.getHeaders()).orElse(authenticated.get());
        RequestAttributes attributes = RequestInfo.of(request.getMethodName(), path, request.getParameters().asMap())
                .attributes(user);
        Authorizer.Decision decision = authorization.authorize(attributes);
        if (!decision.allowed()) {
            throw Authorization.forbidden(attributes, decision.kind() == Authorizer.Decision.Kind.DENY ? decision.reason() : "");
        }
        return user;
    }

    private static boolean isAnonymousPath(String path) {
        return ANONYMOUS_PATHS.contains(path) || path.startsWith("/healthz/") || path.startsWith("/livez/")
                || path.startsWith("/readyz/");
    }

    private static ApiException unauthorized() {
        return ApiException.of(401, "Unauthorized", "Unauthorized", null);
    }
}

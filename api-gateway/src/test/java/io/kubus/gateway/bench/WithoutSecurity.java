package io.kubus.gateway.bench;

import io.kubus.client.tls.Identities;
import io.kubus.gateway.auth.SecurityFilter;
import io.kubus.gateway.auth.UserInfo;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Filter;
import io.micronaut.http.filter.HttpServerFilter;
import io.micronaut.http.filter.ServerFilterChain;
import org.reactivestreams.Publisher;

import java.util.List;
import java.util.Map;

/**
 * The benchmark's baseline gateway (property {@value #PROPERTY}{@code =true} with
 * {@code micronaut.server.ssl.enabled=false}, test class path only): plain HTTP, and every request taken as the
 * administrator without authentication or authorization, as the gateway was before them.
 */
@Filter("/**")
@Replaces(SecurityFilter.class)
@Requires(property = WithoutSecurity.PROPERTY, value = "true")
final class WithoutSecurity implements HttpServerFilter {
    static final String PROPERTY = "kubus.bench.without-security";
    private static final UserInfo ADMIN = new UserInfo(Identities.ADMIN.user(), "",
            List.of(UserInfo.MASTERS, UserInfo.ALL_AUTHENTICATED), Map.of());

    @Override
    public int getOrder() {
        return Integer.MIN_VALUE + 1000;
    }

    @Override
    public Publisher<MutableHttpResponse<?>> doFilter(HttpRequest<?> request, ServerFilterChain chain) {
        request.setAttribute(SecurityFilter.USER, ADMIN);
        return chain.proceed(request);
    }
}

package io.kubus.gateway.api;

import io.kubus.gateway.GatewayApplication;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Filter;
import io.micronaut.http.filter.HttpServerFilter;
import io.micronaut.http.filter.ServerFilterChain;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Checks an exec upgrade before {@link PodExecWebSocket} accepts it, so that a pod on no node or a container the pod
 * does not have gets its 400 Status as an HTTP answer, which kubectl prints, instead of a 101.
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Filter("/api/v1/namespaces/*/pods/*/exec")
public class PodExecFilter implements HttpServerFilter {
    private final NodeAgents agents;

    public PodExecFilter(NodeAgents agents) {
        this.agents = agents;
    }

    @Override
    public Publisher<MutableHttpResponse<?>> doFilter(HttpRequest<?> request, ServerFilterChain chain) {
        if (!"websocket".equalsIgnoreCase(request.getHeaders().get("Upgrade"))) {
            return chain.proceed(request);
        }
        String[] parts = request.getPath().split("/");
        // /api/v1/namespaces/{ns}/pods/{name}/exec
        String namespace = parts[4];
        String name = parts[6];
        String container = request.getParameters().get("container");
        return Mono.fromCallable(() -> agents.target(namespace, name, container))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(target -> Mono.from(chain.proceed(request)))
                .onErrorResume(ApiException.class, e -> Mono.just(ApiErrors.respond(e)));
    }
}

package io.kubus.gateway.api;

import io.kubus.gateway.GatewayApplication;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Filter;
import io.micronaut.http.filter.HttpServerFilter;
import io.micronaut.http.filter.ServerFilterChain;
import io.micronaut.http.server.netty.NettyHttpRequest;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Checks an exec upgrade before {@link PodExecWebSocket} accepts it, so that a pod on no node or a container the pod
 * does not have gets its 400 Status as an HTTP answer, which kubectl prints, instead of a 101; and answers a GET
 * that asks for no upgrade.
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
        boolean upgrade = "websocket".equalsIgnoreCase(request.getHeaders().get("Upgrade"));
        if (!upgrade && request.getMethod() != HttpMethod.GET) {
            return chain.proceed(request); // POST (kubectl's SPDY fallback): ResourceApi refuses it after the same checks
        }
        String[] parts = request.getPath().split("/");
        // /api/v1/namespaces/{ns}/pods/{name}/exec
        String namespace = parts[4];
        String name = parts[6];
        String container = request.getParameters().get("container");
        java.util.List<String> offered = request.getHeaders().getAll("Sec-WebSocket-Protocol");
        return Mono.fromCallable(() -> agents.target(namespace, name, container))
                .subscribeOn(Schedulers.boundedElastic())
                .publishOn(eventLoopOf(request))
                .flatMap(target -> !upgrade
                        // the WebSocket route would take a plain GET and fail on its missing session
                        ? Mono.<MutableHttpResponse<?>>just(ApiErrors.respond(ApiException.badRequest(
                                PodExecWebSocket.UPGRADE_REQUIRED)))
                        : ExecProtocol.negotiate(offered) == null
                        // The kubelet's handshake refuses offers it knows none of (403, there with no body), after
                        // kube-apiserver checked the pod and container; Netty would upgrade with no protocol at all.
                        ? Mono.<MutableHttpResponse<?>>just(ApiErrors.respond(ApiException.of(403, "Forbidden",
                                ExecProtocol.refusal(offered), null)))
                        : Mono.from(chain.proceed(request)))
                .onErrorResume(ApiException.class, e -> Mono.just(ApiErrors.respond(e)));
    }

    /**
     * The upgrade goes on from the connection's event loop, not from the thread that read the store: Micronaut
     * 4.10 writes the 101 and then installs its WebSocket handler from whatever thread the filter chain resumed on,
     * so kubectl's first frames (stdin and its end, sent at once after the 101) could reach the HTTP handler and be
     * dropped, leaving {@code kubectl exec -i ... cat} waiting for an end of input that never came
     * (micronaut-core PR 12528 moves that step onto the event loop).
     */
    private static Scheduler eventLoopOf(HttpRequest<?> request) {
        return request instanceof NettyHttpRequest<?> netty
                ? Schedulers.fromExecutor(netty.getChannelHandlerContext().executor())
                : Schedulers.immediate();
    }
}

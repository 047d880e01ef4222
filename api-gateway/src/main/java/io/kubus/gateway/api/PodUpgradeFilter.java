package io.kubus.gateway.api;

import io.kubus.gateway.GatewayApplication;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
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
 * Checks an exec or port-forward upgrade before {@link PodExecWebSocket} or {@link PodPortForwardWebSocket} accepts
 * it, so that a pod on no node or a container the pod does not have gets its 400 Status as an HTTP answer, which
 * kubectl prints, instead of a 101; and answers a GET that asks for no upgrade.
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Filter({"/api/v1/namespaces/*/pods/*/exec", "/api/v1/namespaces/*/pods/*/portforward"})
public class PodUpgradeFilter implements HttpServerFilter {
    private final NodeAgents agents;

    public PodUpgradeFilter(NodeAgents agents) {
        this.agents = agents;
    }

    @Override
    public Publisher<MutableHttpResponse<?>> doFilter(HttpRequest<?> request, ServerFilterChain chain) {
        boolean upgrade = "websocket".equalsIgnoreCase(request.getHeaders().get("Upgrade"));
        if (!upgrade && request.getMethod() != HttpMethod.GET) {
            return chain.proceed(request); // POST (kubectl's SPDY fallback): ResourceApi refuses it after the same checks
        }
        String[] parts = request.getPath().split("/");
        // /api/v1/namespaces/{ns}/pods/{name}/{exec|portforward}
        String namespace = parts[4];
        String name = parts[6];
        boolean exec = parts[7].equals("exec");
        String container = request.getParameters().get("container");
        java.util.List<String> offered = request.getHeaders().getAll("Sec-WebSocket-Protocol");
        return Mono.fromCallable(() -> exec ? agents.target(namespace, name, container) : agents.agent(namespace, name))
                .subscribeOn(Schedulers.boundedElastic())
                .publishOn(eventLoopOf(request))
                .flatMap(target -> !upgrade
                        // the WebSocket route would take a plain GET and fail on its missing session
                        ? Mono.<MutableHttpResponse<?>>just(ApiErrors.respond(ApiException.badRequest(exec
                                ? PodExecWebSocket.UPGRADE_REQUIRED : PodPortForwardWebSocket.UPGRADE_REQUIRED)))
                        : refusal(exec, offered) != null
                        ? Mono.<MutableHttpResponse<?>>just(ApiErrors.respond(refusal(exec, offered)))
                        : Mono.from(chain.proceed(request)))
                .onErrorResume(ApiException.class, e -> Mono.just(ApiErrors.respond(e)));
    }

    /** Why a handshake that offers no protocol served here is refused; null when it offers one. */
    private static @Nullable ApiException refusal(boolean exec, java.util.List<String> offered) {
        if (exec) {
            // The kubelet's handshake refuses offers it knows none of (403, there with no body), after
            // kube-apiserver checked the pod and container; Netty would upgrade with no protocol at all.
            return ExecProtocol.negotiate(offered) == null
                    ? ApiException.of(403, "Forbidden", ExecProtocol.refusal(offered), null) : null;
        }
        // kubectl before 1.31 and other clients may offer the kubelet's older WebSocket port-forward framing
        // (portforward.k8s.io channels), which is not served: they get why, rather than an upgrade to nothing.
        boolean tunnel = offered.stream().flatMap(h -> java.util.Arrays.stream(h.split(",")))
                .anyMatch(p -> p.strip().equals(PodPortForwardWebSocket.PROTOCOL));
        return tunnel ? null : ApiException.badRequest("port-forward over WebSocket is served with the "
                + PodPortForwardWebSocket.PROTOCOL + " protocol only; offered: " + offered);
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

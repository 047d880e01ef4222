package io.kubus.gateway.api;

import io.kubus.gateway.GatewayApplication;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Filter;
import io.micronaut.http.filter.HttpServerFilter;
import io.micronaut.http.filter.ServerFilterChain;
import io.micronaut.http.server.netty.NettyHttpRequest;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * Decides a WebSocket upgrade of a resource path before {@link WatchWebSocket} accepts it, as kube-apiserver's list
 * handler does: the watch is set up first (its options, selectors and resourceVersion checked, its start listed),
 * so that bad input gets its Status as a plain HTTP answer instead of a 101; only then is the connection upgraded,
 * and the upgraded socket sends the events of that same watch. A request that is no watch is answered as if it
 * had not asked for an upgrade, as kube-apiserver answers it.
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Filter({"/api/**", "/apis/**"})
public class WatchUpgradeFilter implements HttpServerFilter {
    /** The request attribute that carries the prepared watch to {@link WatchWebSocket}. */
    static final String PREPARED = "kubus.watch.prepared";
    /** Exec and port-forward are upgraded by their own sockets after {@link PodUpgradeFilter}'s checks. */
    private static final Pattern EXEC = Pattern.compile("^/api/v1/namespaces/[^/]+/pods/[^/]+/(exec|attach|portforward)$");
    /** How long a prepared watch waits for its socket before it is dropped (the handshake failed). */
    private static final Duration UNCLAIMED = Duration.ofSeconds(30);

    private final WatchStreams watches;
    private final ResourceController resources;

    public WatchUpgradeFilter(WatchStreams watches, ResourceController resources) {
        this.watches = watches;
        this.resources = resources;
    }

    static boolean isWebSocketUpgrade(HttpRequest<?> request) {
        return "websocket".equalsIgnoreCase(request.getHeaders().get(HttpHeaders.UPGRADE));
    }

    @Override
    public Publisher<MutableHttpResponse<?>> doFilter(HttpRequest<?> request, ServerFilterChain chain) {
        if (!isWebSocketUpgrade(request) || request.getMethod() != HttpMethod.GET
                || EXEC.matcher(request.getPath()).matches()) {
            return chain.proceed(request);
        }
        return Mono.fromCallable(() -> prepare(request))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(answer -> {
                    if (answer instanceof Prepared prepared) {
                        request.setAttribute(PREPARED, prepared);
                        prepared.dropIfUnclaimed();
                        // The 101 and the socket's handler are set up from the connection's event loop; see
                        // PodUpgradeFilter#eventLoopOf.
                        return Mono.from(chain.proceed(request)).subscribeOn(eventLoopOf(request));
                    }
                    return Mono.<MutableHttpResponse<?>>just((MutableHttpResponse<?>) answer);
                })
                .onErrorResume(ApiException.class, e -> Mono.just(ApiErrors.respond(e)));
    }

    /** A {@link Prepared} watch, or the plain answer to a request that is no watch. */
    private Object prepare(HttpRequest<?> request) {
        String full = request.getPath();
        boolean core = full.startsWith("/api/");
        String rest = full.substring(core ? "/api/".length() : "/apis/".length());
        ApiPath path = resources.resourcePath(core, rest);
        Map<String, List<String>> params = new LinkedHashMap<>();
        request.getParameters().forEach(params::put);
        Query query = new Query(params);
        if (path == null || path.name() != null || !(query.isTrue("watch") || path.legacyWatch())) {
            // No watch: kube-apiserver serves a GET the same with or without the upgrade headers.
            HttpResponse<?> plain = core ? resources.getCore(request, rest) : resources.getGroup(request, rest);
            return plain;
        }
        ApiResponse response = watches.watch(path, query, Format.negotiate(request.getHeaders().get(HttpHeaders.ACCEPT)));
        Prepared prepared = new Prepared(response);
        if (request.getHeaders().get("Origin") == null) {
            // kube-apiserver serves watch sockets with golang.org/x/net/websocket's Handler, whose handshake refuses
            // a request without an Origin header with a 403 (fabric8 sends one for that reason).
            prepared.drop();
            throw ApiException.of(403, "Forbidden", "the WebSocket handshake of a watch needs an Origin header "
                    + "(null origin)", null);
        }
        return prepared;
    }

    private static Scheduler eventLoopOf(HttpRequest<?> request) {
        return request instanceof NettyHttpRequest<?> netty
                ? Schedulers.fromExecutor(netty.getChannelHandlerContext().executor())
                : Schedulers.immediate();
    }

    /** A watch registered with the cache, waiting for its socket to take its events. */
    static final class Prepared {
        private final ApiResponse response;
        private final AtomicBoolean claimed = new AtomicBoolean();

        Prepared(ApiResponse response) {
            this.response = response;
        }

        /** The events, once: the socket that takes them ends the watch by cancelling. */
        @Nullable Flux<byte[]> claim() {
            return claimed.compareAndSet(false, true) ? Flux.from(response.stream().chunks()) : null;
        }

        /** Ends a watch no socket took: subscribing and cancelling releases its registration with the cache. */
        void drop() {
            if (claimed.compareAndSet(false, true)) {
                Flux.from(response.stream().chunks()).subscribe().dispose();
            }
        }

        void dropIfUnclaimed() {
            Mono.delay(UNCLAIMED).subscribe(t -> drop());
        }
    }
}

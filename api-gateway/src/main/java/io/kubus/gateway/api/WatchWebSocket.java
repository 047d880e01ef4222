package io.kubus.gateway.api;

import io.kubus.gateway.GatewayApplication;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.RouteCondition;
import io.micronaut.websocket.CloseReason;
import io.micronaut.websocket.WebSocketSession;
import io.micronaut.websocket.annotation.OnClose;
import io.micronaut.websocket.annotation.OnMessage;
import io.micronaut.websocket.annotation.OnOpen;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A watch over WebSocket, as kube-apiserver serves one when a {@code watch=true} request asks for the upgrade (the
 * fabric8 client does, for every watch and informer): the events of the watch {@link WatchUpgradeFilter} prepared,
 * the same {@link WatchStreams} stream a plain HTTP watch gets, each event one text message (JSON, newline ended, as
 * kube-apiserver's text framing sends it), and a normal close (1000) when the watch ends. What the client sends is
 * ignored, as kube-apiserver ignores it; its close ends the watch. Two endpoints, one per root path, share this.
 */
abstract class WatchWebSocket {
    private static final Logger LOG = LoggerFactory.getLogger(WatchWebSocket.class);
    /**
     * Micronaut's router would also offer this route to a plain GET of the same path, which belongs to
     * {@link ResourceController}; the condition keeps it to upgrade requests (the upgrade handler finds WebSocket
     * routes without it). The router evaluates it for every GET, so it stays this cheap.
     */
    static final String UPGRADE_ONLY = "#{request.headers.get('Upgrade') != null && request.headers.get('Upgrade').toString().equalsIgnoreCase('websocket')}";

    private final Map<String, Disposable> watches = new ConcurrentHashMap<>();

    void open(WebSocketSession session, HttpRequest<?> request) {
        WatchUpgradeFilter.Prepared prepared = request.getAttribute(WatchUpgradeFilter.PREPARED,
                WatchUpgradeFilter.Prepared.class).orElse(null);
        Flux<byte[]> events = prepared == null ? null : prepared.claim();
        if (events == null) {
            LOG.debug("a watch socket opened without a prepared watch: {}", request.getPath());
            session.close(CloseReason.INTERNAL_ERROR);
            return;
        }
        Disposable watch = events
                .filter(chunk -> chunk.length > 0) // the empty first chunk only pushes an HTTP watch's headers out
                .concatMap(chunk -> Mono.from(session.send(new String(chunk, StandardCharsets.UTF_8))), 1)
                .subscribe(sent -> { }, error -> {
                    LOG.debug("watch socket ended with an error", error);
                    closeQuietly(session);
                }, () -> closeQuietly(session));
        watches.put(session.getId(), watch);
        if (!session.isOpen()) {
            close(session);
        }
    }

    void close(WebSocketSession session) {
        Disposable watch = watches.remove(session.getId());
        if (watch != null) {
            watch.dispose();
        }
        // The client's close is answered with a normal close, as kube-apiserver's socket answers it.
        closeQuietly(session);
    }

    private static void closeQuietly(WebSocketSession session) {
        try {
            if (session.isOpen()) {
                session.close(CloseReason.NORMAL);
            }
        } catch (RuntimeException e) {
            LOG.debug("closing a watch socket", e);
        }
    }

    /** Watches of the core group. */
    @Requires(env = GatewayApplication.ENVIRONMENT)
    @io.micronaut.websocket.annotation.ServerWebSocket(value = "/api/{+path}", subprotocols = "*")
    public static class Core extends WatchWebSocket {
        @OnOpen
        @RouteCondition(UPGRADE_ONLY)
        public void onOpen(WebSocketSession session, HttpRequest<?> upgrade) {
            open(session, upgrade);
        }

        @OnMessage
        @RouteCondition(UPGRADE_ONLY)
        public void onMessage(byte[] message, WebSocketSession session) {
            // A watch client has nothing to say; kube-apiserver reads and drops it too.
        }

        @OnClose
        public void onClose(WebSocketSession session) {
            close(session);
        }
    }

    /** Watches of the named groups. */
    @Requires(env = GatewayApplication.ENVIRONMENT)
    @io.micronaut.websocket.annotation.ServerWebSocket(value = "/apis/{+path}", subprotocols = "*")
    public static class Grouped extends WatchWebSocket {
        @OnOpen
        @RouteCondition(UPGRADE_ONLY)
        public void onOpen(WebSocketSession session, HttpRequest<?> upgrade) {
            open(session, upgrade);
        }

        @OnMessage
        @RouteCondition(UPGRADE_ONLY)
        public void onMessage(byte[] message, WebSocketSession session) {
            // as above
        }

        @OnClose
        public void onClose(WebSocketSession session) {
            close(session);
        }
    }
}

package io.kubus.gateway.api;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.websocket.CloseReason;
import io.micronaut.websocket.WebSocketSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A client's WebSocket to the gateway relayed to a WebSocket the gateway opens to a node agent, binary message for
 * binary message, as kube-apiserver relays exec and port-forward to the kubelet: the exec bridge
 * ({@link PodExecWebSocket}, which translates the client's channel protocol) and port-forward
 * ({@link PodPortForwardWebSocket}, whose SPDY bytes pass unchanged). The agent's close ends the client's socket;
 * the client's close ends the agent's.
 */
final class AgentRelay implements WebSocket.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(AgentRelay.class);

    /** The relays of one WebSocket endpoint, by client session: what its message and close handlers look up. */
    static final class Sessions {
        private final Map<String, AgentRelay> relays = new ConcurrentHashMap<>();

        void put(WebSocketSession session, AgentRelay relay) {
            relays.put(session.getId(), relay);
        }

        /** A client's message, for its session's relay (none once closed). */
        void toAgent(WebSocketSession session, byte[] message) {
            AgentRelay relay = relays.get(session.getId());
            if (relay != null) {
                relay.toAgent(message);
            }
        }

        /** The client closed: its relay closes the agent's side. */
        void clientClosed(WebSocketSession session) {
            AgentRelay relay = relays.remove(session.getId());
            if (relay != null) {
                relay.clientClosed();
            }
        }
    }

    /** How one kind of relay shapes its messages. */
    interface Translation {
        /** A client's message as the agent takes it, or null for none. */
        byte @Nullable [] toAgent(byte[] message);

        /** An agent's message as the client takes it (byte[] or String), or null for none. */
        @Nullable Object toClient(byte[] message);

        /** What the client gets, before its socket is closed, when the agent cannot be reached; null for nothing. */
        @Nullable Object failure(String message);
    }

    private final WebSocketSession client;
    private final Translation translation;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    /** The agent's socket; what the client sends before it is open waits for it. */
    private final CompletableFuture<WebSocket> agent = new CompletableFuture<>();
    /** Sends to the agent, one after the other (a JDK WebSocket takes one outstanding send at a time). */
    private CompletableFuture<WebSocket> sending = agent;

    AgentRelay(WebSocketSession client, Translation translation) {
        this.client = client;
        this.translation = translation;
    }

    /** Relays through the agent's socket, opened with this relay as its listener, once it is open. */
    void connect(CompletableFuture<WebSocket> agentSocket) {
        agentSocket.whenComplete((ws, error) -> {
            if (error != null) {
                agent.completeExceptionally(error);
                fail(error);
            } else {
                agent.complete(ws);
            }
        });
    }

    synchronized void toAgent(byte[] message) {
        byte[] translated = translation.toAgent(message);
        if (translated != null) {
            sending = sending.thenCompose(ws -> ws.sendBinary(ByteBuffer.wrap(translated), true));
        }
    }

    synchronized void clientClosed() {
        sending = sending.thenCompose(ws -> ws.sendClose(WebSocket.NORMAL_CLOSURE, ""));
        sending.orTimeout(5, TimeUnit.SECONDS).whenComplete((ws, e) -> agent.thenAccept(WebSocket::abort));
    }

    private void toClient(byte[] message) {
        Object translated = translation.toClient(message);
        if (translated != null && client.isOpen()) {
            client.sendSync(translated);
        }
    }

    private void fail(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        String message = cause instanceof ApiException api ? api.getMessage() : "cannot reach the node agent: " + cause;
        LOG.debug("relay to the node agent failed", cause);
        if (client.isOpen()) {
            Object last = translation.failure(message);
            if (last != null) {
                client.sendSync(last);
            }
            client.close(CloseReason.NORMAL);
        }
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        if (!last) {
            partial.writeBytes(bytes);
        } else {
            byte[] message = bytes;
            if (partial.size() > 0) {
                partial.writeBytes(bytes);
                message = partial.toByteArray();
                partial.reset();
            }
            toClient(message);
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        if (client.isOpen()) {
            client.close(new CloseReason(statusCode, reason == null ? "" : reason));
        }
        return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        LOG.debug("the agent's WebSocket failed", error);
        if (client.isOpen()) {
            client.close(CloseReason.INTERNAL_ERROR);
        }
    }
}

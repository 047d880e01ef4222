package io.kubus.gateway.api;

import io.kubus.gateway.GatewayApplication;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.websocket.CloseReason;
import io.micronaut.websocket.WebSocketSession;
import io.micronaut.websocket.annotation.OnClose;
import io.micronaut.websocket.annotation.OnMessage;
import io.micronaut.websocket.annotation.OnOpen;
import io.micronaut.websocket.annotation.ServerWebSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code pods/{name}/exec} over WebSocket in each protocol the kubelet serves ({@link ExecProtocol}: kubectl 1.32
 * offers only v5.channel.k8s.io, fabric8 7.4 only v4.channel.k8s.io): the gateway answers the upgrade (after
 * {@link PodExecFilter} checked the pod, the container and the offered protocols) with the client's first supported
 * protocol, opens v5 to the node agent's exec endpoint, and relays the messages both ways, translated where the
 * client's protocol differs from v5 (as kube-apiserver translates v5 for the kubelet). The agent ends the exchange:
 * a Status on channel 3, then a normal close.
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@ServerWebSocket(value = "/api/v1/namespaces/{namespace}/pods/{name}/exec", subprotocols = ExecProtocol.ALL)
public class PodExecWebSocket {
    /** What the gateway speaks to the node agent, whatever the client speaks (and what kubectl 1.32 offers). */
    static final String PROTOCOL = "v5.channel.k8s.io";
    /** The answer to an exec that is not a WebSocket upgrade (kubectl's SPDY fallback, a plain GET). */
    public static final String UPGRADE_REQUIRED = "Upgrade request required: exec is served over WebSocket ("
            + PROTOCOL + ")";
    private static final Logger LOG = LoggerFactory.getLogger(PodExecWebSocket.class);

    private final NodeAgents agents;
    private final Map<String, Bridge> bridges = new ConcurrentHashMap<>();

    public PodExecWebSocket(NodeAgents agents) {
        this.agents = agents;
    }

    @OnOpen
    public void onOpen(String namespace, String name, WebSocketSession session, HttpRequest<?> request) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        request.getParameters().forEach(params::put);
        String container = request.getParameters().get("container");
        // Netty answered the handshake with the client's first offer that is supported; no offer is channel.k8s.io.
        ExecProtocol protocol = session.getSubprotocol().map(ExecProtocol::named).orElse(ExecProtocol.V1);
        Query query = new Query(params);
        Bridge bridge = new Bridge(session, protocol);
        // The kubelet's first message, empty, on the lowest channel the client reads: the streams are open.
        // (Asynchronously: this runs on the connection's event loop, which does the write.)
        session.sendAsync(protocol.opened(query.isTrue("stdout"), query.isTrue("stderr")));
        bridges.put(session.getId(), bridge);
        // The target was checked before the upgrade; looking it up again touches the store: not on the event loop.
        bridge.agent = CompletableFuture.supplyAsync(() -> agents.target(namespace, name, container),
                        command -> Thread.ofVirtual().start(command))
                .thenCompose(target -> agents.exec(target, params, bridge));
        bridge.sending = bridge.agent;
        bridge.agent.whenComplete((ws, error) -> {
            if (error != null) {
                bridge.fail(error);
            }
        });
    }

    @OnMessage(maxPayloadLength = 1 << 20)
    public void onMessage(byte[] message, WebSocketSession session) {
        Bridge bridge = bridges.get(session.getId());
        if (bridge != null) {
            bridge.toAgent(message);
        }
    }

    @OnClose
    public void onClose(WebSocketSession session) {
        Bridge bridge = bridges.remove(session.getId());
        if (bridge != null) {
            bridge.clientClosed();
        }
    }

    /** One exec: kubectl's session on one side, the agent's WebSocket on the other. */
    private static final class Bridge implements WebSocket.Listener {
        private final WebSocketSession client;
        private final ExecProtocol protocol;
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        volatile CompletableFuture<WebSocket> agent;
        /** Sends to the agent, one after the other (a JDK WebSocket takes one outstanding send at a time). */
        CompletableFuture<WebSocket> sending;

        Bridge(WebSocketSession client, ExecProtocol protocol) {
            this.client = client;
            this.protocol = protocol;
        }

        synchronized void toAgent(byte[] message) {
            byte[] v5 = protocol.toAgent(message);
            if (v5 != null) {
                sending = sending.thenCompose(ws -> ws.sendBinary(ByteBuffer.wrap(v5), true));
            }
        }

        /** An agent's v5 message, in the client's protocol (none at all for v1's result of a success). */
        private void toClient(byte[] message) {
            Object translated = protocol.toClient(message);
            if (translated != null && client.isOpen()) {
                client.sendSync(translated);
            }
        }

        synchronized void clientClosed() {
            sending = sending.thenCompose(ws -> ws.sendClose(WebSocket.NORMAL_CLOSURE, ""));
            sending.orTimeout(5, TimeUnit.SECONDS).whenComplete((ws, e) -> agent.thenAccept(WebSocket::abort));
        }

        void fail(Throwable error) {
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            String message = cause instanceof ApiException api ? api.getMessage()
                    : "cannot reach the node agent: " + cause;
            LOG.debug("exec bridge failed", cause);
            if (client.isOpen()) {
                String status = "{\"metadata\":{},\"status\":\"Failure\",\"message\":" + quote(message)
                        + ",\"reason\":\"InternalError\"}";
                byte[] bytes = status.getBytes(StandardCharsets.UTF_8);
                byte[] frame = new byte[bytes.length + 1];
                frame[0] = ExecProtocol.ERROR;
                System.arraycopy(bytes, 0, frame, 1, bytes.length);
                toClient(frame);
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
            LOG.debug("the agent's exec WebSocket failed", error);
            if (client.isOpen()) {
                client.close(CloseReason.INTERNAL_ERROR);
            }
        }

        private static String quote(String s) {
            return io.kubus.schema.KubusJson.write(s);
        }
    }
}

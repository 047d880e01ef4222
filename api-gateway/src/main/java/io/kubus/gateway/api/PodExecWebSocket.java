package io.kubus.gateway.api;

import io.kubus.gateway.GatewayApplication;
import io.kubus.schema.KubusJson;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.websocket.WebSocketSession;
import io.micronaut.websocket.annotation.OnClose;
import io.micronaut.websocket.annotation.OnMessage;
import io.micronaut.websocket.annotation.OnOpen;
import io.micronaut.websocket.annotation.ServerWebSocket;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code pods/{name}/exec} over WebSocket in each protocol the kubelet serves ({@link ExecProtocol}: kubectl 1.32
 * offers only v5.channel.k8s.io, fabric8 7.4 only v4.channel.k8s.io): the gateway answers the upgrade (after
 * {@link PodUpgradeFilter} checked the pod, the container and the offered protocols) with the client's first supported
 * protocol, opens v5 to the node agent's exec endpoint, and relays the messages both ways ({@link AgentRelay}),
 * translated where the client's protocol differs from v5 (as kube-apiserver translates v5 for the kubelet). The agent ends the exchange:
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

    private final NodeAgents agents;
    private final AgentRelay.Sessions relays = new AgentRelay.Sessions();

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
        AgentRelay relay = new AgentRelay(session, new Translation(protocol));
        // The kubelet's first message, empty, on the lowest channel the client reads: the streams are open.
        // (Asynchronously: this runs on the connection's event loop, which does the write.)
        session.sendAsync(protocol.opened(query.isTrue("stdout"), query.isTrue("stderr")));
        relays.put(session, relay);
        // The target was checked before the upgrade; looking it up again touches the store: not on the event loop.
        relay.connect(CompletableFuture.supplyAsync(() -> agents.target(namespace, name, container),
                        command -> Thread.ofVirtual().start(command))
                .thenCompose(target -> agents.exec(target, params, relay)));
    }

    @OnMessage(maxPayloadLength = 1 << 20)
    public void onMessage(byte[] message, WebSocketSession session) {
        relays.toAgent(session, message);
    }

    @OnClose
    public void onClose(WebSocketSession session) {
        relays.clientClosed(session);
    }

    /** The client's exec protocol to and from v5; a failure is the client's Status on the error channel. */
    private record Translation(ExecProtocol protocol) implements AgentRelay.Translation {
        @Override
        public byte[] toAgent(byte[] message) {
            return protocol.toAgent(message);
        }

        @Override
        public Object toClient(byte[] message) {
            return protocol.toClient(message);
        }

        @Override
        public Object failure(String message) {
            String status = "{\"metadata\":{},\"status\":\"Failure\",\"message\":" + KubusJson.write(message)
                    + ",\"reason\":\"InternalError\"}";
            byte[] bytes = status.getBytes(StandardCharsets.UTF_8);
            byte[] frame = new byte[bytes.length + 1];
            frame[0] = ExecProtocol.ERROR;
            System.arraycopy(bytes, 0, frame, 1, bytes.length);
            return protocol.toClient(frame);
        }
    }
}

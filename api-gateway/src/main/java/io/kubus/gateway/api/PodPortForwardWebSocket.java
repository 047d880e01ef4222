package io.kubus.gateway.api;

import io.kubus.gateway.GatewayApplication;
import io.micronaut.context.annotation.Requires;
import io.micronaut.websocket.WebSocketSession;
import io.micronaut.websocket.annotation.OnClose;
import io.micronaut.websocket.annotation.OnMessage;
import io.micronaut.websocket.annotation.OnOpen;
import io.micronaut.websocket.annotation.ServerWebSocket;

import java.util.concurrent.CompletableFuture;

/**
 * {@code pods/{name}/portforward} over WebSocket as kubectl 1.32 asks for it first: {@value #PROTOCOL}, a SPDY/3.1
 * session carried in binary messages (client-go's tunneling dialer; kube-apiserver's stream tunnel). The gateway
 * does not read the SPDY: after {@link PodUpgradeFilter} checked the pod, it relays the messages unchanged to the
 * node agent that runs the pod ({@link AgentRelay}), which serves the {@code portforward.k8s.io} streams.
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@ServerWebSocket(value = "/api/v1/namespaces/{namespace}/pods/{name}/portforward", subprotocols = PodPortForwardWebSocket.PROTOCOL)
public class PodPortForwardWebSocket {
    public static final String PROTOCOL = "SPDY/3.1+portforward.k8s.io";
    /** The same tunnel as the node agent names it: the JDK WebSocket client refuses the "/" in {@link #PROTOCOL}. */
    static final String AGENT_PROTOCOL = "spdy-3.1.portforward.k8s.io";
    /** The answer to a port-forward that is not this WebSocket upgrade (kubectl's SPDY fallback, a plain GET). */
    public static final String UPGRADE_REQUIRED = "Upgrade request required: port-forward is served over WebSocket ("
            + PROTOCOL + ")";
    /** SPDY passes as it is, and the client learns of an unreachable agent from its socket closing. */
    private static final AgentRelay.Translation AS_IS = new AgentRelay.Translation() {
        @Override
        public byte[] toAgent(byte[] message) {
            return message;
        }

        @Override
        public Object toClient(byte[] message) {
            return message;
        }

        @Override
        public Object failure(String message) {
            return null;
        }
    };

    private final NodeAgents agents;
    private final AgentRelay.Sessions relays = new AgentRelay.Sessions();

    public PodPortForwardWebSocket(NodeAgents agents) {
        this.agents = agents;
    }

    @OnOpen
    public void onOpen(String namespace, String name, WebSocketSession session) {
        AgentRelay relay = new AgentRelay(session, AS_IS);
        relays.put(session, relay);
        // The pod was checked before the upgrade; looking it up again touches the store: not on the event loop.
        relay.connect(CompletableFuture.supplyAsync(() -> agents.agent(namespace, name),
                        command -> Thread.ofVirtual().start(command))
                .thenCompose(agent -> agents.portForward(agent, namespace, name, relay)));
    }

    @OnMessage(maxPayloadLength = 1 << 20)
    public void onMessage(byte[] message, WebSocketSession session) {
        relays.toAgent(session, message);
    }

    @OnClose
    public void onClose(WebSocketSession session) {
        relays.clientClosed(session);
    }
}

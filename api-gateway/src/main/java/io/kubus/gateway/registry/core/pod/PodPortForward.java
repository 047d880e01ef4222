package io.kubus.gateway.registry.core.pod;

import io.kubus.gateway.api.ApiException;
import io.kubus.gateway.api.ApiPath;
import io.kubus.gateway.api.ApiRequest;
import io.kubus.gateway.api.ApiResponse;
import io.kubus.gateway.api.NodeAgents;
import io.kubus.gateway.api.PodPortForwardWebSocket;
import io.kubus.gateway.api.Subresource;
import jakarta.inject.Singleton;

/**
 * {@code pods/NAME/portforward} that is not a WebSocket upgrade ({@link PodPortForwardWebSocket} serves those): a
 * plain request, or kubectl's SPDY fallback (a POST asking for {@code Upgrade: SPDY/3.1}), is refused after the same
 * checks as an upgrade, so that kubectl prints why when the pod is on no node.
 */
@Singleton
public class PodPortForward implements Subresource {
    private final NodeAgents agents;

    public PodPortForward(NodeAgents agents) {
        this.agents = agents;
    }

    @Override
    public String name() {
        return "portforward";
    }

    @Override
    public ApiResponse handle(ApiRequest request) {
        if (!request.method().equals("GET") && !request.method().equals("POST")) {
            throw ApiException.methodNotAllowed("the server does not allow this method on portforward");
        }
        ApiPath path = request.path();
        agents.agent(path.storeNamespace(), path.name());
        throw ApiException.badRequest(PodPortForwardWebSocket.UPGRADE_REQUIRED);
    }
}

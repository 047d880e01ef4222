package io.kubus.gateway.registry.core.pod;

import io.kubus.gateway.api.ApiException;
import io.kubus.gateway.api.ApiPath;
import io.kubus.gateway.api.ApiRequest;
import io.kubus.gateway.api.ApiResponse;
import io.kubus.gateway.api.NodeAgents;
import io.kubus.gateway.api.PodExecWebSocket;
import io.kubus.gateway.api.Subresource;
import jakarta.inject.Singleton;

/**
 * {@code pods/NAME/exec} that is not a WebSocket upgrade ({@link PodExecWebSocket} serves those): a plain request, or
 * kubectl's SPDY fallback, is refused after the same checks as an upgrade, so that kubectl prints why when the pod or
 * container is wrong.
 */
@Singleton
public class PodExec implements Subresource {
    private final NodeAgents agents;

    public PodExec(NodeAgents agents) {
        this.agents = agents;
    }

    @Override
    public String name() {
        return "exec";
    }

    @Override
    public ApiResponse handle(ApiRequest request) {
        if (!request.method().equals("GET") && !request.method().equals("POST")) {
            throw ApiException.methodNotAllowed("the server does not allow this method on exec");
        }
        ApiPath path = request.path();
        agents.target(path.storeNamespace(), path.name(), request.query().get("container"));
        throw ApiException.badRequest(PodExecWebSocket.UPGRADE_REQUIRED);
    }
}

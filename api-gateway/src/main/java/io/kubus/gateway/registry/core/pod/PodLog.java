package io.kubus.gateway.registry.core.pod;

import io.kubus.gateway.api.ApiException;
import io.kubus.gateway.api.ApiRequest;
import io.kubus.gateway.api.ApiResponse;
import io.kubus.gateway.api.NodeAgents;
import io.kubus.gateway.api.Subresource;
import jakarta.inject.Singleton;

/** {@code GET pods/NAME/log}: served by the agent of the pod's node, streamed through (the kubelet's containerLogs). */
@Singleton
public class PodLog implements Subresource {
    private final NodeAgents agents;

    public PodLog(NodeAgents agents) {
        this.agents = agents;
    }

    @Override
    public String name() {
        return "log";
    }

    @Override
    public ApiResponse handle(ApiRequest request) {
        if (!request.method().equals("GET")) {
            throw ApiException.methodNotAllowed("the server does not allow this method on log");
        }
        return agents.logs(request.path(), request.query());
    }
}

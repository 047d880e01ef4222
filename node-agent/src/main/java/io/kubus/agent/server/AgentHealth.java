package io.kubus.agent.server;

import io.kubus.agent.NodeAgentApplication;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;

/** {@code /healthz}, as the kubelet serves it: the agent's server answers (it starts once its nodes are registered). */
@Controller
@Requires(env = NodeAgentApplication.ENVIRONMENT)
public class AgentHealth {
    @Get("/healthz")
    @Produces("text/plain")
    public String healthz() {
        return "ok";
    }
}

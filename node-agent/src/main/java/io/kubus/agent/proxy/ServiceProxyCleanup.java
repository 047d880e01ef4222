package io.kubus.agent.proxy;

import io.kubus.agent.config.AgentSettings;
import io.kubus.agent.runtime.docker.DockerRuntime;
import io.kubus.agent.runtime.docker.HostNetworkHelper;

import java.net.URI;
import java.util.List;

/**
 * Removes the service rules of an engine's kernel and its helper container, as {@code kube-proxy --cleanup}: for a
 * cluster taken down for good (the agents never do it, so that the rules outlive their restarts). With node names
 * as arguments, only when the helper belongs to one of them: other clusters on the engine keep their rules.
 * {@code DOCKER_HOST} names the engine (default the local socket).
 */
public final class ServiceProxyCleanup {
    private ServiceProxyCleanup() {
    }

    public static void main(String[] args) throws Exception {
        String host = System.getenv().getOrDefault("DOCKER_HOST", DockerRuntime.DEFAULT_DOCKER_HOST.toString());
        AgentSettings.Proxy defaults = new AgentSettings.Proxy();
        try (HostNetworkHelper helper = new HostNetworkHelper(URI.create(host), defaults.getHelperName(),
                defaults.getHelperImage())) {
            String owner = helper.owner().orElse("");
            if (owner.isEmpty() || (args.length > 0 && !List.of(args).contains(owner))) {
                System.out.println("service proxy: nothing to remove (helper owner: "
                        + (owner.isEmpty() ? "none" : owner) + ")");
                return;
            }
            ServiceProxy.removeAll(helper, "cleanup");
            System.out.println("service proxy: rules of " + owner + " and the helper removed");
        }
    }
}

package io.kubus.agent.node;

import io.kubus.agent.NodeAgentApplication;
import io.kubus.gateway.testing.GatewayFixture;
import io.micronaut.context.ApplicationContext;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A node-agent application context against a test gateway, started as the service starts. */
public final class AgentFixture {
    private AgentFixture() {
    }

    public static ApplicationContext start(GatewayFixture gateway, Path dataDir, Map<String, Object> settings) {
        Map<String, Object> props = new HashMap<>();
        props.put("kubus.kafka.bootstrap-servers", gateway.kafkaBootstrap());
        props.put("kubus.agent.data-dir", dataDir.toString());
        props.put("kubus.agent.heartbeat-interval", "2s");
        props.put("kubus.agent.node-lease-duration-seconds", 8); // renewed every 2 s
        props.put("kubus.agent.port", -1);
        props.put("kubus.agent.dns.port", 0); // any free port: agents of test classes run at once never share one
        // the service proxy writes the host's iptables: only the tests of the proxy turn it on (and clean up)
        props.put("kubus.agent.proxy.enabled", false);
        props.putAll(settings);
        props.putIfAbsent("kubus.agent.kubeconfig", gateway.agentKubeconfig(
                String.valueOf(props.getOrDefault("kubus.agent.node-name", "kubus-node")),
                Integer.parseInt(String.valueOf(props.getOrDefault("kubus.agent.nodes", 1)))));
        return ApplicationContext.builder().environments(NodeAgentApplication.ENVIRONMENT, "test")
                .properties(props).start();
    }
}

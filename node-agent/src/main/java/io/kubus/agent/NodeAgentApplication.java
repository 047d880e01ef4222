package io.kubus.agent;

import io.micronaut.context.ApplicationContext;

/**
 * Runs the node agent on its own, reading {@code application-node-agent.yml}: it registers its node(s), runs the pods
 * bound to them (NodeAgentService), and serves their logs and exec to the gateway.
 */
public final class NodeAgentApplication {
    /** The Micronaut environment whose configuration file this service reads. */
    public static final String ENVIRONMENT = "node-agent";

    private NodeAgentApplication() {
    }

    public static void main(String[] args) {
        ApplicationContext context = ApplicationContext.builder().mainClass(NodeAgentApplication.class)
                .environments(ENVIRONMENT).args(args).start();
        Runtime.getRuntime().addShutdownHook(new Thread(context::close, "node-agent-shutdown"));
    }
}

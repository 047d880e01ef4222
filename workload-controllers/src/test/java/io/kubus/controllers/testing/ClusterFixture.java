package io.kubus.controllers.testing;

import io.kubus.agent.NodeAgentApplication;
import io.kubus.broker.EmbeddedKafkaBroker;
import io.kubus.client.api.KubusApi;
import io.kubus.controllers.ControllersApplication;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.gateway.testing.ServiceProcess;
import io.kubus.gateway.testing.Kubectl;
import io.kubus.scheduler.SchedulerApplication;
import io.micronaut.context.ApplicationContext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole cluster in this JVM, as the launcher runs it: gateway (embedded broker, H2), scheduler, node agents and,
 * unless asked otherwise, the controllers. Agents and controllers can be added, stopped and started again.
 */
public final class ClusterFixture implements AutoCloseable {
    private final GatewayFixture gateway;
    private final ApplicationContext scheduler;
    private final List<ApplicationContext> agents = new ArrayList<>();
    private final KubusApi api;
    private ApplicationContext controllers;
    private final List<ServiceProcess> processes = new ArrayList<>();

    private ClusterFixture(GatewayFixture gateway, ApplicationContext scheduler) {
        this.gateway = gateway;
        this.scheduler = scheduler;
        this.api = new KubusApi(gateway.clientConfig());
    }

    /** Gateway and scheduler; add agents and controllers as the test needs. */
    public static ClusterFixture start() {
        return start(Map.of());
    }

    /** Gateway (with {@code gatewaySettings}) and scheduler. */
    public static ClusterFixture start(Map<String, Object> gatewaySettings) {
        GatewayFixture gateway = GatewayFixture.start(EmbeddedKafkaBroker.startTemporary(), true,
                GatewayFixture.h2InMemory(), gatewaySettings);
        ApplicationContext scheduler = ApplicationContext.builder().environments(SchedulerApplication.ENVIRONMENT)
                .properties(Map.of("kubus.scheduler.kubeconfig", gateway.schedulerKubeconfig(),
                        "kubus.kafka.bootstrap-servers", gateway.kafkaBootstrap(),
                        "kubus.scheduler.leader-settle", "100ms", "kubus.scheduler.port", -1))
                .start();
        return new ClusterFixture(gateway, scheduler);
    }

    /** The usual cluster of a controller test: {@code nodes} simulated nodes named {@code prefix-0..}, and the controllers. */
    public static ClusterFixture withSimulatedNodes(Path dir, String prefix, int nodes) {
        ClusterFixture cluster = start();
        cluster.addSimulatedNodes(dir.resolve("agent"), prefix, nodes, Map.of());
        cluster.startControllers();
        return cluster;
    }

    /** The real kubectl, with a kubeconfig for this cluster written into {@code dir}. */
    public Kubectl kubectl(Path dir) {
        return new Kubectl(gateway.writeKubeconfig(dir), dir);
    }

    /** The controllers' context, if they run in this JVM. */
    public ApplicationContext controllers() {
        return controllers;
    }

    /** A node agent in this JVM with the given settings (runtime, node name, ...); closed with the cluster. */
    public ApplicationContext addAgent(Path dataDir, Map<String, Object> settings) {
        Map<String, Object> props = new HashMap<>(agentProperties(dataDir));
        props.putAll(settings);
        props.putIfAbsent("kubus.agent.kubeconfig", gateway.agentKubeconfig(
                String.valueOf(props.getOrDefault("kubus.agent.node-name", "kubus-node")),
                Integer.parseInt(String.valueOf(props.getOrDefault("kubus.agent.nodes", 1)))));
        ApplicationContext agent = ApplicationContext.builder().environments(NodeAgentApplication.ENVIRONMENT)
                .properties(props).start();
        agents.add(agent);
        return agent;
    }

    /** Stops an agent of {@link #addAgent} (its containers keep running, as when its process ends). */
    public void stopAgent(ApplicationContext agent) {
        agents.remove(agent);
        agent.close();
    }

    /** An agent hosting {@code nodes} simulated nodes named {@code prefix-0..}. */
    public ApplicationContext addSimulatedNodes(Path dataDir, String prefix, int nodes, Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>();
        props.put("kubus.agent.runtime", "simulated");
        props.put("kubus.agent.nodes", nodes);
        props.put("kubus.agent.node-name", prefix);
        props.put("kubus.agent.simulated-start-latency", "50ms");
        props.putAll(extra);
        return addAgent(dataDir, props);
    }

    /** The kubeconfig of the agent of {@code node}, to add to {@link #agentProperties}. */
    public String nodeKubeconfig(String node) {
        return gateway.nodeKubeconfig(node);
    }

    /**
     * What a node agent needs to join this cluster (for agents started in-process or as a {@link ServiceProcess}),
     * but for its kubeconfig, which names its node ({@link #nodeKubeconfig}).
     */
    public Map<String, Object> agentProperties(Path dataDir) {
        Map<String, Object> props = new HashMap<>();
        props.put("kubus.kafka.bootstrap-servers", gateway.kafkaBootstrap());
        props.put("kubus.agent.data-dir", dataDir.toString());
        props.put("kubus.agent.heartbeat-interval", "2s");
        props.put("kubus.agent.node-lease-duration-seconds", 8); // renewed every 2 s
        props.put("kubus.agent.port", -1);
        // the service proxy writes the host's iptables; these tests do not need it and would leave it behind
        props.put("kubus.agent.proxy.enabled", false);
        return props;
    }

    /** What the controllers need (for a context here or a {@link ServiceProcess}), with the test's overrides. */
    public Map<String, Object> controllerProperties(Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>();
        props.put("kubus.controllers.kubeconfig", gateway.controllerManagerKubeconfig());
        props.put("kubus.kafka.bootstrap-servers", gateway.kafkaBootstrap());
        props.put("kubus.controllers.port", -1);
        // The session timeout stays at its 6 s default: the broker refuses less (group.min.session.timeout.ms).
        props.put("kubus.controllers.leader-settle", "200ms");
        props.putAll(extra);
        return props;
    }

    public ApplicationContext startControllers(Map<String, Object> extra) {
        if (controllers != null) {
            throw new IllegalStateException("controllers already running");
        }
        controllers = ApplicationContext.builder().environments(ControllersApplication.ENVIRONMENT)
                .properties(controllerProperties(extra)).start();
        return controllers;
    }

    public ApplicationContext startControllers() {
        return startControllers(Map.of());
    }

    public void stopControllers() {
        if (controllers != null) {
            controllers.close();
            controllers = null;
        }
    }

    /** The controllers as a process of their own (to be killed); closed with the fixture unless closed before. */
    public ServiceProcess startControllersProcess(Map<String, Object> extra, Path log) throws java.io.IOException {
        ServiceProcess p = ServiceProcess.start(ControllersApplication.class.getName(), controllerProperties(extra), log);
        processes.add(p);
        return p;
    }

    public GatewayFixture gateway() {
        return gateway;
    }

    public KubusApi api() {
        return api;
    }

    @Override
    public void close() {
        for (ServiceProcess p : processes) {
            try {
                p.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stopControllers();
        for (ApplicationContext a : agents.reversed()) {
            a.close();
        }
        scheduler.close();
        api.close();
        gateway.close();
    }
}

package io.kubus.agent.node;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.agent.runtime.ContainerInfo;
import io.kubus.agent.runtime.docker.DockerRuntime;
import io.kubus.client.api.KubusApi;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.gateway.testing.Kubectl;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * One node agent on the real Docker engine behind a test gateway, for a test class of the agent's end-to-end tests:
 * started before the class, and after it the agent stopped first (so its sync loop cannot start a sandbox again
 * behind the clean-up), then every container of its node removed. Register with
 * {@code @RegisterExtension static final DockerNode cluster = new DockerNode("probes-node", Map.of());}.
 */
public final class DockerNode implements BeforeAllCallback, AfterAllCallback {
    private final String prefix;
    private final Map<String, Object> settings;
    private Path dir;
    private String node;
    private GatewayFixture gateway;
    private ApplicationContext agent;
    private KubusApi api;
    private Kubectl kubectl;
    private DockerRuntime docker;

    /** {@code settings}: agent settings beyond the Docker runtime, the node name and a 1 s restart back-off. */
    public DockerNode(String prefix, Map<String, Object> settings) {
        this.prefix = prefix;
        this.settings = settings;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("kubus-" + prefix + "-");
        node = prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
        gateway = GatewayFixture.start();
        Map<String, Object> props = new HashMap<>(Map.of("kubus.agent.runtime", "docker",
                "kubus.agent.node-name", node, "kubus.agent.backoff-initial", "1s"));
        props.putAll(settings);
        agent = AgentFixture.start(gateway, dir.resolve("agent"), props);
        api = new KubusApi(gateway.clientConfig());
        kubectl = new Kubectl(gateway.writeKubeconfig(dir), dir);
        docker = new DockerRuntime(URI.create("unix:///var/run/docker.sock"), node);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (agent != null) {
            agent.close();
        }
        if (docker != null) {
            for (ContainerInfo c : docker.list()) {
                docker.stopContainer(c.id(), Duration.ZERO);
                docker.removeContainer(c.id());
            }
            docker.close();
        }
        if (api != null) {
            api.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    /** {@code kubectl apply} of a manifest written to {@code <name>.yaml}. */
    public void apply(String name, String yaml) throws IOException {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, yaml);
        kubectl.run("apply", "-f", file.toString()).ok();
    }

    public Pod await(String name, Predicate<Pod> done, int seconds) throws InterruptedException {
        return PodWaits.await(api, name, done, seconds);
    }

    /** The running container {@code name} of the pod, as the engine lists it. */
    public ContainerInfo container(Pod pod, String name) {
        return docker.list().stream().filter(c -> pod.getMetadata().getUid().equals(c.podUid()) && name.equals(c.name())
                && c.state() == ContainerInfo.State.RUNNING).findFirst().orElseThrow();
    }

    /** What the command prints on stdout in the container, straight through the engine. */
    public String exec(ContainerInfo c, String... command) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        docker.exec(c.id(), List.of(command), null, out, new ByteArrayOutputStream());
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The host's address on Docker's default bridge, where the pods are. */
    public static String bridgeGateway() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("docker", "network", "inspect", "bridge", "-f",
                "{{(index .IPAM.Config 0).Gateway}} {{index .Options \"com.docker.network.bridge.name\"}}")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) {
            throw new IOException("docker network inspect bridge: " + out);
        }
        String[] gatewayAndBridge = out.split(" ");
        if (gatewayAndBridge.length == 2 && !gatewayAndBridge[0].isEmpty()) {
            return gatewayAndBridge[0];
        }
        // A dockerd that made docker0 itself on its first start leaves the gateway out of the network's IPAM config
        // (Docker 20.10; it appears after a restart): the host's address on the bridge is the same thing.
        String bridge = gatewayAndBridge[gatewayAndBridge.length - 1].isEmpty() ? "docker0"
                : gatewayAndBridge[gatewayAndBridge.length - 1];
        java.net.NetworkInterface nic = java.net.NetworkInterface.getByName(bridge);
        if (nic != null) {
            for (java.net.InterfaceAddress a : nic.getInterfaceAddresses()) {
                if (a.getAddress() instanceof java.net.Inet4Address v4) {
                    return v4.getHostAddress();
                }
            }
        }
        throw new IOException("no address for Docker's bridge network (" + out + ")");
    }

    /** The test class's own folder (manifests, host paths). */
    public Path dir() {
        return dir;
    }

    public String node() {
        return node;
    }

    public GatewayFixture gateway() {
        return gateway;
    }

    public ApplicationContext agent() {
        return agent;
    }

    public KubusApi api() {
        return api;
    }

    public Kubectl kubectl() {
        return kubectl;
    }

    public DockerRuntime docker() {
        return docker;
    }
}

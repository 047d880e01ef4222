package io.kubus.agent.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.Volume;
import io.kubus.agent.runtime.RuntimeLabels;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A long-lived container of the engine in the network namespace of the engine's host, with NET_ADMIN and the host's
 * root at {@code /host} (read-only), in which the host's own tools run ({@code chroot /host}): an agent that is not
 * root, or that runs in a container with only the engine's socket, changes the host's iptables through the engine it
 * already drives. The engine resolves {@code /} on its own host, which is the kernel its containers run on.
 *
 * <p>One per engine, by name; its {@link #OWNER_LABEL} says which node's agent writes through it.
 */
public final class HostNetworkHelper implements AutoCloseable {
    public static final String OWNER_LABEL = "io.kubus.proxy.owner";
    /** Where the helper sees the host's {@code net.ipv4.conf.all} (Docker mounts its own /proc/sys read-only). */
    private static final String CONF_ALL = "/kubus-conf-all";
    /**
     * Waits for SIGTERM; first turns route_localnet on, as kube-proxy does, so that a node port on 127.0.0.1 (the
     * InternalIP of ./kubus up's nodes) may be DNATed to a pod. The value it found is kept for {@link #restore} (once:
     * a restarted helper finds its own value; a replaced one is handed its predecessor's in {@code ROUTE_LOCALNET}).
     */
    private static final String ENTRYPOINT = "[ -e /tmp/route_localnet ] || { [ -n \"$ROUTE_LOCALNET\" ] && echo "
            + "\"$ROUTE_LOCALNET\" > /tmp/route_localnet || cat " + CONF_ALL + "/route_localnet > /tmp/route_localnet; }; "
            + "echo 1 > " + CONF_ALL + "/route_localnet; trap 'exit 0' TERM INT; while :; do sleep 3600 & wait; done";
    /** The PATH of a Debian-like host: busybox's own would not find iptables under the chroot. */
    private static final String HOST_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** The engine, as the pods' runtime reaches it (its exec passes the end of stdin on); no node filter. */
    private final DockerRuntime engine;
    private final DockerClient docker;
    private final String name;
    private final String image;

    public HostNetworkHelper(URI dockerHost, String name, String image) {
        this.engine = new DockerRuntime(dockerHost, null);
        this.docker = engine.client();
        this.name = name;
        this.image = image;
    }

    /** The node whose agent owns the helper, if there is one (running or not). */
    public Optional<String> owner() {
        return inspect().map(c -> c.getConfig().getLabels() == null ? "" : c.getConfig().getLabels()
                .getOrDefault(OWNER_LABEL, ""));
    }

    /**
     * Makes the helper run, owned by {@code owner}: an existing one of another owner is replaced (the caller decided
     * to take over), a stopped one of the same owner started.
     */
    public void ensureRunning(String owner) {
        Optional<InspectContainerResponse> current = inspect();
        String found = "";
        if (current.isPresent() && !owner.equals(current.get().getConfig().getLabels().get(OWNER_LABEL))) {
            found = foundRouteLocalnet();
            remove();
            current = Optional.empty();
        }
        if (current.isEmpty()) {
            try {
                docker.createContainerCmd(image).withName(name)
                        .withLabels(Map.of(OWNER_LABEL, owner, RuntimeLabels.MANAGED_BY, "kubus-service-proxy"))
                        .withEntrypoint("sh", "-c", ENTRYPOINT).withCmd(List.of())
                        .withEnv("ROUTE_LOCALNET=" + found)
                        .withHostConfig(HostConfig.newHostConfig().withNetworkMode("host")
                                .withCapAdd(Capability.NET_ADMIN, Capability.NET_RAW)
                                .withBinds(new Bind("/", new Volume("/host"), AccessMode.ro),
                                        new Bind("/proc/sys/net/ipv4/conf/all", new Volume(CONF_ALL)))
                                .withInit(true))
                        .exec();
            } catch (ConflictException e) {
                return; // another agent made it a moment ago: it is the owner now, the caller looks again
            }
        }
        try {
            docker.startContainerCmd(name).exec();
        } catch (NotModifiedException e) {
            // already running
        }
    }

    /** Runs {@code script} with the host's {@code sh}, its PATH and its root, with {@code stdin} as its input. */
    public Result runOnHost(String script, String stdin) throws IOException {
        return run(List.of("chroot", "/host", "/bin/sh", "-c", "export PATH=" + HOST_PATH + "; " + script), stdin);
    }

    private Result run(List<String> command, String stdin) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = engine.exec(name, command, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), out,
                err);
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The Linux bridge of a Docker bridge network (docker0 for the default one), if it is one. */
    public Optional<String> bridgeOf(String network) {
        Network n;
        try {
            n = docker.inspectNetworkCmd().withNetworkId(network).exec();
        } catch (NotFoundException e) {
            return Optional.empty();
        }
        if (!"bridge".equals(n.getDriver())) {
            return Optional.empty();
        }
        String named = n.getOptions() == null ? null : n.getOptions().get("com.docker.network.bridge.name");
        return Optional.of(named != null && !named.isEmpty() ? named : "br-" + n.getId().substring(0, 12));
    }

    /** The nodes whose running pods this engine holds: all of them share its kernel. */
    public Set<String> nodesWithPods() {
        Set<String> nodes = new TreeSet<>();
        for (Container c : docker.listContainersCmd()
                .withLabelFilter(Map.of(RuntimeLabels.MANAGED_BY, RuntimeLabels.MANAGED_BY_VALUE)).exec()) {
            String node = c.getLabels() == null ? null : c.getLabels().get(RuntimeLabels.NODE);
            if (node != null) {
                nodes.add(node);
            }
        }
        return nodes;
    }

    /** The route_localnet value a running helper found when it started, or "" (not running, none kept). */
    private String foundRouteLocalnet() {
        try {
            String value = run(List.of("cat", "/tmp/route_localnet"), "").out().strip();
            return value.matches("[01]") ? value : "";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** Puts back the route_localnet the helper found, e.g. before it is removed for good. */
    public void restore() throws IOException {
        Result r = run(List.of("sh", "-c", "cat /tmp/route_localnet > " + CONF_ALL + "/route_localnet"), "");
        if (!r.ok()) {
            throw new IOException("restoring route_localnet: " + r.err().strip());
        }
    }

    public void remove() {
        try {
            docker.removeContainerCmd(name).withForce(true).exec();
        } catch (NotFoundException e) {
            // gone already
        }
    }

    private Optional<InspectContainerResponse> inspect() {
        try {
            return Optional.of(docker.inspectContainerCmd(name).exec());
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        engine.close();
    }

    public record Result(int exitCode, String out, String err) {
        public boolean ok() {
            return exitCode == 0;
        }
    }
}

package io.kubus.agent.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.ExecCreateCmdResponse;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectExecResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.InternetProtocol;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.PullResponseItem;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import io.kubus.agent.runtime.ContainerInfo;
import io.kubus.agent.runtime.ContainerRuntime;
import io.kubus.agent.runtime.ContainerSpec;
import io.kubus.agent.runtime.ImagePullException;
import io.kubus.agent.runtime.LogOptions;
import io.kubus.agent.runtime.RuntimeLabels;
import io.kubus.agent.runtime.SandboxInfo;
import io.kubus.agent.runtime.SandboxSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Docker engine as a {@link ContainerRuntime}, through docker-java and its httpclient5 transport.
 *
 * <p>A pod is one sandbox (a pause container on the pods' network, the engine's default bridge unless configured
 * otherwise, holding the pod's network and IPC
 * namespaces, its hostname and its published host ports) plus one container per pod container, joined to the
 * sandbox with network mode {@code container:<sandboxId>}. Everything carries the {@link RuntimeLabels}; a runtime
 * with a node name only lists what carries that node's label, so several agents can share one engine.
 *
 * <p>Containers run with an init process ({@code --init}) so that a shell as the main process still ends on SIGTERM.
 */
public final class DockerRuntime implements ContainerRuntime {

    public static final URI DEFAULT_DOCKER_HOST = URI.create("unix:///var/run/docker.sock");
    /** No pause image can be pulled here; a busybox shell that waits and exits on SIGTERM does its job. */
    public static final String DEFAULT_PAUSE_IMAGE = "kubus/busybox:1";
    public static final List<String> DEFAULT_PAUSE_COMMAND =
            List.of("sh", "-c", "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait; done");
    /** The engine's default network. */
    public static final String DEFAULT_POD_NETWORK = "bridge";

    static final String KIND_SANDBOX = "sandbox";
    static final String KIND_CONTAINER = "container";
    private static final String ZERO_TIME_PREFIX = "0001-01-01";
    private static final Duration SANDBOX_GRACE = Duration.ofSeconds(10);
    /** How long port-forward waits for a pod to accept a connection (a pod IP that drops packets would hang it). */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern ENGINE_MESSAGE = Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final URI dockerHost;
    private final boolean tls;
    private final DockerHttpClient httpClient;
    private final DockerClient docker;
    private final String nodeName;
    private final String pauseImage;
    private final List<String> pauseCommand;
    private final String podNetwork;

    /** The local engine, no node filter, the default pause image. */
    public DockerRuntime() {
        this(DEFAULT_DOCKER_HOST, null);
    }

    public DockerRuntime(URI dockerHost, String nodeName) {
        this(dockerHost, nodeName, DEFAULT_PAUSE_IMAGE, DEFAULT_PAUSE_COMMAND, DEFAULT_POD_NETWORK);
    }

    /**
     * @param dockerHost   e.g. {@code unix:///var/run/docker.sock} or {@code tcp://host:2375}
     * @param nodeName     when not null, {@link #list()} only returns objects labelled with this node, and it is the
     *                     node label of specs that name none
     * @param pauseImage   the sandbox image, e.g. {@code registry.k8s.io/pause:3.9} where a registry is reachable
     * @param pauseCommand the sandbox command; empty for the image's own (a real pause image needs none)
     * @param podNetwork   the Docker network the sandboxes join, whose address is the pod IP; it must be one the
     *                     agent reaches, for probes: an agent in a container (docker-compose) names its own network
     */
    public DockerRuntime(URI dockerHost, String nodeName, String pauseImage, List<String> pauseCommand,
                         String podNetwork) {
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(dockerHost.toString())
                .build();
        // The zerodep transport (docker-java's own shaded HTTP client): with the plain httpclient5 transport, leases
        // of its connection pool were seen cancelled under load (CancellationException, docker-java issue 1641).
        this.httpClient = new ZerodepDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .maxConnections(100)
                .connectionTimeout(Duration.ofSeconds(30))
                .build();
        this.docker = DockerClientImpl.getInstance(config, httpClient);
        this.dockerHost = config.getDockerHost();
        this.tls = config.getSSLConfig() != null;
        this.nodeName = nodeName;
        this.pauseImage = pauseImage;
        this.pauseCommand = List.copyOf(pauseCommand);
        this.podNetwork = podNetwork;
    }

    /** The underlying client, for tests and tools. */
    DockerClient client() {
        return docker;
    }

    @Override
    public String versionString() {
        return "docker://" + docker.versionCmd().exec().getVersion();
    }

    // ---------------------------------------------------------------------------------------------------- sandboxes

    @Override
    public SandboxInfo runSandbox(SandboxSpec spec) {
        Map<String, String> labels = new HashMap<>();
        if (spec.labels() != null) {
            labels.putAll(spec.labels());
        }
        labels.putAll(podLabels(spec.nodeName(), spec.podUid(), spec.namespace(), spec.podName()));
        labels.put(RuntimeLabels.KIND, KIND_SANDBOX);

        List<ExposedPort> exposed = new ArrayList<>();
        Ports bindings = new Ports();
        if (spec.hostPorts() != null) {
            for (SandboxSpec.PortMapping p : spec.hostPorts()) {
                String protocol = p.protocol() == null || p.protocol().isBlank() ? "tcp" : p.protocol();
                ExposedPort port = new ExposedPort(p.containerPort(), InternetProtocol.parse(protocol.toLowerCase(Locale.ROOT)));
                exposed.add(port);
                bindings.bind(port, Ports.Binding.bindPort(p.hostPort()));
            }
        }
        HostConfig hostConfig = HostConfig.newHostConfig()
                .withNetworkMode(podNetwork)
                .withIpcMode("shareable")
                .withInit(true)
                .withPortBindings(bindings);
        CreateContainerCmd create = docker.createContainerCmd(pauseImage)
                .withName(dockerName("k8s_POD", spec.podName(), spec.namespace(), spec.podUid(),
                        UUID.randomUUID().toString().substring(0, 8)))
                .withLabels(labels)
                .withExposedPorts(exposed)
                .withHostConfig(hostConfig);
        if (spec.hostname() != null && !spec.hostname().isBlank()) {
            create.withHostName(spec.hostname());
        }
        if (!pauseCommand.isEmpty()) {
            create.withEntrypoint(pauseCommand).withCmd(List.of());
        }
        String id = create.exec().getId();
        try {
            docker.startContainerCmd(id).exec();
            return new SandboxInfo(id, ipOf(docker.inspectContainerCmd(id).exec(), podNetwork));
        } catch (RuntimeException e) {
            removeQuietly(id);
            throw e;
        }
    }

    /**
     * The pod IP on the pod network, which the agent reaches as the prober does; unlike the kubelet (which dials
     * localhost inside the pod's namespace) a port the pod binds to 127.0.0.1 only is not reached.
     */
    @Override
    public java.net.Socket connect(String sandboxId, int port) throws IOException {
        String ip;
        try {
            ip = ipOf(docker.inspectContainerCmd(sandboxId).exec(), podNetwork);
        } catch (NotFoundException e) {
            throw new IOException("sandbox " + sandboxId + " is gone");
        }
        if (ip == null || ip.isEmpty()) {
            throw new IOException("sandbox " + sandboxId + " has no IP address");
        }
        java.net.Socket socket = new java.net.Socket();
        try {
            socket.connect(new java.net.InetSocketAddress(ip, port), (int) CONNECT_TIMEOUT.toMillis());
        } catch (IOException e) {
            socket.close();
            // as Go's dialer words it, which is what kubectl users know from the kubelet
            throw new IOException("dial tcp " + ip + ":" + port + ": connect: "
                    + (e instanceof java.net.ConnectException ? "connection refused" : e.getMessage()), e);
        }
        return socket;
    }

    private static String ipOf(InspectContainerResponse inspect, String network) {
        if (inspect.getNetworkSettings() == null) {
            return null;
        }
        Map<String, ContainerNetwork> networks = inspect.getNetworkSettings().getNetworks();
        if (networks != null) {
            ContainerNetwork own = networks.get(network);
            if (own != null && own.getIpAddress() != null && !own.getIpAddress().isEmpty()) {
                return own.getIpAddress();
            }
            for (ContainerNetwork n : networks.values()) {
                if (n.getIpAddress() != null && !n.getIpAddress().isEmpty()) {
                    return n.getIpAddress();
                }
            }
        }
        return inspect.getNetworkSettings().getIpAddress();
    }

    @Override
    public void removeSandbox(String sandboxId) {
        stopContainer(sandboxId, SANDBOX_GRACE);
        removeContainer(sandboxId);
    }

    /** The subnets (CIDRs) of the pod network, from the engine; empty when it reports none. */
    public List<String> podNetworkSubnets() {
        var ipam = docker.inspectNetworkCmd().withNetworkId(podNetwork).exec().getIpam();
        if (ipam == null || ipam.getConfig() == null) {
            return List.of();
        }
        return ipam.getConfig().stream().map(c -> c.getSubnet()).filter(s -> s != null && !s.isEmpty()).toList();
    }

    // ------------------------------------------------------------------------------------------------------- images

    @Override
    public boolean hasImage(String image) {
        try {
            docker.inspectImageCmd(image).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    @Override
    public void pullImage(String image) throws ImagePullException {
        String[] error = new String[1];
        try {
            docker.pullImageCmd(image).exec(new ResultCallback.Adapter<PullResponseItem>() {
                @Override
                public void onNext(PullResponseItem item) {
                    if (item.isErrorIndicated() && error[0] == null) {
                        error[0] = item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null
                                ? item.getErrorDetail().getMessage() : item.getError();
                    }
                }
            }).awaitCompletion();
        } catch (DockerException e) {
            throw new ImagePullException(engineMessage(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImagePullException("interrupted while pulling " + image, e);
        } catch (RuntimeException e) {
            throw new ImagePullException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
        if (error[0] != null) {
            throw new ImagePullException(error[0], null);
        }
        if (!hasImage(image)) {
            throw new ImagePullException("the engine reported no error but image " + image + " is not present", null);
        }
    }

    /** The engine's own message out of docker-java's "Status 404: {"message":"..."}". */
    static String engineMessage(DockerException e) {
        String raw = e.getMessage() == null ? "" : e.getMessage();
        Matcher m = ENGINE_MESSAGE.matcher(raw);
        if (m.find()) {
            return m.group(1).replace("\\\"", "\"").replace("\\\\", "\\").replace("\\n", "\n");
        }
        return raw.strip();
    }

    // --------------------------------------------------------------------------------------------------- containers

    @Override
    public String createContainer(String sandboxId, ContainerSpec spec) {
        Map<String, String> labels = new HashMap<>();
        if (spec.labels() != null) {
            labels.putAll(spec.labels());
        }
        labels.putAll(podLabels(spec.nodeName(), spec.podUid(), spec.namespace(), spec.podName()));
        labels.put(RuntimeLabels.KIND, KIND_CONTAINER);
        labels.put(RuntimeLabels.CONTAINER_NAME, spec.name());
        labels.put(RuntimeLabels.RESTART_COUNT, Integer.toString(spec.restartCount()));

        HostConfig hostConfig = HostConfig.newHostConfig()
                .withNetworkMode("container:" + sandboxId)
                .withIpcMode("container:" + sandboxId)
                .withInit(true);
        if (spec.memoryLimitBytes() > 0) {
            hostConfig.withMemory(spec.memoryLimitBytes()).withMemorySwap(spec.memoryLimitBytes());
        }
        if (spec.cpuQuotaMillis() > 0) {
            // as the kubelet does: quota = millis * period / 1000, and never below the kernel's 1 ms minimum
            hostConfig.withCpuPeriod(100_000L).withCpuQuota(Math.max(1_000L, spec.cpuQuotaMillis() * 100));
        }
        if (spec.cpuShares() > 0) {
            hostConfig.withCpuShares((int) Math.min(Integer.MAX_VALUE, Math.max(2, spec.cpuShares())));
        }
        if (spec.mounts() != null && !spec.mounts().isEmpty()) {
            List<Bind> binds = new ArrayList<>();
            for (ContainerSpec.Mount m : spec.mounts()) {
                binds.add(new Bind(m.hostPath(), new Volume(m.containerPath()), m.readOnly() ? AccessMode.ro : AccessMode.rw));
            }
            hostConfig.withBinds(binds);
        }

        List<String> env = new ArrayList<>();
        if (spec.env() != null) {
            spec.env().forEach((k, v) -> env.add(k + "=" + (v == null ? "" : v)));
        }
        String baseName = dockerName("k8s_" + spec.name(), spec.podName(), spec.namespace(), spec.podUid(),
                Integer.toString(spec.restartCount()));
        CreateContainerCmd create = docker.createContainerCmd(spec.image())
                .withLabels(labels)
                .withEnv(env)
                .withHostConfig(hostConfig);
        if (spec.command() != null && !spec.command().isEmpty()) {
            create.withEntrypoint(spec.command());
        }
        if (spec.args() != null && !spec.args().isEmpty()) {
            create.withCmd(spec.args());
        } else if (spec.command() != null && !spec.command().isEmpty()) {
            // Kubernetes: command without args ignores the image's CMD
            create.withCmd(List.of());
        }
        if (spec.workingDir() != null && !spec.workingDir().isBlank()) {
            create.withWorkingDir(spec.workingDir());
        }
        try {
            return create.withName(baseName).exec().getId();
        } catch (ConflictException e) {
            // a leftover of an earlier attempt holds the name; the labels, not the name, identify the container
            return create.withName(baseName + "_" + UUID.randomUUID().toString().substring(0, 8)).exec().getId();
        }
    }

    @Override
    public void startContainer(String containerId) {
        try {
            docker.startContainerCmd(containerId).exec();
        } catch (NotModifiedException e) {
            // already running
        }
    }

    @Override
    public void stopContainer(String containerId, Duration grace) {
        long millis = grace == null || grace.isNegative() ? 0 : grace.toMillis();
        int seconds = (int) Math.min(Integer.MAX_VALUE, (millis + 999) / 1000);
        try {
            docker.stopContainerCmd(containerId).withTimeout(seconds).exec();
        } catch (NotFoundException | NotModifiedException e) {
            // gone or already stopped
        }
    }

    @Override
    public void removeContainer(String containerId) {
        try {
            docker.removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException e) {
            // already gone
        } catch (ConflictException e) {
            if (!String.valueOf(e.getMessage()).contains("already in progress")) {
                throw e;
            }
        }
    }

    private void removeQuietly(String id) {
        try {
            removeContainer(id);
        } catch (RuntimeException ignored) {
            // best effort after a failed start
        }
    }

    // ----------------------------------------------------------------------------------------------------- reading

    @Override
    public List<ContainerInfo> list() {
        return list(Map.of());
    }

    @Override
    public List<ContainerInfo> listPod(String podUid) {
        return list(Map.of(RuntimeLabels.POD_UID, podUid));
    }

    /** This agent's sandboxes and containers on this node that also carry {@code labels}; each inspected. */
    private List<ContainerInfo> list(Map<String, String> labels) {
        Map<String, String> filter = new HashMap<>(labels);
        filter.put(RuntimeLabels.MANAGED_BY, RuntimeLabels.MANAGED_BY_VALUE);
        if (nodeName != null) {
            filter.put(RuntimeLabels.NODE, nodeName);
        }
        List<Container> containers = docker.listContainersCmd().withShowAll(true).withLabelFilter(filter).exec();
        List<ContainerInfo> result = new ArrayList<>(containers.size());
        for (Container c : containers) {
            inspect(c.getId()).ifPresent(result::add);
        }
        return result;
    }

    @Override
    public Optional<ContainerInfo> inspect(String containerId) {
        try {
            return Optional.of(toInfo(docker.inspectContainerCmd(containerId).exec()));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    static ContainerInfo toInfo(InspectContainerResponse inspect) {
        Map<String, String> labels = inspect.getConfig() != null && inspect.getConfig().getLabels() != null
                ? Map.copyOf(inspect.getConfig().getLabels()) : Map.of();
        InspectContainerResponse.ContainerState st = inspect.getState();
        ContainerInfo.State state = ContainerInfo.State.UNKNOWN;
        int exitCode = 0;
        String reason = null;
        Instant startedAt = null;
        Instant finishedAt = null;
        if (st != null) {
            state = switch (String.valueOf(st.getStatus())) {
                case "created" -> ContainerInfo.State.CREATED;
                case "running", "paused", "restarting" -> ContainerInfo.State.RUNNING;
                case "exited", "dead" -> ContainerInfo.State.EXITED;
                default -> ContainerInfo.State.UNKNOWN;
            };
            exitCode = st.getExitCodeLong() == null ? 0 : st.getExitCodeLong().intValue();
            startedAt = parseTime(st.getStartedAt());
            finishedAt = parseTime(st.getFinishedAt());
            if (state == ContainerInfo.State.EXITED) {
                reason = Boolean.TRUE.equals(st.getOOMKilled()) ? "OOMKilled" : exitCode == 0 ? "Completed" : "Error";
            } else {
                finishedAt = null; // a restarted container keeps the previous run's finish time
            }
        }
        int restartCount = 0;
        try {
            restartCount = Integer.parseInt(labels.getOrDefault(RuntimeLabels.RESTART_COUNT, "0"));
        } catch (NumberFormatException ignored) {
            // not ours to fix
        }
        return new ContainerInfo(
                inspect.getId(),
                KIND_SANDBOX.equals(labels.get(RuntimeLabels.KIND)),
                labels.get(RuntimeLabels.POD_UID),
                labels.get(RuntimeLabels.POD_NAMESPACE),
                labels.get(RuntimeLabels.POD_NAME),
                labels.getOrDefault(RuntimeLabels.CONTAINER_NAME, ""),
                state, exitCode, reason,
                parseTime(inspect.getCreated()), startedAt, finishedAt,
                inspect.getConfig() == null ? null : inspect.getConfig().getImage(),
                inspect.getImageId(),
                restartCount,
                labels);
    }

    /** RFC 3339 with nanoseconds; Docker's zero time (year 1) means never. */
    static Instant parseTime(String value) {
        if (value == null || value.isBlank() || value.startsWith(ZERO_TIME_PREFIX)) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    @Override
    public InputStream logs(String containerId, LogOptions options) throws IOException {
        boolean tty;
        try {
            InspectContainerResponse inspect = docker.inspectContainerCmd(containerId).exec();
            tty = inspect.getConfig() != null && Boolean.TRUE.equals(inspect.getConfig().getTty());
        } catch (NotFoundException e) {
            throw new IOException("no such container: " + containerId, e);
        }
        StringBuilder path = new StringBuilder("/containers/").append(containerId).append("/logs?stdout=1&stderr=1");
        path.append("&follow=").append(options.follow() ? 1 : 0);
        path.append("&timestamps=").append(options.timestamps() ? 1 : 0);
        path.append("&tail=").append(options.tailLines() < 0 ? "all" : Integer.toString(options.tailLines()));
        if (options.sinceSeconds() > 0) {
            path.append("&since=").append(Instant.now().getEpochSecond() - options.sinceSeconds());
        }
        DockerHttpClient.Request request = DockerHttpClient.Request.builder()
                .method(DockerHttpClient.Request.Method.GET)
                .path(path.toString())
                .build();
        DockerHttpClient.Response response;
        try {
            response = httpClient.execute(request);
        } catch (RuntimeException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e);
        }
        if (response.getStatusCode() != 200) {
            String body;
            try (response; InputStream in = response.getBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Matcher m = ENGINE_MESSAGE.matcher(body);
            throw new IOException("logs of " + containerId + ": " + (m.find() ? m.group(1) : body.strip()));
        }
        InputStream body = response.getBody();
        if (tty) {
            return new java.io.FilterInputStream(body) {
                @Override
                public void close() {
                    response.close();
                }
            };
        }
        return new DemultiplexingInputStream(body, response);
    }

    @Override
    public int exec(String containerId, List<String> command, InputStream stdin, OutputStream stdout,
                    OutputStream stderr) throws IOException {
        ExecCreateCmdResponse created;
        try {
            created = docker.execCreateCmd(containerId)
                    .withCmd(command.toArray(String[]::new))
                    .withAttachStdin(stdin != null)
                    .withAttachStdout(true)
                    .withAttachStderr(true)
                    .exec();
        } catch (NotFoundException | ConflictException e) {
            throw new IOException(engineMessage(e), e);
        }
        IOException[] writeError = new IOException[1];
        ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                OutputStream target = switch (frame.getStreamType()) {
                    case STDERR -> stderr;
                    default -> stdout;
                };
                if (target == null || writeError[0] != null) {
                    return;
                }
                try {
                    target.write(frame.getPayload());
                    target.flush();
                } catch (IOException e) {
                    writeError[0] = e;
                }
            }
        };
        try {
            if (stdin != null && !tls && HijackedExecStart.supports(dockerHost)) {
                // docker-java never passes the end of stdin on; see HijackedExecStart
                HijackedExecStart.run(dockerHost, created.getId(), stdin, stdout, stderr);
            } else {
                var start = docker.execStartCmd(created.getId()).withDetach(false).withTty(false);
                if (stdin != null) {
                    start.withStdIn(stdin);
                }
                start.exec(callback).awaitCompletion();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            callback.close();
            throw new java.io.InterruptedIOException("interrupted while running exec in " + containerId);
        } catch (DockerException e) {
            throw new IOException(engineMessage(e), e);
        }
        if (writeError[0] != null) {
            throw writeError[0];
        }
        // the stream can end a moment before the engine records the exit code
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            InspectExecResponse result = docker.inspectExecCmd(created.getId()).exec();
            if (!Boolean.TRUE.equals(result.isRunning()) && result.getExitCodeLong() != null) {
                return result.getExitCodeLong().intValue();
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("exec in " + containerId + " ended its output but reports no exit code");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException();
            }
        }
    }

    @Override
    public void close() {
        try {
            docker.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------------------------------------------ helpers

    private Map<String, String> podLabels(String specNode, String podUid, String namespace, String podName) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(RuntimeLabels.MANAGED_BY, RuntimeLabels.MANAGED_BY_VALUE);
        String node = specNode != null && !specNode.isBlank() ? specNode : nodeName;
        if (node != null) {
            labels.put(RuntimeLabels.NODE, node);
        }
        labels.put(RuntimeLabels.POD_UID, nullToEmpty(podUid));
        labels.put(RuntimeLabels.POD_NAMESPACE, nullToEmpty(namespace));
        labels.put(RuntimeLabels.POD_NAME, nullToEmpty(podName));
        return labels;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    /** dockershim's naming, k8s_<container>_<pod>_<namespace>_<uid>_<attempt>, restricted to Docker's name characters. */
    static String dockerName(String... parts) {
        String joined = String.join("_", parts);
        String cleaned = joined.replaceAll("[^a-zA-Z0-9_.-]", "-");
        return cleaned.length() > 200 ? cleaned.substring(0, 200) : cleaned;
    }
}

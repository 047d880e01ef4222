package io.kubus.agent.pod;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.kubus.agent.dns.PodDns;
import io.kubus.agent.runtime.ContainerInfo;
import io.kubus.agent.runtime.ContainerRuntime;
import io.kubus.agent.runtime.ContainerSpec;
import io.kubus.agent.runtime.ImagePullException;
import io.kubus.agent.runtime.SandboxInfo;
import io.kubus.agent.runtime.SandboxSpec;
import io.kubus.schema.pod.PodPhases;
import io.kubus.schema.quantity.ResourceQuantity;
import io.micronaut.core.annotation.Nullable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Converges one pod on this node to its spec, level-triggered, as the kubelet's SyncPod does: sandbox first, init
 * containers in order, then the app containers, each restarted as its pod's restartPolicy says with crash-loop
 * back-off; and on deletion, stop everything within the grace period. Everything it needs to know is read back from
 * the runtime (containers carry their pod's labels), so an agent restarted with pods running adopts them.
 */
public final class PodSync {
    private static final Duration VOLUME_REFRESH = Duration.ofSeconds(60);
    private static final Duration MIN_GRACE_AFTER_HOOK = Duration.ofSeconds(2);
    private static final String HOSTS = "hosts";
    private static final String RESOLV_CONF = "resolv.conf";

    private final String nodeName;
    private final String hostIp;
    private final ContainerRuntime runtime;
    private final RestartBackoff backoff;
    private final PodEvents events;
    private final Path volumesRoot;
    private final Clock clock;
    private final Map<String, String> podIps = new ConcurrentHashMap<>();
    private final Map<String, Instant> startTimes = new ConcurrentHashMap<>();
    private final ProbeManager probes;
    private final PodConfig config;
    private final PodConfigSource source;
    /** The host folder of each claim volume of a pod, by pod uid and volume name, once its claim was found bound. */
    private final Map<String, Map<String, String>> claimFolders = new ConcurrentHashMap<>();
    private final Executor async;
    private final Prober hooks;
    /** Containers being stopped after a failed liveness or startup probe, by id. */
    private final Set<String> killing = ConcurrentHashMap.newKeySet();
    /** When the files of a pod's secret and configMap volumes were last written, by pod uid. */
    private final Map<String, Instant> volumesWritten = new ConcurrentHashMap<>();
    /** The pods' hostnames, resolv.conf and hosts files; null where containers are not real (simulated runtime). */
    private final @Nullable PodDns dns;

    /** A sync without probes running on their own (nothing drives them) and without Secrets or ConfigMaps. */
    public PodSync(String nodeName, String hostIp, ContainerRuntime runtime, RestartBackoff backoff, PodEvents events,
                   Path volumesRoot, Clock clock) {
        this(nodeName, hostIp, runtime, backoff, events, volumesRoot, clock,
                new ProbeManager(events, clock, Runnable::run, ProbeManager.runner(new Prober(runtime))),
                PodConfigSource.none(), Runnable::run, null);
    }

    /**
     * @param probes the prober of this node's containers (started by the caller)
     * @param config where Secrets and ConfigMaps are read from
     * @param async  where work that must not hold the sync back runs (stopping a container that failed its probe)
     * @param dns    the pods' hostnames and the /etc/hosts and /etc/resolv.conf given to every container, as the
     *               kubelet makes them; null: the sandbox's hostname is the pod's, the files the runtime's
     */
    public PodSync(String nodeName, String hostIp, ContainerRuntime runtime, RestartBackoff backoff, PodEvents events,
                   Path volumesRoot, Clock clock, ProbeManager probes, PodConfigSource config, Executor async,
                   @Nullable PodDns dns) {
        this.nodeName = nodeName;
        this.hostIp = hostIp;
        this.runtime = runtime;
        this.backoff = backoff;
        this.events = events;
        this.volumesRoot = volumesRoot;
        this.clock = clock;
        this.probes = probes;
        this.config = new PodConfig(config);
        this.source = config;
        this.async = async;
        this.hooks = new Prober(runtime);
        this.dns = dns;
    }

    /**
     * The outcome of one sync.
     *
     * @param status  the pod's status now, to report; null once the pod is gone from the node
     * @param stopped true when a deleted pod has nothing left running: its deletion may be confirmed
     */
    public record Result(@Nullable PodStatus status, boolean stopped) {
    }

    /** Converges a pod that exists in the API and is bound to this node. */
    public Result sync(Pod pod, List<ContainerInfo> owned) {
        String uid = pod.getMetadata().getUid();
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            return new Result(null, kill(pod, owned));
        }
        if (PodPhases.isTerminal(pod)) {
            // A finished pod never runs again, as the kubelet stops syncing terminal pods: nothing to converge.
            return new Result(pod.getStatus(), false);
        }
        Instant now = clock.instant();
        startTimes.putIfAbsent(uid, startTimeOf(pod, now));
        Map<String, ContainerObservation.Waiting> waiting = new HashMap<>();
        // Volumes are set up before the sandbox, as the kubelet's volume manager does before SyncPod.
        String sandboxId = mountVolumes(pod, now) ? ensureSandbox(pod, owned) : null;
        List<ContainerInfo> current = sandboxId == null ? owned : runtime.listPod(uid);
        String policy = Objects.requireNonNullElse(pod.getSpec().getRestartPolicy(), "Always");
        boolean initDone = true;
        for (Container c : Objects.requireNonNullElse(pod.getSpec().getInitContainers(), List.<Container>of())) {
            ContainerInfo latest = newest(current, c.getName());
            if (latest != null && latest.state() == ContainerInfo.State.EXITED && latest.exitCode() == 0) {
                continue;
            }
            initDone = false;
            if (sandboxId != null && !(latest != null && latest.state() == ContainerInfo.State.EXITED
                    && latest.exitCode() != 0 && policy.equals("Never"))) {
                converge(pod, sandboxId, c, latest, "Always", waiting, now);
            }
            break;
        }
        if (initDone && sandboxId != null) {
            for (Container c : pod.getSpec().getContainers()) {
                converge(pod, sandboxId, c, newest(current, c.getName()), policy, waiting, now);
            }
        }
        List<ContainerInfo> after = runtime.listPod(uid);
        String ip = podIp(pod);
        Map<String, ContainerObservation> obs = new LinkedHashMap<>();
        List<Container> inits = Objects.requireNonNullElse(pod.getSpec().getInitContainers(), List.of());
        for (Container c : allContainers(pod)) {
            List<ContainerInfo> runs = runs(after, c.getName());
            ContainerInfo cur = runs.isEmpty() ? null : runs.getFirst();
            ContainerInfo prev = runs.size() > 1 ? runs.get(1) : null;
            boolean running = cur != null && cur.state() == ContainerInfo.State.RUNNING;
            if (inits.contains(c)) {
                obs.put(c.getName(), new ContainerObservation(cur, prev, waiting.get(c.getName()), running));
                continue;
            }
            ProbeManager.Status probed = probes.observe(pod, ip, c, cur);
            if (probed.killReason() != null) {
                killForProbe(pod, c, cur, probed, policy);
            }
            obs.put(c.getName(), new ContainerObservation(cur, prev, waiting.get(c.getName()),
                    running && probed.ready(), running && probed.started()));
        }
        boolean sandboxReady = after.stream().anyMatch(c -> c.sandbox() && c.state() == ContainerInfo.State.RUNNING);
        PodStatus status = PodStatuses.compute(pod, obs, sandboxReady, ip, hostIp, startTimes.get(uid), now);
        return new Result(status, false);
    }

    /** Stops and removes everything a pod left on this node (deleted pods, orphans); true when nothing is left. */
    public boolean kill(@Nullable Pod pod, List<ContainerInfo> owned) {
        Duration grace = Duration.ZERO;
        if (pod != null && pod.getMetadata().getDeletionTimestamp() != null) {
            Instant deadline = Instant.parse(pod.getMetadata().getDeletionTimestamp());
            grace = Duration.between(clock.instant(), deadline);
            if (grace.isNegative()) {
                grace = Duration.ZERO;
            }
        }
        // Every container stops at once, each running its preStop hook first, within the one grace period.
        List<Thread> stopping = new ArrayList<>();
        String ip = pod == null ? null : podIp(pod);
        for (ContainerInfo c : owned) {
            if (!c.sandbox()) {
                if (c.state() == ContainerInfo.State.RUNNING && pod != null) {
                    events.normal(pod, "Killing", "Stopping container " + c.name());
                }
                Container spec = pod == null ? null : allContainers(pod).stream()
                        .filter(s -> s.getName().equals(c.name())).findFirst().orElse(null);
                Duration g = grace;
                stopping.add(Thread.ofVirtual().name("stop-" + c.id()).start(() -> {
                    stop(pod, spec, c, ip, g);
                    runtime.removeContainer(c.id());
                }));
            }
        }
        for (Thread t : stopping) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        for (ContainerInfo c : owned) {
            if (c.sandbox()) {
                runtime.removeSandbox(c.id());
            }
        }
        if (!owned.isEmpty()) {
            String uid = owned.getFirst().podUid();
            podIps.remove(uid);
            startTimes.remove(uid);
            volumesWritten.remove(uid);
            probes.forget(uid);
            backoff.forget(uid + "/");
            deleteVolumes(uid);
        }
        return true;
    }

    /**
     * A pod whose finished phase the API holds: whatever still runs of it stops, its sandbox too (its IP and host ports
     * go back), and its exited containers stay for {@code kubectl logs} until the pod is deleted, as the kubelet does.
     * Only once the API holds the phase: an agent restarted before its report landed must not find the pod's sandbox
     * gone and start the pod again.
     */
    public void finished(Pod pod, List<ContainerInfo> owned) {
        Duration grace = Duration.ofSeconds(Math.max(0,
                Objects.requireNonNullElse(pod.getSpec().getTerminationGracePeriodSeconds(), 30L)));
        for (ContainerInfo c : owned) {
            if (!c.sandbox() && c.state() == ContainerInfo.State.RUNNING) {
                runtime.stopContainer(c.id(), grace);
            }
        }
        for (ContainerInfo c : owned) {
            if (c.sandbox() && c.state() == ContainerInfo.State.RUNNING) {
                runtime.stopContainer(c.id(), Duration.ZERO);
            }
        }
        String uid = pod.getMetadata().getUid();
        probes.forget(uid);
        startTimes.remove(uid);
    }

    private @Nullable String ensureSandbox(Pod pod, List<ContainerInfo> owned) {
        ContainerInfo sandbox = owned.stream().filter(ContainerInfo::sandbox)
                .filter(c -> c.state() == ContainerInfo.State.RUNNING).findFirst().orElse(null);
        if (sandbox != null) {
            return sandbox.id();
        }
        // A sandbox that died takes the pod's network with it: start over, as the kubelet does.
        for (ContainerInfo c : owned) {
            if (c.sandbox()) {
                runtime.removeSandbox(c.id());
            } else {
                runtime.stopContainer(c.id(), Duration.ZERO);
                runtime.removeContainer(c.id());
            }
        }
        List<SandboxSpec.PortMapping> hostPorts = new ArrayList<>();
        for (Container c : allContainers(pod)) {
            for (ContainerPort p : Objects.requireNonNullElse(c.getPorts(), List.<ContainerPort>of())) {
                if (p.getHostPort() != null && p.getHostPort() > 0) {
                    hostPorts.add(new SandboxSpec.PortMapping(p.getHostPort(), p.getContainerPort(),
                            Objects.requireNonNullElse(p.getProtocol(), "TCP")));
                }
            }
        }
        try {
            // the joined containers share the sandbox's UTS namespace, so its hostname is theirs
            String hostname = dns != null ? dns.hostname(pod)
                    : Objects.requireNonNullElse(pod.getSpec().getHostname(), pod.getMetadata().getName());
            SandboxInfo info = runtime.runSandbox(new SandboxSpec(nodeName, pod.getMetadata().getUid(),
                    pod.getMetadata().getNamespace(), pod.getMetadata().getName(), hostname, hostPorts, Map.of()));
            podIps.put(pod.getMetadata().getUid(), info.ip());
            if (dns != null) {
                writeDnsFiles(pod, info.ip(), true);
            }
            return info.id();
        } catch (RuntimeException e) {
            events.warning(pod, "FailedCreatePodSandBox", "Failed to create pod sandbox: " + e.getMessage());
            return null;
        }
    }

    /** One container toward its spec: start it when missing, restart it when its policy says so and back-off allows. */
    private void converge(Pod pod, String sandboxId, Container c, @Nullable ContainerInfo latest, String policy,
                          Map<String, ContainerObservation.Waiting> waiting, Instant now) {
        String key = pod.getMetadata().getUid() + "/" + c.getName();
        if (latest != null && latest.state() != ContainerInfo.State.EXITED) {
            return;
        }
        int restartCount = 0;
        if (latest != null) {
            boolean restart = policy.equals("Always") || (policy.equals("OnFailure") && latest.exitCode() != 0);
            if (!restart) {
                return;
            }
            Instant started = latest.startedAt() == null ? now : latest.startedAt();
            Instant finished = latest.finishedAt() == null ? now : latest.finishedAt();
            Duration delay = backoff.failedOnce(key, finished, Duration.between(started, finished));
            if (backoff.waiting(key, now)) {
                waiting.put(c.getName(), new ContainerObservation.Waiting("CrashLoopBackOff", "back-off "
                        + delay.toSeconds() + "s restarting failed container=" + c.getName() + " pod="
                        + pod.getMetadata().getName() + "_" + pod.getMetadata().getNamespace() + "("
                        + pod.getMetadata().getUid() + ")"));
                events.warningOnce(pod, "BackOff", "Back-off restarting failed container " + c.getName() + " in pod "
                        + pod.getMetadata().getName() + "_" + pod.getMetadata().getNamespace() + "("
                        + pod.getMetadata().getUid() + ")");
                return;
            }
            restartCount = latest.restartCount() + 1;
        }
        if (!ensureImage(pod, c, key, waiting, now)) {
            return;
        }
        ContainerSpec spec;
        try {
            spec = spec(pod, c, restartCount);
        } catch (ContainerConfigException | java.io.UncheckedIOException e) {
            String message = e instanceof ContainerConfigException ? e.getMessage()
                    : "reading the container's configuration failed: " + e.getMessage();
            waiting.put(c.getName(), new ContainerObservation.Waiting("CreateContainerConfigError", message));
            events.warningOnce(pod, "Failed", "Error: " + message);
            return;
        }
        try {
            String id = runtime.createContainer(sandboxId, spec);
            events.normal(pod, "Created", "Created container: " + c.getName());
            runtime.startContainer(id);
            events.normal(pod, "Started", "Started container " + c.getName());
            // Keep the run before this one (for lastState and logs --previous), remove older ones.
            List<ContainerInfo> runs = runs(runtime.listPod(pod.getMetadata().getUid()), c.getName());
            for (int i = 2; i < runs.size(); i++) {
                runtime.removeContainer(runs.get(i).id());
            }
        } catch (RuntimeException e) {
            waiting.put(c.getName(), new ContainerObservation.Waiting("CreateContainerError", e.getMessage()));
            events.warning(pod, "Failed", "Error: " + e.getMessage());
        }
    }

    private boolean ensureImage(Pod pod, Container c, String key, Map<String, ContainerObservation.Waiting> waiting,
                                Instant now) {
        String policy = Objects.requireNonNullElse(c.getImagePullPolicy(), "IfNotPresent");
        boolean present = runtime.hasImage(c.getImage());
        if (policy.equals("Never") && !present) {
            waiting.put(c.getName(), new ContainerObservation.Waiting("ErrImageNeverPull", "Container image \""
                    + c.getImage() + "\" is not present with pull policy of Never"));
            return false;
        }
        if (present && !policy.equals("Always")) {
            // as the kubelet reports an image it does not pull
            events.normal(pod, "Pulled", "Container image \"" + c.getImage() + "\" already present on machine");
            return true;
        }
        String pullKey = key + "/pull";
        if (backoff.waiting(pullKey, now)) {
            waiting.put(c.getName(), new ContainerObservation.Waiting("ImagePullBackOff", "Back-off pulling image \""
                    + c.getImage() + "\""));
            return false;
        }
        events.normal(pod, "Pulling", "Pulling image \"" + c.getImage() + "\"");
        try {
            Instant started = clock.instant();
            runtime.pullImage(c.getImage());
            events.normal(pod, "Pulled", "Successfully pulled image \"" + c.getImage() + "\" in "
                    + Duration.between(started, clock.instant()).toMillis() + "ms");
            return true;
        } catch (ImagePullException e) {
            backoff.failed(pullKey, now, Duration.ZERO);
            waiting.put(c.getName(), new ContainerObservation.Waiting("ErrImagePull", e.getMessage()));
            events.warning(pod, "Failed", "Failed to pull image \"" + c.getImage() + "\": " + e.getMessage());
            return false;
        }
    }

    private ContainerSpec spec(Pod pod, Container c, int restartCount) {
        Map<String, String> env = config.environment(pod, c, e -> envValue(pod, e));
        List<ContainerSpec.Mount> mounts = new ArrayList<>();
        for (VolumeMount m : Objects.requireNonNullElse(c.getVolumeMounts(), List.<VolumeMount>of())) {
            // secret, configMap and projected volumes are always read-only, as in Kubernetes
            boolean readOnly = Boolean.TRUE.equals(m.getReadOnly()) || isConfigVolume(pod, m.getName());
            mounts.add(new ContainerSpec.Mount(subPath(hostPathOf(pod, m.getName()), m.getSubPath()), m.getMountPath(),
                    readOnly));
        }
        if (dns != null) {
            // every container gets the pod's files, as the kubelet mounts /etc/hosts (and the runtime resolv.conf),
            // unless it mounts something of its own there
            Path files = writeDnsFiles(pod, podIp(pod), false);
            for (String file : List.of(HOSTS, RESOLV_CONF)) {
                String target = "/etc/" + file;
                if (mounts.stream().noneMatch(m -> m.containerPath().equals(target))) {
                    mounts.add(new ContainerSpec.Mount(files.resolve(file).toAbsolutePath().toString(), target, false));
                }
            }
        }
        Map<String, Quantity> limits = c.getResources() == null || c.getResources().getLimits() == null
                ? Map.of() : c.getResources().getLimits();
        Map<String, Quantity> requests = c.getResources() == null || c.getResources().getRequests() == null
                ? Map.of() : c.getResources().getRequests();
        long memory = limits.containsKey("memory") ? ResourceQuantity.of(limits.get("memory")).longValueCeil() : 0;
        long cpuMillis = limits.containsKey("cpu") ? ResourceQuantity.of(limits.get("cpu")).milliValue() : 0;
        long shares = requests.containsKey("cpu") ? Math.max(2, ResourceQuantity.of(requests.get("cpu")).milliValue() * 1024 / 1000) : 0;
        Map<String, String> labels = new HashMap<>();
        if (pod.getMetadata().getAnnotations() != null) {
            pod.getMetadata().getAnnotations().forEach((k, v) -> {
                if (k.startsWith("sim.kubus.io/")) {
                    labels.put(k, v);
                }
            });
        }
        return new ContainerSpec(nodeName, pod.getMetadata().getUid(), pod.getMetadata().getNamespace(),
                pod.getMetadata().getName(), c.getName(), c.getImage(),
                Objects.requireNonNullElse(c.getCommand(), List.of()), Objects.requireNonNullElse(c.getArgs(), List.of()),
                env, c.getWorkingDir(), mounts, memory, cpuMillis, shares, restartCount, labels);
    }

    private String envValue(Pod pod, EnvVar e) {
        if (e.getValueFrom() == null) {
            return Objects.requireNonNullElse(e.getValue(), "");
        }
        if (e.getValueFrom().getFieldRef() != null) {
            return switch (e.getValueFrom().getFieldRef().getFieldPath()) {
                case "metadata.name" -> pod.getMetadata().getName();
                case "metadata.namespace" -> pod.getMetadata().getNamespace();
                case "metadata.uid" -> pod.getMetadata().getUid();
                case "spec.nodeName" -> nodeName;
                case "status.hostIP" -> hostIp;
                case "status.podIP" -> podIps.getOrDefault(pod.getMetadata().getUid(), "");
                default -> PodConfig.field(pod, e.getValueFrom().getFieldRef().getFieldPath());
            };
        }
        return "";
    }

    /**
     * Writes the pod's hosts and resolv.conf in its folder, once per sandbox ({@code fresh}: a new sandbox, whose IP
     * may be new) or when missing (a pod adopted by a restarted agent); a container that edits them keeps its edits
     * while the sandbox lives, as with the kubelet's files. The folder's name starts with a dot, which no volume's can.
     */
    private Path writeDnsFiles(Pod pod, @Nullable String ip, boolean fresh) {
        Path dir = volumesRoot.resolve(pod.getMetadata().getUid()).resolve(".dns");
        try {
            Files.createDirectories(dir);
            Path hosts = dir.resolve(HOSTS);
            if (fresh || !Files.exists(hosts)) {
                Files.writeString(hosts, dns.hosts(pod, ip == null || ip.isEmpty() ? List.of() : List.of(ip)));
            }
            Path resolv = dir.resolve(RESOLV_CONF);
            if (fresh || !Files.exists(resolv)) {
                Files.writeString(resolv, dns.resolvConf(pod).render());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** emptyDir lives under the agent's volumes folder, per pod; hostPath is the host's path. */
    private String hostPathOf(Pod pod, String volumeName) {
        for (Volume v : Objects.requireNonNullElse(pod.getSpec().getVolumes(), List.<Volume>of())) {
            if (!v.getName().equals(volumeName)) {
                continue;
            }
            if (v.getHostPath() != null) {
                return v.getHostPath().getPath();
            }
            if (v.getPersistentVolumeClaim() != null) {
                return claimFolders.getOrDefault(pod.getMetadata().getUid(), Map.of()).get(volumeName);
            }
            Path dir = volumesRoot.resolve(pod.getMetadata().getUid()).resolve(volumeName);
            try {
                Files.createDirectories(dir);
                dir.toFile().setWritable(true, false);
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            return dir.toAbsolutePath().toString();
        }
        throw new IllegalStateException("volume " + volumeName + " is not defined in the pod");
    }

    /** A mount's subPath: a folder inside the volume, made when missing, as the kubelet makes it. */
    private static String subPath(String volumeFolder, @Nullable String subPath) {
        if (subPath == null || subPath.isEmpty()) {
            return volumeFolder;
        }
        Path folder = Path.of(volumeFolder).resolve(subPath).normalize();
        if (!folder.startsWith(Path.of(volumeFolder).normalize())) {
            throw new ContainerConfigException("subPath \"" + subPath + "\" leaves its volume");
        }
        try {
            Files.createDirectories(folder);
            folder.toFile().setWritable(true, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return folder.toString();
    }

    private void deleteVolumes(String uid) {
        config.forget(uid);
        claimFolders.remove(uid);
        Path dir = volumesRoot.resolve(uid);
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover folder is harmless; the next start of a pod with this uid cannot happen
        }
    }

    /**
     * Writes the files of the pod's secret and configMap volumes, at the first sync and again every
     * {@link #VOLUME_REFRESH} (the kubelet refreshes them on its sync period too). Returns false while they could not be
     * written a first time: the pod waits in ContainerCreating with a FailedMount event, and is retried.
     */
    private boolean mountVolumes(Pod pod, Instant now) {
        String uid = pod.getMetadata().getUid();
        if (!mountClaims(pod)) {
            return false;
        }
        if (!PodConfig.hasConfigVolumes(pod)) {
            return true;
        }
        Instant last = volumesWritten.get(uid);
        if (last != null && now.isBefore(last.plus(VOLUME_REFRESH))) {
            return true;
        }
        try {
            // a first mount reads its sources now; a refresh takes what another pod's refresh read this period
            config.writeVolumes(pod, volumesRoot.resolve(uid), now, last == null ? Duration.ZERO : VOLUME_REFRESH);
            volumesWritten.put(uid, now);
            return true;
        } catch (ContainerConfigException | java.io.UncheckedIOException e) {
            if (last != null) {
                // keep what the running containers see; try again later
                volumesWritten.put(uid, now);
                return true;
            }
            events.warningOnce(pod, "FailedMount", e.getMessage());
            return false;
        }
    }

    /**
     * Finds the folder of each of the pod's claims, as the kubelet's volume manager waits for them to attach and mount:
     * the claim must exist and be bound to a volume that is a folder on this node ({@code hostPath}, made when its
     * type is DirectoryOrCreate, as the local-path provisioner's are; or {@code local}, which must exist). Until then
     * the pod waits in ContainerCreating with a FailedMount event, and is retried; it never starts without them.
     */
    private boolean mountClaims(Pod pod) {
        List<Volume> claimVolumes = Objects.requireNonNullElse(pod.getSpec().getVolumes(), List.<Volume>of()).stream()
                .filter(v -> v.getPersistentVolumeClaim() != null).toList();
        if (claimVolumes.isEmpty()) {
            return true; // most pods: no entry kept for them
        }
        Map<String, String> found = claimFolders.computeIfAbsent(pod.getMetadata().getUid(), u -> new ConcurrentHashMap<>());
        for (Volume v : claimVolumes) {
            if (found.containsKey(v.getName())) {
                continue;
            }
            String claimName = v.getPersistentVolumeClaim().getClaimName();
            String problem;
            try {
                problem = claimFolder(pod.getMetadata().getNamespace(), claimName, folder -> found.put(v.getName(), folder));
            } catch (RuntimeException | IOException e) {
                problem = "MountVolume.SetUp failed for volume \"" + v.getName() + "\": " + e.getMessage();
            }
            if (problem != null) {
                events.warningOnce(pod, "FailedMount", problem);
                return false;
            }
        }
        return true;
    }

    /** Null once the claim's folder is found (and handed to {@code found}), else why not, as the kubelet says it. */
    private @Nullable String claimFolder(String namespace, String claimName, java.util.function.Consumer<String> found)
            throws IOException {
        PersistentVolumeClaim claim = source.claim(namespace, claimName).orElse(null);
        if (claim == null) {
            return "persistentvolumeclaim \"" + claimName + "\" not found";
        }
        String volumeName = claim.getSpec().getVolumeName();
        if (volumeName == null || volumeName.isEmpty() || claim.getStatus() == null
                || !"Bound".equals(claim.getStatus().getPhase())) {
            return "persistentvolumeclaim \"" + claimName + "\" is not bound yet";
        }
        PersistentVolume pv = source.volume(volumeName).orElse(null);
        if (pv == null) {
            return "persistentvolume \"" + volumeName + "\" of claim \"" + claimName + "\" not found";
        }
        if (pv.getSpec().getHostPath() != null) {
            Path folder = Path.of(pv.getSpec().getHostPath().getPath());
            if ("DirectoryOrCreate".equals(pv.getSpec().getHostPath().getType())) {
                Files.createDirectories(folder);
                folder.toFile().setWritable(true, false);
            } else if (!Files.isDirectory(folder)) {
                return "hostPath type check failed: " + folder + " is not a directory";
            }
            found.accept(folder.toAbsolutePath().toString());
            return null;
        }
        if (pv.getSpec().getLocal() != null) {
            Path folder = Path.of(pv.getSpec().getLocal().getPath());
            if (!Files.isDirectory(folder)) {
                return "path \"" + folder + "\" does not exist";
            }
            found.accept(folder.toAbsolutePath().toString());
            return null;
        }
        return "persistentvolume \"" + volumeName + "\" is neither hostPath nor local: no other volume type is "
                + "mounted by Kubus's node agent";
    }

    private static boolean isConfigVolume(Pod pod, String volumeName) {
        return Objects.requireNonNullElse(pod.getSpec().getVolumes(), List.<Volume>of()).stream()
                .anyMatch(v -> v.getName().equals(volumeName) && PodConfig.isConfigVolume(v));
    }

    private @Nullable String podIp(Pod pod) {
        return podIps.getOrDefault(pod.getMetadata().getUid(), pod.getStatus() == null ? null : pod.getStatus().getPodIP());
    }

    /**
     * A container failed its liveness or startup probe: stop it (off the sync, within its grace period, preStop hook
     * first); the next sync restarts it as the restartPolicy says.
     */
    private void killForProbe(Pod pod, Container c, ContainerInfo cur, ProbeManager.Status probed, String policy) {
        if (!killing.add(cur.id())) {
            return;
        }
        events.normal(pod, "Killing", "Container " + c.getName() + " failed " + probed.killReason() + " probe"
                + (policy.equals("Never") ? "" : ", will be restarted"));
        long seconds = probed.gracePeriod() != null ? probed.gracePeriod()
                : Objects.requireNonNullElse(pod.getSpec().getTerminationGracePeriodSeconds(), 30L);
        String ip = podIp(pod);
        try {
            async.execute(() -> {
                try {
                    stop(pod, c, cur, ip, Duration.ofSeconds(Math.max(0, seconds)));
                } catch (RuntimeException e) {
                    events.warning(pod, "FailedKillPod", "error killing container " + c.getName() + ": " + e.getMessage());
                } finally {
                    killing.remove(cur.id());
                    probes.changed();
                }
            });
        } catch (RejectedExecutionException e) {
            killing.remove(cur.id());
        }
    }

    /**
     * Stops one container within {@code grace}: its preStop hook first (when it runs), then SIGTERM with what is left
     * of the grace period (at least 2 s after a hook, as the kubelet gives), then SIGKILL.
     */
    private void stop(@Nullable Pod pod, @Nullable Container spec, ContainerInfo c, @Nullable String ip, Duration grace) {
        Duration remaining = grace;
        LifecycleHandler preStop = spec == null || spec.getLifecycle() == null ? null : spec.getLifecycle().getPreStop();
        if (preStop != null && pod != null && c.state() == ContainerInfo.State.RUNNING && grace.isPositive()) {
            long t0 = System.nanoTime();
            ProbeResult r = runHook(preStop, spec, c, ip, grace);
            if (!r.success()) {
                events.warning(pod, "FailedPreStopHook", "PreStopHook failed: " + r.message().strip());
            }
            Duration left = grace.minusNanos(System.nanoTime() - t0);
            Duration floor = grace.compareTo(MIN_GRACE_AFTER_HOOK) < 0 ? grace : MIN_GRACE_AFTER_HOOK;
            remaining = left.compareTo(floor) < 0 ? floor : left;
        }
        runtime.stopContainer(c.id(), remaining);
    }

    private ProbeResult runHook(LifecycleHandler h, Container spec, ContainerInfo c, @Nullable String ip, Duration grace) {
        if (h.getSleep() != null && h.getSleep().getSeconds() != null) {
            Duration d = Duration.ofSeconds(h.getSleep().getSeconds());
            try {
                Thread.sleep(d.compareTo(grace) < 0 ? d : grace);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ProbeResult.success("");
        }
        return hooks.run(new Prober.Handler(h.getExec(), h.getHttpGet(), h.getTcpSocket()), spec, c.id(), ip, grace);
    }

    private static Instant startTimeOf(Pod pod, Instant now) {
        String t = pod.getStatus() == null ? null : pod.getStatus().getStartTime();
        return t == null ? now : Instant.parse(t);
    }

    private static List<Container> allContainers(Pod pod) {
        List<Container> all = new ArrayList<>(Objects.requireNonNullElse(pod.getSpec().getInitContainers(), List.of()));
        all.addAll(pod.getSpec().getContainers());
        return all;
    }

    /** The runs of one container, newest first. */
    private static List<ContainerInfo> runs(List<ContainerInfo> owned, String name) {
        return owned.stream().filter(c -> !c.sandbox() && name.equals(c.name()))
                .sorted(Comparator.comparingInt(ContainerInfo::restartCount).reversed()
                        .thenComparing(ContainerInfo::createdAt, Comparator.reverseOrder()))
                .toList();
    }

    private static @Nullable ContainerInfo newest(List<ContainerInfo> owned, String name) {
        List<ContainerInfo> r = runs(owned, name);
        return r.isEmpty() ? null : r.getFirst();
    }
}

package io.kubus.agent.runtime.simulated;

import io.kubus.agent.runtime.ContainerInfo;
import io.kubus.agent.runtime.ContainerRuntime;
import io.kubus.agent.runtime.ContainerSpec;
import io.kubus.agent.runtime.ImagePullException;
import io.kubus.agent.runtime.LogOptions;
import io.kubus.agent.runtime.RuntimeLabels;
import io.kubus.agent.runtime.SandboxInfo;
import io.kubus.agent.runtime.SandboxSpec;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A container runtime without containers, for scale tests: one agent process can host many simulated nodes, as
 * kwok does for Kubernetes. Containers "start" after a configurable latency and run until stopped, unless the pod
 * asks otherwise through labels copied from its annotations: {@code sim.kubus.io/exit-after-ms} and
 * {@code sim.kubus.io/exit-code}. Images named {@code missing/...} fail to pull.
 *
 * <p>Each node's pods get addresses of a /24 of their own, 10.244.N.0/24 for the N-th node of the process, as a
 * node's podCIDR would give them. Exec knows files and nothing else, enough for an exec probe to fail and pass
 * again ({@code kubectl exec pod -- touch /tmp/unready} against a probe {@code test ! -e /tmp/unready}): {@code
 * touch F} and {@code rm [-f] F} make and remove an empty file in the container, {@code cat F}, {@code test -e F}
 * and {@code test ! -e F} answer by it; any other command succeeds.
 */
public final class SimulatedRuntime implements ContainerRuntime {
    public static final String EXIT_AFTER_MS = "sim.kubus.io/exit-after-ms";
    public static final String EXIT_CODE = "sim.kubus.io/exit-code";

    private final String nodeName;
    private final Duration startLatency;
    private final Clock clock;
    private final Map<String, Sim> objects = new ConcurrentHashMap<>();
    /** The ids of {@link #objects} by pod uid, for {@link #listPod}. */
    private final Map<String, Set<String>> byPod = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong ips = new AtomicLong();
    private final int nodeIndex;
    /** The files made by exec, per container. */
    private final Map<String, Set<String>> files = new ConcurrentHashMap<>();

    public SimulatedRuntime(String nodeName, Duration startLatency, Clock clock) {
        this(nodeName, 0, startLatency, clock);
    }

    /** The runtime of the {@code nodeIndex}-th node of this process, whose pods' addresses are its own. */
    public SimulatedRuntime(String nodeName, int nodeIndex, Duration startLatency, Clock clock) {
        this.nodeName = nodeName;
        this.nodeIndex = nodeIndex;
        this.startLatency = startLatency;
        this.clock = clock;
    }

    @Override
    public String versionString() {
        return "simulated://1.0";
    }

    @Override
    public SandboxInfo runSandbox(SandboxSpec spec) {
        String id = "sim-" + nodeName + "-" + ids.incrementAndGet();
        // .2 to .254 of the node's /24, over again after 253 sandboxes (a node holds at most 110 pods)
        long host = 2 + ips.getAndIncrement() % 253;
        String ip = "10." + (244 + nodeIndex / 256) + "." + (nodeIndex % 256) + "." + host;
        Instant now = clock.instant();
        add(new Sim(id, true, spec.podUid(), spec.namespace(), spec.podName(), "", "pause", 0,
                labels(Map.of(), spec.podUid(), true), now, now, null, 0, ip));
        return new SandboxInfo(id, ip);
    }

    @Override
    public void removeSandbox(String sandboxId) {
        remove(sandboxId);
    }

    private void add(Sim s) {
        // In one compute, as remove's: a set emptied and dropped by a concurrent remove is never added to.
        byPod.compute(s.podUid(), (uid, ids) -> {
            Set<String> of = ids == null ? ConcurrentHashMap.newKeySet() : ids;
            of.add(s.id());
            return of;
        });
        objects.put(s.id(), s);
    }

    private void remove(String id) {
        Sim s = objects.remove(id);
        if (s != null) {
            byPod.computeIfPresent(s.podUid(), (uid, ids) -> {
                ids.remove(id);
                return ids.isEmpty() ? null : ids;
            });
        }
    }

    /** The labels the runtime reports: the spec's and the agent's own, made once per container, not per list. */
    private Map<String, String> labels(Map<String, String> spec, String podUid, boolean sandbox) {
        Map<String, String> all = new HashMap<>(spec);
        all.put(RuntimeLabels.MANAGED_BY, RuntimeLabels.MANAGED_BY_VALUE);
        all.put(RuntimeLabels.NODE, nodeName);
        all.put(RuntimeLabels.POD_UID, podUid);
        all.put(RuntimeLabels.KIND, sandbox ? "sandbox" : "container");
        return Map.copyOf(all);
    }

    @Override
    public boolean hasImage(String image) {
        return !image.startsWith("missing/");
    }

    @Override
    public void pullImage(String image) throws ImagePullException {
        if (image.startsWith("missing/")) {
            throw new ImagePullException("simulated: pull access denied for " + image + ", repository does not exist", null);
        }
    }

    @Override
    public String createContainer(String sandboxId, ContainerSpec spec) {
        String id = "sim-" + nodeName + "-" + ids.incrementAndGet();
        add(new Sim(id, false, spec.podUid(), spec.namespace(), spec.podName(), spec.name(), spec.image(),
                spec.restartCount(), labels(spec.labels(), spec.podUid(), false), clock.instant(), null, null, 0, null));
        return id;
    }

    @Override
    public void startContainer(String containerId) {
        objects.computeIfPresent(containerId, (id, s) -> s.started(clock.instant().plus(startLatency)));
    }

    @Override
    public void stopContainer(String containerId, Duration grace) {
        objects.computeIfPresent(containerId, (id, s) -> {
            Instant now = clock.instant();
            return s.finishedAt != null && !s.finishedAt.isAfter(now) ? s : s.finished(now, 137);
        });
    }

    @Override
    public void removeContainer(String containerId) {
        remove(containerId);
        files.remove(containerId);
    }

    @Override
    public List<ContainerInfo> list() {
        List<ContainerInfo> all = new ArrayList<>();
        Instant now = clock.instant();
        for (Sim s : objects.values()) {
            all.add(s.info(now));
        }
        return all;
    }

    @Override
    public List<ContainerInfo> listPod(String podUid) {
        List<ContainerInfo> pod = new ArrayList<>();
        Instant now = clock.instant();
        for (String id : byPod.getOrDefault(podUid, Set.of())) {
            Sim s = objects.get(id);
            if (s != null) {
                pod.add(s.info(now));
            }
        }
        return pod;
    }

    /** The earliest start or exit still ahead: a container is seen Running after its start latency, not a sync later. */
    @Override
    public Optional<Instant> nextChange() {
        Instant now = clock.instant();
        Instant next = null;
        for (Sim s : objects.values()) {
            for (Instant at : s.changes()) {
                if (at.isAfter(now) && (next == null || at.isBefore(next))) {
                    next = at;
                }
            }
        }
        return Optional.ofNullable(next);
    }

    @Override
    public Set<String> changedBetween(Instant after, Instant upTo) {
        Set<String> pods = new java.util.HashSet<>();
        for (Sim s : objects.values()) {
            for (Instant at : s.changes()) {
                if (at.isAfter(after) && !at.isAfter(upTo)) {
                    pods.add(s.namespace() + "/" + s.podName());
                }
            }
        }
        return pods;
    }

    @Override
    public Optional<ContainerInfo> inspect(String containerId) {
        Sim s = objects.get(containerId);
        return s == null ? Optional.empty() : Optional.of(s.info(clock.instant()));
    }

    @Override
    public InputStream logs(String containerId, LogOptions options) {
        Sim s = objects.get(containerId);
        String text = s == null ? "" : "simulated container " + s.name + " of pod " + s.namespace + "/" + s.podName + "\n";
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    /** No process of a simulated pod listens anywhere: every port refuses, saying why. */
    @Override
    public java.net.Socket connect(String sandboxId, int port) throws java.io.IOException {
        throw new java.net.ConnectException("the simulated runtime runs no processes: nothing listens on port "
                + port + " of sandbox " + sandboxId);
    }

    @Override
    public int exec(String containerId, List<String> command, InputStream stdin, OutputStream stdout,
                    OutputStream stderr) {
        Set<String> made = files.computeIfAbsent(containerId, id -> ConcurrentHashMap.newKeySet());
        String last = command.isEmpty() ? "" : command.getLast();
        return switch (command.isEmpty() ? "" : command.getFirst()) {
            case "touch" -> {
                made.add(last);
                yield 0;
            }
            case "rm" -> made.remove(last) || command.contains("-f") ? 0 : 1;
            case "cat" -> made.contains(last) ? 0 : 1;
            case "test" -> command.size() == 3 && command.get(1).equals("-e") ? (made.contains(last) ? 0 : 1)
                    : command.size() == 4 && command.get(1).equals("!") && command.get(2).equals("-e")
                    ? (made.contains(last) ? 1 : 0) : 0;
            default -> 0;
        };
    }

    @Override
    public void close() {
        objects.clear();
        byPod.clear();
        files.clear();
    }

    /** One simulated sandbox or container, with the labels the runtime reports; immutable, replaced on change. */
    private record Sim(String id, boolean sandbox, String podUid, String namespace, String podName, String name,
                       String image, int restartCount, Map<String, String> labels, Instant createdAt,
                       Instant startedAt, Instant finishedAt, int exitCode, String ip) {

        /** When it starts and exits by itself, as far as known. */
        List<Instant> changes() {
            List<Instant> at = new ArrayList<>(2);
            if (startedAt != null) {
                at.add(startedAt);
            }
            if (finishedAt != null) {
                at.add(finishedAt);
            }
            return at;
        }

        Sim started(Instant at) {
            Instant finish = null;
            int code = 0;
            String after = labels.get(EXIT_AFTER_MS);
            if (after != null) {
                finish = at.plusMillis(Long.parseLong(after));
                code = Integer.parseInt(labels.getOrDefault(EXIT_CODE, "0"));
            }
            return new Sim(id, sandbox, podUid, namespace, podName, name, image, restartCount, labels, createdAt, at,
                    finish, code, ip);
        }

        Sim finished(Instant at, int code) {
            return new Sim(id, sandbox, podUid, namespace, podName, name, image, restartCount, labels, createdAt,
                    startedAt == null ? at : startedAt, at, code, ip);
        }

        ContainerInfo info(Instant now) {
            ContainerInfo.State state;
            if (startedAt == null || startedAt.isAfter(now)) {
                state = ContainerInfo.State.CREATED;
            } else if (finishedAt != null && !finishedAt.isAfter(now)) {
                state = ContainerInfo.State.EXITED;
            } else {
                state = ContainerInfo.State.RUNNING;
            }
            boolean exited = state == ContainerInfo.State.EXITED;
            return new ContainerInfo(id, sandbox, podUid, namespace, podName, name, state, exited ? exitCode : 0,
                    exited ? (exitCode == 0 ? "Completed" : "Error") : null, createdAt,
                    state == ContainerInfo.State.CREATED ? null : startedAt, exited ? finishedAt : null, image,
                    "sim://" + image, restartCount, labels);
        }
    }
}

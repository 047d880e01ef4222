package io.kubus.agent.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.kubus.agent.dns.PodDns;
import io.kubus.agent.pod.PodStatuses;
import io.kubus.agent.pod.PodSync;
import io.kubus.agent.pod.ProbeManager;
import io.kubus.agent.pod.Prober;
import io.kubus.agent.pod.RestartBackoff;
import io.kubus.agent.runtime.ContainerInfo;
import io.kubus.agent.runtime.ContainerRuntime;
import io.kubus.agent.status.StatusPublisher;
import io.kubus.client.api.KubusApi;
import io.kubus.client.api.KubusApiException;
import io.kubus.client.api.PatchKind;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.pod.PodPhases;
import io.kubus.schema.storage.LocalPath;
import io.micronaut.core.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/**
 * One node: registers its Node, reports its status, and syncs the pods bound to it on its runtime. The agent
 * process runs one of these per node it hosts (one for Docker, many for the simulated runtime).
 *
 * <p>Its liveness signal is its {@link NodeLease}, renewed every 10 s. The node status goes, as the kubelet's has since
 * Kubernetes 1.17, only when it differs from the stored Node's (heartbeat times aside) or when the report frequency
 * (5 min) has passed since the last report: a Node that marked Unknown by the node lifecycle controller differs, so it
 * is reported Ready again at the next look.
 */
public final class NodeAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);
    /** A status the gateway has not taken up is sent again after this long (a report may be lost). */
    private static final Duration REPUBLISH_AFTER = Duration.ofSeconds(5);

    private final String nodeName;
    private final String hostIp;
    private final ContainerRuntime runtime;
    private final KubusApi api;
    private final StatusPublisher publisher;
    private final NodeStatusFactory.Capacity capacity;
    private final Clock clock;
    private final PodSync podSync;
    private final ApiPodEvents events;
    private final ProbeManager probes;
    private final Map<String, Published> published = new ConcurrentHashMap<>();
    private final Set<String> confirmedDeletions = ConcurrentHashMap.newKeySet();
    private final Supplier<Optional<Node>> stored;
    private final Duration statusReportFrequency;
    private final NodeLease lease;
    /** Where this node's local-path volumes live: a folder beside its pods' own. */
    private final String localPathRoot;
    private volatile NodeStatus lastNodeStatus;
    private volatile Instant lastStatusReport;

    /**
     * @param stored                the node's Node as last seen stored (the agent's node informer), if seen
     * @param statusReportFrequency an unchanged status is reported again after this long (nodeStatusReportFrequency)
     * @param leaseDurationSeconds  leaseDurationSeconds of the node's Lease
     * @param dns                   the pods' hostnames and resolver files; null where the runtime's stay (simulated)
     */
    public NodeAgent(String nodeName, String hostIp, ContainerRuntime runtime, KubusApi api, StatusPublisher publisher,
                     NodeStatusFactory.Capacity capacity, RestartBackoff backoff, Path dataDir,
                     ExecutorService background, Clock clock, Supplier<Optional<Node>> stored,
                     Duration statusReportFrequency, int leaseDurationSeconds, @Nullable PodDns dns) {
        this.nodeName = nodeName;
        this.stored = stored;
        this.statusReportFrequency = statusReportFrequency;
        // the Node's uid as the kubelet finds it, by a read, and only while the Lease has no owner yet
        this.lease = new NodeLease(api, nodeName, leaseDurationSeconds,
                () -> api.get(ResourceTypes.NODES, null, nodeName, Node.class).map(n -> n.getMetadata().getUid()), clock);
        this.hostIp = hostIp;
        this.runtime = runtime;
        this.api = api;
        this.publisher = publisher;
        this.capacity = capacity;
        this.clock = clock;
        this.events = new ApiPodEvents(api, nodeName, background);
        this.probes = new ProbeManager(events, clock, background, ProbeManager.runner(new Prober(runtime)));
        this.localPathRoot = dataDir.resolve("storage").toAbsolutePath().toString();
        this.podSync = new PodSync(nodeName, hostIp, runtime, backoff, events, dataDir.resolve("pods"), clock, probes,
                new ApiPodConfigSource(api), background, dns);
        probes.start();
    }

    /** Called when a probe result changed, so that the node's sync loop runs now rather than at its next interval. */
    public void onProbeResult(Runnable wake) {
        probes.setListener(wake);
    }

    public String nodeName() {
        return nodeName;
    }

    /**
     * Creates the Node object when missing (an existing one, of a restarted agent, is kept, with the local-path root
     * brought up to date if the agent's data folder moved) and reports its status.
     */
    public void register() {
        try {
            api.create(ResourceTypes.NODES, NodeStatusFactory.node(nodeName, localPathRoot));
        } catch (KubusApiException e) {
            if (!e.isAlreadyExists()) {
                throw e;
            }
            boolean current = api.get(ResourceTypes.NODES, null, nodeName, Node.class)
                    .map(n -> n.getMetadata().getAnnotations())
                    .map(a -> localPathRoot.equals(a.get(LocalPath.ROOT_ANNOTATION))).orElse(false);
            if (!current) {
                api.patch(ResourceTypes.NODES, null, nodeName, PatchKind.MERGE, "{\"metadata\":{\"annotations\":{"
                        + KubusJson.write(LocalPath.ROOT_ANNOTATION) + ":" + KubusJson.write(localPathRoot) + "}}}",
                        false, Node.class);
            }
        }
        reportStatus(true);
    }

    /** Renews the node's Lease: its liveness signal. */
    public void renewLease() {
        lease.renew();
    }

    /**
     * Computes the node's status, with heartbeat times of now, and publishes it when the stored Node's differs in
     * anything but those times, or is not known, or the last report is older than the report frequency (the kubelet's
     * tryUpdateNodeStatus). Transition times are kept from the stored status, so a condition the node lifecycle
     * controller set to Unknown gets a new one when the agent reports it again.
     */
    public void reportStatus() {
        reportStatus(false);
    }

    private void reportStatus(boolean always) {
        Instant now = clock.instant();
        Optional<NodeStatus> storedStatus = stored.get().map(Node::getStatus);
        NodeStatus status = NodeStatusFactory.status(capacity, hostIp, nodeName, runtime.versionString(),
                storedStatus.orElse(lastNodeStatus), now);
        lastNodeStatus = status;
        boolean due = always || lastStatusReport == null
                || !now.isBefore(lastStatusReport.plus(statusReportFrequency));
        if (due || storedStatus.isEmpty() || NodeStatusFactory.changed(storedStatus.get(), status)) {
            publisher.node(nodeName, status, now);
            lastStatusReport = now;
        }
    }

    /**
     * Converges every pod bound to this node, removes what no pod owns (only once the caller's view of the pods is
     * complete: {@code podsComplete}), and reports each status that changed.
     */
    public void syncAll(Collection<Pod> pods, boolean podsComplete) {
        Map<String, List<ContainerInfo>> byUid = new HashMap<>();
        for (ContainerInfo c : runtime.list()) {
            byUid.computeIfAbsent(c.podUid(), k -> new java.util.ArrayList<>()).add(c);
        }
        Set<String> wanted = new HashSet<>();
        for (Pod pod : pods) {
            String uid = pod.getMetadata().getUid();
            wanted.add(uid);
            syncOrLog(pod, byUid.getOrDefault(uid, List.of()));
        }
        if (podsComplete) {
            for (Map.Entry<String, List<ContainerInfo>> e : byUid.entrySet()) {
                if (!wanted.contains(e.getKey())) {
                    // No pod owns these any more (deleted while the agent was away, or force-deleted).
                    podSync.kill(null, e.getValue());
                    forget(e.getKey());
                }
            }
            published.keySet().removeIf(uid -> !wanted.contains(uid));
        }
    }

    /**
     * Converges only {@code pods} (bound to this node, as the cache holds them now), each with its own containers, and
     * reports each status that changed: what a change to those pods asks for, without looking at the node's others.
     */
    public void syncPods(Collection<Pod> pods) {
        for (Pod pod : pods) {
            syncOrLog(pod, runtime.listPod(pod.getMetadata().getUid()));
        }
    }

    /** One pod's sync; a failure is logged and the pod tried again at its next pass. */
    private void syncOrLog(Pod pod, List<ContainerInfo> owned) {
        try {
            sync(pod, owned);
        } catch (RuntimeException e) {
            LOG.warn("sync of pod {}/{} on {} failed, retrying", pod.getMetadata().getNamespace(),
                    pod.getMetadata().getName(), nodeName, e);
        }
    }

    private void sync(Pod pod, List<ContainerInfo> owned) {
        String uid = pod.getMetadata().getUid();
        Published last = published.get(uid);
        // Until the gateway has stored our last report, compute from it: condition transition times and the start
        // time stay as reported instead of moving with every sync.
        Pod basis = last == null || last.status.equals(pod.getStatus()) ? pod
                : new io.fabric8.kubernetes.api.model.PodBuilder(pod).withStatus(last.status).build();
        if (PodPhases.isTerminal(pod) && pod.getMetadata().getDeletionTimestamp() == null) {
            podSync.finished(pod, owned);
        }
        PodSync.Result result = podSync.sync(basis, owned);
        if (result.stopped()) {
            List<String> finalizers = pod.getMetadata().getFinalizers();
            if (finalizers != null && !finalizers.isEmpty() && basis.getStatus() != null) {
                // A finalizer keeps the object after the confirmation: leave it a terminal phase, as the kubelet does.
                PodStatus terminal = PodStatuses.stoppedAfterDeletion(basis.getStatus(), clock.instant());
                if (!terminal.equals(basis.getStatus())) {
                    publisher.pod(pod, nodeName, terminal, clock.instant());
                    published.put(uid, new Published(terminal, clock.instant()));
                }
            }
            // Everything is stopped: confirm the deletion, as the kubelet does with a zero grace period.
            if (confirmedDeletions.add(uid + "@" + pod.getMetadata().getResourceVersion())) {
                try {
                    api.deleteIfExists(ResourceTypes.PODS, pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                            0L, null);
                } catch (RuntimeException e) {
                    confirmedDeletions.remove(uid + "@" + pod.getMetadata().getResourceVersion());
                    throw e;
                }
            }
            forget(uid);
            return;
        }
        PodStatus status = result.status();
        Instant now = clock.instant();
        boolean changed = last == null || !last.status.equals(status);
        boolean notTakenUp = !status.equals(pod.getStatus()) && last != null
                && Duration.between(last.at, now).compareTo(REPUBLISH_AFTER) >= 0;
        if (changed || notTakenUp) {
            publisher.pod(pod, nodeName, status, now);
            published.put(uid, new Published(status, now));
        }
    }

    private void forget(String uid) {
        published.remove(uid);
        events.forget(uid);
    }

    @Override
    public void close() {
        probes.close();
        runtime.close();
    }

    private record Published(PodStatus status, Instant at) {
    }
}

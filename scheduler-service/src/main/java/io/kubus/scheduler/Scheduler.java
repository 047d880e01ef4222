package io.kubus.scheduler;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.kubus.client.api.KubusApi;
import io.kubus.client.api.KubusApiException;
import io.kubus.client.api.PatchKind;
import io.kubus.client.config.ClientConfig;
import io.kubus.client.informer.Informer;
import io.kubus.client.informer.ResourceEventHandler;
import io.kubus.client.kafka.KafkaClientConfig;
import io.kubus.client.leader.KafkaLeaderElection;
import io.kubus.client.record.EventRecorder;
import io.kubus.scheduler.framework.SchedulingPipeline;
import io.kubus.scheduler.framework.VolumeView;
import io.kubus.scheduler.plugins.VolumeBinding;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.pod.PodPhases;
import io.kubus.schema.storage.LocalPath;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.value.PropertyResolver;
import io.micronaut.runtime.server.EmbeddedServer;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * kube-scheduler's loop over the change stream: pods without a node that ask for this scheduler wait in a queue; one
 * at a time they go through the filter and score pipeline, are assumed on the chosen node at once (so a burst never
 * overcommits), and are bound through the gateway in the background. A pod that fits nowhere gets PodScheduled=False
 * with kube-scheduler's message and a FailedScheduling event, and is retried with back-off when the cluster changes.
 * Only the leader among the replicas schedules.
 */
@Context
@Requires(env = SchedulerApplication.ENVIRONMENT)
@Requires(property = "kubus.scheduler.enabled", notEquals = "false")
public class Scheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

    private final SchedulerSettings settings;
    private final PropertyResolver properties;
    private final SchedulingCache cache = new SchedulingCache();
    private final DelayQueue<Entry> queue = new DelayQueue<>();
    /** Pods waiting (in the queue or in back-off), with their attempts: a pod is never queued twice. */
    private final Map<String, Integer> waiting = new ConcurrentHashMap<>();
    private final Set<String> unschedulable = ConcurrentHashMap.newKeySet();
    private final Map<String, String> lastFailure = new ConcurrentHashMap<>();
    private final ExecutorService binders = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore bindSlots;
    private final AtomicLong bound = new AtomicLong();
    private final EmbeddedServer server;
    private final SchedulingPipeline pipeline = SchedulingPipeline.defaults(RandomGenerator.getDefault());
    private KubusApi api;
    /** Scheduled and FailedScheduling events, sent in the background: a binding slot is not held for its event. */
    private EventRecorder recorder;
    private Informer<Node> nodes;
    private Informer<Pod> pods;
    private Informer<PersistentVolumeClaim> claims;
    private Informer<PersistentVolume> volumes;
    private Informer<StorageClass> storageClasses;
    private KafkaLeaderElection election;
    private Thread loop;
    private volatile boolean running = true;
    private volatile boolean caughtUp;

    public Scheduler(SchedulerSettings settings,
                     PropertyResolver properties,
                     EmbeddedServer server) {
        this.settings = settings;
        this.server = server;
        this.properties = properties;
        this.bindSlots = new Semaphore(settings.getBindConcurrency());
    }

    @PostConstruct
    void start() throws InterruptedException {
        ClientConfig credentials = ClientConfig.fromKubeconfig(Path.of(settings.getKubeconfig()));
        api = new KubusApi(credentials, KubusApi.userAgent("kube-scheduler"));
        recorder = new EventRecorder(api, "default-scheduler");
        KafkaClientConfig kafka = KafkaClientConfig.fromSettings(
                key -> properties.get(KafkaClientConfig.SETTINGS + key, String.class), credentials);
        nodes = Informer.builder(api, kafka, ResourceTypes.NODES, Node.class).name("scheduler-nodes")
                .handler(ResourceEventHandler.of(node -> {
                    cache.upsertNode(node);
                    clusterChanged();
                }, last -> cache.removeNode(last.getMetadata().getName()))).build();
        pods = Informer.builder(api, kafka, ResourceTypes.PODS, Pod.class).name("scheduler-pods")
                .handler(ResourceEventHandler.of(this::podChanged, last -> podGone(Informer.keyOf(last)))).build();
        // A claim bound or a volume made may let a waiting pod in, as a node change may.
        claims = Informer.builder(api, kafka, ResourceTypes.PERSISTENTVOLUMECLAIMS, PersistentVolumeClaim.class)
                .name("scheduler-claims").handler(ResourceEventHandler.of(c -> clusterChanged(), c -> { })).build();
        volumes = Informer.builder(api, kafka, ResourceTypes.PERSISTENTVOLUMES, PersistentVolume.class)
                .name("scheduler-volumes").handler(ResourceEventHandler.of(v -> clusterChanged(), v -> { })).build();
        storageClasses = Informer.builder(api, kafka, ResourceTypes.STORAGECLASSES, StorageClass.class)
                .name("scheduler-storageclasses").build();
        cache.useVolumes(new VolumeView() {
            @Override
            public Optional<PersistentVolumeClaim> claim(String namespace, String name) {
                return claims.get(namespace, name);
            }

            @Override
            public Optional<PersistentVolume> volume(String name) {
                return volumes.get(name);
            }

            @Override
            public Optional<StorageClass> storageClass(String name) {
                return storageClasses.get(name);
            }

            @Override
            public Collection<PersistentVolume> volumes() {
                return volumes.list();
            }
        });
        for (Informer<?> i : List.of(nodes, pods, claims, volumes, storageClasses)) {
            i.start();
        }
        for (Informer<?> i : List.of(nodes, pods, claims, volumes, storageClasses)) {
            i.awaitSynced(Duration.ofSeconds(60));
        }
        // /healthz answers once the caches are filled; the service starts as a plain context, so start the server here.
        if (!server.isRunning()) {
            server.start();
        }
        loop = Thread.ofPlatform().daemon().name("scheduling-loop").start(this::run);
        election = new KafkaLeaderElection(kafka, "scheduler", "scheduler-" + UUID.randomUUID(),
                settings.getLeaderSessionTimeout(), new KafkaLeaderElection.Callbacks() {
                    @Override
                    public void startedLeading() {
                        catchUp();
                    }

                    @Override
                    public void stoppedLeading() {
                        caughtUp = false;
                    }
                });
    }

    /**
     * Before a new leader decides anything, its view must hold every binding a former leader made: it waits for the
     * former leader's last bindings to land, then reads the bound pods from a fresh list (consistent at its version)
     * rather than trusting a stream that may lag.
     */
    private void catchUp() {
        try {
            Thread.sleep(settings.getLeaderSettle().toMillis());
            for (Pod pod : api.list(ResourceTypes.PODS, null, null, null, Pod.class).items()) {
                podChanged(pod);
            }
            pods.list().forEach(this::podChanged);
            caughtUp = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("a new leader could not read the bound pods; it will try again: {}", e.toString());
            binders.execute(this::catchUp);
        }
    }

    /** Pods bound since start; for tests and metrics. */
    public long bound() {
        return bound.get();
    }

    public boolean isLeader() {
        return election != null && election.isLeader();
    }

    private void podChanged(Pod pod) {
        String key = Informer.keyOf(pod);
        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if (PodPhases.isTerminal(pod)) {
            // A finished pod holds no room on its node, as kube-scheduler's pod informer leaves such pods out.
            podGone(key);
            return;
        }
        if (node != null && !node.isEmpty()) {
            cache.upsertBoundPod(key, pod);
            waiting.remove(key);
            return;
        }
        if (pod.getMetadata().getDeletionTimestamp() != null
                || !settings.getSchedulerName().equals(pod.getSpec().getSchedulerName() == null
                ? "default-scheduler" : pod.getSpec().getSchedulerName())
                || cache.isPlaced(key)) {
            return;
        }
        if (waiting.putIfAbsent(key, 0) == null) {
            queue.add(Entry.after(key, 0));
        }
    }

    private void podGone(String key) {
        if (cache.isPlaced(key)) {
            cache.forget(key);
            clusterChanged();
        }
        waiting.remove(key);
    }

    /** A node appeared or changed, or a pod left a node: pods that fit nowhere may fit now. */
    private void clusterChanged() {
        for (String key : unschedulable) {
            if (unschedulable.remove(key)) {
                int attempts = waiting.getOrDefault(key, 0);
                queue.add(Entry.after(key, backoff(attempts).toMillis()));
            }
        }
    }

    private void run() {
        long nextFlush = System.nanoTime() + settings.getMaxBackoff().toNanos();
        while (running) {
            try {
                if (System.nanoTime() > nextFlush) {
                    // Like kube-scheduler's periodic flush: pods that fit nowhere are tried again now and then.
                    clusterChanged();
                    nextFlush = System.nanoTime() + settings.getMaxBackoff().toNanos();
                }
                Entry e = queue.poll(500, TimeUnit.MILLISECONDS);
                if (e == null) {
                    continue;
                }
                if (!isLeader() || !caughtUp) {
                    // A standby keeps the queue warm but decides nothing.
                    queue.add(Entry.after(e.key, 500));
                    continue;
                }
                scheduleOne(e.key);
            } catch (InterruptedException ie) {
                return;
            } catch (RuntimeException ex) {
                LOG.warn("scheduling cycle failed", ex);
            }
        }
    }

    private void scheduleOne(String key) {
        Pod pod = pods.get(key).orElse(null);
        if (pod == null || pod.getMetadata().getDeletionTimestamp() != null
                || (pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty())
                || cache.isPlaced(key)) {
            waiting.remove(key);
            return;
        }
        SchedulingPipeline.Result result = pipeline.schedule(pod, cache);
        if (result.nodeName() == null) {
            unschedulable(pod, key, result.message());
            return;
        }
        cache.assume(key, pod, result.nodeName());
        waiting.remove(key);
        lastFailure.remove(key);
        bindSlots.acquireUninterruptibly();
        binders.execute(() -> {
            try {
                bind(pod, key, result.nodeName());
            } finally {
                bindSlots.release();
            }
        });
    }

    private void bind(Pod pod, String key, String node) {
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        try {
            selectNode(pod, node);
            api.bind(ns, name, node);
            bound.incrementAndGet();
            recorder.normal(pod, "Scheduled", "Successfully assigned " + ns + "/" + name + " to " + node);
        } catch (KubusApiException e) {
            // 409: already bound (another leader's decision) or being deleted; 404: gone. Either way not ours.
            cache.forget(key);
            if (!e.isConflict() && !e.isNotFound()) {
                LOG.warn("binding {} to {} failed, retrying: {}", key, node, e.toString());
                retry(key);
            }
        } catch (RuntimeException e) {
            cache.forget(key);
            LOG.warn("binding {} to {} failed, retrying: {}", key, node, e.toString());
            retry(key);
        }
    }

    /**
     * kube-scheduler's VolumeBinding PreBind: the pod's claims that wait for their first consumer get the chosen node,
     * where the volume controller provisions them. The pod is bound at once rather than after its claims are (as
     * kube-scheduler waits); its node's agent starts it only once they are bound.
     */
    private void selectNode(Pod pod, String node) {
        for (PersistentVolumeClaim claim : VolumeBinding.claimsToSelect(pod, cache.volumes())) {
            api.patch(ResourceTypes.PERSISTENTVOLUMECLAIMS, claim.getMetadata().getNamespace(),
                    claim.getMetadata().getName(), PatchKind.MERGE, "{\"metadata\":{\"annotations\":{"
                            + io.kubus.schema.KubusJson.write(LocalPath.SELECTED_NODE_ANNOTATION) + ":"
                            + io.kubus.schema.KubusJson.write(node) + "}}}", false, PersistentVolumeClaim.class);
        }
    }

    private void retry(String key) {
        int attempts = waiting.merge(key, 1, Integer::sum);
        queue.add(Entry.after(key, backoff(attempts).toMillis()));
    }

    private void unschedulable(Pod pod, String key, String message) {
        waiting.merge(key, 1, Integer::sum);
        // It waits for a cluster change (or the periodic flush) to be tried again, after its back-off.
        unschedulable.add(key);
        if (!message.equals(lastFailure.put(key, message))) {
            binders.execute(() -> report(pod, message));
        }
    }

    private void report(Pod pod, String message) {
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        try {
            api.patch(ResourceTypes.PODS, ns, name, PatchKind.STRATEGIC, """
                    {"status":{"conditions":[{"type":"PodScheduled","status":"False","reason":"Unschedulable",\
                    "message":%s,"lastProbeTime":null,"lastTransitionTime":"%s"}]}}"""
                    .formatted(io.kubus.schema.KubusJson.write(message), now), true, Pod.class);
        } catch (RuntimeException e) {
            LOG.debug("could not record Unschedulable on {}/{}: {}", ns, name, e.toString());
        }
        recorder.warning(pod, "FailedScheduling", message);
    }

    private Duration backoff(int attempts) {
        long ms = settings.getInitialBackoff().toMillis() << Math.min(Math.max(attempts - 1, 0), 16);
        return Duration.ofMillis(Math.min(ms, settings.getMaxBackoff().toMillis()));
    }

    @PreDestroy
    @Override
    public void close() {
        running = false;
        if (election != null) {
            election.close();
        }
        if (loop != null) {
            loop.interrupt();
        }
        binders.shutdown();
        if (pods != null) {
            pods.close();
        }
        if (nodes != null) {
            nodes.close();
        }
        for (Informer<?> i : new Informer<?>[] {claims, volumes, storageClasses}) {
            if (i != null) {
                i.close();
            }
        }
        if (recorder != null) {
            recorder.close();
        }
        if (api != null) {
            api.close();
        }
        if (server.isRunning()) {
            server.stop();
        }
    }

    /** A queued pod and when it may be tried. */
    private record Entry(String key, long readyAtNanos) implements Delayed {
        static Entry after(String key, long delayMillis) {
            return new Entry(key, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis));
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(readyAtNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
        }
    }
}

package io.kubus.controllers.daemon;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.kubus.client.api.KubusApi;
import io.kubus.client.api.KubusApiException;
import io.kubus.client.controller.Controller;
import io.kubus.client.controller.Expectations;
import io.kubus.client.controller.Reconciler;
import io.kubus.client.informer.Index;
import io.kubus.client.informer.Informer;
import io.kubus.client.informer.ResourceEventHandler;
import io.kubus.client.informer.SharedInformers;
import io.kubus.client.record.EventRecorder;
import io.kubus.controllers.ControllersApplication;
import io.kubus.controllers.common.ControllerRefManager;
import io.kubus.controllers.common.Fanout;
import io.kubus.controllers.common.OwnedPodEvents;
import io.kubus.controllers.common.OwnerReferences;
import io.kubus.controllers.common.PodControl;
import io.kubus.controllers.common.PodStates;
import io.kubus.controllers.common.RevisionHistory;
import io.kubus.controllers.common.SlowStart;
import io.kubus.controllers.common.StatusWrites;
import io.kubus.controllers.manager.ControllersSettings;
import io.kubus.controllers.manager.ManagedController;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.pod.PodPhases;
import io.kubus.schema.selector.LabelSelector;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kubernetes' DaemonSet controller: one pod of the DaemonSet on every node that passes its template's node
 * selector, required node affinity and taints ({@link DaemonPods#placement}), created with a node-name affinity so
 * that the scheduler binds it there; pods on nodes that no longer fit go, failed ones are replaced after a back-off.
 * Its templates are kept as ControllerRevisions, whose hash labels the pods: RollingUpdate replaces pods of older
 * revisions within maxUnavailable and maxSurge ({@link DaemonRollout}), OnDelete only when they are deleted. The
 * status carries the counts {@code kubectl rollout status} and {@code get ds} read.
 */
@Singleton
@Requires(env = ControllersApplication.ENVIRONMENT)
public class DaemonSetController implements Reconciler, ManagedController {
    static final String NAME = "daemonset";
    /** At most this many creates or deletes per reconcile (Kubernetes' BurstReplicas). */
    static final int BURST = 250;
    static final int DEFAULT_HISTORY_LIMIT = 10;
    /** Failed daemon pods on a node are replaced no sooner than this, doubling up to {@link #MAX_BACKOFF}. */
    private static final Duration INITIAL_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(15);

    private final KubusApi api;
    private final PodControl podControl;
    private final EventRecorder events;
    private final Informer<DaemonSet> daemonSets;
    private final Informer<Pod> pods;
    private final Informer<Node> nodes;
    private final Informer<ControllerRevision> revisions;
    private final Expectations expectations;
    private final Controller controller;
    private final ControllerRefManager<Pod> podClaims;
    private final RevisionHistory history;
    /** Per DaemonSet and node: when its last failed pod was deleted and how long the next one waits. */
    private final Map<String, Backoff> failedPodBackoff = new ConcurrentHashMap<>();
    private final Clock clock = Clock.systemUTC();

    private record Backoff(Instant since, Duration delay) {
    }

    public DaemonSetController(SharedInformers informers, KubusApi api, PodControl podControl, EventRecorder events,
                               ControllersSettings settings) {
        this.api = api;
        this.podControl = podControl;
        this.events = events;
        this.daemonSets = informers.informer(ResourceTypes.DAEMONSETS, DaemonSet.class).addIndex(Index.NAMESPACE);
        this.pods = informers.informer(ResourceTypes.PODS, Pod.class).addIndex(Index.NAMESPACE);
        this.nodes = informers.informer(ResourceTypes.NODES, Node.class);
        this.revisions = informers.informer(ResourceTypes.CONTROLLERREVISIONS, ControllerRevision.class)
                .addIndex(Index.NAMESPACE);
        this.expectations = new Expectations(settings.getExpectationsTtl());
        this.controller = settings.newController(NAME, this).primary(daemonSets)
                .watch(revisions, r -> OwnerReferences.controllerKey(r, "DaemonSet", daemonSets).stream().toList());
        this.podClaims = new ControllerRefManager<>(api, ResourceTypes.DAEMONSETS, ResourceTypes.PODS, controller);
        this.history = new RevisionHistory(api, revisions, ResourceTypes.DAEMONSETS, controller,
                DaemonPods.HASH_LABEL);
        pods.addHandler(new OwnedPodEvents<>(controller, expectations, daemonSets, "DaemonSet",
                DaemonSetController::selector));
        nodes.addHandler(new NodeEvents());
    }

    @Override
    public Controller controller() {
        return controller;
    }

    @Override
    public void onStartedLeading() {
        expectations.clear();
    }

    @Override
    public Result reconcile(String key) throws Exception {
        Optional<DaemonSet> cached = daemonSets.get(key);
        if (cached.isEmpty()) {
            expectations.forget(key);
            failedPodBackoff.keySet().removeIf(k -> k.startsWith(key + "/"));
            return Result.done();
        }
        DaemonSet ds = cached.get();
        if (ds.getMetadata().getDeletionTimestamp() != null) {
            return Result.done(); // the garbage collector takes its pods and revisions
        }
        List<Node> nodeList = nodes.list();
        String hash = currentRevisionHash(ds);
        Sync sync = new Sync(key, ds, nodeList, hash, clock.instant());
        if (!expectations.satisfied(key)) {
            // Only the status: this generation was not acted on, so observedGeneration stays.
            sync.writeStatus(false);
            return Result.done();
        }
        KubusApiException failure = null;
        try {
            sync.manage();
            if (expectations.satisfied(key) && isRollingUpdate(ds)) {
                sync.rollingUpdate();
            }
            sync.cleanupHistory();
        } catch (KubusApiException e) {
            failure = e;
        }
        Result next = sync.writeStatus(true).orSooner(sync.retry);
        if (failure != null) {
            throw failure;
        }
        return next;
    }

    // ---- history ----

    /**
     * The hash of the revision of the DaemonSet's current template (constructHistory, in {@link RevisionHistory}).
     */
    private String currentRevisionHash(DaemonSet ds) {
        ControllerRevision cur = history.current(ds, history.claim(ds, selector(ds)), ds.getSpec().getTemplate(),
                collisionCount(ds));
        return Objects.requireNonNullElse(history.hashOf(cur), cur.getMetadata().getName());
    }

    private static Integer collisionCount(DaemonSet ds) {
        return ds.getStatus() == null ? null : ds.getStatus().getCollisionCount();
    }

    // ---- event mapping ----

    /**
     * Node events queue the DaemonSets whose placement on the node changes: a node joining, leaving, relabelled,
     * tainted or cordoned. Heartbeats change only the status and are passed over.
     */
    private final class NodeEvents implements ResourceEventHandler<Node> {
        @Override
        public void onAdd(Node node) {
            for (DaemonSet ds : daemonSets.list()) {
                if (DaemonPods.placement(node, ds).shouldRun()) {
                    controller.enqueue(Informer.keyOf(ds));
                }
            }
        }

        @Override
        public void onUpdate(Node old, Node now) {
            if (Objects.equals(old.getMetadata().getLabels(), now.getMetadata().getLabels())
                    && Objects.equals(old.getSpec(), now.getSpec())) {
                return;
            }
            for (DaemonSet ds : daemonSets.list()) {
                if (!DaemonPods.placement(old, ds).equals(DaemonPods.placement(now, ds))) {
                    controller.enqueue(Informer.keyOf(ds));
                }
            }
        }

        @Override
        public void onDelete(Node last) {
            for (DaemonSet ds : daemonSets.list()) {
                if (DaemonPods.placement(last, ds).shouldContinueRunning()) {
                    controller.enqueue(Informer.keyOf(ds));
                }
            }
        }
    }

    private static LabelSelector selector(DaemonSet ds) {
        return LabelSelector.of(ds.getSpec().getSelector());
    }

    private static boolean isRollingUpdate(DaemonSet ds) {
        var strategy = ds.getSpec().getUpdateStrategy();
        return strategy == null || strategy.getType() == null || "RollingUpdate".equals(strategy.getType());
    }

    private static int minReadySeconds(DaemonSet ds) {
        return Objects.requireNonNullElse(ds.getSpec().getMinReadySeconds(), 0);
    }

    /** One reconcile of one DaemonSet, over the pods it controls grouped by the node each is on or meant for. */
    private final class Sync {
        private final String key;
        private final DaemonSet ds;
        private final List<Node> nodeList;
        private final String hash;
        private final Instant now;
        /** Node name to the DaemonSet's pods there, not counting finished pods already being deleted. */
        private final Map<String, List<Pod>> nodeToPods = new TreeMap<>();
        private Result retry = Result.done();

        Sync(String key, DaemonSet ds, List<Node> nodeList, String hash, Instant now) {
            this.key = key;
            this.ds = ds;
            this.nodeList = nodeList;
            this.hash = hash;
            this.now = now;
            List<Pod> owned = podClaims.claim(ds, selector(ds),
                    pods.byIndex(Index.NAMESPACE, ds.getMetadata().getNamespace()));
            for (Pod p : owned) {
                String node = DaemonPods.targetNode(p);
                boolean finishedAndGoing = p.getMetadata().getDeletionTimestamp() != null && PodPhases.isTerminal(p);
                if (node != null && !finishedAndGoing) {
                    nodeToPods.computeIfAbsent(node, n -> new ArrayList<>()).add(p);
                }
            }
        }

        /**
         * Creates the pods of nodes that should run one and have none, deletes the pods of nodes that no longer fit,
         * failed pods (with a back-off per node), extra pods on a node, and unbound pods meant for nodes that are
         * gone (manage, podsShouldBeOnNode).
         */
        void manage() throws InterruptedException {
            List<String> create = new ArrayList<>();
            List<Pod> delete = new ArrayList<>();
            Set<String> known = new HashSet<>();
            // AllowsSurge: a surge of one node's worth or more
            boolean surge = isRollingUpdate(ds) && DaemonRollout.budget(ds, 1).maxSurge() > 0;
            for (Node node : nodeList) {
                String name = node.getMetadata().getName();
                known.add(name);
                DaemonPods.Placement placement = DaemonPods.placement(node, ds);
                List<Pod> there = nodeToPods.getOrDefault(name, List.of());
                if (placement.shouldRun() && there.isEmpty()) {
                    create.add(name);
                } else if (placement.shouldContinueRunning()) {
                    delete.addAll(surplus(name, there, surge));
                } else {
                    there.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).forEach(delete::add);
                }
            }
            // Pods of nodes that are gone: Kubernetes deletes the unbound ones here and leaves the bound ones to its
            // pod garbage collector, which Kubus does not have.
            nodeToPods.forEach((node, there) -> {
                if (!known.contains(node)) {
                    there.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).forEach(delete::add);
                }
            });
            syncNodes(delete, create);
        }

        /**
         * Of the pods on a node that may keep its daemon pod, those to delete: failed ones once their back-off
         * allows, succeeded ones, and beyond one running pod all but the oldest; with surge, the oldest pod of the
         * current revision and the oldest of an older one may both stay while the rollout replaces the latter.
         */
        private List<Pod> surplus(String node, List<Pod> there, boolean surge) {
            List<Pod> delete = new ArrayList<>();
            List<Pod> running = new ArrayList<>();
            for (Pod p : there) {
                if (p.getMetadata().getDeletionTimestamp() != null) {
                    continue;
                }
                String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
                if ("Failed".equals(phase)) {
                    if (backedOff(node)) {
                        events.warning(ds, "FailedDaemonPod", "Found failed daemon pod " + p.getMetadata().getNamespace()
                                + "/" + p.getMetadata().getName() + " on node " + node + ", will try to kill it");
                        delete.add(p);
                    }
                } else if ("Succeeded".equals(phase)) {
                    delete.add(p);
                } else {
                    running.add(p);
                }
            }
            running.sort(DaemonRollout.OLDEST_FIRST);
            boolean keptNew = false;
            boolean keptOld = false;
            for (Pod p : running) {
                boolean updated = DaemonRollout.isUpdated(p, hash);
                if (!keptNew && !keptOld) {
                    keptNew = updated;
                    keptOld = !updated;
                } else if (surge && updated && !keptNew) {
                    keptNew = true;
                } else if (surge && !updated && !keptOld) {
                    keptOld = true;
                } else {
                    delete.add(p);
                }
            }
            return delete;
        }

        /**
         * Whether a failed pod on the node may be deleted now; if so the next one waits twice as long, else the
         * DaemonSet is looked at again when the back-off ends (Kubernetes' failedPodsBackoff).
         */
        private boolean backedOff(String node) {
            String backoffKey = key + "/" + ds.getMetadata().getUid() + "/" + node;
            Backoff b = failedPodBackoff.get(backoffKey);
            if (b != null && now.isBefore(b.since().plus(b.delay()))) {
                retry = retry.orSooner(Result.requeueAfter(Duration.between(now, b.since().plus(b.delay()))));
                return false;
            }
            boolean stale = b == null || now.isAfter(b.since().plus(MAX_BACKOFF.multipliedBy(2)));
            Duration delay = stale ? INITIAL_BACKOFF : b.delay().multipliedBy(2);
            failedPodBackoff.put(backoffKey, new Backoff(now, delay.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : delay));
            return true;
        }

        /** One rolling update step, on the nodes that should run a pod and those that have one. */
        void rollingUpdate() throws InterruptedException {
            Set<String> shouldRun = new HashSet<>();
            Map<String, List<Pod>> candidates = new TreeMap<>();
            for (Node node : nodeList) {
                String name = node.getMetadata().getName();
                if (DaemonPods.placement(node, ds).shouldRun()) {
                    shouldRun.add(name);
                    candidates.put(name, nodeToPods.getOrDefault(name, List.of()));
                } else if (nodeToPods.containsKey(name)) {
                    candidates.put(name, nodeToPods.get(name));
                }
            }
            DaemonRollout.Step step = DaemonRollout.step(candidates, shouldRun, hash,
                    DaemonRollout.budget(ds, shouldRun.size()), minReadySeconds(ds), now);
            syncNodes(step.delete(), step.create());
        }

        /** Creates pods on {@code create}'s nodes (slow start) and deletes {@code delete}, each at most BURST. */
        private void syncNodes(List<Pod> delete, List<String> create) throws InterruptedException {
            List<String> toCreate = create.subList(0, Math.min(create.size(), BURST));
            List<Pod> toDelete = delete.subList(0, Math.min(delete.size(), BURST));
            if (toCreate.isEmpty() && toDelete.isEmpty()) {
                return;
            }
            expectations.expectCreations(key, toCreate.size());
            expectations.expectDeletions(key, toDelete.stream().map(Informer::keyOf).toList());
            KubusApiException failure = deleteAll(toDelete);
            PodTemplateSpec template = DaemonPods.podTemplate(ds, hash);
            SlowStart.Outcome outcome = SlowStart.run(toCreate.size(),
                    i -> podControl.create(DaemonPods.forNode(template, ds, toCreate.get(i)), ds));
            for (int i = outcome.succeeded(); i < toCreate.size(); i++) {
                expectations.creationObserved(key);
            }
            if (outcome.failure() != null && !outcome.namespaceTerminating()) {
                throw outcome.failure();
            }
            if (failure != null) {
                throw failure;
            }
        }

        /** Deletes in parallel; the first failure other than NotFound is returned after all were tried. */
        private KubusApiException deleteAll(List<Pod> doomed) throws InterruptedException {
            try {
                // a pod whose delete failed will not leave the cache because of us: stop waiting for it
                Fanout.run(doomed, p -> podControl.delete(p, ds),
                        (p, e) -> expectations.deletionObserved(key, Informer.keyOf(p)));
                return null;
            } catch (KubusApiException e) {
                return e;
            }
        }

        /** Deletes old revisions beyond revisionHistoryLimit, oldest first, that no pod still runs (cleanupHistory). */
        void cleanupHistory() {
            int limit = Objects.requireNonNullElse(ds.getSpec().getRevisionHistoryLimit(), DEFAULT_HISTORY_LIMIT);
            Set<String> live = new HashSet<>();
            nodeToPods.values().forEach(l -> l.forEach(p -> live.add(
                    Objects.requireNonNullElse(p.getMetadata().getLabels(), Map.<String, String>of())
                            .get(DaemonPods.HASH_LABEL))));
            history.truncate(ds, limit, r -> hash.equals(history.hashOf(r)), r -> live.contains(history.hashOf(r)));
        }

        /**
         * Writes the counts (updateDaemonSetStatus) over the nodes that should run a pod, by the oldest pod on each;
         * a pod on a node that should not run one is misscheduled. With minReadySeconds, looks again when ready pods
         * should have become available.
         */
        Result writeStatus(boolean observed) {
            int desired = 0;
            int current = 0;
            int misscheduled = 0;
            int ready = 0;
            int available = 0;
            int updated = 0;
            int minReady = minReadySeconds(ds);
            for (Node node : nodeList) {
                List<Pod> there = nodeToPods.getOrDefault(node.getMetadata().getName(), List.of());
                if (!DaemonPods.placement(node, ds).shouldRun()) {
                    misscheduled += there.isEmpty() ? 0 : 1;
                    continue;
                }
                desired++;
                if (there.isEmpty()) {
                    continue;
                }
                current++;
                Pod oldest = there.stream().min(DaemonRollout.OLDEST_FIRST).orElseThrow();
                if (PodStates.isReady(oldest)) {
                    ready++;
                    if (PodStates.isAvailable(oldest, minReady, now)) {
                        available++;
                    }
                }
                if (DaemonRollout.isUpdated(oldest, hash)) {
                    updated++;
                }
            }
            DaemonSetStatus old = ds.getStatus() == null ? new DaemonSetStatus() : ds.getStatus();
            DaemonSetStatus next = new DaemonSetStatusBuilder().withDesiredNumberScheduled(desired)
                    .withCurrentNumberScheduled(current).withNumberMisscheduled(misscheduled).withNumberReady(ready)
                    .withNumberAvailable(available).withNumberUnavailable(desired - available)
                    .withUpdatedNumberScheduled(updated).withCollisionCount(old.getCollisionCount())
                    .withConditions(old.getConditions())
                    .withObservedGeneration(observed ? ds.getMetadata().getGeneration() : old.getObservedGeneration())
                    .build();
            if (!KubusJson.equivalent(KubusJson.json().valueToTree(next), KubusJson.json().valueToTree(old))) {
                updateStatus(next);
            }
            return minReady > 0 && ready != available
                    ? Result.requeueAfter(Duration.ofSeconds(minReady)) : Result.done();
        }

        private void updateStatus(DaemonSetStatus status) {
            StatusWrites.update(api, ResourceTypes.DAEMONSETS, ds, o -> {
                DaemonSet copy = KubusJson.copy(o, DaemonSet.class);
                copy.setStatus(status);
                return copy;
            });
        }
    }

}

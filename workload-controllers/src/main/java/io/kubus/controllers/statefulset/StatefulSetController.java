package io.kubus.controllers.statefulset;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.kubus.client.api.KubusApi;
import io.kubus.client.api.KubusApiException;
import io.kubus.client.controller.Controller;
import io.kubus.client.controller.Expectations;
import io.kubus.client.controller.Reconciler;
import io.kubus.client.informer.Index;
import io.kubus.client.informer.Informer;
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
import io.kubus.controllers.common.TemplateRevisions;
import io.kubus.controllers.deployment.Fenceposts;
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
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Kubernetes' StatefulSet controller (pkg/controller/statefulset): pods {@code <set>-<ordinal>} for the ordinals
 * from {@code ordinals.start}, each with a stable host name under the set's Service and its claims made from the
 * volumeClaimTemplates before it ({@link StatefulPods}). With podManagementPolicy OrderedReady an ordinal is made
 * only once every lower one is Running and Ready (and available for minReadySeconds), and on scale-down pods go from
 * the highest ordinal, one at a time, only while the others are healthy; with Parallel all at once. A failed pod is
 * deleted and made again under its name, never before the old one is gone. Templates are kept as ControllerRevisions
 * ({@link RevisionHistory}), whose names label the pods: RollingUpdate replaces pods of other revisions from the
 * highest ordinal down to the partition, within maxUnavailable; OnDelete only when they are deleted. Claims stay
 * when their pods go unless the persistentVolumeClaimRetentionPolicy says Delete, which makes the set (whenDeleted)
 * or the scaled-away pod (whenScaled) their owner, for the garbage collector.
 */
@Singleton
@Requires(env = ControllersApplication.ENVIRONMENT)
public class StatefulSetController implements Reconciler, ManagedController {
    static final String NAME = "statefulset";
    static final int DEFAULT_HISTORY_LIMIT = 10;
    /** How soon a set whose new pod waits for the stale claim of a former pod to go is looked at again. */
    private static final Duration STALE_CLAIM_RETRY = Duration.ofSeconds(1);

    private final KubusApi api;
    private final PodControl podControl;
    private final EventRecorder events;
    private final Informer<StatefulSet> sets;
    private final Informer<Pod> pods;
    private final Informer<PersistentVolumeClaim> claims;
    private final Expectations expectations;
    private final Controller controller;
    private final ControllerRefManager<Pod> podClaims;
    private final RevisionHistory history;
    private final Clock clock = Clock.systemUTC();

    public StatefulSetController(SharedInformers informers, KubusApi api, PodControl podControl, EventRecorder events,
                                 ControllersSettings settings) {
        this.api = api;
        this.podControl = podControl;
        this.events = events;
        this.sets = informers.informer(ResourceTypes.STATEFULSETS, StatefulSet.class).addIndex(Index.NAMESPACE);
        this.pods = informers.informer(ResourceTypes.PODS, Pod.class).addIndex(Index.NAMESPACE);
        this.claims = informers.informer(ResourceTypes.PERSISTENTVOLUMECLAIMS, PersistentVolumeClaim.class);
        Informer<ControllerRevision> revisions = informers.informer(ResourceTypes.CONTROLLERREVISIONS,
                ControllerRevision.class).addIndex(Index.NAMESPACE);
        this.expectations = new Expectations(settings.getExpectationsTtl());
        this.controller = settings.newController(NAME, this).primary(sets)
                .watch(revisions, r -> OwnerReferences.controllerKey(r, "StatefulSet", sets).stream().toList());
        this.podClaims = new ControllerRefManager<>(api, ResourceTypes.STATEFULSETS, ResourceTypes.PODS, controller);
        this.history = new RevisionHistory(api, revisions, ResourceTypes.STATEFULSETS, controller,
                TemplateRevisions.CONTROLLER_HASH_LABEL);
        pods.addHandler(new OwnedPodEvents<>(controller, expectations, sets, "StatefulSet",
                StatefulSetController::selector));
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
        Optional<StatefulSet> cached = sets.get(key);
        if (cached.isEmpty()) {
            expectations.forget(key);
            return Result.done();
        }
        StatefulSet set = cached.get();
        if (set.getMetadata().getDeletionTimestamp() != null) {
            return Result.done(); // the garbage collector takes its pods, revisions and Delete-policy claims
        }
        // getStatefulSetRevisions: the update revision is the template's, the current one the status names
        List<ControllerRevision> owned = history.claim(set, selector(set));
        ControllerRevision update = history.current(set, owned, set.getSpec().getTemplate(), collisionCount(set));
        String currentName = set.getStatus() == null ? null : set.getStatus().getCurrentRevision();
        ControllerRevision current = owned.stream()
                .filter(r -> r.getMetadata().getName().equals(currentName)).findFirst().orElse(update);
        List<Pod> members = pods.byIndex(Index.NAMESPACE, set.getMetadata().getNamespace()).stream()
                .filter(p -> StatefulPods.isMemberOf(set, p)).toList();
        Sync sync = new Sync(key, set, podClaims.claim(set, selector(set), members), current, update,
                clock.instant());
        if (!expectations.satisfied(key)) {
            // Only the status: this generation was not acted on, so observedGeneration stays.
            sync.writeStatus(false);
            return Result.done();
        }
        KubusApiException failure = null;
        try {
            sync.run();
            Set<String> live = sync.liveRevisions();
            int limit = Objects.requireNonNullElse(set.getSpec().getRevisionHistoryLimit(), DEFAULT_HISTORY_LIMIT);
            history.truncate(set, limit, r -> live.contains(r.getMetadata().getName()), r -> false);
        } catch (KubusApiException e) {
            failure = e;
        }
        Result next = sync.writeStatus(true).orSooner(sync.retry);
        if (failure != null) {
            throw failure;
        }
        return next;
    }

    private static Integer collisionCount(StatefulSet set) {
        return set.getStatus() == null ? null : set.getStatus().getCollisionCount();
    }

    private static LabelSelector selector(StatefulSet set) {
        return LabelSelector.of(set.getSpec().getSelector());
    }

    private static boolean isRollingUpdate(StatefulSet set) {
        var strategy = set.getSpec().getUpdateStrategy();
        return strategy == null || strategy.getType() == null || "RollingUpdate".equals(strategy.getType());
    }

    private static boolean isParallel(StatefulSet set) {
        return "Parallel".equals(set.getSpec().getPodManagementPolicy());
    }

    private static int minReadySeconds(StatefulSet set) {
        return Objects.requireNonNullElse(set.getSpec().getMinReadySeconds(), 0);
    }

    /** One reconcile of one StatefulSet (updateStatefulSet), over its pods by ordinal. */
    private final class Sync {
        private final String key;
        private final StatefulSet set;
        private final List<Pod> owned;
        private final ControllerRevision current;
        private final ControllerRevision update;
        private final PodTemplateSpec currentTemplate;
        private final Instant now;
        private final boolean monotonic;
        private final int minReady;
        private final int start;
        /** The pod of each wanted ordinal (start + index), null where there is none. */
        private final Pod[] replicas;
        /** The pods of ordinals no longer wanted, highest ordinal first. */
        private final List<Pod> condemned = new ArrayList<>();
        private Result retry = Result.done();

        Sync(String key, StatefulSet set, List<Pod> owned, ControllerRevision current, ControllerRevision update,
             Instant now) {
            this.key = key;
            this.set = set;
            this.owned = owned;
            this.current = current;
            this.update = update;
            this.currentTemplate = Objects.requireNonNullElse(TemplateRevisions.template(current),
                    set.getSpec().getTemplate());
            this.now = now;
            this.monotonic = !isParallel(set);
            this.minReady = minReadySeconds(set);
            this.start = StatefulPods.startOrdinal(set);
            this.replicas = new Pod[StatefulPods.replicas(set)];
            for (Pod p : owned) {
                int ordinal = StatefulPods.ordinalOf(p);
                if (StatefulPods.inOrdinalRange(set, ordinal)) {
                    replicas[ordinal - start] = p;
                } else if (ordinal >= 0) {
                    condemned.add(p);
                }
            }
            condemned.sort(Comparator.comparingInt(StatefulPods::ordinalOf).reversed());
        }

        /** The revisions that must stay: the current and update ones and those of the pods. */
        Set<String> liveRevisions() {
            Set<String> live = new HashSet<>();
            live.add(current.getMetadata().getName());
            live.add(update.getMetadata().getName());
            owned.forEach(p -> live.add(StatefulPods.revisionOf(p)));
            return live;
        }

        private boolean available(Pod p) {
            return StatefulPods.isRunningAndAvailable(p, minReady, now);
        }

        /** Looks again when a ready pod should have become available. */
        private void retryWhenAvailable(Pod p) {
            Instant at = PodStates.availableAt(p, minReady);
            if (at != null && at.isAfter(now)) {
                retry = retry.orSooner(Result.requeueAfter(Duration.between(now, at).plusMillis(10)));
            }
        }

        void run() throws InterruptedException {
            if (!processReplicas()) {
                return;
            }
            for (Pod p : condemned) {
                fixClaimOwners(p, StatefulPods.ordinalOf(p));
            }
            if (!processCondemned()) {
                return;
            }
            if (isRollingUpdate(set)) {
                rollingUpdate();
            }
        }

        /**
         * Makes the missing pods of the wanted ordinals (their claims first), replaces failed ones and keeps the
         * pods' identity and claims as they should be. In OrderedReady, stops at the first pod that is not yet
         * Running, Ready and available, after making at most one pod. Returns whether it went through them all.
         */
        private boolean processReplicas() throws InterruptedException {
            List<Integer> create = new ArrayList<>();
            boolean through = true;
            for (int i = 0; i < replicas.length && through; i++) {
                Pod p = replicas[i];
                int ordinal = start + i;
                if (p == null) {
                    if (hasStaleClaim(ordinal)) {
                        retry = retry.orSooner(Result.requeueAfter(STALE_CLAIM_RETRY));
                        through = !monotonic;
                        continue;
                    }
                    create.add(ordinal);
                    through = !monotonic;
                    continue;
                }
                if (!StatefulPods.isTerminating(p) && PodPhases.isTerminal(p)) {
                    // made again under its name once it is gone (the pod's delete event brings the set back)
                    boolean failed = "Failed".equals(StatefulPods.phase(p));
                    events.warning(set, failed ? "RecreatingFailedPod" : "RecreatingTerminatedPod", "StatefulSet "
                            + set.getMetadata().getNamespace() + "/" + set.getMetadata().getName() + " is recreating "
                            + (failed ? "failed" : "terminated") + " Pod " + p.getMetadata().getName());
                    delete(List.of(p));
                    through = !monotonic;
                    continue;
                }
                if ("Pending".equals(StatefulPods.phase(p))) {
                    createMissingClaims(ordinal, p);
                }
                if (monotonic && (StatefulPods.isTerminating(p) || !StatefulPods.isRunningAndReady(p))) {
                    through = false;
                    continue;
                }
                if (monotonic && !available(p)) {
                    retryWhenAvailable(p);
                    through = false;
                    continue;
                }
                if (!StatefulPods.isTerminating(p)) {
                    fixClaimOwners(p, ordinal);
                    if (!StatefulPods.identityMatches(set, p)) {
                        api.update(ResourceTypes.PODS, StatefulPods.withIdentity(p));
                    }
                }
            }
            createPods(create);
            return through;
        }

        /**
         * Deletes the pods of ordinals no longer wanted, highest first; in OrderedReady one at a time, each only
         * once the one before is gone and while every other pod is healthy (the first unhealthy pod may go itself).
         * Returns whether nothing holds the set back from its update.
         */
        private boolean processCondemned() throws InterruptedException {
            Pod firstUnhealthy = firstUnhealthy();
            List<Pod> doomed = new ArrayList<>();
            for (Pod p : condemned) {
                if (StatefulPods.isTerminating(p)) {
                    if (monotonic) {
                        return false;
                    }
                    continue;
                }
                if (monotonic && p != firstUnhealthy && (!StatefulPods.isRunningAndReady(p) || !available(p))) {
                    retryWhenAvailable(p);
                    return false;
                }
                doomed.add(p);
                if (monotonic) {
                    break;
                }
            }
            delete(doomed);
            return !monotonic || doomed.isEmpty();
        }

        /** The first pod, wanted ones by ordinal then condemned ones, that is not healthy; null if all are. */
        private Pod firstUnhealthy() {
            for (Pod p : replicas) {
                if (p != null && !StatefulPods.isHealthy(p)) {
                    return p;
                }
            }
            return condemned.stream().filter(p -> !StatefulPods.isHealthy(p)).findFirst().orElse(null);
        }

        /**
         * One step of a rolling update (updateStatefulSetAfterInvariantEstablished): while fewer than maxUnavailable
         * wanted pods are unhealthy, deletes pods of another revision from the highest ordinal down to the
         * partition, as many as maxUnavailable allows; each comes back at the update revision.
         */
        private void rollingUpdate() throws InterruptedException {
            var ru = set.getSpec().getUpdateStrategy() == null ? null
                    : set.getSpec().getUpdateStrategy().getRollingUpdate();
            int partition = ru == null || ru.getPartition() == null ? 0 : ru.getPartition();
            int maxUnavailable = ru == null || ru.getMaxUnavailable() == null ? 1
                    : Math.max(1, Fenceposts.scaled(ru.getMaxUnavailable(), replicas.length, false));
            int unavailable = 0;
            for (Pod p : replicas) {
                if (p == null || !StatefulPods.isHealthy(p) || !available(p)) {
                    unavailable++;
                    if (p != null) {
                        retryWhenAvailable(p);
                    }
                }
            }
            List<Pod> doomed = new ArrayList<>();
            for (int i = replicas.length - 1; i >= partition && doomed.size() < maxUnavailable - unavailable; i--) {
                Pod p = replicas[i];
                if (p != null && !StatefulPods.isTerminating(p)
                        && !update.getMetadata().getName().equals(StatefulPods.revisionOf(p))) {
                    doomed.add(p);
                }
            }
            delete(doomed);
        }

        /** Makes the claims and pods of {@code ordinals} (slow start in Parallel; one at a time in OrderedReady). */
        private void createPods(List<Integer> ordinals) throws InterruptedException {
            if (ordinals.isEmpty()) {
                return;
            }
            expectations.expectCreations(key, ordinals.size());
            SlowStart.Outcome outcome = SlowStart.run(ordinals.size(), i -> {
                int ordinal = ordinals.get(i);
                createMissingClaims(ordinal, null);
                podControl.create(newPod(ordinal), set);
            });
            for (int i = outcome.succeeded(); i < ordinals.size(); i++) {
                expectations.creationObserved(key);
            }
            if (outcome.failure() != null && !outcome.namespaceTerminating()) {
                throw outcome.failure();
            }
        }

        /**
         * The pod of an ordinal made anew (newVersionedStatefulSetPod): below the partition (or, in a RollingUpdate
         * without rollingUpdate settings, below the current count) at the current revision, else at the update one.
         */
        private Pod newPod(int ordinal) {
            var strategy = set.getSpec().getUpdateStrategy();
            var ru = strategy == null ? null : strategy.getRollingUpdate();
            int currentReplicas = set.getStatus() == null || set.getStatus().getCurrentReplicas() == null ? 0
                    : set.getStatus().getCurrentReplicas();
            boolean atCurrent = (isRollingUpdate(set) && ru == null && ordinal < start + currentReplicas)
                    || (ru != null && ru.getPartition() != null && ordinal < start + ru.getPartition());
            return atCurrent ? StatefulPods.newPod(set, currentTemplate, current.getMetadata().getName(), ordinal)
                    : StatefulPods.newPod(set, set.getSpec().getTemplate(), update.getMetadata().getName(), ordinal);
        }

        /** Whether a claim of the ordinal is left from a pod that is gone and about to be deleted with it. */
        private boolean hasStaleClaim(int ordinal) {
            for (PersistentVolumeClaim wanted : StatefulPods.claims(set, ordinal).values()) {
                Optional<PersistentVolumeClaim> existing = claims.get(set.getMetadata().getNamespace(),
                        wanted.getMetadata().getName());
                if (existing.isPresent() && StatefulPods.isStale(existing.get(), null)) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Creates the claims of the ordinal that do not exist, owned as the retention policy says; a claim being
         * deleted is an error, as the pod would lose it (createPersistentVolumeClaims).
         */
        private void createMissingClaims(int ordinal, Pod pod) {
            String podName = StatefulPods.podName(set, ordinal);
            for (PersistentVolumeClaim wanted : StatefulPods.claims(set, ordinal).values()) {
                String name = wanted.getMetadata().getName();
                Optional<PersistentVolumeClaim> existing = claims.get(set.getMetadata().getNamespace(), name);
                if (existing.isPresent()) {
                    if (existing.get().getMetadata().getDeletionTimestamp() != null) {
                        throw new IllegalStateException("pvc " + name + " is being deleted");
                    }
                    continue;
                }
                wanted.getMetadata().setOwnerReferences(StatefulPods.claimOwners(set, wanted, pod));
                try {
                    api.create(ResourceTypes.PERSISTENTVOLUMECLAIMS, wanted);
                    events.normal(set, "SuccessfulCreate", "create Claim " + name + " Pod " + podName
                            + " in StatefulSet " + set.getMetadata().getName() + " success");
                } catch (KubusApiException e) {
                    if (!e.isAlreadyExists()) {
                        events.warning(set, "FailedCreate", "create Claim " + name + " for Pod " + podName
                                + " in StatefulSet " + set.getMetadata().getName() + " failed error: "
                                + e.statusMessage());
                        throw e;
                    }
                }
            }
        }

        /** Sets the owners of the pod's existing claims as the retention policy says (ClaimsMatchRetentionPolicy). */
        private void fixClaimOwners(Pod pod, int ordinal) {
            if (StatefulPods.claimTemplates(set).isEmpty()) {
                return;
            }
            for (PersistentVolumeClaim wanted : StatefulPods.claims(set, ordinal).values()) {
                Optional<PersistentVolumeClaim> existing = claims.get(set.getMetadata().getNamespace(),
                        wanted.getMetadata().getName());
                if (existing.isEmpty() || existing.get().getMetadata().getDeletionTimestamp() != null) {
                    continue;
                }
                List<OwnerReference> refs = StatefulPods.claimOwners(set, existing.get(), pod);
                if (refs != null) {
                    PersistentVolumeClaim copy = KubusJson.copy(existing.get(), PersistentVolumeClaim.class);
                    copy.getMetadata().setOwnerReferences(refs);
                    try {
                        api.update(ResourceTypes.PERSISTENTVOLUMECLAIMS, copy);
                    } catch (KubusApiException e) {
                        if (!e.isConflict() && !e.isNotFound()) {
                            throw e;
                        }
                        retry = retry.orSooner(Result.requeueAfter(STALE_CLAIM_RETRY));
                    }
                }
            }
        }

        /** Deletes in parallel, expecting each pod's deletion; throws the first failure other than NotFound. */
        private void delete(List<Pod> doomed) throws InterruptedException {
            if (doomed.isEmpty()) {
                return;
            }
            expectations.expectDeletions(key, doomed.stream().map(Informer::keyOf).toList());
            Fanout.run(doomed, p -> podControl.delete(p, set),
                    (p, e) -> expectations.deletionObserved(key, Informer.keyOf(p)));
        }

        /**
         * Writes the counts (computeReplicaStatus, updateStatefulSetStatus): pods made, Running and Ready, available
         * for minReadySeconds, and, of those not being deleted, at the current and update revisions. A rolling update
         * whose pods are all updated and ready makes the update revision the current one.
         */
        Result writeStatus(boolean observed) {
            int count = 0;
            int ready = 0;
            int available = 0;
            int atCurrent = 0;
            int updated = 0;
            for (Pod p : owned) {
                count++;
                if (StatefulPods.isRunningAndReady(p)) {
                    ready++;
                    if (available(p)) {
                        available++;
                    }
                }
                if (!StatefulPods.isTerminating(p)) {
                    String revision = StatefulPods.revisionOf(p);
                    if (current.getMetadata().getName().equals(revision)) {
                        atCurrent++;
                    }
                    if (update.getMetadata().getName().equals(revision)) {
                        updated++;
                    }
                }
            }
            String currentRevision = current.getMetadata().getName();
            if (isRollingUpdate(set) && updated == count && ready == count) {
                currentRevision = update.getMetadata().getName();
                atCurrent = updated;
            }
            StatefulSetStatus old = set.getStatus() == null ? new StatefulSetStatus() : set.getStatus();
            StatefulSetStatus next = new StatefulSetStatusBuilder().withReplicas(count).withReadyReplicas(ready)
                    .withAvailableReplicas(available).withCurrentReplicas(atCurrent).withUpdatedReplicas(updated)
                    .withCurrentRevision(currentRevision).withUpdateRevision(update.getMetadata().getName())
                    .withCollisionCount(old.getCollisionCount()).withConditions(old.getConditions())
                    .withObservedGeneration(observed ? set.getMetadata().getGeneration() : old.getObservedGeneration())
                    .build();
            if (!KubusJson.equivalent(KubusJson.json().valueToTree(next), KubusJson.json().valueToTree(old))) {
                updateStatus(next);
            }
            return minReady > 0 && ready != available
                    ? Result.requeueAfter(Duration.ofSeconds(minReady)) : Result.done();
        }

        private void updateStatus(StatefulSetStatus status) {
            StatusWrites.update(api, ResourceTypes.STATEFULSETS, set, o -> {
                StatefulSet copy = KubusJson.copy(o, StatefulSet.class);
                copy.setStatus(status);
                return copy;
            });
        }
    }
}

package io.kubus.controllers.replicaset;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.client.api.KubusApi;
import io.kubus.client.api.KubusApiException;
import io.kubus.client.controller.Controller;
import io.kubus.client.controller.Expectations;
import io.kubus.client.controller.Reconciler;
import io.kubus.client.informer.Index;
import io.kubus.client.informer.Informer;
import io.kubus.client.informer.SharedInformers;
import io.kubus.controllers.common.ControllerRefManager;
import io.kubus.controllers.common.Fanout;
import io.kubus.controllers.common.OwnedPodEvents;
import io.kubus.controllers.common.PodControl;
import io.kubus.controllers.common.PodDeletionOrder;
import io.kubus.controllers.common.PodStates;
import io.kubus.controllers.common.SlowStart;
import io.kubus.controllers.manager.ControllersSettings;
import io.kubus.controllers.manager.ManagedController;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.selector.LabelSelector;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Kubernetes' ReplicaSet controller, for ReplicaSets and ReplicationControllers ({@link ReplicaKind}): keeps the
 * number of active pods that match an owner's selector and are controlled by it at {@code spec.replicas}. It adopts
 * matching orphans, releases pods that stopped matching, creates from the template in slow-start batches and
 * deletes the pods {@link PodDeletionOrder} ranks first; it writes replicas, fullyLabeledReplicas, readyReplicas,
 * availableReplicas and observedGeneration to the status. Expectations keep a cache that lags behind its own
 * creates and deletes from making it act twice.
 */
public final class ReplicaSetController<T extends HasMetadata> implements Reconciler, ManagedController {
    /** At most this many creates or deletes per reconcile, as Kubernetes' burstReplicas. */
    static final int BURST = 500;

    private final ReplicaKind<T> kind;
    private final KubusApi api;
    private final PodControl podControl;
    private final Informer<T> owners;
    private final Informer<Pod> pods;
    private final Expectations expectations;
    private final Controller controller;
    private final ControllerRefManager<Pod> claims;

    ReplicaSetController(ReplicaKind<T> kind, SharedInformers informers, KubusApi api, PodControl podControl,
                         ControllersSettings settings) {
        this.kind = kind;
        this.api = api;
        this.podControl = podControl;
        this.owners = informers.informer(kind.type(), kind.modelClass()).addIndex(Index.NAMESPACE);
        this.pods = informers.informer(ResourceTypes.PODS, Pod.class).addIndex(Index.NAMESPACE);
        this.expectations = new Expectations(settings.getExpectationsTtl());
        this.controller = settings.newController(kind.controllerName(), this);
        controller.primary(owners);
        this.claims = new ControllerRefManager<>(api, kind.type(), ResourceTypes.PODS, controller);
        pods.addHandler(new OwnedPodEvents<>(controller, expectations, owners, kind.type().kind(), kind::selector));
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
        Optional<T> cached = owners.get(key);
        if (cached.isEmpty()) {
            expectations.forget(key);
            return Result.done();
        }
        T owner = cached.get();
        boolean needsSync = expectations.satisfied(key);
        LabelSelector selector = kind.selector(owner);
        List<Pod> owned = claims.claim(owner, selector, activePodsIn(owner.getMetadata().getNamespace()));

        Exception manageError = null;
        if (needsSync && owner.getMetadata().getDeletionTimestamp() == null) {
            try {
                manageReplicas(key, owner, owned);
            } catch (KubusApiException e) {
                manageError = e;
            }
        }
        Instant now = Instant.now();
        updateStatus(owner, owned, manageError, now);
        if (manageError != null) {
            throw manageError;
        }
        return nextAvailability(owner, owned, now);
    }

    private List<Pod> activePodsIn(String namespace) {
        List<Pod> result = new ArrayList<>();
        for (Pod p : pods.byIndex(Index.NAMESPACE, namespace)) {
            if (PodStates.isActive(p)) {
                result.add(p);
            }
        }
        return result;
    }

    private void manageReplicas(String key, T owner, List<Pod> owned) throws InterruptedException {
        int diff = owned.size() - kind.replicas(owner);
        if (diff < 0) {
            int count = Math.min(-diff, BURST);
            expectations.expectCreations(key, count);
            slowStartCreate(key, owner, count);
        } else if (diff > 0) {
            List<Pod> victims = PodDeletionOrder.choose(owned, Math.min(diff, BURST));
            expectations.expectDeletions(key, victims.stream().map(Informer::keyOf).toList());
            deleteAll(key, owner, victims);
        }
    }

    /**
     * Creates in slow-start batches; every create not made is taken off the expectations. A namespace being deleted
     * ends the creates quietly; any other failure is thrown.
     */
    private void slowStartCreate(String key, T owner, int count) throws InterruptedException {
        SlowStart.Outcome outcome = SlowStart.run(count,
                i -> podControl.create(PodControl.fromTemplate(kind.template(owner), owner), owner));
        for (int i = outcome.succeeded(); i < count; i++) {
            expectations.creationObserved(key);
        }
        if (outcome.failure() != null && !outcome.namespaceTerminating()) {
            throw outcome.failure();
        }
    }

    private void deleteAll(String key, T owner, List<Pod> victims) throws InterruptedException {
        // a pod whose delete failed will not leave the cache because of us: stop waiting for it
        Fanout.run(victims, p -> podControl.delete(p, owner),
                (p, e) -> expectations.deletionObserved(key, Informer.keyOf(p)));
    }

    private void updateStatus(T owner, List<Pod> owned, Exception manageError, Instant now) {
        Map<String, String> templateLabels = kind.template(owner).getMetadata() == null ? Map.of()
                : Objects.requireNonNullElse(kind.template(owner).getMetadata().getLabels(), Map.of());
        int fullyLabeled = 0;
        int ready = 0;
        int available = 0;
        int minReady = kind.minReadySeconds(owner);
        for (Pod p : owned) {
            if (labels(p).entrySet().containsAll(templateLabels.entrySet())) {
                fullyLabeled++;
            }
            if (PodStates.isReady(p)) {
                ready++;
                if (PodStates.isAvailable(p, minReady, now)) {
                    available++;
                }
            }
        }
        ReplicaKind.ReplicaStatus current = kind.status(owner);
        ReplicaKind.Failure failure = null;
        if (manageError instanceof KubusApiException k) {
            String reason = owned.size() > kind.replicas(owner) ? "FailedDelete" : "FailedCreate";
            failure = current.failure() != null && current.failure().message().equals(k.statusMessage())
                    ? current.failure()
                    : new ReplicaKind.Failure(reason, k.statusMessage(),
                    now.truncatedTo(ChronoUnit.SECONDS).toString());
        }
        long generation = Objects.requireNonNullElse(owner.getMetadata().getGeneration(), 0L);
        ReplicaKind.ReplicaStatus next = new ReplicaKind.ReplicaStatus(owned.size(), fullyLabeled, ready, available,
                generation, failure);
        if (next.equals(current)) {
            return;
        }
        try {
            api.updateStatus(kind.type(), kind.withStatus(owner, next));
        } catch (KubusApiException e) {
            if (!e.isConflict()) {
                throw e;
            }
            // The cache lags behind the owner's last write, often this controller's own previous status: write once
            // more onto a fresh read, as Kubernetes does, rather than back off while pods keep changing.
            Optional<T> fresh = api.get(kind.type(), owner.getMetadata().getNamespace(), owner.getMetadata().getName(),
                    kind.modelClass());
            if (fresh.isPresent() && Objects.equals(fresh.get().getMetadata().getUid(), owner.getMetadata().getUid())) {
                api.updateStatus(kind.type(), kind.withStatus(fresh.get(), next));
            }
        }
    }

    /** With minReadySeconds, look again when the next ready pod becomes available (no event marks that moment). */
    private Result nextAvailability(T owner, List<Pod> owned, Instant now) {
        int minReady = kind.minReadySeconds(owner);
        if (minReady <= 0) {
            return Result.done();
        }
        Instant next = null;
        for (Pod p : owned) {
            Instant at = PodStates.availableAt(p, minReady);
            if (at != null && at.isAfter(now) && (next == null || at.isBefore(next))) {
                next = at;
            }
        }
        return next == null ? Result.done()
                : Result.requeueAfter(Duration.between(now, next).plusMillis(100));
    }

    private static Map<String, String> labels(Pod pod) {
        return pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
    }
}

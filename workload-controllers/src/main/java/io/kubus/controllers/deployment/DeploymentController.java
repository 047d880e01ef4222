package io.kubus.controllers.deployment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.kubus.client.api.KubusApi;
import io.kubus.client.api.KubusApiException;
import io.kubus.client.api.PatchKind;
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
import io.kubus.controllers.common.OwnerReferences;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Kubernetes' deployment controller: rolls a Deployment's pod template out through ReplicaSets named
 * {@code <deployment>-<pod-template-hash>} — RollingUpdate within maxSurge/maxUnavailable, or Recreate — scales them
 * in proportion when the deployment is scaled mid-rollout, keeps their revision annotations for
 * {@code kubectl rollout history/undo}, prunes old ones beyond revisionHistoryLimit, and reports the status and
 * conditions {@code kubectl rollout status} waits on. It manages ReplicaSets only; their pods are the ReplicaSet
 * controller's. Every decision is made from the informer caches; RS writes carry the cached resourceVersion, so a
 * stale cache ends in 409 and a retry, never in a decision on outdated sizes.
 */
@Singleton
@Requires(env = ControllersApplication.ENVIRONMENT)
public class DeploymentController implements Reconciler, ManagedController {
    static final String NAME = "deployment";

    private final KubusApi api;
    private final EventRecorder events;
    private final Informer<Deployment> deployments;
    private final Informer<ReplicaSet> replicaSets;
    private final Informer<Pod> pods;
    private final Expectations expectations;
    private final Controller controller;
    private final ControllerRefManager<ReplicaSet> claims;
    private final Clock clock = Clock.systemUTC();

    public DeploymentController(SharedInformers informers, KubusApi api, EventRecorder events,
                                ControllersSettings settings) {
        this.api = api;
        this.events = events;
        this.deployments = informers.informer(ResourceTypes.DEPLOYMENTS, Deployment.class).addIndex(Index.NAMESPACE);
        this.replicaSets = informers.informer(ResourceTypes.REPLICASETS, ReplicaSet.class).addIndex(Index.NAMESPACE);
        this.pods = informers.informer(ResourceTypes.PODS, Pod.class).addIndex(Index.NAMESPACE);
        this.expectations = new Expectations(settings.getExpectationsTtl());
        // Before the controller's own handler, so that a key is queued only once its expectation is met.
        replicaSets.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ReplicaSet rs) {
                ownerKey(rs).ifPresent(expectations::creationObserved);
            }

            @Override
            public void onDelete(ReplicaSet rs) {
                ownerKey(rs).ifPresent(k -> expectations.deletionObserved(k, Informer.keyOf(rs)));
            }
        });
        this.controller = settings.newController(NAME, this)
                .primary(deployments)
                .watch(replicaSets, this::deploymentKeysFor);
        this.claims = new ControllerRefManager<>(api, ResourceTypes.DEPLOYMENTS, ResourceTypes.REPLICASETS, controller);
        // Recreate waits for the old pods to be gone; their deletion is what it waits for.
        pods.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onDelete(Pod pod) {
                deploymentOf(pod).filter(d -> !DeploymentSpecs.isRollingUpdate(d))
                        .ifPresent(d -> controller.enqueue(Informer.keyOf(d)));
            }
        });
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
    public Result reconcile(String key) {
        Optional<Deployment> cached = deployments.get(key);
        if (cached.isEmpty()) {
            expectations.forget(key);
            return Result.done();
        }
        if (!expectations.satisfied(key)) {
            // A ReplicaSet this controller created or deleted has not reached the cache: acting now could create or
            // delete it again. Its event queues the key again.
            return Result.done();
        }
        return new Sync(key, cached.get(), clock.instant()).run();
    }

    // ---- event mapping ----

    /** The deployment that controls the ReplicaSet, or for an orphan every deployment whose selector matches it. */
    private List<String> deploymentKeysFor(ReplicaSet rs) {
        Optional<OwnerReference> ref = OwnerReferences.controllerOf(rs);
        if (ref.isPresent()) {
            return resolve(rs.getMetadata().getNamespace(), ref.get()).map(Informer::keyOf).stream().toList();
        }
        Map<String, String> labels = rs.getMetadata().getLabels();
        if (labels == null || labels.isEmpty()) {
            return List.of();
        }
        return deployments.byIndex(Index.NAMESPACE, rs.getMetadata().getNamespace()).stream()
                .filter(d -> selector(d).matches(labels))
                .map(Informer::keyOf).toList();
    }

    private Optional<String> ownerKey(ReplicaSet rs) {
        return OwnerReferences.controllerOf(rs).filter(r -> "Deployment".equals(r.getKind()))
                .map(r -> rs.getMetadata().getNamespace() + "/" + r.getName());
    }

    /** The cached deployment a controller reference names, if it is still that object (same uid). */
    private Optional<Deployment> resolve(String namespace, OwnerReference ref) {
        if (!"Deployment".equals(ref.getKind())) {
            return Optional.empty();
        }
        return deployments.get(namespace, ref.getName())
                .filter(d -> Objects.equals(d.getMetadata().getUid(), ref.getUid()));
    }

    private Optional<Deployment> deploymentOf(Pod pod) {
        return OwnerReferences.controllerOf(pod).filter(r -> "ReplicaSet".equals(r.getKind()))
                .flatMap(r -> replicaSets.get(pod.getMetadata().getNamespace(), r.getName())
                        .filter(rs -> Objects.equals(rs.getMetadata().getUid(), r.getUid())))
                .flatMap(rs -> OwnerReferences.controllerOf(rs).flatMap(r -> resolve(rs.getMetadata().getNamespace(), r)));
    }

    private static LabelSelector selector(Deployment d) {
        return LabelSelector.of(d.getSpec().getSelector());
    }

    private static <T> T copy(T object, Class<T> cls) {
        return KubusJson.copy(object, cls);
    }

    private static boolean sameJson(Object a, Object b) {
        return Objects.equals(KubusJson.json().valueToTree(a), KubusJson.json().valueToTree(b));
    }

    /**
     * One reconcile of one deployment (syncDeployment). {@code d} is a working copy: revision annotation and status
     * changes accumulate in it and are written by {@link #flush}, which compares with {@code stored}, the version the
     * API last gave back.
     */
    private final class Sync {
        private final String key;
        private final Instant now;
        private Deployment stored;
        private Deployment d;
        private List<ReplicaSet> rsList;
        private ReplicaSet newRS;
        private List<ReplicaSet> oldRSs;

        Sync(String key, Deployment cached, Instant now) {
            this.key = key;
            this.now = now;
            this.stored = cached;
            this.d = copy(cached, Deployment.class);
        }

        Result run() {
            rsList = claims.claim(d, selector(d), replicaSets.byIndex(Index.NAMESPACE, d.getMetadata().getNamespace()));
            if (d.getMetadata().getDeletionTimestamp() != null) {
                findReplicaSetsAndSyncRevision();
                return writeStatus(DeploymentStatuses.calculate(all(), newRS, d, now));
            }
            DeploymentStatuses.setPausedCondition(d, now);
            findReplicaSetsAndSyncRevision();
            if (DeploymentSpecs.isPaused(d) || RolloutPlanner.isScalingEvent(d, all())) {
                return scale();
            }
            return DeploymentSpecs.isRollingUpdate(d) ? rolloutRolling() : rolloutRecreate();
        }

        private List<ReplicaSet> all() {
            return ReplicaSets.withNew(oldRSs, newRS);
        }

        // ---- ReplicaSets of the deployment ----

        /**
         * Splits the ReplicaSets into the new one (the deployment's template) and the old ones, and brings the new
         * one's annotations and the deployment's revision up to date (getAllReplicaSetsAndSyncRevision without
         * creating): the new ReplicaSet's revision moves past every old one, so a template that comes back (rollout
         * undo) makes its ReplicaSet the latest revision again.
         */
        private void findReplicaSetsAndSyncRevision() {
            newRS = RolloutPlanner.findNew(d, rsList);
            oldRSs = rsList.stream().filter(rs -> rs != newRS).toList();
            if (newRS == null) {
                return;
            }
            ReplicaSet c = copy(newRS, ReplicaSet.class);
            boolean annotated = Revisions.setNewReplicaSetAnnotations(d, c, Revisions.max(oldRSs) + 1, true);
            int minReady = DeploymentSpecs.minReadySeconds(d);
            Integer rsMinReady = c.getSpec().getMinReadySeconds();
            if (annotated || (rsMinReady == null ? 0 : rsMinReady) != minReady) {
                c.getSpec().setMinReadySeconds(minReady);
                newRS = api.update(ResourceTypes.REPLICASETS, c);
            }
            Revisions.setDeploymentRevision(d, ReplicaSets.annotation(newRS, Revisions.REVISION));
            if (DeploymentSpecs.hasProgressDeadline(d)
                    && DeploymentStatuses.get(d.getStatus(), DeploymentStatuses.PROGRESSING) == null) {
                DeploymentStatuses.set(DeploymentStatuses.statusForUpdate(d), DeploymentStatuses.condition(
                        DeploymentStatuses.PROGRESSING, "True", DeploymentStatuses.FOUND_NEW_RS,
                        "Found new replica set \"" + newRS.getMetadata().getName() + "\"", now));
            }
        }

        /**
         * Creates the ReplicaSet of the deployment's template, sized for the first step of the rollout. Its name is
         * derived from the template's hash, so a create repeated after a lost answer finds it (AlreadyExists); a
         * ReplicaSet of that name with another template is a hash collision, resolved by counting it in
         * status.collisionCount, which changes the next hash.
         */
        private void createNewReplicaSet() {
            DeploymentStatus status = DeploymentStatuses.statusForUpdate(d);
            String hash = PodTemplates.hash(d.getSpec().getTemplate(), status.getCollisionCount());
            PodTemplateSpec template = copy(d.getSpec().getTemplate(), PodTemplateSpec.class);
            Map<String, String> labels = new HashMap<>(template.getMetadata().getLabels());
            labels.put(PodTemplates.HASH_LABEL, hash);
            template.getMetadata().setLabels(labels);
            var selector = copy(d.getSpec().getSelector(), io.fabric8.kubernetes.api.model.LabelSelector.class);
            Map<String, String> matchLabels = new HashMap<>(selector.getMatchLabels() == null ? Map.of()
                    : selector.getMatchLabels());
            matchLabels.put(PodTemplates.HASH_LABEL, hash);
            selector.setMatchLabels(matchLabels);
            String name = d.getMetadata().getName() + "-" + hash;
            ReplicaSet rs = new ReplicaSetBuilder()
                    .withNewMetadata().withName(name).withNamespace(d.getMetadata().getNamespace())
                    .withOwnerReferences(OwnerReferences.controllerReference(d)).withLabels(new HashMap<>(labels))
                    .endMetadata()
                    .withNewSpec().withReplicas(0).withMinReadySeconds(DeploymentSpecs.minReadySeconds(d))
                    .withSelector(selector).withTemplate(template).endSpec()
                    .build();
            int replicas = RolloutPlanner.newReplicaSetReplicas(d, ReplicaSets.withNew(oldRSs, rs), rs);
            rs.getSpec().setReplicas(replicas);
            long revision = Revisions.max(oldRSs) + 1;
            Revisions.setNewReplicaSetAnnotations(d, rs, revision, false);

            boolean alreadyExists = false;
            expectations.expectCreations(key, 1);
            try {
                newRS = api.create(ResourceTypes.REPLICASETS, rs);
            } catch (KubusApiException e) {
                expectations.creationObserved(key); // nothing new will arrive
                if (!e.isAlreadyExists()) {
                    String msg = "Failed to create new replica set \"" + name + "\": " + e.statusMessage();
                    if (DeploymentSpecs.hasProgressDeadline(d)) {
                        DeploymentStatuses.set(status, DeploymentStatuses.condition(DeploymentStatuses.PROGRESSING,
                                "False", DeploymentStatuses.FAILED_RS_CREATE, msg, now));
                        flush();
                    }
                    events.warning(d, DeploymentStatuses.FAILED_RS_CREATE, msg);
                    throw e;
                }
                ReplicaSet existing = replicaSets.get(d.getMetadata().getNamespace(), name).orElseThrow(() ->
                        new IllegalStateException("replica set " + name + " exists but is not in the cache yet"));
                if (!OwnerReferences.isControlledBy(existing, d)
                        || !PodTemplates.equalIgnoringHash(existing.getSpec().getTemplate(), d.getSpec().getTemplate())) {
                    int collisions = status.getCollisionCount() == null ? 0 : status.getCollisionCount();
                    status.setCollisionCount(collisions + 1);
                    flush();
                    throw new IllegalStateException("hash collision on replica set " + name + " for deployment " + key
                            + ": collisionCount now " + (collisions + 1));
                }
                newRS = existing;
                alreadyExists = true;
            }
            if (!alreadyExists && replicas > 0) {
                events.normal(d, "ScalingReplicaSet", "Scaled up replica set " + name + " from 0 to " + replicas);
            }
            Revisions.setDeploymentRevision(d, Long.toString(revision));
            if (!alreadyExists && DeploymentSpecs.hasProgressDeadline(d)) {
                DeploymentStatuses.set(status, DeploymentStatuses.condition(DeploymentStatuses.PROGRESSING, "True",
                        DeploymentStatuses.NEW_RS_CREATED, "Created new replica set \"" + name + "\"", now));
            }
            flush();
        }

        // ---- the three ways of syncing ----

        /** A paused deployment, or a scaling event: sizes only, no rollout step (sync). */
        private Result scale() {
            for (RolloutPlanner.Scale s : RolloutPlanner.proportional(d, newRS, oldRSs)) {
                scaleReplicaSet(s);
            }
            if (DeploymentSpecs.isPaused(d)) {
                cleanup();
            }
            return writeStatus(DeploymentStatuses.calculate(all(), newRS, d, now));
        }

        /** One step of a rolling update: grow the new ReplicaSet if surge allows, else shrink old ones if availability allows. */
        private Result rolloutRolling() {
            if (newRS == null) {
                createNewReplicaSet();
            }
            List<ReplicaSet> all = all();
            if (scaleReplicaSet(new RolloutPlanner.Scale(newRS, RolloutPlanner.newReplicaSetTarget(d, all, newRS), false))) {
                return rolloutStatus(all);
            }
            boolean scaledDown = false;
            for (RolloutPlanner.Scale s : RolloutPlanner.scaleDownOld(d, all, ReplicaSets.active(oldRSs), newRS)) {
                scaledDown |= scaleReplicaSet(s);
            }
            if (!scaledDown && DeploymentStatuses.complete(d, DeploymentStatuses.statusOf(d))) {
                cleanup();
            }
            return rolloutStatus(all);
        }

        /** Recreate: old ReplicaSets to 0, wait until none of their pods runs, then the new one at full size. */
        private Result rolloutRecreate() {
            boolean scaledDown = false;
            for (ReplicaSet rs : ReplicaSets.active(oldRSs)) {
                scaledDown |= scaleReplicaSet(new RolloutPlanner.Scale(rs, 0, false));
            }
            if (scaledDown || oldPodsRunning()) {
                return rolloutStatus(all());
            }
            if (newRS == null) {
                createNewReplicaSet();
            }
            scaleReplicaSet(new RolloutPlanner.Scale(newRS, DeploymentSpecs.replicas(d), false));
            if (DeploymentStatuses.complete(d, DeploymentStatuses.statusOf(d))) {
                cleanup();
            }
            return rolloutStatus(all());
        }

        /**
         * Whether an old ReplicaSet still reports pods, or a pod of one (matching the selector, controlled by an old
         * ReplicaSet, not Succeeded or Failed — terminating ones count) is still in the cache.
         */
        private boolean oldPodsRunning() {
            if (ReplicaSets.sum(oldRSs, ReplicaSets::statusReplicas) > 0) {
                return true;
            }
            Set<String> oldUids = oldRSs.stream().map(rs -> rs.getMetadata().getUid()).collect(Collectors.toSet());
            LabelSelector selector = selector(d);
            for (Pod pod : pods.byIndex(Index.NAMESPACE, d.getMetadata().getNamespace())) {
                if (pod.getMetadata().getLabels() == null || !selector.matches(pod.getMetadata().getLabels())) {
                    continue;
                }
                boolean old = OwnerReferences.controllerOf(pod).map(r -> oldUids.contains(r.getUid())).orElse(false);
                if (old && !PodPhases.isTerminal(pod)) {
                    return true;
                }
            }
            return false;
        }

        // ---- writes ----

        /**
         * Scales a ReplicaSet and records its desired/max-replicas annotations; writes only when the size changes
         * (or, with refreshAnnotations, the annotations are stale). Returns whether the size changed.
         */
        private boolean scaleReplicaSet(RolloutPlanner.Scale s) {
            ReplicaSet rs = s.rs();
            int from = ReplicaSets.replicas(rs);
            int desired = DeploymentSpecs.replicas(d);
            int max = Revisions.maxReplicas(d);
            boolean resize = from != s.replicas();
            if (!resize && !(s.refreshAnnotations() && Revisions.replicasAnnotationsNeedUpdate(rs, desired, max))) {
                return false;
            }
            ReplicaSet c = copy(rs, ReplicaSet.class);
            c.getSpec().setReplicas(s.replicas());
            Revisions.setReplicasAnnotations(c, desired, max);
            ReplicaSet updated = api.update(ResourceTypes.REPLICASETS, c);
            if (rs == newRS) {
                newRS = updated;
            }
            if (resize) {
                events.normal(d, "ScalingReplicaSet", "Scaled " + (s.replicas() > from ? "up" : "down")
                        + " replica set " + rs.getMetadata().getName() + " from " + from + " to " + s.replicas());
            }
            return resize;
        }

        /** Deletes old ReplicaSets beyond revisionHistoryLimit (cleanupDeployment). */
        private void cleanup() {
            List<ReplicaSet> doomed = RolloutPlanner.toCleanUp(d, oldRSs);
            if (doomed.isEmpty()) {
                return;
            }
            expectations.expectDeletions(key, doomed.stream().map(Informer::keyOf).toList());
            for (ReplicaSet rs : doomed) {
                try {
                    api.deleteIfExists(ResourceTypes.REPLICASETS, rs.getMetadata().getNamespace(),
                            rs.getMetadata().getName(), null, null);
                } catch (RuntimeException e) {
                    expectations.deletionObserved(key, Informer.keyOf(rs));
                    throw e;
                }
            }
        }

        private Result rolloutStatus(List<ReplicaSet> all) {
            writeStatus(DeploymentStatuses.rollout(all, newRS, d, now));
            Duration after = DeploymentStatuses.progressCheckAfter(stored, now);
            return after == null ? Result.done() : Result.requeueAfter(after);
        }

        private Result writeStatus(DeploymentStatus status) {
            d.setStatus(status);
            flush();
            return Result.done();
        }

        /**
         * Writes what changed in the working copy: the revision annotation (a metadata patch, since Kubus' status
         * subresource takes status only where Kubernetes' deployment status update also takes annotations), then the
         * status. Both are conditional on the version read, so a deployment changed meanwhile is reconciled again.
         */
        private void flush() {
            Deployment current = stored;
            String revision = Revisions.deploymentRevision(d);
            if (!Objects.equals(revision, Revisions.deploymentRevision(stored))) {
                ObjectNode patch = KubusJson.json().createObjectNode();
                ObjectNode meta = patch.putObject("metadata");
                meta.put("resourceVersion", stored.getMetadata().getResourceVersion());
                meta.putObject("annotations").put(Revisions.REVISION, revision);
                current = api.patch(ResourceTypes.DEPLOYMENTS, d.getMetadata().getNamespace(), d.getMetadata().getName(),
                        PatchKind.MERGE, patch, false, Deployment.class);
            }
            if (!sameJson(d.getStatus(), stored.getStatus())) {
                Deployment withStatus = copy(current, Deployment.class);
                withStatus.setStatus(d.getStatus());
                current = api.updateStatus(ResourceTypes.DEPLOYMENTS, withStatus);
            }
            if (current != stored) {
                stored = current;
                DeploymentStatus status = d.getStatus();
                d = copy(current, Deployment.class);
                d.setStatus(copy(status, DeploymentStatus.class));
            }
        }
    }
}

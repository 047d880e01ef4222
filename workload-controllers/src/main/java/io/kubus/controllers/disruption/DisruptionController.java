package io.kubus.controllers.disruption;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.kubus.client.api.KubusApi;
import io.kubus.client.api.KubusApiException;
import io.kubus.client.controller.Controller;
import io.kubus.client.controller.Reconciler;
import io.kubus.client.informer.Index;
import io.kubus.client.informer.Informer;
import io.kubus.client.informer.ResourceEventHandler;
import io.kubus.client.informer.SharedInformers;
import io.kubus.client.record.EventRecorder;
import io.kubus.controllers.ControllersApplication;
import io.kubus.controllers.common.OwnerReferences;
import io.kubus.controllers.common.PodStates;
import io.kubus.controllers.deployment.Fenceposts;
import io.kubus.controllers.manager.ControllersSettings;
import io.kubus.controllers.manager.ManagedController;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.policy.DisruptionBudgets;
import io.kubus.schema.selector.LabelSelector;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Kubernetes' disruption controller (pkg/controller/disruption, 1.32), one reconcile per PodDisruptionBudget: counts
 * the pods its selector selects and writes what the eviction subresource decides by: {@code expectedPods} (the scale
 * of the pods' controllers, or for an integer minAvailable the pods themselves), {@code currentHealthy} (ready pods
 * not being deleted nor just evicted), {@code desiredHealthy}, {@code disruptionsAllowed}, {@code observedGeneration},
 * the {@code DisruptionAllowed} condition, and {@code disruptedPods} without the entries that are done with (the pod
 * is going) or stale (the pod was not deleted within two minutes of its eviction). When the counts cannot be
 * computed it fails safe: no disruptions allowed, condition reason SyncFailed. Level-triggered on budgets and pods.
 */
@Singleton
@Requires(env = ControllersApplication.ENVIRONMENT)
public final class DisruptionController implements Reconciler, ManagedController {
    static final String NAME = "disruption";
    /** DeletionTimeout: how long an eviction's entry in disruptedPods waits for the pod's deletion to show. */
    static final Duration DELETION_TIMEOUT = Duration.ofMinutes(2);

    private final Informer<PodDisruptionBudget> budgets;
    private final Informer<Pod> pods;
    private final Informer<ReplicationController> replicationControllers;
    private final Informer<ReplicaSet> replicaSets;
    private final Informer<Deployment> deployments;
    private final Informer<StatefulSet> statefulSets;
    private final KubusApi api;
    private final EventRecorder events;
    private final Clock clock = Clock.systemUTC();
    private final Controller controller;

    public DisruptionController(SharedInformers informers, KubusApi api, EventRecorder events,
                                ControllersSettings settings) {
        this.budgets = informers.informer(ResourceTypes.PODDISRUPTIONBUDGETS, PodDisruptionBudget.class)
                .addIndex(Index.NAMESPACE);
        this.pods = informers.informer(ResourceTypes.PODS, Pod.class).addIndex(Index.NAMESPACE);
        this.replicationControllers = informers.informer(ResourceTypes.REPLICATIONCONTROLLERS, ReplicationController.class);
        this.replicaSets = informers.informer(ResourceTypes.REPLICASETS, ReplicaSet.class);
        this.deployments = informers.informer(ResourceTypes.DEPLOYMENTS, Deployment.class);
        this.statefulSets = informers.informer(ResourceTypes.STATEFULSETS, StatefulSet.class);
        this.api = api;
        this.events = events;
        this.controller = settings.newController(NAME, this);
        controller.primary(budgets);
        controller.watch(pods, pod -> budgetsOf(pod).stream().map(Informer::keyOf).toList());
        pods.addHandler(ResourceEventHandler.of(this::warnOfSeveralBudgets, pod -> { }));
    }

    @Override
    public Controller controller() {
        return controller;
    }

    @Override
    public Result reconcile(String key) throws Exception {
        Optional<PodDisruptionBudget> cached = budgets.get(key);
        if (cached.isEmpty()) {
            return Result.done();
        }
        PodDisruptionBudget pdb = cached.get();
        try {
            return trySync(pdb, clock.instant());
        } catch (KubusApiException e) {
            if (e.isConflict() || e.isNotFound()) {
                throw e;
            }
            failSafe(pdb, e.statusMessage());
            return Result.done();
        } catch (SyncFailure e) {
            failSafe(pdb, e.getMessage());
            return Result.done();
        }
    }

    private Result trySync(PodDisruptionBudget pdb, Instant now) {
        List<Pod> selected = podsOf(pdb);
        if (selected.isEmpty()) {
            events.normal(pdb, "NoPods", "No matching pods found");
        }
        Counts counts;
        try {
            counts = expectedPodCount(pdb, selected);
        } catch (SyncFailure e) {
            events.warning(pdb, "CalculateExpectedPodCountFailed", "Failed to calculate the number of expected pods: "
                    + e.getMessage());
            throw e;
        }
        if (!counts.unmanaged().isEmpty()) {
            events.warning(pdb, "UnmanagedPods", "Pods selected by this PodDisruptionBudget (selector: "
                    + GoStrings.labelSelector(pdb.getSpec().getSelector()) + ") were found to be unmanaged. As a result, "
                    + "the status of the PDB cannot be calculated correctly, which may result in undefined behavior. "
                    + "To account for these pods please set \".spec.minAvailable\" field of the PDB to an integer value.");
        }
        Instant[] recheck = {null};
        Map<String, String> disrupted = disruptedPods(pdb, selected, now, recheck);
        int currentHealthy = 0;
        for (Pod pod : selected) {
            if (pod.getMetadata().getDeletionTimestamp() == null && !justEvicted(disrupted.get(pod.getMetadata().getName()), now)
                    && PodStates.isReady(pod)) {
                currentHealthy++;
            }
        }
        updateStatus(pdb, currentHealthy, counts, disrupted, now);
        return recheck[0] == null ? Result.done() : Result.requeueAfter(Duration.between(now, recheck[0]));
    }

    /** The pods of the budget's namespace its selector selects (none without a selector, all with an empty one). */
    private List<Pod> podsOf(PodDisruptionBudget pdb) {
        LabelSelector selector = LabelSelector.of(pdb.getSpec() == null ? null : pdb.getSpec().getSelector());
        List<Pod> selected = new ArrayList<>();
        for (Pod pod : pods.byIndex(Index.NAMESPACE, pdb.getMetadata().getNamespace())) {
            if (selector.matches(labels(pod))) {
                selected.add(pod);
            }
        }
        return selected;
    }

    /** The budgets of the pod's namespace that select it. */
    private List<PodDisruptionBudget> budgetsOf(Pod pod) {
        List<PodDisruptionBudget> matching = new ArrayList<>();
        for (PodDisruptionBudget pdb : budgets.byIndex(Index.NAMESPACE, pod.getMetadata().getNamespace())) {
            if (LabelSelector.of(pdb.getSpec() == null ? null : pdb.getSpec().getSelector()).matches(labels(pod))) {
                matching.add(pdb);
            }
        }
        return matching;
    }

    /** getPdbForPod's warning: the eviction subresource refuses a pod that several budgets select. */
    private void warnOfSeveralBudgets(Pod pod) {
        List<PodDisruptionBudget> matching = budgetsOf(pod);
        if (matching.size() > 1) {
            events.warning(pod, "MultiplePodDisruptionBudgets", "Pod \"" + pod.getMetadata().getNamespace() + "\"/\""
                    + pod.getMetadata().getName() + "\" matches multiple PodDisruptionBudgets.  Chose \""
                    + matching.getFirst().getMetadata().getName() + "\" arbitrarily.");
        }
    }

    private static Map<String, String> labels(Pod pod) {
        return pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
    }

    /** expectedPods, desiredHealthy and the pods without a controller (getExpectedPodCount). */
    record Counts(int expected, int desiredHealthy, List<String> unmanaged) {
    }

    private Counts expectedPodCount(PodDisruptionBudget pdb, List<Pod> selected) {
        IntOrString maxUnavailable = pdb.getSpec() == null ? null : pdb.getSpec().getMaxUnavailable();
        IntOrString minAvailable = pdb.getSpec() == null ? null : pdb.getSpec().getMinAvailable();
        if (maxUnavailable != null) {
            Scale scale = expectedScale(selected);
            int desired = Math.max(0, scale.expected - scaled(maxUnavailable, scale.expected));
            return new Counts(scale.expected, desired, scale.unmanaged);
        }
        if (minAvailable != null) {
            if (minAvailable.getIntVal() != null) {
                return new Counts(selected.size(), minAvailable.getIntVal(), List.of());
            }
            Scale scale = expectedScale(selected);
            return new Counts(scale.expected, scaled(minAvailable, scale.expected), scale.unmanaged);
        }
        return new Counts(0, 0, List.of());
    }

    /** A budget's percentage of {@code total} pods, rounded up (GetScaledValueFromIntOrPercent, roundUp true). */
    private static int scaled(IntOrString value, int total) {
        try {
            return Fenceposts.scaled(value, total, true);
        } catch (IllegalArgumentException e) {
            throw new SyncFailure(e.getMessage());
        }
    }

    private record Scale(int expected, List<String> unmanaged) {
    }

    /**
     * getExpectedScale: the sum of the scales of the controllers of the selected pods, each counted once; pods
     * without a controller are listed apart; a controller that cannot be found is a failure.
     */
    private Scale expectedScale(List<Pod> selected) {
        Map<String, Integer> scales = new LinkedHashMap<>();
        List<String> unmanaged = new ArrayList<>();
        for (Pod pod : selected) {
            Optional<OwnerReference> ref = OwnerReferences.controllerOf(pod);
            if (ref.isEmpty()) {
                unmanaged.add(pod.getMetadata().getName());
                continue;
            }
            if (scales.containsKey(ref.get().getUid())) {
                continue;
            }
            Controlled found = controllerOf(ref.get(), pod.getMetadata().getNamespace());
            if (found == null) {
                throw new SyncFailure("found no controllers for pod \"" + pod.getMetadata().getName() + "\"");
            }
            scales.put(found.uid(), found.replicas());
        }
        return new Scale(scales.values().stream().mapToInt(Integer::intValue).sum(), unmanaged);
    }

    /** A pod's controller (for a Deployment's pod, the Deployment) and its scale. */
    private record Controlled(String uid, int replicas) {
    }

    /** The finders in Kubernetes' order: RC, Deployment, ReplicaSet, StatefulSet, then any kind with a scale. */
    private Controlled controllerOf(OwnerReference ref, String namespace) {
        String group = group(ref.getApiVersion());
        if (ref.getKind().equals("ReplicationController") && group.isEmpty()) {
            ReplicationController rc = owned(replicationControllers, namespace, ref);
            if (rc != null) {
                return new Controlled(rc.getMetadata().getUid(), replicas(rc.getSpec().getReplicas()));
            }
        }
        if (ref.getKind().equals("ReplicaSet") && (group.equals("apps") || group.equals("extensions"))) {
            ReplicaSet rs = owned(replicaSets, namespace, ref);
            if (rs != null) {
                Optional<OwnerReference> rsOwner = OwnerReferences.controllerOf(rs);
                if (rsOwner.isPresent() && rsOwner.get().getKind().equals("Deployment")) {
                    String ownerGroup = group(rsOwner.get().getApiVersion());
                    Deployment d = ownerGroup.equals("apps") || ownerGroup.equals("extensions")
                            ? owned(deployments, namespace, rsOwner.get()) : null;
                    if (d != null) {
                        return new Controlled(d.getMetadata().getUid(), replicas(d.getSpec().getReplicas()));
                    }
                } else {
                    return new Controlled(rs.getMetadata().getUid(), replicas(rs.getSpec().getReplicas()));
                }
            }
        }
        if (ref.getKind().equals("StatefulSet") && group.equals("apps")) {
            StatefulSet ss = owned(statefulSets, namespace, ref);
            if (ss != null) {
                return new Controlled(ss.getMetadata().getUid(), replicas(ss.getSpec().getReplicas()));
            }
        }
        return scaleOf(ref, namespace);
    }

    /** getScaleController: the owner's scale read from the API, for kinds the caches above do not hold. */
    private Controlled scaleOf(OwnerReference ref, String namespace) {
        ResourceType type = ResourceTypes.byKind(ref.getApiVersion(), ref.getKind()).orElseThrow(() ->
                new SyncFailure("no matches for kind \"" + ref.getKind() + "\" in version \"" + ref.getApiVersion() + "\""));
        if (!type.hasSubresource("scale")) {
            throw new SyncFailure(type.qualifiedPlural() + " does not implement the scale subresource");
        }
        Optional<? extends HasMetadata> owner = api.get(type, namespace, ref.getName(), type.type());
        if (owner.isEmpty() || !Objects.equals(owner.get().getMetadata().getUid(), ref.getUid())) {
            return null;
        }
        JsonNode json = KubusJson.json().valueToTree(owner.get());
        return new Controlled(ref.getUid(), json.path("spec").path("replicas").asInt(0));
    }

    /** The cached owner a reference names, if it is that very object (same uid). */
    private static <T extends HasMetadata> T owned(Informer<T> informer, String namespace, OwnerReference ref) {
        return informer.get(namespace, ref.getName())
                .filter(o -> Objects.equals(o.getMetadata().getUid(), ref.getUid())).orElse(null);
    }

    private static String group(String apiVersion) {
        int slash = apiVersion == null ? -1 : apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    private static int replicas(Integer replicas) {
        return replicas == null ? 1 : replicas;
    }

    /**
     * buildDisruptedPodMap: the evictions still awaited (their pod selected, not yet being deleted, evicted less than
     * DeletionTimeout ago); an older one is given up with a NotDeleted event. {@code recheck} gets the earliest time
     * an awaited one runs out.
     */
    private Map<String, String> disruptedPods(PodDisruptionBudget pdb, List<Pod> selected, Instant now, Instant[] recheck) {
        Map<String, String> recorded = pdb.getStatus() == null ? null : pdb.getStatus().getDisruptedPods();
        Map<String, String> kept = new TreeMap<>();
        if (recorded == null) {
            return kept;
        }
        for (Pod pod : selected) {
            String name = pod.getMetadata().getName();
            String at = recorded.get(name);
            if (pod.getMetadata().getDeletionTimestamp() != null || at == null) {
                continue;
            }
            Instant expected = parse(at).plus(DELETION_TIMEOUT);
            if (expected.isBefore(now)) {
                // Kubernetes names the budget's namespace twice here; the message is kept as it reads there.
                events.warning(pod, "NotDeleted", "Pod was expected by PDB " + pdb.getMetadata().getNamespace() + "/"
                        + pdb.getMetadata().getNamespace() + " to be deleted but it wasn't");
            } else {
                if (recheck[0] == null || expected.isBefore(recheck[0])) {
                    recheck[0] = expected;
                }
                kept.put(name, at);
            }
        }
        return kept;
    }

    /** A pod evicted less than DeletionTimeout ago does not count as healthy: it is about to go. */
    private static boolean justEvicted(String at, Instant now) {
        return at != null && parse(at).plus(DELETION_TIMEOUT).isAfter(now);
    }

    private static Instant parse(String time) {
        try {
            return Instant.parse(time);
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    /** updatePdbStatus: writes the counts, unless the status already says all of it. */
    private void updateStatus(PodDisruptionBudget pdb, int currentHealthy, Counts counts, Map<String, String> disrupted,
                              Instant now) {
        int allowed = counts.expected() <= 0 ? 0 : Math.max(0, currentHealthy - counts.desiredHealthy());
        ObjectNode json = KubusJson.json().valueToTree(pdb);
        JsonNode old = json.path("status");
        long generation = json.path("metadata").path("generation").asLong(0);
        Map<String, String> oldDisrupted = pdb.getStatus() == null || pdb.getStatus().getDisruptedPods() == null
                ? Map.of() : pdb.getStatus().getDisruptedPods();
        if (old.path("currentHealthy").asInt(0) == currentHealthy
                && old.path("desiredHealthy").asInt(0) == counts.desiredHealthy()
                && old.path("expectedPods").asInt(0) == counts.expected()
                && old.path("disruptionsAllowed").asInt(0) == allowed
                && oldDisrupted.equals(disrupted)
                && old.path("observedGeneration").asLong(0) == generation
                && DisruptionBudgets.conditionsAreUpToDate(json)) {
            return;
        }
        ObjectNode status = json.putObject("status");
        status.put("observedGeneration", generation);
        if (!disrupted.isEmpty()) {
            status.set("disruptedPods", KubusJson.json().valueToTree(disrupted));
        }
        status.put("disruptionsAllowed", allowed);
        status.put("currentHealthy", currentHealthy);
        status.put("desiredHealthy", counts.desiredHealthy());
        status.put("expectedPods", counts.expected());
        if (old.has("conditions")) {
            status.set("conditions", old.get("conditions").deepCopy());
        }
        DisruptionBudgets.updateDisruptionAllowedCondition(status, now);
        write(json);
    }

    /** failSafe: no disruptions allowed, and the reason in the DisruptionAllowed condition. */
    private void failSafe(PodDisruptionBudget pdb, String message) {
        ObjectNode json = KubusJson.json().valueToTree(pdb);
        ObjectNode status = json.get("status") instanceof ObjectNode s ? s : json.putObject("status");
        status.put("disruptionsAllowed", 0);
        DisruptionBudgets.setCondition(status, DisruptionBudgets.DISRUPTION_ALLOWED, "False",
                DisruptionBudgets.SYNC_FAILED, message, status.path("observedGeneration").asLong(0),
                clock.instant().truncatedTo(ChronoUnit.SECONDS));
        write(json);
    }

    /** The status write, on the cached resourceVersion: a budget changed meanwhile is a conflict, and a retry. */
    private void write(ObjectNode pdb) {
        api.updateStatus(ResourceTypes.PODDISRUPTIONBUDGETS, KubusJson.json().convertValue(pdb, PodDisruptionBudget.class));
    }

    /** The budget's counts cannot be computed (a pod's controller is missing, a budget is not a percentage). */
    static final class SyncFailure extends RuntimeException {
        SyncFailure(String message) {
            super(message, null, false, false);
        }
    }
}

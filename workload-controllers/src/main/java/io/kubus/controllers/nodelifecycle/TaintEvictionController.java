package io.kubus.controllers.nodelifecycle;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
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
import io.kubus.controllers.common.PodStates;
import io.kubus.controllers.manager.ControllersSettings;
import io.kubus.controllers.manager.ManagedController;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.selector.Tolerations;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Kubernetes' taint eviction controller, one reconcile per pod: a pod bound to a node with a NoExecute taint it does
 * not tolerate is deleted (evicted) at once; one whose toleration has {@code tolerationSeconds} is deleted when that
 * long has passed since the taint's {@code timeAdded}; a toleration without seconds keeps it there for good. The
 * eviction is recorded as Kubernetes records it: the pod condition {@code DisruptionTarget} and the
 * {@code TaintManagerEviction} event.
 *
 * <p>Kubernetes counts tolerationSeconds from when its taint manager first saw the taint, in memory, so a restarted
 * controller starts every count over. Kubus counts from the taint's timeAdded, which the node lifecycle controller and
 * kubectl write, so a restarted or new leader evicts on time; only a NoExecute taint written without timeAdded is
 * counted from when this process first saw it.
 *
 * <p>A node event re-queues the node's pods only when its NoExecute taints changed, not on every heartbeat.
 */
@Singleton
@Requires(env = ControllersApplication.ENVIRONMENT)
public final class TaintEvictionController implements Reconciler, ManagedController {
    static final String NAME = "taint-eviction-controller";
    private static final String DISRUPTION_TARGET = "DisruptionTarget";

    private final Informer<Pod> pods;
    private final Informer<Node> nodes;
    private final KubusApi api;
    private final EventRecorder events;
    private final Clock clock = Clock.systemUTC();
    /** When this process first saw each NoExecute taint that has no timeAdded, by node, key and value. */
    private final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();
    /** Pods waiting for their toleration to run out: a cancelled eviction is told in an event, as Kubernetes does. */
    private final Set<String> scheduled = ConcurrentHashMap.newKeySet();
    private final Controller controller;

    public TaintEvictionController(SharedInformers informers, KubusApi api, EventRecorder events,
                                   ControllersSettings settings) {
        this.pods = informers.informer(ResourceTypes.PODS, Pod.class).addIndex(Index.NODE_NAME);
        this.nodes = informers.informer(ResourceTypes.NODES, Node.class);
        this.api = api;
        this.events = events;
        this.controller = settings.newController(NAME, this);
        controller.primary(pods);
        nodes.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                if (!noExecuteTaints(node).isEmpty()) {
                    enqueuePodsOn(node);
                }
            }

            @Override
            public void onUpdate(Node old, Node now) {
                List<Taint> taints = noExecuteTaints(now);
                if (!noExecuteTaints(old).equals(taints)) {
                    forgetTaintsGoneFrom(now.getMetadata().getName(), taints);
                    enqueuePodsOn(now);
                }
            }

            @Override
            public void onDelete(Node last) {
                forgetTaintsGoneFrom(last.getMetadata().getName(), List.of());
                enqueuePodsOn(last);
            }
        });
    }

    @Override
    public Controller controller() {
        return controller;
    }

    private void enqueuePodsOn(Node node) {
        pods.indexKeys(Index.NODE_NAME, node.getMetadata().getName()).forEach(controller::enqueue);
    }

    @Override
    public Result reconcile(String key) {
        Optional<Pod> cached = pods.get(key);
        if (cached.isEmpty()) {
            scheduled.remove(key);
            return Result.done();
        }
        Pod pod = cached.get();
        String nodeName = PodStates.nodeName(pod);
        if (nodeName == null || pod.getMetadata().getDeletionTimestamp() != null) {
            scheduled.remove(key);
            return Result.done();
        }
        List<Taint> taints = nodes.get(nodeName).map(TaintEvictionController::noExecuteTaints).orElse(List.of());
        Instant now = clock.instant();
        Optional<Instant> evictAt = evictionTime(pod.getSpec().getTolerations(), taints,
                t -> addedAt(nodeName, t, now));
        if (evictAt.isEmpty()) {
            if (scheduled.remove(key)) {
                events.normal(pod, "TaintManagerEviction", "Cancelling deletion of Pod " + key);
            }
            return Result.done();
        }
        if (now.isBefore(evictAt.get())) {
            scheduled.add(key);
            return Result.requeueAfter(Duration.between(now, evictAt.get()));
        }
        evict(pod, key, now);
        scheduled.remove(key);
        return Result.done();
    }

    /**
     * When a pod with these tolerations must leave a node with these NoExecute taints: now if one is not tolerated;
     * for each taint tolerated for a while, its timeAdded plus the seconds of the first toleration that matches it
     * (Kubernetes' GetMatchingTolerations), the earliest of them; empty when every taint is tolerated for good (or
     * there are none).
     */
    static Optional<Instant> evictionTime(List<Toleration> tolerations, List<Taint> noExecuteTaints,
                                          Function<Taint, Instant> addedAt) {
        Instant earliest = null;
        for (Taint taint : noExecuteTaints) {
            Optional<Toleration> used = Tolerations.firstTolerating(tolerations, taint);
            if (used.isEmpty()) {
                return Optional.of(Instant.MIN);
            }
            Long seconds = used.get().getTolerationSeconds();
            if (seconds != null) {
                Instant at = addedAt.apply(taint).plusSeconds(Math.max(0, seconds));
                earliest = earliest == null || at.isBefore(earliest) ? at : earliest;
            }
        }
        return Optional.ofNullable(earliest);
    }

    private Instant addedAt(String node, Taint taint, Instant now) {
        String added = taint.getTimeAdded();
        if (added != null && !added.isEmpty()) {
            return Instant.parse(added);
        }
        return firstSeen.computeIfAbsent(firstSeenKey(node, taint), k -> now);
    }

    /** Forgets when this process first saw the taints that are no longer on the node. */
    private void forgetTaintsGoneFrom(String node, List<Taint> present) {
        Set<String> kept = new HashSet<>();
        for (Taint t : present) {
            kept.add(firstSeenKey(node, t));
        }
        String prefix = node + "\u0000";
        firstSeen.keySet().removeIf(k -> k.startsWith(prefix) && !kept.contains(k));
    }

    private static String firstSeenKey(String node, Taint taint) {
        return node + "\u0000" + taint.getKey() + "\u0000" + Objects.requireNonNullElse(taint.getValue(), "");
    }

    /**
     * Marks the pod as disrupted, then deletes it with its own grace period. On a node that is gone the pod stays
     * Terminating until its agent comes back and confirms the deletion; its controller replaces it meanwhile, since
     * a terminating pod no longer counts as active.
     */
    private void evict(Pod pod, String key, Instant now) {
        boolean marked = pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                .anyMatch(c -> DISRUPTION_TARGET.equals(c.getType()) && "True".equals(c.getStatus()));
        if (!marked) {
            Pod next = new PodBuilder(pod).build();
            if (next.getStatus() == null) {
                next.setStatus(new PodStatus());
            }
            List<PodCondition> conditions = new ArrayList<>(
                    Objects.requireNonNullElse(next.getStatus().getConditions(), List.<PodCondition>of()));
            conditions.removeIf(c -> DISRUPTION_TARGET.equals(c.getType()));
            conditions.add(new PodConditionBuilder().withType(DISRUPTION_TARGET).withStatus("True")
                    .withReason("DeletionByTaintManager").withMessage("Taint manager: deleting due to NoExecute taint")
                    .withLastTransitionTime(NodeHealth.rfc3339(now)).build());
            next.getStatus().setConditions(conditions);
            try {
                // The cached resourceVersion: a pod changed meanwhile is a 409, and the retry looks at it afresh.
                api.updateStatus(ResourceTypes.PODS, next);
            } catch (KubusApiException e) {
                if (e.isNotFound()) {
                    return;
                }
                throw e;
            }
        }
        if (api.deleteIfExists(ResourceTypes.PODS, pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                null, null)) {
            events.normal(pod, "TaintManagerEviction", "Marking for deletion Pod " + key);
        }
    }

    static List<Taint> noExecuteTaints(Node node) {
        return NodeHealth.taintsOf(node).stream().filter(t -> NodeHealth.NO_EXECUTE.equals(t.getEffect())).toList();
    }
}

package io.kubus.controllers.nodelifecycle;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
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
import io.kubus.controllers.common.NodeStates;
import io.kubus.controllers.common.PodStates;
import io.kubus.controllers.manager.ControllersSettings;
import io.kubus.controllers.manager.ManagedController;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kubernetes' node lifecycle controller, one reconcile per node. A node whose agent has not sent a new heartbeat for
 * the grace period ({@code kubus.controllers.node-monitor-grace-period}) gets its conditions set to Unknown. A heartbeat
 * is either a renewal of the node's Lease in {@code kube-node-lease} (a later renewTime: the agent's frequent liveness
 * signal) or a new heartbeat time of its Ready condition (the status it reports on changes and every few minutes), as
 * Kubernetes takes whichever moved last since 1.17; a node that keeps its Lease but never reported a status is left
 * alone, as there. A node
 * that is not ready or unreachable gets the {@code not-ready} or {@code unreachable} taint, NoSchedule (the scheduler
 * keeps new pods off) and NoExecute (the {@link TaintEvictionController} evicts the pods that do not tolerate it),
 * and its pods are marked not ready, so that their controllers and endpoints stop counting them. When the
 * heartbeats return and the node is Ready, the taints go. Every adverse condition and {@code spec.unschedulable}
 * also get their NoSchedule taint, as Kubernetes' TaintNodesByCondition does.
 *
 * <p>Like Kubernetes, it measures silence by when it saw the heartbeat time change, on its own clock, not by the
 * heartbeat time itself: a node whose clock runs ahead or behind is judged the same. A controller that starts (or
 * takes the lead) gives every node a full grace period from its first look, as Kubernetes does. Instead of
 * Kubernetes' pass over every node each node-monitor-period, each node is queued again for the moment its grace
 * runs out; every heartbeat pushes that moment back.
 *
 * <p>Kubernetes also rate-limits the NoExecute tainting per zone and stops it when a whole zone (or the cluster)
 * goes dark, on the theory that the control plane rather than the nodes is cut off. Kubus has no zones yet and
 * taints every silent node at once.
 */
@Singleton
@Requires(env = ControllersApplication.ENVIRONMENT)
public final class NodeLifecycleController implements Reconciler, ManagedController {
    static final String NAME = "node-lifecycle-controller";
    /** Where node agents keep their Leases (corev1.NamespaceNodeLease). */
    static final String NODE_LEASES = "kube-node-lease";

    private final Informer<Node> nodes;
    private final Informer<Pod> pods;
    private final Informer<Lease> leases;
    private final KubusApi api;
    private final EventRecorder events;
    private final Duration gracePeriod;
    private final Duration startupGracePeriod;
    private final Clock clock = Clock.systemUTC();
    /**
     * Per node: the last Ready heartbeat time and Lease renewTime seen, and when this process last saw either move
     * (Kubernetes' nodeHealthMap: probeTimestamp).
     */
    private final Map<String, Heartbeat> heartbeats = new ConcurrentHashMap<>();
    private final Controller controller;

    /**
     * @param time    the Ready condition's lastHeartbeatTime, null while the node never reported one
     * @param renewed the Lease's renewTime, null while none was seen
     */
    private record Heartbeat(String time, Instant renewed, Instant seenAt) {
    }

    public NodeLifecycleController(SharedInformers informers, KubusApi api, EventRecorder events,
                                   ControllersSettings settings) {
        this.nodes = informers.informer(ResourceTypes.NODES, Node.class);
        // Each heartbeat of a node that is not ready looks at its pods: a scan of every pod would cost pods × nodes.
        this.pods = informers.informer(ResourceTypes.PODS, Pod.class).addIndex(Index.NODE_NAME);
        this.leases = informers.informer(ResourceTypes.LEASES, Lease.class);
        this.api = api;
        this.events = events;
        this.gracePeriod = settings.getNodeMonitorGracePeriod();
        this.startupGracePeriod = settings.getNodeStartupGracePeriod();
        this.controller = settings.newController(NAME, this);
        // Heartbeats are noted as the informer delivers them, also on a standby, so that a new leader knows them.
        nodes.addHandler(ResourceEventHandler.of(this::observe, last -> heartbeats.remove(last.getMetadata().getName())));
        leases.addHandler(ResourceEventHandler.of(this::observeLease, last -> {
        }));
        controller.primary(nodes);
        pods.addHandler(ResourceEventHandler.of(this::recheckNodeOf, last -> {
        }));
    }

    @Override
    public Controller controller() {
        return controller;
    }

    private void observe(Node node) {
        String time = NodeStates.condition(node, "Ready").map(NodeCondition::getLastHeartbeatTime).orElse(null);
        heartbeats.compute(node.getMetadata().getName(), (name, seen) -> seen == null
                ? new Heartbeat(time, null, clock.instant())
                : Objects.equals(seen.time(), time) ? seen : new Heartbeat(time, seen.renewed(), clock.instant()));
    }

    /**
     * A node's Lease counts when its renewTime is later than the one seen before (Kubernetes' RenewTime.Before). The
     * Lease of a node not (or no longer) known is passed over: the node's own first sighting starts its grace.
     */
    private void observeLease(Lease lease) {
        if (!NODE_LEASES.equals(lease.getMetadata().getNamespace()) || lease.getSpec() == null
                || lease.getSpec().getRenewTime() == null || nodes.get(lease.getMetadata().getName()).isEmpty()) {
            return;
        }
        Instant renewed = lease.getSpec().getRenewTime().toInstant();
        heartbeats.compute(lease.getMetadata().getName(), (name, seen) -> seen == null
                ? new Heartbeat(null, renewed, clock.instant()) // ahead of the node's own sighting
                : seen.renewed() != null && !renewed.isAfter(seen.renewed()) ? seen
                : new Heartbeat(seen.time(), renewed, clock.instant()));
    }

    /** A pod that claims to be ready on a node that is not (bound there late, or reported by a stale agent). */
    private void recheckNodeOf(Pod pod) {
        String node = PodStates.nodeName(pod);
        if (node != null && PodStates.readyCondition(pod).filter(c -> !"False".equals(c.getStatus())).isPresent()
                && nodes.get(node).flatMap(NodeStates::ready).filter(r -> !r.equals("True")).isPresent()) {
            controller.enqueue(node);
        }
    }

    @Override
    public Result reconcile(String name) {
        Optional<Node> cached = nodes.get(name);
        if (cached.isEmpty()) {
            return Result.done();
        }
        Node node = cached.get();
        Instant now = clock.instant();
        Heartbeat seen = heartbeats.computeIfAbsent(name, n -> new Heartbeat(null, null, now));
        Instant deadline = seen.seenAt().plus(seen.time() == null ? startupGracePeriod : gracePeriod);
        boolean silent = !now.isBefore(deadline);
        if (silent) {
            Optional<NodeStatus> unknown = NodeHealth.silent(node, now);
            if (unknown.isPresent()) {
                boolean wasReady = NodeStates.isReady(node);
                Node next = new NodeBuilder(node).build();
                next.setStatus(unknown.get());
                // The cached resourceVersion: a heartbeat stored meanwhile makes this a 409, and the retry sees it.
                node = api.updateStatus(ResourceTypes.NODES, next);
                if (wasReady) {
                    events.normal(node, "NodeNotReady", "Node " + name + " status is now: NodeNotReady");
                }
            }
        }
        List<Taint> taints = NodeHealth.taints(node, now);
        if (!taints.equals(NodeHealth.taintsOf(node))) {
            Node next = new NodeBuilder(node).editOrNewSpec().withTaints(taints).endSpec().build();
            node = api.update(ResourceTypes.NODES, next);
        }
        if (NodeStates.ready(node).filter(r -> !r.equals("True")).isPresent()) {
            markPodsNotReady(name, now);
        }
        return silent ? Result.done() : Result.requeueAfter(Duration.between(now, deadline));
    }

    /** Kubernetes' MarkPodsNotReady: the Ready condition of each pod on the node turns False. */
    private void markPodsNotReady(String node, Instant now) {
        for (Pod pod : pods.byIndex(Index.NODE_NAME, node)) {
            Optional<PodCondition> ready = PodStates.readyCondition(pod);
            if (ready.isEmpty() || "False".equals(ready.get().getStatus())) {
                continue;
            }
            Pod next = new PodBuilder(pod).build();
            for (PodCondition c : next.getStatus().getConditions()) {
                if ("Ready".equals(c.getType())) {
                    c.setStatus("False");
                    c.setLastTransitionTime(NodeHealth.rfc3339(now));
                }
            }
            try {
                api.updateStatus(ResourceTypes.PODS, next);
            } catch (KubusApiException e) {
                if (e.isNotFound()) {
                    continue;
                }
                throw e;
            }
            events.warning(pod, "NodeNotReady", "Node is not ready");
        }
    }
}

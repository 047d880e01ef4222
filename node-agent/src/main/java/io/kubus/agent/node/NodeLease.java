package io.kubus.agent.node;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.kubus.client.api.KubusApi;
import io.kubus.client.api.KubusApiException;
import io.kubus.schema.ResourceTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A node's heartbeat Lease in {@code kube-node-lease}, kept as the kubelet's lease controller keeps it
 * (k8s.io/component-helpers/apimachinery/lease): named and held by the node, renewed in place with the resourceVersion
 * of the last renewal, so that a renewal costs one PUT and no read. A conflict (someone else wrote the Lease) reads it
 * again and renews that, up to five times; a missing Lease is created. The Lease is owned by its Node, so it goes when
 * the Node goes; the owner reference is added at the first renewal that finds the Node (a Lease renewed for a deleted
 * Node stays without one, as the kubelet's does, rather than name a uid that is gone).
 *
 * <p>One renewal at a time per node: the caller runs {@link #renew()} from one thread.
 */
public final class NodeLease {
    /** Where node leases live (corev1.NamespaceNodeLease); the gateway makes it at start. */
    public static final String NAMESPACE = "kube-node-lease";
    private static final Logger LOG = LoggerFactory.getLogger(NodeLease.class);
    /** The kubelet's maxUpdateRetries. */
    private static final int UPDATE_ATTEMPTS = 5;

    private final KubusApi api;
    private final String nodeName;
    private final int durationSeconds;
    private final Supplier<Optional<String>> nodeUid;
    private final Clock clock;
    private Lease latest;

    /**
     * @param durationSeconds leaseDurationSeconds of a new Lease (the kubelet's nodeLeaseDurationSeconds, 40)
     * @param nodeUid         the uid of the node's Node object, once known
     */
    public NodeLease(KubusApi api, String nodeName, int durationSeconds, Supplier<Optional<String>> nodeUid, Clock clock) {
        this.api = api;
        this.nodeName = nodeName;
        this.durationSeconds = durationSeconds;
        this.nodeUid = nodeUid;
        this.clock = clock;
    }

    /**
     * Sets renewTime to now in the stored Lease, creating it when missing.
     *
     * @return the Lease as stored
     * @throws KubusApiException when the gateway refused or failed every attempt; the next renewal starts afresh
     */
    public Lease renew() {
        if (latest != null) {
            try {
                return update(latest);
            } catch (KubusApiException e) {
                // as the kubelet: the Lease may be gone or changed beyond what a retry on conflict covers
                LOG.info("renewing the lease of {} from the last one failed ({}); reading it again", nodeName,
                        e.getMessage());
                latest = null;
            }
        }
        Ensured ensured = ensure();
        latest = ensured.lease();
        return ensured.created() ? latest : update(latest);
    }

    private record Ensured(Lease lease, boolean created) {
    }

    /** The stored Lease, or a new one (already renewed: a create needs no update after it). */
    private Ensured ensure() {
        Optional<Lease> stored = api.get(ResourceTypes.LEASES, NAMESPACE, nodeName, Lease.class);
        if (stored.isPresent()) {
            return new Ensured(stored.get(), false);
        }
        Lease fresh = new LeaseBuilder().withNewMetadata().withName(nodeName).withNamespace(NAMESPACE).endMetadata()
                .withNewSpec().withHolderIdentity(nodeName).withLeaseDurationSeconds(durationSeconds).endSpec().build();
        try {
            return new Ensured(api.create(ResourceTypes.LEASES, renewed(fresh)), true);
        } catch (KubusApiException e) {
            if (e.isAlreadyExists()) { // made meanwhile (a second agent of this node): renew that one
                return new Ensured(api.get(ResourceTypes.LEASES, NAMESPACE, nodeName, Lease.class).orElseThrow(() -> e), false);
            }
            throw e;
        }
    }

    /** The kubelet's retryUpdateLease: a conflict reads the Lease again and renews what was read. */
    private Lease update(Lease base) {
        KubusApiException last = null;
        for (int attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
            try {
                latest = api.update(ResourceTypes.LEASES, renewed(base));
                return latest;
            } catch (KubusApiException e) {
                last = e;
                if (!e.isConflict()) {
                    throw e;
                }
                base = ensure().lease();
            }
        }
        throw last;
    }

    /** A copy of {@code base} renewed now, with the owner reference to the Node once its uid is known. */
    private Lease renewed(Lease base) {
        LeaseBuilder next = new LeaseBuilder(base).editSpec()
                .withRenewTime(ZonedDateTime.ofInstant(clock.instant(), ZoneOffset.UTC)).endSpec();
        boolean owned = base.getMetadata().getOwnerReferences() != null
                && !base.getMetadata().getOwnerReferences().isEmpty();
        Optional<String> uid = owned ? Optional.empty() : nodeUid.get();
        uid.ifPresent(u -> next.editMetadata().withOwnerReferences(new OwnerReferenceBuilder()
                .withApiVersion("v1").withKind("Node").withName(nodeName).withUid(u).build()).endMetadata());
        return next.build();
    }
}

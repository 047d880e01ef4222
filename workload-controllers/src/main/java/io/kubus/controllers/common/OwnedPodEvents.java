package io.kubus.controllers.common;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.client.controller.Controller;
import io.kubus.client.controller.Expectations;
import io.kubus.client.informer.Index;
import io.kubus.client.informer.Informer;
import io.kubus.client.informer.ResourceEventHandler;
import io.kubus.schema.selector.LabelSelector;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Pod events of a controller that owns pods (Kubernetes' addPod/updatePod/deletePod of the ReplicaSet and DaemonSet
 * controllers): they settle the owner's expectations and queue the owners concerned, the controlling one or, for an
 * orphan, every owner whose selector matches it and might adopt it.
 *
 * @param <T> the owners' kind; their informer needs the {@link Index#NAMESPACE} index
 */
public final class OwnedPodEvents<T extends HasMetadata> implements ResourceEventHandler<Pod> {
    private final Controller controller;
    private final Expectations expectations;
    private final Informer<T> owners;
    private final String ownerKind;
    private final Function<T, LabelSelector> selector;

    public OwnedPodEvents(Controller controller, Expectations expectations, Informer<T> owners, String ownerKind,
                          Function<T, LabelSelector> selector) {
        this.controller = controller;
        this.expectations = expectations;
        this.owners = owners;
        this.ownerKind = ownerKind;
        this.selector = selector;
    }

    @Override
    public void onAdd(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            onDelete(pod);
            return;
        }
        Optional<String> owner = ownerKey(pod);
        if (owner.isPresent()) {
            expectations.creationObserved(owner.get());
            controller.enqueue(owner.get());
        } else if (OwnerReferences.controllerOf(pod).isEmpty()) {
            matchingOwners(pod).forEach(controller::enqueue);
        }
    }

    @Override
    public void onUpdate(Pod old, Pod now) {
        if (now.getMetadata().getDeletionTimestamp() != null && old.getMetadata().getDeletionTimestamp() == null) {
            // A graceful delete: the pod no longer counts, which is what the expectation waited for.
            ownerKey(now).ifPresent(k -> expectations.deletionObserved(k, Informer.keyOf(now)));
        }
        Optional<String> oldOwner = ownerKey(old);
        Optional<String> newOwner = ownerKey(now);
        oldOwner.ifPresent(controller::enqueue);
        newOwner.ifPresent(controller::enqueue);
        if (newOwner.isEmpty() && OwnerReferences.controllerOf(now).isEmpty()
                && !Objects.equals(old.getMetadata().getLabels(), now.getMetadata().getLabels())) {
            matchingOwners(now).forEach(controller::enqueue);
        }
    }

    @Override
    public void onDelete(Pod last) {
        ownerKey(last).ifPresent(k -> {
            expectations.deletionObserved(k, Informer.keyOf(last));
            controller.enqueue(k);
        });
    }

    /** The key of the cached owner (same uid) that controls {@code pod}. */
    public Optional<String> ownerKey(Pod pod) {
        return OwnerReferences.controllerKey(pod, ownerKind, owners);
    }

    /** Owners in the pod's namespace whose selector matches it: who may adopt an orphan. */
    private List<String> matchingOwners(Pod pod) {
        Map<String, String> labels = Objects.requireNonNullElse(pod.getMetadata().getLabels(), Map.of());
        return owners.byIndex(Index.NAMESPACE, pod.getMetadata().getNamespace()).stream()
                .filter(o -> selector.apply(o).matches(labels))
                .map(Informer::keyOf).toList();
    }
}

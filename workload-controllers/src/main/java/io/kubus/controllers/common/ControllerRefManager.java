package io.kubus.controllers.common;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.kubus.client.api.KubusApi;
import io.kubus.client.api.KubusApiException;
import io.kubus.client.controller.Controller;
import io.kubus.client.informer.Informer;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.selector.LabelSelector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Kubernetes' ControllerRefManager: which of the candidate objects an owner controls, after it adopts orphans its
 * selector matches and releases what it controls but no longer matches. An owner being deleted does neither.
 * Adoption first reads the owner afresh, once per claim: a cache that missed its deletion or replacement must not
 * make it adopt. Writes carry the cached resourceVersion, so an object changed meanwhile is left alone and the
 * owner's key looked at again shortly.
 *
 * @param <C> the kind of the owned objects (pods, ReplicaSets, ControllerRevisions)
 */
public final class ControllerRefManager<C extends HasMetadata> {
    private static final Duration RETRY = Duration.ofMillis(200);

    private final KubusApi api;
    private final ResourceType ownerType;
    private final ResourceType childType;
    private final Controller controller;

    /** {@code controller} is the owner's: a claim that met a conflict queues the owner's key again. */
    public ControllerRefManager(KubusApi api, ResourceType ownerType, ResourceType childType, Controller controller) {
        this.api = api;
        this.ownerType = ownerType;
        this.childType = childType;
        this.controller = controller;
    }

    /** The candidates {@code owner} controls once it claimed them; candidates of other controllers are skipped. */
    public List<C> claim(HasMetadata owner, LabelSelector selector, Collection<C> candidates) {
        boolean deleting = owner.getMetadata().getDeletionTimestamp() != null;
        List<C> owned = new ArrayList<>();
        Boolean canAdopt = null;
        for (C child : candidates) {
            Map<String, String> labels = Objects.requireNonNullElse(child.getMetadata().getLabels(), Map.of());
            Optional<OwnerReference> ref = OwnerReferences.controllerOf(child);
            boolean matches = selector.matches(labels);
            if (ref.isPresent()) {
                if (!Objects.equals(ref.get().getUid(), owner.getMetadata().getUid())) {
                    continue;
                }
                if (matches) {
                    owned.add(child);
                } else if (!deleting) {
                    write(owner, withoutOwner(child, owner));
                }
                continue;
            }
            if (!matches || deleting || child.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            if (canAdopt == null) {
                canAdopt = stillAdopting(owner);
            }
            if (canAdopt) {
                write(owner, withOwner(child, owner)).ifPresent(owned::add);
            }
        }
        return owned;
    }

    private boolean stillAdopting(HasMetadata owner) {
        return api.get(ownerType, owner.getMetadata().getNamespace(), owner.getMetadata().getName(), owner.getClass())
                .filter(fresh -> Objects.equals(fresh.getMetadata().getUid(), owner.getMetadata().getUid())
                        && fresh.getMetadata().getDeletionTimestamp() == null)
                .isPresent();
    }

    private C withOwner(C child, HasMetadata owner) {
        C copy = copy(child);
        List<OwnerReference> refs = new ArrayList<>(OwnerReferences.of(child));
        refs.add(OwnerReferences.controllerReference(owner));
        copy.getMetadata().setOwnerReferences(refs);
        return copy;
    }

    private C withoutOwner(C child, HasMetadata owner) {
        C copy = copy(child);
        copy.getMetadata().setOwnerReferences(OwnerReferences.of(child).stream()
                .filter(r -> !Objects.equals(r.getUid(), owner.getMetadata().getUid())).toList());
        return copy;
    }

    private Optional<C> write(HasMetadata owner, C child) {
        try {
            return Optional.of(api.update(childType, child));
        } catch (KubusApiException e) {
            if (!e.isConflict() && !e.isNotFound()) {
                throw e;
            }
            controller.enqueueAfter(Informer.keyOf(owner), RETRY);
            return Optional.empty();
        }
    }

    @SuppressWarnings("unchecked")
    private C copy(C child) {
        return KubusJson.copy(child, (Class<C>) child.getClass());
    }
}

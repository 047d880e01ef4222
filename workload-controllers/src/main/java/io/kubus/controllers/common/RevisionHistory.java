package io.kubus.controllers.common;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.kubus.client.api.KubusApi;
import io.kubus.client.api.KubusApiException;
import io.kubus.client.controller.Controller;
import io.kubus.client.informer.Index;
import io.kubus.client.informer.Informer;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.selector.LabelSelector;

import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The history of a DaemonSet's or StatefulSet's templates as ControllerRevisions ({@link TemplateRevisions}), as
 * both Kubernetes controllers keep it (daemon constructHistory and cleanupHistory; statefulset
 * getStatefulSetRevisions and truncateHistory): the owner adopts the orphan revisions its selector matches; the
 * revision of its current template is reused, renumbered past every other when an older template comes back
 * ({@code rollout undo}), or made; a revision of that name holding another template is a hash collision, after which
 * the owner's collisionCount goes up (which changes the next hash); old revisions beyond revisionHistoryLimit go,
 * oldest first, unless still live.
 */
public final class RevisionHistory {
    private final KubusApi api;
    private final Informer<ControllerRevision> revisions;
    private final ControllerRefManager<ControllerRevision> claims;
    private final String hashLabel;
    private final ResourceType ownerType;

    /** {@code revisions} needs the {@link Index#NAMESPACE} index; {@code controller} is the owner's. */
    public RevisionHistory(KubusApi api, Informer<ControllerRevision> revisions, ResourceType ownerType,
                           Controller controller, String hashLabel) {
        this.api = api;
        this.revisions = revisions;
        this.claims = new ControllerRefManager<>(api, ownerType, ResourceTypes.CONTROLLERREVISIONS, controller);
        this.hashLabel = hashLabel;
        this.ownerType = ownerType;
    }

    /** The revisions {@code owner} controls, after adopting the orphans its selector matches. */
    public List<ControllerRevision> claim(HasMetadata owner, LabelSelector selector) {
        return claims.claim(owner, selector, revisions.byIndex(Index.NAMESPACE, owner.getMetadata().getNamespace()));
    }

    /**
     * The revision of {@code template} among {@code owned}, renumbered to follow every other if it is not the
     * newest, or made. On a collision, the owner's {@code status.collisionCount} is written one higher and this
     * throws, to be retried with the new count.
     */
    public ControllerRevision current(HasMetadata owner, List<ControllerRevision> owned, PodTemplateSpec template,
                                      Integer collisionCount) {
        List<ControllerRevision> same = owned.stream().filter(r -> TemplateRevisions.matches(template, r))
                .sorted(TemplateRevisions.BY_REVISION).toList();
        List<ControllerRevision> others = owned.stream().filter(r -> !same.contains(r)).toList();
        long next = TemplateRevisions.maxRevision(others) + 1;
        if (same.isEmpty()) {
            return create(owner, template, collisionCount, next);
        }
        ControllerRevision cur = same.getLast();
        if (Objects.requireNonNullElse(cur.getRevision(), 0L) < next) {
            ControllerRevision renumbered = KubusJson.copy(cur, ControllerRevision.class);
            renumbered.setRevision(next);
            cur = api.update(ResourceTypes.CONTROLLERREVISIONS, renumbered);
        }
        return cur;
    }

    private ControllerRevision create(HasMetadata owner, PodTemplateSpec template, Integer collisionCount,
                                      long revision) {
        ControllerRevision wanted = TemplateRevisions.snapshot(owner, template, collisionCount, hashLabel, revision);
        try {
            return api.create(ResourceTypes.CONTROLLERREVISIONS, wanted);
        } catch (KubusApiException e) {
            if (!e.isAlreadyExists()) {
                throw e;
            }
        }
        ControllerRevision existing = api.get(ResourceTypes.CONTROLLERREVISIONS, owner.getMetadata().getNamespace(),
                wanted.getMetadata().getName(), ControllerRevision.class).orElseThrow(() -> new IllegalStateException(
                "controller revision " + wanted.getMetadata().getName() + " already exists but is gone on reading"));
        if (OwnerReferences.isControlledBy(existing, owner) && TemplateRevisions.matches(template, existing)) {
            return existing; // made by an earlier reconcile whose revision the cache has not shown yet
        }
        raiseCollisionCount(owner, collisionCount);
        throw new IllegalStateException("hash collision on controller revision " + wanted.getMetadata().getName()
                + ": collisionCount raised");
    }

    /** The owner's status with collisionCount one higher, written with the owner's resourceVersion. */
    private void raiseCollisionCount(HasMetadata owner, Integer collisionCount) {
        ObjectNode json = KubusJson.json().valueToTree(owner);
        ObjectNode status = json.get("status") instanceof ObjectNode o ? o : json.putObject("status");
        status.put("collisionCount", Objects.requireNonNullElse(collisionCount, 0) + 1);
        api.updateStatus(ownerType, KubusJson.json().convertValue(json, owner.getClass()));
    }

    /**
     * Deletes old revisions beyond {@code limit}, oldest first, that are not {@code live}: the revisions
     * {@code owner} controls but for the {@code current} ones count toward the limit, as the DaemonSet controller
     * counts them (cleanupHistory); a StatefulSet passes its live revisions as current too, so that only the others
     * count (truncateHistory).
     */
    public void truncate(HasMetadata owner, int limit, Predicate<ControllerRevision> current,
                         Predicate<ControllerRevision> live) {
        List<ControllerRevision> old = revisions.byIndex(Index.NAMESPACE, owner.getMetadata().getNamespace()).stream()
                .filter(r -> OwnerReferences.isControlledBy(r, owner) && !current.test(r))
                .sorted(TemplateRevisions.BY_REVISION).toList();
        int toKill = old.size() - limit;
        for (ControllerRevision r : old) {
            if (toKill <= 0) {
                return;
            }
            if (live.test(r)) {
                continue;
            }
            api.deleteIfExists(ResourceTypes.CONTROLLERREVISIONS, r.getMetadata().getNamespace(),
                    r.getMetadata().getName(), null, null);
            toKill--;
        }
    }

    /** The revision's hash under this history's label, or null. */
    public String hashOf(ControllerRevision revision) {
        return TemplateRevisions.hashOf(revision, hashLabel);
    }
}

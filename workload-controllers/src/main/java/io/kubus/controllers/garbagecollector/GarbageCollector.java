package io.kubus.controllers.garbagecollector;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.kubus.client.api.KubusApi;
import io.kubus.client.api.KubusApiException;
import io.kubus.client.api.PatchKind;
import io.kubus.client.controller.Controller;
import io.kubus.client.controller.Reconciler;
import io.kubus.client.informer.CustomKinds;
import io.kubus.client.informer.Informer;
import io.kubus.client.informer.ResourceEventHandler;
import io.kubus.client.informer.SharedInformers;
import io.kubus.controllers.ControllersApplication;
import io.kubus.controllers.common.OwnerReferences;
import io.kubus.controllers.manager.ControllersSettings;
import io.kubus.controllers.manager.ManagedController;
import io.kubus.schema.KubusJson;
import io.kubus.schema.CustomResourceTypes.CustomKind;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kubernetes' garbage collector (pkg/controller/garbagecollector) over one informer per kind and one queue of
 * {@link ObjectKey}s:
 * <ul>
 *   <li>an object none of whose owners lives any more (no object under the reference's name, or one with another
 *   uid) is deleted, in the background; one with some live owners left loses the dangling references;</li>
 *   <li>an owner deleted with the {@code orphan} finalizer: its dependents lose their reference to it, then it loses
 *   the finalizer (and the gateway deletes it);</li>
 *   <li>an owner deleted with the {@code foregroundDeletion} finalizer: its dependents are deleted (in the foreground
 *   themselves when they have dependents, so that a Deployment waits for its ReplicaSets' pods); once no dependent
 *   with {@code blockOwnerDeletion} is left, it loses the finalizer.</li>
 * </ul>
 * The caches say where to look; a decision to delete or to change an object is taken on live reads, as Kubernetes'
 * attemptToDeleteItem does: an owner missing from a cache may just be newer than the cache. Deletes carry uid and
 * resourceVersion preconditions, so only the object that was judged is deleted.
 */
@Singleton
@Requires(env = ControllersApplication.ENVIRONMENT)
public class GarbageCollector implements Reconciler, ManagedController {
    private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);
    /** The finalizers the gateway puts on an object deleted with propagationPolicy Orphan or Foreground. */
    static final String ORPHAN = "orphan";
    static final String FOREGROUND = "foregroundDeletion";

    private final KubusApi api;
    private final CustomKinds kinds;
    /** The informer of each kind, by its change topic (one per kind of object, whatever its served versions). */
    private final Map<String, Informer<? extends HasMetadata>> informers = new ConcurrentHashMap<>();
    private final DependentsIndex index = new DependentsIndex();
    private final Controller controller;

    public GarbageCollector(SharedInformers shared, KubusApi api, ControllersSettings settings, CustomKinds kinds) {
        this.api = api;
        this.kinds = kinds;
        this.controller = settings.newController("garbagecollector", this);
        for (ResourceType type : kinds()) {
            wire(type, shared.informer(type, type.type()));
        }
        // Custom kinds come and go with their definitions: each gets an informer while it is served (kube's
        // collector follows discovery the same way), so an owner of a custom kind is seen going.
        kinds.addListener(new CustomKinds.Listener() {
            @Override
            public void served(CustomKind kind) {
                ResourceType type = kind.storage();
                if (!informers.containsKey(type.topic())) {
                    Informer<GenericKubernetesResource> informer = shared.informer(type, GenericKubernetesResource.class);
                    wire(type, informer);
                    informer.start();
                }
            }

            @Override
            public void gone(CustomKind last) {
                informers.remove(last.storage().topic());
                shared.remove(last.storage());
            }
        });
    }

    /**
     * The kinds that can own or be owned: every kind but Events. Kubernetes' collector watches events too, but nothing
     * makes an event own or be owned, and caching every event of the cluster's history would cost this process memory
     * in proportion to it; an owner reference to an event is still resolved, by a live read.
     */
    public static List<ResourceType> kinds() {
        return ResourceTypes.stored().stream().filter(t -> t != ResourceTypes.EVENTS).toList();
    }

    private <T extends HasMetadata> void wire(ResourceType type, Informer<T> informer) {
        informers.put(type.topic(), informer);
        // Added before the controller's own handler, so a key is queued only once the index holds its change.
        informer.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(T object) {
                index.set(ObjectKey.of(type, object).toString(), ownerUids(object));
            }

            @Override
            public void onUpdate(T old, T now) {
                index.set(ObjectKey.of(type, now).toString(), ownerUids(now));
                if (!OwnerReferences.of(old).equals(OwnerReferences.of(now))) {
                    enqueueOwners(type, old); // an owner waiting in the foreground may be released
                }
                if (!Objects.equals(old.getMetadata().getUid(), now.getMetadata().getUid())) {
                    // Replaced between two lists: the first one's dependents lost their owner.
                    index.dependents(old.getMetadata().getUid()).forEach(controller::enqueue);
                }
            }

            @Override
            public void onDelete(T last) {
                index.set(ObjectKey.of(type, last).toString(), List.of());
                enqueueOwners(type, last);
                index.dependents(last.getMetadata().getUid()).forEach(controller::enqueue);
            }
        });
        controller.primary(informer, o -> ObjectKey.of(type, o).toString());
    }

    private void enqueueOwners(ResourceType type, HasMetadata object) {
        ObjectKey key = ObjectKey.of(type, object);
        for (OwnerReference ref : OwnerReferences.of(object)) {
            key.owner(ref, kinds).ifPresent(owner -> controller.enqueue(owner.toString()));
        }
    }

    @Override
    public Controller controller() {
        return controller;
    }

    @Override
    public Result reconcile(String key) {
        if (!informers.values().stream().allMatch(Informer::hasSynced)) {
            return Result.requeueAfter(Duration.ofSeconds(1)); // never judge on a cache that has not listed yet
        }
        Optional<ObjectKey> parsed = ObjectKey.parse(key, kinds);
        if (parsed.isEmpty()) {
            return Result.done();
        }
        ObjectKey k = parsed.get();
        Optional<HasMetadata> cached = cached(k);
        if (cached.isEmpty()) {
            return Result.done(); // gone: leaving the cache queued its dependents
        }
        HasMetadata object = cached.get();
        if (object.getMetadata().getDeletionTimestamp() != null) {
            // Being deleted is a one-way trip; only an owner that holds its deletion for its dependents has work.
            if (hasFinalizer(object, ORPHAN)) {
                orphanDependents(k, object);
            } else if (hasFinalizer(object, FOREGROUND)) {
                deleteDependents(k, object);
            }
            return Result.done();
        }
        if (!OwnerReferences.of(object).isEmpty() && !ownersCachedAndSolid(k, object)) {
            attemptToDelete(k, object.getMetadata().getUid());
        }
        return Result.done();
    }

    /** The cheap look first: every owner is in the caches, with the referenced uid, and not deleting its dependents. */
    private boolean ownersCachedAndSolid(ObjectKey k, HasMetadata object) {
        for (OwnerReference ref : OwnerReferences.of(object)) {
            Optional<ObjectKey> owner = k.owner(ref, kinds);
            if (owner.isEmpty()) {
                continue; // unresolvable: never collected on its account
            }
            Optional<HasMetadata> cachedOwner = cached(owner.get())
                    .filter(o -> Objects.equals(o.getMetadata().getUid(), ref.getUid()));
            if (cachedOwner.isEmpty() || isDeletingDependents(cachedOwner.get())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Kubernetes' attemptToDeleteItem on the object's live state: classify each reference as solid (the owner
     * lives), dangling (no owner with that uid) or waiting (the owner deletes its dependents in the foreground), then
     * drop the dangling and waiting references of an object that keeps a solid owner, or delete an object that has
     * none.
     */
    private void attemptToDelete(ObjectKey k, String uid) {
        Optional<HasMetadata> read = api.get(k.type(), k.namespaceOrNull(), k.name(), k.type().type()).map(o -> o);
        if (read.isEmpty() || !uid.equals(read.get().getMetadata().getUid())
                || read.get().getMetadata().getDeletionTimestamp() != null) {
            return; // replaced, gone or going: its own events bring its key back
        }
        HasMetadata latest = read.get();
        List<OwnerReference> solid = new ArrayList<>();
        List<String> danglingOrWaiting = new ArrayList<>();
        boolean waiting = false;
        for (OwnerReference ref : OwnerReferences.of(latest)) {
            Optional<ObjectKey> ownerKey = k.owner(ref, kinds);
            if (ownerKey.isEmpty()) {
                solid.add(ref);
                continue;
            }
            Optional<HasMetadata> owner = liveOwner(ownerKey.get(), ref.getUid());
            if (owner.isEmpty()) {
                danglingOrWaiting.add(ref.getUid());
            } else if (isDeletingDependents(owner.get())) {
                waiting = true;
                danglingOrWaiting.add(ref.getUid());
            } else {
                solid.add(ref);
            }
        }
        if (!solid.isEmpty()) {
            if (!danglingOrWaiting.isEmpty()) {
                // A waiting reference goes too, or its owner would wait for an object that outlives it.
                LOG.info("{}: removing owner references {} to owners that are gone or deleting", k, danglingOrWaiting);
                removeOwnerReferences(k, latest, Set.copyOf(danglingOrWaiting));
            }
            return;
        }
        String policy;
        if (waiting && index.hasDependents(uid)) {
            policy = "Foreground"; // its owner waits for the whole tree below it
        } else if (hasFinalizer(latest, ORPHAN)) {
            policy = "Orphan";
        } else if (hasFinalizer(latest, FOREGROUND)) {
            policy = "Foreground";
        } else {
            policy = "Background";
        }
        LOG.info("{}: deleting ({}): {}", k, policy, waiting ? "its owners delete their dependents" : "none of its owners lives");
        delete(k, latest, policy);
    }

    /** The owner under {@code key} with {@code uid}: from the cache when it holds it, else read live. */
    private Optional<HasMetadata> liveOwner(ObjectKey key, String uid) {
        // A cached owner with the uid existed recently; if it is gone since, its deletion queues this dependent again.
        Optional<HasMetadata> cachedOwner = cached(key).filter(o -> Objects.equals(o.getMetadata().getUid(), uid));
        if (cachedOwner.isPresent()) {
            return cachedOwner;
        }
        return api.get(key.type(), key.namespaceOrNull(), key.name(), key.type().type())
                .filter(o -> Objects.equals(o.getMetadata().getUid(), uid)).map(o -> o);
    }

    /** An owner deleted with Orphan: each dependent loses its reference to it, then the owner loses the finalizer. */
    private void orphanDependents(ObjectKey ownerKey, HasMetadata owner) {
        String uid = owner.getMetadata().getUid();
        for (String dependent : index.dependents(uid)) {
            ObjectKey.parse(dependent, kinds).ifPresent(dk -> KubusApi.retryOnConflict(() -> {
                api.get(dk.type(), dk.namespaceOrNull(), dk.name(), dk.type().type())
                        .ifPresent(latest -> removeOwnerReferences(dk, latest, Set.of(uid)));
                return null;
            }));
        }
        removeFinalizer(ownerKey, uid, ORPHAN);
    }

    /**
     * An owner deleted in the foreground: queue its dependents, whose own reconcile deletes them (they find this owner
     * waiting), and let the owner go once none of them blocks it any more.
     */
    private void deleteDependents(ObjectKey ownerKey, HasMetadata owner) {
        String uid = owner.getMetadata().getUid();
        boolean blocked = false;
        for (String dependent : index.dependents(uid)) {
            Optional<HasMetadata> dep = ObjectKey.parse(dependent, kinds).flatMap(this::cached);
            if (dep.isEmpty()) {
                continue;
            }
            for (OwnerReference ref : OwnerReferences.of(dep.get())) {
                blocked |= uid.equals(ref.getUid()) && Boolean.TRUE.equals(ref.getBlockOwnerDeletion());
            }
            if (dep.get().getMetadata().getDeletionTimestamp() == null) {
                controller.enqueue(dependent);
            }
        }
        if (!blocked) {
            removeFinalizer(ownerKey, uid, FOREGROUND);
        }
    }

    /** A merge patch of the ownerReferences at the version read: a 409 means the object moved on, and is retried. */
    private void removeOwnerReferences(ObjectKey k, HasMetadata latest, Set<String> ownerUids) {
        List<OwnerReference> kept = OwnerReferences.of(latest).stream()
                .filter(r -> !ownerUids.contains(r.getUid())).toList();
        if (kept.size() == OwnerReferences.of(latest).size()) {
            return;
        }
        ObjectNode meta = metadataPatch(latest);
        if (kept.isEmpty()) {
            meta.putNull("ownerReferences");
        } else {
            meta.set("ownerReferences", KubusJson.json().valueToTree(kept));
        }
        patchIfExists(k, meta);
    }

    private void removeFinalizer(ObjectKey k, String uid, String finalizer) {
        KubusApi.retryOnConflict(() -> {
            api.get(k.type(), k.namespaceOrNull(), k.name(), k.type().type())
                    .filter(o -> uid.equals(o.getMetadata().getUid()) && hasFinalizer(o, finalizer))
                    .ifPresent(latest -> {
                        ObjectNode meta = metadataPatch(latest);
                        ArrayNode kept = meta.putArray("finalizers");
                        latest.getMetadata().getFinalizers().stream().filter(f -> !f.equals(finalizer)).forEach(kept::add);
                        if (kept.isEmpty()) {
                            meta.putNull("finalizers");
                        }
                        patchIfExists(k, meta);
                        LOG.info("{}: dependents {}, finalizer {} removed", k,
                                finalizer.equals(ORPHAN) ? "orphaned" : "gone", finalizer);
                    });
            return null;
        });
    }

    /** {"metadata":{"resourceVersion":...}}: the version read is the precondition of the patch. */
    private static ObjectNode metadataPatch(HasMetadata latest) {
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        return patch.putObject("metadata").put("resourceVersion", latest.getMetadata().getResourceVersion());
    }

    private void patchIfExists(ObjectKey k, ObjectNode metadataPatch) {
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        patch.set("metadata", metadataPatch);
        try {
            api.patch(k.type(), k.namespaceOrNull(), k.name(), PatchKind.MERGE, patch, false, k.type().type());
        } catch (KubusApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
    }

    /**
     * Deletes the object judged, at the version judged. As Kubernetes' deleteObject, a conflict caused by another
     * field moving on (a pod's status) does not void the judgement while the ownerReferences are the same: then the
     * uid alone is the precondition.
     */
    private void delete(ObjectKey k, HasMetadata latest, String policy) {
        String uid = latest.getMetadata().getUid();
        try {
            api.delete(k.type(), k.namespaceOrNull(), k.name(), deleteOptions(policy, uid,
                    latest.getMetadata().getResourceVersion()));
        } catch (KubusApiException e) {
            if (e.isNotFound()) {
                return;
            }
            if (!e.isConflict()) {
                throw e;
            }
            Optional<? extends HasMetadata> live = api.get(k.type(), k.namespaceOrNull(), k.name(), k.type().type());
            if (live.isEmpty() || !uid.equals(live.get().getMetadata().getUid())
                    || !OwnerReferences.of(live.get()).equals(OwnerReferences.of(latest))) {
                throw e;
            }
            try {
                api.delete(k.type(), k.namespaceOrNull(), k.name(), deleteOptions(policy, uid, null));
            } catch (KubusApiException again) {
                if (!again.isNotFound()) {
                    throw again;
                }
            }
        }
    }

    private static DeleteOptions deleteOptions(String policy, String uid, String resourceVersion) {
        return new DeleteOptionsBuilder().withPropagationPolicy(policy)
                .withNewPreconditions().withUid(uid).withResourceVersion(resourceVersion).endPreconditions().build();
    }

    private Optional<HasMetadata> cached(ObjectKey k) {
        Informer<? extends HasMetadata> informer = informers.get(k.type().topic());
        return informer == null ? Optional.empty() : informer.get(k.informerKey()).map(o -> o);
    }

    private static boolean isDeletingDependents(HasMetadata owner) {
        return owner.getMetadata().getDeletionTimestamp() != null && hasFinalizer(owner, FOREGROUND);
    }

    static boolean hasFinalizer(HasMetadata object, String finalizer) {
        List<String> finalizers = object.getMetadata().getFinalizers();
        return finalizers != null && finalizers.contains(finalizer);
    }

    private static List<String> ownerUids(HasMetadata object) {
        Collection<OwnerReference> refs = OwnerReferences.of(object);
        return refs.stream().map(OwnerReference::getUid).filter(Objects::nonNull).distinct().toList();
    }
}

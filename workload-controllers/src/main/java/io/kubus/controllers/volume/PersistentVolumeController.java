package io.kubus.controllers.volume;

import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatus;
import io.fabric8.kubernetes.api.model.PersistentVolumeStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.kubus.client.api.KubusApi;
import io.kubus.client.api.KubusApiException;
import io.kubus.client.api.PatchKind;
import io.kubus.client.controller.Controller;
import io.kubus.client.controller.Reconciler;
import io.kubus.client.informer.Index;
import io.kubus.client.informer.Informer;
import io.kubus.client.informer.ResourceEventHandler;
import io.kubus.client.informer.SharedInformers;
import io.kubus.client.record.EventRecorder;
import io.kubus.controllers.ControllersApplication;
import io.kubus.controllers.manager.ControllersSettings;
import io.kubus.controllers.manager.ManagedController;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.pod.PodPhases;
import io.kubus.schema.storage.LocalPath;
import io.kubus.schema.storage.VolumeMatch;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Kubernetes' PersistentVolume controller (pkg/controller/volume/persistentvolume) with k3s' local-path provisioner
 * built in, and the pvc-protection and pv-protection controllers, over one queue whose keys say the kind:
 * {@code claim:<namespace>/<name>} and {@code volume:<name>}.
 *
 * <ul>
 *   <li>A Pending claim binds to the smallest Available volume that fits it ({@link VolumeMatch}); binding writes the
 *   volume first (claimRef, then phase Bound), then the claim (volumeName and the bind-completed annotation, then
 *   phase Bound with the volume's capacity and access modes), so a controller that stops in between finds the
 *   volume bound to the claim next time and finishes.</li>
 *   <li>A claim of a WaitForFirstConsumer class is left alone until the scheduler names its node in
 *   {@link #LocalPath.SELECTED_NODE_ANNOTATION}; then it binds to a fitting volume that node can reach, or is provisioned.</li>
 *   <li>Claims of a {@link LocalPathVolumes#PROVISIONER} class get a hostPath volume on their node
 *   ({@link LocalPathVolumes}); claims of other provisioners wait for them (ExternalProvisioning).</li>
 *   <li>A volume whose claim is gone (or is another claim of the same name) is Released; Retain keeps it so,
 *   Delete deletes it; a local-path volume then stays, terminating, until a helper pod on its node removed the
 *   folder ({@link LocalPathVolumes#cleanupPod}), and this controller the {@link LocalPath#CLEANUP_FINALIZER}.</li>
 *   <li>Claims carry {@link #PVC_PROTECTION} and volumes {@link #PV_PROTECTION}; a deleted claim loses it when no
 *   scheduled pod that has not finished uses it, a deleted volume once it is not Bound.</li>
 * </ul>
 */
@Singleton
@Requires(env = ControllersApplication.ENVIRONMENT)
public class PersistentVolumeController implements Reconciler, ManagedController {
    private static final Logger LOG = LoggerFactory.getLogger(PersistentVolumeController.class);
    static final String NAME = "persistentvolume-binder";

    static final String ANN_BIND_COMPLETED = "pv.kubernetes.io/bind-completed";
    static final String ANN_BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller";
    static final String ANN_PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";
    static final String ANN_STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner";
    static final String ANN_BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner";
    static final String PVC_PROTECTION = "kubernetes.io/pvc-protection";
    static final String PV_PROTECTION = "kubernetes.io/pv-protection";

    static final String CLAIM = "claim:";
    static final String VOLUME = "volume:";
    /** A claim whose node cannot take a volume yet is looked at again this often (node events come sooner). */
    private static final Duration PROVISIONING_RETRY = Duration.ofSeconds(10);
    /** A helper pod that failed to remove a folder is made again after this. */
    private static final Duration CLEANUP_RETRY = Duration.ofSeconds(30);

    /**
     * Pods by the claims their volumes name, {@code namespace/claim}. Public so that another controller of this
     * process that needs the same index on the shared pod informer adds this one (an index name is one function).
     */
    public static final Index<Pod> POD_CLAIMS = new Index<>("spec.volumes.persistentVolumeClaim", p -> {
        List<String> out = new ArrayList<>();
        if (p.getSpec() != null && p.getSpec().getVolumes() != null) {
            for (Volume v : p.getSpec().getVolumes()) {
                if (v.getPersistentVolumeClaim() != null && v.getPersistentVolumeClaim().getClaimName() != null) {
                    out.add(p.getMetadata().getNamespace() + "/" + v.getPersistentVolumeClaim().getClaimName());
                }
            }
        }
        return out;
    });
    /** Volumes by the claim their claimRef names, {@code namespace/name}. */
    private static final Index<PersistentVolume> VOLUME_CLAIM = new Index<>("spec.claimRef", v -> {
        ObjectReference ref = v.getSpec() == null ? null : v.getSpec().getClaimRef();
        return ref == null ? List.of() : List.of(ref.getNamespace() + "/" + ref.getName());
    });
    /** Claims by the node the scheduler chose for them. */
    private static final Index<PersistentVolumeClaim> CLAIM_NODE = new Index<>("selected-node",
            c -> Optional.ofNullable(VolumeMatch.annotations(c.getMetadata().getAnnotations()).get(LocalPath.SELECTED_NODE_ANNOTATION))
                    .stream().toList());

    private final KubusApi api;
    private final EventRecorder events;
    private final Informer<PersistentVolumeClaim> claims;
    private final Informer<PersistentVolume> volumes;
    private final Informer<StorageClass> classes;
    private final Informer<Node> nodes;
    private final Informer<Pod> pods;
    private final Controller controller;
    private final String helperImage;

    public PersistentVolumeController(SharedInformers informers, KubusApi api, EventRecorder events,
                                      ControllersSettings settings) {
        this.api = api;
        this.events = events;
        this.helperImage = settings.getLocalPathHelperImage();
        this.claims = informers.informer(ResourceTypes.PERSISTENTVOLUMECLAIMS, PersistentVolumeClaim.class)
                .addIndex(CLAIM_NODE);
        this.volumes = informers.informer(ResourceTypes.PERSISTENTVOLUMES, PersistentVolume.class)
                .addIndex(VOLUME_CLAIM);
        this.classes = informers.informer(ResourceTypes.STORAGECLASSES, StorageClass.class);
        this.nodes = informers.informer(ResourceTypes.NODES, Node.class);
        this.pods = informers.informer(ResourceTypes.PODS, Pod.class).addIndex(POD_CLAIMS);
        this.controller = settings.newController(NAME, this)
                .primary(claims, c -> CLAIM + Informer.keyOf(c))
                .primary(volumes, v -> VOLUME + v.getMetadata().getName())
                // a claim's changes concern the volume it names and those that name it (a deleted claim releases them)
                .watch(claims, c -> {
                    List<String> keys = new ArrayList<>();
                    if (c.getSpec() != null && c.getSpec().getVolumeName() != null) {
                        keys.add(VOLUME + c.getSpec().getVolumeName());
                    }
                    volumes.byIndex(VOLUME_CLAIM, Informer.keyOf(c))
                            .forEach(v -> keys.add(VOLUME + v.getMetadata().getName()));
                    return keys;
                })
                // a volume's changes concern its claim (a provisioned volume is then bound at once)
                .watch(volumes, v -> {
                    ObjectReference ref = v.getSpec() == null ? null : v.getSpec().getClaimRef();
                    return ref == null ? List.of() : List.of(CLAIM + ref.getNamespace() + "/" + ref.getName());
                })
                // a pod's changes concern the claims it uses (pvc-protection)
                .watch(pods, p -> POD_CLAIMS.function().apply(p).stream().map(k -> CLAIM + k).toList())
                // a helper pod's progress concerns the volume whose folder it removes
                .watch(pods, p -> LocalPathVolumes.HELPER_NAMESPACE.equals(p.getMetadata().getNamespace())
                        ? Optional.ofNullable(p.getMetadata().getLabels()).map(l -> l.get(LocalPathVolumes.HELPER_VOLUME_LABEL))
                                .map(v -> List.of(VOLUME + v)).orElse(List.of())
                        : List.of());
        classes.addHandler(new ClassEvents());
        nodes.addHandler(new NodeEvents());
    }

    @Override
    public Controller controller() {
        return controller;
    }

    @Override
    public Result reconcile(String key) throws Exception {
        if (key.startsWith(CLAIM)) {
            return claims.get(key.substring(CLAIM.length())).map(this::syncClaim).orElse(Result.done());
        }
        if (key.startsWith(VOLUME)) {
            return volumes.get(key.substring(VOLUME.length())).map(this::syncVolume).orElse(Result.done());
        }
        return Result.done();
    }

    // ---- claims ----

    private Result syncClaim(PersistentVolumeClaim claim) {
        if (claim.getMetadata().getDeletionTimestamp() != null) {
            releaseClaimWhenUnused(claim);
            return Result.done(); // nothing is bound or provisioned for a claim on its way out
        }
        if (!hasFinalizer(claim, PVC_PROTECTION)) {
            claim = withFinalizer(ResourceTypes.PERSISTENTVOLUMECLAIMS, claim, PVC_PROTECTION);
        }
        if (!annotation(claim, ANN_BIND_COMPLETED)) {
            return syncUnboundClaim(claim);
        }
        syncBoundClaim(claim);
        return Result.done();
    }

    /** A claim not bound yet (syncUnboundClaim): find, or provision, a volume; or bind to the one it names. */
    private Result syncUnboundClaim(PersistentVolumeClaim claim) {
        String className = VolumeMatch.claimClass(claim);
        StorageClass storageClass = className.isEmpty() ? null : classes.get(className).orElse(null);
        String volumeName = claim.getSpec().getVolumeName();
        if (volumeName == null || volumeName.isEmpty()) {
            boolean delayed = storageClass != null && "WaitForFirstConsumer".equals(storageClass.getVolumeBindingMode());
            String nodeName = VolumeMatch.annotations(claim.getMetadata().getAnnotations()).get(LocalPath.SELECTED_NODE_ANNOTATION);
            Node node = nodeName == null ? null : nodes.get(nodeName).orElse(null);
            boolean onlyPreBound = delayed && node == null;
            Optional<PersistentVolume> match = VolumeMatch.find(claim, volumes.list(), delayed ? node : null,
                    onlyPreBound);
            if (match.isPresent()) {
                bind(match.get(), claim);
                return Result.done();
            }
            if (delayed && nodeName == null) {
                waitForFirstConsumer(claim);
                return Result.done();
            }
            if (className.isEmpty()) {
                updateClaimStatusWithEvent(claim, "Pending", null, "Normal", "FailedBinding",
                        "no persistent volumes available for this claim and no storage class is set");
                return Result.done();
            }
            if (storageClass == null) {
                events.warning(claim, "ProvisioningFailed",
                        "storageclass.storage.k8s.io \"" + className + "\" not found");
                return Result.done(); // the class's creation queues the claim again
            }
            return provision(claim, storageClass, nodeName);
        }
        // the claim names its volume
        Optional<PersistentVolume> named = volumes.get(volumeName);
        if (named.isEmpty()) {
            updateClaimStatus(claim, "Pending", null);
            return Result.done();
        }
        PersistentVolume volume = named.get();
        if (volume.getSpec().getClaimRef() == null) {
            Optional<String> why = VolumeMatch.unsatisfied(volume, claim);
            if (why.isPresent()) {
                events.warning(claim, "VolumeMismatch", "Cannot bind to requested volume \"" + volumeName + "\": "
                        + why.get());
                updateClaimStatus(claim, "Pending", null);
                return Result.done();
            }
            bind(volume, claim);
        } else if (VolumeMatch.isBoundToClaim(volume, claim)) {
            bind(volume, claim); // the volume is ours already: finish the binding
        } else if (!annotation(claim, ANN_BOUND_BY_CONTROLLER)) {
            updateClaimStatus(claim, "Pending", null); // the user asked for a volume someone else holds
        } else {
            throw new IllegalStateException("invalid binding of claim " + Informer.keyOf(claim) + " to volume "
                    + volumeName + ": volume already claimed by " + volume.getSpec().getClaimRef().getNamespace()
                    + "/" + volume.getSpec().getClaimRef().getName());
        }
        return Result.done();
    }

    /** emitEventForUnboundDelayBindingClaim: the claim waits for a pod that uses it to be scheduled. */
    private void waitForFirstConsumer(PersistentVolumeClaim claim) {
        List<Pod> users = pods.byIndex(POD_CLAIMS, Informer.keyOf(claim)).stream()
                .filter(p -> !PodPhases.isTerminal(p)).toList();
        if (users.isEmpty()) {
            events.normal(claim, "WaitForFirstConsumer", "waiting for first consumer to be created before binding");
        } else {
            events.normal(claim, "WaitForPodScheduled", "waiting for pod " + users.getFirst().getMetadata().getName()
                    + " to be scheduled");
        }
        updateClaimStatus(claim, "Pending", null);
    }

    /** A bound claim (syncBoundClaim): its volume is still there and still bound to it, else the claim is Lost. */
    private void syncBoundClaim(PersistentVolumeClaim claim) {
        String volumeName = claim.getSpec().getVolumeName();
        if (volumeName == null || volumeName.isEmpty()) {
            updateClaimStatusWithEvent(claim, "Lost", null, "Warning", "ClaimLost",
                    "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!");
            return;
        }
        Optional<PersistentVolume> found = volumes.get(volumeName);
        if (found.isEmpty()) {
            updateClaimStatusWithEvent(claim, "Lost", null, "Warning", "ClaimLost",
                    "Bound claim has lost its PersistentVolume. Data on the volume is lost!");
            return;
        }
        PersistentVolume volume = found.get();
        ObjectReference ref = volume.getSpec().getClaimRef();
        if (ref == null || Objects.equals(ref.getUid(), claim.getMetadata().getUid())) {
            bind(volume, claim); // unbound volume: bind again; bound: make sure every part of the binding is there
        } else {
            updateClaimStatusWithEvent(claim, "Lost", null, "Warning", "ClaimMisbound",
                    "Two claims are bound to the same volume, this one is bound incorrectly");
        }
    }

    /**
     * Provisions a volume for the claim (provisionClaim): a local-path volume on the claim's node, or, for another
     * provisioner, marks the claim for it and waits. The volume is named after the claim's uid, so that a second
     * attempt (a stale cache, a restarted controller) meets the first one's volume and binds it.
     */
    private Result provision(PersistentVolumeClaim claim, StorageClass storageClass, String nodeName) {
        String provisioner = Objects.requireNonNullElse(storageClass.getProvisioner(), "");
        claim = withProvisioner(claim, provisioner);
        String className = storageClass.getMetadata().getName();
        if (!LocalPath.PROVISIONER.equals(provisioner)) {
            events.normal(claim, "ExternalProvisioning", "Waiting for a volume to be created either by the external "
                    + "provisioner '" + provisioner + "' or manually by the system administrator. If volume creation "
                    + "is delayed, please verify that the provisioner is running and correctly registered.");
            updateClaimStatus(claim, "Pending", null);
            return Result.done();
        }
        if (nodeName == null) {
            events.warning(claim, "ProvisioningFailed", "failed to provision volume with StorageClass \"" + className
                    + "\": " + LocalPath.PROVISIONER + " makes volumes on the node of the claim's first pod, "
                    + "so its StorageClass needs volumeBindingMode WaitForFirstConsumer (no node selected)");
            updateClaimStatus(claim, "Pending", null);
            return Result.done();
        }
        Optional<Node> node = nodes.get(nodeName);
        String root = node.map(n -> VolumeMatch.annotations(n.getMetadata().getAnnotations())
                .get(LocalPath.ROOT_ANNOTATION)).orElse(null);
        if (root == null || root.isEmpty()) {
            events.warning(claim, "ProvisioningFailed", "failed to provision volume with StorageClass \"" + className
                    + "\": " + (node.isEmpty() ? "node \"" + nodeName + "\" not found"
                    : "node \"" + nodeName + "\" has no annotation " + LocalPath.ROOT_ANNOTATION
                    + " (its node agent publishes where local-path volumes go)"));
            updateClaimStatus(claim, "Pending", null);
            return Result.requeueAfter(PROVISIONING_RETRY);
        }
        PersistentVolume wanted = LocalPathVolumes.volume(claim, storageClass, nodeName, root);
        PersistentVolume volume;
        try {
            events.normal(claim, "Provisioning", "External provisioner is provisioning volume for claim \""
                    + Informer.keyOf(claim) + "\"");
            volume = api.create(ResourceTypes.PERSISTENTVOLUMES, wanted);
            events.normal(claim, "ProvisioningSucceeded", "Successfully provisioned volume "
                    + volume.getMetadata().getName() + " using " + LocalPath.PROVISIONER);
            LOG.info("provisioned {} at {}:{} for claim {}", volume.getMetadata().getName(), nodeName,
                    wanted.getSpec().getHostPath().getPath(), Informer.keyOf(claim));
        } catch (KubusApiException e) {
            if (!e.isAlreadyExists()) {
                events.warning(claim, "ProvisioningFailed", "failed to provision volume with StorageClass \""
                        + className + "\": " + e.statusMessage());
                throw e;
            }
            // made by an earlier attempt whose volume the cache has not shown yet
            volume = api.get(ResourceTypes.PERSISTENTVOLUMES, null, wanted.getMetadata().getName(),
                    PersistentVolume.class).orElseThrow(() -> new IllegalStateException("volume "
                    + wanted.getMetadata().getName() + " already exists but is gone on reading"));
        }
        if (!VolumeMatch.isBoundToClaim(volume, claim)) {
            throw new IllegalStateException("volume " + volume.getMetadata().getName() + " exists but is not for claim "
                    + Informer.keyOf(claim));
        }
        bind(volume, claim);
        return Result.done();
    }

    /** setClaimProvisioner: the claim says which provisioner it waits for (both annotations, as Kubernetes). */
    private PersistentVolumeClaim withProvisioner(PersistentVolumeClaim claim, String provisioner) {
        Map<String, String> ann = VolumeMatch.annotations(claim.getMetadata().getAnnotations());
        if (provisioner.equals(ann.get(ANN_STORAGE_PROVISIONER))
                && provisioner.equals(ann.get(ANN_BETA_STORAGE_PROVISIONER))) {
            return claim;
        }
        PersistentVolumeClaim copy = KubusJson.copy(claim, PersistentVolumeClaim.class);
        Map<String, String> annotations = new HashMap<>(ann);
        annotations.put(ANN_STORAGE_PROVISIONER, provisioner);
        annotations.put(ANN_BETA_STORAGE_PROVISIONER, provisioner);
        copy.getMetadata().setAnnotations(annotations);
        return api.update(ResourceTypes.PERSISTENTVOLUMECLAIMS, copy);
    }

    /** pvc-protection: a claim being deleted loses its finalizer once no pod that may still run uses it. */
    private void releaseClaimWhenUnused(PersistentVolumeClaim claim) {
        if (!hasFinalizer(claim, PVC_PROTECTION)) {
            return;
        }
        // Only a scheduled pod holds the claim: an agent does not start a pod whose claim is being deleted.
        boolean used = pods.byIndex(POD_CLAIMS, Informer.keyOf(claim)).stream()
                .anyMatch(p -> p.getSpec().getNodeName() != null && !p.getSpec().getNodeName().isEmpty()
                        && !PodPhases.isTerminal(p));
        if (!used) {
            removeFinalizer(ResourceTypes.PERSISTENTVOLUMECLAIMS, claim, PVC_PROTECTION);
        }
    }

    // ---- volumes ----

    /** syncVolume: a volume's phase from its claimRef and the claim it names, and the reclaiming of a released one. */
    private Result syncVolume(PersistentVolume volume) {
        if (volume.getMetadata().getDeletionTimestamp() != null) {
            // pv-protection: a volume being deleted loses its finalizer once it is no longer bound
            if (hasFinalizer(volume, PV_PROTECTION) && !"Bound".equals(phase(volume))) {
                removeFinalizer(ResourceTypes.PERSISTENTVOLUMES, volume, PV_PROTECTION);
                return Result.done(); // the change brings the volume back
            }
            if (hasFinalizer(volume, LocalPath.CLEANUP_FINALIZER) && !"Bound".equals(phase(volume))) {
                return removeFolder(volume);
            }
        } else if (!hasFinalizer(volume, PV_PROTECTION)) {
            volume = withFinalizer(ResourceTypes.PERSISTENTVOLUMES, volume, PV_PROTECTION);
        }
        ObjectReference ref = volume.getSpec().getClaimRef();
        if (ref == null || ref.getUid() == null || ref.getUid().isEmpty()) {
            // unused, or pre-bound to a claim whose sync will bind it
            updateVolumePhase(volume, "Available", null);
            return Result.done();
        }
        PersistentVolumeClaim claim = claimOf(ref);
        if (claim == null) {
            // its claim was deleted: Released (a Failed volume stays Failed), then the reclaim policy
            if (!"Released".equals(phase(volume)) && !"Failed".equals(phase(volume))) {
                volume = updateVolumePhase(volume, "Released", null);
            }
            reclaim(volume);
            return Result.done();
        }
        String claimVolume = claim.getSpec().getVolumeName();
        if (claimVolume == null || claimVolume.isEmpty()) {
            controller.enqueue(CLAIM + Informer.keyOf(claim)); // the claim's sync finishes the binding
        } else if (claimVolume.equals(volume.getMetadata().getName())) {
            updateVolumePhase(volume, "Bound", null);
        } else if (volume.getMetadata().getAnnotations() != null
                && volume.getMetadata().getAnnotations().containsKey(ANN_PROVISIONED_BY)
                && "Delete".equals(volume.getSpec().getPersistentVolumeReclaimPolicy())) {
            // provisioned for a claim that got bound elsewhere: not needed
            if (!"Released".equals(phase(volume)) && !"Failed".equals(phase(volume))) {
                volume = updateVolumePhase(volume, "Released", null);
            }
            reclaim(volume);
        } else {
            unbindVolume(volume);
        }
        return Result.done();
    }

    /**
     * The live claim a claimRef names, or null: not in the cache and not in the API (the cache may not show a claim
     * yet whose volume it does show), or another claim of the same name.
     */
    private PersistentVolumeClaim claimOf(ObjectReference ref) {
        PersistentVolumeClaim claim = claims.get(ref.getNamespace(), ref.getName())
                .or(() -> api.get(ResourceTypes.PERSISTENTVOLUMECLAIMS, ref.getNamespace(), ref.getName(),
                        PersistentVolumeClaim.class))
                .orElse(null);
        return claim != null && Objects.equals(claim.getMetadata().getUid(), ref.getUid()) ? claim : null;
    }

    /** reclaimVolume: Retain keeps the volume Released; Delete deletes it; Recycle is not done. */
    private void reclaim(PersistentVolume volume) {
        String policy = Objects.requireNonNullElse(volume.getSpec().getPersistentVolumeReclaimPolicy(), "Retain");
        switch (policy) {
            case "Retain" -> {
                // the administrator's volume, and data, to deal with
            }
            case "Delete" -> deleteVolume(volume);
            default -> {
                if (!"Failed".equals(phase(volume))) {
                    updateVolumePhase(volume, "Failed", "Recycle is not supported");
                    events.warning(volume, "VolumeFailedRecycle", "Recycle is not supported, use Retain or Delete");
                }
            }
        }
    }

    /**
     * Deletes a released volume of reclaim policy Delete that this controller provisioned; the local-path cleanup
     * finalizer keeps it, terminating, until its node agent removed the folder. A volume of an external provisioner
     * is that provisioner's to delete; any other volume cannot be deleted (Failed, as Kubernetes without a deleter).
     */
    private void deleteVolume(PersistentVolume volume) {
        if (volume.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        String by = VolumeMatch.annotations(volume.getMetadata().getAnnotations()).get(ANN_PROVISIONED_BY);
        if (LocalPath.PROVISIONER.equals(by)) {
            try {
                api.delete(ResourceTypes.PERSISTENTVOLUMES, null, volume.getMetadata().getName(),
                        new DeleteOptionsBuilder().withNewPreconditions().withUid(volume.getMetadata().getUid())
                                .endPreconditions().build());
                LOG.info("deleted released volume {}", volume.getMetadata().getName());
            } catch (KubusApiException e) {
                if (!e.isNotFound()) {
                    events.warning(volume, "VolumeFailedDelete", e.statusMessage());
                    throw e;
                }
            }
        } else if (by == null && !"Failed".equals(phase(volume))) {
            String why = "error getting deleter volume plugin for volume \"" + volume.getMetadata().getName()
                    + "\": no deletable volume plugin matched";
            updateVolumePhase(volume, "Failed", why);
            events.warning(volume, "VolumeFailedDelete", why);
        }
    }

    /**
     * The folder of a deleted local-path volume goes with a helper pod on its node, as k3s' provisioner's does; once
     * the pod succeeded it is deleted and then the finalizer removed (a controller stopped in between makes the pod
     * again, which finds nothing left to remove). A failed pod is reported and made again later. A volume whose node
     * is gone, or whose folder is not one this provisioner made, loses the finalizer with a warning: nothing here can
     * reach that folder.
     */
    private Result removeFolder(PersistentVolume volume) {
        String name = volume.getMetadata().getName();
        Optional<String> nodeName = LocalPathVolumes.node(volume);
        boolean nodeGone = nodeName.isEmpty() || nodes.get(nodeName.get())
                .or(() -> api.get(ResourceTypes.NODES, null, nodeName.get(), Node.class)).isEmpty();
        Optional<Pod> wanted = nodeName.flatMap(n -> LocalPathVolumes.cleanupPod(volume, n, helperImage));
        if (nodeGone || wanted.isEmpty()) {
            events.warning(volume, "VolumeFailedDelete", nodeGone
                    ? "node " + nodeName.map(n -> "\"" + n + "\"").orElse("of the volume") + " is gone: its folder "
                    + "cannot be removed and stays on that machine"
                    : "the volume's hostPath is not a folder " + LocalPath.PROVISIONER + " made: left as it is");
            removeFinalizer(ResourceTypes.PERSISTENTVOLUMES, volume, LocalPath.CLEANUP_FINALIZER);
            return Result.done();
        }
        Optional<Pod> helper = pods.get(LocalPathVolumes.HELPER_NAMESPACE, LocalPathVolumes.cleanupPodName(volume));
        if (helper.isEmpty()) {
            try {
                api.create(ResourceTypes.PODS, wanted.get());
                LOG.info("removing the folder of volume {} on node {}", name, nodeName.get());
            } catch (KubusApiException e) {
                if (!e.isAlreadyExists()) {
                    throw e;
                }
            }
            return Result.done(); // the pod's progress brings the volume back
        }
        String phase = PodPhases.phaseOf(helper.get());
        if (!PodPhases.isTerminal(helper.get())) {
            return Result.done();
        }
        api.deleteIfExists(ResourceTypes.PODS, LocalPathVolumes.HELPER_NAMESPACE, helper.get().getMetadata().getName(),
                0L, null);
        if ("Succeeded".equals(phase)) {
            removeFinalizer(ResourceTypes.PERSISTENTVOLUMES, volume, LocalPath.CLEANUP_FINALIZER);
            LOG.info("removed the folder of volume {} on node {}", name, nodeName.get());
            return Result.done();
        }
        events.warning(volume, "VolumeFailedDelete", "helper pod " + helper.get().getMetadata().getName()
                + " failed to remove the folder on node " + nodeName.get() + " (" + exitCodes(helper.get())
                + "); trying again in " + CLEANUP_RETRY.toSeconds() + " s");
        return Result.requeueAfter(CLEANUP_RETRY);
    }

    private static String exitCodes(Pod pod) {
        return pod.getStatus().getContainerStatuses().stream()
                .filter(s -> s.getState() != null && s.getState().getTerminated() != null)
                .map(s -> "exit code " + s.getState().getTerminated().getExitCode()
                        + Optional.ofNullable(s.getState().getTerminated().getReason()).map(r -> ", " + r).orElse(""))
                .findFirst().orElse(Objects.requireNonNullElse(pod.getStatus().getReason(), "no exit code"));
    }

    /**
     * unbindVolume: a volume this controller bound to a claim that is bound elsewhere goes back to Available; one
     * the user pre-bound by name keeps the name but loses the uid.
     */
    private void unbindVolume(PersistentVolume volume) {
        PersistentVolume copy = KubusJson.copy(volume, PersistentVolume.class);
        if (annotation(volume, ANN_BOUND_BY_CONTROLLER)) {
            copy.getSpec().setClaimRef(null);
            Map<String, String> annotations = new HashMap<>(copy.getMetadata().getAnnotations());
            annotations.remove(ANN_BOUND_BY_CONTROLLER);
            copy.getMetadata().setAnnotations(annotations);
        } else {
            copy.getSpec().getClaimRef().setUid("");
        }
        updateVolumePhase(api.update(ResourceTypes.PERSISTENTVOLUMES, copy), "Available", null);
    }

    // ---- binding ----

    /**
     * Binds volume and claim as Kubernetes' bind(): the volume's claimRef, then its phase; the claim's volumeName and
     * annotations, then its status. Each write is skipped when already done, so a repeated or resumed bind is cheap.
     */
    private void bind(PersistentVolume volume, PersistentVolumeClaim claim) {
        volume = bindVolumeToClaim(volume, claim);
        volume = updateVolumePhase(volume, "Bound", null);
        claim = bindClaimToVolume(claim, volume);
        updateClaimStatus(claim, "Bound", volume);
        LOG.debug("bound claim {} to volume {}", Informer.keyOf(claim), volume.getMetadata().getName());
    }

    private PersistentVolume bindVolumeToClaim(PersistentVolume volume, PersistentVolumeClaim claim) {
        ObjectReference ref = volume.getSpec().getClaimRef();
        boolean boundByController = !VolumeMatch.isBoundToClaim(volume, claim);
        if (ref != null && Objects.equals(ref.getName(), claim.getMetadata().getName())
                && Objects.equals(ref.getNamespace(), claim.getMetadata().getNamespace())
                && Objects.equals(ref.getUid(), claim.getMetadata().getUid())) {
            return volume;
        }
        PersistentVolume copy = KubusJson.copy(volume, PersistentVolume.class);
        copy.getSpec().setClaimRef(claimRef(claim));
        if (boundByController) {
            Map<String, String> annotations = new HashMap<>(VolumeMatch.annotations(copy.getMetadata().getAnnotations()));
            annotations.put(ANN_BOUND_BY_CONTROLLER, "yes");
            copy.getMetadata().setAnnotations(annotations);
        }
        return api.update(ResourceTypes.PERSISTENTVOLUMES, copy);
    }

    private PersistentVolumeClaim bindClaimToVolume(PersistentVolumeClaim claim, PersistentVolume volume) {
        String name = volume.getMetadata().getName();
        boolean named = name.equals(claim.getSpec().getVolumeName());
        if (named && annotation(claim, ANN_BIND_COMPLETED)) {
            return claim;
        }
        PersistentVolumeClaim copy = KubusJson.copy(claim, PersistentVolumeClaim.class);
        Map<String, String> annotations = new HashMap<>(VolumeMatch.annotations(copy.getMetadata().getAnnotations()));
        if (!named) {
            copy.getSpec().setVolumeName(name);
            annotations.put(ANN_BOUND_BY_CONTROLLER, "yes");
        }
        annotations.put(ANN_BIND_COMPLETED, "yes");
        copy.getMetadata().setAnnotations(annotations);
        return api.update(ResourceTypes.PERSISTENTVOLUMECLAIMS, copy);
    }

    /** The claimRef a volume bound to {@code claim} carries (GetReference). */
    static ObjectReference claimRef(PersistentVolumeClaim claim) {
        return new ObjectReferenceBuilder().withApiVersion("v1").withKind("PersistentVolumeClaim")
                .withNamespace(claim.getMetadata().getNamespace()).withName(claim.getMetadata().getName())
                .withUid(claim.getMetadata().getUid()).withResourceVersion(claim.getMetadata().getResourceVersion())
                .build();
    }

    // ---- status ----

    private PersistentVolume updateVolumePhase(PersistentVolume volume, String phase, String message) {
        PersistentVolumeStatus status = volume.getStatus();
        if (status != null && phase.equals(status.getPhase()) && Objects.equals(message, status.getMessage())) {
            return volume;
        }
        PersistentVolume copy = KubusJson.copy(volume, PersistentVolume.class);
        PersistentVolumeStatus next = copy.getStatus() == null ? new PersistentVolumeStatus() : copy.getStatus();
        if (!phase.equals(next.getPhase())) {
            next.setLastPhaseTransitionTime(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        }
        next.setPhase(phase);
        next.setMessage(message);
        copy.setStatus(next);
        return api.updateStatus(ResourceTypes.PERSISTENTVOLUMES, copy);
    }

    /** The claim's phase, with the bound volume's access modes and capacity, or neither without a volume. */
    private PersistentVolumeClaim updateClaimStatus(PersistentVolumeClaim claim, String phase, PersistentVolume volume) {
        PersistentVolumeClaimStatus status = claim.getStatus() == null ? new PersistentVolumeClaimStatus()
                : claim.getStatus();
        List<String> modes = volume == null ? null : volume.getSpec().getAccessModes();
        var capacity = volume == null ? null : volume.getSpec().getCapacity();
        boolean same = phase.equals(status.getPhase())
                && Objects.equals(emptyToNull(status.getAccessModes()), emptyToNull(modes))
                && sameStorage(status.getCapacity(), capacity);
        if (same) {
            return claim;
        }
        PersistentVolumeClaim copy = KubusJson.copy(claim, PersistentVolumeClaim.class);
        PersistentVolumeClaimStatus next = copy.getStatus() == null ? new PersistentVolumeClaimStatus()
                : copy.getStatus();
        next.setPhase(phase);
        next.setAccessModes(modes == null ? null : new ArrayList<>(modes));
        next.setCapacity(capacity == null ? null : new HashMap<>(capacity));
        copy.setStatus(next);
        return api.updateStatus(ResourceTypes.PERSISTENTVOLUMECLAIMS, copy);
    }

    /** As {@link #updateClaimStatus}, with an event when, and only when, the phase changes. */
    private void updateClaimStatusWithEvent(PersistentVolumeClaim claim, String phase, PersistentVolume volume,
                                            String type, String reason, String message) {
        if (claim.getStatus() != null && phase.equals(claim.getStatus().getPhase())) {
            if (!"Pending".equals(phase)) {
                return;
            }
        }
        PersistentVolumeClaim updated = updateClaimStatus(claim, phase, volume);
        events.record(updated, type, reason, message);
    }

    private static boolean sameStorage(Map<String, io.fabric8.kubernetes.api.model.Quantity> a,
                                       Map<String, io.fabric8.kubernetes.api.model.Quantity> b) {
        var qa = a == null ? null : a.get("storage");
        var qb = b == null ? null : b.get("storage");
        if (qa == null || qb == null) {
            return qa == qb;
        }
        return io.kubus.schema.quantity.ResourceQuantity.of(qa).compareTo(io.kubus.schema.quantity.ResourceQuantity.of(qb)) == 0;
    }

    private static <T> List<T> emptyToNull(List<T> list) {
        return list == null || list.isEmpty() ? null : list;
    }

    // ---- metadata ----

    private static String phase(PersistentVolume volume) {
        return volume.getStatus() == null ? null : volume.getStatus().getPhase();
    }

    private static boolean annotation(HasMetadata o, String name) {
        return VolumeMatch.annotations(o.getMetadata().getAnnotations()).containsKey(name);
    }

    private static boolean hasFinalizer(HasMetadata o, String finalizer) {
        return o.getMetadata().getFinalizers() != null && o.getMetadata().getFinalizers().contains(finalizer);
    }

    /** Adds a finalizer by an update (so it applies to the version read, or fails with a conflict). */
    private <T extends HasMetadata> T withFinalizer(ResourceType type, T o, String finalizer) {
        @SuppressWarnings("unchecked")
        T copy = KubusJson.copy(o, (Class<T>) o.getClass());
        List<String> finalizers = new ArrayList<>(Objects.requireNonNullElse(copy.getMetadata().getFinalizers(),
                List.of()));
        finalizers.add(finalizer);
        copy.getMetadata().setFinalizers(finalizers);
        return api.update(type, copy);
    }

    private void removeFinalizer(ResourceType type, HasMetadata o, String finalizer) {
        try {
            api.patch(type, o.getMetadata().getNamespace(), o.getMetadata().getName(), PatchKind.STRATEGIC,
                    "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":[\"" + finalizer + "\"]}}", false,
                    o.getClass());
        } catch (KubusApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
    }

    // ---- event mapping ----

    /** A class created or changed may let its waiting claims bind or be provisioned. */
    private final class ClassEvents implements ResourceEventHandler<StorageClass> {
        @Override
        public void onAdd(StorageClass sc) {
            enqueueUnbound(sc.getMetadata().getName());
        }

        @Override
        public void onUpdate(StorageClass old, StorageClass now) {
            enqueueUnbound(now.getMetadata().getName());
        }

        private void enqueueUnbound(String className) {
            for (PersistentVolumeClaim c : claims.list()) {
                if (!annotation(c, ANN_BIND_COMPLETED) && className.equals(VolumeMatch.claimClass(c))) {
                    controller.enqueue(CLAIM + Informer.keyOf(c));
                }
            }
        }
    }

    /**
     * A node that appears, or whose labels or annotations change (its local-path root published), may take the
     * volumes of the unbound claims scheduled to it; heartbeats are passed over.
     */
    private final class NodeEvents implements ResourceEventHandler<Node> {
        @Override
        public void onAdd(Node node) {
            enqueueWaiting(node);
        }

        @Override
        public void onUpdate(Node old, Node now) {
            if (!Objects.equals(old.getMetadata().getAnnotations(), now.getMetadata().getAnnotations())
                    || !Objects.equals(old.getMetadata().getLabels(), now.getMetadata().getLabels())) {
                enqueueWaiting(now);
            }
        }

        private void enqueueWaiting(Node node) {
            for (PersistentVolumeClaim c : claims.byIndex(CLAIM_NODE, node.getMetadata().getName())) {
                if (!annotation(c, ANN_BIND_COMPLETED)) {
                    controller.enqueue(CLAIM + Informer.keyOf(c));
                }
            }
        }
    }
}

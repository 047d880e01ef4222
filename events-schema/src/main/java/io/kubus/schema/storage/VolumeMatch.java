package io.kubus.schema.storage;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kubus.schema.quantity.ResourceQuantity;
import io.kubus.schema.selector.LabelSelector;
import io.kubus.schema.selector.NodeAffinities;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which PersistentVolume fits a claim, as Kubernetes' binder decides it (pkg/controller/volume/persistentvolume,
 * findMatchingVolume and checkVolumeSatisfyClaim): a volume pre-bound to the claim wins if it is large enough;
 * otherwise the smallest unclaimed volume of the claim's class, volume mode and access modes that its selector picks
 * and whose capacity covers the request. Pure functions over the objects, so that they can be tested alone, shared
 * by the volume controller (which binds) and the scheduler (which sends a pod's claims to a node whose volumes fit).
 */
public final class VolumeMatch {
    /** The annotation that named a class before {@code storageClassName} existed; still read, as Kubernetes reads it. */
    public static final String BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class";

    private VolumeMatch() {
    }

    /** The claim's class: {@code spec.storageClassName}, else the beta annotation, else "" (no class). */
    public static String claimClass(PersistentVolumeClaim claim) {
        String beta = annotations(claim.getMetadata().getAnnotations()).get(BETA_STORAGE_CLASS);
        if (beta != null) {
            return beta;
        }
        return Objects.requireNonNullElse(claim.getSpec().getStorageClassName(), "");
    }

    /** The volume's class, read as the claim's. */
    public static String volumeClass(PersistentVolume volume) {
        String beta = annotations(volume.getMetadata().getAnnotations()).get(BETA_STORAGE_CLASS);
        if (beta != null) {
            return beta;
        }
        return Objects.requireNonNullElse(volume.getSpec().getStorageClassName(), "");
    }

    /** What the claim asks: {@code spec.resources.requests[storage]}, zero when absent. */
    public static ResourceQuantity requested(PersistentVolumeClaim claim) {
        var resources = claim.getSpec().getResources();
        Map<String, Quantity> requests = resources == null ? null : resources.getRequests();
        Quantity q = requests == null ? null : requests.get("storage");
        return q == null ? ResourceQuantity.ZERO : ResourceQuantity.of(q);
    }

    /** The volume's {@code spec.capacity[storage]}, zero when absent. */
    public static ResourceQuantity capacity(PersistentVolume volume) {
        Map<String, Quantity> capacity = volume.getSpec().getCapacity();
        Quantity q = capacity == null ? null : capacity.get("storage");
        return q == null ? ResourceQuantity.ZERO : ResourceQuantity.of(q);
    }

    /**
     * Whether the volume's claimRef names this claim: same namespace and name, and the claim's uid or none yet (a
     * volume an administrator pre-bound by name).
     */
    public static boolean isBoundToClaim(PersistentVolume volume, PersistentVolumeClaim claim) {
        ObjectReference ref = volume.getSpec().getClaimRef();
        if (ref == null) {
            return false;
        }
        if (!Objects.equals(ref.getName(), claim.getMetadata().getName())
                || !Objects.equals(ref.getNamespace(), claim.getMetadata().getNamespace())) {
            return false;
        }
        return ref.getUid() == null || ref.getUid().isEmpty() || ref.getUid().equals(claim.getMetadata().getUid());
    }

    /**
     * The best volume for the claim among {@code volumes}, or empty. With {@code onlyPreBound} (a
     * WaitForFirstConsumer claim whose node is not chosen yet) only a volume pre-bound to the claim counts. With a
     * {@code node} (the node chosen for such a claim) a volume must also fit the node by its required node affinity.
     */
    public static Optional<PersistentVolume> find(PersistentVolumeClaim claim, Collection<PersistentVolume> volumes,
                                           Node node, boolean onlyPreBound) {
        ResourceQuantity request = requested(claim);
        String requestedClass = claimClass(claim);
        LabelSelector selector = claim.getSpec().getSelector() == null ? LabelSelector.everything()
                : LabelSelector.of(claim.getSpec().getSelector());
        PersistentVolume smallest = null;
        ResourceQuantity smallestSize = null;
        for (PersistentVolume volume : volumes) {
            if (!Objects.equals(volumeMode(claim), volumeMode(volume))
                    || volume.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            boolean preBound = isBoundToClaim(volume, claim);
            if (!preBound && (onlyPreBound || volume.getSpec().getClaimRef() != null)) {
                continue; // most volumes of a busy cluster: bound to other claims, passed over before any parsing
            }
            ResourceQuantity size = capacity(volume);
            boolean fitsNode = node == null || fitsNode(volume, node);
            if (preBound) {
                if (size.compareTo(request) < 0) {
                    continue;
                }
                return fitsNode ? Optional.of(volume) : Optional.empty();
            }
            if (!fitsNode || !selector.matches(annotations(volume.getMetadata().getLabels()))
                    || !requestedClass.equals(volumeClass(volume)) || !accessModesContained(claim, volume)) {
                continue;
            }
            if (size.compareTo(request) >= 0 && (smallest == null || smallestSize.compareTo(size) > 0)) {
                smallest = volume;
                smallestSize = size;
            }
        }
        return Optional.ofNullable(smallest);
    }

    /**
     * Why the volume a claim names in {@code spec.volumeName} does not satisfy it, or empty when it does
     * (checkVolumeSatisfyClaim's reasons).
     */
    public static Optional<String> unsatisfied(PersistentVolume volume, PersistentVolumeClaim claim) {
        if (capacity(volume).compareTo(requested(claim)) < 0) {
            return Optional.of("requested PV is too small");
        }
        if (!claimClass(claim).equals(volumeClass(volume))) {
            return Optional.of("storageClassName does not match");
        }
        if (!Objects.equals(volumeMode(claim), volumeMode(volume))) {
            return Optional.of("incompatible volumeMode");
        }
        if (!accessModesContained(claim, volume)) {
            return Optional.of("incompatible accessMode");
        }
        return Optional.empty();
    }

    /** Every mode the claim asks is one the volume offers. */
    public static boolean accessModesContained(PersistentVolumeClaim claim, PersistentVolume volume) {
        List<String> offered = Objects.requireNonNullElse(volume.getSpec().getAccessModes(), List.of());
        return offered.containsAll(Objects.requireNonNullElse(claim.getSpec().getAccessModes(), List.of()));
    }

    /** A volume without node affinity is reachable from every node; else one of its required terms must match. */
    public static boolean fitsNode(PersistentVolume volume, Node node) {
        var affinity = volume.getSpec().getNodeAffinity();
        if (affinity == null || affinity.getRequired() == null) {
            return true;
        }
        List<NodeSelectorTerm> terms = Objects.requireNonNullElse(affinity.getRequired().getNodeSelectorTerms(), List.of());
        return terms.stream().anyMatch(t -> NodeAffinities.termMatches(t, node));
    }

    /** Filesystem unless Block, as the gateway defaults both kinds. */
    private static String volumeMode(PersistentVolumeClaim claim) {
        return Objects.requireNonNullElse(claim.getSpec().getVolumeMode(), "Filesystem");
    }

    private static String volumeMode(PersistentVolume volume) {
        return Objects.requireNonNullElse(volume.getSpec().getVolumeMode(), "Filesystem");
    }

    public static Map<String, String> annotations(Map<String, String> map) {
        return map == null ? Map.of() : map;
    }
}

package io.kubus.gateway.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.store.WriteOutcome;
import io.micronaut.core.annotation.Nullable;

import java.time.temporal.ChronoUnit;

/**
 * The generic delete of kube-apiserver's registry store (store.go Delete, BeforeDelete): at once, after a grace period
 * the kind's strategy grants, or marked with a deletionTimestamp until its finalizers let it go; and the garbage
 * collector's finalizer for the propagation policy.
 */
public final class Deletions {
    /** The garbage collector's finalizers (metav1.FinalizerOrphanDependents, FinalizerDeleteDependents). */
    public static final String ORPHAN_FINALIZER = "orphan";
    public static final String FOREGROUND_FINALIZER = "foregroundDeletion";

    private Deletions() {
    }

    /** How {@code strategy}'s kind goes when its own {@link Strategy#deletion()} does not say otherwise. */
    public static WriteOutcome delete(Strategy strategy, ObjectNode current, DeleteIntent intent) {
        Deletion own = strategy.deletion();
        return own != null ? own.delete(current, intent) : generic(strategy, current, intent);
    }

    /** The generic delete itself, for a kind's own {@link Deletion} that only adds a rule in front of it. */
    public static WriteOutcome generic(Strategy strategy, ObjectNode current, DeleteIntent intent) {
        ObjectNode next = current.deepCopy();
        ObjectNode meta = JsonTree.obj(next, "metadata");
        boolean terminating = meta.hasNonNull("deletionTimestamp");
        long grace = strategy.gracePeriodSeconds(next, intent.gracePeriodSeconds());
        if (grace > 0) {
            long currentGrace = meta.path("deletionGracePeriodSeconds").asLong(Long.MAX_VALUE);
            if (terminating && grace >= currentGrace) {
                return WriteOutcome.keep();
            }
            // a graceful delete is a deadline for whoever stops the object (a kubelet), shortened by a later delete
            meta.put("deletionTimestamp", intent.now().plusSeconds(grace).truncatedTo(ChronoUnit.SECONDS).toString());
            meta.put("deletionGracePeriodSeconds", grace);
            return WriteOutcome.put(next);
        }
        if (!terminating) {
            setGcFinalizers(meta, intent.propagationPolicy(), strategy.defaultGarbageCollectionPolicy());
        }
        if (JsonTree.isEmpty(meta.path("finalizers"))) {
            return WriteOutcome.remove();
        }
        if (terminating && meta.path("deletionGracePeriodSeconds").asLong(0) == 0) {
            return WriteOutcome.keep();
        }
        if (!terminating) {
            meta.put("deletionTimestamp", intent.now().truncatedTo(ChronoUnit.SECONDS).toString());
        }
        meta.put("deletionGracePeriodSeconds", 0);
        return WriteOutcome.put(next);
    }

    /**
     * Leaves the garbage collector the finalizer of the deletion's propagation policy (kube-apiserver's
     * deletionFinalizersForGarbageCollection): {@code orphan} for Orphan, {@code foregroundDeletion} for Foreground,
     * neither for Background; the collector orphans or deletes the dependents, then removes it. With no policy named,
     * a GC finalizer the object already carries stands, else the kind's default applies.
     */
    public static void setGcFinalizers(ObjectNode meta, @Nullable String policy, String kindDefault) {
        JsonNode present = meta.path("finalizers");
        if (policy == null) {
            if (JsonTree.contains(present, ORPHAN_FINALIZER) || JsonTree.contains(present, FOREGROUND_FINALIZER)) {
                return;
            }
            policy = kindDefault;
        }
        String wanted = switch (policy) {
            case "Orphan" -> ORPHAN_FINALIZER;
            case "Foreground" -> FOREGROUND_FINALIZER;
            default -> null;
        };
        ArrayNode finalizers = JsonTree.F.arrayNode();
        for (JsonNode f : present) {
            if (!f.asText().equals(ORPHAN_FINALIZER) && !f.asText().equals(FOREGROUND_FINALIZER)) {
                finalizers.add(f);
            }
        }
        if (wanted != null) {
            finalizers.add(wanted);
        }
        if (finalizers.isEmpty()) {
            meta.remove("finalizers");
        } else {
            meta.set("finalizers", finalizers);
        }
    }
}

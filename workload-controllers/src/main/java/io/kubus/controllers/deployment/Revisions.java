package io.kubus.controllers.deployment;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The annotations a deployment keeps on its ReplicaSets and on itself: the revision (the rollout sequence that
 * {@code kubectl rollout history/undo} reads), the revision history of a ReplicaSet brought back by a rollback, the
 * desired and maximum replicas (which tell scaling events from rollouts and drive proportional scaling), and the
 * deployment's own annotations (e.g. {@code kubernetes.io/change-cause}) copied to its new ReplicaSet.
 */
public final class Revisions {
    public static final String REVISION = "deployment.kubernetes.io/revision";
    public static final String REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
    public static final String DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas";
    public static final String MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";
    /** Kubernetes caps the revision history annotation at about 100 revisions. */
    static final int MAX_HISTORY_CHARS = 2000;

    /** Deployment annotations that are not copied to ReplicaSets (and that a rollback does not copy back). */
    static final Set<String> NOT_COPIED = Set.of("kubectl.kubernetes.io/last-applied-configuration", REVISION,
            REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, "deprecated.deployment.rollback.to");

    private Revisions() {
    }

    /** A ReplicaSet's revision; 0 when it has none or an unreadable one. */
    public static long of(ReplicaSet rs) {
        String v = ReplicaSets.annotation(rs, REVISION);
        if (v == null) {
            return 0;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The highest revision among the ReplicaSets: a new template gets this plus one. */
    public static long max(Collection<ReplicaSet> rss) {
        return rss.stream().mapToLong(Revisions::of).max().orElse(0);
    }

    /**
     * Brings the annotations of the deployment's new ReplicaSet up to date, in place: copies the deployment's own
     * annotations, moves the revision forward to {@code newRevision} if it is behind (a rollback to this ReplicaSet's
     * template: its former revision joins the history), and for a ReplicaSet about to be created sets the replicas
     * annotations. Returns whether anything changed.
     */
    public static boolean setNewReplicaSetAnnotations(Deployment d, ReplicaSet rs, long newRevision, boolean exists) {
        Map<String, String> a = annotations(rs);
        boolean changed = copyDeploymentAnnotations(d, a);
        String oldText = a.get(REVISION);
        long old;
        try {
            old = oldText == null ? 0 : Long.parseLong(oldText);
        } catch (NumberFormatException e) {
            return changed; // an unreadable revision is left alone, as Kubernetes does
        }
        if (old < newRevision) {
            a.put(REVISION, Long.toString(newRevision));
            changed = true;
            if (oldText != null) {
                appendHistory(a, oldText);
            }
        }
        if (!exists && setReplicasAnnotations(rs, DeploymentSpecs.replicas(d), maxReplicas(d))) {
            changed = true;
        }
        return changed;
    }

    private static void appendHistory(Map<String, String> a, String oldRevision) {
        String history = a.get(REVISION_HISTORY);
        if (history == null || history.isEmpty()) {
            a.put(REVISION_HISTORY, oldRevision);
            return;
        }
        List<String> revisions = new ArrayList<>(Arrays.asList(history.split(",")));
        int length = history.length() + oldRevision.length() + 1;
        while (length > MAX_HISTORY_CHARS && !revisions.isEmpty()) {
            length -= revisions.removeFirst().length() + 1;
        }
        if (length <= MAX_HISTORY_CHARS) {
            revisions.add(oldRevision);
            a.put(REVISION_HISTORY, String.join(",", revisions));
        }
    }

    /** Adds or changes (never removes) the deployment's copyable annotations on the ReplicaSet's. */
    private static boolean copyDeploymentAnnotations(Deployment d, Map<String, String> rsAnnotations) {
        Map<String, String> from = d.getMetadata().getAnnotations();
        if (from == null) {
            return false;
        }
        boolean changed = false;
        for (Map.Entry<String, String> e : from.entrySet()) {
            if (!NOT_COPIED.contains(e.getKey()) && (!rsAnnotations.containsKey(e.getKey())
                    || !Objects.equals(e.getValue(), rsAnnotations.get(e.getKey())))) {
                rsAnnotations.put(e.getKey(), e.getValue());
                changed = true;
            }
        }
        return changed;
    }

    /** Sets desired-replicas and max-replicas, in place; whether they changed. */
    public static boolean setReplicasAnnotations(ReplicaSet rs, int desired, int max) {
        if (!replicasAnnotationsNeedUpdate(rs, desired, max)) {
            return false;
        }
        Map<String, String> a = annotations(rs);
        a.put(DESIRED_REPLICAS, Integer.toString(desired));
        a.put(MAX_REPLICAS, Integer.toString(max));
        return true;
    }

    /** What a ReplicaSet's max-replicas annotation records: replicas + maxSurge. */
    public static int maxReplicas(Deployment d) {
        return DeploymentSpecs.replicas(d) + Fenceposts.of(d).maxSurge();
    }

    public static boolean replicasAnnotationsNeedUpdate(ReplicaSet rs, int desired, int max) {
        return !Integer.toString(desired).equals(ReplicaSets.annotation(rs, DESIRED_REPLICAS))
                || !Integer.toString(max).equals(ReplicaSets.annotation(rs, MAX_REPLICAS));
    }

    /** Sets the deployment's revision annotation, in place; whether it changed. */
    public static boolean setDeploymentRevision(Deployment d, String revision) {
        if (revision == null || revision.equals(deploymentRevision(d))) {
            return false;
        }
        if (d.getMetadata().getAnnotations() == null) {
            d.getMetadata().setAnnotations(new HashMap<>());
        }
        d.getMetadata().getAnnotations().put(REVISION, revision);
        return true;
    }

    public static String deploymentRevision(Deployment d) {
        Map<String, String> a = d.getMetadata().getAnnotations();
        return a == null ? null : a.get(REVISION);
    }

    private static Map<String, String> annotations(ReplicaSet rs) {
        if (rs.getMetadata().getAnnotations() == null) {
            rs.getMetadata().setAnnotations(new HashMap<>());
        }
        return rs.getMetadata().getAnnotations();
    }
}

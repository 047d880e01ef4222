package io.kubus.controllers.deployment;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;

/** Null-safe reads of a Deployment's spec, with the API's defaults where a field is unset. */
final class DeploymentSpecs {
    static final String ROLLING_UPDATE = "RollingUpdate";
    static final String RECREATE = "Recreate";

    private DeploymentSpecs() {
    }

    static int replicas(Deployment d) {
        Integer r = d.getSpec().getReplicas();
        return r == null ? 1 : r;
    }

    static String strategy(Deployment d) {
        DeploymentStrategy s = d.getSpec().getStrategy();
        return s == null || s.getType() == null ? ROLLING_UPDATE : s.getType();
    }

    static boolean isRollingUpdate(Deployment d) {
        return ROLLING_UPDATE.equals(strategy(d));
    }

    static boolean isPaused(Deployment d) {
        return Boolean.TRUE.equals(d.getSpec().getPaused());
    }

    static int minReadySeconds(Deployment d) {
        Integer m = d.getSpec().getMinReadySeconds();
        return m == null ? 0 : m;
    }

    /** Whether the deployment reports ProgressDeadlineExceeded: a deadline is set and is not "never" (MaxInt32). */
    static boolean hasProgressDeadline(Deployment d) {
        Integer p = d.getSpec().getProgressDeadlineSeconds();
        return p != null && p != Integer.MAX_VALUE;
    }

    static int progressDeadlineSeconds(Deployment d) {
        return d.getSpec().getProgressDeadlineSeconds();
    }

    /** Whether old ReplicaSets are pruned: a limit is set and is not "keep all" (MaxInt32). */
    static boolean hasRevisionHistoryLimit(Deployment d) {
        Integer l = d.getSpec().getRevisionHistoryLimit();
        return l != null && l != Integer.MAX_VALUE;
    }

    static long generation(Deployment d) {
        Long g = d.getMetadata().getGeneration();
        return g == null ? 0 : g;
    }
}

package io.kubus.controllers.deployment;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDeployment;

/**
 * A rolling update's bounds in pods, as Kubernetes resolves {@code maxSurge} and {@code maxUnavailable}: a percentage
 * of the desired replicas is rounded up for the surge and down for unavailability; when both come to zero,
 * unavailability becomes 1 so that the rollout can move at all.
 */
public record Fenceposts(int maxSurge, int maxUnavailable) {
    static final Fenceposts NONE = new Fenceposts(0, 0);

    /**
     * The fenceposts of a deployment: zero for Recreate; for RollingUpdate with no replicas, no unavailability
     * (there is nothing to keep available); maxUnavailable never exceeds the replicas.
     */
    public static Fenceposts of(Deployment d) {
        if (!DeploymentSpecs.isRollingUpdate(d)) {
            return NONE;
        }
        int replicas = DeploymentSpecs.replicas(d);
        RollingUpdateDeployment ru = d.getSpec().getStrategy().getRollingUpdate();
        Fenceposts resolved = resolve(ru == null ? null : ru.getMaxSurge(), ru == null ? null : ru.getMaxUnavailable(),
                replicas);
        int unavailable = replicas == 0 ? 0 : Math.min(resolved.maxUnavailable(), replicas);
        return new Fenceposts(resolved.maxSurge(), unavailable);
    }

    /** Both bounds for {@code desired} replicas; an unset bound counts as 0 (the gateway defaults both to 25%). */
    public static Fenceposts resolve(IntOrString maxSurge, IntOrString maxUnavailable, int desired) {
        int surge = scaled(maxSurge, desired, true);
        int unavailable = scaled(maxUnavailable, desired, false);
        if (surge == 0 && unavailable == 0) {
            // Validation refuses two explicit zeros, but a percentage can round down to 0: surge might be
            // impossible (quota), so allow one unavailable pod rather than a rollout that never moves.
            unavailable = 1;
        }
        return new Fenceposts(surge, unavailable);
    }

    /** An int as is; {@code "N%"} of {@code total}, rounded up or down. */
    public static int scaled(IntOrString value, int total, boolean roundUp) {
        if (value == null) {
            return 0;
        }
        if (value.getIntVal() != null) {
            return value.getIntVal();
        }
        String s = value.getStrVal();
        if (s == null || !s.endsWith("%")) {
            throw new IllegalArgumentException("invalid value for IntOrString: invalid type: string is not a percentage");
        }
        long percent;
        try {
            percent = Long.parseLong(s.substring(0, s.length() - 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid value \"" + s + "\": " + e.getMessage());
        }
        long product = percent * total;
        return (int) (roundUp ? Math.ceilDiv(product, 100) : Math.floorDiv(product, 100));
    }
}

package io.kubus.schema.selector;

import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Which tolerations tolerate which taints (Kubernetes' Toleration.ToleratesTaint): one rule shared by the scheduler,
 * which keeps pods off tainted nodes, and the taint eviction, which takes them off.
 */
public final class Tolerations {
    private Tolerations() {
    }

    /**
     * An empty effect matches every effect, an empty key (with {@code Exists}) every key; {@code Equal}, the default
     * operator, also compares the value.
     */
    public static boolean tolerates(Toleration toleration, Taint taint) {
        String effect = Objects.requireNonNullElse(toleration.getEffect(), "");
        if (!effect.isEmpty() && !effect.equals(taint.getEffect())) {
            return false;
        }
        String key = Objects.requireNonNullElse(toleration.getKey(), "");
        if (!key.isEmpty() && !key.equals(taint.getKey())) {
            return false;
        }
        return switch (Objects.requireNonNullElse(toleration.getOperator(), "")) {
            case "Exists" -> true;
            case "Equal", "" -> Objects.requireNonNullElse(toleration.getValue(), "")
                    .equals(Objects.requireNonNullElse(taint.getValue(), ""));
            default -> false;
        };
    }

    /**
     * The first toleration, in the pod's order, that tolerates the taint: the one whose {@code tolerationSeconds}
     * count for it, as Kubernetes' GetMatchingTolerations picks it.
     */
    public static Optional<Toleration> firstTolerating(List<Toleration> tolerations, Taint taint) {
        if (tolerations == null) {
            return Optional.empty();
        }
        for (Toleration t : tolerations) {
            if (tolerates(t, taint)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}

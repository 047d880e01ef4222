package io.kubus.controllers.namespace;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceCondition;
import io.fabric8.kubernetes.api.model.NamespaceConditionBuilder;
import io.fabric8.kubernetes.api.model.NamespaceStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.schema.ResourceType;

import io.kubus.schema.pod.PodPhases;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What one pass over a terminating namespace left in it, and the status conditions that tell the user, with the
 * reasons and messages of Kubernetes' namespace deleter (status_condition_utils.go), so that {@code kubectl describe
 * ns} reads the same.
 */
final class NamespaceContent {
    /** Kubernetes' finalizerEstimateSeconds: the wait assumed for an object held by a finalizer. */
    static final long FINALIZER_ESTIMATE_SECONDS = 15;

    private static final List<String[]> CONDITIONS = List.of(
            new String[] {"NamespaceDeletionDiscoveryFailure", "ResourcesDiscovered", "All resources successfully discovered"},
            new String[] {"NamespaceDeletionGVParsingFailure", "ParsedGroupVersions", "All legacy kube types successfully parsed"},
            new String[] {"NamespaceDeletionContentFailure", "ContentDeleted", "All content successfully deleted, may be waiting on finalization"},
            new String[] {"NamespaceContentRemaining", "ContentRemoved", "All content successfully removed"},
            new String[] {"NamespaceFinalizersRemaining", "ContentRemoved", "All content successfully removed"});

    private final Map<String, Integer> remainingByResource = new TreeMap<>();
    private final Map<String, Integer> remainingByFinalizer = new TreeMap<>();
    private final List<String> errors = new ArrayList<>();
    private long estimateSeconds;

    /** Counts what is still there of one kind after its deletes; pods add their grace period to the estimate. */
    void remaining(ResourceType type, List<? extends HasMetadata> items) {
        for (HasMetadata item : items) {
            // Kubernetes names a resource with its group, "pods." for the core group.
            remainingByResource.merge(type.plural() + "." + type.group(), 1, Integer::sum);
            List<String> finalizers = item.getMetadata().getFinalizers();
            if (finalizers != null && !finalizers.isEmpty()) {
                finalizers.forEach(f -> remainingByFinalizer.merge(f, 1, Integer::sum));
                estimateSeconds = Math.max(estimateSeconds, FINALIZER_ESTIMATE_SECONDS);
            }
            if (item instanceof Pod pod && !PodPhases.isTerminal(pod) && pod.getSpec().getTerminationGracePeriodSeconds() != null) {
                estimateSeconds = Math.max(estimateSeconds, pod.getSpec().getTerminationGracePeriodSeconds());
            }
        }
    }

    void failed(ResourceType type, String error) {
        errors.add(type.qualifiedPlural() + ": " + error);
    }

    boolean isEmpty() {
        return remainingByResource.isEmpty();
    }

    boolean hasErrors() {
        return !errors.isEmpty();
    }

    List<String> errors() {
        return List.copyOf(errors);
    }

    /** Kubernetes requeues after half the estimate, plus a second. */
    long recheckSeconds() {
        return estimateSeconds / 2 + 1;
    }

    /**
     * Sets the deleter's five conditions on {@code status}: True with the reason while something is wrong or left,
     * False with the "ok" reason otherwise; a condition's lastTransitionTime moves only when its status does.
     * Returns whether anything changed.
     */
    boolean applyTo(NamespaceStatus status, String now) {
        List<NamespaceCondition> conditions = status.getConditions() == null ? new ArrayList<>()
                : new ArrayList<>(status.getConditions());
        boolean changed = false;
        for (String[] c : CONDITIONS) {
            NamespaceCondition wanted = problem(c[0]);
            if (wanted == null) {
                wanted = condition(c[0], "False", c[1], c[2]);
            }
            NamespaceCondition old = conditions.stream().filter(x -> c[0].equals(x.getType())).findFirst().orElse(null);
            if (old == null) {
                wanted.setLastTransitionTime(now);
                conditions.add(wanted);
                changed = true;
            } else if (!Objects.equals(old.getStatus(), wanted.getStatus()) || !Objects.equals(old.getReason(), wanted.getReason())
                    || !Objects.equals(old.getMessage(), wanted.getMessage())) {
                if (!Objects.equals(old.getStatus(), wanted.getStatus())) {
                    old.setLastTransitionTime(now);
                }
                old.setStatus(wanted.getStatus());
                old.setReason(wanted.getReason());
                old.setMessage(wanted.getMessage());
                changed = true;
            }
        }
        status.setConditions(conditions);
        return changed;
    }

    private NamespaceCondition problem(String type) {
        return switch (type) {
            case "NamespaceDeletionContentFailure" -> errors.isEmpty() ? null : condition(type, "True",
                    "ContentDeletionFailed", "Failed to delete all resource types, " + errors.size() + " remaining: "
                            + String.join(", ", errors.stream().sorted().toList()));
            case "NamespaceContentRemaining" -> remainingByResource.isEmpty() ? null : condition(type, "True",
                    "SomeResourcesRemain", "Some resources are remaining: " + join(remainingByResource, " has %d resource instances"));
            case "NamespaceFinalizersRemaining" -> remainingByFinalizer.isEmpty() ? null : condition(type, "True",
                    "SomeFinalizerRemain", "Some finalizers are remaining: " + join(remainingByFinalizer, " in %d resource instances"));
            default -> null;
        };
    }

    private static String join(Map<String, Integer> counts, String format) {
        List<String> parts = new ArrayList<>();
        counts.forEach((name, n) -> parts.add(name + format.formatted(n)));
        return String.join(", ", parts);
    }

    private static NamespaceCondition condition(String type, String status, String reason, String message) {
        return new NamespaceConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .build();
    }

}

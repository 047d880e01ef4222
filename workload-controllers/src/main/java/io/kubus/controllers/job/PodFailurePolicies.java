package io.kubus.controllers.job;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicy;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyOnExitCodesRequirement;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyOnPodConditionsPattern;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRule;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A Job's {@code podFailurePolicy} applied to one failed pod (Kubernetes' matchPodFailurePolicy): the first rule
 * whose exit codes or pod conditions match decides. FailJob ends the Job with a message naming the rule; Ignore does
 * not count the failure against backoffLimit; FailIndex fails the pod's index; Count, or no matching rule, counts it.
 */
final class PodFailurePolicies {
    enum Action { FAIL_JOB, IGNORE, FAIL_INDEX, COUNT }

    /** The decision for a pod: the action taken and, for FailJob, the Job's failure message. */
    record Match(Action action, String failJobMessage) {
        boolean counted() {
            return action != Action.IGNORE;
        }
    }

    private static final Match NO_RULE = new Match(Action.COUNT, null);

    private PodFailurePolicies() {
    }

    static Match match(PodFailurePolicy policy, Pod pod) {
        if (policy == null || policy.getRules() == null) {
            return NO_RULE;
        }
        List<PodFailurePolicyRule> rules = policy.getRules();
        for (int i = 0; i < rules.size(); i++) {
            PodFailurePolicyRule rule = rules.get(i);
            Action action = action(rule.getAction());
            if (rule.getOnExitCodes() != null) {
                ContainerStatus failed = matchingContainer(pod, rule.getOnExitCodes());
                if (failed != null) {
                    return new Match(action, action != Action.FAIL_JOB ? null : String.format(
                            "Container %s for pod %s/%s failed with exit code %d matching %s rule at index %d",
                            failed.getName(), pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                            failed.getState().getTerminated().getExitCode(), rule.getAction(), i));
                }
            } else if (rule.getOnPodConditions() != null) {
                PodCondition condition = matchingCondition(pod, rule.getOnPodConditions());
                if (condition != null) {
                    return new Match(action, action != Action.FAIL_JOB ? null : String.format(
                            "Pod %s/%s has condition %s matching %s rule at index %d",
                            pod.getMetadata().getNamespace(), pod.getMetadata().getName(), condition.getType(),
                            rule.getAction(), i));
                }
            }
        }
        return NO_RULE;
    }

    private static Action action(String action) {
        return switch (Objects.requireNonNullElse(action, "Count")) {
            case "FailJob" -> Action.FAIL_JOB;
            case "Ignore" -> Action.IGNORE;
            case "FailIndex" -> Action.FAIL_INDEX;
            default -> Action.COUNT;
        };
    }

    /** The first container (app containers, then init containers) that ended non-zero with a matching code. */
    private static ContainerStatus matchingContainer(Pod pod, PodFailurePolicyOnExitCodesRequirement req) {
        List<ContainerStatus> statuses = new ArrayList<>();
        if (pod.getStatus() != null) {
            statuses.addAll(Objects.requireNonNullElse(pod.getStatus().getContainerStatuses(), List.of()));
            statuses.addAll(Objects.requireNonNullElse(pod.getStatus().getInitContainerStatuses(), List.of()));
        }
        for (ContainerStatus s : statuses) {
            if (req.getContainerName() != null && !req.getContainerName().equals(s.getName())) {
                continue;
            }
            if (s.getState() == null || s.getState().getTerminated() == null) {
                continue;
            }
            int code = s.getState().getTerminated().getExitCode();
            if (code == 0) {
                continue;
            }
            boolean listed = Objects.requireNonNullElse(req.getValues(), List.<Integer>of()).contains(code);
            if ("In".equals(req.getOperator()) == listed) {
                return s;
            }
        }
        return null;
    }

    private static PodCondition matchingCondition(Pod pod, List<PodFailurePolicyOnPodConditionsPattern> patterns) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return null;
        }
        for (PodFailurePolicyOnPodConditionsPattern p : patterns) {
            String status = Objects.requireNonNullElse(p.getStatus(), "True");
            for (PodCondition c : pod.getStatus().getConditions()) {
                if (Objects.equals(p.getType(), c.getType()) && status.equals(c.getStatus())) {
                    return c;
                }
            }
        }
        return null;
    }
}

package io.kubus.controllers.job;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicy;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyBuilder;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PodFailurePoliciesTest {
    private static Pod failed(String container, int exitCode, String conditionType) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName("p").withNamespace("ns").endMetadata()
                .withNewStatus().withPhase("Failed")
                .addNewContainerStatus().withName(container).withNewState().withNewTerminated().withExitCode(exitCode)
                .endTerminated().endState().endContainerStatus()
                .endStatus();
        if (conditionType != null) {
            b.editStatus().addNewCondition().withType(conditionType).withStatus("True").endCondition().endStatus();
        }
        return b.build();
    }

    private static final PodFailurePolicy POLICY = new PodFailurePolicyBuilder()
            .addNewRule().withAction("Ignore").addNewOnPodCondition().withType("DisruptionTarget").endOnPodCondition().endRule()
            .addNewRule().withAction("FailJob").withNewOnExitCodes().withContainerName("main").withOperator("In")
            .withValues(42, 43).endOnExitCodes().endRule()
            .addNewRule().withAction("Count").withNewOnExitCodes().withOperator("NotIn").withValues(1).endOnExitCodes().endRule()
            .build();

    @Test
    void theFirstMatchingRuleDecides() {
        PodFailurePolicies.Match evicted = PodFailurePolicies.match(POLICY, failed("main", 42, "DisruptionTarget"));
        assertEquals(PodFailurePolicies.Action.IGNORE, evicted.action());
        assertFalse(evicted.counted());

        PodFailurePolicies.Match fatal = PodFailurePolicies.match(POLICY, failed("main", 42, null));
        assertEquals(PodFailurePolicies.Action.FAIL_JOB, fatal.action());
        assertEquals("Container main for pod ns/p failed with exit code 42 matching FailJob rule at index 1",
                fatal.failJobMessage());

        assertEquals(PodFailurePolicies.Action.COUNT, PodFailurePolicies.match(POLICY, failed("side", 42, null)).action(),
                "the FailJob rule names another container; NotIn [1] matches 42");
        PodFailurePolicies.Match none = PodFailurePolicies.match(POLICY, failed("side", 1, null));
        assertTrue(none.counted(), "no rule matched: counted");
        assertNull(none.failJobMessage());
    }

    @Test
    void exitCodeZeroNeverMatchesAndNoPolicyCounts() {
        PodFailurePolicy notInOne = new PodFailurePolicyBuilder().addNewRule().withAction("Ignore").withNewOnExitCodes()
                .withOperator("NotIn").withValues(1).endOnExitCodes().endRule().build();
        assertTrue(PodFailurePolicies.match(notInOne, failed("main", 0, null)).counted());
        assertTrue(PodFailurePolicies.match(null, failed("main", 3, null)).counted());
    }
}

package io.kubus.gateway.admission.podsecurity;

import io.kubus.schema.KubusJson;
import io.kubus.schema.validation.FieldProblem;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How a namespace's labels become its policy (kube's api.PolicyToEvaluate), and what is wrong with bad ones. */
class NamespacePolicyTest {
    private static final LevelVersion PRIVILEGED = new LevelVersion(Level.PRIVILEGED, PolicyVersion.latest());
    private static final NamespacePolicy DEFAULTS = new NamespacePolicy(PRIVILEGED, PRIVILEGED, PRIVILEGED);

    @Test
    void noLabelsTakeTheDefaults() {
        assertEquals(DEFAULTS, resolve("{}").policy());
        assertEquals(DEFAULTS, resolve("{\"app\":\"web\"}").policy());
    }

    @Test
    void warnFollowsAStricterEnforceUnlessItHasALabel() {
        assertEquals("baseline:v1.30", resolve("{\"pod-security.kubernetes.io/enforce\":\"baseline\","
                + "\"pod-security.kubernetes.io/enforce-version\":\"v1.30\"}").policy().warn().toString());
        assertEquals("baseline:latest", resolve("{\"pod-security.kubernetes.io/enforce\":\"baseline\","
                + "\"pod-security.kubernetes.io/enforce-version\":\"v1.30\",\"pod-security.kubernetes.io/warn-version\":\"latest\"}")
                .policy().warn().toString());
        assertEquals("privileged:latest", resolve("{\"pod-security.kubernetes.io/enforce\":\"baseline\","
                + "\"pod-security.kubernetes.io/warn\":\"privileged\"}").policy().warn().toString());
        assertEquals("restricted:latest", resolve("{\"pod-security.kubernetes.io/enforce\":\"baseline\","
                + "\"pod-security.kubernetes.io/warn\":\"restricted\"}").policy().warn().toString());
    }

    @Test
    void badValuesAreNamedAndResolvedAsKubeResolvesThem() {
        NamespacePolicy.Resolved r = resolve("{\"pod-security.kubernetes.io/enforce\":\"strict\","
                + "\"pod-security.kubernetes.io/audit-version\":\"1.30\",\"pod-security.kubernetes.io/warn\":\"loud\"}");
        assertEquals(List.of(
                "metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"strict\": must be one of privileged, baseline, restricted",
                "metadata.labels[pod-security.kubernetes.io/audit-version]: Invalid value: \"1.30\": must be \"latest\" or \"v1.x\"",
                "metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: \"loud\": must be one of privileged, baseline, restricted"),
                r.problems().stream().map(FieldProblem::toString).toList());
        assertEquals("restricted:latest", r.policy().enforce().toString(), "enforce fails closed");
        assertEquals("privileged:latest", r.policy().warn().toString(), "warn fails open");
        assertEquals("privileged:latest", r.policy().audit().toString(), "a bad version is latest");
    }

    private static NamespacePolicy.Resolved resolve(String labels) {
        try {
            return NamespacePolicy.resolve(KubusJson.json().readTree(labels), DEFAULTS);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}

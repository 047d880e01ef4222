package io.kubus.controllers.clusterroleaggregation;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.ClusterFixture;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The clusterrole-aggregation controller against a real gateway with its bootstrap policy: a ClusterRole labelled
 * to aggregate to view joins view's rules (and, through view, edit's), each rule once, and leaves them when deleted.
 */
class ClusterRoleAggregationControllerTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final PolicyRule WIDGETS = new PolicyRuleBuilder().withApiGroups("example.com")
            .withResources("widgets").withVerbs("get", "list", "watch").build();
    /** Also one of system:aggregate-to-view's rules: view must hold it once. */
    private static final PolicyRule NAMESPACES = new PolicyRuleBuilder().withApiGroups("")
            .withResources("namespaces").withVerbs("get", "list", "watch").build();

    @Test
    void aRoleLabelledToAggregateJoinsViewAndEditAndLeavesWhenDeleted() throws Exception {
        try (ClusterFixture cluster = ClusterFixture.start()) {
            cluster.startControllers();
            List<PolicyRule> bootstrapView = rulesOf(cluster, "system:aggregate-to-view");
            Await.until(WAIT, "view to hold system:aggregate-to-view's rules", () -> rulesOf(cluster, "view"),
                    bootstrapView::equals);

            cluster.api().create(ResourceTypes.CLUSTERROLES, new ClusterRoleBuilder()
                    .withNewMetadata().withName("widgets-view")
                    .addToLabels("rbac.authorization.k8s.io/aggregate-to-view", "true").endMetadata()
                    .withRules(WIDGETS, NAMESPACES).build());

            // the picked roles in name order (system:aggregate-to-view, then widgets-view), each rule once
            List<PolicyRule> expected = new ArrayList<>(bootstrapView);
            expected.add(WIDGETS);
            Await.until(WAIT, "view to gather widgets-view's rule", () -> rulesOf(cluster, "view"), expected::equals);
            Await.until(WAIT, "edit to gather it through view", () -> rulesOf(cluster, "edit"),
                    rules -> rules.contains(WIDGETS));
            assertEquals(1, rulesOf(cluster, "view").stream().filter(NAMESPACES::equals).count());

            cluster.api().delete(ResourceTypes.CLUSTERROLES, null, "widgets-view", null, null);
            Await.until(WAIT, "view to drop widgets-view's rule", () -> rulesOf(cluster, "view"), bootstrapView::equals);
            Await.until(WAIT, "edit to drop it too", () -> rulesOf(cluster, "edit"), rules -> !rules.contains(WIDGETS));
        }
    }

    private static List<PolicyRule> rulesOf(ClusterFixture cluster, String name) {
        return cluster.api().get(ResourceTypes.CLUSTERROLES, null, name, ClusterRole.class).orElseThrow().getRules();
    }
}

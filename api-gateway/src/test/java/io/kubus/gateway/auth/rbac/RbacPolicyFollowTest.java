package io.kubus.gateway.auth.rbac;

import io.kubus.gateway.auth.Authorizer.Decision;
import io.kubus.gateway.auth.RequestAttributes;
import io.kubus.gateway.auth.UserInfo;
import io.kubus.gateway.testing.GatewayFixture;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real gateway's authorizer follows what is written through its API: a RoleBinding created over HTTP allows
 * within a bounded wait, and stops allowing once deleted. The loaded bootstrap policy answers from the start.
 */
class RbacPolicyFollowTest {
    private static final Duration BOUND = Duration.ofSeconds(5);

    @Test
    void aBindingWrittenThroughTheApiTakesEffectAndItsDeletionEndsIt() {
        try (GatewayFixture gw = GatewayFixture.start()) {
            RbacAuthorizer rbac = gw.context().getBean(RbacAuthorizer.class);
            UserInfo carol = RbacAuthorizerTest.user("carol");
            RequestAttributes listPods = RequestAttributes.resource(carol, "list", "", "v1", "pods", "", "default", "");

            // a ready gateway holds the bootstrap policy: system:masters may do anything, a plain user may discover
            UserInfo master = new UserInfo("root", "", List.of(UserInfo.MASTERS), Map.of());
            assertTrue(rbac.authorize(RequestAttributes.resource(master, "delete", "apps", "v1", "deployments", "",
                    "x", "y")).allowed());
            assertTrue(rbac.authorize(RequestAttributes.nonResource(carol, "get", "/apis/apps/v1")).allowed());
            assertEquals(Decision.Kind.NO_OPINION, rbac.authorize(listPods).kind());

            assertEquals(201, gw.request("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
                    "application/json", """
                    {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding",
                     "metadata":{"name":"carol-views"},
                     "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"system:aggregate-to-view"},
                     "subjects":[{"kind":"User","name":"carol"}]}""").status());
            long took = await(() -> rbac.authorize(listPods), Decision::allowed, "the new RoleBinding");
            System.out.printf("RBAC: a RoleBinding created through the API allowed after %d ms%n", took);
            assertEquals("RBAC: allowed by RoleBinding \"carol-views/default\" of ClusterRole "
                    + "\"system:aggregate-to-view\" to User \"carol\"", rbac.authorize(listPods).reason());
            assertEquals(Decision.Kind.NO_OPINION, rbac.authorize(RequestAttributes.resource(carol, "list", "", "v1",
                    "pods", "", "kube-system", "")).kind(), "only in the binding's namespace");

            assertEquals(200, gw.request("DELETE",
                    "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings/carol-views", null, null).status());
            took = await(() -> rbac.authorize(listPods), d -> !d.allowed(), "the deleted RoleBinding to stop");
            System.out.printf("RBAC: a RoleBinding deleted through the API stopped allowing after %d ms%n", took);
        }
    }

    /** Polls until the decision satisfies the predicate, within {@link #BOUND}; returns the milliseconds it took. */
    private static long await(Supplier<Decision> decide, Predicate<Decision> done, String what) {
        long start = System.nanoTime();
        long deadline = start + BOUND.toNanos();
        while (!done.test(decide.get())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + BOUND + " for " + what + "; last: " + decide.get());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        return (System.nanoTime() - start) / 1_000_000;
    }
}

package io.kubus.controllers.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.SimulatedCluster;
import io.kubus.gateway.testing.Kubectl;
import io.kubus.schema.KubusJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real application's manifests (examples/shop.yaml: identity and rights, a Deployment behind a Service and an
 * Ingress, a network policy, a disruption budget, an autoscaler, a priority class, the namespace's quota and default
 * limits) applied with the installed kubectl to a whole cluster on simulated nodes: every object is created, lists,
 * describes and deletes, and the pods the Deployment makes get the priority, the LimitRange's defaults and the
 * quota's charge.
 */
class ApplicationBundleTest {
    @RegisterExtension
    static final SimulatedCluster cluster = new SimulatedCluster("shop-node", 2);

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Path BUNDLE = Path.of("..", "examples", "shop.yaml").toAbsolutePath().normalize();
    /** What the bundle holds, as kubectl names what it created. */
    private static final List<String> OBJECTS = List.of(
            "namespace/shop",
            "priorityclass.scheduling.k8s.io/shop-critical",
            "resourcequota/shop-quota",
            "limitrange/shop-limits",
            "serviceaccount/shop-web",
            "role.rbac.authorization.k8s.io/config-reader",
            "rolebinding.rbac.authorization.k8s.io/shop-web-reads-config",
            "clusterrole.rbac.authorization.k8s.io/shop-node-reader",
            "clusterrolebinding.rbac.authorization.k8s.io/shop-web-reads-nodes",
            "configmap/shop-config",
            "deployment.apps/web",
            "service/web",
            "ingressclass.networking.k8s.io/shop-nginx",
            "ingress.networking.k8s.io/web",
            "networkpolicy.networking.k8s.io/web-from-anywhere-on-8080",
            "poddisruptionbudget.policy/web",
            "horizontalpodautoscaler.autoscaling/web");

    private static Kubectl kubectl() {
        return cluster.kubectl();
    }

    @Test
    void theBundleAppliesListsDescribesAndDeletes() throws Exception {
        String applied = kubectl().run("apply", "-f", BUNDLE.toString()).ok().out();
        assertEquals(OBJECTS.stream().map(o -> o + " created").toList(), applied.lines().toList());
        String again = kubectl().run("apply", "-f", BUNDLE.toString()).ok().out();
        assertTrue(again.lines().allMatch(l -> l.endsWith(" unchanged") || l.endsWith(" configured")), again);

        for (String object : OBJECTS) {
            String[] kindName = object.split("/");
            List<String> namespace = namespaced(kindName[0]) ? List.of("-n", "shop") : List.of();
            String got = kubectl().run(concat(List.of("get", kindName[0], kindName[1]), namespace)).ok().out();
            assertTrue(got.lines().count() == 2 && got.lines().skip(1).findFirst().orElseThrow().startsWith(kindName[1] + " "),
                    object + ":\n" + got);
            String described = kubectl().run(concat(List.of("describe", kindName[0], kindName[1]), namespace)).ok().out();
            assertTrue(described.startsWith("Name:") && described.contains(kindName[1]), object + ":\n" + described);
        }

        // The pods the Deployment makes: scheduled, with the class's priority, the LimitRange's defaults, charged to
        // the quota, covered by the disruption budget.
        JsonNode pods = Await.until(WAIT, "two running web pods", () -> json(kubectl().run("get", "pods", "-n", "shop",
                "-l", "app=web", "-o", "json").ok().out()), list -> list.path("items").size() == 2
                && list.path("items").valueStream().allMatch(p -> "Running".equals(p.path("status").path("phase").asText())));
        for (JsonNode pod : pods.path("items")) {
            assertEquals(100000, pod.path("spec").path("priority").asInt(), pod.toString());
            JsonNode resources = pod.path("spec").path("containers").path(0).path("resources");
            assertEquals("50m", resources.path("requests").path("cpu").asText(), resources.toString());
            assertEquals("64Mi", resources.path("limits").path("memory").asText(), resources.toString());
        }
        Await.until(WAIT, "the quota's usage", () -> kubectl().run("get", "quota", "shop-quota", "-n", "shop").ok().out(),
                out -> out.contains("pods: 2/10, requests.cpu: 100m/2, requests.memory: 64Mi/1Gi"));
        Await.until(WAIT, "the budget's allowed disruptions", () -> kubectl().run("get", "pdb", "web", "-n", "shop",
                "-o", "jsonpath={.status.disruptionsAllowed}").ok().out(), "1"::equals);

        // Each deletes, the namespace last: deleting it first would let the namespace controller race kubectl for
        // its content.
        for (String object : OBJECTS.reversed()) {
            String[] kindName = object.split("/");
            List<String> namespace = namespaced(kindName[0]) ? List.of("-n", "shop") : List.of();
            assertEquals(kindName[0] + " \"" + kindName[1] + "\" deleted",
                    kubectl().run(concat(List.of("delete", kindName[0], kindName[1]), namespace)).ok().out().trim());
            Kubectl.Result gone = kubectl().run(concat(List.of("get", kindName[0], kindName[1]), namespace));
            assertTrue(gone.exitCode() != 0 && gone.err().contains("NotFound"), object + ": " + gone.out() + gone.err());
        }
    }

    /** The cluster-scoped kinds of the bundle; the rest live in its namespace. */
    private static boolean namespaced(String kind) {
        return !List.of("namespace", "priorityclass.scheduling.k8s.io", "clusterrole.rbac.authorization.k8s.io",
                "clusterrolebinding.rbac.authorization.k8s.io", "ingressclass.networking.k8s.io").contains(kind);
    }

    private static String[] concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toArray(String[]::new);
    }

    private static JsonNode json(String text) {
        try {
            return KubusJson.json().readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.kubus.controllers.disruption;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;
import io.kubus.client.api.PatchKind;
import io.kubus.controllers.common.PodStates;
import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.SimulatedCluster;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The disruption controller on a cluster of simulated nodes: each budget's status as Kubernetes computes it, kept
 * current as pods, scales and budgets change; unmanaged pods, a controller without a scale (fail safe), and the
 * pruning of disruptedPods.
 */
class DisruptionControllerTest {
    @RegisterExtension
    static final SimulatedCluster cluster = new SimulatedCluster("pdb", 2);

    @Test
    void aDeploymentsBudgetFollowsItsPodsItsScaleAndItsSpec() throws Exception {
        cluster.kubectl().run("create", "deployment", "web", "--image=kubus/busybox:1", "--replicas=3").ok();
        cluster.kubectl().run("create", "pdb", "web", "--selector=app=web", "--min-available=2").ok();
        PodDisruptionBudgetStatus s = awaitStatus("web", 1, 3, 3, 2, 1);
        JsonNode condition = condition(s);
        assertEquals("True", condition.path("status").asText());
        assertEquals("SufficientPods", condition.path("reason").asText());
        assertEquals(1, condition.path("observedGeneration").asInt());

        // a percentage counts the Deployment's scale, rounded up: 34% of 3 unavailable is 2, so 1 must stay healthy
        cluster.kubectl().run("patch", "pdb", "web", "--type=merge", "-p",
                "{\"spec\":{\"minAvailable\":null,\"maxUnavailable\":\"34%\"}}").ok();
        awaitStatus("web", 2, 3, 3, 1, 2);
        cluster.kubectl().run("scale", "deployment", "web", "--replicas=5").ok();
        awaitStatus("web", 2, 5, 5, 3, 2);
        // minAvailable 100%: nothing may go
        cluster.kubectl().run("patch", "pdb", "web", "--type=merge", "-p",
                "{\"spec\":{\"maxUnavailable\":null,\"minAvailable\":\"100%\"}}").ok();
        s = awaitStatus("web", 3, 5, 5, 5, 0);
        assertEquals("False", condition(s).path("status").asText());
        assertEquals("InsufficientPods", condition(s).path("reason").asText());
        String printed = cluster.kubectl().run("get", "pdb", "web", "--no-headers").ok().out();
        assertTrue(printed.matches("web\\s+100%\\s+N/A\\s+0\\s+\\S+\\s*"), printed);
    }

    @Test
    void podsWithoutAControllerCountThemselvesOnlyForAnIntegerMinAvailable() throws Exception {
        for (String name : List.of("bare-1", "bare-2")) {
            cluster.kubectl().run("run", name, "--image=kubus/busybox:1", "--labels=app=bare").ok();
        }
        cluster.kubectl().run("create", "pdb", "bare-int", "--selector=app=bare", "--min-available=1").ok();
        awaitStatus("bare-int", 1, 2, 2, 1, 1);
        cluster.kubectl().run("create", "pdb", "bare-pct", "--selector=app=bare", "--max-unavailable=50%").ok();
        awaitStatus("bare-pct", 1, 0, 2, 0, 0);
        Await.until(Duration.ofSeconds(30), "the UnmanagedPods warning", () -> events("bare-pct", "UnmanagedPods"),
                e -> !e.isEmpty());
        assertEquals("Pods selected by this PodDisruptionBudget (selector: &LabelSelector{MatchLabels:map[string]string{"
                        + "app: bare,},MatchExpressions:[]LabelSelectorRequirement{},}) were found to be unmanaged. As a "
                        + "result, the status of the PDB cannot be calculated correctly, which may result in undefined "
                        + "behavior. To account for these pods please set \".spec.minAvailable\" field of the PDB to an "
                        + "integer value.", events("bare-pct", "UnmanagedPods").getFirst().getMessage());
    }

    @Test
    void aControllerWithoutAScaleFailsSafe() throws Exception {
        // a Job's pod (it runs until stopped on a simulated node): its controller has no scale
        cluster.kubectl().run("create", "job", "batch", "--image=kubus/busybox:1", "--", "true").ok();
        Await.until(Duration.ofSeconds(30), "the Job's pod", () -> cluster.api()
                .list(ResourceTypes.PODS, "default", "job-name=batch", null, Pod.class).items(), l -> !l.isEmpty());
        cluster.kubectl().run("create", "pdb", "batch", "--selector=job-name=batch", "--max-unavailable=1").ok();
        PodDisruptionBudget pdb = Await.until(Duration.ofSeconds(30), "the SyncFailed condition", () -> budget("batch"),
                b -> b.getStatus() != null && b.getStatus().getConditions() != null && b.getStatus().getConditions()
                        .stream().anyMatch(c -> "SyncFailed".equals(c.getReason())), b -> String.valueOf(b.getStatus()));
        JsonNode condition = condition(pdb.getStatus());
        assertEquals("False", condition.path("status").asText());
        assertEquals("jobs.batch does not implement the scale subresource", condition.path("message").asText());
        assertEquals(0, pdb.getStatus().getDisruptionsAllowed());
        Await.until(Duration.ofSeconds(30), "the CalculateExpectedPodCountFailed warning",
                () -> events("batch", "CalculateExpectedPodCountFailed"), e -> !e.isEmpty());
        assertEquals("Failed to calculate the number of expected pods: jobs.batch does not implement the scale subresource",
                events("batch", "CalculateExpectedPodCountFailed").getFirst().getMessage());
    }

    @Test
    void disruptedPodsAreCountedAsGoneUntilTheyGoOrTimeOut() throws Exception {
        cluster.kubectl().run("create", "deployment", "api", "--image=kubus/busybox:1", "--replicas=3").ok();
        cluster.kubectl().run("create", "pdb", "api", "--selector=app=api", "--min-available=1").ok();
        awaitStatus("api", 1, 3, 3, 1, 2);
        List<Pod> pods = cluster.api().list(ResourceTypes.PODS, "default", "app=api", null, Pod.class).items().stream()
                .filter(PodStates::isActive).toList();
        String evicted = pods.get(0).getMetadata().getName();
        String stale = pods.get(1).getMetadata().getName();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        // as the eviction subresource records evictions; the stale one is older than DeletionTimeout
        cluster.api().patch(ResourceTypes.PODDISRUPTIONBUDGETS, "default", "api", PatchKind.MERGE,
                KubusJson.json().valueToTree(Map.of("status", Map.of("disruptedPods", Map.of(evicted, now.toString(),
                        stale, now.minus(Duration.ofMinutes(3)).toString(), "gone-long-ago", now.toString())))),
                true, PodDisruptionBudget.class);
        PodDisruptionBudgetStatus s = Await.until(Duration.ofSeconds(30), "disruptedPods pruned",
                () -> budget("api").getStatus(), st -> Map.of(evicted, now.toString()).equals(st.getDisruptedPods())
                        && st.getCurrentHealthy() == 2, String::valueOf);
        assertEquals(1, s.getDisruptionsAllowed(), s.toString());
        Await.until(Duration.ofSeconds(30), "the NotDeleted warning on the stale pod", () -> cluster.api()
                .list(ResourceTypes.EVENTS, "default", null, "involvedObject.name=" + stale, Event.class).items()
                .stream().filter(e -> "NotDeleted".equals(e.getReason())).toList(), e -> !e.isEmpty());
    }

    @Test
    void aPodOfTwoBudgetsIsWarnedAbout() throws Exception {
        cluster.kubectl().run("run", "twice", "--image=kubus/busybox:1", "--labels=app=twice,tier=t").ok();
        cluster.kubectl().run("create", "pdb", "by-app", "--selector=app=twice", "--min-available=1").ok();
        cluster.kubectl().run("create", "pdb", "by-tier", "--selector=tier=t", "--min-available=1").ok();
        awaitStatus("by-tier", 1, 1, 1, 1, 0);
        cluster.kubectl().run("label", "pod", "twice", "touched=yes").ok();
        Event e = Await.until(Duration.ofSeconds(30), "the MultiplePodDisruptionBudgets warning", () -> cluster.api()
                .list(ResourceTypes.EVENTS, "default", null, "involvedObject.name=twice", Event.class).items().stream()
                .filter(ev -> "MultiplePodDisruptionBudgets".equals(ev.getReason())).toList(), l -> !l.isEmpty()).getFirst();
        assertTrue(e.getMessage().startsWith("Pod \"default\"/\"twice\" matches multiple PodDisruptionBudgets.  Chose \"by-"),
                e.getMessage());
    }

    // ---- helpers ----

    private static PodDisruptionBudget budget(String name) {
        return cluster.api().get(ResourceTypes.PODDISRUPTIONBUDGETS, "default", name, PodDisruptionBudget.class)
                .orElseThrow();
    }

    private static PodDisruptionBudgetStatus awaitStatus(String name, long generation, int expected, int currentHealthy,
                                                         int desiredHealthy, int allowed) throws InterruptedException {
        return Await.until(Duration.ofSeconds(60), name + "'s status", () -> budget(name).getStatus(),
                s -> s != null && Objects.equals(s.getObservedGeneration(), generation)
                        && s.getExpectedPods() == expected && s.getCurrentHealthy() == currentHealthy
                        && s.getDesiredHealthy() == desiredHealthy && s.getDisruptionsAllowed() == allowed
                        && condition(s) != null, String::valueOf);
    }

    private static JsonNode condition(PodDisruptionBudgetStatus status) {
        if (status.getConditions() == null) {
            return null;
        }
        return status.getConditions().stream().filter(c -> "DisruptionAllowed".equals(c.getType()))
                .<JsonNode>map(c -> KubusJson.json().valueToTree(c)).findFirst().orElse(null);
    }

    private static List<Event> events(String budget, String reason) {
        return cluster.api().list(ResourceTypes.EVENTS, "default", null, "involvedObject.name=" + budget, Event.class)
                .items().stream().filter(e -> reason.equals(e.getReason())).toList();
    }
}

package io.kubus.controllers.daemon;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The arithmetic of a DaemonSet's rolling update, without a cluster. */
class DaemonRolloutTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:01:00Z");
    private static final String NEW = "new";
    private static final String OLD = "old";

    private static DaemonSet ds(IntOrString maxSurge, IntOrString maxUnavailable) {
        return new DaemonSetBuilder().withNewSpec().withNewUpdateStrategy().withType("RollingUpdate")
                .withNewRollingUpdate().withMaxSurge(maxSurge).withMaxUnavailable(maxUnavailable).endRollingUpdate()
                .endUpdateStrategy().endSpec().build();
    }

    /** A daemon pod of revision {@code hash}, ready since 00:00:00 (a minute before NOW) when {@code available}. */
    private static Pod pod(String name, String hash, boolean available) {
        return pod(name, hash, available, "2026-01-01T00:00:00Z");
    }

    private static Pod pod(String name, String hash, boolean ready, String since) {
        return new PodBuilder().withNewMetadata().withName(name).addToLabels(DaemonPods.HASH_LABEL, hash)
                .withCreationTimestamp("2026-01-01T00:00:00Z").endMetadata()
                .withNewStatus().withPhase("Running").addNewCondition().withType("Ready")
                .withStatus(ready ? "True" : "False").withLastTransitionTime(since)
                .endCondition().endStatus().build();
    }

    /** Nodes n0..n{count-1}, each with the pods {@code perNode} makes for it. */
    private static Map<String, List<Pod>> nodes(int count, java.util.function.IntFunction<List<Pod>> perNode) {
        Map<String, List<Pod>> m = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            m.put("n" + i, new ArrayList<>(perNode.apply(i)));
        }
        return m;
    }

    private static List<String> names(List<Pod> pods) {
        return pods.stream().map(p -> p.getMetadata().getName()).toList();
    }

    @Test
    void budgetsRoundPercentagesUpOfTheDesiredNodes() {
        assertEquals(new DaemonRollout.Budget(0, 1), DaemonRollout.budget(ds(new IntOrString(0), new IntOrString(1)), 10));
        assertEquals(new DaemonRollout.Budget(0, 3),
                DaemonRollout.budget(ds(new IntOrString(0), new IntOrString("25%")), 10), "2.5 rounds up");
        assertEquals(new DaemonRollout.Budget(1, 0),
                DaemonRollout.budget(ds(new IntOrString("10%"), new IntOrString(0)), 3), "0.3 rounds up");
        assertEquals(new DaemonRollout.Budget(0, 1),
                DaemonRollout.budget(ds(new IntOrString("0%"), new IntOrString("0%")), 200), "never stuck");
        assertEquals(new DaemonRollout.Budget(0, 0),
                DaemonRollout.budget(ds(new IntOrString(0), new IntOrString("10%")), 0), "nothing to roll");
    }

    @Test
    void withoutSurgeOldPodsGoWhileUnavailabilityAllows() {
        Map<String, List<Pod>> all = nodes(5, i -> List.of(pod("p" + i, OLD, true)));
        DaemonRollout.Step step = DaemonRollout.step(all, all.keySet(), NEW, new DaemonRollout.Budget(0, 2), 0, NOW);
        assertEquals(List.of("p0", "p1"), names(step.delete()));
        assertEquals(List.of(), step.create(), "the manage step creates the replacements");

        // one node already replaced but not yet available, one has no pod at all: the budget of 2 is spent
        all.put("n0", List.of(pod("q0", NEW, false)));
        all.put("n1", List.of());
        step = DaemonRollout.step(all, all.keySet(), NEW, new DaemonRollout.Budget(0, 2), 0, NOW);
        assertEquals(List.of(), names(step.delete()));

        // once it is available, one more may go
        all.put("n0", List.of(pod("q0", NEW, true)));
        step = DaemonRollout.step(all, all.keySet(), NEW, new DaemonRollout.Budget(0, 2), 0, NOW);
        assertEquals(List.of("p2"), names(step.delete()));
    }

    @Test
    void unavailableOldPodsAreReplacedWhateverTheBudget() {
        Map<String, List<Pod>> all = nodes(3, i -> List.of(pod("p" + i, OLD, i != 2)));
        all.put("n0", List.of(pod("q0", NEW, false)));
        DaemonRollout.Step step = DaemonRollout.step(all, all.keySet(), NEW, new DaemonRollout.Budget(0, 1), 0, NOW);
        assertEquals(List.of("p2"), names(step.delete()));
    }

    @Test
    void minReadySecondsKeepsANewPodUnavailable() {
        Map<String, List<Pod>> all = nodes(3, i -> List.of(pod("p" + i, OLD, true)));
        all.put("n0", List.of(pod("q0", NEW, true, "2026-01-01T00:00:45Z"))); // ready for 15 s
        DaemonRollout.Budget budget = new DaemonRollout.Budget(0, 1);
        assertEquals(List.of("p1"), names(DaemonRollout.step(all, all.keySet(), NEW, budget, 10, NOW).delete()));
        assertEquals(List.of(), names(DaemonRollout.step(all, all.keySet(), NEW, budget, 30, NOW).delete()));
    }

    @Test
    void withSurgeNewPodsComeFirstAndOldOnesGoOnceTheyAreAvailable() {
        Map<String, List<Pod>> all = nodes(4, i -> List.of(pod("p" + i, OLD, true)));
        DaemonRollout.Budget budget = new DaemonRollout.Budget(2, 0);
        DaemonRollout.Step step = DaemonRollout.step(all, all.keySet(), NEW, budget, 0, NOW);
        assertEquals(List.of("n0", "n1"), step.create());
        assertEquals(List.of(), step.delete());

        all.get("n0").add(pod("q0", NEW, true));
        all.get("n1").add(pod("q1", NEW, false));
        step = DaemonRollout.step(all, all.keySet(), NEW, budget, 0, NOW);
        assertEquals(List.of("p0"), names(step.delete()), "n0's new pod is available");
        assertEquals(List.of("n2"), step.create(), "n1 still surges: one more node may");
    }

    @Test
    void withSurgeAnAvailablePodOffItsNodeWaitsForTheOthers() {
        Map<String, List<Pod>> all = nodes(3, i -> List.of(pod("p" + i, NEW, true)));
        all.put("gone", List.of(pod("x", OLD, true)));
        DaemonRollout.Budget budget = new DaemonRollout.Budget(1, 0);
        DaemonRollout.Step step = DaemonRollout.step(all, Set.of("n0", "n1", "n2"), NEW, budget, 0, NOW);
        assertEquals(List.of("x"), names(step.delete()), "3 available on the 3 desired nodes: it may go");

        all.put("n2", List.of(pod("p2", NEW, false)));
        step = DaemonRollout.step(all, Set.of("n0", "n1", "n2"), NEW, budget, 0, NOW);
        assertEquals(List.of(), names(step.delete()));
    }
}

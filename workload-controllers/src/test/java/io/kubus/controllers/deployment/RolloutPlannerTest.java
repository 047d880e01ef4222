package io.kubus.controllers.deployment;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.kubus.controllers.deployment.TestObjects.rs;
import static io.kubus.controllers.deployment.TestObjects.withRevision;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RolloutPlannerTest {
    private static Map<String, Integer> sizes(List<RolloutPlanner.Scale> scales) {
        return scales.stream().collect(Collectors.toMap(s -> s.rs().getMetadata().getName(),
                RolloutPlanner.Scale::replicas));
    }

    // ---- the new ReplicaSet's step (Kubernetes' TestDeploymentController_reconcileNewReplicaSet) ----

    @ParameterizedTest(name = "{0} replicas, surge {1}, old {2}, new {3} -> {4}")
    @CsvSource({
            "10, 0, 10, 0, 0",    // no surge: wait for old pods to go
            "10, 2, 10, 0, 2",    // surge lets two new pods start
            "10, 2, 5, 0, 7",     // old ones already scaled down: fill up to 12 pods
            "10, 2, 10, 2, 2",    // at replicas + surge
            "10, 2, 2, 11, 10",   // more than replicas: down to replicas
            "10, 2, 0, 3, 10",    // never past replicas
    })
    void newReplicaSetGrowsWithinTheSurge(int replicas, int surge, int old, int now, int expected) {
        Deployment d = TestObjects.rolling(replicas, surge, 0);
        ReplicaSet oldRS = rs("old", 0, old, old, old);
        ReplicaSet newRS = rs("new", 1, now, now, now);
        assertEquals(expected, RolloutPlanner.newReplicaSetTarget(d, List.of(oldRS, newRS), newRS));
    }

    @Test
    void recreateWantsAllReplicasAtOnce() {
        Deployment d = TestObjects.recreate(7);
        ReplicaSet newRS = rs("new", 1, 0, 0, 0);
        assertEquals(7, RolloutPlanner.newReplicaSetReplicas(d, List.of(newRS), newRS));
    }

    @Test
    void newPodsWaitUntilTheOldReplicaSetReportsItsSurplusGone() {
        // Kubus' deviation: old RS scaled 10 -> 8 but still reports 10 pods; Kubernetes would grow new to 5 now.
        Deployment d = TestObjects.rolling(10, 3, 2);
        ReplicaSet oldRS = rs("old", 0, 8, 10, 10);
        ReplicaSet newRS = rs("new", 1, 3, 3, 0);
        assertEquals(3, RolloutPlanner.newReplicaSetTarget(d, List.of(oldRS, newRS), newRS));
        ReplicaSet reported = rs("old", 0, 8, 8, 8);
        assertEquals(5, RolloutPlanner.newReplicaSetTarget(d, List.of(reported, newRS), newRS));
    }

    // ---- old ReplicaSets (TestDeploymentController_reconcileOldReplicaSets, cleanupUnhealthyReplicas) ----

    @ParameterizedTest(name = "{0} replicas, unavailable {1}: old {2} ({3} available), new {4} ({5} available) -> old {6}")
    @CsvSource({
            "10, 2, 10, 10, 0, 0, 8",   // take the unavailability budget from the old ReplicaSet
            "10, 2, 10, 10, 2, 0, 8",   // 10 available: 2 of them may go while the new pods start
            "10, 2, 8, 8, 4, 0, 8",     // new pods not available yet use the budget: nothing
            "10, 2, 10, 10, 2, 2, 6",   // every available pod beyond 8 may go ...
            "10, 2, 8, 8, 4, 4, 4",     // ... again as new ones become available
            "10, 2, 10, 7, 0, 0, 8",    // unhealthy old pods go first, without costing availability
            "10, 0, 10, 10, 1, 1, 9",   // no unavailability: one old pod per available new one
            "10, 2, 0, 0, 10, 10, 0",   // nothing old left
    })
    void oldReplicaSetsShrinkWithinTheUnavailability(int replicas, int unavailable, int old, int oldAvailable,
                                                     int now, int newAvailable, int expected) {
        Deployment d = TestObjects.rolling(replicas, 2, unavailable);
        ReplicaSet oldRS = rs("old", 0, old, old, oldAvailable);
        ReplicaSet newRS = rs("new", 1, now, now, newAvailable);
        List<RolloutPlanner.Scale> scales = RolloutPlanner.scaleDownOld(d, List.of(oldRS, newRS),
                ReplicaSets.active(List.of(oldRS)), newRS);
        assertEquals(expected, sizes(scales).getOrDefault("old", old));
    }

    @Test
    void oldestReplicaSetsShrinkFirst() {
        Deployment d = TestObjects.rolling(10, 0, 3);
        ReplicaSet oldest = rs("a", 0, 2, 2, 2);
        ReplicaSet older = rs("b", 1, 8, 8, 8);
        ReplicaSet newRS = rs("new", 2, 0, 0, 0);
        List<RolloutPlanner.Scale> scales = RolloutPlanner.scaleDownOld(d, List.of(older, oldest, newRS),
                List.of(older, oldest), newRS);
        assertEquals(Map.of("a", 0, "b", 7), sizes(scales));
    }

    @Test
    void aStaleAvailabilityReportOfAShrunkReplicaSetIsNotCountedTwice() {
        // Kubus' deviation: old was scaled 10 -> 8 and still reports 10 available. Kubernetes would count 11 available
        // and shrink old to 5 (6 available, below the 8 promised); counting at most its size shrinks it to 7.
        Deployment d = TestObjects.rolling(10, 3, 2);
        ReplicaSet oldRS = rs("old", 0, 8, 10, 10);
        ReplicaSet newRS = rs("new", 1, 3, 3, 1);
        List<RolloutPlanner.Scale> scales = RolloutPlanner.scaleDownOld(d, List.of(oldRS, newRS), List.of(oldRS), newRS);
        assertEquals(Map.of("old", 7), sizes(scales));
    }

    /**
     * Whole rollouts against a model cluster in which each ReplicaSet gets the pods it asks for one round later
     * (stopping pods at once), and new pods become available the round after they start: at every round the pods
     * stay within replicas + maxSurge and the available ones at least replicas - maxUnavailable, and the rollout
     * ends with every replica new and available.
     */
    @ParameterizedTest(name = "{0} replicas, surge {1}, unavailable {2}")
    @CsvSource({"10, 25%, 25%", "10, 0, 1", "10, 1, 0", "5, 30%, 0", "100, 25%, 25%", "3, 2, 3", "1, 0, 1", "7, 10%, 10%"})
    void rollingUpdateCompletesWithinItsBounds(int replicas, String surge, String unavailable) {
        Object s = surge.endsWith("%") ? surge : Integer.valueOf(surge);
        Object u = unavailable.endsWith("%") ? unavailable : Integer.valueOf(unavailable);
        Deployment d = TestObjects.rolling(replicas, s, u);
        Fenceposts f = Fenceposts.of(d);
        ModelRS old = new ModelRS("old", 0, replicas);
        old.available = replicas;
        ModelRS now = new ModelRS("new", 1, 0);
        int rounds = 0;
        while (!(now.pods == replicas && now.available == replicas && old.pods == 0)) {
            assertTrue(++rounds < 10 * replicas + 10, "the rollout does not finish: " + old + " " + now);
            ReplicaSet oldRS = old.toRS();
            ReplicaSet newRS = now.toRS();
            List<ReplicaSet> all = List.of(oldRS, newRS);
            int target = RolloutPlanner.newReplicaSetTarget(d, all, newRS);
            if (target != now.spec) {
                now.spec = target;
            } else {
                for (RolloutPlanner.Scale sc : RolloutPlanner.scaleDownOld(d, all, ReplicaSets.active(List.of(oldRS)), newRS)) {
                    old.spec = sc.replicas();
                }
            }
            old.round();
            now.round();
            int pods = old.pods + now.pods;
            int available = old.available + now.available;
            assertTrue(pods <= replicas + f.maxSurge(), "round " + rounds + ": " + pods + " pods, " + old + " " + now);
            assertTrue(available >= replicas - f.maxUnavailable(),
                    "round " + rounds + ": " + available + " available, " + old + " " + now);
        }
    }

    /** A ReplicaSet and its pods in the model cluster of {@link #rollingUpdateCompletesWithinItsBounds}. */
    private static final class ModelRS {
        final String name;
        final int created;
        int spec;
        int pods;
        int available;
        int reportedPods;
        int reportedAvailable;

        ModelRS(String name, int created, int spec) {
            this.name = name;
            this.created = created;
            this.spec = spec;
            this.pods = spec;
            this.reportedPods = spec;
        }

        /** The controller's view lags one round behind the pods. */
        ReplicaSet toRS() {
            return rs(name, created, spec, reportedPods, reportedAvailable);
        }

        void round() {
            reportedPods = pods;
            reportedAvailable = available;
            int before = pods;
            if (spec < pods) {
                pods = spec;
                available = Math.min(available, pods);
            } else {
                available = before; // pods started last round are available now
                pods = spec;
            }
        }

        @Override
        public String toString() {
            return name + "{spec=" + spec + ", pods=" + pods + ", available=" + available + "}";
        }
    }

    // ---- scaling events (Kubernetes' TestScale) ----

    @Test
    void aSingleActiveReplicaSetTakesAllReplicas() {
        Deployment d = TestObjects.rolling(12, 0, 0);
        ReplicaSet newRS = rs("new", 1, 10, 10, 10, 10);
        assertEquals(Map.of("new", 12), sizes(RolloutPlanner.proportional(d, newRS, List.of())));
        d.getSpec().setReplicas(5);
        assertEquals(Map.of("new", 5), sizes(RolloutPlanner.proportional(d, newRS, List.of())));
        d.getSpec().setReplicas(10);
        assertTrue(RolloutPlanner.proportional(d, newRS, List.of()).isEmpty());
    }

    @ParameterizedTest(name = "{0} -> {1}: new {2}, old {3} -> new {4}, old {5}")
    @CsvSource({
            "5, 10, 2, 3, 4, 6",
            "5, 3, 2, 3, 1, 2",
            "9, 4, 8, 1, 4, 0",
            "7, 10, 2, 3;2, 3, 4;3",
            "13, 8, 2, 8;3, 1, 5;2",
            "3, 4, 1, 1;1, 2, 1;1",       // leftover to the newest of equal sizes
            "19, 17, 5, 8;6, 5, 7;5",     // leftover taken from the largest
            "10, 0, 5, 5, 0, 0",          // to zero
    })
    void scalingMidRolloutIsProportional(int from, int to, int now, String olds, int expectNew, String expectOlds) {
        Deployment d = TestObjects.rolling(to, 0, 0);
        ReplicaSet newRS = rs("new", 100, now, 0, from, from);
        List<ReplicaSet> oldRSs = new ArrayList<>();
        String[] o = olds.split(";");
        for (int i = 0; i < o.length; i++) {
            oldRSs.add(rs("old" + i, i, Integer.parseInt(o[i]), Integer.parseInt(o[i]), from, from));
        }
        Map<String, Integer> got = sizes(RolloutPlanner.proportional(d, newRS, oldRSs));
        Map<String, Integer> expected = new HashMap<>();
        expected.put("new", expectNew);
        String[] e = expectOlds.split(";");
        for (int i = 0; i < e.length; i++) {
            expected.put("old" + i, Integer.parseInt(e[i]));
        }
        assertEquals(expected, got);
        assertTrue(RolloutPlanner.isScalingEvent(d, ReplicaSets.withNew(oldRSs, newRS)) == (from != to));
    }

    @Test
    void aSaturatedNewReplicaSetScalesTheOldOnesToZero() {
        Deployment d = TestObjects.rolling(10, 2, 0);
        ReplicaSet newRS = rs("new", 1, 10, 10, 10, 12);
        ReplicaSet oldRS = rs("old", 0, 2, 2, 10, 12);
        assertTrue(RolloutPlanner.isSaturated(d, newRS));
        assertEquals(Map.of("old", 0), sizes(RolloutPlanner.proportional(d, newRS, List.of(oldRS))));
    }

    @Test
    void noActiveReplicaSetScalesTheNewestUp() {
        Deployment d = TestObjects.rolling(3, 1, 0);
        ReplicaSet a = rs("a", 0, 0, 0, 0);
        ReplicaSet b = rs("b", 5, 0, 0, 0);
        assertSame(b, RolloutPlanner.activeOrLatest(null, List.of(a, b)));
        assertEquals(Map.of("b", 3), sizes(RolloutPlanner.proportional(d, null, List.of(a, b))));
        ReplicaSet newRS = rs("new", 1, 0, 0, 0);
        assertSame(newRS, RolloutPlanner.activeOrLatest(newRS, List.of(a, b)));
        assertNull(RolloutPlanner.activeOrLatest(rs("n", 1, 1, 1, 1), List.of(rs("o", 0, 1, 1, 1))));
    }

    // ---- which ReplicaSet is new, and history cleanup ----

    @Test
    void theNewReplicaSetIsTheOldestWithTheDeploymentsTemplate() {
        Deployment d = TestObjects.rolling(3, 1, 0);
        ReplicaSet other = rs("other", 0, 1, 1, 1);
        ReplicaSet later = rs("later", 9, 1, 1, 1);
        later.getSpec().setTemplate(TestObjects.template("img:1"));
        ReplicaSet first = rs("first", 5, 1, 1, 1);
        first.getSpec().setTemplate(TestObjects.template("img:1"));
        first.getSpec().getTemplate().getMetadata().getLabels().put(PodTemplates.HASH_LABEL, "xyz");
        assertSame(first, RolloutPlanner.findNew(d, List.of(other, later, first)));
        assertNull(RolloutPlanner.findNew(d, List.of(other)));
    }

    @Test
    void cleanupKeepsTheHistoryLimitAndAnythingStillRunning() {
        Deployment d = TestObjects.rolling(3, 1, 0);
        d.getSpec().setRevisionHistoryLimit(1);
        ReplicaSet r1 = withRevision(rs("r1", 0, 0, 0, 0), 1);
        ReplicaSet r2 = withRevision(rs("r2", 1, 0, 1, 0), 2);   // a pod still reported
        ReplicaSet r3 = withRevision(rs("r3", 2, 0, 0, 0), 3);
        ReplicaSet r4 = withRevision(rs("r4", 3, 0, 0, 0), 4);
        r4.getMetadata().setGeneration(2L);                                    // size change not yet observed
        ReplicaSet r5 = withRevision(rs("r5", 4, 0, 0, 0), 5);
        List<String> doomed = RolloutPlanner.toCleanUp(d, List.of(r5, r4, r3, r2, r1)).stream()
                .map(rs -> rs.getMetadata().getName()).toList();
        assertEquals(List.of("r1", "r3"), doomed);
        d.getSpec().setRevisionHistoryLimit(Integer.MAX_VALUE);
        assertTrue(RolloutPlanner.toCleanUp(d, List.of(r1, r3)).isEmpty());
        d.getSpec().setRevisionHistoryLimit(10);
        assertFalse(RolloutPlanner.toCleanUp(d, List.of(r1, r3)).iterator().hasNext());
    }
}

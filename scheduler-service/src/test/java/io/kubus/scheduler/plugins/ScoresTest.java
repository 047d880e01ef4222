package io.kubus.scheduler.plugins;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kubus.scheduler.framework.NodeInfo;
import io.kubus.scheduler.framework.ScorePlugin;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static io.kubus.scheduler.plugins.Fixtures.Cluster;
import static io.kubus.scheduler.plugins.Fixtures.info;
import static io.kubus.scheduler.plugins.Fixtures.node;
import static io.kubus.scheduler.plugins.Fixtures.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScoresTest {
    /** Raw scores of every node, normalized. */
    static Map<String, Long> scores(ScorePlugin s, Pod pod, Cluster cluster) {
        Map<String, Long> raw = new LinkedHashMap<>();
        for (NodeInfo n : cluster.nodes()) {
            raw.put(n.name(), s.score(pod, n, cluster));
        }
        return s.normalize(raw);
    }

    @Test
    void leastAllocatedPrefersTheEmptierNode() {
        Cluster c = new Cluster(info(node("busy", "2", "4Gi"), pod("a", "1", "2Gi")), info(node("idle", "2", "4Gi")));
        Map<String, Long> s = scores(new LeastAllocated(), pod("p", "500m", "1Gi"), c);
        // busy: cpu (2000-1500)/2000 = 25, mem (4-3)/4 = 25 -> 25; idle: 75, 75 -> 75
        assertEquals(25L, s.get("busy"));
        assertEquals(75L, s.get("idle"));
        assertEquals(1, new LeastAllocated().weight());
    }

    @Test
    void balancedAllocationPrefersEvenUse() {
        Cluster c = new Cluster(info(node("cpuHeavy", "2", "4Gi"), pod("a", "1500m", "512Mi")),
                info(node("even", "2", "4Gi"), pod("b", "500m", "1Gi")));
        Map<String, Long> s = scores(new BalancedAllocation(), pod("p", "500m", "1Gi"), c);
        assertEquals(100L, s.get("even"));
        assertTrue(s.get("cpuHeavy") < s.get("even"), s.toString());
    }

    @Test
    void selectorSpreadPrefersNodesWithFewerPodsOfTheSameOwner() {
        Cluster c = new Cluster(
                info(node("two"), Fixtures.ownedPod("a", "rs-1"), Fixtures.ownedPod("b", "rs-1")),
                info(node("one"), Fixtures.ownedPod("c", "rs-1"), Fixtures.ownedPod("x", "rs-other")),
                info(node("none"), Fixtures.ownedPod("y", "rs-other"), Fixtures.ownedPod("z", "rs-other")));
        Map<String, Long> s = scores(new SelectorSpread(), Fixtures.ownedPod("p", "rs-1"), c);
        assertEquals(Map.of("two", 0L, "one", 50L, "none", 100L), s);
        assertEquals(Map.of("two", 100L, "one", 100L, "none", 100L), scores(new SelectorSpread(), pod("p"), c));
    }

    @Test
    void nodeAffinityScoreSumsPreferredWeights() {
        Node ssd = new NodeBuilder(node("ssd")).editMetadata().addToLabels("disk", "ssd").endMetadata().build();
        Node ssdFast = new NodeBuilder(node("ssdFast")).editMetadata().addToLabels("disk", "ssd")
                .addToLabels("net", "fast").endMetadata().build();
        Cluster c = new Cluster(info(ssd), info(ssdFast), info(node("plain")));
        Pod p = new PodBuilder(pod("p")).editSpec().withNewAffinity().withNewNodeAffinity()
                .addNewPreferredDuringSchedulingIgnoredDuringExecution().withWeight(30).withNewPreference()
                .addNewMatchExpression().withKey("disk").withOperator("In").withValues("ssd").endMatchExpression()
                .endPreference().endPreferredDuringSchedulingIgnoredDuringExecution()
                .addNewPreferredDuringSchedulingIgnoredDuringExecution().withWeight(10).withNewPreference()
                .addNewMatchExpression().withKey("net").withOperator("Exists").endMatchExpression()
                .endPreference().endPreferredDuringSchedulingIgnoredDuringExecution()
                .endNodeAffinity().endAffinity().endSpec().build();
        assertEquals(Map.of("ssd", 75L, "ssdFast", 100L, "plain", 0L), scores(new NodeAffinityScore(), p, c));
        assertEquals(2, new NodeAffinityScore().weight());
    }

    @Test
    void taintTolerationScorePrefersFewerIntolerablePreferNoScheduleTaints() {
        Node one = new NodeBuilder(node("one")).editSpec().addNewTaint().withKey("a").withEffect("PreferNoSchedule")
                .endTaint().endSpec().build();
        Node two = new NodeBuilder(node("two")).editSpec()
                .addNewTaint().withKey("a").withEffect("PreferNoSchedule").endTaint()
                .addNewTaint().withKey("b").withEffect("PreferNoSchedule").endTaint().endSpec().build();
        Cluster c = new Cluster(info(node("clean")), info(one), info(two));
        assertEquals(Map.of("clean", 100L, "one", 50L, "two", 0L), scores(new TaintTolerationScore(), pod("p"), c));
        Pod tolerant = new PodBuilder(pod("p")).editSpec().addNewToleration().withKey("b").withOperator("Exists")
                .withEffect("PreferNoSchedule").endToleration().endSpec().build();
        Map<String, Long> s = scores(new TaintTolerationScore(), tolerant, c);
        assertEquals(Map.of("clean", 0L, "one", 1L, "two", 1L), rawOf(new TaintTolerationScore(), tolerant, c));
        assertEquals(100L, s.get("clean"));
        assertEquals(3, new TaintTolerationScore().weight());
    }

    private static Map<String, Long> rawOf(ScorePlugin s, Pod pod, Cluster c) {
        Map<String, Long> raw = new LinkedHashMap<>();
        c.nodes().forEach(n -> raw.put(n.name(), s.score(pod, n, c)));
        return raw;
    }

    @Test
    void podTopologySpreadScorePrefersLessCrowdedDomains() {
        Cluster c = new Cluster(info(node("n1"), FiltersTest.web("a"), FiltersTest.web("b")),
                info(node("n2"), FiltersTest.web("c")), info(node("n3")));
        Pod p = FiltersTest.spread(FiltersTest.web("p"), "ScheduleAnyway");
        Map<String, Long> s = scores(new PodTopologySpreadScore(), p, c);
        assertTrue(s.get("n3") > s.get("n2") && s.get("n2") > s.get("n1"), s.toString());
        assertEquals(100L, s.get("n3"));
        Pod unconstrained = new PodBuilder(FiltersTest.web("q")).build();
        assertEquals(Map.of("n1", 100L, "n2", 100L, "n3", 100L), scores(new PodTopologySpreadScore(), unconstrained, c));
        assertEquals(new LabelSelectorBuilder().addToMatchLabels("app", "web").build(),
                p.getSpec().getTopologySpreadConstraints().getFirst().getLabelSelector());
    }
}

package io.kubus.scheduler.framework;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.scheduler.plugins.Fixtures;
import io.kubus.scheduler.plugins.Fixtures.Cluster;
import io.kubus.scheduler.plugins.LeastAllocated;
import io.kubus.scheduler.plugins.NodeResourcesFit;
import io.kubus.scheduler.plugins.TaintToleration;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import static io.kubus.scheduler.plugins.Fixtures.info;
import static io.kubus.scheduler.plugins.Fixtures.node;
import static io.kubus.scheduler.plugins.Fixtures.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchedulingPipelineTest {
    private static final RandomGenerator RANDOM = new SplittableRandom(42);

    @Test
    void failureMessageCountsReasonsSortedAsKubeScheduler() {
        Node gpu = new NodeBuilder(node("gpu", "4", "8Gi")).editSpec().addNewTaint().withKey("dedicated")
                .withValue("gpu").withEffect("NoSchedule").endTaint().endSpec().build();
        Cluster c = new Cluster(info(gpu), info(node("small1", "4", "1Gi")), info(node("small2", "4", "1Gi")));
        SchedulingPipeline.Result r = SchedulingPipeline.defaults(RANDOM).schedule(pod("p", "100m", "2Gi"), c);
        assertNull(r.nodeName());
        assertEquals("0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient memory.",
                r.message());
        assertEquals(Map.of("gpu", "node(s) had untolerated taint {dedicated: gpu}",
                "small1", "Insufficient memory", "small2", "Insufficient memory"), r.reasonByNode());
    }

    @Test
    void severalReasonsOfOneNodeAreCountedEach() {
        Cluster c = new Cluster(info(node("a", "1", "1Gi")), info(node("b", "4", "1Gi")));
        SchedulingPipeline p = new SchedulingPipeline(List.of(new NodeResourcesFit()), List.of(), RANDOM);
        assertEquals("0/2 nodes are available: 1 Insufficient cpu, 2 Insufficient memory.",
                p.schedule(pod("p", "2", "2Gi"), c).message());
        assertEquals("0/0 nodes are available: no nodes available to schedule pods.",
                p.schedule(pod("p"), new Cluster()).message());
    }

    @Test
    void picksTheBestScoredFeasibleNode() {
        Node tainted = new NodeBuilder(node("tainted")).editSpec().addNewTaint().withKey("k")
                .withEffect("NoSchedule").endTaint().endSpec().build();
        Cluster c = new Cluster(info(node("busy", "2", "4Gi"), pod("a", "1", "2Gi")), info(node("idle", "2", "4Gi")),
                info(tainted));
        SchedulingPipeline.Result r = SchedulingPipeline.defaults(RANDOM).schedule(pod("p", "100m", "100Mi"), c);
        assertEquals("idle", r.nodeName());
        assertNull(r.message());
        assertEquals(Map.of("tainted", "node(s) had untolerated taint {k: }"), r.reasonByNode());
    }

    @Test
    void tiesAreBrokenAtRandom() {
        Cluster c = new Cluster(info(node("a")), info(node("b")));
        SchedulingPipeline p = new SchedulingPipeline(List.of(new TaintToleration()), List.of(new LeastAllocated()),
                new SplittableRandom(7));
        Map<String, Integer> chosen = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            chosen.merge(p.schedule(pod("p"), c).nodeName(), 1, Integer::sum);
        }
        assertEquals(Set.of("a", "b"), chosen.keySet());
        assertTrue(chosen.get("a") > 50 && chosen.get("b") > 50, chosen.toString());
    }

    @Test
    void selectorSpreadSpreadsAReplicaSetEvenly() {
        Cluster c = new Cluster();
        for (int i = 0; i < 5; i++) {
            c.nodes().add(info(node("n" + i)));
        }
        SchedulingPipeline p = SchedulingPipeline.defaults(RANDOM);
        for (int i = 0; i < 10; i++) {
            Pod pod = Fixtures.ownedPod("web-" + i, "rs-1");
            SchedulingPipeline.Result r = p.schedule(pod, c);
            c.bind(pod, r.nodeName());
        }
        for (NodeInfo n : c.nodes()) {
            assertEquals(2, n.pods().size(), n.name());
        }
    }

    @Test
    void defaultsFillNodesWithoutOvercommitting() {
        Cluster c = new Cluster();
        for (int i = 0; i < 10; i++) {
            c.nodes().add(info(node("n" + i, "2", "4Gi")));
        }
        SchedulingPipeline p = SchedulingPipeline.defaults(RANDOM);
        int placed = 0;
        String lastMessage = null;
        for (int i = 0; i < 1000; i++) {
            Pod pod = pod("p" + i, "100m", "64Mi");
            SchedulingPipeline.Result r = p.schedule(pod, c);
            if (r.nodeName() == null) {
                lastMessage = r.message();
                continue;
            }
            c.bind(pod, r.nodeName());
            placed++;
        }
        assertEquals(200, placed);
        assertEquals("0/10 nodes are available: 10 Insufficient cpu.", lastMessage);
        Set<Integer> perNode = new HashSet<>();
        c.nodes().forEach(n -> perNode.add(n.pods().size()));
        assertEquals(Set.of(20), perNode);
    }
}

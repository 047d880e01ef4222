package io.kubus.controllers.daemon;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which nodes get a daemon pod, and what the controller adds to the pods it makes. */
class DaemonPodsTest {
    private static DaemonSetBuilder ds() {
        return new DaemonSetBuilder().withNewMetadata().withName("agent").withNamespace("default").withUid("u1")
                .endMetadata().withNewSpec().withNewSelector().addToMatchLabels("app", "agent").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "agent").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("i").endContainer().endSpec()
                .endTemplate().endSpec();
    }

    private static NodeBuilder node(String name) {
        return new NodeBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().endSpec();
    }

    private static Node tainted(String key, String effect) {
        return node("n").editSpec().addNewTaint().withKey(key).withEffect(effect).endTaint().endSpec().build();
    }

    @Test
    void everyNodeWithoutConstraints() {
        assertEquals(new DaemonPods.Placement(true, true), DaemonPods.placement(node("n").build(), ds().build()));
    }

    @Test
    void nodeSelectorAndRequiredAffinityDecideAlone() {
        DaemonSet picky = ds().editSpec().editTemplate().editSpec().addToNodeSelector("role", "logs")
                .endSpec().endTemplate().endSpec().build();
        assertEquals(DaemonPods.Placement.NONE, DaemonPods.placement(node("n").build(), picky));
        Node labelled = node("n").editMetadata().addToLabels("role", "logs").endMetadata().build();
        assertTrue(DaemonPods.placement(labelled, picky).shouldRun());

        DaemonSet affine = ds().editSpec().editTemplate().editSpec().withNewAffinity().withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution().addNewNodeSelectorTerm()
                .addNewMatchExpression().withKey("zone").withOperator("In").withValues("a").endMatchExpression()
                .endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity()
                .endAffinity().endSpec().endTemplate().endSpec().build();
        assertFalse(DaemonPods.placement(node("n").build(), affine).shouldContinueRunning());
        assertTrue(DaemonPods.placement(node("n").editMetadata().addToLabels("zone", "a").endMetadata().build(), affine)
                .shouldRun());
    }

    @Test
    void aTemplateNamingAnotherNodeRunsOnlyThere() {
        DaemonSet pinned = ds().editSpec().editTemplate().editSpec().withNodeName("n2").endSpec().endTemplate()
                .endSpec().build();
        assertEquals(DaemonPods.Placement.NONE, DaemonPods.placement(node("n1").build(), pinned));
        assertTrue(DaemonPods.placement(node("n2").build(), pinned).shouldRun());
    }

    @Test
    void untoleratedNoScheduleKeepsWhatRunsNoExecuteTakesItAway() {
        assertEquals(new DaemonPods.Placement(false, true),
                DaemonPods.placement(tainted("dedicated", "NoSchedule"), ds().build()));
        assertEquals(DaemonPods.Placement.NONE, DaemonPods.placement(tainted("dedicated", "NoExecute"), ds().build()));
        assertEquals(new DaemonPods.Placement(true, true),
                DaemonPods.placement(tainted("dedicated", "PreferNoSchedule"), ds().build()));
        DaemonSet tolerant = ds().editSpec().editTemplate().editSpec().addNewToleration().withKey("dedicated")
                .withOperator("Exists").endToleration().endSpec().endTemplate().endSpec().build();
        assertTrue(DaemonPods.placement(tainted("dedicated", "NoExecute"), tolerant).shouldRun());
    }

    @Test
    void nodeProblemsAndCordonsAreTolerated() {
        for (String key : List.of("node.kubernetes.io/unschedulable", "node.kubernetes.io/disk-pressure",
                "node.kubernetes.io/memory-pressure", "node.kubernetes.io/pid-pressure")) {
            assertTrue(DaemonPods.placement(tainted(key, "NoSchedule"), ds().build()).shouldRun(), key);
        }
        for (String key : List.of("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")) {
            assertTrue(DaemonPods.placement(tainted(key, "NoExecute"), ds().build()).shouldRun(), key);
        }
        Node noNetwork = tainted("node.kubernetes.io/network-unavailable", "NoSchedule");
        assertFalse(DaemonPods.placement(noNetwork, ds().build()).shouldRun(), "only host-network pods tolerate it");
        DaemonSet hostNetwork = ds().editSpec().editTemplate().editSpec().withHostNetwork(true).endSpec()
                .endTemplate().endSpec().build();
        assertTrue(DaemonPods.placement(noNetwork, hostNetwork).shouldRun());
    }

    @Test
    void aTemplateTolerationOfTheSameTaintLosesItsTolerationSeconds() {
        Toleration limited = new TolerationBuilder().withKey("node.kubernetes.io/unreachable").withOperator("Exists")
                .withEffect("NoExecute").withTolerationSeconds(30L).build();
        DaemonSet d = ds().editSpec().editTemplate().editSpec().withTolerations(limited).endSpec().endTemplate()
                .endSpec().build();
        List<Toleration> all = DaemonPods.daemonTolerations(d.getSpec().getTemplate().getSpec());
        assertEquals(6, all.size());
        Toleration unreachable = all.stream().filter(t -> t.getKey().equals("node.kubernetes.io/unreachable"))
                .findFirst().orElseThrow();
        assertNull(unreachable.getTolerationSeconds());
    }

    @Test
    void aPodForANodeCarriesTheRevisionAndANodeNameAffinityReplacingRequiredTerms() {
        DaemonSet d = ds().editSpec().editTemplate().editSpec().withNewAffinity().withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution().addNewNodeSelectorTerm()
                .addNewMatchField().withKey("metadata.name").withOperator("In").withValues("elsewhere").endMatchField()
                .endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity()
                .endAffinity().endSpec().endTemplate().endSpec().build();
        Pod pod = DaemonPods.forNode(DaemonPods.podTemplate(d, "h1"), d, "n7");
        assertEquals("h1", pod.getMetadata().getLabels().get(DaemonPods.HASH_LABEL));
        assertEquals("agent", pod.getMetadata().getLabels().get("app"));
        assertEquals("agent-", pod.getMetadata().getGenerateName());
        var terms = pod.getSpec().getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms();
        assertEquals(1, terms.size());
        assertEquals(List.of("n7"), terms.getFirst().getMatchFields().getFirst().getValues());
        assertNull(pod.getSpec().getNodeName(), "the scheduler binds it");
        assertEquals("n7", DaemonPods.targetNode(pod));
        assertEquals(6, pod.getSpec().getTolerations().size());
        // the DaemonSet's own template is left as it was
        assertEquals(List.of("elsewhere"), d.getSpec().getTemplate().getSpec().getAffinity().getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms().getFirst()
                .getMatchFields().getFirst().getValues());
        pod.getSpec().setNodeName("n8");
        assertEquals("n8", DaemonPods.targetNode(pod), "once bound, its node");
    }
}

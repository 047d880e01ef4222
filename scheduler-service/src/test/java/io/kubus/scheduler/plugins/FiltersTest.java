package io.kubus.scheduler.plugins;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodAffinityTermBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kubus.scheduler.framework.NodeInfo;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.kubus.scheduler.plugins.Fixtures.Cluster;
import static io.kubus.scheduler.plugins.Fixtures.info;
import static io.kubus.scheduler.plugins.Fixtures.node;
import static io.kubus.scheduler.plugins.Fixtures.nodeBuilder;
import static io.kubus.scheduler.plugins.Fixtures.pod;
import static io.kubus.scheduler.plugins.Fixtures.podBuilder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class FiltersTest {
    private static String run(io.kubus.scheduler.framework.FilterPlugin f, Pod pod, NodeInfo n) {
        return f.filter(pod, n, new Cluster(n));
    }

    @Test
    void nodeUnschedulable() {
        Node cordoned = new NodeBuilder(node("n1")).editSpec().withUnschedulable(true).endSpec().build();
        NodeUnschedulable f = new NodeUnschedulable();
        assertNull(run(f, pod("p"), info(node("n1"))));
        assertEquals("node(s) were unschedulable", run(f, pod("p"), info(cordoned)));
        Pod tolerant = new PodBuilder(pod("p")).editSpec().addNewToleration()
                .withKey("node.kubernetes.io/unschedulable").withOperator("Exists").withEffect("NoSchedule")
                .endToleration().endSpec().build();
        assertNull(run(f, tolerant, info(cordoned)));
    }

    @Test
    void nodeReady() {
        Node notReady = new NodeBuilder(node("n1")).editStatus().withConditions().addNewCondition()
                .withType("Ready").withStatus("Unknown").endCondition().endStatus().build();
        Node noConditions = new NodeBuilder(node("n1")).editStatus().withConditions().endStatus().build();
        NodeReady f = new NodeReady();
        assertNull(run(f, pod("p"), info(node("n1"))));
        assertEquals("node(s) were not ready", run(f, pod("p"), info(notReady)));
        assertEquals("node(s) were not ready", run(f, pod("p"), info(noConditions)));
    }

    @Test
    void nodeName() {
        Pod pinned = new PodBuilder(pod("p")).editSpec().withNodeName("n2").endSpec().build();
        assertNull(run(new NodeName(), pod("p"), info(node("n1"))));
        assertNull(run(new NodeName(), pinned, info(node("n2"))));
        assertEquals("node(s) didn't match the requested node name", run(new NodeName(), pinned, info(node("n1"))));
    }

    @Test
    void resourceFitCpuMemoryPodsAndExtended() {
        NodeResourcesFit f = new NodeResourcesFit();
        NodeInfo n = info(Fixtures.nodeBuilder("n1", "2", "4Gi", 2).build(), pod("a", "1500m", "1Gi"));
        assertNull(run(f, pod("p", "500m", "3Gi"), n));
        assertEquals("Insufficient cpu", run(f, pod("p", "501m", "1Gi"), n));
        assertEquals("Insufficient memory", run(f, pod("p", "100m", "3073Mi"), n));
        assertEquals("Insufficient cpu, Insufficient memory", run(f, pod("p", "1", "4Gi"), n));
        NodeInfo full = n.withPod(pod("b"));
        assertEquals("Too many pods", run(f, pod("p"), full));
        Pod gpu = podBuilder("g", "100m", null).editSpec().editFirstContainer().editResources()
                .addToRequests("example.com/gpu", new Quantity("1")).endResources().endContainer().endSpec().build();
        assertEquals("Insufficient example.com/gpu", run(f, gpu, n));
        Node withGpu = nodeBuilder("n2", "2", "4Gi", 10).editStatus()
                .addToAllocatable("example.com/gpu", new Quantity("1")).endStatus().build();
        assertNull(run(f, gpu, info(withGpu)));
        assertEquals("Insufficient example.com/gpu", run(f, gpu, info(withGpu, gpu)));
    }

    @Test
    void resourceFitNeverOvercommitsWhenPodsAreAddedOneByOne() {
        NodeResourcesFit f = new NodeResourcesFit();
        Cluster cluster = new Cluster();
        for (int i = 0; i < 10; i++) {
            cluster.nodes().add(info(node("n" + i, "2", "4Gi")));
        }
        int placed = 0;
        for (int i = 0; i < 1000; i++) {
            Pod p = pod("p" + i, "100m", "64Mi");
            for (NodeInfo n : List.copyOf(cluster.nodes())) {
                if (f.filter(p, n, cluster) == null) {
                    cluster.bind(p, n.name());
                    placed++;
                    break;
                }
            }
        }
        // 2 cpu / 100m = 20 per node (4Gi / 64Mi = 64 would allow more)
        assertEquals(200, placed);
        for (NodeInfo n : cluster.nodes()) {
            assertEquals(20, n.pods().size());
            assertEquals(List.of(), List.copyOf(n.requested().fitsWithin(n.allocatable())));
        }
    }

    @Test
    void nodeAffinitySelectorAndExpressions() {
        NodeAffinity f = new NodeAffinity();
        Node n = nodeBuilder("n1", "1", "1Gi", 10).editMetadata()
                .addToLabels("disk", "ssd").addToLabels("cores", "8").endMetadata().build();
        Pod sel = new PodBuilder(pod("p")).editSpec().addToNodeSelector("disk", "ssd").endSpec().build();
        Pod selBad = new PodBuilder(pod("p")).editSpec().addToNodeSelector("disk", "hdd").endSpec().build();
        assertNull(run(f, sel, info(n)));
        assertEquals("node(s) didn't match Pod's node affinity/selector", run(f, selBad, info(n)));
        assertNull(run(f, required("disk", "In", "ssd", "nvme"), info(n)));
        assertEquals(NodeAffinity.REASON, run(f, required("disk", "NotIn", "ssd"), info(n)));
        assertNull(run(f, required("gpu", "DoesNotExist"), info(n)));
        assertEquals(NodeAffinity.REASON, run(f, required("gpu", "Exists"), info(n)));
        assertNull(run(f, required("cores", "Gt", "4"), info(n)));
        assertEquals(NodeAffinity.REASON, run(f, required("cores", "Lt", "4"), info(n)));
        Pod byField = new PodBuilder(pod("p")).editSpec().withNewAffinity().withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution().addNewNodeSelectorTerm()
                .addNewMatchField().withKey("metadata.name").withOperator("In").withValues("n2").endMatchField()
                .endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution()
                .endNodeAffinity().endAffinity().endSpec().build();
        assertEquals(NodeAffinity.REASON, run(f, byField, info(n)));
        assertNull(run(f, byField, info(node("n2"))));
    }

    static Pod required(String key, String op, String... values) {
        return new PodBuilder(pod("p")).editSpec().withNewAffinity().withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution().addNewNodeSelectorTerm()
                .addNewMatchExpression().withKey(key).withOperator(op).withValues(values).endMatchExpression()
                .endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution()
                .endNodeAffinity().endAffinity().endSpec().build();
    }

    @Test
    void taintToleration() {
        TaintToleration f = new TaintToleration();
        Node tainted = new NodeBuilder(node("n1")).editSpec()
                .addNewTaint().withKey("soft").withValue("x").withEffect("PreferNoSchedule").endTaint()
                .addNewTaint().withKey("dedicated").withValue("gpu").withEffect("NoSchedule").endTaint()
                .endSpec().build();
        assertEquals("node(s) had untolerated taint {dedicated: gpu}", run(f, pod("p"), info(tainted)));
        Pod equal = tolerating("dedicated", "Equal", "gpu");
        assertNull(run(f, equal, info(tainted)));
        assertEquals("node(s) had untolerated taint {dedicated: gpu}",
                run(f, tolerating("dedicated", "Equal", "cpu"), info(tainted)));
        assertNull(run(f, tolerating("dedicated", "Exists", null), info(tainted)));
        assertNull(run(f, tolerating(null, "Exists", null), info(tainted)));
        Node noExecute = new NodeBuilder(node("n1")).editSpec()
                .addNewTaint().withKey("k").withEffect("NoExecute").endTaint().endSpec().build();
        assertEquals("node(s) had untolerated taint {k: }", run(f, pod("p"), info(noExecute)));
    }

    static Pod tolerating(String key, String op, String value) {
        return new PodBuilder(pod("p")).editSpec().addNewToleration()
                .withKey(key).withOperator(op).withValue(value).endToleration().endSpec().build();
    }

    @Test
    void nodePorts() {
        NodePorts f = new NodePorts();
        Pod web = hostPort("web", 8080, null);
        assertNull(run(f, web, info(node("n1"))));
        assertEquals("node(s) didn't have free ports for the requested pod ports",
                run(f, hostPort("other", 8080, "10.0.0.1"), info(node("n1"), web)));
        assertNull(run(f, hostPort("other", 8081, null), info(node("n1"), web)));
        assertNull(run(f, hostPort("b", 9000, "10.0.0.2"), info(node("n1"), hostPort("a", 9000, "10.0.0.1"))));
    }

    static Pod hostPort(String name, int port, String hostIp) {
        return new PodBuilder(pod(name)).editSpec().editFirstContainer().addNewPort()
                .withContainerPort(80).withHostPort(port).withHostIP(hostIp).endPort().endContainer().endSpec().build();
    }

    @Test
    void interPodAffinityAndAntiAffinity() {
        InterPodAffinity f = new InterPodAffinity();
        Pod db = new PodBuilder(pod("db")).editMetadata().addToLabels("app", "db").endMetadata().build();
        NodeInfo n1 = info(node("n1"), db);
        NodeInfo n2 = info(node("n2"));
        Cluster cluster = new Cluster(n1, n2);
        Pod nearDb = new PodBuilder(pod("p")).editSpec().withNewAffinity().withNewPodAffinity()
                .withRequiredDuringSchedulingIgnoredDuringExecution(term("db")).endPodAffinity().endAffinity()
                .endSpec().build();
        assertNull(f.filter(nearDb, n1, cluster));
        assertEquals("node(s) didn't match pod affinity rules", f.filter(nearDb, n2, cluster));
        Pod awayFromDb = new PodBuilder(pod("p")).editSpec().withNewAffinity().withNewPodAntiAffinity()
                .withRequiredDuringSchedulingIgnoredDuringExecution(term("db")).endPodAntiAffinity().endAffinity()
                .endSpec().build();
        assertEquals("node(s) didn't match pod anti-affinity rules", f.filter(awayFromDb, n1, cluster));
        assertNull(f.filter(awayFromDb, n2, cluster));
        // the first pod of a self-affine group goes anywhere
        Pod firstWeb = new PodBuilder(pod("w")).editMetadata().addToLabels("app", "web").endMetadata()
                .editSpec().withNewAffinity().withNewPodAffinity()
                .withRequiredDuringSchedulingIgnoredDuringExecution(term("web")).endPodAffinity().endAffinity()
                .endSpec().build();
        assertNull(f.filter(firstWeb, n2, cluster));
        // an existing pod's anti-affinity keeps the pod away
        Pod loner = new PodBuilder(pod("l")).editSpec().withNewAffinity().withNewPodAntiAffinity()
                .withRequiredDuringSchedulingIgnoredDuringExecution(term("db")).endPodAntiAffinity().endAffinity()
                .endSpec().build();
        NodeInfo n3 = info(node("n3"), loner);
        assertEquals("node(s) didn't satisfy existing pods anti-affinity rules",
                f.filter(db, n3, new Cluster(n3)));
    }

    static PodAffinityTerm term(String app) {
        return new PodAffinityTermBuilder().withTopologyKey("kubernetes.io/hostname")
                .withLabelSelector(new LabelSelectorBuilder().addToMatchLabels("app", app).build()).build();
    }

    @Test
    void podTopologySpreadDoNotSchedule() {
        PodTopologySpread f = new PodTopologySpread();
        Pod w1 = web("w1");
        NodeInfo n1 = info(node("n1"), w1);
        NodeInfo n2 = info(node("n2"));
        Cluster cluster = new Cluster(n1, n2);
        Pod next = spread(web("w2"), "DoNotSchedule");
        assertEquals("node(s) didn't match pod topology spread constraints", f.filter(next, n1, cluster));
        assertNull(f.filter(next, n2, cluster));
        Node unlabelled = new NodeBuilder(node("n3")).editMetadata().withLabels(java.util.Map.of()).endMetadata().build();
        assertEquals("node(s) didn't match pod topology spread constraints (missing required label)",
                f.filter(next, info(unlabelled), cluster));
        assertNull(f.filter(spread(web("w3"), "ScheduleAnyway"), n1, cluster));
    }

    static Pod web(String name) {
        return new PodBuilder(pod(name)).editMetadata().addToLabels("app", "web").endMetadata().build();
    }

    static Pod spread(Pod p, String when) {
        return new PodBuilder(p).editSpec().addNewTopologySpreadConstraint().withMaxSkew(1)
                .withTopologyKey("kubernetes.io/hostname").withWhenUnsatisfiable(when)
                .withLabelSelector(new LabelSelectorBuilder().addToMatchLabels("app", "web").build())
                .endTopologySpreadConstraint().endSpec().build();
    }
}

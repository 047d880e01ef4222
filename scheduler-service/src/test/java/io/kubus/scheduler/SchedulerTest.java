package io.kubus.scheduler;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.kubus.client.api.KubusApi;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.scheduler.framework.NodeInfo;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.quantity.ResourceQuantity;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.kubus.scheduler.TestClusters.await;
import static io.kubus.scheduler.TestClusters.bound;
import static io.kubus.scheduler.TestClusters.node;
import static io.kubus.scheduler.TestClusters.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scheduler against a real gateway, on nodes registered as a node agent registers them (none runs pods). */
class SchedulerTest {
    static GatewayFixture gateway;
    static ApplicationContext scheduler;
    static KubusApi api;

    @BeforeAll
    static void start() {
        gateway = GatewayFixture.start();
        api = new KubusApi(gateway.clientConfig());
        scheduler = TestClusters.scheduler(gateway);
    }

    @AfterAll
    static void stop() {
        scheduler.close();
        api.close();
        gateway.close();
    }

    @Test
    void servesHealthzOnceItsCachesAreFilled() throws Exception {
        int port = scheduler.getBean(io.micronaut.runtime.server.EmbeddedServer.class).getPort();
        // HTTPS with the scheduler's self-signed certificate, and no client certificate: /healthz answers anyone
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newBuilder()
                .sslContext(io.kubus.client.tls.AnyServer.context(null)).build().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://127.0.0.1:" + port + "/healthz")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        org.junit.jupiter.api.Assertions.assertEquals(200, r.statusCode());
        org.junit.jupiter.api.Assertions.assertEquals("ok", r.body());
    }

    @Test
    void aBurstOf1000PodsOnto10NodesNeverOvercommits() throws Exception {
        // Each node takes exactly 100 pods of 100m: any overcommit would show as a node with more.
        for (int i = 0; i < 10; i++) {
            api.create(ResourceTypes.NODES, node("burst-" + i, "10", "64Gi", 110, Map.of("pool", "burst"), List.of()));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> creates = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Pod p = new PodBuilder(pod("burst-" + i, "100m", "16Mi")).editSpec().addToNodeSelector("pool", "burst").endSpec().build();
            creates.add(pool.submit(() -> api.create(ResourceTypes.PODS, p)));
        }
        for (Future<?> f : creates) {
            f.get();
        }
        pool.shutdown();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        List<Pod> pods = List.of();
        while (System.nanoTime() < deadline) {
            pods = api.list(ResourceTypes.PODS, "default", null, null, Pod.class).items().stream()
                    .filter(p -> p.getMetadata().getName().startsWith("burst-")).toList();
            if (pods.stream().allMatch(TestClusters::bound)) {
                break;
            }
            Thread.sleep(250);
        }
        Map<String, ResourceQuantity> cpuPerNode = new HashMap<>();
        Map<String, Integer> countPerNode = new HashMap<>();
        for (Pod p : pods) {
            assertTrue(bound(p), p.getMetadata().getName() + " was not bound");
            cpuPerNode.merge(p.getSpec().getNodeName(), NodeInfo.requestsOf(p).get("cpu"), ResourceQuantity::add);
            countPerNode.merge(p.getSpec().getNodeName(), 1, Integer::sum);
        }
        assertEquals(1000, pods.size());
        for (Map.Entry<String, ResourceQuantity> e : cpuPerNode.entrySet()) {
            assertTrue(e.getValue().compareTo(ResourceQuantity.parse("10")) <= 0, e.getKey() + " overcommitted: " + e.getValue());
        }
        assertEquals(10, countPerNode.size());
        assertTrue(countPerNode.values().stream().allMatch(c -> c == 100), countPerNode.toString());
        Pod one = pods.getFirst();
        PodCondition scheduled = one.getStatus().getConditions().stream().filter(c -> c.getType().equals("PodScheduled"))
                .findFirst().orElseThrow();
        assertEquals("True", scheduled.getStatus());
    }

    @Test
    void nodeSelectorTaintsAndTolerations() throws Exception {
        api.create(ResourceTypes.NODES, node("plain", "4", "8Gi", 110, Map.of("zone", "a"), List.of()));
        api.create(ResourceTypes.NODES, node("ssd", "4", "8Gi", 110, Map.of("zone", "a", "disktype", "ssd"), List.of()));
        api.create(ResourceTypes.NODES, node("gpu", "4", "8Gi", 110, Map.of("zone", "b"),
                List.of(new TaintBuilder().withKey("dedicated").withValue("gpu").withEffect("NoSchedule").build())));

        api.create(ResourceTypes.PODS, new PodBuilder(pod("wants-ssd", "100m", "16Mi")).editSpec()
                .addToNodeSelector("disktype", "ssd").endSpec().build());
        assertEquals("ssd", await(api, "wants-ssd", TestClusters::bound, Duration.ofSeconds(30)).getSpec().getNodeName());

        api.create(ResourceTypes.PODS, new PodBuilder(pod("zone-b-intolerant", "100m", "16Mi")).editSpec()
                .addToNodeSelector("zone", "b").endSpec().build());
        Pod refused = await(api, "zone-b-intolerant", p -> p.getStatus() != null && p.getStatus().getConditions() != null
                && p.getStatus().getConditions().stream().anyMatch(c -> "Unschedulable".equals(c.getReason())
                && c.getMessage() != null && c.getMessage().contains("untolerated taint")), Duration.ofSeconds(30));
        assertTrue(refused.getStatus().getConditions().stream().anyMatch(c -> c.getMessage() != null
                && c.getMessage().contains("node(s) had untolerated taint {dedicated: gpu}")), refused.getStatus().toString());

        api.create(ResourceTypes.PODS, new PodBuilder(pod("zone-b-tolerant", "100m", "16Mi")).editSpec()
                .addToNodeSelector("zone", "b").addNewToleration().withKey("dedicated").withOperator("Equal")
                .withValue("gpu").withEffect("NoSchedule").endToleration().endSpec().build());
        assertEquals("gpu", await(api, "zone-b-tolerant", TestClusters::bound, Duration.ofSeconds(30)).getSpec().getNodeName());
    }

    @Test
    void aReplicaSetsPodsSpreadAcrossNodes() throws Exception {
        for (int i = 0; i < 5; i++) {
            api.create(ResourceTypes.NODES, node("spread-" + i, "8", "16Gi", 110, Map.of("pool", "spread"), List.of()));
        }
        for (int i = 0; i < 10; i++) {
            api.create(ResourceTypes.PODS, new PodBuilder(pod("rs-" + i, "100m", "16Mi")).editMetadata()
                    .addToLabels("app", "web").addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet")
                    .withName("web-abc").withUid("rs-uid-1").withController(true).endOwnerReference().endMetadata()
                    .editSpec().addToNodeSelector("pool", "spread").endSpec().build());
            await(api, "rs-" + i, TestClusters::bound, Duration.ofSeconds(30));
        }
        Map<String, Integer> perNode = new HashMap<>();
        for (int i = 0; i < 10; i++) {
            perNode.merge(api.get(ResourceTypes.PODS, "default", "rs-" + i, Pod.class).orElseThrow().getSpec().getNodeName(), 1, Integer::sum);
        }
        assertEquals(5, perNode.size(), perNode.toString());
        assertTrue(perNode.values().stream().allMatch(c -> c == 2), perNode.toString());
    }

    @Test
    void aPodThatFitsNowhereSaysWhyAndIsPlacedOnceANodeFits() throws Exception {
        api.create(ResourceTypes.NODES, node("small-1", "2", "4Gi", 110, Map.of("pool", "small"), List.of()));
        api.create(ResourceTypes.NODES, node("small-2", "2", "4Gi", 110, Map.of("pool", "small"), List.of()));
        api.create(ResourceTypes.PODS, new PodBuilder(pod("big", "6", "1Gi")).editSpec()
                .addToNodeSelector("pool", "small").endSpec().build());
        // The first attempt may come before the scheduler has seen the second node; a later one reports both.
        Pod pending = await(api, "big", p -> p.getStatus() != null && p.getStatus().getConditions() != null
                && p.getStatus().getConditions().stream().anyMatch(c -> "Unschedulable".equals(c.getReason())
                && c.getMessage() != null && c.getMessage().contains("2 Insufficient cpu")), Duration.ofSeconds(30));
        PodCondition c = pending.getStatus().getConditions().stream().filter(x -> x.getType().equals("PodScheduled")).findFirst().orElseThrow();
        assertEquals("False", c.getStatus());
        assertTrue(c.getMessage().startsWith("0/") && c.getMessage().contains("2 Insufficient cpu"), c.getMessage());
        List<Event> events = eventsOnceOneIs("big", "FailedScheduling");
        assertTrue(events.stream().anyMatch(e -> "FailedScheduling".equals(e.getReason()) && "Warning".equals(e.getType())
                && e.getMessage().contains("Insufficient cpu")), events.toString());

        api.create(ResourceTypes.NODES, node("large", "8", "16Gi", 110, Map.of("pool", "small"), List.of()));
        Pod placed = await(api, "big", TestClusters::bound, Duration.ofSeconds(30));
        assertEquals("large", placed.getSpec().getNodeName());
        // The Scheduled event is recorded just after the binding: wait for it.
        List<Event> after = eventsOnceOneIs("big", "Scheduled");
        assertTrue(after.stream().anyMatch(e -> "Scheduled".equals(e.getReason())
                && e.getMessage().equals("Successfully assigned default/big to large")), after.toString());
    }

    @Test
    void aFinishedPodLeavesItsRoomToTheNextPod() throws Exception {
        api.create(ResourceTypes.NODES, node("batch-1", "1", "4Gi", 110, Map.of("pool", "batch"), List.of()));
        api.create(ResourceTypes.PODS, new PodBuilder(pod("batch-a", "1", "1Gi")).editSpec()
                .addToNodeSelector("pool", "batch").endSpec().build());
        await(api, "batch-a", TestClusters::bound, Duration.ofSeconds(30));
        api.create(ResourceTypes.PODS, new PodBuilder(pod("batch-b", "1", "1Gi")).editSpec()
                .addToNodeSelector("pool", "batch").endSpec().build());
        await(api, "batch-b", p -> p.getStatus() != null && p.getStatus().getConditions() != null
                && p.getStatus().getConditions().stream().anyMatch(c -> "Unschedulable".equals(c.getReason())
                && c.getMessage() != null && c.getMessage().contains("Insufficient cpu")), Duration.ofSeconds(30));

        // as a node agent reports a container that exited 0 under restartPolicy Never
        KubusApi.retryOnConflict(() -> api.updateStatus(ResourceTypes.PODS, new PodBuilder(api.get(ResourceTypes.PODS,
                "default", "batch-a", Pod.class).orElseThrow()).editOrNewStatus().withPhase("Succeeded").endStatus().build()));
        assertEquals("batch-1", await(api, "batch-b", TestClusters::bound, Duration.ofSeconds(30)).getSpec().getNodeName());
    }

    @Test
    void aClaimWaitingForItsFirstConsumerGetsThePodsNodeAndABoundVolumeKeepsThePodOnItsNode() throws Exception {
        // only store-1 has published where its local-path volumes live
        api.create(ResourceTypes.NODES, new io.fabric8.kubernetes.api.model.NodeBuilder(node("store-1", "4", "8Gi", 110,
                Map.of("pool", "store"), List.of())).editMetadata()
                .addToAnnotations(io.kubus.schema.storage.LocalPath.ROOT_ANNOTATION, "/var/lib/kubus/storage").endMetadata().build());
        api.create(ResourceTypes.NODES, node("store-2", "4", "8Gi", 110, Map.of("pool", "store"), List.of()));
        api.create(ResourceTypes.PERSISTENTVOLUMECLAIMS, new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder()
                .withNewMetadata().withName("data").withNamespace("default").endMetadata().withNewSpec()
                .withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage", new io.fabric8.kubernetes.api.model.Quantity("1Gi"))
                .endResources().endSpec().build());
        api.create(ResourceTypes.PODS, withClaim(pod("uses-data", "100m", "64Mi"), "data"));
        assertEquals("store-1", await(api, "uses-data", TestClusters::bound, Duration.ofSeconds(30)).getSpec().getNodeName());
        var claim = api.get(ResourceTypes.PERSISTENTVOLUMECLAIMS, "default", "data",
                io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class).orElseThrow();
        assertEquals("local-path", claim.getSpec().getStorageClassName(), "the default class");
        assertEquals("store-1", claim.getMetadata().getAnnotations().get(io.kubus.schema.storage.LocalPath.SELECTED_NODE_ANNOTATION));

        // a claim bound to a volume that lives on store-2 takes its pods there
        api.create(ResourceTypes.PERSISTENTVOLUMES, new io.fabric8.kubernetes.api.model.PersistentVolumeBuilder()
                .withNewMetadata().withName("on-store-2").endMetadata().withNewSpec()
                .addToCapacity("storage", new io.fabric8.kubernetes.api.model.Quantity("1Gi")).withAccessModes("ReadWriteOnce")
                .withNewHostPath().withPath("/tmp/x").endHostPath().withStorageClassName("")
                .withNewNodeAffinity().withNewRequired().addNewNodeSelectorTerm().addNewMatchExpression()
                .withKey("kubernetes.io/hostname").withOperator("In").withValues("store-2").endMatchExpression()
                .endNodeSelectorTerm().endRequired().endNodeAffinity().endSpec().build());
        api.create(ResourceTypes.PERSISTENTVOLUMECLAIMS, new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder()
                .withNewMetadata().withName("pinned").withNamespace("default").endMetadata().withNewSpec()
                .withAccessModes("ReadWriteOnce").withStorageClassName("").withVolumeName("on-store-2").withNewResources()
                .addToRequests("storage", new io.fabric8.kubernetes.api.model.Quantity("1Gi")).endResources().endSpec().build());
        for (int i = 0; i < 3; i++) {
            api.create(ResourceTypes.PODS, withClaim(new PodBuilder(pod("uses-pinned-" + i, "100m", "64Mi")).editSpec()
                    .addToNodeSelector("pool", "store").endSpec().build(), "pinned"));
            assertEquals("store-2", await(api, "uses-pinned-" + i, TestClusters::bound, Duration.ofSeconds(30))
                    .getSpec().getNodeName());
        }

        // a pod whose claim does not exist waits, saying so
        api.create(ResourceTypes.PODS, withClaim(pod("uses-missing", "100m", "64Mi"), "missing"));
        Pod waiting = await(api, "uses-missing", p -> p.getStatus() != null && p.getStatus().getConditions() != null
                && p.getStatus().getConditions().stream().anyMatch(c -> c.getMessage() != null
                && c.getMessage().contains("persistentvolumeclaim \"missing\" not found")), Duration.ofSeconds(30));
        assertTrue(!TestClusters.bound(waiting));
    }

    /**
     * The events about pod {@code name} once one has {@code reason}, or as they are after 30 s. Events go out on the
     * recorder's one background sender, behind earlier ones: they are waited for as long as a binding.
     */
    private static List<Event> eventsOnceOneIs(String name, String reason) throws InterruptedException {
        List<Event> events = List.of();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline && events.stream().noneMatch(e -> reason.equals(e.getReason()))) {
            events = api.list(ResourceTypes.EVENTS, "default", null, "involvedObject.name=" + name, Event.class).items();
            Thread.sleep(100);
        }
        return events;
    }

    private static Pod withClaim(Pod pod, String claim) {
        return new PodBuilder(pod).editSpec().addNewVolume().withName("data").withNewPersistentVolumeClaim()
                .withClaimName(claim).endPersistentVolumeClaim().endVolume().endSpec().build();
    }
}

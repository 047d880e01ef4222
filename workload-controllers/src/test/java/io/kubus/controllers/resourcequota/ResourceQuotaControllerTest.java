package io.kubus.controllers.resourcequota;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.kubus.client.api.KubusApiException;
import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.SimulatedCluster;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Quotas in a whole cluster: the controller fills in what a quota limits and what its namespace uses, the gateway's
 * ResourceQuota admission refuses what would pass a limit and charges what it admits, and the controller gives back
 * what deleted or finished pods used.
 */
class ResourceQuotaControllerTest {
    @RegisterExtension
    static final SimulatedCluster cluster = new SimulatedCluster("quota-node", 1);

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aQuotaOfTwoPodsRefusesTheThirdUntilADeleteFreesASlot() throws Exception {
        String ns = "two-pods";
        cluster.kubectl().run("create", "namespace", ns).ok();
        createQuota(ns, "q", Map.of("pods", "2", "count/configmaps", "5"));
        // the namespace's kube-root-ca.crt counts, as on Kubernetes
        awaitUsed(ns, "q", Map.of("pods", "0", "count/configmaps", "1"));

        cluster.api().create(ResourceTypes.PODS, pod(ns, "p1", null));
        cluster.api().create(ResourceTypes.PODS, pod(ns, "p2", null));
        KubusApiException refused = assertThrows(KubusApiException.class,
                () -> cluster.api().create(ResourceTypes.PODS, pod(ns, "p3", null)));
        assertEquals(403, refused.code());
        assertEquals("pods \"p3\" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2",
                refused.statusMessage());
        assertEquals(Optional.empty(), cluster.api().get(ResourceTypes.PODS, ns, "p3", Pod.class), "nothing stored");
        awaitUsed(ns, "q", Map.of("pods", "2", "count/configmaps", "1"));

        cluster.api().delete(ResourceTypes.PODS, ns, "p1", 0L, null);
        awaitUsed(ns, "q", Map.of("pods", "1", "count/configmaps", "1"));
        cluster.api().create(ResourceTypes.PODS, pod(ns, "p3", null));
        awaitUsed(ns, "q", Map.of("pods", "2", "count/configmaps", "1"));
    }

    @Test
    void aCpuQuotaCountsRequestsAndWantsThemStated() throws Exception {
        String ns = "cpu";
        cluster.kubectl().run("create", "namespace", ns).ok();
        createQuota(ns, "compute", Map.of("requests.cpu", "1", "limits.memory", "1Gi"));
        awaitUsed(ns, "compute", Map.of("requests.cpu", "0", "limits.memory", "0"));

        KubusApiException unstated = assertThrows(KubusApiException.class,
                () -> cluster.api().create(ResourceTypes.PODS, pod(ns, "bare", null)));
        assertEquals("pods \"bare\" is forbidden: failed quota: compute: must specify limits.memory for: app; "
                + "requests.cpu for: app", unstated.statusMessage());

        cluster.api().create(ResourceTypes.PODS, pod(ns, "a", "600m"));
        awaitUsed(ns, "compute", Map.of("requests.cpu", "600m", "limits.memory", "64Mi"));
        KubusApiException over = assertThrows(KubusApiException.class,
                () -> cluster.api().create(ResourceTypes.PODS, pod(ns, "b", "600m")));
        assertEquals("pods \"b\" is forbidden: exceeded quota: compute, requested: requests.cpu=600m, "
                + "used: requests.cpu=600m, limited: requests.cpu=1", over.statusMessage());
        cluster.api().create(ResourceTypes.PODS, pod(ns, "c", "400m"));
        awaitUsed(ns, "compute", Map.of("requests.cpu", "1", "limits.memory", "128Mi"));
    }

    @Test
    void aChangedLimitShowsInTheStatusAndAFinishedPodNoLongerCounts() throws Exception {
        String ns = "finish";
        cluster.kubectl().run("create", "namespace", ns).ok();
        createQuota(ns, "q", Map.of("pods", "1"));
        awaitUsed(ns, "q", Map.of("pods", "0"));
        Pod once = pod(ns, "once", null);
        once.getSpec().setRestartPolicy("Never");
        // the simulated runtime ends the container after 200 ms, successfully
        once.getMetadata().setAnnotations(Map.of("sim.kubus.io/exit-after-ms", "200", "sim.kubus.io/exit-code", "0"));
        cluster.api().create(ResourceTypes.PODS, once);
        // the simulated node runs it to completion; a Succeeded pod uses no pods quota
        Await.until(WAIT, "the pod to succeed", () -> cluster.api().get(ResourceTypes.PODS, ns, "once", Pod.class)
                .map(p -> p.getStatus().getPhase()).orElse(""), "Succeeded"::equals);
        awaitUsed(ns, "q", Map.of("pods", "0"));

        ResourceQuota q = cluster.api().get(ResourceTypes.RESOURCEQUOTAS, ns, "q", ResourceQuota.class).orElseThrow();
        q.getSpec().setHard(Map.of("pods", new Quantity("3")));
        cluster.api().update(ResourceTypes.RESOURCEQUOTAS, q);
        ResourceQuota seen = Await.until(WAIT, "status.hard to follow the spec",
                () -> cluster.api().get(ResourceTypes.RESOURCEQUOTAS, ns, "q", ResourceQuota.class).orElseThrow(),
                r -> "3".equals(text(r.getStatus().getHard().get("pods"))));
        assertTrue(seen.getStatus().getUsed().containsKey("pods"));
    }

    @Test
    void aReplicaSetPastItsQuotaSaysWhyAndCatchesUpWhenTheQuotaGrows() throws Exception {
        String ns = "rs";
        cluster.kubectl().run("create", "namespace", ns).ok();
        createQuota(ns, "q", Map.of("pods", "2"));
        awaitUsed(ns, "q", Map.of("pods", "0"));
        Path manifest = Files.writeString(cluster.dir().resolve("rs.yaml"), """
                apiVersion: apps/v1
                kind: ReplicaSet
                metadata: {name: web}
                spec:
                  replicas: 3
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec: {containers: [{name: app, image: kubus/busybox:1}]}
                """);
        cluster.kubectl().run("apply", "-n", ns, "-f", manifest.toString()).ok();
        String described = Await.until(WAIT, "the ReplicaSet to say why its third pod is missing",
                () -> cluster.kubectl().run("describe", "rs", "web", "-n", ns).ok().out(),
                out -> out.contains("ReplicaFailure") && out.contains("FailedCreate"));
        assertTrue(described.contains("exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2"), described);
        assertEquals(2, cluster.api().list(ResourceTypes.PODS, ns, null, null, Pod.class).items().size());

        ResourceQuota q = cluster.api().get(ResourceTypes.RESOURCEQUOTAS, ns, "q", ResourceQuota.class).orElseThrow();
        q.getSpec().setHard(Map.of("pods", new Quantity("3")));
        cluster.api().update(ResourceTypes.RESOURCEQUOTAS, q);
        Await.until(WAIT, "the third pod once the quota allows it",
                () -> cluster.api().list(ResourceTypes.PODS, ns, null, null, Pod.class).items().size(), n -> n == 3);
        awaitUsed(ns, "q", Map.of("pods", "3"));
    }

    private static void createQuota(String ns, String name, Map<String, String> hard) {
        ResourceQuotaBuilder b = new ResourceQuotaBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .withNewSpec().endSpec();
        ResourceQuota q = b.build();
        hard.forEach((k, v) -> q.getSpec().getHard().put(k, new Quantity(v)));
        cluster.api().create(ResourceTypes.RESOURCEQUOTAS, q);
    }

    private static void awaitUsed(String ns, String name, Map<String, String> used) throws InterruptedException {
        Await.until(WAIT, "quota " + ns + "/" + name + " used " + used,
                () -> cluster.api().get(ResourceTypes.RESOURCEQUOTAS, ns, name, ResourceQuota.class).orElseThrow().getStatus(),
                s -> s != null && s.getUsed() != null && s.getUsed().size() == used.size() && used.entrySet().stream()
                        .allMatch(e -> e.getValue().equals(text(s.getUsed().get(e.getKey())))));
    }

    /** A pod of one container; with {@code cpu}, requesting that much cpu and limited to 64Mi of memory. */
    private static Pod pod(String ns, String name, String cpu) {
        Pod pod = new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("kubus/busybox:1").withCommand("sleep", "3600")
                .endContainer().endSpec().build();
        if (cpu != null) {
            pod.getSpec().getContainers().getFirst().setResources(new ResourceRequirementsBuilder()
                    .addToRequests("cpu", new Quantity(cpu)).addToLimits("memory", new Quantity("64Mi")).build());
        }
        return pod;
    }

    private static String text(Quantity q) {
        return q == null ? null : q.getAmount() + (q.getFormat() == null ? "" : q.getFormat());
    }
}

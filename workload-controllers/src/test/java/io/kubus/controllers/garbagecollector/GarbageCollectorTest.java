package io.kubus.controllers.garbagecollector;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.kubus.client.api.PatchKind;
import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.SimulatedCluster;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The garbage collector in a whole cluster (gateway, Kafka, scheduler, simulated nodes, controllers), driven the way a
 * user drives it: owners and dependents with hand-made ownerReferences, deleted with kubectl's three cascades.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GarbageCollectorTest {
    @RegisterExtension
    static final SimulatedCluster cluster = new SimulatedCluster("gc-node", 2);

    private static final Duration WAIT = Duration.ofSeconds(60);

    private final AtomicInteger counter = new AtomicInteger();

    @Test
    void backgroundDeletionCollectsDependentsLevelByLevel() throws InterruptedException {
        String ns = namespace();
        ConfigMap owner = configMap(ns, "owner");
        ConfigMap mid = configMap(ns, "mid", ref(owner, false));
        Pod pod = runningPod(ns, "pod", ref(mid, true));
        configMap(ns, "direct", ref(owner, true));
        configMap(ns, "bystander");

        assertTrue(cluster.kubectl().run("delete", "configmap", "owner", "-n", ns).ok().out().contains("configmap \"owner\" deleted"));

        awaitGone(ns, "configmaps", "direct");
        awaitGone(ns, "configmaps", "mid");
        awaitGone(ns, "pods", pod.getMetadata().getName()); // stopped by its node's agent, then gone
        assertTrue(get(ns, "configmaps", "bystander").isPresent(), "an object without owners is never collected");
    }

    @Test
    void orphanCascadeKeepsDependentsAndRemovesOnlyTheOwnersReference() throws InterruptedException {
        String ns = namespace();
        ConfigMap owner = configMap(ns, "owner");
        ConfigMap other = configMap(ns, "other");
        configMap(ns, "only", ref(owner, true));
        configMap(ns, "shared", ref(owner, true), ref(other, false));
        runningPod(ns, "pod", ref(owner, true));

        cluster.kubectl().run("delete", "configmap", "owner", "-n", ns, "--cascade=orphan").ok();

        awaitGone(ns, "configmaps", "owner"); // the collector removed its orphan finalizer after the dependents' refs
        assertEquals(List.of(), refs(get(ns, "configmaps", "only").orElseThrow()));
        assertEquals(List.of(other.getMetadata().getUid()),
                refs(get(ns, "configmaps", "shared").orElseThrow()).stream().map(OwnerReference::getUid).toList());
        Pod pod = (Pod) get(ns, "pods", "pod").orElseThrow();
        assertEquals(List.of(), refs(pod));
        assertEquals("Running", pod.getStatus().getPhase());
    }

    @Test
    void foregroundCascadeKeepsTheOwnerUntilItsBlockingDependentsAreGone() throws InterruptedException {
        String ns = namespace();
        ConfigMap owner = configMap(ns, "owner");
        // owner -> mid -> {pod, held}: the shape of Deployment -> ReplicaSet -> Pod, with a dependent the test holds.
        ConfigMap mid = configMap(ns, "mid", ref(owner, true));
        Pod pod = runningPod(ns, "pod", ref(mid, true));
        configMap(ns, "held", List.of("example.com/hold"), ref(mid, true));

        cluster.kubectl().run("delete", "configmap", "owner", "-n", ns, "--cascade=foreground", "--wait=false").ok();

        awaitTerminating(ns, "held");
        awaitGone(ns, "pods", pod.getMetadata().getName());
        // Both owners wait, deleting their dependents in the foreground, as kubectl shows them.
        for (String name : List.of("owner", "mid")) {
            String shown = cluster.kubectl().run("get", "configmap", name, "-n", ns, "-o",
                    "jsonpath={.metadata.deletionTimestamp} {.metadata.finalizers}").ok().out();
            assertTrue(shown.matches("\\d{4}-\\d\\d-\\d\\dT\\S+Z \\[\"foregroundDeletion\"]"), name + ": " + shown);
        }

        release(ns, "held");

        awaitGone(ns, "configmaps", "held");
        awaitGone(ns, "configmaps", "mid");
        awaitGone(ns, "configmaps", "owner");
    }

    @Test
    void aReplicaSetGoesAfterItsPodsAndItsOwnerAfterItInTheForeground() throws InterruptedException {
        String ns = namespace();
        // A config map stands for the Deployment: the ReplicaSet controller makes the pods, the test the rest.
        ConfigMap owner = configMap(ns, "app");
        cluster.api().create(ResourceTypes.REPLICASETS, new ReplicaSetBuilder().withNewMetadata().withName("app-rs").withNamespace(ns)
                .withOwnerReferences(ref(owner, true)).endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", "fg").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "fg").endMetadata().withNewSpec()
                .addNewContainer().withName("app").withImage("kubus/busybox:1").endContainer().endSpec().endTemplate()
                .endSpec().build());
        Await.until(WAIT, "2 pods of app-rs running", () -> pods(ns),
                pods -> pods.size() == 2 && pods.stream().allMatch(p -> "Running".equals(p.getStatus().getPhase())));

        cluster.kubectl().run("delete", "configmap", "app", "-n", ns, "--cascade=foreground", "--wait=false").ok();

        // Sampled in this order every time: the owner, then the replica set, then the pods. None may go before what
        // it owns.
        long deadline = System.nanoTime() + WAIT.toNanos();
        boolean ownerGone = false;
        while (!ownerGone) {
            assertTrue(System.nanoTime() < deadline, "foreground deletion unfinished: " + pods(ns).size() + " pods");
            ownerGone = get(ns, "configmaps", "app").isEmpty();
            boolean rsGone = cluster.api().get(ResourceTypes.REPLICASETS, ns, "app-rs", ReplicaSet.class).isEmpty();
            int pods = pods(ns).size();
            assertTrue(!ownerGone || rsGone, "the owner went before its replica set");
            assertTrue(!rsGone || pods == 0, "the replica set went before its pods: " + pods + " left");
            Thread.sleep(50);
        }
    }

    @Test
    void aDependentWithTwoOwnersOutlivesOneAndGoesWithTheOther() throws InterruptedException {
        String ns = namespace();
        ConfigMap first = configMap(ns, "first");
        ConfigMap second = configMap(ns, "second");
        configMap(ns, "both", ref(first, true), ref(second, true));

        cluster.api().delete(ResourceTypes.CONFIGMAPS, ns, "first", null, null);

        // Kubernetes drops the dangling reference of a dependent that keeps a live owner.
        HasMetadata both = Await.until(WAIT, "the reference to the deleted owner removed",
                () -> get(ns, "configmaps", "both").orElseThrow(), o -> refs(o).size() == 1);
        assertEquals(second.getMetadata().getUid(), refs(both).getFirst().getUid());

        cluster.api().delete(ResourceTypes.CONFIGMAPS, ns, "second", null, null);
        awaitGone(ns, "configmaps", "both");
    }

    @Test
    void aDependentOfAnEarlierOwnerOfTheSameNameIsCollected() throws InterruptedException {
        String ns = namespace();
        ConfigMap earlier = configMap(ns, "owner");
        cluster.api().delete(ResourceTypes.CONFIGMAPS, ns, "owner", null, null);
        awaitGone(ns, "configmaps", "owner");
        ConfigMap now = configMap(ns, "owner");
        // Created after the earlier owner is gone, naming it: only its uid tells it from the owner there now.
        configMap(ns, "stale", ref(earlier, true));
        configMap(ns, "current", ref(now, true));

        awaitGone(ns, "configmaps", "stale");
        assertTrue(get(ns, "configmaps", "current").isPresent(), "the dependent of the live owner stays");
    }

    @Test
    void aForegroundDeletionInterruptedByARestartOfTheControllersFinishes() throws InterruptedException {
        String ns = namespace();
        ConfigMap owner = configMap(ns, "owner");
        Pod pod = runningPod(ns, "pod", ref(owner, true));
        configMap(ns, "held", List.of("example.com/hold"), ref(owner, true));
        cluster.kubectl().run("delete", "configmap", "owner", "-n", ns, "--cascade=foreground", "--wait=false").ok();
        awaitTerminating(ns, "held");
        awaitGone(ns, "pods", pod.getMetadata().getName());

        cluster.fixture().stopControllers();
        try {
            release(ns, "held");
            awaitGone(ns, "configmaps", "held");
            ConfigMap waiting = (ConfigMap) get(ns, "configmaps", "owner").orElseThrow();
            assertEquals(List.of(GarbageCollector.FOREGROUND), waiting.getMetadata().getFinalizers(),
                    "nothing but the collector lets the owner go");
        } finally {
            cluster.fixture().startControllers();
        }
        awaitGone(ns, "configmaps", "owner");
    }

    @Test
    void aCustomObjectOwnsAConfigMapAndItsDeletionCollectsIt() throws Exception {
        String ns = namespace();
        Path crd = cluster.dir().resolve("gadgets-crd.yaml");
        Files.writeString(crd, """
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata:
                  name: gadgets.gc.example.com
                spec:
                  group: gc.example.com
                  scope: Namespaced
                  names: {plural: gadgets, singular: gadget, kind: Gadget}
                  versions:
                  - name: v1
                    served: true
                    storage: true
                    schema:
                      openAPIV3Schema:
                        type: object
                        x-kubernetes-preserve-unknown-fields: true
                """);
        cluster.kubectl().run("apply", "-f", crd.toString()).ok();
        cluster.kubectl().run(60, "wait", "--for=condition=Established", "crd/gadgets.gc.example.com", "--timeout=30s").ok();
        Path gadget = cluster.dir().resolve("gadget.yaml");
        Files.writeString(gadget, "apiVersion: gc.example.com/v1\nkind: Gadget\nmetadata:\n  name: g1\n  namespace: " + ns
                + "\nspec:\n  size: 1\n");
        cluster.kubectl().run("apply", "-f", gadget.toString()).ok();
        String uid = cluster.kubectl().run("get", "gadget", "g1", "-n", ns, "-o", "jsonpath={.metadata.uid}").ok().out().trim();
        OwnerReference byGadget = new OwnerReferenceBuilder().withApiVersion("gc.example.com/v1").withKind("Gadget")
                .withName("g1").withUid(uid).withBlockOwnerDeletion(true).build();
        configMap(ns, "owned", byGadget);
        configMap(ns, "bystander");
        Thread.sleep(2_000);
        assertTrue(get(ns, "configmaps", "owned").isPresent(), "a live custom owner keeps its dependent");

        cluster.kubectl().run("delete", "gadget", "g1", "-n", ns).ok();
        awaitGone(ns, "configmaps", "owned");
        assertTrue(get(ns, "configmaps", "bystander").isPresent());

        // foreground: the custom owner waits for its dependent
        cluster.kubectl().run("apply", "-f", gadget.toString()).ok();
        String uid2 = cluster.kubectl().run("get", "gadget", "g1", "-n", ns, "-o", "jsonpath={.metadata.uid}").ok().out().trim();
        configMap(ns, "owned2", new OwnerReferenceBuilder().withApiVersion("gc.example.com/v1").withKind("Gadget")
                .withName("g1").withUid(uid2).withBlockOwnerDeletion(true).build());
        cluster.kubectl().run(60, "delete", "gadget", "g1", "-n", ns, "--cascade=foreground", "--timeout=30s").ok();
        assertTrue(get(ns, "configmaps", "owned2").isEmpty(), "the foreground delete returned after its dependent went");

        // a namespace's custom objects are its content: deleting it deletes them, and then it goes
        cluster.kubectl().run("apply", "-f", gadget.toString()).ok();
        cluster.kubectl().run(90, "delete", "namespace", ns, "--timeout=60s").ok();
        assertEquals(404, cluster.fixture().gateway().request("GET", "/apis/gc.example.com/v1/namespaces/" + ns
                + "/gadgets/g1", null, (String) null).status());
        cluster.kubectl().run(60, "delete", "crd", "gadgets.gc.example.com", "--timeout=30s").ok();
    }

    // ---- helpers ----

    private String namespace() {
        String name = "gc-" + counter.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 6);
        cluster.api().create(ResourceTypes.NAMESPACES, new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build());
        return name;
    }

    private ConfigMap configMap(String ns, String name, OwnerReference... owners) {
        return configMap(ns, name, List.of(), owners);
    }

    private ConfigMap configMap(String ns, String name, List<String> finalizers, OwnerReference... owners) {
        return cluster.api().create(ResourceTypes.CONFIGMAPS, new ConfigMapBuilder().withNewMetadata().withName(name)
                .withNamespace(ns).withFinalizers(finalizers).withOwnerReferences(owners).endMetadata()
                .addToData("k", "v").build());
    }

    /** A pod owned as given, once it runs on a simulated node. */
    private Pod runningPod(String ns, String name, OwnerReference... owners) throws InterruptedException {
        cluster.api().create(ResourceTypes.PODS, new PodBuilder().withNewMetadata().withName(name).withNamespace(ns)
                .withOwnerReferences(owners).endMetadata()
                .withNewSpec().withTerminationGracePeriodSeconds(5L)
                .addNewContainer().withName("app").withImage("kubus/busybox:1").endContainer().endSpec().build());
        return (Pod) Await.until(WAIT, "pod " + ns + "/" + name + " running", () -> get(ns, "pods", name).orElseThrow(),
                p -> "Running".equals(((Pod) p).getStatus().getPhase()));
    }

    private List<Pod> pods(String ns) {
        return cluster.api().list(ResourceTypes.PODS, ns, null, null, Pod.class).items();
    }

    private static OwnerReference ref(HasMetadata owner, boolean blockOwnerDeletion) {
        return new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                .withBlockOwnerDeletion(blockOwnerDeletion).build();
    }

    private Optional<HasMetadata> get(String ns, String plural, String name) {
        return plural.equals("pods") ? cluster.api().get(ResourceTypes.PODS, ns, name, Pod.class).map(p -> p)
                : cluster.api().get(ResourceTypes.CONFIGMAPS, ns, name, ConfigMap.class).map(c -> c);
    }

    private static List<OwnerReference> refs(HasMetadata object) {
        List<OwnerReference> refs = object.getMetadata().getOwnerReferences();
        return refs == null ? List.of() : refs;
    }

    private void awaitGone(String ns, String plural, String name) throws InterruptedException {
        Await.until(WAIT, plural + " " + ns + "/" + name + " gone", () -> get(ns, plural, name), Optional::isEmpty);
    }

    private void awaitTerminating(String ns, String configMap) throws InterruptedException {
        Await.until(WAIT, "configmap " + ns + "/" + configMap + " being deleted", () -> get(ns, "configmaps", configMap),
                c -> c.isPresent() && c.get().getMetadata().getDeletionTimestamp() != null);
    }

    /** Removes the test's hold finalizer, as the controller owning it would. */
    private void release(String ns, String configMap) {
        ConfigMap held = cluster.api().patch(ResourceTypes.CONFIGMAPS, ns, configMap, PatchKind.MERGE,
                "{\"metadata\":{\"finalizers\":null}}", false, ConfigMap.class);
        assertNotNull(held);
    }
}

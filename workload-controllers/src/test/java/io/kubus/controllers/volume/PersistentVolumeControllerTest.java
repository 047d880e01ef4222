package io.kubus.controllers.volume;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.kubus.client.api.PatchKind;
import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.SimulatedCluster;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.pod.PodPhases;
import io.kubus.schema.storage.LocalPath;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PersistentVolume controller on a cluster of two simulated nodes: static binding (smallest fit, class, access
 * modes, selector, volumeName, a pre-bound volume), WaitForFirstConsumer claims provisioned by local-path once their
 * node is chosen, Released volumes retained or deleted, the protection finalizers, and a controller restart halfway.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PersistentVolumeControllerTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String ROOT = "/var/lib/kubus/storage";

    @RegisterExtension
    static final SimulatedCluster cluster = new SimulatedCluster("pv", 2);

    private static PersistentVolume volume(String name, String size, String className, List<String> modes,
                                           String reclaim, Map<String, String> labels) {
        return new PersistentVolumeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withCapacity(Map.of("storage", new Quantity(size))).withAccessModes(modes)
                .withStorageClassName(className).withPersistentVolumeReclaimPolicy(reclaim)
                .withNewHostPath("/srv/" + name, "DirectoryOrCreate").endSpec().build();
    }

    private static PersistentVolume createVolume(PersistentVolume v) {
        return cluster.api().create(ResourceTypes.PERSISTENTVOLUMES, v);
    }

    private static PersistentVolumeClaimBuilder claimBuilder(String name, String size, String className,
                                                             List<String> modes) {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withName(name).withNamespace("default")
                .endMetadata().withNewSpec().withAccessModes(modes).withStorageClassName(className)
                .withNewResources().withRequests(Map.of("storage", new Quantity(size))).endResources().endSpec();
    }

    private static PersistentVolumeClaim createClaim(PersistentVolumeClaim c) {
        return cluster.api().create(ResourceTypes.PERSISTENTVOLUMECLAIMS, c);
    }

    private static Optional<PersistentVolumeClaim> claim(String name) {
        return cluster.api().get(ResourceTypes.PERSISTENTVOLUMECLAIMS, "default", name, PersistentVolumeClaim.class);
    }

    private static Optional<PersistentVolume> pv(String name) {
        return cluster.api().get(ResourceTypes.PERSISTENTVOLUMES, null, name, PersistentVolume.class);
    }

    private static String phase(PersistentVolumeClaim c) {
        return c.getStatus() == null ? null : c.getStatus().getPhase();
    }

    private static String phase(PersistentVolume v) {
        return v.getStatus() == null ? null : v.getStatus().getPhase();
    }

    /** Waits until the claim is Bound, and its volume too; returns the volume. */
    private static PersistentVolume awaitBound(String claimName) throws InterruptedException {
        PersistentVolumeClaim c = Await.until(WAIT, "claim " + claimName + " Bound", () -> claim(claimName).orElseThrow(),
                x -> "Bound".equals(phase(x)), x -> x.getSpec() + " " + x.getStatus());
        return Await.until(WAIT, "volume of " + claimName + " Bound", () -> pv(c.getSpec().getVolumeName()).orElseThrow(),
                v -> "Bound".equals(phase(v)), v -> v.getSpec().getClaimRef() + " " + v.getStatus());
    }

    private static List<Event> events(String involved) {
        return cluster.api().list(ResourceTypes.EVENTS, "default", null, "involvedObject.name=" + involved, Event.class)
                .items();
    }

    private static Event awaitEvent(String involved, String reason) throws InterruptedException {
        return Await.until(WAIT, "event " + reason + " on " + involved, () -> events(involved),
                l -> l.stream().anyMatch(e -> reason.equals(e.getReason())),
                l -> l.stream().map(e -> e.getReason() + ": " + e.getMessage()).toList().toString())
                .stream().filter(e -> reason.equals(e.getReason())).findFirst().orElseThrow();
    }

    private static void annotateNode(String node, String key, String value) {
        cluster.api().patch(ResourceTypes.NODES, null, node, PatchKind.MERGE,
                "{\"metadata\":{\"annotations\":{\"" + key + "\":\"" + value + "\"}}}", false, Node.class);
    }

    private static void selectNode(String claimName, String node) {
        cluster.api().patch(ResourceTypes.PERSISTENTVOLUMECLAIMS, "default", claimName, PatchKind.MERGE,
                "{\"metadata\":{\"annotations\":{\"" + LocalPath.SELECTED_NODE_ANNOTATION + "\":\"" + node
                        + "\"}}}", false, PersistentVolumeClaim.class);
    }

    private static void localPathClass(String name, String bindingMode) {
        StorageClass sc = new StorageClassBuilder().withNewMetadata().withName(name).endMetadata()
                .withProvisioner(LocalPath.PROVISIONER).withVolumeBindingMode(bindingMode)
                .withReclaimPolicy("Delete").build();
        cluster.api().create(ResourceTypes.STORAGECLASSES, sc);
    }

    private static void deleteClaim(String name) {
        cluster.api().deleteIfExists(ResourceTypes.PERSISTENTVOLUMECLAIMS, "default", name, null, null);
    }

    private static final List<String> RWO = List.of("ReadWriteOnce");

    /** The helper pod that removes a deleted local-path volume's folder, once it runs on {@code node}. */
    private static Pod awaitHelper(PersistentVolume volume, String node) throws InterruptedException {
        Pod pod = Await.until(WAIT, "helper pod of " + volume.getMetadata().getName() + " running",
                () -> cluster.api().get(ResourceTypes.PODS, "kube-system", "helper-pod-delete-"
                        + volume.getMetadata().getName(), Pod.class).orElse(null),
                p -> p != null && "Running".equals(PodPhases.phaseOf(p)), p -> p == null ? "none" : String.valueOf(p.getStatus()));
        assertEquals(node, pod.getSpec().getNodeName());
        assertEquals("Never", pod.getSpec().getRestartPolicy());
        String folder = volume.getSpec().getHostPath().getPath();
        assertEquals(folder.substring(0, folder.lastIndexOf('/')), pod.getSpec().getVolumes().getFirst().getHostPath().getPath(),
                "the folder's parent");
        assertEquals(volume.getMetadata().getUid(), pod.getMetadata().getOwnerReferences().getFirst().getUid());
        return pod;
    }

    /** Ends a helper pod as its node's kubelet would when its command exits (simulated containers never do). */
    private static void finish(Pod pod, String phase, int exitCode) {
        Pod now = cluster.api().get(ResourceTypes.PODS, "kube-system", pod.getMetadata().getName(), Pod.class).orElseThrow();
        now.getStatus().setPhase(phase);
        now.getStatus().setContainerStatuses(List.of(new io.fabric8.kubernetes.api.model.ContainerStatusBuilder()
                .withName("helper").withImage(pod.getSpec().getContainers().getFirst().getImage()).withReady(false)
                .withRestartCount(0).withNewState().withNewTerminated().withExitCode(exitCode)
                .withReason(exitCode == 0 ? "Completed" : "Error").endTerminated().endState().build()));
        cluster.api().updateStatus(ResourceTypes.PODS, now);
    }

    @Test
    @Order(1)
    void staticBindingPicksTheSmallestVolumeThatFits() throws Exception {
        createVolume(volume("small", "1Gi", "manual", RWO, "Retain", Map.of()));
        createVolume(volume("mid", "2Gi", "manual", RWO, "Retain", Map.of()));
        createVolume(volume("big", "5Gi", "manual", RWO, "Retain", Map.of()));
        createVolume(volume("rox", "1500Mi", "manual", List.of("ReadOnlyMany"), "Retain", Map.of()));
        createVolume(volume("fast", "1600Mi", "fast", RWO, "Retain", Map.of()));
        createVolume(volume("gold", "3Gi", "manual", List.of("ReadWriteOnce", "ReadOnlyMany"), "Retain",
                Map.of("tier", "gold")));
        PersistentVolume preBound = volume("reserved", "4Gi", "manual", RWO, "Retain", Map.of());
        preBound.getSpec().setClaimRef(new ObjectReferenceBuilder().withNamespace("default").withName("e").build());
        createVolume(preBound);

        // 1500Mi, manual, RWO: not small (too small), rox (modes), fast (class); mid is the smallest of the rest
        PersistentVolumeClaim a = createClaim(claimBuilder("a", "1500Mi", "manual", RWO).build());
        PersistentVolume boundA = awaitBound("a");
        assertEquals("mid", boundA.getMetadata().getName());
        assertEquals("a", boundA.getSpec().getClaimRef().getName());
        assertEquals("default", boundA.getSpec().getClaimRef().getNamespace());
        assertEquals(a.getMetadata().getUid(), boundA.getSpec().getClaimRef().getUid());
        assertEquals("PersistentVolumeClaim", boundA.getSpec().getClaimRef().getKind());
        assertEquals("v1", boundA.getSpec().getClaimRef().getApiVersion());
        assertNotNull(boundA.getSpec().getClaimRef().getResourceVersion());
        assertEquals("yes", boundA.getMetadata().getAnnotations().get(PersistentVolumeController.ANN_BOUND_BY_CONTROLLER));
        PersistentVolumeClaim claimA = claim("a").orElseThrow();
        assertEquals("mid", claimA.getSpec().getVolumeName());
        assertEquals("yes", claimA.getMetadata().getAnnotations().get(PersistentVolumeController.ANN_BIND_COMPLETED));
        assertEquals("yes", claimA.getMetadata().getAnnotations().get(PersistentVolumeController.ANN_BOUND_BY_CONTROLLER));
        assertEquals(new Quantity("2Gi"), claimA.getStatus().getCapacity().get("storage"));
        assertEquals(RWO, claimA.getStatus().getAccessModes());
        assertTrue(claimA.getMetadata().getFinalizers().contains(PersistentVolumeController.PVC_PROTECTION));
        assertTrue(boundA.getMetadata().getFinalizers().contains(PersistentVolumeController.PV_PROTECTION));

        // the selector picks gold although mid-sized ones would fit
        createClaim(claimBuilder("b", "1Gi", "manual", RWO)
                .editSpec().withSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("tier", "gold")).build())
                .endSpec().build());
        assertEquals("gold", awaitBound("b").getMetadata().getName());

        // volumeName asks for big, although small would do
        createClaim(claimBuilder("c", "1Gi", "manual", RWO).editSpec().withVolumeName("big").endSpec().build());
        PersistentVolume boundC = awaitBound("c");
        assertEquals("big", boundC.getMetadata().getName());
        PersistentVolumeClaim claimC = claim("c").orElseThrow();
        assertFalse(claimC.getMetadata().getAnnotations().containsKey(PersistentVolumeController.ANN_BOUND_BY_CONTROLLER),
                "the user named the volume");

        // reserved names the claim e: it gets it, not the smaller small; the user bound it, not the controller
        PersistentVolumeClaim e = createClaim(claimBuilder("e", "1Gi", "manual", RWO).build());
        PersistentVolume boundE = awaitBound("e");
        assertEquals("reserved", boundE.getMetadata().getName());
        assertEquals(e.getMetadata().getUid(), boundE.getSpec().getClaimRef().getUid());
        assertFalse(boundE.getMetadata().getAnnotations() != null && boundE.getMetadata().getAnnotations()
                .containsKey(PersistentVolumeController.ANN_BOUND_BY_CONTROLLER));

        // no RWX volume of class manual, and no StorageClass manual to provision one: Pending, with the reason
        createClaim(claimBuilder("d", "1Gi", "manual", List.of("ReadWriteMany")).build());
        awaitEvent("d", "ProvisioningFailed");
        assertEquals("Pending", phase(claim("d").orElseThrow()));
        assertNull(claim("d").orElseThrow().getSpec().getVolumeName());
        // no class and no volume
        createClaim(claimBuilder("none", "1Gi", "", RWO).build());
        assertTrue(awaitEvent("none", "FailedBinding").getMessage().contains("no storage class is set"));

        // the volumes nobody claimed are Available
        for (String name : List.of("small", "rox", "fast")) {
            Await.until(WAIT, name + " Available", () -> pv(name).orElseThrow(), v -> "Available".equals(phase(v)),
                    v -> String.valueOf(v.getStatus()));
        }
        String table = cluster.kubectl().run("get", "pvc", "a", "b", "c", "e").ok().out();
        assertTrue(table.matches("(?s).*a\\s+Bound\\s+mid\\s+2Gi\\s+RWO\\s+manual.*"), table);
    }

    @Test
    @Order(2)
    void waitForFirstConsumerClaimIsProvisionedOnItsNode() throws Exception {
        // the cluster's default class, as the gateway makes it
        StorageClass local = cluster.api().get(ResourceTypes.STORAGECLASSES, null, LocalPath.STORAGE_CLASS,
                StorageClass.class).orElseThrow();
        assertEquals(LocalPath.PROVISIONER, local.getProvisioner());
        assertEquals("WaitForFirstConsumer", local.getVolumeBindingMode());
        annotateNode("pv-1", LocalPath.ROOT_ANNOTATION, ROOT);

        PersistentVolumeClaim data = createClaim(claimBuilder("data", "1Gi", "local-path", RWO).build());
        String volumeName = "pvc-" + data.getMetadata().getUid();
        Event waiting = awaitEvent("data", "WaitForFirstConsumer");
        assertEquals("waiting for first consumer to be created before binding", waiting.getMessage());
        assertEquals("Normal", waiting.getType());
        assertEquals("Pending", phase(claim("data").orElseThrow()));
        assertTrue(pv(volumeName).isEmpty(), "nothing provisioned before a node is chosen");
        // a fitting static volume is not taken either: the claim's class has none anyway, and it waits for its node

        selectNode("data", "pv-1");
        PersistentVolume v = awaitBound("data");
        assertEquals(volumeName, v.getMetadata().getName());
        assertEquals(ROOT + "/" + volumeName + "_default_data", v.getSpec().getHostPath().getPath());
        assertEquals("DirectoryOrCreate", v.getSpec().getHostPath().getType());
        var expr = v.getSpec().getNodeAffinity().getRequired().getNodeSelectorTerms().getFirst().getMatchExpressions()
                .getFirst();
        assertEquals("kubernetes.io/hostname", expr.getKey());
        assertEquals("In", expr.getOperator());
        assertEquals(List.of("pv-1"), expr.getValues());
        assertEquals(new Quantity("1Gi"), v.getSpec().getCapacity().get("storage"));
        assertEquals(RWO, v.getSpec().getAccessModes());
        assertEquals("Delete", v.getSpec().getPersistentVolumeReclaimPolicy());
        assertEquals("local-path", v.getSpec().getStorageClassName());
        assertEquals(data.getMetadata().getUid(), v.getSpec().getClaimRef().getUid());
        assertEquals(LocalPath.PROVISIONER, v.getMetadata().getAnnotations().get(PersistentVolumeController.ANN_PROVISIONED_BY));
        assertTrue(v.getMetadata().getFinalizers().contains(LocalPath.CLEANUP_FINALIZER));
        assertTrue(v.getMetadata().getFinalizers().contains(PersistentVolumeController.PV_PROTECTION));
        PersistentVolumeClaim bound = claim("data").orElseThrow();
        assertEquals(volumeName, bound.getSpec().getVolumeName());
        assertEquals(new Quantity("1Gi"), bound.getStatus().getCapacity().get("storage"));
        Map<String, String> ann = bound.getMetadata().getAnnotations();
        assertEquals(LocalPath.PROVISIONER, ann.get(PersistentVolumeController.ANN_STORAGE_PROVISIONER));
        assertEquals(LocalPath.PROVISIONER, ann.get(PersistentVolumeController.ANN_BETA_STORAGE_PROVISIONER));
        assertEquals("yes", ann.get(PersistentVolumeController.ANN_BIND_COMPLETED));
        awaitEvent("data", "ProvisioningSucceeded");
        String table = cluster.kubectl().run("get", "pv", volumeName).ok().out();
        assertTrue(table.matches("(?s).*" + volumeName + "\\s+1Gi\\s+RWO\\s+Delete\\s+Bound\\s+default/data\\s+local-path.*"),
                table);

        // a node whose agent has published no local-path root (an older agent; here the annotation is taken off):
        // ProvisioningFailed, then provisioned once the node has one
        cluster.api().patch(ResourceTypes.NODES, null, "pv-0", PatchKind.MERGE,
                "{\"metadata\":{\"annotations\":{\"" + LocalPath.ROOT_ANNOTATION + "\":null}}}", false, Node.class);
        PersistentVolumeClaim other = createClaim(claimBuilder("other", "2Gi", "local-path", RWO)
                .editMetadata().withAnnotations(Map.of(LocalPath.SELECTED_NODE_ANNOTATION, "pv-0"))
                .endMetadata().build());
        assertTrue(awaitEvent("other", "ProvisioningFailed").getMessage().contains(LocalPath.ROOT_ANNOTATION));
        assertEquals("Pending", phase(claim("other").orElseThrow()));
        annotateNode("pv-0", LocalPath.ROOT_ANNOTATION, "/data/");
        PersistentVolume onZero = awaitBound("other");
        assertEquals("/data/pvc-" + other.getMetadata().getUid() + "_default_other", onZero.getSpec().getHostPath().getPath());
        assertEquals(List.of("pv-0"), onZero.getSpec().getNodeAffinity().getRequired().getNodeSelectorTerms()
                .getFirst().getMatchExpressions().getFirst().getValues());

        // Immediate binding cannot work for local-path: no node to put the folder on
        localPathClass("local-immediate", "Immediate");
        createClaim(claimBuilder("immediate", "1Gi", "local-immediate", RWO).build());
        Event failed = awaitEvent("immediate", "ProvisioningFailed");
        assertEquals("Warning", failed.getType());
        assertTrue(failed.getMessage().contains("WaitForFirstConsumer"), failed.getMessage());
        assertEquals("Pending", phase(claim("immediate").orElseThrow()));
    }

    @Test
    @Order(3)
    void deletedClaimReleasesItsVolumeWhichIsDeletedOrRetained() throws Exception {
        // Delete (local-path): Released, then deleted, waiting for its folder's removal (the cleanup finalizer)
        String provisioned = claim("data").orElseThrow().getSpec().getVolumeName();
        deleteClaim("data");
        Await.until(WAIT, "claim data gone", () -> claim("data"), Optional::isEmpty);
        PersistentVolume going = Await.until(WAIT, provisioned + " released and deleted", () -> pv(provisioned).orElseThrow(),
                v -> v.getMetadata().getDeletionTimestamp() != null
                        && List.of(LocalPath.CLEANUP_FINALIZER).equals(v.getMetadata().getFinalizers()),
                v -> v.getMetadata().getFinalizers() + " " + v.getMetadata().getDeletionTimestamp() + " " + v.getStatus());
        assertEquals("Released", phase(going));
        // a helper pod on the volume's node removes the folder; once it succeeded the volume goes
        Pod helper = awaitHelper(going, "pv-1");
        assertEquals(List.of("rm", "-rf", "/storage/" + provisioned + "_default_data"),
                helper.getSpec().getContainers().getFirst().getCommand());
        finish(helper, "Succeeded", 0);
        Await.until(WAIT, provisioned + " gone", () -> pv(provisioned), Optional::isEmpty,
                v -> v.map(x -> x.getMetadata().getFinalizers() + " " + x.getStatus()).orElse("gone"));
        Await.until(WAIT, "helper pod gone", () -> cluster.api().get(ResourceTypes.PODS, "kube-system",
                helper.getMetadata().getName(), Pod.class), Optional::isEmpty);
        // a helper that fails is reported on the volume, which stays until a later helper succeeds
        String other = claim("other").orElseThrow().getSpec().getVolumeName();
        deleteClaim("other");
        Pod failing = awaitHelper(Await.until(WAIT, other + " deleted", () -> pv(other).orElseThrow(),
                v -> v.getMetadata().getDeletionTimestamp() != null), "pv-0");
        finish(failing, "Failed", 1);
        Await.until(WAIT, "VolumeFailedDelete on " + other, () -> cluster.api().list(ResourceTypes.EVENTS, null, null,
                        "involvedObject.name=" + other, Event.class).items(),
                l -> l.stream().anyMatch(e -> "VolumeFailedDelete".equals(e.getReason())
                        && e.getMessage().contains(failing.getMetadata().getName()) && e.getMessage().contains("exit code 1")),
                l -> l.stream().map(e -> e.getReason() + ": " + e.getMessage()).toList().toString());
        assertEquals(List.of(LocalPath.CLEANUP_FINALIZER), pv(other).orElseThrow().getMetadata().getFinalizers());
        // a volume whose node is gone: nothing can reach its folder, so it goes with a warning
        PersistentVolumeClaim lost = claimBuilder("lost", "1Gi", "local-path", RWO).editMetadata()
                .withUid("00000000-0000-0000-0000-00000000lost").endMetadata().build();
        PersistentVolume orphan = createVolume(LocalPathVolumes.volume(lost, cluster.api().get(ResourceTypes.STORAGECLASSES,
                null, LocalPath.STORAGE_CLASS, StorageClass.class).orElseThrow(), "node-gone", ROOT));
        Await.until(WAIT, "volume of a gone node gone", () -> pv(orphan.getMetadata().getName()), Optional::isEmpty,
                v -> v.map(x -> x.getMetadata().getFinalizers() + " " + x.getStatus()).orElse("gone"));
        assertTrue(cluster.api().list(ResourceTypes.EVENTS, null, null, "involvedObject.name="
                + orphan.getMetadata().getName(), Event.class).items().stream().anyMatch(e ->
                "VolumeFailedDelete".equals(e.getReason()) && e.getMessage().contains("node \"node-gone\" is gone")));

        // Retain: Released and kept, claimRef and all
        PersistentVolume mid = pv("mid").orElseThrow();
        deleteClaim("a");
        PersistentVolume released = Await.until(WAIT, "mid Released", () -> pv("mid").orElseThrow(),
                v -> "Released".equals(phase(v)), v -> String.valueOf(v.getStatus()));
        assertNull(released.getMetadata().getDeletionTimestamp());
        assertEquals(mid.getSpec().getClaimRef().getUid(), released.getSpec().getClaimRef().getUid());
        // a new claim of the same name does not get the released volume back
        PersistentVolumeClaim again = createClaim(claimBuilder("a", "1500Mi", "manual", RWO).build());
        Await.until(WAIT, "the new claim a looked at", () -> events("a"), l -> l.stream().anyMatch(ev ->
                "ProvisioningFailed".equals(ev.getReason())
                        && again.getMetadata().getUid().equals(ev.getInvolvedObject().getUid())));
        assertEquals("Pending", phase(claim("a").orElseThrow()));
        assertEquals("Released", phase(pv("mid").orElseThrow()));
        deleteClaim("a");
    }

    @Test
    @Order(4)
    void protectionKeepsAClaimInUseAndABoundVolume() throws Exception {
        // claim b is bound to gold; a running pod on pv-0 uses it
        Pod pod = new PodBuilder().withNewMetadata().withName("user").withNamespace("default").endMetadata()
                .withNewSpec().withNodeName("pv-0").addNewContainer().withName("app").withImage("kubus/busybox:1")
                .endContainer().addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName("b")
                .endPersistentVolumeClaim().endVolume().endSpec().build();
        cluster.api().create(ResourceTypes.PODS, pod);
        Await.until(WAIT, "pod user running", () -> cluster.api().get(ResourceTypes.PODS, "default", "user", Pod.class)
                .orElseThrow(), p -> "Running".equals(PodPhases.phaseOf(p)), p -> String.valueOf(p.getStatus()));

        // a claim no pod uses, as a probe: once the controller let it go, it has seen what was deleted before it
        createClaim(claimBuilder("probe", "1Gi", "", RWO).build());
        Await.until(WAIT, "probe protected", () -> claim("probe").orElseThrow(), c -> c.getMetadata().getFinalizers() != null
                && c.getMetadata().getFinalizers().contains(PersistentVolumeController.PVC_PROTECTION));

        // the bound volume is deleted first: it stays, terminating, as long as it is bound
        cluster.api().delete(ResourceTypes.PERSISTENTVOLUMES, null, "gold", null, null);
        deleteClaim("b");
        deleteClaim("probe");
        Await.until(WAIT, "the unused claim probe gone", () -> claim("probe"), Optional::isEmpty);
        // the claim in use stays while its pod runs, and its volume, still bound, too
        PersistentVolumeClaim held = claim("b").orElseThrow();
        assertNotNull(held.getMetadata().getDeletionTimestamp());
        assertTrue(held.getMetadata().getFinalizers().contains(PersistentVolumeController.PVC_PROTECTION));
        PersistentVolume bound = pv("gold").orElseThrow();
        assertNotNull(bound.getMetadata().getDeletionTimestamp());
        assertEquals("Bound", phase(bound));
        assertTrue(bound.getMetadata().getFinalizers().contains(PersistentVolumeController.PV_PROTECTION));

        // the pod goes: the claim goes, the volume is Released and, no longer bound, goes too
        cluster.api().delete(ResourceTypes.PODS, "default", "user", 0L, null);
        Await.until(WAIT, "claim b gone", () -> claim("b"), Optional::isEmpty);
        Await.until(WAIT, "volume gold gone", () -> pv("gold"), Optional::isEmpty,
                v -> v.map(x -> x.getMetadata().getFinalizers() + " " + x.getStatus()).orElse("gone"));
    }

    @Test
    @Order(5)
    void aRestartedControllerFinishesWithoutDuplicateVolumes() throws Exception {
        cluster.fixture().stopControllers();
        // claims scheduled to pv-1 while no controller runs, and for one of them the volume a previous controller
        // made before it stopped (same name, as the provisioner makes it)
        StorageClass sc = cluster.api().get(ResourceTypes.STORAGECLASSES, null, "local-path", StorageClass.class)
                .orElseThrow();
        List<PersistentVolumeClaim> made = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            made.add(createClaim(claimBuilder("r" + i, "1Gi", "local-path", RWO).editMetadata()
                    .withAnnotations(Map.of(LocalPath.SELECTED_NODE_ANNOTATION, "pv-1")).endMetadata()
                    .build()));
        }
        createVolume(LocalPathVolumes.volume(made.getFirst(), sc, "pv-1", ROOT));
        // and for another, a controller that stopped between the volume's half of the binding and the claim's
        PersistentVolume half = createVolume(LocalPathVolumes.volume(made.get(1), sc, "pv-1", ROOT));
        half.setStatus(new io.fabric8.kubernetes.api.model.PersistentVolumeStatusBuilder().withPhase("Bound").build());
        cluster.api().updateStatus(ResourceTypes.PERSISTENTVOLUMES, half);
        assertEquals("Pending", phase(claim("r1").orElseThrow()));

        cluster.fixture().startControllers();
        // stopped again as soon as the first binding shows, so that the rest is left half-way
        Await.until(WAIT, "one claim bound", () -> made.stream().map(c -> claim(c.getMetadata().getName()))
                .filter(c -> c.isPresent() && c.get().getSpec().getVolumeName() != null).count(), n -> n > 0);
        cluster.fixture().stopControllers();
        cluster.fixture().startControllers();

        for (PersistentVolumeClaim c : made) {
            PersistentVolume v = awaitBound(c.getMetadata().getName());
            assertEquals("pvc-" + c.getMetadata().getUid(), v.getMetadata().getName());
        }
        // one volume per claim
        List<PersistentVolume> all = cluster.api().list(ResourceTypes.PERSISTENTVOLUMES, null, null, null,
                PersistentVolume.class).items();
        for (PersistentVolumeClaim c : made) {
            long n = all.stream().filter(v -> v.getSpec().getClaimRef() != null
                    && c.getMetadata().getUid().equals(v.getSpec().getClaimRef().getUid())).count();
            assertEquals(1, n, "volumes for " + c.getMetadata().getName());
        }
    }
}

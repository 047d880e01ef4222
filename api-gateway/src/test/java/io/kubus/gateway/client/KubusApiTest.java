package io.kubus.gateway.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.kubus.client.api.KubusApi;
import io.kubus.client.api.KubusApiException;
import io.kubus.client.api.ObjectList;
import io.kubus.client.api.PatchKind;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** KubusApi against a real gateway: every verb, and the refusals mapped to KubusApiException. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubusApiTest {
    private final AtomicInteger counter = new AtomicInteger();
    private GatewayFixture gw;
    private KubusApi api;

    @BeforeAll
    void start() {
        gw = GatewayFixture.start();
        api = new KubusApi(gw.clientConfig());
    }

    @AfterAll
    void stop() {
        if (api != null) {
            api.close();
        }
        if (gw != null) {
            gw.close();
        }
    }

    private String unique(String prefix) {
        return prefix + "-" + counter.incrementAndGet();
    }

    private String namespace() {
        String ns = unique("api");
        Namespace created = api.create(ResourceTypes.NAMESPACES,
                new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build());
        assertEquals(ns, created.getMetadata().getName());
        assertNotNull(created.getMetadata().getUid());
        gw.withoutRootCaConfigMap(ns); // the tests list exactly the ConfigMaps they make
        return ns;
    }

    private static ConfigMap configMap(String ns, String name, Map<String, String> labels, Map<String, String> data) {
        return new ConfigMapBuilder().withNewMetadata().withNamespace(ns).withName(name).withLabels(labels)
                .endMetadata().withData(data).build();
    }

    private static Deployment deployment(String ns, String name) {
        return new DeploymentBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withReplicas(1)
                .withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer()
                .addNewContainer().withName("d").withImage("busybox").endContainer().endSpec()
                .endTemplate().endSpec().build();
    }

    private static Pod pod(String ns, String name) {
        return new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer().endSpec().build();
    }

    @Test
    void createGetListUpdateDelete() {
        String ns = namespace();
        ConfigMap created = api.create(ResourceTypes.CONFIGMAPS, configMap(ns, "a", Map.of("app", "x"), Map.of("k", "v")));
        assertEquals(ns, created.getMetadata().getNamespace());
        assertNotNull(created.getMetadata().getResourceVersion());
        api.create(ResourceTypes.CONFIGMAPS, configMap(ns, "b", Map.of("app", "y"), Map.of()));

        ConfigMap got = api.get(ResourceTypes.CONFIGMAPS, ns, "a", ConfigMap.class).orElseThrow();
        assertEquals(created.getMetadata().getUid(), got.getMetadata().getUid());
        assertEquals("v", got.getData().get("k"));
        assertEquals(Optional.empty(), api.get(ResourceTypes.CONFIGMAPS, ns, "nope", ConfigMap.class));

        ObjectList<ConfigMap> all = api.list(ResourceTypes.CONFIGMAPS, ns, null, null, ConfigMap.class);
        assertEquals(List.of("a", "b"), all.items().stream().map(c -> c.getMetadata().getName()).sorted().toList());
        assertTrue(all.resourceVersionNumber() >= Long.parseLong(created.getMetadata().getResourceVersion()));
        assertEquals(List.of("b"), api.list(ResourceTypes.CONFIGMAPS, ns, "app=y", null, ConfigMap.class).items()
                .stream().map(c -> c.getMetadata().getName()).toList());
        assertEquals(List.of("a"), api.list(ResourceTypes.CONFIGMAPS, ns, null, "metadata.name=a", ConfigMap.class)
                .items().stream().map(c -> c.getMetadata().getName()).toList());
        assertTrue(api.list(ResourceTypes.CONFIGMAPS, null, "app in (x,y)", null, ConfigMap.class).items().size() >= 2);

        got.getData().put("k", "w");
        ConfigMap updated = api.update(ResourceTypes.CONFIGMAPS, got);
        assertEquals("w", updated.getData().get("k"));
        assertNotEquals(got.getMetadata().getResourceVersion(), updated.getMetadata().getResourceVersion());

        api.delete(ResourceTypes.CONFIGMAPS, ns, "a", null, null);
        assertTrue(api.get(ResourceTypes.CONFIGMAPS, ns, "a", ConfigMap.class).isEmpty());
        KubusApiException gone = assertThrows(KubusApiException.class,
                () -> api.delete(ResourceTypes.CONFIGMAPS, ns, "a", null, null));
        assertTrue(gone.isNotFound());
        assertEquals(404, gone.code());
        assertEquals("NotFound", gone.reason());
        assertFalse(api.deleteIfExists(ResourceTypes.CONFIGMAPS, ns, "a", 0L, "Background"));
        assertTrue(api.deleteIfExists(ResourceTypes.CONFIGMAPS, ns, "b", 0L, "Background"));
    }

    @Test
    void deleteOptionsPreconditionsAndTheFinalizeSubresource() {
        String ns = namespace();
        ConfigMap cm = api.create(ResourceTypes.CONFIGMAPS, configMap(ns, "pre", Map.of(), Map.of("k", "v")));
        KubusApiException stale = assertThrows(KubusApiException.class, () -> api.delete(ResourceTypes.CONFIGMAPS, ns,
                "pre", new DeleteOptionsBuilder().withNewPreconditions().withUid("another").endPreconditions().build()));
        assertTrue(stale.isConflict(), stale.getMessage());
        api.delete(ResourceTypes.CONFIGMAPS, ns, "pre", new DeleteOptionsBuilder().withPropagationPolicy("Background")
                .withNewPreconditions().withUid(cm.getMetadata().getUid())
                .withResourceVersion(cm.getMetadata().getResourceVersion()).endPreconditions().build());
        assertTrue(api.get(ResourceTypes.CONFIGMAPS, ns, "pre", ConfigMap.class).isEmpty());

        api.delete(ResourceTypes.NAMESPACES, null, ns, null, null);
        Namespace terminating = api.get(ResourceTypes.NAMESPACES, null, ns, Namespace.class).orElseThrow();
        assertEquals(List.of("kubernetes"), terminating.getSpec().getFinalizers());
        terminating.getSpec().setFinalizers(List.of());
        api.finalize(terminating);
        assertTrue(api.get(ResourceTypes.NAMESPACES, null, ns, Namespace.class).isEmpty(), "finalized, then deleted");
    }

    @Test
    void refusalsCarryTheirStatus() {
        String ns = namespace();
        ConfigMap first = api.create(ResourceTypes.CONFIGMAPS, configMap(ns, "c", Map.of(), Map.of("k", "1")));

        KubusApiException exists = assertThrows(KubusApiException.class,
                () -> api.create(ResourceTypes.CONFIGMAPS, configMap(ns, "c", Map.of(), Map.of())));
        assertTrue(exists.isAlreadyExists());
        assertFalse(exists.isConflict());
        assertEquals(409, exists.code());
        assertTrue(exists.statusMessage().contains("already exists"), exists.statusMessage());

        ConfigMap fresh = api.get(ResourceTypes.CONFIGMAPS, ns, "c", ConfigMap.class).orElseThrow();
        fresh.getData().put("k", "2");
        api.update(ResourceTypes.CONFIGMAPS, fresh);
        first.getData().put("k", "stale");
        KubusApiException stale = assertThrows(KubusApiException.class, () -> api.update(ResourceTypes.CONFIGMAPS, first));
        assertTrue(stale.isConflict());
        assertFalse(stale.isAlreadyExists());
        assertEquals("Conflict", stale.reason());

        KubusApiException invalid = assertThrows(KubusApiException.class,
                () -> api.create(ResourceTypes.CONFIGMAPS, configMap(ns, "Not_A_Name", Map.of(), Map.of())));
        assertTrue(invalid.isInvalid());
        assertEquals(422, invalid.code());
        assertEquals("Invalid", invalid.reason());
        assertTrue(invalid.statusMessage().contains("metadata.name"), invalid.statusMessage());

        KubusApiException missing = assertThrows(KubusApiException.class, () -> api.patch(ResourceTypes.CONFIGMAPS, ns,
                "nope", PatchKind.MERGE, "{\"data\":{\"a\":\"b\"}}", false, ConfigMap.class));
        assertTrue(missing.isNotFound());
    }

    @Test
    void retryOnConflictReReadsUntilTheUpdateLands() {
        String ns = namespace();
        api.create(ResourceTypes.CONFIGMAPS, configMap(ns, "r", Map.of(), Map.of("n", "0")));
        AtomicInteger attempts = new AtomicInteger();
        ConfigMap result = KubusApi.retryOnConflict(() -> {
            ConfigMap cm = api.get(ResourceTypes.CONFIGMAPS, ns, "r", ConfigMap.class).orElseThrow();
            if (attempts.incrementAndGet() == 1) {
                // someone else writes in between: this attempt's update is stale
                ConfigMap other = api.get(ResourceTypes.CONFIGMAPS, ns, "r", ConfigMap.class).orElseThrow();
                other.getData().put("other", "yes");
                api.update(ResourceTypes.CONFIGMAPS, other);
            }
            cm.getData().put("n", "1");
            return api.update(ResourceTypes.CONFIGMAPS, cm);
        });
        assertEquals(2, attempts.get());
        assertEquals("1", result.getData().get("n"));
        assertEquals("yes", result.getData().get("other"));
    }

    @Test
    void updateStatusAndPatchesOfAllThreeKinds() {
        String ns = namespace();
        Deployment d = api.create(ResourceTypes.DEPLOYMENTS, deployment(ns, "web"));

        d.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder().withReplicas(3).build());
        d.getSpec().setReplicas(9); // ignored by the status subresource
        Deployment withStatus = api.updateStatus(ResourceTypes.DEPLOYMENTS, d);
        assertEquals(3, withStatus.getStatus().getReplicas());
        assertEquals(1, withStatus.getSpec().getReplicas());

        Deployment merged = api.patch(ResourceTypes.DEPLOYMENTS, ns, "web", PatchKind.MERGE,
                "{\"metadata\":{\"labels\":{\"tier\":\"front\"}},\"spec\":{\"replicas\":2}}", false, Deployment.class);
        assertEquals(2, merged.getSpec().getReplicas());
        assertEquals("front", merged.getMetadata().getLabels().get("tier"));

        JsonNode ops = KubusJson.json().createArrayNode().add(KubusJson.json().createObjectNode()
                .put("op", "replace").put("path", "/spec/replicas").put("value", 4));
        Deployment jsonPatched = api.patch(ResourceTypes.DEPLOYMENTS, ns, "web", PatchKind.JSON, ops, false, Deployment.class);
        assertEquals(4, jsonPatched.getSpec().getReplicas());

        // strategic: containers merge by name, so only "d" changes and "c" stays
        Deployment strategic = api.patch(ResourceTypes.DEPLOYMENTS, ns, "web", PatchKind.STRATEGIC,
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"d\",\"image\":\"nginx\"}]}}}}",
                false, Deployment.class);
        var containers = strategic.getSpec().getTemplate().getSpec().getContainers();
        assertEquals(List.of("c:busybox", "d:nginx"), containers.stream().map(c -> c.getName() + ":" + c.getImage()).toList());

        Deployment statusPatched = api.patch(ResourceTypes.DEPLOYMENTS, ns, "web", PatchKind.MERGE,
                "{\"status\":{\"readyReplicas\":2},\"spec\":{\"replicas\":99}}", true, Deployment.class);
        assertEquals(2, statusPatched.getStatus().getReadyReplicas());
        assertEquals(4, statusPatched.getSpec().getReplicas());
    }

    @Test
    void bindAssignsAPodOnce() {
        String ns = namespace();
        api.create(ResourceTypes.PODS, pod(ns, "p"));
        api.bind(ns, "p", "node-a");
        Pod bound = api.get(ResourceTypes.PODS, ns, "p", Pod.class).orElseThrow();
        assertEquals("node-a", bound.getSpec().getNodeName());
        assertTrue(bound.getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals("PodScheduled") && c.getStatus().equals("True")));

        KubusApiException again = assertThrows(KubusApiException.class, () -> api.bind(ns, "p", "node-b"));
        assertTrue(again.isConflict());
        KubusApiException none = assertThrows(KubusApiException.class, () -> api.bind(ns, "ghost", "node-a"));
        assertTrue(none.isNotFound());

        // a bound pod is deleted gracefully: marked first, gone with grace 0
        api.delete(ResourceTypes.PODS, ns, "p", 30L, null);
        assertNotNull(api.get(ResourceTypes.PODS, ns, "p", Pod.class).orElseThrow().getMetadata().getDeletionTimestamp());
        api.delete(ResourceTypes.PODS, ns, "p", 0L, null);
        assertTrue(api.get(ResourceTypes.PODS, ns, "p", Pod.class).isEmpty());
    }

    @Test
    void clusterScopedObjectsSecretsAndEvents() {
        String ns = namespace();
        assertTrue(api.list(ResourceTypes.NAMESPACES, null, null, "metadata.name=" + ns, Namespace.class)
                .items().size() == 1);
        Secret s = api.create(ResourceTypes.SECRETS, new SecretBuilder().withNewMetadata().withNamespace(ns)
                .withName("s").endMetadata().addToStringData("password", "hunter2").build());
        assertEquals("aHVudGVyMg==", s.getData().get("password"));

        Event e = api.createEvent(new ObjectReferenceBuilder().withApiVersion("v1").withKind("Secret")
                .withNamespace(ns).withName("s").withUid(s.getMetadata().getUid()).build(),
                "Normal", "Tested", "a test event", "kubus-client-test");
        assertEquals("Tested", e.getReason());
        assertEquals(1, api.list(ResourceTypes.EVENTS, ns, null, "reason=Tested", Event.class).items().size());
    }
}

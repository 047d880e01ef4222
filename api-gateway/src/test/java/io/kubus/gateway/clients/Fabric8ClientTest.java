package io.kubus.gateway.clients;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ConfigMapList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.StatusDetails;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.kubus.broker.EmbeddedKafkaBroker;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.gateway.testing.Kubectl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The fabric8 Kubernetes client 7.4 (the JDK HTTP client, its default WebSocket watches) against a real gateway, each
 * request next to kubectl's for the same request where kubectl makes it: list, watch from a list's resourceVersion,
 * an informer through adds, updates, deletes, resyncs and a gateway restart, waitUntilCondition, create, the three
 * patch types, and delete, blocking on a finalizer. Objects of a twin pair ({@code f-...} by fabric8, {@code k-...} by
 * kubectl) must come back equal but for their identity. Exec, which needs a node agent, is in node-agent's tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Fabric8ClientTest {
    private static final String NS = "default";

    @TempDir
    static Path dir;
    private EmbeddedKafkaBroker broker;
    private String jdbcUrl;
    private int port;
    private GatewayFixture gateway;
    private KubernetesClient client;
    private KubernetesSerialization serialization;
    private Kubectl kubectl;

    @BeforeAll
    void start() throws IOException {
        broker = EmbeddedKafkaBroker.startTemporary();
        jdbcUrl = GatewayFixture.h2InMemory();
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        gateway = startGateway();
        kubectl = new Kubectl(gateway.writeKubeconfig(dir), dir);
        // Config.empty(): nothing from this machine's kubeconfig or environment.
        // The administrator's certificate and the cluster's CA, as a kubeconfig would give them to fabric8.
        Config config = io.kubus.gateway.testing.TestPki.fabric8Admin(gateway.baseUrl()).withNamespace(NS)
                .withRequestTimeout(30_000).withConnectionTimeout(10_000).withWatchReconnectInterval(200).build();
        client = new KubernetesClientBuilder().withConfig(config).build();
        serialization = client.getKubernetesSerialization();
    }

    /** A gateway on the same port, database and broker each time (a restart), once the port is free again. */
    private GatewayFixture startGateway() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return GatewayFixture.start(broker, false, jdbcUrl, Map.of("micronaut.server.port", port));
            } catch (RuntimeException e) {
                // The stopped gateway's socket can still hold the port for a moment.
                boolean portBusy = e.getCause() instanceof java.net.BindException;
                if (!portBusy || System.nanoTime() > deadline) {
                    throw e;
                }
                sleep(200);
            }
        }
    }

    @AfterAll
    void stop() {
        if (client != null) {
            client.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    // ---- create, list ----

    @Test
    @Order(1)
    void createAndListAsKubectlDoes() throws IOException {
        ConfigMap created = client.configMaps().resource(configMap("f-one", Map.of("a", "1"))).create();
        ConfigMap byKubectl = kubectlJson(ConfigMap.class, "create", "-f", manifest(configMap("k-one", Map.of("a", "1"))),
                "-o", "json");
        assertEquals(withoutIdentity(byKubectl), withoutIdentity(created));
        assertNotNull(created.getMetadata().getUid());

        ConfigMapList list = client.configMaps().list();
        ConfigMapList listed = kubectlJson(ConfigMapList.class, "get", "configmaps", "-o", "json");
        assertEquals(names(listed.getItems()), names(list.getItems()));
        // field for field, but for managedFields, which kubectl hides (--show-managed-fields) as against Kubernetes
        assertEquals(withoutManagedFields(listed.getItems()), withoutManagedFields(list.getItems()),
                "the same objects, field for field");
        assertNotNull(list.getMetadata().getResourceVersion());

        KubernetesClientException dup = expectFailure(() -> client.configMaps().resource(configMap("f-one", Map.of())).create());
        assertEquals(409, dup.getCode());
        assertEquals("AlreadyExists", dup.getStatus().getReason());
        assertEquals("configmaps", dup.getStatus().getDetails().getKind());
        KubernetesClientException missing = expectFailure(() -> client.apps().deployments().withName("ghost").edit(d -> d));
        assertEquals(404, missing.getCode());
        assertEquals("apps", missing.getStatus().getDetails().getGroup());
    }

    // ---- patch: JSON merge, strategic merge, JSON patch ----

    @Test
    @Order(2)
    void theThreePatchTypesAnswerAsForKubectl() throws IOException {
        client.apps().deployments().resource(deployment("f-web")).create();
        kubectl.run("create", "-f", manifest(deployment("k-web"))).ok();

        String merge = "{\"metadata\":{\"labels\":{\"tier\":\"front\"}},\"spec\":{\"replicas\":2}}";
        Deployment f = client.apps().deployments().withName("f-web").patch(PatchContext.of(PatchType.JSON_MERGE), merge);
        Deployment k = kubectlJson(Deployment.class, "patch", "deployment", "k-web", "--type", "merge", "-p", merge, "-o", "json");
        assertEquals(withoutIdentity(k), withoutIdentity(f));
        assertEquals(2, f.getSpec().getReplicas());

        // Containers merge by name: the image of "c" changes and "side" joins it.
        String strategic = "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox:2\"},"
                + "{\"name\":\"side\",\"image\":\"busybox:1\"}]}}}}";
        f = client.apps().deployments().withName("f-web").patch(PatchContext.of(PatchType.STRATEGIC_MERGE), strategic);
        k = kubectlJson(Deployment.class, "patch", "deployment", "k-web", "--type", "strategic", "-p", strategic, "-o", "json");
        assertEquals(withoutIdentity(k), withoutIdentity(f));
        assertEquals(List.of("c", "side"), f.getSpec().getTemplate().getSpec().getContainers().stream().map(c -> c.getName()).toList());
        assertEquals("busybox:2", f.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage());

        String jsonPatch = "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":3},"
                + "{\"op\":\"remove\",\"path\":\"/metadata/labels/tier\"}]";
        f = client.apps().deployments().withName("f-web").patch(PatchContext.of(PatchType.JSON), jsonPatch);
        k = kubectlJson(Deployment.class, "patch", "deployment", "k-web", "--type", "json", "-p", jsonPatch, "-o", "json");
        assertEquals(withoutIdentity(k), withoutIdentity(f));
        assertEquals(3, f.getSpec().getReplicas());

        // The same refusal for both: a JSON patch whose test fails.
        String failing = "[{\"op\":\"test\",\"path\":\"/spec/replicas\",\"value\":9}]";
        KubernetesClientException e = expectFailure(() ->
                client.apps().deployments().withName("f-web").patch(PatchContext.of(PatchType.JSON), failing));
        Kubectl.Result r = kubectl.run("patch", "deployment", "k-web", "--type", "json", "-p", failing);
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains(e.getStatus().getMessage().replace("f-web", "k-web")),
                "kubectl prints the Status fabric8 reads: " + r.err() + " / " + e.getStatus().getMessage());
    }

    // ---- watch from a list's resourceVersion (a WebSocket watch) ----

    @Test
    @Order(3)
    void aWatchFromAListsVersionSeesEachChangeOnceAsKubectlDoes() throws Exception {
        // kubectl's own watch (list, then watch from the list's version, over HTTP) alongside: once it has shown a
        // change to a sentinel it is watching, the changes below reach both.
        Process kubectlWatch = kubectl.start("get", "configmaps", "--watch-only", "--output-watch-events",
                "-o", "jsonpath={.type} {.object.metadata.name}{\"\\n\"}");
        BlockingQueue<String> kubectlLines = new LinkedBlockingQueue<>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (var lines = kubectlWatch.inputReader(java.nio.charset.StandardCharsets.UTF_8)) {
                lines.lines().forEach(kubectlLines::add);
            } catch (IOException e) {
                // kubectl was stopped
            }
        });
        try {
            awaitKubectlWatching(kubectlLines);
            List<String> fabric8Events = watchThreeChanges();
            List<String> kubectlEvents = new ArrayList<>();
            while (kubectlEvents.size() < 3) {
                String line = kubectlLines.poll(30, TimeUnit.SECONDS);
                assertNotNull(line, "kubectl's watch printed " + kubectlEvents);
                if (line.endsWith(" f-watched")) {
                    kubectlEvents.add(line);
                }
            }
            assertEquals(kubectlEvents, fabric8Events);
        } finally {
            kubectlWatch.destroy();
            reader.join(5_000);
        }
    }

    private void awaitKubectlWatching(BlockingQueue<String> kubectlLines) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int i = 0; System.nanoTime() < deadline; i++) {
            String n = Integer.toString(i);
            client.configMaps().withName("f-one").edit(cm -> new ConfigMapBuilder(cm).editMetadata()
                    .addToLabels("sentinel", n).endMetadata().build());
            String line = kubectlLines.poll(500, TimeUnit.MILLISECONDS);
            if (line != null && line.equals("MODIFIED f-one")) {
                kubectlLines.clear();
                return;
            }
            if (line != null && !line.startsWith("MODIFIED ")) {
                fail("kubectl's watch printed " + line);
            }
        }
        fail("kubectl's watch showed no change in 30 s");
    }

    private List<String> watchThreeChanges() throws Exception {
        String rv = client.configMaps().list().getMetadata().getResourceVersion();
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        try (Watch w = client.configMaps().withResourceVersion(rv).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, ConfigMap cm) {
                events.add(action + " " + cm.getMetadata().getName());
            }

            @Override
            public void onClose(WatcherException cause) {
                events.add("closed " + cause);
            }
        })) {
            client.configMaps().resource(configMap("f-watched", Map.of("v", "1"))).create();
            client.configMaps().withName("f-watched").edit(cm -> new ConfigMapBuilder(cm).addToData("v", "2").build());
            client.configMaps().withName("f-watched").delete();
            List<String> seen = List.of(poll(events), poll(events), poll(events));
            assertEquals(List.of("ADDED f-watched", "MODIFIED f-watched", "DELETED f-watched"), seen);
            assertNull(events.poll(500, TimeUnit.MILLISECONDS), "nothing else: " + events);
            return seen;
        }
    }

    // ---- waitUntilCondition ----

    @Test
    @Order(4)
    void waitUntilConditionSeesTheChange() throws InterruptedException {
        client.configMaps().resource(configMap("f-wait", Map.of("v", "1"))).create();
        Thread later = Thread.ofPlatform().daemon().start(() -> {
            sleep(500);
            client.configMaps().withName("f-wait").edit(cm -> new ConfigMapBuilder(cm).addToData("v", "2").build());
        });
        ConfigMap seen = client.configMaps().withName("f-wait")
                .waitUntilCondition(cm -> cm != null && "2".equals(cm.getData().get("v")), 30, TimeUnit.SECONDS);
        assertEquals("2", seen.getData().get("v"));
        later.join(10_000);
    }

    // ---- delete ----

    @Test
    @Order(5)
    void deleteAsKubectlDoes() throws IOException {
        client.configMaps().resource(configMap("f-gone", Map.of())).create();
        kubectl.run("create", "-f", manifest(configMap("k-gone", Map.of()))).ok();
        List<StatusDetails> details = client.configMaps().withName("f-gone").delete();
        assertEquals(1, details.size());
        // The name only: fabric8 reads the details from the answer, which is the deleted object here, where
        // kube-apiserver answers a Status (details.kind "configmaps") for kinds that do not return the object.
        assertEquals("f-gone", details.getFirst().getName());
        assertEquals("configmap \"k-gone\" deleted\n", kubectl.run("delete", "configmap", "k-gone").ok().out());
        assertNull(client.configMaps().withName("f-gone").get());
        assertNull(client.configMaps().withName("k-gone").get());
        assertEquals(List.of(), client.configMaps().withName("ghost").delete(), "nothing to delete, as fabric8 reads a 404");
    }

    /** A finalizer holds both objects; the blocking deletes return once it is removed, not before. */
    @Test
    @Order(6)
    void aBlockingDeleteWaitsForTheFinalizer() throws Exception {
        for (String name : List.of("f-held", "k-held")) {
            ConfigMap cm = configMap(name, Map.of());
            cm.getMetadata().setFinalizers(List.of("example.com/hold"));
            client.configMaps().resource(cm).create();
        }
        // Threads of their own: the common pool has one worker on 2 cores, and both calls block.
        ExecutorService threads = Executors.newCachedThreadPool();
        CompletableFuture<List<StatusDetails>> f = CompletableFuture.supplyAsync(() ->
                client.configMaps().withName("f-held").withTimeout(60, TimeUnit.SECONDS).delete(), threads);
        CompletableFuture<Kubectl.Result> k = CompletableFuture.supplyAsync(() ->
                kubectl.run(60, "delete", "configmap", "k-held", "--wait=true", "--timeout=60s"), threads);
        sleep(1500);
        assertTrue(!f.isDone() && !k.isDone(), "both wait while the finalizer holds the objects");
        assertNotNull(client.configMaps().withName("f-held").get().getMetadata().getDeletionTimestamp());
        for (String name : List.of("f-held", "k-held")) {
            client.configMaps().withName(name).edit(cm -> new ConfigMapBuilder(cm).editMetadata()
                    .withFinalizers(Collections.emptyList()).endMetadata().build());
        }
        assertEquals("f-held", f.get(30, TimeUnit.SECONDS).getFirst().getName());
        assertEquals("configmap \"k-held\" deleted\n", k.get(30, TimeUnit.SECONDS).ok().out());
        assertNull(client.configMaps().withName("f-held").get());
        threads.shutdown();
    }

    // ---- an informer ----

    @Test
    @Order(7)
    void anInformerSeesAddsUpdatesDeletesResyncsAndOutlivesAGatewayRestart() throws Exception {
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        List<String> resyncs = new CopyOnWriteArrayList<>();
        SharedIndexInformer<ConfigMap> informer = client.configMaps().withLabel("informed", "yes").inform(
                new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(ConfigMap cm) {
                        events.add("add " + cm.getMetadata().getName());
                    }

                    @Override
                    public void onUpdate(ConfigMap old, ConfigMap now) {
                        if (old.getMetadata().getResourceVersion().equals(now.getMetadata().getResourceVersion())) {
                            resyncs.add(now.getMetadata().getName()); // a resync hands the cached object again
                        } else {
                            events.add("update " + now.getMetadata().getName() + " " + now.getData().get("v"));
                        }
                    }

                    @Override
                    public void onDelete(ConfigMap cm, boolean unknownFinalState) {
                        events.add("delete " + cm.getMetadata().getName());
                    }
                }, 1_000);
        try {
            assertTrue(informer.hasSynced());
            ConfigMap cm = configMap("f-informed", Map.of("v", "1"));
            cm.getMetadata().setLabels(Map.of("informed", "yes"));
            client.configMaps().resource(cm).create();
            assertEquals("add f-informed", poll(events));
            client.configMaps().withName("f-informed").edit(c -> new ConfigMapBuilder(c).addToData("v", "2").build());
            assertEquals("update f-informed 2", poll(events));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (resyncs.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(resyncs.contains("f-informed"), "a resync within 10 s at a 1 s period");

            // The gateway goes away with the informer's watch open, and comes back on the same port.
            gateway.close();
            gateway = startGateway();
            client.configMaps().withName("f-informed").edit(c -> new ConfigMapBuilder(c).addToData("v", "3").build());
            assertEquals("update f-informed 3", poll(events), "the informer watches again after the restart");
            client.configMaps().withName("f-informed").delete();
            assertEquals("delete f-informed", poll(events));
            assertEquals(List.of(), informer.getStore().list().stream().map(c -> c.getMetadata().getName()).toList());
        } finally {
            informer.close();
        }
    }

    // ---- helpers ----

    private static ConfigMap configMap(String name, Map<String, String> data) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withData(new java.util.HashMap<>(data)).build();
    }

    private Deployment deployment(String name) {
        return serialization.unmarshal("""
                {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"%s","namespace":"default","labels":{"app":"web"}},
                 "spec":{"replicas":1,"selector":{"matchLabels":{"app":"web"}},
                  "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"busybox:1"}]}}}}"""
                .formatted(name), Deployment.class);
    }

    private String manifest(HasMetadata object) throws IOException {
        Path file = dir.resolve(object.getMetadata().getName() + ".json");
        Files.writeString(file, serialization.asJson(object));
        return file.toString();
    }

    private <T> T kubectlJson(Class<T> type, String... args) {
        return serialization.unmarshal(kubectl.run(args).ok().out(), type);
    }

    /** The object with what differs between twins (name, uid, version, time) taken out. */
    private <T extends HasMetadata> T withoutIdentity(T object) {
        T copy = serialization.clone(object);
        ObjectMeta m = copy.getMetadata();
        m.setName(null);
        m.setUid(null);
        m.setResourceVersion(null);
        m.setCreationTimestamp(null);
        m.setManagedFields(null);
        return copy;
    }

    private <T extends HasMetadata> List<T> withoutManagedFields(List<T> items) {
        List<T> out = new ArrayList<>();
        for (T item : items) {
            T copy = serialization.clone(item);
            copy.getMetadata().setManagedFields(null);
            out.add(copy);
        }
        return out;
    }

    private static List<String> names(List<? extends HasMetadata> items) {
        List<String> names = new ArrayList<>();
        items.forEach(i -> names.add(i.getMetadata().getName()));
        return names;
    }

    private static String poll(BlockingQueue<String> events) throws InterruptedException {
        String e = events.poll(30, TimeUnit.SECONDS);
        assertNotNull(e, "an event within 30 s");
        return e;
    }

    private static KubernetesClientException expectFailure(Runnable r) {
        try {
            r.run();
        } catch (KubernetesClientException e) {
            return e;
        }
        return fail("expected a KubernetesClientException");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

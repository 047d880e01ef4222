package io.kubus.gateway.apiextensions;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.gateway.testing.GatewayFixture;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import io.kubus.gateway.testing.Kubectl;
import io.kubus.schema.KubusJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A CustomResourceDefinition through the real kubectl against one gateway, as an operator's install manifest uses
 * it: the definition becomes Established and discoverable, its objects are applied, defaulted, validated by the
 * schema and the CEL rule, pruned, printed with the definition's columns, watched, and take status only through the
 * status subresource; deleting the definition deletes its objects and the kind leaves discovery.
 */
class CustomResourcesKubectlTest {
    /** One schema for both versions of the gizmos: ports, a list of maps keyed by name (flow style, one line). */
    private static final String PORTS_SCHEMA = "{type: object, properties: {spec: {type: object, properties: {ports: "
            + "{type: array, x-kubernetes-list-type: map, x-kubernetes-list-map-keys: [name], items: {type: object, "
            + "required: [name], properties: {name: {type: string}, port: {type: integer}}}}}}}}";
    @TempDir
    static Path dir;
    static GatewayFixture gateway;
    static Kubectl kubectl;

    @BeforeAll
    static void start() throws Exception {
        gateway = GatewayFixture.start();
        kubectl = new Kubectl(gateway.writeKubeconfig(dir), dir);
        for (String file : List.of("widgets-crd.yaml", "widget-red.yaml")) {
            Files.copy(Objects.requireNonNull(CustomResourcesKubectlTest.class.getResourceAsStream("/crd/" + file)),
                    dir.resolve(file));
        }
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void aDefinitionServesItsKindUntilItIsDeleted() throws Exception {
        assertEquals("customresourcedefinition.apiextensions.k8s.io/widgets.example.com created",
                kubectl.run("apply", "-f", dir.resolve("widgets-crd.yaml").toString()).ok().out().trim());
        kubectl.run(60, "wait", "--for=condition=Established", "crd/widgets.example.com", "--timeout=30s").ok();
        JsonNode crd = json(kubectl.run("get", "crd", "widgets.example.com", "-o", "json").ok().out());
        assertEquals("[\"v1\"]", crd.path("status").path("storedVersions").toString());
        assertEquals("widgets", crd.path("status").path("acceptedNames").path("plural").asText());
        assertTrue(kubectl.run("api-resources", "--api-group=example.com").ok().out()
                .matches("(?s).*widgets\\s+wd\\s+example.com/v1\\s+true\\s+Widget.*"));

        // kubectl explain reads the schema from the OpenAPI document
        String explained = kubectl.run("explain", "widgets.spec").ok().out();
        assertTrue(explained.contains("GROUP:      example.com") && explained.contains("KIND:       Widget")
                && explained.contains("FIELD: spec <Object>"), explained);
        assertTrue(explained.matches("(?s).*size\\s+<integer>.*") && explained.matches("(?s).*color\\s+<string> -required-.*"),
                explained);

        // applied, defaulted, printed with the definition's columns
        assertEquals("widget.example.com/red created",
                kubectl.run("apply", "-f", dir.resolve("widget-red.yaml").toString()).ok().out().trim());
        JsonNode red = json(kubectl.run("get", "wd", "red", "-o", "json").ok().out());
        assertEquals(3, red.path("spec").path("size").asInt(), "the schema's default");
        assertEquals(10, red.path("spec").path("maxSize").asInt());
        assertEquals(1, red.path("metadata").path("generation").asInt());
        List<String> lines = kubectl.run("get", "widgets").ok().out().lines().toList();
        assertEquals(List.of("NAME", "COLOR", "SIZE", "PHASE"), List.of(lines.get(0).trim().split("\\s+")),
                "the columns the definition names, and no Age it does not name");
        assertEquals(List.of("red", "red", "3"), List.of(lines.get(1).trim().split("\\s+")), lines.get(1));

        // a watch sees the changes that follow
        Process watch = kubectl.start(dir.resolve("watch.err"), "get", "widgets", "-w", "-o",
                "jsonpath={.metadata.name} {.spec.size} {.status.phase}{\"\\n\"}");
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8))) {
                r.lines().forEach(seen::add);
            } catch (Exception ignored) {
                // the process was stopped
            }
        });
        try {
            assertEquals("red 3 ", seen.poll(30, TimeUnit.SECONDS), "the watch's initial list");

            // status only through the status subresource
            kubectl.run("patch", "widget", "red", "--type=merge", "-p", "{\"status\":{\"phase\":\"Ignored\"}}").ok();
            assertEquals("", json(kubectl.run("get", "wd", "red", "-o", "json").ok().out()).path("status").path("phase")
                    .asText(""), "the main resource keeps status as stored");
            kubectl.run("patch", "widget", "red", "--subresource=status", "--type=merge", "-p",
                    "{\"status\":{\"phase\":\"Ready\"}}").ok();
            JsonNode ready = json(kubectl.run("get", "wd", "red", "-o", "json").ok().out());
            assertEquals("Ready", ready.path("status").path("phase").asText());
            assertEquals(1, ready.path("metadata").path("generation").asInt(), "status does not bump the generation");
            kubectl.run("patch", "widget", "red", "--type=merge", "-p", "{\"spec\":{\"size\":5}}").ok();
            assertEquals("red 5 Ready", poll(seen, "red 5 Ready"));
        } finally {
            watch.destroy();
        }

        // a plain Kafka consumer reads the kind's own topic: the documented envelope, the object as stored
        List<JsonNode> events = bareConsumer("kubus.example.com.v1.widgets", 3);
        assertEquals(List.of("io.kubus.example.com.v1.widgets.added", "io.kubus.example.com.v1.widgets.modified",
                "io.kubus.example.com.v1.widgets.modified"), events.stream().map(e -> e.path("ce_type").asText()).toList());
        assertEquals(5, events.get(2).path("object").path("spec").path("size").asInt());
        assertEquals("example.com/v1", events.get(2).path("object").path("apiVersion").asText());

        // the schema and the rule refuse, naming the field and the rule's message
        Kubectl.Result small = kubectl.run("patch", "widget", "red", "--type=merge", "-p", "{\"spec\":{\"size\":0}}");
        assertNotEquals(0, small.exitCode());
        assertTrue(small.err().contains("The Widget \"red\" is invalid: spec.size: Invalid value: 0: spec.size in body "
                + "should be greater than or equal to 1"), small.err());
        Kubectl.Result big = kubectl.run("patch", "widget", "red", "--type=merge", "-p", "{\"spec\":{\"size\":11}}");
        assertNotEquals(0, big.exitCode());
        // kube 1.32 omits an object's value type (field.OmitValueType)
        assertTrue(big.err().contains("The Widget \"red\" is invalid: spec: Invalid value: size must not exceed maxSize"),
                big.err());
        Files.writeString(dir.resolve("colorless.yaml"), """
                apiVersion: example.com/v1
                kind: Widget
                metadata:
                  name: colorless
                spec:
                  size: 2
                """);
        Kubectl.Result colorless = kubectl.run("apply", "-f", dir.resolve("colorless.yaml").toString());
        assertNotEquals(0, colorless.exitCode());
        assertTrue(colorless.err().contains("spec.color: Required value"), colorless.err());
        Kubectl.Result strategic = kubectl.run("patch", "widget", "red", "-p", "{\"spec\":{\"size\":4}}");
        assertNotEquals(0, strategic.exitCode(), "a strategic merge patch of a custom kind is 415");
        assertTrue(strategic.err().contains("application/merge-patch+json"), strategic.err());

        // unknown fields: refused as kubectl asks (Strict), pruned when ignored
        Files.writeString(dir.resolve("extra.yaml"), """
                apiVersion: example.com/v1
                kind: Widget
                metadata:
                  name: extra
                spec:
                  color: blue
                  shape: round
                """);
        Kubectl.Result strict = kubectl.run("apply", "-f", dir.resolve("extra.yaml").toString());
        assertNotEquals(0, strict.exitCode());
        assertTrue(strict.err().contains("unknown field \"spec.shape\""), strict.err());
        kubectl.run("apply", "--validate=false", "-f", dir.resolve("extra.yaml").toString()).ok();
        JsonNode extra = json(kubectl.run("get", "wd", "extra", "-o", "json").ok().out());
        assertTrue(extra.path("spec").path("shape").isMissingNode(), "pruned: " + extra);
        assertEquals("blue", extra.path("spec").path("color").asText());

        // deleting the definition deletes its objects, ends the kind's watches, and the kind leaves discovery
        Process lastWatch = kubectl.start(dir.resolve("last-watch.err"), "get", "widgets", "-w", "-o", "name");
        Thread.sleep(1_000);
        kubectl.run(60, "delete", "crd", "widgets.example.com", "--timeout=30s").ok();
        assertTrue(lastWatch.waitFor(20, TimeUnit.SECONDS), "a watch of the deleted kind ends");
        Kubectl.Result gone = kubectl.run("get", "widgets");
        assertNotEquals(0, gone.exitCode());
        assertTrue(gone.err().contains("the server could not find the requested resource"), gone.err());
        assertEquals("", kubectl.run("api-resources", "--api-group=example.com", "--no-headers").ok().out().trim());
        assertTrue(!gateway.request("GET", "/apis", null, (String) null).body().contains("example.com"));
        assertEquals(404, gateway.request("GET", "/apis/example.com/v1/namespaces/default/widgets", null, (String) null).status());
        assertNotEquals(0, kubectl.run("get", "crd", "widgets.example.com").exitCode());
    }

    @Test
    void aCustomKindWithAScaleSubresourceScalesThroughKubectl() throws Exception {
        Files.writeString(dir.resolve("scalers-crd.yaml"), """
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata:
                  name: scalers.example.com
                spec:
                  group: example.com
                  scope: Namespaced
                  names: {plural: scalers, singular: scaler, kind: Scaler}
                  versions:
                  - name: v1
                    served: true
                    storage: true
                    subresources:
                      status: {}
                      scale:
                        specReplicasPath: .spec.workers.count
                        statusReplicasPath: .status.workers
                        labelSelectorPath: .status.selector
                    schema:
                      openAPIV3Schema:
                        type: object
                        properties:
                          spec:
                            type: object
                            properties:
                              workers:
                                type: object
                                properties:
                                  count: {type: integer, maximum: 10}
                          status:
                            type: object
                            properties:
                              workers: {type: integer}
                              selector: {type: string}
                """);
        kubectl.run("apply", "-f", dir.resolve("scalers-crd.yaml").toString()).ok();
        kubectl.run(60, "wait", "--for=condition=Established", "crd/scalers.example.com", "--timeout=30s").ok();
        Files.writeString(dir.resolve("s1.yaml"), "apiVersion: example.com/v1\nkind: Scaler\nmetadata:\n  name: s1\n"
                + "spec:\n  workers:\n    count: 1\n");
        kubectl.run("apply", "-f", dir.resolve("s1.yaml").toString()).ok();
        kubectl.run("patch", "scaler", "s1", "--subresource=status", "--type=merge", "-p",
                "{\"status\":{\"workers\":1,\"selector\":\"app=s1\"}}").ok();

        assertEquals("scaler.example.com/s1 scaled", kubectl.run("scale", "scaler", "s1", "--replicas=4").ok().out().trim());
        assertEquals("4", kubectl.run("get", "scaler", "s1", "-o", "jsonpath={.spec.workers.count}").ok().out());
        JsonNode scale = json(gateway.request("GET", "/apis/example.com/v1/namespaces/default/scalers/s1/scale", null,
                (String) null).body());
        assertEquals("Scale", scale.path("kind").asText());
        assertEquals(4, scale.path("spec").path("replicas").asInt());
        assertEquals(1, scale.path("status").path("replicas").asInt(), "the definition's statusReplicasPath");
        assertEquals("app=s1", scale.path("status").path("selector").asText(), "the definition's labelSelectorPath");
        kubectl.run(60, "delete", "crd", "scalers.example.com", "--timeout=30s").ok();
    }

    @Test
    void severalVersionsServeOneStoredObjectAndServerSideApplyOwnsItsFields() throws Exception {
        Files.writeString(dir.resolve("gizmos-crd.yaml"), """
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata:
                  name: gizmos.example.com
                spec:
                  group: example.com
                  scope: Namespaced
                  names: {plural: gizmos, singular: gizmo, kind: Gizmo, categories: [all]}
                  versions:
                  - {name: v1beta1, served: true, storage: false, schema: {openAPIV3Schema: %1$s}}
                  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: %1$s}}
                """.formatted(PORTS_SCHEMA));
        kubectl.run("apply", "-f", dir.resolve("gizmos-crd.yaml").toString()).ok();
        kubectl.run(60, "wait", "--for=condition=Established", "crd/gizmos.example.com", "--timeout=30s").ok();
        Path mine = Files.writeString(dir.resolve("g1.yaml"), "apiVersion: example.com/v1beta1\nkind: Gizmo\n"
                + "metadata:\n  name: g1\nspec:\n  ports:\n  - {name: http, port: 80}\n");
        kubectl.run("apply", "--server-side", "-f", mine.toString()).ok();
        Path theirs = Files.writeString(dir.resolve("g1-theirs.yaml"), "apiVersion: example.com/v1beta1\nkind: Gizmo\n"
                + "metadata:\n  name: g1\nspec:\n  ports:\n  - {name: metrics, port: 9090}\n");
        kubectl.run("apply", "--server-side", "--field-manager=sidecar", "-f", theirs.toString()).ok();

        // one object: written in v1beta1, stored and read in v1, both managers' ports kept by their keys
        JsonNode v1 = json(gateway.request("GET", "/apis/example.com/v1/namespaces/default/gizmos/g1", null,
                (String) null).body());
        JsonNode beta = json(gateway.request("GET", "/apis/example.com/v1beta1/namespaces/default/gizmos/g1", null,
                (String) null).body());
        assertEquals("example.com/v1", v1.path("apiVersion").asText());
        assertEquals("example.com/v1beta1", beta.path("apiVersion").asText());
        assertEquals(v1.path("metadata").path("uid"), beta.path("metadata").path("uid"));
        assertEquals("[{\"name\":\"http\",\"port\":80},{\"name\":\"metrics\",\"port\":9090}]",
                v1.path("spec").path("ports").toString());
        assertTrue(kubectl.run("get", "all", "-o", "name").ok().out().contains("gizmo.example.com/g1"),
                "in the category all");
        // kubectl's entry no longer names http: its port goes, the sidecar's stays
        Files.writeString(mine, "apiVersion: example.com/v1beta1\nkind: Gizmo\nmetadata:\n  name: g1\nspec:\n  ports: []\n");
        kubectl.run("apply", "--server-side", "-f", mine.toString()).ok();
        assertEquals("[{\"name\":\"metrics\",\"port\":9090}]", json(kubectl.run("get", "gizmo", "g1", "-o", "json")
                .ok().out()).path("spec").path("ports").toString());
        kubectl.run(60, "delete", "crd", "gizmos.example.com", "--timeout=30s").ok();
    }

    @Test
    void aClusterScopedKindLivesInNoNamespace() throws Exception {
        Files.writeString(dir.resolve("regions-crd.yaml"), """
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata:
                  name: regions.example.com
                spec:
                  group: example.com
                  scope: Cluster
                  names: {plural: regions, singular: region, kind: Region, shortNames: [rg]}
                  versions:
                  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object,
                      properties: {spec: {type: object, properties: {zone: {type: string}}}}}}}
                """);
        kubectl.run("apply", "-f", dir.resolve("regions-crd.yaml").toString()).ok();
        kubectl.run(60, "wait", "--for=condition=Established", "crd/regions.example.com", "--timeout=30s").ok();
        Files.writeString(dir.resolve("eu.yaml"), "apiVersion: example.com/v1\nkind: Region\nmetadata:\n  name: eu\n"
                + "spec:\n  zone: eu-west\n");
        kubectl.run("apply", "-f", dir.resolve("eu.yaml").toString()).ok();
        assertTrue(kubectl.run("api-resources", "--api-group=example.com").ok().out()
                .matches("(?s).*regions\\s+rg\\s+example.com/v1\\s+false\\s+Region.*"));
        JsonNode eu = json(gateway.request("GET", "/apis/example.com/v1/regions/eu", null, (String) null).body());
        assertTrue(eu.path("metadata").path("namespace").isMissingNode(), eu.toString());
        assertEquals(404, gateway.request("GET", "/apis/example.com/v1/namespaces/default/regions/eu", null,
                (String) null).status(), "no namespaced path for a cluster-scoped kind");
        assertEquals("region.example.com/eu", kubectl.run("get", "rg", "-o", "name").ok().out().trim());
        kubectl.run(60, "delete", "crd", "regions.example.com", "--timeout=30s").ok();
    }

    @Test
    void aDefinitionMayNotTakeABuiltInKindsNames() throws Exception {
        Files.writeString(dir.resolve("shadow-crd.yaml"), """
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata:
                  name: ingresses.networking.k8s.io
                  annotations: {api-approved.kubernetes.io: "https://github.com/kubernetes/enhancements/pull/1111"}
                spec:
                  group: networking.k8s.io
                  scope: Namespaced
                  names: {plural: ingresses, kind: Ingress}
                  versions:
                  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}
                """);
        kubectl.run("apply", "-f", dir.resolve("shadow-crd.yaml").toString()).ok();
        kubectl.run(60, "wait", "--for=condition=NamesAccepted=False", "crd/ingresses.networking.k8s.io",
                "--timeout=30s").ok();
        JsonNode crd = json(kubectl.run("get", "crd", "ingresses.networking.k8s.io", "-o", "json").ok().out());
        assertTrue(crd.path("status").path("conditions").toString().contains("\\\"ingresses\\\" is already in use"),
                crd.path("status").toString());
        assertTrue(kubectl.run("get", "ingresses", "-o", "name").exitCode() == 0, "the built-in kind is still served");
        kubectl.run(60, "delete", "crd", "ingresses.networking.k8s.io", "--timeout=30s").ok();
    }

    /** The first {@code count} records of a topic, as a consumer knowing nothing of Kubus reads them. */
    private static List<JsonNode> bareConsumer(String topic, int count) throws Exception {
        List<JsonNode> out = new java.util.ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, gateway.kafkaBootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "bare-" + topic,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            List<ConsumerRecord<String, byte[]>> records = new java.util.ArrayList<>();
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(java.time.Duration.ofMillis(200)).forEach(records::add);
            }
            records.sort(java.util.Comparator.comparingLong(r -> header(r, "ce_resourceversion")));
            for (ConsumerRecord<String, byte[]> r : records) {
                com.fasterxml.jackson.databind.node.ObjectNode e = KubusJson.json().createObjectNode();
                e.put("ce_type", new String(r.headers().lastHeader("ce_type").value(), StandardCharsets.UTF_8));
                e.set("object", KubusJson.json().readTree(r.value()).path("object")); // the value is a watch event
                out.add(e);
            }
        }
        assertEquals(count, out.size(), "records on " + topic);
        return out;
    }

    private static long header(ConsumerRecord<String, byte[]> r, String name) {
        return Long.parseLong(new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8));
    }

    private static String poll(BlockingQueue<String> seen, String wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String line = seen.poll(1, TimeUnit.SECONDS);
            if (wanted.equals(line)) {
                return line;
            }
        }
        return null;
    }

    private static JsonNode json(String s) throws Exception {
        JsonNode n = KubusJson.json().readTree(s);
        assertNotNull(n);
        return n;
    }
}

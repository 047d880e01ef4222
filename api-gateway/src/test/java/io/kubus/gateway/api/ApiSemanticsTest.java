package io.kubus.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.broker.EmbeddedKafkaBroker;
import io.kubus.schema.KubusJson;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The API's semantics are Kubernetes' (k8s.io/apiserver generic registry), checked over HTTP against one real gateway:
 * server-owned metadata, generation, optimistic concurrency, subresources, graceful and finalized deletion,
 * namespace lifecycle, list and watch consistency, selectors, Tables, and Secrets kept off Kafka.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiSemanticsTest {
    private static final String JSON = "application/json";
    private static final String MERGE = "application/merge-patch+json";
    private static final String TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io";
    private static final String NS = "/api/v1/namespaces/default";
    private static final String PODS = NS + "/pods";
    private static final String CONFIGMAPS = NS + "/configmaps";
    private static final String DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments";
    private static final Duration EVENT_WAIT = Duration.ofSeconds(20);

    private final AtomicInteger counter = new AtomicInteger();
    private final HttpClient http = io.kubus.gateway.testing.TestPki.adminHttp();
    private GatewayFixture gw;
    private ObjectStore store;

    @BeforeAll
    void start() {
        gw = GatewayFixture.start();
        store = gw.context().getBean(ObjectStore.class);
    }

    @AfterAll
    void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    // ---- create ----

    @Test
    void createStampsServerOwnedMetadataAndTakesTheNamespaceFromTheUrl() {
        String name = unique("cm");
        JsonNode cm = created(post(CONFIGMAPS, configMap(name, "{}")));
        JsonNode meta = cm.path("metadata");
        assertEquals(36, meta.path("uid").asText().length(), cm.toString());
        assertTrue(meta.path("creationTimestamp").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), cm.toString());
        assertEquals(1, meta.path("generation").asInt());
        assertTrue(meta.path("resourceVersion").asLong() > 0, cm.toString());
        assertEquals("default", meta.path("namespace").asText());
        assertEquals("ConfigMap", cm.path("kind").asText());
        assertEquals(meta.path("uid").asText(), get(CONFIGMAPS + "/" + name).path("metadata").path("uid").asText());
    }

    @Test
    void generateNameAppendsFiveCharacters() {
        String prefix = unique("gen") + "-";
        JsonNode cm = created(post(CONFIGMAPS, """
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"generateName":"%s"}}""".formatted(prefix)));
        String name = cm.path("metadata").path("name").asText();
        assertTrue(name.startsWith(prefix) && name.length() == prefix.length() + 5, name);
        assertTrue(name.substring(prefix.length()).matches("[a-z0-9]{5}"), name);
        assertEquals(200, gw.request("GET", CONFIGMAPS + "/" + name, null, null).status());
    }

    @Test
    void objectsLiveOnlyInExistingNamespaces() {
        String ns = unique("nosuch");
        GatewayFixture.Reply r = post("/api/v1/namespaces/" + ns + "/configmaps", configMap("x", "{}"));
        assertStatus(404, "NotFound", r);
        assertEquals("namespaces \"" + ns + "\" not found", json(r.body()).path("message").asText());
        for (String system : List.of("default", "kube-system", "kube-public")) {
            JsonNode n = get("/api/v1/namespaces/" + system);
            assertEquals("Active", n.path("status").path("phase").asText(), n.toString());
        }
    }

    @Test
    void dryRunStoresNothing() {
        String name = unique("dry");
        long before = store.currentVersion();
        JsonNode cm = created(post(CONFIGMAPS + "?dryRun=All", configMap(name, "{}")));
        assertEquals(name, cm.path("metadata").path("name").asText());
        assertEquals(404, gw.request("GET", CONFIGMAPS + "/" + name, null, null).status());
        assertEquals(before, store.currentVersion());
    }

    // ---- update and patch ----

    @Test
    void generationCountsSpecChangesOnly() {
        String name = unique("gen");
        assertEquals(1, created(post(DEPLOYMENTS, deployment(name, 1))).path("metadata").path("generation").asInt());
        JsonNode labelled = ok(patch(DEPLOYMENTS + "/" + name, "{\"metadata\":{\"labels\":{\"x\":\"y\"}}}"));
        assertEquals(1, labelled.path("metadata").path("generation").asInt());
        JsonNode status = ok(patch(DEPLOYMENTS + "/" + name + "/status", "{\"status\":{\"replicas\":7}}"));
        assertEquals(1, status.path("metadata").path("generation").asInt());
        assertEquals(7, status.path("status").path("replicas").asInt());
        JsonNode spec = ok(patch(DEPLOYMENTS + "/" + name,
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox:2\"}]}}}}"));
        assertEquals(2, spec.path("metadata").path("generation").asInt());
    }

    @Test
    void staleResourceVersionIsAConflictInPutAndMergePatch() {
        String name = unique("rv");
        JsonNode cm = created(post(CONFIGMAPS, configMap(name, "{\"a\":\"1\"}")));
        String first = rv(cm);
        JsonNode second = ok(patch(CONFIGMAPS + "/" + name, "{\"data\":{\"a\":\"2\"}}"));
        assertNotEquals(first, rv(second));
        ((com.fasterxml.jackson.databind.node.ObjectNode) cm.path("metadata")).put("resourceVersion", first);
        assertStatus(409, "Conflict", gw.request("PUT", CONFIGMAPS + "/" + name, JSON, cm.toString()));
        assertStatus(409, "Conflict", patch(CONFIGMAPS + "/" + name,
                "{\"metadata\":{\"resourceVersion\":\"" + first + "\"},\"data\":{\"a\":\"3\"}}"));
        assertEquals("2", get(CONFIGMAPS + "/" + name).path("data").path("a").asText());
        // With the current version the same patch goes through.
        ok(patch(CONFIGMAPS + "/" + name, "{\"metadata\":{\"resourceVersion\":\"" + rv(second) + "\"},\"data\":{\"a\":\"3\"}}"));
    }

    @Test
    void unchangedPutKeepsTheResourceVersion() {
        String name = unique("same");
        created(post(CONFIGMAPS, configMap(name, "{\"a\":\"1\"}")));
        JsonNode current = get(CONFIGMAPS + "/" + name);
        long before = store.currentVersion();
        JsonNode after = ok(gw.request("PUT", CONFIGMAPS + "/" + name, JSON, current.toString()));
        assertEquals(rv(current), rv(after));
        assertEquals(before, store.currentVersion(), "an unchanged PUT must not write or publish");
        // The same holds for a status subresource PUT and a scale PUT that change nothing.
        String d = unique("same");
        created(post(DEPLOYMENTS, deployment(d, 2)));
        JsonNode dep = get(DEPLOYMENTS + "/" + d);
        assertEquals(rv(dep), rv(ok(gw.request("PUT", DEPLOYMENTS + "/" + d + "/status", JSON, dep.toString()))));
        JsonNode scale = get(DEPLOYMENTS + "/" + d + "/scale");
        assertEquals(rv(dep), rv(ok(gw.request("PUT", DEPLOYMENTS + "/" + d + "/scale", JSON, scale.toString()))));
    }

    @Test
    void mainResourceIgnoresStatusAndStatusSubresourceIgnoresSpec() {
        String d = unique("split");
        JsonNode dep = created(post(DEPLOYMENTS, deployment(d, 1)));
        var withStatus = dep.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) withStatus).putObject("status").put("replicas", 9);
        JsonNode afterMain = ok(gw.request("PUT", DEPLOYMENTS + "/" + d, JSON, withStatus.toString()));
        assertFalse(afterMain.path("status").has("replicas") && afterMain.path("status").path("replicas").asInt() == 9,
                afterMain.toString());
        var both = afterMain.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) both.path("spec")).put("replicas", 5);
        ((com.fasterxml.jackson.databind.node.ObjectNode) both).putObject("status").put("replicas", 3);
        JsonNode afterStatus = ok(gw.request("PUT", DEPLOYMENTS + "/" + d + "/status", JSON, both.toString()));
        assertEquals(1, afterStatus.path("spec").path("replicas").asInt());
        assertEquals(3, afterStatus.path("status").path("replicas").asInt());
        assertEquals(1, get(DEPLOYMENTS + "/" + d).path("spec").path("replicas").asInt());

        String p = unique("split");
        JsonNode pod = created(post(PODS, pod(p, "{}")));
        var podWithStatus = pod.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) podWithStatus).putObject("status").put("phase", "Running");
        JsonNode podMain = ok(gw.request("PUT", PODS + "/" + p, JSON, podWithStatus.toString()));
        assertNotEquals("Running", podMain.path("status").path("phase").asText());
        JsonNode podStatus = ok(patch(PODS + "/" + p + "/status",
                "{\"spec\":{\"activeDeadlineSeconds\":5},\"status\":{\"phase\":\"Running\"}}"));
        assertEquals("Running", podStatus.path("status").path("phase").asText());
        assertFalse(podStatus.path("spec").has("activeDeadlineSeconds"), podStatus.toString());
    }

    @Test
    void putCannotChangeUidOrCreationTimestamp() {
        String name = unique("ids");
        JsonNode cm = created(post(CONFIGMAPS, configMap(name, "{}")));
        var moved = cm.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) moved.path("metadata")).put("creationTimestamp", "2001-01-01T00:00:00Z");
        ((com.fasterxml.jackson.databind.node.ObjectNode) moved).putObject("data").put("k", "v");
        JsonNode after = ok(gw.request("PUT", CONFIGMAPS + "/" + name, JSON, moved.toString()));
        assertEquals(cm.path("metadata").path("creationTimestamp"), after.path("metadata").path("creationTimestamp"));
        var otherUid = after.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) otherUid.path("metadata")).put("uid", "00000000-0000-0000-0000-000000000000");
        // kube-apiserver turns the uid of the body into a precondition of the update.
        assertStatus(409, "Conflict", gw.request("PUT", CONFIGMAPS + "/" + name, JSON, otherUid.toString()));
        assertEquals(cm.path("metadata").path("uid"), get(CONFIGMAPS + "/" + name).path("metadata").path("uid"));
    }

    // ---- scale ----

    @Test
    void scaleSubresource() {
        String d = unique("scale");
        created(post(DEPLOYMENTS, """
                {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"%s"},
                 "spec":{"replicas":2,"selector":{"matchLabels":{"app":"%s","tier":"web"},
                   "matchExpressions":[{"key":"env","operator":"In","values":["b","a"]}]},
                  "template":{"metadata":{"labels":{"app":"%s","tier":"web","env":"a"}},
                   "spec":{"containers":[{"name":"c","image":"busybox"}]}}}}""".formatted(d, d, d)));
        JsonNode scale = get(DEPLOYMENTS + "/" + d + "/scale");
        assertEquals("Scale", scale.path("kind").asText());
        assertEquals("autoscaling/v1", scale.path("apiVersion").asText());
        assertEquals(2, scale.path("spec").path("replicas").asInt());
        assertEquals("app=" + d + ",env in (a,b),tier=web", scale.path("status").path("selector").asText());
        String stale = rv(scale);
        ok(patch(DEPLOYMENTS + "/" + d, "{\"metadata\":{\"labels\":{\"touched\":\"yes\"}}}"));
        assertStatus(409, "Conflict", gw.request("PUT", DEPLOYMENTS + "/" + d + "/scale", JSON, scale.toString()));
        JsonNode scaled = ok(patch(DEPLOYMENTS + "/" + d + "/scale", "{\"spec\":{\"replicas\":4}}"));
        assertEquals(4, scaled.path("spec").path("replicas").asInt());
        assertNotEquals(stale, rv(scaled));
        JsonNode dep = get(DEPLOYMENTS + "/" + d);
        assertEquals(4, dep.path("spec").path("replicas").asInt());
        assertEquals(2, dep.path("metadata").path("generation").asInt());
    }

    // ---- binding ----

    @Test
    void bindingAssignsANodeOnce() {
        String p = unique("bind");
        created(post(PODS, pod(p, "{}")));
        GatewayFixture.Reply r = post(PODS + "/" + p + "/binding", binding(p, "node-a"));
        assertEquals(201, r.status(), r.body());
        JsonNode pod = get(PODS + "/" + p);
        assertEquals("node-a", pod.path("spec").path("nodeName").asText());
        boolean scheduled = false;
        for (JsonNode c : pod.path("status").path("conditions")) {
            scheduled |= c.path("type").asText().equals("PodScheduled") && c.path("status").asText().equals("True");
        }
        assertTrue(scheduled, pod.toString());
        assertStatus(409, "Conflict", post(PODS + "/" + p + "/binding", binding(p, "node-b")));
        assertEquals("node-a", get(PODS + "/" + p).path("spec").path("nodeName").asText());
    }

    // ---- delete ----

    @Test
    void unboundPodIsDeletedAtOnce() {
        String p = unique("unbound");
        created(post(PODS, pod(p, "{}")));
        assertEquals(200, delete(PODS + "/" + p, null).status());
        assertEquals(404, gw.request("GET", PODS + "/" + p, null, null).status());
    }

    /**
     * A delete that removes an object at once answers as kube-apiserver's store does: most kinds with a Success
     * Status naming the object (details.kind is the resource, details.group absent for the core group), the kinds
     * whose storage sets ReturnDeletedObject (pods among them) with the object; a pending delete with the object.
     */
    @Test
    void anImmediateDeleteAnswersWithAStatusOrTheObjectAsTheKindDoes() {
        String name = unique("gone");
        JsonNode cm = created(post(CONFIGMAPS, configMap(name, "{}")));
        JsonNode status = ok(delete(CONFIGMAPS + "/" + name, null));
        assertEquals("Status", status.path("kind").asText(), status.toString());
        assertEquals("Success", status.path("status").asText());
        assertEquals(name, status.path("details").path("name").asText());
        assertEquals("configmaps", status.path("details").path("kind").asText());
        assertEquals(cm.path("metadata").path("uid").asText(), status.path("details").path("uid").asText());
        assertFalse(status.path("details").has("group"), status.toString());

        String p = unique("gone");
        created(post(PODS, pod(p, "{}")));
        JsonNode pod = ok(delete(PODS + "/" + p, null));
        assertEquals("Pod", pod.path("kind").asText(), pod.toString());

        String held = unique("held");
        created(post(CONFIGMAPS, """
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"%s","finalizers":["example.com/hold"]}}"""
                .formatted(held)));
        JsonNode pending = ok(delete(CONFIGMAPS + "/" + held, null));
        assertEquals("ConfigMap", pending.path("kind").asText(), pending.toString());
        assertNotNull(pending.path("metadata").get("deletionTimestamp"), pending.toString());
        ok(patch(CONFIGMAPS + "/" + held, "{\"metadata\":{\"finalizers\":null}}"));
    }

    @Test
    void boundPodTerminatesGracefully() {
        String p = unique("bound");
        created(post(PODS, pod(p, "{\"terminationGracePeriodSeconds\":17}")));
        assertEquals(201, post(PODS + "/" + p + "/binding", binding(p, "node-a")).status());
        assertEquals(200, delete(PODS + "/" + p, "{\"propagationPolicy\":\"Background\"}").status());
        JsonNode pod = get(PODS + "/" + p);
        assertNotNull(pod.path("metadata").get("deletionTimestamp"), pod.toString());
        assertEquals(17, pod.path("metadata").path("deletionGracePeriodSeconds").asInt());
        assertEquals(200, delete(PODS + "/" + p + "?gracePeriodSeconds=0", null).status());
        assertEquals(404, gw.request("GET", PODS + "/" + p, null, null).status());

        String q = unique("bound");
        created(post(PODS, pod(q, "{}")));
        assertEquals(201, post(PODS + "/" + q + "/binding", binding(q, "node-a")).status());
        assertEquals(200, delete(PODS + "/" + q, "{\"gracePeriodSeconds\":5}").status());
        assertEquals(5, get(PODS + "/" + q).path("metadata").path("deletionGracePeriodSeconds").asInt());
        assertEquals(200, delete(PODS + "/" + q, "{\"gracePeriodSeconds\":0}").status());
        assertEquals(404, gw.request("GET", PODS + "/" + q, null, null).status());
    }

    @Test
    void finalizersHoldAnObjectUntilTheLastIsRemoved() throws Exception {
        String name = unique("fin");
        JsonNode cm = created(post(CONFIGMAPS, """
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"%s","finalizers":["example.com/hold"]}}"""
                .formatted(name)));
        try (Watch w = watch(CONFIGMAPS + "?watch=true&fieldSelector=metadata.name%3D" + name
                + "&resourceVersion=" + rv(cm))) {
            assertEquals(200, delete(CONFIGMAPS + "/" + name, null).status());
            JsonNode held = get(CONFIGMAPS + "/" + name);
            assertNotNull(held.path("metadata").get("deletionTimestamp"), held.toString());
            GatewayFixture.Reply more = patch(CONFIGMAPS + "/" + name,
                    "{\"metadata\":{\"finalizers\":[\"example.com/hold\",\"example.com/more\"]}}");
            assertStatus(422, "Invalid", more);
            assertTrue(json(more.body()).path("message").asText().contains("no new finalizers can be added"), more.body());
            ok(patch(CONFIGMAPS + "/" + name, "{\"metadata\":{\"finalizers\":null}}"));
            assertEquals(404, gw.request("GET", CONFIGMAPS + "/" + name, null, null).status());
            assertEquals("MODIFIED", w.next().path("type").asText());
            JsonNode gone = w.next();
            assertEquals("DELETED", gone.path("type").asText());
            assertEquals(name, gone.path("object").path("metadata").path("name").asText());
        }
    }

    @Test
    void propagationPolicyLeavesFinalizersForTheGarbageCollector() {
        for (String[] c : List.of(new String[] {"Foreground", "foregroundDeletion"}, new String[] {"Orphan", "orphan"})) {
            String name = unique("policy");
            created(post(CONFIGMAPS, configMap(name, "{}")));
            assertEquals(200, delete(CONFIGMAPS + "/" + name, "{\"propagationPolicy\":\"" + c[0] + "\"}").status());
            JsonNode held = get(CONFIGMAPS + "/" + name);
            assertNotNull(held.path("metadata").get("deletionTimestamp"), held.toString());
            assertEquals(c[1], held.path("metadata").path("finalizers").path(0).asText(), held.toString());
            ok(patch(CONFIGMAPS + "/" + name, "{\"metadata\":{\"finalizers\":[]}}"));
            assertEquals(404, gw.request("GET", CONFIGMAPS + "/" + name, null, null).status());
        }
    }

    @Test
    void deletePreconditions() {
        String name = unique("pre");
        JsonNode cm = created(post(CONFIGMAPS, configMap(name, "{}")));
        assertStatus(409, "Conflict", delete(CONFIGMAPS + "/" + name, "{\"preconditions\":{\"uid\":\"nope\"}}"));
        assertStatus(409, "Conflict", delete(CONFIGMAPS + "/" + name, "{\"preconditions\":{\"resourceVersion\":\"1\"}}"));
        assertEquals(200, gw.request("GET", CONFIGMAPS + "/" + name, null, null).status());
        assertEquals(200, delete(CONFIGMAPS + "/" + name, "{\"preconditions\":{\"uid\":\"" + cm.path("metadata").path("uid").asText()
                + "\",\"resourceVersion\":\"" + rv(cm) + "\"}}").status());
        assertEquals(404, gw.request("GET", CONFIGMAPS + "/" + name, null, null).status());
    }

    @Test
    void deleteCollectionDeletesOnlyMatchingObjects() {
        String set = unique("set");
        for (String n : List.of("a", "b", "c")) {
            created(post(CONFIGMAPS, """
                    {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"%s-%s","labels":{"set":"%s","drop":"%s"}}}"""
                    .formatted(set, n, set, n.equals("c") ? "no" : "yes")));
        }
        JsonNode deleted = ok(gw.request("DELETE", CONFIGMAPS + "?labelSelector=" + enc("set=" + set + ",drop=yes"), null, null));
        assertEquals(2, deleted.path("items").size(), deleted.toString());
        assertEquals(404, gw.request("GET", CONFIGMAPS + "/" + set + "-a", null, null).status());
        assertEquals(404, gw.request("GET", CONFIGMAPS + "/" + set + "-b", null, null).status());
        assertEquals(200, gw.request("GET", CONFIGMAPS + "/" + set + "-c", null, null).status());
    }

    // ---- namespaces ----

    @Test
    void terminatingNamespaceRefusesNewContent() {
        String ns = unique("ns");
        created(post("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + ns + "\"}}"));
        created(post("/api/v1/namespaces/" + ns + "/configmaps", configMap("before", "{}")));
        assertEquals(200, delete("/api/v1/namespaces/" + ns, null).status());
        JsonNode n = get("/api/v1/namespaces/" + ns);
        assertEquals("Terminating", n.path("status").path("phase").asText(), n.toString());
        assertNotNull(n.path("metadata").get("deletionTimestamp"), n.toString());
        GatewayFixture.Reply r = post("/api/v1/namespaces/" + ns + "/configmaps", configMap("after", "{}"));
        assertStatus(403, "Forbidden", r);
        assertEquals("configmaps \"after\" is forbidden: unable to create new content in namespace " + ns
                + " because it is being terminated", json(r.body()).path("message").asText());
        JsonNode cause = json(r.body()).path("details").path("causes").path(0);
        assertEquals("NamespaceTerminating", cause.path("reason").asText(), r.body());
        assertEquals("metadata.namespace", cause.path("field").asText(), r.body());
        assertEquals(200, gw.request("GET", "/api/v1/namespaces/" + ns + "/configmaps/before", null, null).status());
    }

    @Test
    void withoutAPolicyTheKindsDefaultPropagationApplies() {
        // kube-apiserver's DefaultGarbageCollectionPolicy: batch/v1 Jobs orphan their pods, apps/v1 kinds do not.
        String job = unique("job");
        created(post("/apis/batch/v1/namespaces/default/jobs", """
                {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"%s"},"spec":{"template":{"spec":{
                 "restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}}""".formatted(job)));
        assertEquals(200, delete("/apis/batch/v1/namespaces/default/jobs/" + job, null).status());
        JsonNode held = get("/apis/batch/v1/namespaces/default/jobs/" + job);
        assertEquals("orphan", held.path("metadata").path("finalizers").path(0).asText(), held.toString());
        String deploy = unique("deploy");
        created(post(DEPLOYMENTS, deployment(deploy, 1)));
        assertEquals(200, delete(DEPLOYMENTS + "/" + deploy, null).status());
        assertEquals(404, gw.request("GET", DEPLOYMENTS + "/" + deploy, null, null).status());
        // An explicit policy replaces the other GC finalizer the object carries.
        String cm = unique("cm");
        created(post(CONFIGMAPS, """
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"%s","finalizers":["orphan"]}}""".formatted(cm)));
        assertEquals(200, delete(CONFIGMAPS + "/" + cm, "{\"propagationPolicy\":\"Foreground\"}").status());
        assertEquals("[\"foregroundDeletion\"]", get(CONFIGMAPS + "/" + cm).path("metadata").path("finalizers").toString());
        ok(patch(CONFIGMAPS + "/" + cm, "{\"metadata\":{\"finalizers\":null}}"));
    }

    @Test
    void systemNamespacesMayNotBeDeleted() {
        for (String system : List.of("default", "kube-system", "kube-public")) {
            GatewayFixture.Reply r = delete("/api/v1/namespaces/" + system, null);
            assertStatus(403, "Forbidden", r);
            assertEquals("namespaces \"" + system + "\" is forbidden: this namespace may not be deleted",
                    json(r.body()).path("message").asText());
        }
    }

    @Test
    void aTerminatingNamespaceGoesWhenItsFinalizersAreRemovedThroughFinalize() {
        String ns = unique("ns");
        String path = "/api/v1/namespaces/" + ns;
        created(post("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + ns + "\"}}"));
        assertEquals(200, delete(path, null).status());
        assertStatus(409, "Conflict", delete(path, null));
        // Neither an update nor a status update may drop spec.finalizers, and neither ends the namespace.
        ok(patch(path, "{\"spec\":{\"finalizers\":[]}}"));
        ok(gw.request("PATCH", path + "/status", MERGE, "{\"status\":{\"conditions\":[{\"type\":\"NamespaceContentRemaining\",\"status\":\"False\"}]}}"));
        JsonNode n = get(path);
        assertEquals("[\"kubernetes\"]", n.path("spec").path("finalizers").toString(), n.toString());
        ((com.fasterxml.jackson.databind.node.ObjectNode) n.path("spec")).putArray("finalizers");
        JsonNode finalized = ok(gw.request("PUT", path + "/finalize", JSON, n.toString()));
        assertEquals(ns, finalized.path("metadata").path("name").asText(), finalized.toString());
        assertEquals(404, gw.request("GET", path, null, null).status());
    }

    // ---- list ----

    @Test
    void listIsConsistentAndSelectable() {
        String app = unique("app");
        String ns2 = unique("other");
        created(post("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + ns2 + "\"}}"));
        String running = app + "-run";
        String bound = app + "-bound";
        String other = app + "-other";
        created(post(PODS, pod(running, "{}", app)));
        created(post(PODS, pod(bound, "{}", app)));
        created(post(PODS, pod(other, "{}", "not-" + app)));
        created(post("/api/v1/namespaces/" + ns2 + "/pods", pod(app + "-far", "{}", app)));
        ok(patch(PODS + "/" + running + "/status", "{\"status\":{\"phase\":\"Running\"}}"));
        assertEquals(201, post(PODS + "/" + bound + "/binding", binding(bound, app + "-node")).status());

        JsonNode list = get(PODS);
        assertEquals("PodList", list.path("kind").asText());
        long listRv = list.path("metadata").path("resourceVersion").asLong();
        for (JsonNode item : list.path("items")) {
            assertTrue(listRv >= item.path("metadata").path("resourceVersion").asLong(), list.toString());
        }
        assertEquals(Set.of(running, bound), names(get(PODS + "?labelSelector=" + enc("app=" + app))));
        assertTrue(names(get(PODS + "?labelSelector=" + enc("app!=" + app))).contains(other));
        assertFalse(names(get(PODS + "?labelSelector=" + enc("app!=" + app))).contains(running));
        assertEquals(Set.of(running), names(get(PODS + "?fieldSelector=" + enc("metadata.name=" + running))));
        assertEquals(Set.of(running), names(get(PODS + "?labelSelector=" + enc("app=" + app)
                + "&fieldSelector=" + enc("status.phase=Running"))));
        assertEquals(Set.of(bound), names(get(PODS + "?labelSelector=" + enc("app=" + app)
                + "&fieldSelector=" + enc("status.phase!=Running"))));
        assertEquals(Set.of(bound), names(get(PODS + "?fieldSelector=" + enc("spec.nodeName=" + app + "-node"))));
        assertEquals(Set.of(running, bound, app + "-far"), names(get("/api/v1/pods?labelSelector=" + enc("app=" + app))));
        assertStatus(400, "BadRequest", gw.request("GET", PODS + "?fieldSelector=" + enc("spec.image=x"), null, null));

        String ev = unique("ev");
        created(post(NS + "/events", """
                {"apiVersion":"v1","kind":"Event","metadata":{"name":"%s"},"involvedObject":{"kind":"Pod","name":"%s","namespace":"default"},
                 "reason":"Tested","message":"hi","type":"Normal"}""".formatted(ev, running)));
        assertEquals(Set.of(ev), names(get(NS + "/events?fieldSelector=" + enc("involvedObject.name=" + running))));
        assertEquals(Set.of(), names(get(NS + "/events?fieldSelector=" + enc("involvedObject.name=" + bound))));
    }

    @Test
    void tableOutput() {
        String app = unique("tbl");
        created(post(PODS, pod(app, "{}", app)));
        String path = PODS + "?labelSelector=" + enc("app=" + app);
        JsonNode table = table(path);
        assertEquals("Table", table.path("kind").asText());
        assertEquals("meta.k8s.io/v1", table.path("apiVersion").asText());
        assertEquals("Name", table.path("columnDefinitions").path(0).path("name").asText());
        assertFalse(table.path("metadata").path("resourceVersion").asText().isEmpty());
        assertEquals(1, table.path("rows").size());
        assertEquals(app, table.path("rows").path(0).path("cells").path(0).asText());
        JsonNode meta = table.path("rows").path(0).path("object");
        assertEquals("PartialObjectMetadata", meta.path("kind").asText(), table.toString());
        assertEquals(app, meta.path("metadata").path("name").asText());
        assertFalse(meta.has("spec"));
        assertEquals("PartialObjectMetadata", table(path + "&includeObject=Metadata").path("rows").path(0).path("object").path("kind").asText());
        JsonNode full = table(path + "&includeObject=Object").path("rows").path(0).path("object");
        assertEquals("Pod", full.path("kind").asText());
        assertEquals("busybox", full.path("spec").path("containers").path(0).path("image").asText());
        assertTrue(table(path + "&includeObject=None").path("rows").path(0).path("object").isMissingNode()
                || table(path + "&includeObject=None").path("rows").path(0).path("object").isNull());
        JsonNode one = table(PODS + "/" + app);
        assertEquals("Table", one.path("kind").asText());
        assertEquals(1, one.path("rows").size());
    }

    // ---- paging ----

    /**
     * The pages of one list, taken while another client creates, changes and deletes objects of it between (and
     * during) the requests, add up to the list at the first page's version: every object that existed then, once,
     * as it was then, and nothing else. The expected list is rebuilt from the change events a watch delivered.
     */
    @Test
    void pagesAddUpToTheListAtTheFirstPagesVersionWhileWritesRun() throws Exception {
        String ns = namespace("pages");
        String base = "/api/v1/namespaces/" + ns + "/configmaps";
        String from = get(base).path("metadata").path("resourceVersion").asText();
        try (Watch w = watch(base + "?watch=true&resourceVersion=" + from)) {
            for (int i = 0; i < 40; i++) {
                created(post(base, configMap("cm-" + String.format("%03d", i), "{\"n\":\"0\"}")));
            }
            java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
            java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
            Thread writer = Thread.ofVirtual().start(() -> {
                java.util.Random random = new java.util.Random(7);
                for (int n = 1; writing.get() || n < 60; n++) {
                    String name = "cm-" + String.format("%03d", random.nextInt(60));
                    String value = Integer.toString(n);
                    switch (random.nextInt(3)) {
                        case 0 -> post(base, configMap(name, "{\"n\":\"" + value + "\"}"));
                        case 1 -> patch(base + "/" + name, "{\"data\":{\"n\":\"" + value + "\"}}");
                        default -> delete(base + "/" + name, null);
                    }
                    done.incrementAndGet();
                }
            });
            List<JsonNode> pages = new ArrayList<>();
            try {
                String token = null;
                do {
                    int before = done.get();
                    JsonNode page = get(base + "?limit=7" + (token == null ? "" : "&continue=" + enc(token)));
                    pages.add(page);
                    token = page.path("metadata").path("continue").asText(null);
                    // Writes land between the pages too.
                    while (done.get() < before + 3) {
                        Thread.sleep(1);
                    }
                } while (token != null);
            } finally {
                writing.set(false);
                writer.join(Duration.ofSeconds(60));
            }

            long version = pages.getFirst().path("metadata").path("resourceVersion").asLong();
            Map<String, String> seen = new java.util.TreeMap<>();
            List<String> order = new ArrayList<>();
            for (JsonNode page : pages) {
                assertEquals(version, page.path("metadata").path("resourceVersion").asLong(), "every page shows the first page's version");
                assertTrue(page.path("items").size() <= 7, page.toString());
                for (JsonNode item : page.path("items")) {
                    String name = item.path("metadata").path("name").asText();
                    assertTrue(item.path("metadata").path("resourceVersion").asLong() <= version, item.toString());
                    assertNull(seen.put(name, item.path("data").path("n").asText()), name + " listed twice");
                    order.add(name);
                }
            }
            assertEquals(order.stream().sorted().toList(), order, "pages come in name order");
            assertTrue(pages.size() > 4, "several pages: " + pages.size());

            // The change events up to a marker written last hold every change; replayed up to the version, they
            // are the list at that version.
            created(post(base, configMap("zz-marker", "{}")));
            Map<String, String> expected = new java.util.TreeMap<>();
            for (JsonNode e = w.next(); !e.path("object").path("metadata").path("name").asText().equals("zz-marker");
                 e = w.next()) {
                JsonNode obj = e.path("object");
                if (obj.path("metadata").path("resourceVersion").asLong() > version) {
                    continue;
                }
                String name = obj.path("metadata").path("name").asText();
                if (e.path("type").asText().equals("DELETED")) {
                    expected.remove(name);
                } else {
                    expected.put(name, obj.path("data").path("n").asText());
                }
            }
            assertEquals(expected, seen, "the pages hold exactly the list at version " + version);
            JsonNode exact = get(base + "?resourceVersion=" + version + "&resourceVersionMatch=Exact");
            Map<String, String> exactItems = new java.util.TreeMap<>();
            exact.path("items").forEach(i -> exactItems.put(i.path("metadata").path("name").asText(), i.path("data").path("n").asText()));
            assertEquals(expected, exactItems, "an unpaged list at that exact version holds the same");
            assertEquals(version, exact.path("metadata").path("resourceVersion").asLong());
        }
    }

    @Test
    void remainingItemCountCountsWhatTheNextPagesHoldUnlessASelectorNarrowsTheList() {
        String ns = namespace("remaining");
        String base = "/api/v1/namespaces/" + ns + "/configmaps";
        for (int i = 0; i < 30; i++) {
            created(post(base, configMap("cm-" + String.format("%02d", i), "{}", i % 2 == 0 ? "even" : "odd")));
        }
        List<Long> remaining = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        String token = null;
        do {
            JsonNode page = get(base + "?limit=7" + (token == null ? "" : "&continue=" + enc(token)));
            token = page.path("metadata").path("continue").asText(null);
            sizes.add(page.path("items").size());
            JsonNode count = page.path("metadata").path("remainingItemCount");
            remaining.add(count.isMissingNode() ? null : count.asLong());
        } while (token != null);
        assertEquals(List.of(7, 7, 7, 7, 2), sizes);
        assertEquals(java.util.Arrays.asList(23L, 16L, 9L, 2L, null), remaining);

        JsonNode exactlyAll = get(base + "?limit=30");
        assertFalse(exactlyAll.path("metadata").has("continue"), "a page that holds the rest has no continue token");
        assertFalse(exactlyAll.path("metadata").has("remainingItemCount"));

        JsonNode selected = get(base + "?limit=4&labelSelector=" + enc("app=odd"));
        assertEquals(4, selected.path("items").size());
        assertFalse(selected.path("metadata").path("continue").asText("").isEmpty());
        assertFalse(selected.path("metadata").has("remainingItemCount"), "a selector makes the count unknowable");
        Set<String> odd = new HashSet<>(names(selected));
        token = selected.path("metadata").path("continue").asText();
        while (token != null) {
            JsonNode page = get(base + "?limit=4&labelSelector=" + enc("app=odd") + "&continue=" + enc(token));
            assertTrue(page.path("items").size() <= 4);
            odd.addAll(names(page));
            token = page.path("metadata").path("continue").asText(null);
        }
        assertEquals(15, odd.size(), "a selective list's pages are filled from as many rows as it takes");
    }

    @Test
    void everyRepresentationAndScopePages() throws Exception {
        String ns = namespace("repr");
        String base = "/api/v1/namespaces/" + ns + "/configmaps";
        for (int i = 0; i < 5; i++) {
            created(post(base, configMap("cm-" + i, "{}")));
        }
        JsonNode t1 = ok(gw.request("GET", base + "?limit=3", null, null, Map.of("Accept", TABLE)));
        assertEquals("Table", t1.path("kind").asText());
        assertEquals(3, t1.path("rows").size());
        assertEquals("Name", t1.path("columnDefinitions").path(0).path("name").asText());
        assertEquals(2, t1.path("metadata").path("remainingItemCount").asLong());
        JsonNode t2 = ok(gw.request("GET", base + "?limit=3&continue=" + enc(t1.path("metadata").path("continue").asText()),
                null, null, Map.of("Accept", TABLE)));
        assertEquals(List.of("cm-3", "cm-4"), List.of(t2.path("rows").path(0).path("cells").path(0).asText(),
                t2.path("rows").path(1).path("cells").path(0).asText()));
        assertFalse(t2.path("metadata").has("continue"));

        GatewayFixture.Reply yaml = gw.request("GET", base + "?limit=2", null, null, Map.of("Accept", "application/yaml"));
        assertEquals(200, yaml.status());
        JsonNode y = KubusJson.yaml().readTree(yaml.body());
        assertEquals("ConfigMapList", y.path("kind").asText());
        assertEquals(2, y.path("items").size());
        assertEquals(3, y.path("metadata").path("remainingItemCount").asLong());
        JsonNode y2 = KubusJson.yaml().readTree(gw.request("GET", base + "?limit=2&continue="
                + enc(y.path("metadata").path("continue").asText()), null, null, Map.of("Accept", "application/yaml")).body());
        assertEquals(Set.of("cm-2", "cm-3"), names(y2));

        // kubectl describe and rollout history offer protobuf first; they get JSON, paged the same way.
        JsonNode proto = ok(gw.request("GET", base + "?limit=4", null, null,
                Map.of("Accept", "application/vnd.kubernetes.protobuf,application/json")));
        assertEquals(4, proto.path("items").size());
        assertEquals(1, proto.path("metadata").path("remainingItemCount").asLong());

        // All namespaces: the token carries the namespace of the last object, and the next page goes on from it.
        String other = namespace("repr2");
        for (int i = 0; i < 3; i++) {
            created(post("/api/v1/namespaces/" + other + "/configmaps", configMap("cm-" + i, "{}", "repr-all")));
            created(post(base, configMap("x-" + i, "{}", "repr-all")));
        }
        List<String> all = new ArrayList<>();
        String token = null;
        do {
            JsonNode page = get("/api/v1/configmaps?limit=2&labelSelector=" + enc("app=repr-all")
                    + (token == null ? "" : "&continue=" + enc(token)));
            page.path("items").forEach(i -> all.add(i.path("metadata").path("namespace").asText() + "/"
                    + i.path("metadata").path("name").asText()));
            token = page.path("metadata").path("continue").asText(null);
        } while (token != null);
        List<String> sorted = new ArrayList<>(all);
        java.util.Collections.sort(sorted);
        assertEquals(6, all.size(), all.toString());
        assertEquals(sorted, all);

        // Cluster-scoped: namespaces.
        JsonNode n1 = get("/api/v1/namespaces?limit=1");
        assertEquals(1, n1.path("items").size());
        JsonNode n2 = get("/api/v1/namespaces?limit=1&continue=" + enc(n1.path("metadata").path("continue").asText()));
        assertTrue(n1.path("items").path(0).path("metadata").path("name").asText()
                .compareTo(n2.path("items").path(0).path("metadata").path("name").asText()) < 0);
    }

    @Test
    void aListAtAnOlderVersionShowsThatVersion() {
        String ns = namespace("exact");
        String base = "/api/v1/namespaces/" + ns + "/configmaps";
        created(post(base, configMap("a", "{\"v\":\"1\"}")));
        created(post(base, configMap("b", "{\"v\":\"1\"}")));
        long then = get(base).path("metadata").path("resourceVersion").asLong();
        ok(patch(base + "/a", "{\"data\":{\"v\":\"2\"}}"));
        ok(delete(base + "/b", null));
        created(post(base, configMap("c", "{\"v\":\"1\"}")));

        JsonNode old = get(base + "?resourceVersion=" + then + "&resourceVersionMatch=Exact");
        assertEquals(then, old.path("metadata").path("resourceVersion").asLong());
        assertEquals(Set.of("a", "b"), names(old));
        assertEquals("1", old.path("items").path(0).path("data").path("v").asText(), "a as it was");
        // Kubernetes' legacy rule: a version with a limit and no match is exact too.
        JsonNode legacy = get(base + "?resourceVersion=" + then + "&limit=10");
        assertEquals(then, legacy.path("metadata").path("resourceVersion").asLong());
        assertEquals(Set.of("a", "b"), names(legacy));
        // NotOlderThan, and a version without a limit, are served at the newest version.
        JsonNode notOlder = get(base + "?resourceVersion=" + then + "&resourceVersionMatch=NotOlderThan");
        assertTrue(notOlder.path("metadata").path("resourceVersion").asLong() > then);
        assertEquals(Set.of("a", "c"), names(notOlder));
        assertEquals(Set.of("a", "c"), names(get(base + "?resourceVersion=" + then)));
        assertEquals(Set.of("a", "c"), names(get(base + "?resourceVersion=0&limit=500")));
    }

    @Test
    void aCompactedContinueTokenIsGoneWithATokenThatFinishesTheListAtTheNewestVersion() {
        String ns = namespace("compact");
        String base = "/api/v1/namespaces/" + ns + "/configmaps";
        for (int i = 0; i < 6; i++) {
            created(post(base, configMap("cm-" + i, "{\"v\":\"1\"}")));
        }
        JsonNode first = get(base + "?limit=2");
        String token = first.path("metadata").path("continue").asText();
        ok(patch(base + "/cm-3", "{\"data\":{\"v\":\"2\"}}"));
        ok(delete(base + "/cm-4", null));
        created(post(base, configMap("cm-9", "{\"v\":\"1\"}")));
        // Compaction as its schedule would run it once the window has passed for everything written so far.
        gw.context().getBean(io.kubus.gateway.store.ObjectHistory.class).compact(java.time.Instant.now().plusSeconds(1));

        GatewayFixture.Reply gone = gw.request("GET", base + "?limit=2&continue=" + enc(token), null, null);
        assertStatus(410, "Expired", gone);
        JsonNode status = json(gone.body());
        assertEquals("The provided continue parameter is too old to display a consistent list result. You can start "
                + "a new list without the continue parameter, or use the continue token in this response to retrieve "
                + "the remainder of the results. Continuing with the provided token results in an inconsistent list - "
                + "objects that were created, modified, or deleted between the time the first chunk was returned and "
                + "now may show up in the list.", status.path("message").asText());
        String fresh = status.path("metadata").path("continue").asText();
        assertFalse(fresh.isEmpty(), gone.body());
        JsonNode decoded = json(new String(java.util.Base64.getUrlDecoder().decode(fresh), StandardCharsets.UTF_8));
        assertEquals(-1, decoded.path("rv").asLong(), "the fresh token continues at the newest version");

        List<String> rest = new ArrayList<>();
        JsonNode page = get(base + "?limit=2&continue=" + enc(fresh));
        long newest = page.path("metadata").path("resourceVersion").asLong();
        assertTrue(newest > first.path("metadata").path("resourceVersion").asLong());
        while (true) {
            assertEquals(newest, page.path("metadata").path("resourceVersion").asLong());
            page.path("items").forEach(i -> rest.add(i.path("metadata").path("name").asText() + "="
                    + i.path("data").path("v").asText()));
            String next = page.path("metadata").path("continue").asText(null);
            if (next == null) {
                break;
            }
            page = get(base + "?limit=2&continue=" + enc(next));
        }
        assertEquals(List.of("cm-2=1", "cm-3=2", "cm-5=1", "cm-9=1"), rest, "the rest as it is now");
    }

    @Test
    void deleteCollectionWithALimitDeletesOnePage() {
        String ns = namespace("delpage");
        String base = "/api/v1/namespaces/" + ns + "/configmaps";
        for (int i = 0; i < 5; i++) {
            created(post(base, configMap("cm-" + i, "{}")));
        }
        JsonNode deleted = ok(gw.request("DELETE", base + "?limit=2", null, null));
        assertEquals(2, deleted.path("items").size());
        assertFalse(deleted.path("metadata").path("continue").asText("").isEmpty());
        assertEquals(Set.of("cm-2", "cm-3", "cm-4"), names(get(base)));
        JsonNode rest = ok(gw.request("DELETE", base, null, null));
        assertEquals(3, rest.path("items").size());
        assertEquals(Set.of(), names(get(base)));
    }

    /**
     * A client that goes away in the middle of a list leaves nothing behind: the list's cursor gives its database
     * connection back, so more abandoned lists than the pool holds still leave the API working.
     */
    @Test
    void aListWhoseClientGoesAwayGivesItsConnectionBack() throws Exception {
        String ns = namespace("abandon");
        String base = "/api/v1/namespaces/" + ns + "/configmaps";
        // 12 MB: more than the sockets' buffers hold, so the gateway is still writing when the client leaves.
        String big = "x".repeat(40_000);
        for (int i = 0; i < 300; i++) {
            created(post(base, configMap("cm-" + i, "{\"big\":\"" + big + "\"}")));
        }
        com.zaxxer.hikari.HikariDataSource pool = (com.zaxxer.hikari.HikariDataSource)
                io.micronaut.data.connection.jdbc.advice.DelegatingDataSource.unwrapDataSource(
                        gw.context().getBean(javax.sql.DataSource.class));
        int abandoned = pool.getMaximumPoolSize() + 5;
        for (int i = 0; i < abandoned; i++) {
            HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + base))
                    .build(), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, r.statusCode());
            try (java.io.InputStream in = r.body()) {
                assertEquals(64 * 1024, in.readNBytes(64 * 1024).length, "the list is under way");
            }
        }
        long deadline = System.nanoTime() + EVENT_WAIT.toNanos();
        while (pool.getHikariPoolMXBean().getActiveConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, pool.getHikariPoolMXBean().getActiveConnections(), "every abandoned list gave its connection back");
        assertEquals(300, get(base).path("items").size());
        created(post(base, configMap("after", "{}")));
    }

    /**
     * A new namespace with no ConfigMaps at all: the tests here count and page its ConfigMaps, so the
     * {@code kube-root-ca.crt} every namespace starts with is deleted first.
     */
    private String namespace(String prefix) {
        String ns = unique(prefix);
        created(post("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + ns + "\"}}"));
        ok(delete("/api/v1/namespaces/" + ns + "/configmaps/kube-root-ca.crt", null));
        return ns;
    }

    // ---- watch ----

    @Test
    void watchFromZeroSendsCurrentObjectsThenChanges() throws Exception {
        String app = unique("w0");
        created(post(CONFIGMAPS, configMap(app + "-a", "{}", app)));
        created(post(CONFIGMAPS, configMap(app + "-b", "{}", app)));
        try (Watch w = watch(CONFIGMAPS + "?watch=true&resourceVersion=0&labelSelector=" + enc("app=" + app))) {
            Set<String> initial = new HashSet<>();
            for (int i = 0; i < 2; i++) {
                JsonNode e = w.next();
                assertEquals("ADDED", e.path("type").asText());
                initial.add(e.path("object").path("metadata").path("name").asText());
            }
            assertEquals(Set.of(app + "-a", app + "-b"), initial);
            ok(patch(CONFIGMAPS + "/" + app + "-a", "{\"data\":{\"k\":\"v\"}}"));
            JsonNode e = w.next();
            assertEquals("MODIFIED", e.path("type").asText(), e.toString());
            assertEquals("v", e.path("object").path("data").path("k").asText());
        }
        // No resourceVersion at all behaves the same.
        try (Watch w = watch(CONFIGMAPS + "?watch=true&labelSelector=" + enc("app=" + app))) {
            assertEquals("ADDED", w.next().path("type").asText());
            assertEquals("ADDED", w.next().path("type").asText());
        }
    }

    @Test
    void watchFromAListVersionSendsLaterChangesInOrder() throws Exception {
        String app = unique("wl");
        created(post(CONFIGMAPS, configMap(app + "-old", "{}", app)));
        String listRv = get(CONFIGMAPS).path("metadata").path("resourceVersion").asText();
        String n = app + "-new";
        created(post(CONFIGMAPS, configMap(n, "{}", app)));
        ok(patch(CONFIGMAPS + "/" + n, "{\"data\":{\"k\":\"1\"}}"));
        ok(patch(CONFIGMAPS + "/" + n, "{\"data\":{\"k\":\"2\"}}"));
        assertEquals(200, delete(CONFIGMAPS + "/" + n, null).status());
        try (Watch w = watch(CONFIGMAPS + "?watch=true&resourceVersion=" + listRv + "&labelSelector=" + enc("app=" + app))) {
            List<String> types = new ArrayList<>();
            long last = Long.parseLong(listRv);
            for (int i = 0; i < 4; i++) {
                JsonNode e = w.next();
                types.add(e.path("type").asText());
                assertEquals(n, e.path("object").path("metadata").path("name").asText(), e.toString());
                long v = e.path("object").path("metadata").path("resourceVersion").asLong();
                assertTrue(v > last, "versions rise: " + v + " after " + last);
                last = v;
            }
            assertEquals(List.of("ADDED", "MODIFIED", "MODIFIED", "DELETED"), types);
            // The object that existed at the list's version is not sent again.
            ok(patch(CONFIGMAPS + "/" + app + "-old", "{\"data\":{\"k\":\"x\"}}"));
            JsonNode e = w.next();
            assertEquals("MODIFIED", e.path("type").asText());
            assertEquals(app + "-old", e.path("object").path("metadata").path("name").asText());
        }
    }

    /**
     * Eight writers at once spread their objects over the topic's partitions, which reach the watch cache each at
     * its own pace: a watch still gets the events in version order, and one that breaks off every few events and
     * resumes from the last version it saw, as informers do, misses none and gets none twice.
     */
    @Test
    void watchEventsComeInVersionOrderAndAResumedWatchMissesNone() throws Exception {
        String app = unique("wo");
        String from = get(CONFIGMAPS).path("metadata").path("resourceVersion").asText();
        String path = CONFIGMAPS + "?watch=true&labelSelector=" + enc("app=" + app) + "&resourceVersion=";
        int writers = 8;
        int each = 30;
        try (Watch whole = watch(path + from)) {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < writers; t++) {
                int writer = t;
                threads.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < each; i++) {
                        created(post(CONFIGMAPS, configMap(app + "-" + writer + "-" + i, "{}", app)));
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            long last = Long.parseLong(from);
            for (int i = 0; i < writers * each; i++) {
                long v = whole.next().path("object").path("metadata").path("resourceVersion").asLong();
                assertTrue(v > last, "event " + i + ": version " + v + " after " + last);
                last = v;
            }
        }
        Set<String> seen = new HashSet<>();
        String resume = from;
        int events = 0;
        while (seen.size() < writers * each) {
            try (Watch part = watch(path + resume)) {
                for (int i = 0; i < 25 && seen.size() < writers * each; i++) {
                    JsonNode e = part.next();
                    assertTrue(seen.add(e.path("object").path("metadata").path("name").asText()), "twice: " + e);
                    resume = e.path("object").path("metadata").path("resourceVersion").asText();
                    events++;
                }
            }
        }
        assertEquals(writers * each, events);
    }

    @Test
    void selectorWatchSeesObjectsEnterAndLeave() throws Exception {
        String app = unique("ws");
        String listRv = get(CONFIGMAPS).path("metadata").path("resourceVersion").asText();
        String n = unique("mover");
        try (Watch w = watch(CONFIGMAPS + "?watch=true&resourceVersion=" + listRv + "&labelSelector=" + enc("app=" + app))) {
            created(post(CONFIGMAPS, configMap(n, "{}", "elsewhere")));
            ok(patch(CONFIGMAPS + "/" + n, "{\"metadata\":{\"labels\":{\"app\":\"" + app + "\"}}}"));
            ok(patch(CONFIGMAPS + "/" + n, "{\"data\":{\"k\":\"1\"}}"));
            ok(patch(CONFIGMAPS + "/" + n, "{\"metadata\":{\"labels\":{\"app\":\"gone\"}}}"));
            ok(patch(CONFIGMAPS + "/" + n, "{\"data\":{\"k\":\"2\"}}"));
            assertEquals("ADDED", w.next().path("type").asText());
            assertEquals("MODIFIED", w.next().path("type").asText());
            JsonNode left = w.next();
            assertEquals("DELETED", left.path("type").asText());
            assertEquals(n, left.path("object").path("metadata").path("name").asText());
            assertNull(w.poll(Duration.ofSeconds(2)), "nothing after the object left the selection");
        }
    }

    @Test
    void selectorWatchFromAnOlderVersionSeesAnObjectThatLeftBeforeTheWatchStarted() throws Exception {
        String app = unique("wo");
        String n = unique("leaver");
        created(post(CONFIGMAPS, configMap(n, "{}", app)));
        String listRv = get(CONFIGMAPS + "?labelSelector=" + enc("app=" + app)).path("metadata").path("resourceVersion").asText();
        ok(patch(CONFIGMAPS + "/" + n, "{\"metadata\":{\"labels\":{\"app\":\"gone\"}}}"));
        // The client listed at listRv (the object matched), then watches from there: it must learn the object left.
        try (Watch w = watch(CONFIGMAPS + "?watch=true&resourceVersion=" + listRv + "&labelSelector=" + enc("app=" + app))) {
            JsonNode e = w.next();
            assertEquals("DELETED", e.path("type").asText(), e.toString());
            assertEquals(n, e.path("object").path("metadata").path("name").asText());
        }
    }

    @Test
    void fieldSelectorWatchesOneObject() throws Exception {
        String app = unique("wf");
        String rvNow = get(CONFIGMAPS).path("metadata").path("resourceVersion").asText();
        try (Watch w = watch(CONFIGMAPS + "?watch=true&resourceVersion=" + rvNow + "&fieldSelector="
                + enc("metadata.name=" + app + "-one"))) {
            created(post(CONFIGMAPS, configMap(app + "-two", "{}")));
            created(post(CONFIGMAPS, configMap(app + "-one", "{}")));
            ok(patch(CONFIGMAPS + "/" + app + "-two", "{\"data\":{\"k\":\"1\"}}"));
            ok(patch(CONFIGMAPS + "/" + app + "-one", "{\"data\":{\"k\":\"1\"}}"));
            JsonNode a = w.next();
            JsonNode b = w.next();
            assertEquals(List.of("ADDED", "MODIFIED"), List.of(a.path("type").asText(), b.path("type").asText()));
            assertEquals(app + "-one", a.path("object").path("metadata").path("name").asText());
            assertEquals(app + "-one", b.path("object").path("metadata").path("name").asText());
            assertNull(w.poll(Duration.ofSeconds(1)));
        }
    }

    @Test
    void timeoutSecondsEndsTheStream() throws Exception {
        long start = System.nanoTime();
        try (Watch w = watch(CONFIGMAPS + "?watch=true&timeoutSeconds=1&resourceVersion="
                + get(CONFIGMAPS).path("metadata").path("resourceVersion").asText())) {
            assertTrue(w.ended.await(15, TimeUnit.SECONDS), "the stream must end after timeoutSeconds");
        }
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(900).toNanos());
    }

    @Test
    void tableWatchEventsAreOneRowTables() throws Exception {
        String app = unique("wt");
        created(post(PODS, pod(app, "{}", app)));
        try (Watch w = watch(PODS + "?watch=true&labelSelector=" + enc("app=" + app), TABLE)) {
            JsonNode e = w.next();
            assertEquals("ADDED", e.path("type").asText());
            assertEquals("Table", e.path("object").path("kind").asText(), e.toString());
            assertEquals(1, e.path("object").path("rows").size());
            assertEquals(app, e.path("object").path("rows").path(0).path("cells").path(0).asText());
            ok(patch(PODS + "/" + app, "{\"metadata\":{\"labels\":{\"x\":\"y\"}}}"));
            JsonNode m = w.next();
            assertEquals("MODIFIED", m.path("type").asText());
            assertEquals(1, m.path("object").path("rows").size());
        }
    }

    @Test
    void watchOlderThanTheCacheIsGone() throws Exception {
        try (GatewayFixture small = GatewayFixture.start(EmbeddedKafkaBroker.startTemporary(), true,
                GatewayFixture.h2InMemory(), Map.of("kubus.gateway.watch-cache-events", 3))) {
            String first = json(small.request("GET", CONFIGMAPS, null, null).body()).path("metadata").path("resourceVersion").asText();
            for (int i = 0; i < 8; i++) {
                assertEquals(201, small.request("POST", CONFIGMAPS, JSON, configMap("c" + i, "{}")).status());
            }
            String latest = json(small.request("GET", CONFIGMAPS, null, null).body()).path("metadata").path("resourceVersion").asText();
            // Wait until the cache has seen the writes, so that its window moved past the first version.
            long deadline = System.nanoTime() + EVENT_WAIT.toNanos();
            GatewayFixture.Reply r;
            do {
                Thread.sleep(200);
                r = small.request("GET", CONFIGMAPS + "?watch=true&timeoutSeconds=1&resourceVersion=" + first, null, null);
            } while (r.status() != 410 && System.nanoTime() < deadline);
            assertStatus(410, "Expired", r);
            // A recent version is still served.
            assertEquals(200, small.request("GET", CONFIGMAPS + "?watch=true&timeoutSeconds=1&resourceVersion=" + latest,
                    null, null).status());
        }
    }

    // ---- secrets ----

    @Test
    void secretDataIsServedButNeverPublished() throws Exception {
        String name = unique("sec");
        created(post(NS + "/secrets", """
                {"apiVersion":"v1","kind":"Secret","metadata":{"name":"%s"},"data":{"password":"aHVudGVyMg=="}}""".formatted(name)));
        assertEquals("aHVudGVyMg==", get(NS + "/secrets/" + name).path("data").path("password").asText());
        boolean listed = false;
        for (JsonNode s : get(NS + "/secrets").path("items")) {
            if (s.path("metadata").path("name").asText().equals(name)) {
                listed = true;
                assertEquals("aHVudGVyMg==", s.path("data").path("password").asText());
            }
        }
        assertTrue(listed);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, gw.kafkaBootstrap(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor("kubus.core.v1.secrets", Duration.ofSeconds(10))) {
                parts.add(new TopicPartition(p.topic(), p.partition()));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.nanoTime() + EVENT_WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.key().equals("default/" + name)) {
                        JsonNode event = json(new String(r.value(), StandardCharsets.UTF_8));
                        assertEquals("ADDED", event.path("type").asText());
                        assertEquals(name, event.path("object").path("metadata").path("name").asText());
                        assertFalse(event.path("object").has("data"), event.toString());
                        assertFalse(new String(r.value(), StandardCharsets.UTF_8).contains("aHVudGVyMg=="));
                        return;
                    }
                }
            }
            fail("no change event for the secret on kubus.core.v1.secrets");
        }
    }

    // ---- helpers ----

    private String unique(String prefix) {
        return prefix + "-" + counter.incrementAndGet() + "-" + Long.toString(System.nanoTime() % 100000, 36);
    }

    private GatewayFixture.Reply post(String path, String body) {
        return gw.request("POST", path, JSON, body);
    }

    private GatewayFixture.Reply patch(String path, String body) {
        return gw.request("PATCH", path, MERGE, body);
    }

    private GatewayFixture.Reply delete(String path, String body) {
        return gw.request("DELETE", path, body == null ? null : JSON, body);
    }

    private JsonNode get(String path) {
        return ok(gw.request("GET", path, null, null));
    }

    private JsonNode table(String path) {
        return ok(gw.request("GET", path, null, null, Map.of("Accept", TABLE)));
    }

    private static JsonNode ok(GatewayFixture.Reply r) {
        assertEquals(200, r.status(), r.body());
        return json(r.body());
    }

    private static JsonNode created(GatewayFixture.Reply r) {
        assertEquals(201, r.status(), r.body());
        return json(r.body());
    }

    private static void assertStatus(int code, String reason, GatewayFixture.Reply r) {
        assertEquals(code, r.status(), r.body());
        JsonNode s = json(r.body());
        assertEquals("Status", s.path("kind").asText(), r.body());
        assertEquals(reason, s.path("reason").asText(), r.body());
        assertEquals(code, s.path("code").asInt(), r.body());
    }

    private static String rv(JsonNode obj) {
        return obj.path("metadata").path("resourceVersion").asText();
    }

    private static Set<String> names(JsonNode list) {
        Set<String> names = new HashSet<>();
        list.path("items").forEach(i -> names.add(i.path("metadata").path("name").asText()));
        return names;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static JsonNode json(String s) {
        try {
            return KubusJson.json().readTree(s);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }

    private static String configMap(String name, String data) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\"},\"data\":" + data + "}";
    }

    private static String configMap(String name, String data, String app) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name
                + "\",\"labels\":{\"app\":\"" + app + "\"}},\"data\":" + data + "}";
    }

    private static String pod(String name, String extraSpec) {
        return pod(name, extraSpec, "web");
    }

    private static String pod(String name, String extraSpec, String app) {
        String spec = extraSpec.equals("{}") ? "" : extraSpec.substring(1, extraSpec.length() - 1) + ",";
        return """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","labels":{"app":"%s"}},
                 "spec":{%s"containers":[{"name":"c","image":"busybox"}]}}""".formatted(name, app, spec);
    }

    private static String deployment(String name, int replicas) {
        return """
                {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"%s"},
                 "spec":{"replicas":%d,"selector":{"matchLabels":{"app":"%s"}},
                  "template":{"metadata":{"labels":{"app":"%s"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}"""
                .formatted(name, replicas, name, name);
    }

    private static String binding(String pod, String node) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"" + pod
                + "\"},\"target\":{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"name\":\"" + node + "\"}}";
    }

    private Watch watch(String path) throws InterruptedException {
        return watch(path, JSON);
    }

    private Watch watch(String path, String accept) throws InterruptedException {
        Watch w = new Watch(path, accept);
        assertTrue(w.headers.await(10, TimeUnit.SECONDS), "the watch did not answer");
        assertEquals(200, w.status, "watch status");
        return w;
    }

    /** A streaming watch read line by line on its own thread. */
    private final class Watch implements AutoCloseable {
        final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
        final CountDownLatch headers = new CountDownLatch(1);
        final CountDownLatch ended = new CountDownLatch(1);
        volatile int status;
        volatile Stream<String> lines;
        private final Thread reader;

        Watch(String path, String accept) {
            HttpRequest req = HttpRequest.newBuilder(URI.create(gw.baseUrl() + path)).header("Accept", accept).GET().build();
            reader = Thread.ofVirtual().start(() -> {
                try {
                    HttpResponse<Stream<String>> r = http.send(req, HttpResponse.BodyHandlers.ofLines());
                    status = r.statusCode();
                    lines = r.body();
                    headers.countDown();
                    r.body().forEach(l -> {
                        if (!l.isBlank()) {
                            events.add(json(l));
                        }
                    });
                } catch (Exception e) {
                    // closed by the test
                } finally {
                    headers.countDown();
                    ended.countDown();
                }
            });
        }

        JsonNode next() throws InterruptedException {
            JsonNode e = events.poll(EVENT_WAIT.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(e, "no watch event within " + EVENT_WAIT);
            return e;
        }

        JsonNode poll(Duration d) throws InterruptedException {
            return events.poll(d.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            Stream<String> s = lines;
            if (s != null) {
                s.close();
            }
            reader.interrupt();
        }
    }
}

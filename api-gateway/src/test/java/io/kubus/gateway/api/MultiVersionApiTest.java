package io.kubus.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.schema.KubusJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One stored object, several served versions, through a real gateway: HorizontalPodAutoscalers written in
 * autoscaling/v1 are read in autoscaling/v2 and back, what v1 has no fields for rides in its annotations, and lists
 * and watches of each version see the other's writes; events.k8s.io/v1 Events are the core Events seen otherwise.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MultiVersionApiTest {
    private static final String JSON = "application/json";
    private static final String MERGE = "application/merge-patch+json";
    private static final String V1 = "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers";
    private static final String V2 = "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers";
    private static final String CORE_EVENTS = "/api/v1/namespaces/default/events";
    private static final String EVENTS_V1 = "/apis/events.k8s.io/v1/namespaces/default/events";
    private static final String METRICS = "autoscaling.alpha.kubernetes.io/metrics";
    private static final String BEHAVIOR = "autoscaling.alpha.kubernetes.io/behavior";

    private final HttpClient http = io.kubus.gateway.testing.TestPki.adminHttp();
    private GatewayFixture gw;

    @BeforeAll
    void start() {
        gw = GatewayFixture.start();
    }

    @AfterAll
    void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    // ---- HorizontalPodAutoscalers ----

    @Test
    void aV1AutoscalerIsStoredAsV2AndReadInBoth() {
        JsonNode created = created(V1, v1Hpa("cpu70", 2, 5, 70));
        assertEquals("autoscaling/v1", created.path("apiVersion").asText());
        assertEquals(70, created.path("spec").path("targetCPUUtilizationPercentage").asInt());
        assertEquals("{\"currentReplicas\":0,\"desiredReplicas\":0}", KubusJson.write(created.path("status")),
                "autoscaling/v1's zero status: neither count is omitempty");

        JsonNode v2 = get(V2 + "/cpu70");
        assertEquals("autoscaling/v2", v2.path("apiVersion").asText());
        assertEquals("HorizontalPodAutoscaler", v2.path("kind").asText());
        assertEquals(json("[{\"type\":\"Resource\",\"resource\":{\"name\":\"cpu\",\"target\":{\"type\":\"Utilization\","
                + "\"averageUtilization\":70}}}]"), v2.path("spec").path("metrics"));
        assertEquals("{\"desiredReplicas\":0}", KubusJson.write(v2.path("status")), "autoscaling/v2's zero status");
        assertTrue(v2.path("metadata").path("annotations").isMissingNode(), "no round-trip annotation in v2");
        assertEquals(created.path("metadata").path("uid"), v2.path("metadata").path("uid"), "one object");
        assertEquals(created.path("metadata").path("resourceVersion"), v2.path("metadata").path("resourceVersion"));

        JsonNode v1 = get(V1 + "/cpu70");
        assertEquals(2, v1.path("spec").path("minReplicas").asInt());
        assertEquals(5, v1.path("spec").path("maxReplicas").asInt());
        assertEquals(70, v1.path("spec").path("targetCPUUtilizationPercentage").asInt());
        assertTrue(v1.path("metadata").path("annotations").isMissingNode(), "a CPU target alone needs no annotation");
    }

    @Test
    void aV1AutoscalerWithoutTargetGetsTheDefaultEightyPercent() {
        created(V1, "{\"apiVersion\":\"autoscaling/v1\",\"kind\":\"HorizontalPodAutoscaler\",\"metadata\":{\"name\":\"plain\"},"
                + "\"spec\":{\"scaleTargetRef\":{\"kind\":\"Deployment\",\"name\":\"web\"},\"maxReplicas\":3}}");
        JsonNode v2 = get(V2 + "/plain");
        assertEquals(80, v2.at("/spec/metrics/0/resource/target/averageUtilization").asInt());
        assertEquals(1, v2.path("spec").path("minReplicas").asInt(), "minReplicas defaults to 1");
        assertEquals(80, get(V1 + "/plain").path("spec").path("targetCPUUtilizationPercentage").asInt());
    }

    @Test
    void v2MetricsAndBehaviorTravelThroughV1AsAnnotationsAndSurviveAnUpdate() {
        created(V2, v2Hpa("two", "\"behavior\":{\"scaleDown\":{\"stabilizationWindowSeconds\":60}}"));
        JsonNode v2 = get(V2 + "/two");
        assertEquals(json("{\"scaleUp\":{\"stabilizationWindowSeconds\":0,\"selectPolicy\":\"Max\",\"policies\":["
                        + "{\"type\":\"Pods\",\"value\":4,\"periodSeconds\":15},{\"type\":\"Percent\",\"value\":100,\"periodSeconds\":15}]},"
                        + "\"scaleDown\":{\"selectPolicy\":\"Max\",\"policies\":[{\"type\":\"Percent\",\"value\":100,\"periodSeconds\":15}],"
                        + "\"stabilizationWindowSeconds\":60}}"),
                v2.path("spec").path("behavior"), "the behavior's defaults as autoscaling/v2 sets them");

        JsonNode v1 = get(V1 + "/two");
        assertEquals(60, v1.path("spec").path("targetCPUUtilizationPercentage").asInt());
        JsonNode annotations = v1.path("metadata").path("annotations");
        assertEquals("[{\"type\":\"Pods\",\"pods\":{\"metricName\":\"packets\",\"targetAverageValue\":\"1k\"}}]",
                annotations.path(METRICS).asText(), "the other metric in the v1 MetricSpec format");
        assertEquals("{\"ScaleUp\":{\"StabilizationWindowSeconds\":0,\"SelectPolicy\":\"Max\",\"Policies\":["
                        + "{\"Type\":\"Pods\",\"Value\":4,\"PeriodSeconds\":15},{\"Type\":\"Percent\",\"Value\":100,\"PeriodSeconds\":15}]},"
                        + "\"ScaleDown\":{\"StabilizationWindowSeconds\":60,\"SelectPolicy\":\"Max\",\"Policies\":["
                        + "{\"Type\":\"Percent\",\"Value\":100,\"PeriodSeconds\":15}]}}",
                annotations.path(BEHAVIOR).asText(), "the behavior as the internal type's JSON");
        assertEquals("keep", annotations.path("team").asText(), "the object's own annotations stay");

        // A v1 client changes what it knows and writes the whole object back: the other metric and the behavior stay.
        String body = KubusJson.write(v1).replace("\"maxReplicas\":10", "\"maxReplicas\":12");
        assertEquals(200, gw.request("PUT", V1 + "/two", JSON, body).status());
        JsonNode after = get(V2 + "/two");
        assertEquals(12, after.path("spec").path("maxReplicas").asInt());
        assertEquals(2, after.path("spec").path("metrics").size(), "both metrics: " + after.path("spec").path("metrics"));
        assertEquals("packets", after.at("/spec/metrics/0/pods/metric/name").asText(),
                "the annotation's metrics come first, as kube-apiserver's conversion orders them");
        assertEquals(60, after.at("/spec/metrics/1/resource/target/averageUtilization").asInt());
        assertEquals(60, after.at("/spec/behavior/scaleDown/stabilizationWindowSeconds").asInt());
        assertEquals("keep", after.path("metadata").path("annotations").path("team").asText());
        assertFalse(after.path("metadata").path("annotations").has(METRICS), "the annotations are not stored");
    }

    @Test
    void aPatchThroughV1AppliesToTheV1View() {
        created(V2, v2Hpa("patched", null));
        JsonNode patched = json(ok(gw.request("PATCH", V1 + "/patched", MERGE, "{\"spec\":{\"targetCPUUtilizationPercentage\":45}}")));
        assertEquals("autoscaling/v1", patched.path("apiVersion").asText());
        assertEquals(45, patched.path("spec").path("targetCPUUtilizationPercentage").asInt());
        JsonNode v2 = get(V2 + "/patched");
        assertEquals(45, v2.at("/spec/metrics/1/resource/target/averageUtilization").asInt());
        assertEquals("packets", v2.at("/spec/metrics/0/pods/metric/name").asText(),
                "the other metric came back from the annotation of the patched view");
        JsonNode strategic = json(ok(gw.request("PATCH", V1 + "/patched", "application/strategic-merge-patch+json",
                "{\"spec\":{\"maxReplicas\":7}}")));
        assertEquals(7, strategic.path("spec").path("maxReplicas").asInt());
        assertEquals(2, get(V2 + "/patched").path("spec").path("metrics").size());
    }

    @Test
    void theStatusSubresourceWritesThroughV1() {
        created(V1, v1Hpa("reported", 1, 4, 50));
        JsonNode v1 = get(V1 + "/reported");
        String body = KubusJson.write(v1).replace("\"status\":{\"currentReplicas\":0,\"desiredReplicas\":0}",
                "\"status\":{\"currentReplicas\":2,\"desiredReplicas\":3,\"currentCPUUtilizationPercentage\":65}");
        JsonNode written = json(ok(gw.request("PUT", V1 + "/reported/status", JSON, body)));
        assertEquals(65, written.path("status").path("currentCPUUtilizationPercentage").asInt());
        JsonNode v2 = get(V2 + "/reported");
        assertEquals(3, v2.path("status").path("desiredReplicas").asInt());
        assertEquals(65, v2.at("/status/currentMetrics/0/resource/current/averageUtilization").asInt());
        JsonNode again = get(V1 + "/reported");
        assertEquals("[{\"type\":\"Resource\",\"resource\":{\"name\":\"cpu\",\"currentAverageUtilization\":65,"
                        + "\"currentAverageValue\":\"0\"}}]",
                again.path("metadata").path("annotations").path("autoscaling.alpha.kubernetes.io/current-metrics").asText());
    }

    @Test
    void listsTablesAndWatchesOfEachVersionSeeTheOthersWrites() throws Exception {
        String ns = namespace("hpa-lists");
        String v1 = V1.replace("/default/", "/" + ns + "/");
        String v2 = V2.replace("/default/", "/" + ns + "/");
        String rv = get(v2).path("metadata").path("resourceVersion").asText();
        try (Watch w1 = new Watch(v1 + "?watch=true&resourceVersion=" + rv);
             Watch w2 = new Watch(v2 + "?watch=true&resourceVersion=" + rv)) {
            created(v1, v1Hpa("from-v1", 1, 3, 50));
            created(v2, v2Hpa("from-v2", null));
            for (Watch w : List.of(w1, w2)) {
                JsonNode a = w.next();
                JsonNode b = w.next();
                assertEquals(List.of("from-v1", "from-v2"), List.of(a.at("/object/metadata/name").asText(),
                        b.at("/object/metadata/name").asText()));
                String version = w == w1 ? "autoscaling/v1" : "autoscaling/v2";
                assertEquals(version, a.at("/object/apiVersion").asText());
                assertEquals(version, b.at("/object/apiVersion").asText());
            }
            assertTrue(w1.events.isEmpty() && w2.events.isEmpty());
        }
        JsonNode list1 = get(v1);
        assertEquals("HorizontalPodAutoscalerList", list1.path("kind").asText());
        assertEquals("autoscaling/v1", list1.path("apiVersion").asText());
        assertEquals(2, list1.path("items").size());
        list1.path("items").forEach(i -> assertEquals("autoscaling/v1", i.path("apiVersion").asText()));
        assertTrue(list1.path("items").get(1).path("spec").has("targetCPUUtilizationPercentage"));
        JsonNode list2 = get(v2);
        assertEquals("autoscaling/v2", list2.path("apiVersion").asText());
        list2.path("items").forEach(i -> assertEquals("autoscaling/v2", i.path("apiVersion").asText()));
        // Two pages of one item each: the continue token of a v1 list goes on in v1.
        JsonNode page = get(v1 + "?limit=1");
        assertEquals(1, page.path("items").size());
        JsonNode rest = get(v1 + "?limit=1&continue=" + page.path("metadata").path("continue").asText());
        assertEquals("from-v2", rest.at("/items/0/metadata/name").asText());
        assertEquals("autoscaling/v1", rest.at("/items/0/apiVersion").asText());
        // YAML lists convert too.
        String yaml = gw.request("GET", v1, null, null, java.util.Map.of("Accept", "application/yaml")).body();
        assertTrue(yaml.contains("apiVersion: autoscaling/v1") && yaml.contains("targetCPUUtilizationPercentage: 60"), yaml);
        // A Table's cells are printed from the stored object; an embedded object is the request's version.
        JsonNode table = json(gw.request("GET", v1 + "?includeObject=Object", null, null,
                java.util.Map.of("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")).body());
        List<String> columns = new ArrayList<>();
        table.path("columnDefinitions").forEach(c -> columns.add(c.path("name").asText()));
        assertEquals(List.of("Name", "Reference", "Targets", "MinPods", "MaxPods", "Replicas", "Age"), columns);
        JsonNode row = table.path("rows").get(0);
        assertEquals("Deployment/web", row.path("cells").get(1).asText());
        assertEquals("cpu: <unknown>/50%", row.path("cells").get(2).asText());
        assertEquals("autoscaling/v1", row.path("object").path("apiVersion").asText());
        JsonNode twoMetrics = table.path("rows").get(1);
        assertEquals("cpu: <unknown>/60%, <unknown>/1k", twoMetrics.path("cells").get(2).asText());
    }

    @Test
    void aWebSocketWatchOfV1GetsV1Objects() throws Exception {
        String ns = namespace("hpa-ws");
        Listener listener = new Listener();
        WebSocket ws = http.newWebSocketBuilder().header("Origin", "http://127.0.0.1")
                .buildAsync(URI.create(gw.baseUrl().replace("https:", "wss:") + V1.replace("/default/", "/" + ns + "/")
                        + "?watch=true&timeoutSeconds=5"), listener)
                .get(20, TimeUnit.SECONDS);
        created(V2.replace("/default/", "/" + ns + "/"), v2Hpa("over-ws", null));
        JsonNode event = json(listener.next());
        assertEquals("ADDED", event.path("type").asText());
        assertEquals("autoscaling/v1", event.at("/object/apiVersion").asText());
        assertEquals(60, event.at("/object/spec/targetCPUUtilizationPercentage").asInt());
        ws.abort();
    }

    @Test
    void deleteAndDeleteCollectionThroughV1() {
        String ns = namespace("hpa-delete");
        String v1 = V1.replace("/default/", "/" + ns + "/");
        created(v1, v1Hpa("a", 1, 2, 50));
        created(v1, v1Hpa("b", 1, 2, 50));
        created(v1, v1Hpa("c", 1, 2, 50));
        JsonNode deleted = json(ok(gw.request("DELETE", v1 + "/a", null, null)));
        assertEquals("Success", deleted.path("status").asText());
        assertEquals("horizontalpodautoscalers", deleted.path("details").path("kind").asText());
        assertEquals("autoscaling", deleted.path("details").path("group").asText());
        JsonNode collection = json(ok(gw.request("DELETE", v1, null, null)));
        assertEquals("autoscaling/v1", collection.path("apiVersion").asText());
        assertEquals(2, collection.path("items").size());
        collection.path("items").forEach(i -> assertEquals("autoscaling/v1", i.path("apiVersion").asText()));
        assertEquals(0, get(V2.replace("/default/", "/" + ns + "/")).path("items").size());
    }

    // ---- events.k8s.io/v1 ----

    @Test
    void anEventsV1EventIsACoreEvent() {
        String now = Instant.now().toString().replaceAll("\\.\\d+Z$", ".000000Z");
        JsonNode created = created(EVENTS_V1, """
                {"apiVersion":"events.k8s.io/v1","kind":"Event","metadata":{"name":"ev1"},"eventTime":"%s",
                 "reportingController":"example.com/scaler","reportingInstance":"scaler-1","action":"Scale",
                 "reason":"Scaled","note":"scaled web to 3","type":"Normal",
                 "regarding":{"kind":"Deployment","namespace":"default","name":"web","apiVersion":"apps/v1"}}""".formatted(now));
        assertEquals("events.k8s.io/v1", created.path("apiVersion").asText());
        assertEquals("scaled web to 3", created.path("note").asText());
        assertTrue(created.path("deprecatedSource").isObject() && created.path("deprecatedSource").isEmpty(),
                "deprecatedSource is a struct: {} when empty");
        assertTrue(created.path("deprecatedFirstTimestamp").isNull(), "an unset Time is null");

        JsonNode core = get(CORE_EVENTS + "/ev1");
        assertEquals("v1", core.path("apiVersion").asText());
        assertEquals("scaled web to 3", core.path("message").asText());
        assertEquals("example.com/scaler", core.path("reportingComponent").asText());
        assertEquals("web", core.path("involvedObject").path("name").asText());
        assertEquals(now, core.path("eventTime").asText());

        // A core event, old style, through events.k8s.io.
        created(CORE_EVENTS, """
                {"apiVersion":"v1","kind":"Event","metadata":{"name":"ev2"},"reason":"Pulled","message":"pulled",
                 "type":"Normal","count":3,"firstTimestamp":"2026-01-01T00:00:00Z","lastTimestamp":"2026-01-01T00:01:00Z",
                 "source":{"component":"kubelet","host":"node-1"},
                 "involvedObject":{"kind":"Pod","namespace":"default","name":"web-1"}}""");
        JsonNode viewed = get(EVENTS_V1 + "/ev2");
        assertEquals("events.k8s.io/v1", viewed.path("apiVersion").asText());
        assertEquals("pulled", viewed.path("note").asText());
        assertEquals(3, viewed.path("deprecatedCount").asInt());
        assertEquals("kubelet", viewed.path("deprecatedSource").path("component").asText());
        assertEquals("2026-01-01T00:00:00Z", viewed.path("deprecatedFirstTimestamp").asText());
        assertEquals("web-1", viewed.path("regarding").path("name").asText());
        assertTrue(viewed.path("eventTime").isNull(), "eventTime has no omitempty in events.k8s.io/v1");

        JsonNode list = get(EVENTS_V1);
        assertEquals("EventList", list.path("kind").asText());
        assertEquals("events.k8s.io/v1", list.path("apiVersion").asText());
        List<String> names = new ArrayList<>();
        list.path("items").forEach(i -> names.add(i.path("metadata").path("name").asText()));
        assertTrue(names.containsAll(List.of("ev1", "ev2")), names.toString());
    }

    @Test
    void discoveryListsEveryServedVersionWithThePreferredFirst() {
        JsonNode group = json(gw.request("GET", "/apis/autoscaling", null, null).body());
        assertEquals("autoscaling/v2", group.path("preferredVersion").path("groupVersion").asText());
        assertEquals("autoscaling/v2", group.path("versions").get(0).path("groupVersion").asText());
        assertEquals("autoscaling/v1", group.path("versions").get(1).path("groupVersion").asText());
        JsonNode aggregated = json(gw.request("GET", "/apis", null, null, java.util.Map.of("Accept",
                "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")).body());
        List<String> autoscaling = new ArrayList<>();
        List<String> events = new ArrayList<>();
        for (JsonNode item : aggregated.path("items")) {
            String name = item.path("metadata").path("name").asText();
            item.path("versions").forEach(v -> {
                if (name.equals("autoscaling")) {
                    autoscaling.add(v.path("version").asText());
                    assertEquals("horizontalpodautoscalers", v.at("/resources/0/resource").asText());
                    assertEquals("hpa", v.at("/resources/0/shortNames/0").asText());
                }
                if (name.equals("events.k8s.io")) {
                    events.add(v.path("version").asText());
                    assertEquals("Event", v.at("/resources/0/responseKind/kind").asText());
                }
            });
        }
        assertEquals(List.of("v2", "v1"), autoscaling);
        assertEquals(List.of("v1"), events);
        JsonNode v1Resources = json(gw.request("GET", "/apis/autoscaling/v1", null, null).body());
        assertEquals("autoscaling/v1", v1Resources.path("groupVersion").asText());
        assertEquals("horizontalpodautoscalers/status", v1Resources.at("/resources/1/name").asText());
        JsonNode openapi = json(gw.request("GET", "/openapi/v3", null, null).body());
        for (String gv : List.of("apis/autoscaling/v1", "apis/autoscaling/v2", "apis/events.k8s.io/v1")) {
            assertTrue(openapi.path("paths").has(gv), gv + " in " + openapi);
        }
    }

    // ---- helpers ----

    static String v1Hpa(String name, int min, int max, int cpu) {
        return """
                {"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler","metadata":{"name":"%s"},
                 "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},
                  "minReplicas":%d,"maxReplicas":%d,"targetCPUUtilizationPercentage":%d}}""".formatted(name, min, max, cpu);
    }

    /** A v2 HPA with a CPU utilization metric and a Pods metric, and {@code extra} in its spec. */
    static String v2Hpa(String name, String extra) {
        return """
                {"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"%s","annotations":{"team":"keep"}},
                 "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},"minReplicas":1,"maxReplicas":10,
                  "metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":60}}},
                             {"type":"Pods","pods":{"metric":{"name":"packets"},"target":{"type":"AverageValue","averageValue":"1k"}}}]%s}}"""
                .formatted(name, extra == null ? "" : "," + extra);
    }

    private String namespace(String name) {
        assertEquals(201, gw.request("POST", "/api/v1/namespaces", JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + name + "\"}}").status());
        return name;
    }

    private JsonNode created(String path, String body) {
        GatewayFixture.Reply r = gw.request("POST", path, JSON, body);
        assertEquals(201, r.status(), r.body());
        return json(r.body());
    }

    private JsonNode get(String path) {
        return json(ok(gw.request("GET", path, null, null)));
    }

    private static String ok(GatewayFixture.Reply r) {
        assertEquals(200, r.status(), r.body());
        return r.body();
    }

    static JsonNode json(String s) {
        try {
            return KubusJson.json().readTree(s);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }

    /** An HTTP watch read line by line on its own thread. */
    private final class Watch implements AutoCloseable {
        final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
        private final CountDownLatch headers = new CountDownLatch(1);
        private volatile Stream<String> lines;
        private final Thread reader;

        Watch(String path) throws InterruptedException {
            HttpRequest req = HttpRequest.newBuilder(URI.create(gw.baseUrl() + path)).GET().build();
            reader = Thread.ofVirtual().start(() -> {
                try {
                    HttpResponse<Stream<String>> r = http.send(req, HttpResponse.BodyHandlers.ofLines());
                    lines = r.body();
                    headers.countDown();
                    r.body().filter(l -> !l.isBlank()).forEach(l -> events.add(json(l)));
                } catch (Exception e) {
                    // closed by the test
                } finally {
                    headers.countDown();
                }
            });
            assertTrue(headers.await(10, TimeUnit.SECONDS), "the watch answered");
        }

        JsonNode next() throws InterruptedException {
            JsonNode e = events.poll(20, TimeUnit.SECONDS);
            assertNotNull(e, "a watch event within 20 s");
            return e;
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

    /** Collects a WebSocket watch's messages. */
    private static final class Listener implements WebSocket.Listener {
        private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();

        String next() throws InterruptedException {
            String m = messages.poll(20, TimeUnit.SECONDS);
            assertNotNull(m, "a message within 20 s");
            return m;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }
    }
}

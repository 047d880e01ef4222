package io.kubus.gateway.registry.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.broker.EmbeddedKafkaBroker;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.gateway.testing.TestPostgres;
import io.kubus.schema.KubusJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The eviction subresource over HTTP, against two gateways sharing one PostgreSQL database (and one broker), as a
 * scaled-out API would run. The budgets' status is written here through the status subresource, as the disruption
 * controller writes it, so that each case starts from a known budget.
 */
class EvictionTest {
    private static final String JSON = "application/json";
    private static final String MERGE = "application/merge-patch+json";

    private static EmbeddedKafkaBroker broker;
    private static GatewayFixture a;
    private static GatewayFixture b;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.startTemporary();
        String db = TestPostgres.freshSchemaUrl();
        a = GatewayFixture.start(broker, false, db, Map.of());
        b = GatewayFixture.start(broker, false, db, Map.of());
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[]{b, a, broker}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // closing what is left
            }
        }
    }

    @Test
    void aBudgetWithNoDisruptionLeftAnswers429AndChangesNothing() {
        String ns = namespace("full");
        runningPod(ns, "p1", "app=web", true);
        runningPod(ns, "p2", "app=web", true);
        budget(ns, "web", "{\"minAvailable\":2,\"selector\":{\"matchLabels\":{\"app\":\"web\"}}}", 0, 2, 2, 2);
        String podBefore = get(ns, "pods", "p1").path("metadata").path("resourceVersion").asText();
        String budgetBefore = get(ns, "poddisruptionbudgets", "web").path("metadata").path("resourceVersion").asText();

        GatewayFixture.Reply r = evict(a, ns, "p1", "");
        assertEquals(429, r.status(), r.body());
        assertJson("""
                {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
                 "message":"Cannot evict pod as it would violate the pod's disruption budget.","reason":"TooManyRequests",
                 "details":{"causes":[{"reason":"DisruptionBudget",
                   "message":"The disruption budget web needs 2 healthy pods and has 2 currently"}]},
                 "code":429}""", r.body());
        assertFalse(r.headers().containsKey("retry-after"), "no Retry-After for a budget that is spent: " + r.headers());
        assertEquals(podBefore, get(ns, "pods", "p1").path("metadata").path("resourceVersion").asText());
        assertEquals(budgetBefore, get(ns, "poddisruptionbudgets", "web").path("metadata").path("resourceVersion").asText());
    }

    @Test
    void anAllowedEvictionSpendsTheBudgetInTheWriteThatDeletesThePod() {
        String ns = namespace("spend");
        runningPod(ns, "p1", "app=web", true);
        runningPod(ns, "p2", "app=web", true);
        budget(ns, "web", "{\"minAvailable\":1,\"selector\":{\"matchLabels\":{\"app\":\"web\"}}}", 1, 2, 1, 2);

        GatewayFixture.Reply r = evict(b, ns, "p1", ",\"deleteOptions\":{\"gracePeriodSeconds\":5}");
        assertEquals(201, r.status(), r.body());
        assertJson("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Success\",\"code\":201}", r.body());

        JsonNode pod = get(ns, "pods", "p1");
        assertTrue(pod.path("metadata").hasNonNull("deletionTimestamp"), "deleted gracefully: " + pod);
        assertEquals(5, pod.path("metadata").path("deletionGracePeriodSeconds").asInt(), "the deleteOptions' grace period");
        JsonNode target = condition(pod.path("status"), "DisruptionTarget");
        assertEquals("True", target.path("status").asText(), pod.toString());
        assertEquals("EvictionByEvictionAPI", target.path("reason").asText());
        assertEquals("Eviction API: evicting", target.path("message").asText());

        JsonNode pdb = get(ns, "poddisruptionbudgets", "web");
        JsonNode status = pdb.path("status");
        assertEquals(0, status.path("disruptionsAllowed").asInt(), pdb.toString());
        assertEquals(Set.of("p1"), names(status.path("disruptedPods")));
        JsonNode allowed = condition(status, "DisruptionAllowed");
        assertEquals("False", allowed.path("status").asText(), pdb.toString());
        assertEquals("InsufficientPods", allowed.path("reason").asText());
        // one transaction: the pod's version and the budget's follow each other
        assertEquals(pod.path("metadata").path("resourceVersion").asLong() + 1,
                pdb.path("metadata").path("resourceVersion").asLong());

        GatewayFixture.Reply again = evict(a, ns, "p2", "");
        assertEquals(429, again.status(), again.body());
        assertTrue(again.body().contains("The disruption budget web needs 1 healthy pods and has 2 currently"), again.body());
    }

    /** Evictions racing for one budget, half through each gateway: exactly as many pass as the budget allows. */
    @Test
    void concurrentEvictionsCannotBothPassOneBudget() throws Exception {
        for (int round = 0; round < 4; round++) {
            int pods = 8;
            int allowed = round % 2 + 1;
            String ns = namespace("race-" + round);
            for (int i = 0; i < pods; i++) {
                runningPod(ns, "p" + i, "app=web", true);
            }
            budget(ns, "web", "{\"maxUnavailable\":" + allowed + ",\"selector\":{\"matchLabels\":{\"app\":\"web\"}}}",
                    allowed, pods, pods - allowed, pods);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<GatewayFixture.Reply>> replies = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < pods; i++) {
                    GatewayFixture via = i % 2 == 0 ? a : b;
                    String name = "p" + i;
                    replies.add(pool.submit(() -> {
                        go.await();
                        return evict(via, ns, name, "");
                    }));
                }
                go.countDown();
            }
            Set<String> evicted = new TreeSet<>();
            int refused = 0;
            for (int i = 0; i < pods; i++) {
                GatewayFixture.Reply r = replies.get(i).get();
                if (r.status() == 201) {
                    evicted.add("p" + i);
                } else {
                    assertEquals(429, r.status(), r.body());
                    refused++;
                }
            }
            assertEquals(allowed, evicted.size(), "round " + round + ": evicted " + evicted);
            assertEquals(pods - allowed, refused);
            JsonNode status = get(ns, "poddisruptionbudgets", "web").path("status");
            assertEquals(0, status.path("disruptionsAllowed").asInt(), status.toString());
            assertEquals(evicted, names(status.path("disruptedPods")));
            Set<String> terminating = new TreeSet<>();
            for (JsonNode p : list(ns, "pods")) {
                if (p.path("metadata").hasNonNull("deletionTimestamp")) {
                    terminating.add(p.path("metadata").path("name").asText());
                }
            }
            assertEquals(evicted, terminating, "exactly the evicted pods are going");
        }
    }

    @Test
    void aPodOfTwoBudgetsIsRefusedWith500() {
        String ns = namespace("two");
        runningPod(ns, "p1", "app=web,tier=front", true);
        budget(ns, "by-app", "{\"maxUnavailable\":1,\"selector\":{\"matchLabels\":{\"app\":\"web\"}}}", 1, 1, 0, 1);
        budget(ns, "by-tier", "{\"maxUnavailable\":1,\"selector\":{\"matchLabels\":{\"tier\":\"front\"}}}", 1, 1, 0, 1);
        GatewayFixture.Reply r = evict(a, ns, "p1", "");
        assertEquals(500, r.status(), r.body());
        assertJson("""
                {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
                 "message":"This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
                 "code":500}""", r.body());
        assertFalse(get(ns, "pods", "p1").path("metadata").hasNonNull("deletionTimestamp"));
    }

    @Test
    void unreadyPodsFollowTheUnhealthyPodEvictionPolicy() {
        String ns = namespace("unready");
        runningPod(ns, "ready-1", "app=web", true);
        runningPod(ns, "ready-2", "app=web", true);
        runningPod(ns, "unready-1", "app=web", false);
        runningPod(ns, "unready-2", "app=web", false);
        // IfHealthyBudget (the default): the application is whole, so an unready pod may go, and costs nothing
        budget(ns, "web", "{\"minAvailable\":2,\"selector\":{\"matchLabels\":{\"app\":\"web\"}}}", 0, 2, 2, 4);
        String budgetBefore = get(ns, "poddisruptionbudgets", "web").path("metadata").path("resourceVersion").asText();
        assertEquals(201, evict(a, ns, "unready-1", "").status());
        assertEquals(budgetBefore, get(ns, "poddisruptionbudgets", "web").path("metadata").path("resourceVersion").asText());
        // ... but not while the application is short of healthy pods
        budget(ns, "web", null, 0, 1, 2, 4);
        GatewayFixture.Reply refused = evict(a, ns, "unready-2", "");
        assertEquals(429, refused.status(), refused.body());
        assertTrue(refused.body().contains("needs 2 healthy pods and has 1 currently"), refused.body());
        // AlwaysAllow: an unready pod goes whatever the budget says
        patch(ns, "poddisruptionbudgets", "web", "", "{\"spec\":{\"unhealthyPodEvictionPolicy\":\"AlwaysAllow\"}}");
        budget(ns, "web", null, 0, 1, 2, 4);
        assertEquals(201, evict(b, ns, "unready-2", "").status());
        assertEquals(429, evict(b, ns, "ready-1", "").status(), "a ready pod still needs the budget");
    }

    @Test
    void pendingAndFinishedPodsIgnoreTheBudget() {
        String ns = namespace("ignore");
        post("/api/v1/namespaces/" + ns + "/pods", pod("pending", "app=web", null));
        runningPod(ns, "done", "app=web", true);
        patch(ns, "pods", "done", "/status", "{\"status\":{\"phase\":\"Succeeded\"}}");
        budget(ns, "web", "{\"minAvailable\":5,\"selector\":{\"matchLabels\":{\"app\":\"web\"}}}", 0, 0, 5, 2);
        assertEquals(201, evict(a, ns, "pending", "").status());
        assertEquals(404, a.request("GET", "/api/v1/namespaces/" + ns + "/pods/pending", null, null).status(),
                "a pod on no node goes at once");
        assertEquals(201, evict(a, ns, "done", "").status());
        assertEquals(404, a.request("GET", "/api/v1/namespaces/" + ns + "/pods/done", null, null).status(),
                "a finished pod goes at once");
    }

    @Test
    void aPodWithoutABudgetIsDeletedGracefully() {
        String ns = namespace("free");
        runningPod(ns, "p1", "app=web", true);
        assertEquals(201, evict(a, ns, "p1", "").status());
        JsonNode meta = get(ns, "pods", "p1").path("metadata");
        assertTrue(meta.hasNonNull("deletionTimestamp"), meta.toString());
        assertEquals(30, meta.path("deletionGracePeriodSeconds").asInt(), "terminationGracePeriodSeconds");
    }

    @Test
    void aBudgetItsControllerHasNotSeenYetAsksToComeBack() {
        String ns = namespace("stale");
        runningPod(ns, "p1", "app=web", true);
        budget(ns, "web", "{\"minAvailable\":0,\"selector\":{\"matchLabels\":{\"app\":\"web\"}}}", 1, 1, 0, 1);
        patch(ns, "poddisruptionbudgets", "web", "", "{\"spec\":{\"minAvailable\":1}}");
        GatewayFixture.Reply r = evict(a, ns, "p1", "");
        assertEquals(429, r.status(), r.body());
        assertJson("""
                {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
                 "message":"Cannot evict pod as it would violate the pod's disruption budget.","reason":"TooManyRequests",
                 "details":{"causes":[{"reason":"DisruptionBudget",
                   "message":"The disruption budget web is still being processed by the server."}],"retryAfterSeconds":10},
                 "code":429}""", r.body());
        assertEquals(List.of("10"), r.headers().get("retry-after"));
    }

    @Test
    void dryRunAndTheOlderApiVersion() {
        String ns = namespace("dry");
        runningPod(ns, "p1", "app=web", true);
        budget(ns, "web", "{\"maxUnavailable\":1,\"selector\":{\"matchLabels\":{\"app\":\"web\"}}}", 1, 1, 0, 1);
        ObjectStore store = a.context().getBean(ObjectStore.class);
        long before = store.currentVersion();
        GatewayFixture.Reply dry = a.request("POST", "/api/v1/namespaces/" + ns + "/pods/p1/eviction?dryRun=All", JSON,
                eviction("p1", ns, ""));
        assertEquals(201, dry.status(), dry.body());
        GatewayFixture.Reply dryInBody = evict(a, ns, "p1", ",\"deleteOptions\":{\"dryRun\":[\"All\"]}");
        assertEquals(201, dryInBody.status(), dryInBody.body());
        assertEquals(before, store.currentVersion(), "a dry run writes nothing");

        GatewayFixture.Reply v1beta1 = a.request("POST", "/api/v1/namespaces/" + ns + "/pods/p1/eviction", JSON,
                "{\"apiVersion\":\"policy/v1beta1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"p1\"}}");
        assertEquals(201, v1beta1.status(), v1beta1.body());
        assertEquals(0, get(ns, "poddisruptionbudgets", "web").path("status").path("disruptionsAllowed").asInt());
    }

    @Test
    void discoveryListsTheSubresourceForKubectlDrain() {
        JsonNode resources = json(a.request("GET", "/api/v1", null, null).body()).path("resources");
        JsonNode eviction = null;
        for (JsonNode r : resources) {
            if (r.path("name").asText().equals("pods/eviction")) {
                eviction = r;
            }
        }
        assertJson("""
                {"name":"pods/eviction","singularName":"","namespaced":true,"group":"policy","version":"v1",
                 "kind":"Eviction","verbs":["create"]}""", String.valueOf(eviction));
    }

    // ---- helpers ----

    private static String namespace(String name) {
        post("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + name + "\"}}");
        return name;
    }

    private static String pod(String name, String labels, String node) {
        StringBuilder l = new StringBuilder();
        for (String kv : labels.split(",")) {
            String[] p = kv.split("=");
            l.append(l.isEmpty() ? "" : ",").append('"').append(p[0]).append("\":\"").append(p[1]).append('"');
        }
        return """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","labels":{%s}},
                 "spec":{%s"containers":[{"name":"c","image":"busybox"}]}}"""
                .formatted(name, l, node == null ? "" : "\"nodeName\":\"" + node + "\",");
    }

    /** A pod bound to a node and running, ready or not, as its node agent would report it. */
    private static void runningPod(String ns, String name, String labels, boolean ready) {
        post("/api/v1/namespaces/" + ns + "/pods", pod(name, labels, "node-1"));
        patch(ns, "pods", name, "/status", """
                {"status":{"phase":"Running","conditions":[{"type":"Ready","status":"%s"}]}}"""
                .formatted(ready ? "True" : "False"));
    }

    /** A budget (created when {@code spec} is given) with the status its controller would write for its generation. */
    private static void budget(String ns, String name, String spec, int allowed, int currentHealthy, int desiredHealthy,
                               int expected) {
        if (spec != null) {
            post("/apis/policy/v1/namespaces/" + ns + "/poddisruptionbudgets",
                    "{\"apiVersion\":\"policy/v1\",\"kind\":\"PodDisruptionBudget\",\"metadata\":{\"name\":\"" + name
                            + "\"},\"spec\":" + spec + "}");
        }
        long generation = get(ns, "poddisruptionbudgets", name).path("metadata").path("generation").asLong();
        patch(ns, "poddisruptionbudgets", name, "/status", """
                {"status":{"observedGeneration":%d,"disruptionsAllowed":%d,"currentHealthy":%d,"desiredHealthy":%d,
                 "expectedPods":%d}}""".formatted(generation, allowed, currentHealthy, desiredHealthy, expected));
    }

    private static String eviction(String name, String ns, String extra) {
        return "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"" + name
                + "\",\"namespace\":\"" + ns + "\"}" + extra + "}";
    }

    private static GatewayFixture.Reply evict(GatewayFixture via, String ns, String name, String extra) {
        return via.request("POST", "/api/v1/namespaces/" + ns + "/pods/" + name + "/eviction", JSON,
                eviction(name, ns, extra));
    }

    private static void post(String path, String body) {
        GatewayFixture.Reply r = a.request("POST", path, JSON, body);
        assertEquals(201, r.status(), r.body());
    }

    private static void patch(String ns, String plural, String name, String sub, String body) {
        GatewayFixture.Reply r = a.request("PATCH", path(ns, plural) + "/" + name + sub, MERGE, body);
        assertEquals(200, r.status(), r.body());
    }

    private static String path(String ns, String plural) {
        return (plural.equals("pods") ? "/api/v1" : "/apis/policy/v1") + "/namespaces/" + ns + "/" + plural;
    }

    private static JsonNode get(String ns, String plural, String name) {
        GatewayFixture.Reply r = a.request("GET", path(ns, plural) + "/" + name, null, null);
        assertEquals(200, r.status(), r.body());
        return json(r.body());
    }

    private static JsonNode list(String ns, String plural) {
        return json(a.request("GET", path(ns, plural), null, null).body()).path("items");
    }

    private static JsonNode condition(JsonNode status, String type) {
        for (JsonNode c : status.path("conditions")) {
            if (c.path("type").asText().equals(type)) {
                return c;
            }
        }
        throw new AssertionError("no " + type + " condition in " + status);
    }

    private static Set<String> names(JsonNode map) {
        Set<String> out = new TreeSet<>();
        map.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static void assertJson(String expected, String actual) {
        assertEquals(json(expected), json(actual), actual);
    }

    private static JsonNode json(String s) {
        try {
            return KubusJson.json().readTree(s);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }
}

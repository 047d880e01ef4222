package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.schema.KubusJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ResourceQuota, LimitRanger and Priority admission plugins in a real gateway over HTTP. The quota controller does
 * not run here: the tests write a quota's status as it would, so that what admission does with it is seen alone (the
 * workload-controllers tests run both).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuotaLimitPriorityAdmissionTest {
    private static final String JSON = "application/json";
    private static final String PRIORITY_CLASSES = "/apis/scheduling.k8s.io/v1/priorityclasses";

    private GatewayFixture gateway;
    private ObjectStore store;

    @BeforeAll
    void start() {
        gateway = GatewayFixture.start();
        store = gateway.context().getBean(ObjectStore.class);
        gateway.createNamespaces("quota", "cpu", "fresh", "burst", "guaranteed", "prio", "race");
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    // ---- ResourceQuota ----

    @Test
    void aQuotaOfTwoPodsRefusesTheThirdWithKubernetesMessageAndStoresNothing() {
        quotaWithStatus("quota", "q", "{\"pods\":\"2\"}", "{\"pods\":\"0\"}");
        created(pods("quota"), pod("p1", ""));
        assertEquals("1", quota("quota", "q").at("/status/used/pods").asText(), "the create charged the quota");
        created(pods("quota"), pod("p2", ""));
        long version = store.currentVersion();

        GatewayFixture.Reply refused = post(pods("quota"), pod("p3", ""));

        assertForbidden(refused, "pods \"p3\" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2");
        assertEquals(version, store.currentVersion(), "no version taken: nothing stored, no event in the outbox");
        assertEquals(404, gateway.request("GET", pods("quota") + "/p3", null, null).status());
        assertEquals("2", quota("quota", "q").at("/status/used/pods").asText(), "the refused create charged nothing");
    }

    @Test
    void aCpuQuotaWantsEveryContainerToRequestCpuAndCountsWhatTheyRequest() {
        quotaWithStatus("cpu", "cpu", "{\"requests.cpu\":\"1\"}", "{\"requests.cpu\":\"0\"}");
        assertForbidden(post(pods("cpu"), pod("nocpu", "")),
                "pods \"nocpu\" is forbidden: failed quota: cpu: must specify requests.cpu for: app");
        created(pods("cpu"), pod("half", "\"resources\":{\"requests\":{\"cpu\":\"600m\"}}"));
        assertEquals("600m", quota("cpu", "cpu").at("/status/used/requests.cpu").asText());
        assertForbidden(post(pods("cpu"), pod("more", "\"resources\":{\"requests\":{\"cpu\":\"600m\"}}")),
                "pods \"more\" is forbidden: exceeded quota: cpu, requested: requests.cpu=600m, used: requests.cpu=600m, "
                        + "limited: requests.cpu=1");
        // a ConfigMap is none of this quota's business
        created("/api/v1/namespaces/cpu/configmaps", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"}}");
    }

    @Test
    void aQuotaWithoutUsageRefusesUntilItsUsageIsKnownAndOneWithoutStatusLimitsNothing() {
        created(quotas("fresh"), "{\"apiVersion\":\"v1\",\"kind\":\"ResourceQuota\",\"metadata\":{\"name\":\"fresh\"},"
                + "\"spec\":{\"hard\":{\"secrets\":\"0\"}}}");
        // as in Kubernetes, a quota limits nothing until its status says what it limits
        created("/api/v1/namespaces/fresh/secrets", "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s1\"}}");
        JsonNode q = quota("fresh", "fresh");
        ((ObjectNode) q).putObject("status").putObject("hard").put("secrets", "0");
        assertEquals(200, gateway.request("PUT", quotas("fresh") + "/fresh/status", JSON, q.toString()).status());
        assertForbidden(post("/api/v1/namespaces/fresh/secrets", "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s2\"}}"),
                "secrets \"s2\" is forbidden: status unknown for quota: fresh, resources: secrets");
    }

    @Test
    void concurrentCreatesNeverShareTheLastUnits() throws Exception {
        quotaWithStatus("race", "three", "{\"count/configmaps\":\"3\"}", "{\"count/configmaps\":\"0\"}");
        List<Callable<Integer>> creates = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String body = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm-" + i + "\"}}";
            creates.add(() -> post("/api/v1/namespaces/race/configmaps", body).status());
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Integer> codes = new ArrayList<>();
        try {
            for (Future<Integer> f : pool.invokeAll(creates)) {
                codes.add(f.get());
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(3, codes.stream().filter(c -> c == 201).count(), codes.toString());
        assertEquals(9, codes.stream().filter(c -> c == 403).count(), codes.toString());
        assertEquals("3", quota("race", "three").at("/status/used/count~1configmaps").asText());
    }

    // ---- LimitRanger ----

    @Test
    void aLimitRangesDefaultsFillAPodWithoutResourcesAndItsQosClassFollows() {
        created(limitRanges("burst"), """
                {"apiVersion":"v1","kind":"LimitRange","metadata":{"name":"defaults"},
                 "spec":{"limits":[{"type":"Container","max":{"cpu":"1"},
                   "default":{"cpu":"500m","memory":"256Mi"},"defaultRequest":{"cpu":"250m","memory":"128Mi"}}]}}""");
        JsonNode pod = created(pods("burst"), pod("plain", ""));
        JsonNode resources = pod.at("/spec/containers/0/resources");
        assertEquals(json("{\"limits\":{\"cpu\":\"500m\",\"memory\":\"256Mi\"},\"requests\":{\"cpu\":\"250m\",\"memory\":\"128Mi\"}}"),
                resources);
        assertEquals("LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app",
                pod.at("/metadata/annotations/kubernetes.io~1limit-ranger").asText());
        assertEquals("Burstable", pod.at("/status/qosClass").asText(), "the QoS class is computed from the defaults");
        // what a container states itself stays; only what it leaves out is filled in
        JsonNode partial = created(pods("burst"), pod("partial", "\"resources\":{\"limits\":{\"cpu\":\"800m\"}}"));
        assertEquals("800m", partial.at("/spec/containers/0/resources/limits/cpu").asText());
        assertEquals("800m", partial.at("/spec/containers/0/resources/requests/cpu").asText(), "defaulted from its limit");
        assertEquals("128Mi", partial.at("/spec/containers/0/resources/requests/memory").asText());

        assertForbidden(post(pods("burst"), pod("big", "\"resources\":{\"limits\":{\"cpu\":\"2\"}}")),
                "pods \"big\" is forbidden: maximum cpu usage per Container is 1, but limit is 2");
        assertEquals(404, gateway.request("GET", pods("burst") + "/big", null, null).status());
    }

    @Test
    void equalDefaultsMakeAPodGuaranteed() {
        JsonNode before = created(pods("guaranteed"), pod("before", ""));
        assertEquals("BestEffort", before.at("/status/qosClass").asText());
        created(limitRanges("guaranteed"), """
                {"apiVersion":"v1","kind":"LimitRange","metadata":{"name":"exact"},
                 "spec":{"limits":[{"type":"Container","default":{"cpu":"200m","memory":"64Mi"}}]}}""");
        JsonNode after = created(pods("guaranteed"), pod("after", ""));
        assertEquals("Guaranteed", after.at("/status/qosClass").asText(), "defaultRequest defaults to default");
    }

    // ---- Priority ----

    @Test
    void theSystemPriorityClassesExistFromTheStartAndCannotBeDeleted() {
        JsonNode node = json(gateway.request("GET", PRIORITY_CLASSES + "/system-node-critical", null, null).body());
        assertEquals(2000001000, node.path("value").asInt());
        assertEquals("Used for system critical pods that must not be moved from their current node.",
                node.path("description").asText());
        assertEquals("PreemptLowerPriority", node.path("preemptionPolicy").asText());
        JsonNode cluster = json(gateway.request("GET", PRIORITY_CLASSES + "/system-cluster-critical", null, null).body());
        assertEquals(2000000000, cluster.path("value").asInt());
        assertForbidden(gateway.request("DELETE", PRIORITY_CLASSES + "/system-cluster-critical", null, null),
                "priorityclasses.scheduling.k8s.io \"system-cluster-critical\" is forbidden: this is a system priority "
                        + "class and cannot be deleted");
    }

    @Test
    void aPriorityClassGivesAPodItsPriority() {
        created(PRIORITY_CLASSES, "{\"apiVersion\":\"scheduling.k8s.io/v1\",\"kind\":\"PriorityClass\",\"metadata\":"
                + "{\"name\":\"high\"},\"value\":1000,\"preemptionPolicy\":\"Never\"}");
        JsonNode high = created(pods("prio"), pod("urgent", "").replace("\"containers\"", "\"priorityClassName\":\"high\",\"containers\""));
        assertEquals(1000, high.at("/spec/priority").asInt());
        assertEquals("Never", high.at("/spec/preemptionPolicy").asText());
        JsonNode plain = created(pods("prio"), pod("plain", ""));
        assertEquals(0, plain.at("/spec/priority").asInt(-1), "no class and no default class: priority 0");
        assertFalse(plain.at("/spec").has("priorityClassName"));
        assertEquals("PreemptLowerPriority", plain.at("/spec/preemptionPolicy").asText());
        JsonNode critical = created(pods("prio"), pod("critical", "")
                .replace("\"containers\"", "\"priorityClassName\":\"system-node-critical\",\"containers\""));
        assertEquals(2000001000, critical.at("/spec/priority").asInt());

        assertForbidden(post(pods("prio"), pod("lost", "").replace("\"containers\"", "\"priorityClassName\":\"nope\",\"containers\"")),
                "pods \"lost\" is forbidden: no PriorityClass with name nope was found");
        assertForbidden(post(pods("prio"), pod("self", "")
                        .replace("\"containers\"", "\"priorityClassName\":\"high\",\"priority\":5,\"containers\"")),
                "pods \"self\" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority "
                        + "admission controller computed 1000 from the given PriorityClass name");

        created(PRIORITY_CLASSES, "{\"apiVersion\":\"scheduling.k8s.io/v1\",\"kind\":\"PriorityClass\",\"metadata\":"
                + "{\"name\":\"standard\"},\"value\":100,\"globalDefault\":true}");
        try {
            JsonNode defaulted = created(pods("prio"), pod("defaulted", ""));
            assertEquals("standard", defaulted.at("/spec/priorityClassName").asText());
            assertEquals(100, defaulted.at("/spec/priority").asInt());
            assertForbidden(post(PRIORITY_CLASSES, "{\"apiVersion\":\"scheduling.k8s.io/v1\",\"kind\":\"PriorityClass\","
                            + "\"metadata\":{\"name\":\"another\"},\"value\":7,\"globalDefault\":true}"),
                    "priorityclasses.scheduling.k8s.io \"another\" is forbidden: PriorityClass standard is already marked "
                            + "as default. Only one default can exist");
        } finally {
            assertEquals(200, gateway.request("DELETE", PRIORITY_CLASSES + "/standard", null, null).status());
        }
    }

    // ---- helpers ----

    private void quotaWithStatus(String ns, String name, String hard, String used) {
        JsonNode q = created(quotas(ns), "{\"apiVersion\":\"v1\",\"kind\":\"ResourceQuota\",\"metadata\":{\"name\":\"" + name
                + "\"},\"spec\":{\"hard\":" + hard + "}}");
        // what the quota controller would write
        ObjectNode status = ((ObjectNode) q).putObject("status");
        status.set("hard", json(hard));
        status.set("used", json(used));
        GatewayFixture.Reply r = gateway.request("PUT", quotas(ns) + "/" + name + "/status", JSON, q.toString());
        assertEquals(200, r.status(), r.body());
    }

    private JsonNode quota(String ns, String name) {
        return json(gateway.request("GET", quotas(ns) + "/" + name, null, null).body());
    }

    private static String pods(String ns) {
        return "/api/v1/namespaces/" + ns + "/pods";
    }

    private static String quotas(String ns) {
        return "/api/v1/namespaces/" + ns + "/resourcequotas";
    }

    private static String limitRanges(String ns) {
        return "/api/v1/namespaces/" + ns + "/limitranges";
    }

    /** A one-container pod; {@code resources} is extra JSON for the container. */
    private static String pod(String name, String resources) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"containers\":"
                + "[{\"name\":\"app\",\"image\":\"busybox\"" + (resources.isEmpty() ? "" : "," + resources) + "}]}}";
    }

    private GatewayFixture.Reply post(String path, String body) {
        return gateway.request("POST", path, JSON, body);
    }

    private JsonNode created(String path, String body) {
        GatewayFixture.Reply r = post(path, body);
        assertEquals(201, r.status(), r.body());
        return json(r.body());
    }

    private static void assertForbidden(GatewayFixture.Reply r, String message) {
        assertEquals(403, r.status(), r.body());
        JsonNode status = json(r.body());
        assertEquals("Forbidden", status.path("reason").asText(), r.body());
        if (message != null) {
            assertEquals(message, status.path("message").asText());
        }
        assertTrue(status.path("details").has("kind"), r.body());
    }

    private static JsonNode json(String s) {
        try {
            return KubusJson.json().readTree(s);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }
}

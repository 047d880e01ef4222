package io.kubus.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.client.tls.CertificateAuthority;
import io.kubus.client.tls.CertificateRequests;
import io.kubus.client.tls.Identities;
import io.kubus.gateway.outbox.OutboxRelay;
import io.kubus.gateway.store.ObjectHistory;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.gateway.testing.TestPki;
import io.kubus.schema.KubusJson;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Bad input stops at the gateway (docs/architecture.md): malformed or invalid requests against one real gateway each get a 4xx
 * Kubernetes Status naming the problem, and afterwards the store's version and every change topic's end offsets are
 * what they were before.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputTest {
    private static final String JSON = "application/json";
    private static final String YAML = "application/yaml";
    private static final String PODS = "/api/v1/namespaces/default/pods";
    private static final String DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments";
    private static final String DAEMONSETS = "/apis/apps/v1/namespaces/default/daemonsets";
    private static final String STATEFULSETS = "/apis/apps/v1/namespaces/default/statefulsets";
    private static final String CLAIMS = "/api/v1/namespaces/default/persistentvolumeclaims";
    private static final String CONFIGMAPS = "/api/v1/namespaces/default/configmaps";
    private static final String SERVICES = "/api/v1/namespaces/default/services";
    private static final String CRONJOBS = "/apis/batch/v1/namespaces/default/cronjobs";
    private static final String JOBS = "/apis/batch/v1/namespaces/default/jobs";
    private static final String RBAC = "/apis/rbac.authorization.k8s.io/v1";
    private static final String CSRS = "/apis/certificates.k8s.io/v1/certificatesigningrequests";
    /** A PKCS#10 request of user "x" whose signature verifies. */
    private static final String REQUEST = base64(CertificateRequests.create(CertificateAuthority.newKeyPair(),
            new Identities.Identity("x", List.of())));
    private static final Map<Integer, Set<String>> REASONS = Map.ofEntries(
            Map.entry(400, Set.of("BadRequest")),
            Map.entry(401, Set.of("Unauthorized")),
            Map.entry(403, Set.of("Forbidden")),
            Map.entry(404, Set.of("NotFound")),
            Map.entry(405, Set.of("MethodNotAllowed")),
            Map.entry(406, Set.of("NotAcceptable")),
            Map.entry(409, Set.of("Conflict", "AlreadyExists")),
            Map.entry(410, Set.of("Expired")),
            Map.entry(413, Set.of("RequestEntityTooLarge")),
            Map.entry(415, Set.of("UnsupportedMediaType")),
            Map.entry(422, Set.of("Invalid")),
            Map.entry(504, Set.of("Timeout")));

    private GatewayFixture gateway;
    private ObjectStore store;
    private long versionBefore;
    private Map<TopicPartition, Long> offsetsBefore;
    private String podVersion;
    private String podUid;
    private int sent;

    @BeforeAll
    void start() throws Exception {
        gateway = GatewayFixture.start();
        store = gateway.context().getBean(ObjectStore.class);
        created(POST(DEPLOYMENTS, deployment("web", "1")));
        created(POST(DAEMONSETS, daemonSet("agent", "web", "web", "")));
        // A claim of 1Gi, unbound (no volume controller runs here), that a case tries to shrink.
        created(POST(CLAIMS, claim("data", "\"accessModes\":[\"ReadWriteOnce\"]", "\"1Gi\"")));
        JsonNode pod = created(POST(PODS, pod("p")));
        podVersion = pod.path("metadata").path("resourceVersion").asText();
        podUid = pod.path("metadata").path("uid").asText();
        created(POST(CONFIGMAPS, """
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","labels":{"env":"prod"}},"data":{"a":"1"}}"""));
        created(POST(CONFIGMAPS, """
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm2"},"data":{"a":"2"}}"""));
        // Services holding a cluster IP and a node port that the cases ask for again.
        created(POST(SERVICES, service("taken", "\"type\":\"NodePort\",\"clusterIP\":\"10.96.0.50\","
                + "\"ports\":[{\"port\":80,\"nodePort\":30080}]")));
        created(POST(SERVICES, service("web", "\"ports\":[{\"port\":80}]")));
        // ServiceAccounts and RBAC: a binding whose roleRef an update may not change.
        created(POST(RBAC + "/namespaces/default/rolebindings", roleBinding("reads", "view")));
        created(POST("/apis/policy/v1/namespaces/default/poddisruptionbudgets", pdb("web", "\"minAvailable\":1")));
        // A pending certificate request whose approval and status the cases write wrongly, and a bootstrap token
        // past its expiration.
        created(POST(CSRS, csr("pending", REQUEST, "kubernetes.io/kube-apiserver-client", "[\"client auth\"]", "")));
        created(POST("/api/v1/namespaces/kube-system/secrets", """
                {"apiVersion":"v1","kind":"Secret","metadata":{"name":"bootstrap-token-expird"},
                 "type":"bootstrap.kubernetes.io/token","stringData":{"token-id":"expird",
                 "token-secret":"0123456789abcdef","usage-bootstrap-authentication":"true",
                 "expiration":"2020-01-01T00:00:00Z"}}"""));
        // A change, then compaction of all history: lists and tokens at the first versions are now too old.
        assertEquals(200, gateway.request("PATCH", CONFIGMAPS + "/cm2", "application/merge-patch+json",
                "{\"data\":{\"a\":\"3\"}}").status());
        gateway.context().getBean(ObjectHistory.class).compact(Instant.now().plusSeconds(1));
        assertTrue(store.compactedVersion() > 1);
        // Everything written so far has reached Kafka before the offsets are taken.
        awaitRelayed();
        versionBefore = store.currentVersion();
        offsetsBefore = endOffsets();
        assertFalse(offsetsBefore.isEmpty());
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @TestFactory
    @Order(1)
    Stream<DynamicTest> everyBadRequestGetsA4xxStatus() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    @Test
    @Order(2)
    void nothingWasStoredOrPublished() throws Exception {
        assertTrue(sent >= 60, "at least 60 bad requests were sent, got " + sent);
        assertEquals(versionBefore, store.currentVersion(), "no bad request took a resourceVersion");
        Thread.sleep(500); // the relay wakes within its poll interval; give a stray event the chance to show
        awaitRelayed();
        assertEquals(offsetsBefore, endOffsets(), "no bad request published an event");
        JsonNode cm = json(gateway.request("GET", CONFIGMAPS + "/cm", null, null).body());
        assertEquals("1", cm.path("data").path("a").asText());
        JsonNode pod = json(gateway.request("GET", PODS + "/p", null, null).body());
        assertEquals(podVersion, pod.path("metadata").path("resourceVersion").asText(), "the pod is as created");
        assertEquals(1, json(gateway.request("GET", DEPLOYMENTS + "/web/scale", null, null).body()).path("spec").path("replicas").asInt());
    }

    /**
     * Object validation: names, label syntax, unknown fields under Strict (422, as this project's issue asks, where
     * kube-apiserver answers 400 "strict decoding error"). They run against the same gateway and must leave nothing.
     */
    @TestFactory
    @Order(3)
    Stream<DynamicTest> invalidObjectsAreRefusedByAdmission() {
        return pendingValidationCases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    /**
     * The paging and version parameters of lists: every refusal is kube-apiserver's, to the letter (code, reason,
     * message), since clients such as client-go's pager and informers act on them.
     */
    @TestFactory
    @Order(1)
    Stream<DynamicTest> badListParametersGetKubernetesStatuses() {
        return listCases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    /**
     * Credentials that are missing, malformed or not good: 401 Unauthorized, as kube-apiserver answers, never a 5xx
     * and never a fall-back to anonymous access. Sent without a client certificate.
     */
    @TestFactory
    @Order(1)
    Stream<DynamicTest> badCredentialsGet401() {
        java.net.http.HttpClient anonymous = GatewayFixture.anonymousClient();
        String header = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = Base64.getUrlEncoder().withoutPadding().encodeToString(("{\"iss\":\"https://kubernetes.default.svc.cluster.local\","
                + "\"sub\":\"system:serviceaccount:default:default\",\"aud\":[\"https://kubernetes.default.svc.cluster.local\"],"
                + "\"exp\":4102444800,\"kubernetes.io\":{\"namespace\":\"default\",\"serviceaccount\":{\"name\":\"default\",\"uid\":\"x\"}}}")
                .getBytes(StandardCharsets.UTF_8));
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put("no credentials", null);
        headers.put("an empty bearer token", "Bearer ");
        headers.put("basic authentication", "Basic " + Base64.getEncoder().encodeToString("admin:admin".getBytes(StandardCharsets.UTF_8)));
        headers.put("a bearer token that is no JWT", "Bearer not-a-token");
        headers.put("a JWT of three empty parts", "Bearer ..");
        headers.put("a JWT with garbage parts", "Bearer a.b.c");
        headers.put("an unsigned JWT (alg none)", "Bearer " + header + "." + claims + ".");
        headers.put("a JWT whose signature is not the cluster's", "Bearer " + header.replace("bm9uZ", "UlMyN") + "." + claims + ".c2lnbmF0dXJl");
        headers.put("a token of 6 KiB", "Bearer " + "x".repeat(6 * 1024));
        headers.put("a token with a space", "Bearer two words");
        headers.put("binary bytes", "Bearer \u00ff\u00fe");
        headers.put("a bootstrap token no Secret backs", "Bearer abcdef.0123456789abcdef");
        headers.put("an expired bootstrap token", "Bearer expird.0123456789abcdef");
        headers.put("a bootstrap token with a short secret", "Bearer expird.0123");
        List<DynamicTest> tests = new ArrayList<>();
        headers.forEach((name, value) -> tests.add(DynamicTest.dynamicTest(name, () -> check(new Case(name, "GET", PODS,
                null, null, 401, "Unauthorized", value == null ? Map.of() : Map.of("Authorization", value)), anonymous))));
        tests.add(DynamicTest.dynamicTest("a create without credentials", () -> check(new Case("anonymous create",
                "POST", CONFIGMAPS, JSON, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"anon\"}}",
                401, "Unauthorized"), anonymous)));
        tests.add(DynamicTest.dynamicTest("impersonated groups without a user", () -> check(new Case("groups only",
                "GET", PODS, null, null, 400, "without impersonating a user", Map.of("Impersonate-Group", "devs")))));
        tests.add(DynamicTest.dynamicTest("a TokenRequest for less than ten minutes", () -> check(new Case("short token",
                "POST", "/api/v1/namespaces/default/serviceaccounts/default/token", JSON,
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\",\"spec\":{\"expirationSeconds\":599}}",
                422, "spec.expirationSeconds"))));
        tests.add(DynamicTest.dynamicTest("a TokenRequest bound to a ConfigMap", () -> check(new Case("bound to a ConfigMap",
                "POST", "/api/v1/namespaces/default/serviceaccounts/default/token", JSON,
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\",\"spec\":{\"boundObjectRef\":"
                        + "{\"kind\":\"ConfigMap\",\"name\":\"cm\"}}}", 400, "ConfigMap"))));
        tests.add(DynamicTest.dynamicTest("a TokenRequest of another kind", () -> check(new Case("wrong kind",
                "POST", "/api/v1/namespaces/default/serviceaccounts/default/token", JSON,
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\"}", 400, "TokenRequest"))));
        tests.add(DynamicTest.dynamicTest("a token for a ServiceAccount that does not exist", () -> check(new Case("no SA",
                "POST", "/api/v1/namespaces/default/serviceaccounts/nobody/token", JSON,
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\"}", 404, "nobody"))));
        tests.add(DynamicTest.dynamicTest("a SubjectAccessReview without attributes", () -> check(new Case("empty SAR",
                "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", JSON,
                "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SubjectAccessReview\",\"spec\":{\"user\":\"x\"}}",
                422, "spec.resourceAttributes"))));
        return tests.stream();
    }

    /** A header bigger than the server takes: a 4xx before any handler, never a 5xx (kube-apiserver: 431). */
    @Test
    @Order(1)
    void anOversizedHeaderIsRefusedWithA4xx() {
        GatewayFixture.Reply r = gateway.request(GatewayFixture.anonymousClient(), "GET", PODS, null, null,
                Map.of("Authorization", "Bearer " + "x".repeat(64 * 1024)));
        sent++;
        assertTrue(r.status() == -1 || r.status() >= 400 && r.status() < 500, "a 4xx or a closed connection: " + r.status() + " " + r.body());
    }

    // ---- the cases ----

    private List<Case> cases() {
        List<Case> c = new ArrayList<>();
        // Decoding.
        c.add(new Case("broken JSON", "POST", PODS, JSON, "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {", 400, "JSON"));
        c.add(new Case("JSON with a bare word", "POST", PODS, JSON, "{\"kind\": Pod}", 400, "JSON"));
        c.add(new Case("broken YAML", "POST", PODS, YAML, "apiVersion: v1\nkind: Pod\nmetadata: [name: x\n  - : :", 400, "YAML"));
        c.add(new Case("YAML with tab indentation", "POST", PODS, YAML, "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: x\n", 400, "YAML"));
        c.add(new Case("YAML that is a list", "POST", PODS, YAML, "- a\n- b\n", 400, "array"));
        c.add(new Case("JSON array as body", "POST", PODS, JSON, "[{\"kind\":\"Pod\"}]", 400, "array"));
        c.add(new Case("JSON string as body", "POST", PODS, JSON, "\"pod\"", 400, "string"));
        c.add(new Case("JSON number as body", "POST", PODS, JSON, "42", 400, "number"));
        c.add(new Case("JSON null as body", "POST", PODS, JSON, "null", 400, "null"));
        c.add(new Case("empty body", "POST", PODS, JSON, "", 400, "empty"));
        c.add(new Case("whitespace body", "POST", PODS, JSON, "   \n ", 400, "empty"));
        c.add(new Case("body in an unknown media type", "POST", PODS, "application/xml", "<pod/>", 415, "media type"));
        c.add(new Case("spec.replicas as a string", "POST", DEPLOYMENTS, JSON,
                deployment("d1", "\"x\""), 400, "replicas"));
        c.add(new Case("metadata.labels as a list", "POST", CONFIGMAPS, JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c1\",\"labels\":[]}}", 400, "labels"));
        c.add(new Case("containers as an object", "POST", PODS, JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p1\"},\"spec\":{\"containers\":{\"name\":\"c\",\"image\":\"busybox\"}}}",
                400, "containers"));
        c.add(new Case("metadata as a string", "POST", CONFIGMAPS, JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":\"c1\"}", 400, "metadata"));
        c.add(new Case("kind as a number", "POST", CONFIGMAPS, JSON,
                "{\"apiVersion\":\"v1\",\"kind\":7,\"metadata\":{\"name\":\"c1\"}}", 400, "kind"));
        c.add(new Case("data values as objects", "POST", CONFIGMAPS, JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c1\"},\"data\":{\"a\":{\"b\":1}}}", 400, "data"));
        // Kind, version, namespace and name against the URL.
        c.add(new Case("a Deployment POSTed to pods", "POST", PODS, JSON, deployment("d2", "1"), 400, "Deployment"));
        c.add(new Case("apiVersion that does not match the URL", "POST", PODS, JSON,
                "{\"apiVersion\":\"apps/v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p2\"}}", 400, "apps/v1"));
        c.add(new Case("namespace in the body differs from the URL", "POST", CONFIGMAPS, JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c2\",\"namespace\":\"kube-system\"}}", 400, "namespace"));
        c.add(new Case("empty name and no generateName", "POST", CONFIGMAPS, JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"\"}}", 422, "metadata.name"));
        c.add(new Case("no metadata at all", "POST", CONFIGMAPS, JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\"}", 422, "metadata.name"));
        c.add(new Case("resourceVersion set on create", "POST", CONFIGMAPS, JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c3\",\"resourceVersion\":\"5\"}}", 400, "resourceVersion"));
        c.add(new Case("duplicate create", "POST", CONFIGMAPS, JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm\"}}", 409, "already exists"));
        c.add(new Case("create in a namespace that does not exist", "POST", "/api/v1/namespaces/nowhere/configmaps", JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c4\"}}", 404, "nowhere"));
        c.add(new Case("namespaced create without a namespace", "POST", "/api/v1/pods", JSON, pod("p3"), 405, "namespace"));
        // Query parameters of writes.
        c.add(new Case("bad fieldValidation", "POST", CONFIGMAPS + "?fieldValidation=Loose", JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c5\"}}", 400, "fieldValidation"));
        c.add(new Case("dryRun=Bogus on create", "POST", CONFIGMAPS + "?dryRun=Bogus", JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c6\"}}", 400, "dryRun"));
        c.add(new Case("dryRun=Bogus on update", "PUT", CONFIGMAPS + "/cm?dryRun=Bogus", JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm\"},\"data\":{\"a\":\"9\"}}", 400, "dryRun"));
        // Size.
        c.add(new Case("a 4 MiB body", "POST", CONFIGMAPS, JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"huge\"},\"data\":{\"a\":\""
                        + "x".repeat(4 * 1024 * 1024) + "\"}}", 413, "too large"));
        // Under the body limit, but with the managedFields the server adds (one entry per key) over the 3 MiB an
        // object may have stored: etcd's size limit, under kube-apiserver, refuses such an object as well.
        c.add(new Case("an object over 3 MiB once stored", "POST", CONFIGMAPS, JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"many\"},\"data\":{"
                        + java.util.stream.IntStream.range(0, 200_000).mapToObj(i -> String.format("\"k%06d\":\"\"", i))
                        .collect(java.util.stream.Collectors.joining(",")) + "}}", 413, "too large to store"));
        // Selectors: the messages are kube-apiserver's, which quote the token at fault rather than the selector.
        c.add(new Case("label selector with an open set", "GET", CONFIGMAPS + "?labelSelector=" + enc("env in (a"), null, null, 400, "unable to parse requirement"));
        c.add(new Case("label selector without a key", "GET", CONFIGMAPS + "?labelSelector=" + enc("=x"), null, null, 400, "found '='"));
        c.add(new Case("label selector a==b==c", "GET", CONFIGMAPS + "?labelSelector=" + enc("a==b==c"), null, null, 400, "found '=='"));
        c.add(new Case("label selector with a bad key", "GET", CONFIGMAPS + "?labelSelector=" + enc("bad key=1"), null, null, 400, "found 'key'"));
        c.add(new Case("label selector on a watch", "GET", CONFIGMAPS + "?watch=true&labelSelector=" + enc("env in (a"), null, null, 400, "unable to parse requirement"));
        c.add(new Case("field selector on an unsupported field", "GET", PODS + "?fieldSelector=" + enc("spec.foo=bar"), null, null, 400, "spec.foo"));
        c.add(new Case("field selector that is junk", "GET", PODS + "?fieldSelector=" + enc("!!!"), null, null, 400, "!!!"));
        c.add(new Case("field selector a pod field on configmaps", "GET", CONFIGMAPS + "?fieldSelector=" + enc("spec.nodeName=n"), null, null, 400, "spec.nodeName"));
        c.add(new Case("deletecollection with a bad selector", "DELETE", CONFIGMAPS + "?labelSelector=" + enc("env in (a"), null, null, 400, "unable to parse requirement"));
        c.add(new Case("deletecollection with a bad propagationPolicy", "DELETE", CONFIGMAPS + "?propagationPolicy=Sideways", null, null, 422, "propagationPolicy"));
        // Watch.
        c.add(new Case("watch from a resourceVersion that is not a number", "GET", PODS + "?watch=true&resourceVersion=abc", null, null, 400, "resourceVersion"));
        c.add(new Case("watch from a negative resourceVersion", "GET", PODS + "?watch=true&resourceVersion=-5", null, null, 400, "resourceVersion"));
        c.add(new Case("watch with a bad timeoutSeconds", "GET", PODS + "?watch=true&timeoutSeconds=soon", null, null, 400, "strconv.ParseInt: parsing \"soon\""));
        c.add(new Case("list with a bad timeoutSeconds", "GET", PODS + "?timeoutSeconds=1.5", null, null, 400, "strconv.ParseInt: parsing \"1.5\""));
        c.add(new Case("watch with timeoutSeconds beyond int64", "GET", PODS + "?watch=1&timeoutSeconds=99999999999999999999", null, null, 400, "value out of range"));
        c.add(new Case("list with sendInitialEvents", "GET", PODS + "?sendInitialEvents=true", null, null, 422, "sendInitialEvents is forbidden for list"));
        c.add(new Case("list with an unknown resourceVersionMatch", "GET", PODS + "?resourceVersion=1&resourceVersionMatch=Newest", null, null, 422, "Unsupported value: \"Newest\""));
        c.add(new Case("list with resourceVersionMatch and no resourceVersion", "GET", PODS + "?resourceVersionMatch=Exact", null, null, 422, "unless resourceVersion is provided"));
        c.add(new Case("watch with sendInitialEvents and no resourceVersionMatch", "GET", PODS + "?watch=true&sendInitialEvents=true", null, null, 422, "sendInitialEvents requires setting resourceVersionMatch"));
        c.add(new Case("watch with resourceVersionMatch=Exact", "GET", PODS + "?watch=true&sendInitialEvents=false&resourceVersionMatch=Exact", null, null, 422, "Unsupported value: \"Exact\""));
        c.add(new Case("watch with resourceVersionMatch and no sendInitialEvents", "GET", PODS + "?watch=true&resourceVersion=5&resourceVersionMatch=NotOlderThan", null, null, 422, "unless sendInitialEvents is provided"));
        c.add(new Case("watch of a named object", "GET", PODS + "/p?watch=true", null, null, 400, "fieldSelector"));
        // Routing.
        c.add(new Case("unknown resource", "GET", "/api/v1/widgets", null, null, 404, "could not find"));
        c.add(new Case("unknown group", "GET", "/apis/nope/v1/things", null, null, 404, "could not find"));
        c.add(new Case("unknown version of a group", "GET", "/apis/apps/v9/deployments", null, null, 404, "could not find"));
        c.add(new Case("unknown core version", "GET", "/api/v2/pods", null, null, 404, "could not find"));
        c.add(new Case("create of an unknown resource", "POST", "/api/v1/namespaces/default/widgets", JSON, "{\"kind\":\"Widget\"}", 404, "could not find"));
        c.add(new Case("cluster-scoped kind under a namespace", "GET", "/api/v1/namespaces/default/nodes", null, null, 404, "could not find"));
        c.add(new Case("unknown subresource", "GET", PODS + "/p/bogus", null, null, 404, "could not find"));
        c.add(new Case("get of a missing object", "GET", PODS + "/ghost", null, null, 404, "ghost"));
        c.add(new Case("PUT on a collection", "PUT", CONFIGMAPS, JSON, "{}", 405, "method"));
        c.add(new Case("PATCH on a collection", "PATCH", CONFIGMAPS, "application/merge-patch+json", "{}", 405, "method"));
        c.add(new Case("POST to a named object", "POST", CONFIGMAPS + "/cm", JSON, "{}", 405, "method"));
        c.add(new Case("DELETE of a status subresource", "DELETE", PODS + "/p/status", null, null, 405, "status"));
        c.add(new Case("Accept only protobuf", "GET", CONFIGMAPS + "/cm", null, null, 406, "media types",
                Map.of("Accept", "application/vnd.kubernetes.protobuf")));
        c.add(new Case("Table with includeObject=Bogus", "GET", CONFIGMAPS + "?includeObject=Bogus", null, null, 400, "includeObject",
                Map.of("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")));
        // Patch.
        c.add(new Case("PATCH with an unsupported content type", "PATCH", CONFIGMAPS + "/cm", "text/plain", "{\"data\":{\"a\":\"2\"}}", 415, "media types"));
        c.add(new Case("PATCH without a content type", "PATCH", CONFIGMAPS + "/cm", null, "{\"data\":{\"a\":\"2\"}}", 415, "media types"));
        c.add(new Case("JSON patch that is an object", "PATCH", CONFIGMAPS + "/cm", "application/json-patch+json",
                "{\"op\":\"replace\",\"path\":\"/data/a\",\"value\":\"2\"}", 400, "array"));
        c.add(new Case("JSON patch whose test fails", "PATCH", CONFIGMAPS + "/cm", "application/json-patch+json",
                "[{\"op\":\"test\",\"path\":\"/data/a\",\"value\":\"nope\"},{\"op\":\"replace\",\"path\":\"/data/a\",\"value\":\"2\"}]", 422, "test failed"));
        c.add(new Case("JSON patch removing a missing path", "PATCH", CONFIGMAPS + "/cm", "application/json-patch+json",
                "[{\"op\":\"remove\",\"path\":\"/data/zzz\"}]", 422, "/data/zzz"));
        c.add(new Case("JSON patch with an unknown op", "PATCH", CONFIGMAPS + "/cm", "application/json-patch+json",
                "[{\"op\":\"frobnicate\",\"path\":\"/data/a\"}]", 422, "frobnicate"));
        c.add(new Case("JSON patch that is broken JSON", "PATCH", CONFIGMAPS + "/cm", "application/json-patch+json", "[{\"op\":", 400, "JSON"));
        c.add(new Case("merge patch that is an array", "PATCH", CONFIGMAPS + "/cm", "application/merge-patch+json", "[1]", 400, "object"));
        c.add(new Case("merge patch that is empty", "PATCH", CONFIGMAPS + "/cm", "application/merge-patch+json", "", 400, "empty"));
        c.add(new Case("merge patch changing the kind", "PATCH", CONFIGMAPS + "/cm", "application/merge-patch+json",
                "{\"kind\":\"Secret\"}", 400, "kind"));
        c.add(new Case("merge patch with a stale resourceVersion", "PATCH", CONFIGMAPS + "/cm", "application/merge-patch+json",
                "{\"metadata\":{\"resourceVersion\":\"1\"},\"data\":{\"a\":\"2\"}}", 409, "modified"));
        c.add(new Case("merge patch of a missing object", "PATCH", CONFIGMAPS + "/ghost", "application/merge-patch+json",
                "{\"data\":{\"a\":\"2\"}}", 404, "ghost"));
        c.add(new Case("strategic merge patch with $patch: bogus", "PATCH", PODS + "/p", "application/strategic-merge-patch+json",
                "{\"metadata\":{\"labels\":{\"$patch\":\"bogus\"}}}", 422, "bogus"));
        c.add(new Case("strategic merge patch of containers with $patch: bogus", "PATCH", PODS + "/p", "application/strategic-merge-patch+json",
                "{\"spec\":{\"containers\":[{\"name\":\"c\",\"$patch\":\"bogus\"}]}}", 422, "bogus"));
        // Update.
        c.add(new Case("update with a stale resourceVersion", "PUT", CONFIGMAPS + "/cm", JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm\",\"resourceVersion\":\"1\"},\"data\":{\"a\":\"2\"}}", 409, "modified"));
        c.add(new Case("update whose body name differs from the URL", "PUT", CONFIGMAPS + "/cm", JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"other\"},\"data\":{\"a\":\"2\"}}", 400, "name"));
        c.add(new Case("update without a name", "PUT", CONFIGMAPS + "/cm", JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"data\":{\"a\":\"2\"}}", 400, "name"));
        c.add(new Case("update of a missing object", "PUT", CONFIGMAPS + "/ghost", JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"ghost\"}}", 404, "ghost"));
        c.add(new Case("update that changes the kind", "PUT", CONFIGMAPS + "/cm", JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"cm\"}}", 400, "Secret"));
        c.add(new Case("status update with a stale resourceVersion", "PUT", PODS + "/p/status", JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"resourceVersion\":\"1\"},\"status\":{\"phase\":\"Running\"}}", 409, "modified"));
        c.add(new Case("update with broken YAML", "PUT", CONFIGMAPS + "/cm", YAML, "kind: ConfigMap\nmetadata: {name: cm\n", 400, "YAML"));
        // Delete.
        c.add(new Case("delete with a bad propagationPolicy", "DELETE", CONFIGMAPS + "/cm?propagationPolicy=Sideways", null, null, 422, "propagationPolicy"));
        c.add(new Case("delete with a bad propagationPolicy in the body", "DELETE", CONFIGMAPS + "/cm", JSON,
                "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":\"Sideways\"}", 422, "propagationPolicy"));
        c.add(new Case("delete with a negative gracePeriodSeconds", "DELETE", PODS + "/p?gracePeriodSeconds=-1", null, null, 400, "gracePeriodSeconds"));
        c.add(new Case("delete with gracePeriodSeconds not a number", "DELETE", PODS + "/p?gracePeriodSeconds=soon", null, null, 400, "gracePeriodSeconds"));
        c.add(new Case("delete with a negative gracePeriodSeconds in the body", "DELETE", PODS + "/p", JSON,
                "{\"gracePeriodSeconds\":-5}", 400, "gracePeriodSeconds"));
        c.add(new Case("delete with DeleteOptions that are an array", "DELETE", CONFIGMAPS + "/cm", JSON, "[]", 400, "DeleteOptions"));
        c.add(new Case("delete with broken DeleteOptions", "DELETE", CONFIGMAPS + "/cm", JSON, "{\"propagationPolicy\":", 400, "JSON"));
        c.add(new Case("delete with a stale resourceVersion precondition", "DELETE", CONFIGMAPS + "/cm", JSON,
                "{\"preconditions\":{\"resourceVersion\":\"1\"}}", 409, "Precondition"));
        c.add(new Case("delete with a wrong uid precondition", "DELETE", PODS + "/p", JSON,
                "{\"preconditions\":{\"uid\":\"00000000-0000-0000-0000-000000000000\"}}", 409, "UID"));
        c.add(new Case("delete of a missing object", "DELETE", CONFIGMAPS + "/ghost", null, null, 404, "ghost"));
        // The namespace finalize subresource.
        c.add(new Case("finalize with an invalid finalizer name", "PUT", "/api/v1/namespaces/default/finalize", JSON,
                "{\"kind\":\"Namespace\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"default\"},\"spec\":{\"finalizers\":[\"not a name!\"]}}",
                422, "spec.finalizers[0]"));
        c.add(new Case("finalize naming another namespace", "PUT", "/api/v1/namespaces/default/finalize", JSON,
                "{\"kind\":\"Namespace\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"other\"},\"spec\":{\"finalizers\":[]}}",
                400, "other"));
        c.add(new Case("finalize with finalizers that are not a list", "PUT", "/api/v1/namespaces/default/finalize", JSON,
                "{\"kind\":\"Namespace\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"default\"},\"spec\":{\"finalizers\":\"kubernetes\"}}",
                400, "finalizers"));
        // Scale.
        c.add(new Case("scale to -1", "PUT", DEPLOYMENTS + "/web/scale", JSON,
                "{\"kind\":\"Scale\",\"apiVersion\":\"autoscaling/v1\",\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"},\"spec\":{\"replicas\":-1}}", 422, "spec.replicas"));
        c.add(new Case("scale to \"x\"", "PUT", DEPLOYMENTS + "/web/scale", JSON,
                "{\"kind\":\"Scale\",\"apiVersion\":\"autoscaling/v1\",\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"},\"spec\":{\"replicas\":\"x\"}}", 400, "replicas"));
        c.add(new Case("scale patch to -1", "PATCH", DEPLOYMENTS + "/web/scale", "application/merge-patch+json",
                "{\"spec\":{\"replicas\":-1}}", 422, "spec.replicas"));
        c.add(new Case("scale body that is not a Scale", "PUT", DEPLOYMENTS + "/web/scale", JSON, deployment("web", "3"), 400, "Scale"));
        c.add(new Case("scale with a stale resourceVersion", "PUT", DEPLOYMENTS + "/web/scale", JSON,
                "{\"kind\":\"Scale\",\"apiVersion\":\"autoscaling/v1\",\"metadata\":{\"name\":\"web\",\"resourceVersion\":\"1\"},\"spec\":{\"replicas\":2}}", 409, "modified"));
        c.add(new Case("scale of a missing deployment", "PUT", DEPLOYMENTS + "/ghost/scale", JSON,
                "{\"kind\":\"Scale\",\"apiVersion\":\"autoscaling/v1\",\"metadata\":{\"name\":\"ghost\"},\"spec\":{\"replicas\":2}}", 404, "ghost"));
        c.add(new Case("scale of a kind without scale", "GET", CONFIGMAPS + "/cm/scale", null, null, 404, "could not find"));
        // ServiceAccounts and RBAC.
        c.add(new Case("serviceaccount with an invalid name", "POST", "/api/v1/namespaces/default/serviceaccounts", JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"Deploy_Bot\"}}", 422, "metadata.name"));
        c.add(new Case("role rule without verbs", "POST", RBAC + "/namespaces/default/roles", JSON,
                "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"Role\",\"metadata\":{\"name\":\"r1\"},"
                        + "\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"]}]}", 422, "rules[0].verbs"));
        c.add(new Case("role rule with non-resource URLs", "POST", RBAC + "/namespaces/default/roles", JSON,
                "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"Role\",\"metadata\":{\"name\":\"r2\"},"
                        + "\"rules\":[{\"nonResourceURLs\":[\"/healthz\"],\"verbs\":[\"get\"]}]}", 422, "rules[0].nonResourceURLs"));
        c.add(new Case("clusterrole with an invalid aggregation selector", "POST", RBAC + "/clusterroles", JSON,
                "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRole\",\"metadata\":{\"name\":\"agg\"},"
                        + "\"aggregationRule\":{\"clusterRoleSelectors\":[{\"matchLabels\":{\"bad key\":\"x\"}}]}}",
                422, "aggregationRule.clusterRoleSelectors[0]"));
        c.add(new Case("rolebinding to a roleRef kind that does not exist", "POST", RBAC + "/namespaces/default/rolebindings", JSON,
                roleBinding("rb1", "view").replace("\"kind\":\"ClusterRole\"", "\"kind\":\"Foo\""), 422, "roleRef.kind"));
        c.add(new Case("clusterrolebinding with a service account in no namespace", "POST", RBAC + "/clusterrolebindings", JSON,
                roleBinding("crb1", "view").replace("RoleBinding", "ClusterRoleBinding"), 422, "subjects[0].namespace"));
        c.add(new Case("rolebinding roleRef changed by an update", "PUT", RBAC + "/namespaces/default/rolebindings/reads", JSON,
                roleBinding("reads", "edit"), 422, "roleRef: Invalid value"));
        c.add(new Case("rolebinding roleRef changed by a merge patch", "PATCH", RBAC + "/namespaces/default/rolebindings/reads",
                "application/merge-patch+json", "{\"roleRef\":{\"name\":\"admin\"}}", 422, "cannot change roleRef"));
        // Binding.
        c.add(new Case("binding without a target", "POST", PODS + "/p/binding", JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"p\"}}", 422, "target.name"));
        c.add(new Case("binding with an empty target name", "POST", PODS + "/p/binding", JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"p\"},\"target\":{\"name\":\"\"}}", 422, "target.name"));
        c.add(new Case("binding of a missing pod", "POST", PODS + "/ghost/binding", JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"ghost\"},\"target\":{\"name\":\"node-1\"}}", 404, "ghost"));
        c.add(new Case("binding with a broken body", "POST", PODS + "/p/binding", JSON, "{\"target\":", 400, "JSON"));
        // ResourceQuota, LimitRange, PriorityClass and their admission (kinds-quota).
        String quotas = "/api/v1/namespaces/default/resourcequotas";
        String limitRanges = "/api/v1/namespaces/default/limitranges";
        String priorityClasses = "/apis/scheduling.k8s.io/v1/priorityclasses";
        c.add(new Case("quota on a resource quota does not know", "POST", quotas, JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"ResourceQuota\",\"metadata\":{\"name\":\"q1\"},\"spec\":{\"hard\":{\"foo\":\"1\"}}}",
                422, "spec.hard[foo]"));
        c.add(new Case("quota of -1 pods", "POST", quotas, JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"ResourceQuota\",\"metadata\":{\"name\":\"q2\"},\"spec\":{\"hard\":{\"pods\":\"-1\"}}}",
                422, "spec.hard[pods]"));
        c.add(new Case("quota with conflicting scopes", "POST", quotas, JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"ResourceQuota\",\"metadata\":{\"name\":\"q3\"},\"spec\":{\"hard\":{\"pods\":\"1\"},"
                        + "\"scopes\":[\"Terminating\",\"NotTerminating\"]}}", 422, "spec.scopes"));
        c.add(new Case("quota with hard pods as an object", "POST", quotas, JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"ResourceQuota\",\"metadata\":{\"name\":\"q4\"},\"spec\":{\"hard\":{\"pods\":{}}}}",
                400, "hard"));
        c.add(new Case("limit range with min above max", "POST", limitRanges, JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"LimitRange\",\"metadata\":{\"name\":\"l1\"},\"spec\":{\"limits\":[{\"type\":\"Container\","
                        + "\"min\":{\"cpu\":\"2\"},\"max\":{\"cpu\":\"1\"}}]}}", 422, "spec.limits[0].min[cpu]"));
        c.add(new Case("limit range of an unknown type", "POST", limitRanges, JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"LimitRange\",\"metadata\":{\"name\":\"l2\"},\"spec\":{\"limits\":[{\"type\":\"Node\"}]}}",
                422, "spec.limits[0].type"));
        c.add(new Case("limit range ratio below 1", "POST", limitRanges, JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"LimitRange\",\"metadata\":{\"name\":\"l3\"},\"spec\":{\"limits\":[{\"type\":\"Container\","
                        + "\"maxLimitRequestRatio\":{\"memory\":\"0.5\"}}]}}", 422, "spec.limits[0].maxLimitRequestRatio[memory]"));
        c.add(new Case("priority class above a billion", "POST", priorityClasses, JSON,
                "{\"apiVersion\":\"scheduling.k8s.io/v1\",\"kind\":\"PriorityClass\",\"metadata\":{\"name\":\"huge\"},\"value\":2000000000}",
                422, "value"));
        c.add(new Case("priority class named system-", "POST", priorityClasses, JSON,
                "{\"apiVersion\":\"scheduling.k8s.io/v1\",\"kind\":\"PriorityClass\",\"metadata\":{\"name\":\"system-mine\"},\"value\":1}",
                422, "metadata.name"));
        c.add(new Case("priority class with an unknown preemption policy", "POST", priorityClasses, JSON,
                "{\"apiVersion\":\"scheduling.k8s.io/v1\",\"kind\":\"PriorityClass\",\"metadata\":{\"name\":\"odd\"},\"value\":1,"
                        + "\"preemptionPolicy\":\"Sometimes\"}", 422, "preemptionPolicy"));
        c.add(new Case("priority class value changed", "PATCH", priorityClasses + "/system-cluster-critical",
                "application/merge-patch+json", "{\"value\":5}", 422, "value"));
        c.add(new Case("system priority class deleted", "DELETE", priorityClasses + "/system-node-critical", null, null,
                403, "system priority class"));
        c.add(new Case("pod of an unknown priority class", "POST", PODS, JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p4\"},\"spec\":{\"priorityClassName\":\"nope\","
                        + "\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}", 403, "no PriorityClass with name nope"));
        c.add(new Case("pod stating a priority its class does not give", "POST", PODS, JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p5\"},\"spec\":{\"priority\":7,"
                        + "\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}", 403, "must not be provided in pod spec"));
        // PodDisruptionBudgets and evictions.
        String pdbs = "/apis/policy/v1/namespaces/default/poddisruptionbudgets";
        c.add(new Case("pdb with minAvailable and maxUnavailable", "POST", pdbs, JSON,
                pdb("b1", "\"minAvailable\":1,\"maxUnavailable\":1"), 422, "minAvailable and maxUnavailable cannot be both set"));
        c.add(new Case("pdb with a percent without %", "POST", pdbs, JSON,
                pdb("b2", "\"minAvailable\":\"50\""), 422, "spec.minAvailable: Invalid value: \"50\": a valid percent string"));
        c.add(new Case("pdb with a percent over 100", "POST", pdbs, JSON,
                pdb("b3", "\"maxUnavailable\":\"150%\""), 422, "spec.maxUnavailable: Invalid value: \"150%\": must not be greater than 100%"));
        c.add(new Case("pdb with a negative budget", "POST", pdbs, JSON,
                pdb("b4", "\"minAvailable\":-1"), 422, "spec.minAvailable: Invalid value: -1: must be greater than or equal to 0"));
        c.add(new Case("pdb with an unknown unhealthyPodEvictionPolicy", "POST", pdbs, JSON,
                pdb("b5", "\"minAvailable\":1,\"unhealthyPodEvictionPolicy\":\"Sometimes\""), 422,
                "spec.unhealthyPodEvictionPolicy: Unsupported value: \"Sometimes\": supported values: \"AlwaysAllow\", \"IfHealthyBudget\""));
        c.add(new Case("pdb with a bad selector", "POST", pdbs, JSON, """
                {"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"b6"},
                 "spec":{"minAvailable":1,"selector":{"matchLabels":{"app":"no spaces!"}}}}""", 422, "spec.selector.matchLabels"));
        c.add(new Case("pdb with a budget that is an object", "POST", pdbs, JSON,
                pdb("b7", "\"minAvailable\":{\"n\":1}"), 400, "minAvailable"));
        c.add(new Case("pdb status update with a negative count", "PATCH", pdbs + "/web/status", "application/merge-patch+json",
                "{\"status\":{\"disruptionsAllowed\":-1}}", 422, "status.disruptionsAllowed: Invalid value: -1"));
        c.add(new Case("pdb status update with a condition without a reason", "PATCH", pdbs + "/web/status",
                "application/merge-patch+json", "{\"status\":{\"conditions\":[{\"type\":\"DisruptionAllowed\","
                        + "\"status\":\"True\",\"lastTransitionTime\":\"2024-01-01T00:00:00Z\"}]}}", 422,
                "status.conditions[0].reason: Required value"));
        c.add(new Case("eviction naming another pod", "POST", PODS + "/p/eviction", JSON,
                eviction("other", null, ""), 400, "name in URL does not match name in Eviction object"));
        c.add(new Case("eviction in another namespace", "POST", PODS + "/p/eviction", JSON,
                eviction("p", "kube-system", ""), 400, "the namespace of the provided object does not match"));
        c.add(new Case("eviction of a missing pod", "POST", PODS + "/ghost/eviction", JSON,
                eviction("ghost", null, ""), 404, "pods \"ghost\" not found"));
        c.add(new Case("eviction with broken JSON", "POST", PODS + "/p/eviction", JSON, "{\"kind\":\"Eviction\",", 400, "JSON"));
        c.add(new Case("eviction that is an array", "POST", PODS + "/p/eviction", JSON, "[]", 400, "array"));
        c.add(new Case("eviction without a body", "POST", PODS + "/p/eviction", JSON, "", 400, "empty"));
        c.add(new Case("eviction body of another kind", "POST", PODS + "/p/eviction", JSON,
                "{\"apiVersion\":\"policy/v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}}", 400, "Eviction"));
        c.add(new Case("eviction body of another version", "POST", PODS + "/p/eviction", JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"p\"}}", 400, "API version"));
        c.add(new Case("eviction with deleteOptions that are a string", "POST", PODS + "/p/eviction", JSON,
                eviction("p", null, ",\"deleteOptions\":\"now\""), 400, "deleteOptions"));
        c.add(new Case("eviction with a negative grace period", "POST", PODS + "/p/eviction", JSON,
                eviction("p", null, ",\"deleteOptions\":{\"gracePeriodSeconds\":-1}"), 400, "gracePeriodSeconds"));
        c.add(new Case("eviction with a bad propagationPolicy", "POST", PODS + "/p/eviction", JSON,
                eviction("p", null, ",\"deleteOptions\":{\"propagationPolicy\":\"Sideways\"}"), 422, "propagationPolicy"));
        c.add(new Case("eviction with dryRun=Bogus", "POST", PODS + "/p/eviction?dryRun=Bogus", JSON,
                eviction("p", null, ""), 400, "dryRun"));
        c.add(new Case("GET of an eviction", "GET", PODS + "/p/eviction", null, null, 405, "method"));
        return c;
    }

    private static String pdb(String name, String budget) {
        return "{\"apiVersion\":\"policy/v1\",\"kind\":\"PodDisruptionBudget\",\"metadata\":{\"name\":\"" + name
                + "\"},\"spec\":{" + budget + ",\"selector\":{\"matchLabels\":{\"app\":\"web\"}}}}";
    }

    private static String eviction(String name, String namespace, String extra) {
        return "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"" + name + "\""
                + (namespace == null ? "" : ",\"namespace\":\"" + namespace + "\"") + "}" + extra + "}";
    }

    private List<Case> listCases() {
        List<Case> c = new ArrayList<>();
        String cm = CONFIGMAPS;
        String current = Long.toString(versionBefore);
        String future = Long.toString(versionBefore + 1000);
        String good = new ContinueToken(versionBefore, "configmaps/default/cm\u0000").encode();
        // limit: Go's strconv.ParseInt decodes it, and its error is the message.
        c.add(exact("limit that is not a number", "GET", cm + "?limit=abc", 400, "BadRequest",
                "strconv.ParseInt: parsing \"abc\": invalid syntax"));
        c.add(exact("limit that is empty", "GET", cm + "?limit=", 400, "BadRequest",
                "strconv.ParseInt: parsing \"\": invalid syntax"));
        c.add(exact("limit in exponent form", "GET", cm + "?limit=1e3", 400, "BadRequest",
                "strconv.ParseInt: parsing \"1e3\": invalid syntax"));
        c.add(exact("limit beyond int64", "GET", cm + "?limit=99999999999999999999", 400, "BadRequest",
                "strconv.ParseInt: parsing \"99999999999999999999\": value out of range"));
        c.add(exact("deletecollection with a bad limit", "DELETE", cm + "?limit=abc", 400, "BadRequest",
                "strconv.ParseInt: parsing \"abc\": invalid syntax"));
        // continue: malformed tokens.
        c.add(exact("continue that is not base64", "GET", cm + "?continue=ab!c", 400, "BadRequest",
                "invalid continue token: continue key is not valid: illegal base64 data at input byte 2"));
        c.add(exact("continue with a lone last base64 character", "GET", cm + "?continue=abcde", 400, "BadRequest",
                "invalid continue token: continue key is not valid: illegal base64 data at input byte 4"));
        c.add(exact("continue with base64 padding", "GET", cm + "?continue=" + enc("eyJ2IjoxfQ=="), 400, "BadRequest",
                "invalid continue token: continue key is not valid: illegal base64 data at input byte 10"));
        c.add(exact("continue that is not JSON", "GET", cm + "?continue=" + token("nope"), 400, "BadRequest",
                "invalid continue token: continue key is not valid: invalid character 'o' in literal null (expecting 'u')"));
        c.add(exact("continue with truncated JSON", "GET", cm + "?continue=" + token("{\"v\":"), 400, "BadRequest",
                "invalid continue token: continue key is not valid: unexpected end of JSON input"));
        c.add(exact("continue with a missing comma", "GET", cm + "?continue=" + token("{\"v\":\"meta.k8s.io/v1\" \"rv\":1}"),
                400, "BadRequest", "invalid continue token: continue key is not valid: invalid character '\"' after "
                        + "object key:value pair"));
        c.add(exact("continue that is a JSON array", "GET", cm + "?continue=" + token("[1]"), 400, "BadRequest",
                "invalid continue token: continue key is not valid: json: cannot unmarshal array into Go value of type "
                        + "storage.continueToken"));
        c.add(exact("continue whose rv is a string", "GET", cm + "?continue="
                        + token("{\"v\":\"meta.k8s.io/v1\",\"rv\":\"5\",\"start\":\"configmaps/default/cm\\u0000\"}"),
                400, "BadRequest", "invalid continue token: continue key is not valid: json: cannot unmarshal string "
                        + "into Go struct field continueToken.rv of type int64"));
        c.add(exact("continue whose rv is a fraction", "GET", cm + "?continue="
                        + token("{\"v\":\"meta.k8s.io/v1\",\"rv\":1.5,\"start\":\"configmaps/default/cm\\u0000\"}"),
                400, "BadRequest", "invalid continue token: continue key is not valid: json: cannot unmarshal number 1.5 "
                        + "into Go struct field continueToken.rv of type int64"));
        c.add(exact("continue with an unknown field", "GET", cm + "?continue="
                        + token("{\"v\":\"meta.k8s.io/v1\",\"rv\":5,\"start\":\"configmaps/default/cm\\u0000\",\"x\":1}"),
                400, "BadRequest", "invalid continue token: continue key is not valid: json: unknown field \"x\""));
        c.add(exact("continue of another token version", "GET", cm + "?continue="
                        + token("{\"v\":\"meta.k8s.io/v2\",\"rv\":5,\"start\":\"configmaps/default/cm\\u0000\"}"),
                400, "BadRequest", "invalid continue token: continue key is not valid: server does not recognize this "
                        + "encoded version meta.k8s.io/v2"));
        c.add(exact("continue with rv 0", "GET", cm + "?continue="
                        + token("{\"v\":\"meta.k8s.io/v1\",\"rv\":0,\"start\":\"configmaps/default/cm\\u0000\"}"),
                400, "BadRequest", "invalid continue token: continue key is not valid: incorrect encoded start "
                        + "resourceVersion (version meta.k8s.io/v1)"));
        c.add(exact("continue with an empty start", "GET", cm + "?continue="
                        + token("{\"v\":\"meta.k8s.io/v1\",\"rv\":5,\"start\":\"\"}"),
                400, "BadRequest", "invalid continue token: continue key is not valid: encoded start key empty "
                        + "(version meta.k8s.io/v1)"));
        c.add(exact("continue that climbs out of its list", "GET", cm + "?continue="
                        + token("{\"v\":\"meta.k8s.io/v1\",\"rv\":5,\"start\":\"configmaps/default/../kube-system/x\"}"),
                400, "BadRequest", "invalid continue token: continue key is not valid: configmaps/default/../kube-system/x"));
        // continue: a good token on the wrong list.
        c.add(exact("continue of another namespace's list", "GET", "/api/v1/namespaces/kube-system/configmaps?continue="
                + enc(good), 400, "BadRequest", "invalid continue token: continue key is not valid"));
        c.add(exact("continue of another resource's list", "GET", "/api/v1/namespaces/default/secrets?continue="
                + enc(good), 400, "BadRequest", "invalid continue token: continue key is not valid"));
        c.add(exact("continue of a namespaced list on the all-namespaces list's shape", "GET", "/api/v1/configmaps?continue="
                + enc(new ContinueToken(versionBefore, "configmaps/cm\u0000").encode()), 400, "BadRequest",
                "invalid continue token: continue key is not valid"));
        c.add(exact("continue with a resourceVersion", "GET", cm + "?continue=" + enc(good) + "&resourceVersion=5", 400,
                "BadRequest", "specifying resource version is not allowed when using continue"));
        c.add(exact("deletecollection with a bad continue", "DELETE", cm + "?continue=ab!c", 400, "BadRequest",
                "invalid continue token: continue key is not valid: illegal base64 data at input byte 2"));
        // resourceVersionMatch: ValidateListOptions, one 422 with every error.
        c.add(exact("resourceVersionMatch without resourceVersion", "GET", cm + "?resourceVersionMatch=Exact", 422,
                "Invalid", "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: "
                        + "resourceVersionMatch is forbidden unless resourceVersion is provided"));
        c.add(exact("resourceVersionMatch that is unknown", "GET", cm + "?resourceVersion=1&resourceVersionMatch=Sometimes",
                422, "Invalid", "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Unsupported value: "
                        + "\"Sometimes\": supported values: \"Exact\", \"NotOlderThan\", \"\""));
        c.add(exact("resourceVersionMatch Exact at version 0", "GET", cm + "?resourceVersion=0&resourceVersionMatch=Exact",
                422, "Invalid", "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: "
                        + "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\""));
        c.add(exact("resourceVersionMatch with continue", "GET", cm + "?resourceVersionMatch=NotOlderThan&continue="
                + enc(good), 422, "Invalid", "ListOptions.meta.k8s.io \"\" is invalid: [resourceVersionMatch: Forbidden: "
                + "resourceVersionMatch is forbidden unless resourceVersion is provided, resourceVersionMatch: Forbidden: "
                + "resourceVersionMatch is forbidden when continue is provided]"));
        // resourceVersion.
        c.add(exact("list resourceVersion that is not a number", "GET", cm + "?resourceVersion=abc", 400, "BadRequest",
                "invalid resource version: resourceVersion: Invalid value: \"abc\": strconv.ParseUint: parsing \"abc\": "
                        + "invalid syntax"));
        c.add(exact("list resourceVersion that is negative", "GET", cm + "?resourceVersion=-1&limit=5", 400, "BadRequest",
                "invalid resource version: resourceVersion: Invalid value: \"-1\": strconv.ParseUint: parsing \"-1\": "
                        + "invalid syntax"));
        c.add(exact("list resourceVersion beyond uint64", "GET", cm + "?resourceVersion=99999999999999999999", 400,
                "BadRequest", "invalid resource version: resourceVersion: Invalid value: \"99999999999999999999\": "
                        + "strconv.ParseUint: parsing \"99999999999999999999\": value out of range"));
        c.add(exact("list at a version not reached yet", "GET", cm + "?resourceVersion=" + future
                + "&resourceVersionMatch=NotOlderThan", 504, "Timeout", "Timeout: Too large resource version: " + future
                + ", current: " + current, s -> assertEquals("ResourceVersionTooLarge",
                s.path("details").path("causes").path(0).path("reason").asText(), s.toString())));
        c.add(exact("exact list at a version not reached yet", "GET", cm + "?resourceVersion=" + future
                + "&resourceVersionMatch=Exact", 504, "Timeout", "Timeout: Too large resource version: " + future
                + ", current: " + current));
        c.add(exact("continue token from a version not reached yet", "GET", cm + "?continue="
                + enc(new ContinueToken(versionBefore + 1000, "configmaps/default/cm\u0000").encode()), 504, "Timeout",
                "Timeout: Too large resource version: " + future + ", current: " + current));
        c.add(exact("exact list at a compacted version", "GET", cm + "?resourceVersion=1&resourceVersionMatch=Exact", 410,
                "Expired", "The resourceVersion for the provided list is too old."));
        c.add(exact("legacy exact list (a version and a limit) at a compacted version", "GET", cm
                + "?resourceVersion=1&limit=5", 410, "Expired", "The resourceVersion for the provided list is too old."));
        c.add(exact("continue token at a compacted version", "GET", cm + "?limit=1&continue="
                        + enc(new ContinueToken(1, "configmaps/default/cm\u0000").encode()), 410, "Expired",
                Lists.INCONSISTENT_CONTINUE, s -> {
                    ContinueToken fresh = ContinueToken.decode(s.path("metadata").path("continue").asText());
                    assertEquals(new ContinueToken(-1, "configmaps/default/cm\u0000"), fresh,
                            "a token that continues after the same object at the newest version: " + s);
                }));
        c.add(exact("Table of an empty list with includeObject=Bogus", "GET",
                "/api/v1/namespaces/kube-public/configmaps?includeObject=Bogus", 400, "BadRequest",
                "includeObject: Unsupported value: \"Bogus\": supported values: \"Metadata\", \"None\", \"Object\"",
                Map.of("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")));
        return c;
    }

    private static String token(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private List<Case> pendingValidationCases() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("name with uppercase letters", "POST", CONFIGMAPS, JSON, configMap("NotValid"), 422, "metadata.name"));
        c.add(new Case("name with underscores", "POST", CONFIGMAPS, JSON, configMap("not_valid"), 422, "metadata.name"));
        c.add(new Case("name of 300 characters", "POST", CONFIGMAPS, JSON, configMap("a".repeat(300)), 422, "metadata.name"));
        c.add(new Case("invalid label key", "POST", CONFIGMAPS, JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"l1\",\"labels\":{\"-bad/key-\":\"v\"}}}", 422, "metadata.labels"));
        c.add(new Case("invalid label value", "POST", CONFIGMAPS, JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"l2\",\"labels\":{\"k\":\"has spaces!\"}}}", 422, "metadata.labels"));
        c.add(new Case("label value of 64 characters", "POST", CONFIGMAPS, JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"l3\",\"labels\":{\"k\":\"" + "v".repeat(64) + "\"}}}", 422, "metadata.labels"));
        c.add(new Case("unknown field with fieldValidation=Strict", "POST", CONFIGMAPS + "?fieldValidation=Strict", JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"u1\"},\"dataz\":{}}", 422, "dataz"));
        c.add(new Case("unknown nested field with fieldValidation=Strict", "POST", PODS + "?fieldValidation=Strict", JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"u2\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\",\"imagePolicy\":\"x\"}]}}",
                422, "imagePolicy"));
        c.addAll(storedKindCases());
        c.addAll(certificateRequestCases());
        c.addAll(leaseCases());
        c.addAll(multiVersionCases());
        c.addAll(podSecurityCases());
        c.addAll(serviceCases());
        c.addAll(podDnsCases());
        c.addAll(cronJobCases());
        c.addAll(jobCases());
        c.addAll(daemonSetCases());
        c.addAll(statefulSetCases());
        c.addAll(claimCases());
        c.addAll(customResourceDefinitionCases());
        return c;
    }

    /**
     * StatefulSets: a selector that does not select the template, a claim template without a size, and the rest of
     * ValidateStatefulSetSpec a user meets. Each would have been stored, and its controller then refused claim by claim.
     */
    private static List<Case> statefulSetCases() {
        String data = "{\"metadata\":{\"name\":\"data\"},\"spec\":{\"accessModes\":[\"ReadWriteOnce\"]%s}}";
        String sized = ",\"resources\":{\"requests\":{\"storage\":\"1Gi\"}}";
        List<Case> c = new ArrayList<>();
        c.add(invalid("statefulset selector that does not match its template", "POST", STATEFULSETS,
                statefulSet("s1", "db", "", data.formatted(sized)), "StatefulSet.apps \"s1\"", "spec.template.metadata.labels",
                "Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`"));
        c.add(invalid("statefulset claim template without a storage request", "POST", STATEFULSETS,
                statefulSet("s1", "web", "", data.formatted("")), "StatefulSet.apps \"s1\"",
                "spec.volumeClaimTemplates[0].spec.resources[storage]", "Required value"));
        c.add(invalid("statefulset claim template of size 0", "POST", STATEFULSETS,
                statefulSet("s1", "web", "", data.formatted(sized.replace("1Gi", "0"))), "StatefulSet.apps \"s1\"",
                "spec.volumeClaimTemplates[0].spec.resources[storage]", "Invalid value: \"0\": must be greater than zero"));
        c.add(invalidField("statefulset claim template with an unknown access mode", STATEFULSETS,
                statefulSet("s1", "web", "", data.formatted(sized).replace("ReadWriteOnce", "ReadWriteAlways")),
                "spec.volumeClaimTemplates[0].spec.accessModes", "Unsupported value: \"ReadWriteAlways\""));
        c.add(invalidField("statefulset ordinals starting below 0", STATEFULSETS,
                statefulSet("s1", "web", ",\"ordinals\":{\"start\":-1}", ""), "spec.ordinals.start",
                "must be greater than or equal to 0"));
        c.add(invalidField("statefulset maxUnavailable 0", STATEFULSETS, statefulSet("s1", "web",
                        ",\"updateStrategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxUnavailable\":0}}", ""),
                "spec.updateStrategy.rollingUpdate.maxUnavailable", "cannot be 0"));
        c.add(invalidField("statefulset claim retention policy", STATEFULSETS, statefulSet("s1", "web",
                        ",\"persistentVolumeClaimRetentionPolicy\":{\"whenDeleted\":\"Keep\"}", ""),
                "spec.persistentVolumeClaimRetentionPolicy.whenDeleted", "Unsupported value: \"Keep\""));
        c.add(invalidField("statefulset serviceName that is no DNS label", STATEFULSETS,
                statefulSet("s1", "web", ",\"serviceName\":\"Web_Svc\"", ""), "spec.serviceName",
                "a lowercase RFC 1123 label must consist of"));
        return c;
    }

    /** PersistentVolumeClaims: an access mode or a size that is none, no size, and a size made smaller. */
    private static List<Case> claimCases() {
        String rwo = "\"accessModes\":[\"ReadWriteOnce\"]";
        List<Case> c = new ArrayList<>();
        c.add(invalid("claim with an unknown access mode", "POST", CLAIMS, claim("c1", "\"accessModes\":[\"ReadWriteSometimes\"]",
                        "\"1Gi\""), "PersistentVolumeClaim \"c1\"", "spec.accessModes", "Unsupported value: \"ReadWriteSometimes\": "
                        + "supported values: \"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\""));
        c.add(invalid("claim without access modes", "POST", CLAIMS, claim("c1", "\"accessModes\":[]", "\"1Gi\""),
                "PersistentVolumeClaim \"c1\"", "spec.accessModes", "Required value: at least 1 access mode is required"));
        c.add(invalid("claim without a storage request", "POST", CLAIMS, claim("c1", rwo, "null"),
                "PersistentVolumeClaim \"c1\"", "spec.resources[storage]", "Required value"));
        c.add(invalid("claim of size 0", "POST", CLAIMS, claim("c1", rwo, "\"0Gi\""), "PersistentVolumeClaim \"c1\"",
                "spec.resources[storage]", "Invalid value: \"0\": must be greater than zero"));
        c.add(invalid("claim of a size that is no quantity", "POST", CLAIMS, claim("c1", rwo, "\"ten gigs\""),
                "PersistentVolumeClaim \"c1\"", "spec.resources[storage]", "Invalid value: \"ten gigs\": quantities "
                        + "must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
        String shrunk = "spec.resources.requests.storage";
        c.add(new Case("claim made smaller", "PATCH", CLAIMS + "/data", "application/merge-patch+json",
                "{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"512Mi\"}}}}", 422,
                "PersistentVolumeClaim \"data\" is invalid: [spec: Forbidden: spec is immutable after creation except "
                        + "resources.requests and volumeAttributesClassName for bound claims, " + shrunk
                        + ": Forbidden: field can not be less than previous value]", Map.of(), "Invalid",
                s -> assertEquals(shrunk, s.at("/details/causes/1/field").asText(), s.toString())));
        return c;
    }

    /** Jobs: counts below 0, an Indexed Job without completions, a failure policy the controller cannot apply. */
    private static List<Case> jobCases() {
        List<Case> c = new ArrayList<>();
        c.add(invalid("job negative completions", "POST", JOBS, job("\"completions\":-1"), "Job.batch \"j1\"",
                "spec.completions", "Invalid value: -1: must be greater than or equal to 0"));
        c.add(invalid("job Indexed without completions", "POST", JOBS, job("\"completionMode\":\"Indexed\",\"parallelism\":2"),
                "Job.batch \"j1\"", "spec.completions", "Required value: when completion mode is Indexed"));
        c.add(invalid("job podFailurePolicy FailIndex without backoffLimitPerIndex", "POST", JOBS,
                job("\"podFailurePolicy\":{\"rules\":[{\"action\":\"FailIndex\",\"onExitCodes\":{\"operator\":\"In\",\"values\":[3]}}]}"),
                "Job.batch \"j1\"", "spec.podFailurePolicy.rules[0].action",
                "Invalid value: \"FailIndex\": requires the backoffLimitPerIndex to be set"));
        return c;
    }

    private static String job(String spec) {
        return "{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"metadata\":{\"name\":\"j1\"},\"spec\":{" + spec
                + ",\"template\":{\"spec\":{\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}}}";
    }

    /** CronJobs: a schedule or time zone the controller could not follow, negative counts, an unknown policy. */
    private static List<Case> cronJobCases() {
        List<Case> c = new ArrayList<>();
        c.add(invalid("cronjob schedule of four fields", "POST", CRONJOBS, cronJob("\"schedule\":\"* * * *\""),
                "CronJob.batch \"c1\"", "spec.schedule", "Invalid value: \"* * * *\": expected exactly 5 fields, found 4: [* * * *]"));
        c.add(invalid("cronjob minute 60", "POST", CRONJOBS, cronJob("\"schedule\":\"60 * * * *\""),
                "CronJob.batch \"c1\"", "spec.schedule", "Invalid value: \"60 * * * *\": end of range (60) above maximum (59): 60"));
        c.add(invalid("cronjob TZ in the schedule", "POST", CRONJOBS, cronJob("\"schedule\":\"CRON_TZ=UTC 0 * * * *\""),
                "CronJob.batch \"c1\"", "spec.schedule",
                "Invalid value: \"CRON_TZ=UTC 0 * * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
        c.add(invalid("cronjob unknown time zone", "POST", CRONJOBS,
                cronJob("\"schedule\":\"0 * * * *\",\"timeZone\":\"Mars/Olympus_Mons\""), "CronJob.batch \"c1\"",
                "spec.timeZone", "Invalid value: \"Mars/Olympus_Mons\": unknown time zone Mars/Olympus_Mons"));
        c.add(invalid("cronjob negative startingDeadlineSeconds", "POST", CRONJOBS,
                cronJob("\"schedule\":\"0 * * * *\",\"startingDeadlineSeconds\":-1"), "CronJob.batch \"c1\"",
                "spec.startingDeadlineSeconds", "Invalid value: -1: must be greater than or equal to 0"));
        c.add(invalid("cronjob negative successfulJobsHistoryLimit", "POST", CRONJOBS,
                cronJob("\"schedule\":\"0 * * * *\",\"successfulJobsHistoryLimit\":-1"), "CronJob.batch \"c1\"",
                "spec.successfulJobsHistoryLimit", "Invalid value: -1: must be greater than or equal to 0"));
        c.add(invalid("cronjob negative failedJobsHistoryLimit", "POST", CRONJOBS,
                cronJob("\"schedule\":\"0 * * * *\",\"failedJobsHistoryLimit\":-3"), "CronJob.batch \"c1\"",
                "spec.failedJobsHistoryLimit", "Invalid value: -3: must be greater than or equal to 0"));
        c.add(invalid("cronjob unknown concurrencyPolicy", "POST", CRONJOBS,
                cronJob("\"schedule\":\"0 * * * *\",\"concurrencyPolicy\":\"Sometimes\""), "CronJob.batch \"c1\"",
                "spec.concurrencyPolicy",
                "Unsupported value: \"Sometimes\": supported values: \"Allow\", \"Forbid\", \"Replace\""));
        return c;
    }

    private static String cronJob(String spec) {
        return "{\"apiVersion\":\"batch/v1\",\"kind\":\"CronJob\",\"metadata\":{\"name\":\"c1\"},\"spec\":{" + spec
                + ",\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":{\"restartPolicy\":\"Never\","
                + "\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}}}}}";
    }

    /**
     * Services: ports, node ports and cluster IPs (the allocators' refusals included), session affinity and traffic
     * policies, each a 422 with kube-apiserver's message and the field at fault.
     */
    private static List<Case> serviceCases() {
        String ports = "\"ports\":[{\"port\":80}]";
        List<Case> c = new ArrayList<>();
        c.add(invalid("service port beyond 65535", "POST", SERVICES, service("s1", "\"ports\":[{\"port\":70000,\"targetPort\":80}]"),
                "Service \"s1\"", "spec.ports[0].port", "Invalid value: 70000: must be between 1 and 65535, inclusive"));
        c.add(invalid("service targetPort beyond 65535", "POST", SERVICES, service("s1", "\"ports\":[{\"port\":80,\"targetPort\":65536}]"),
                "Service \"s1\"", "spec.ports[0].targetPort", "Invalid value: 65536: must be between 1 and 65535, inclusive"));
        c.add(invalid("service targetPort that is no port name", "POST", SERVICES,
                service("s1", "\"ports\":[{\"port\":80,\"targetPort\":\"http-web-frontend\"}]"), "Service \"s1\"",
                "spec.ports[0].targetPort", "Invalid value: \"http-web-frontend\": must be no more than 15 characters"));
        c.add(invalid("service port twice", "POST", SERVICES,
                service("s1", "\"ports\":[{\"name\":\"a\",\"port\":80},{\"name\":\"b\",\"port\":80,\"targetPort\":81}]"),
                "Service \"s1\"", "spec.ports[1]", "Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\", "
                        + "AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}"));
        c.add(invalid("service port without a name among several", "POST", SERVICES,
                service("s1", "\"ports\":[{\"name\":\"a\",\"port\":80},{\"port\":81}]"), "Service \"s1\"", "spec.ports[1].name",
                "Required value"));
        c.add(invalid("service protocol", "POST", SERVICES, service("s1", "\"ports\":[{\"port\":80,\"protocol\":\"HTTP\"}]"),
                "Service \"s1\"", "spec.ports[0].protocol", "Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\""));
        c.add(invalid("service nodePort outside the node port range", "POST", SERVICES,
                service("s1", "\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":8080}]"), "Service \"s1\"",
                "spec.ports[0].nodePort", "Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767"));
        c.add(invalid("service nodePort of another Service", "POST", SERVICES,
                service("s1", "\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":30080}]"), "Service \"s1\"",
                "spec.ports[0].nodePort", "Invalid value: 30080: provided port is already allocated"));
        c.add(invalid("service update to the nodePort of another Service", "PATCH", SERVICES + "/web",
                "{\"spec\":{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":30080}]}}", "Service \"web\"",
                "spec.ports[0].nodePort", "Invalid value: 30080: provided port is already allocated"));
        c.add(invalid("service clusterIP outside the service range", "POST", SERVICES,
                service("s1", "\"clusterIP\":\"10.0.0.1\"," + ports), "Service \"s1\"", "spec.clusterIPs",
                "Invalid value: []string{\"10.0.0.1\"}: failed to allocate IP 10.0.0.1: the provided IP (10.0.0.1) is not in the "
                        + "valid range. The range of valid IPs is 10.96.0.0/12"));
        c.add(invalid("service clusterIP of another Service", "POST", SERVICES,
                service("s1", "\"clusterIP\":\"10.96.0.50\"," + ports), "Service \"s1\"", "spec.clusterIPs",
                "Invalid value: []string{\"10.96.0.50\"}: failed to allocate IP 10.96.0.50: provided IP is already allocated"));
        c.add(invalid("service clusterIP that is no IP", "POST", SERVICES, service("s1", "\"clusterIP\":\"ten\"," + ports),
                "Service \"s1\"", "spec.clusterIPs[0]", "Invalid value: \"ten\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
        c.add(invalid("service clusterIP and clusterIPs disagree", "POST", SERVICES,
                service("s1", "\"clusterIP\":\"10.96.0.60\",\"clusterIPs\":[\"10.96.0.61\"]," + ports), "Service \"s1\"",
                "spec.clusterIPs", "Invalid value: []string{\"10.96.0.61\"}: first value must match `clusterIP`"));
        c.add(invalid("ExternalName service with a clusterIP", "POST", SERVICES,
                service("s1", "\"type\":\"ExternalName\",\"externalName\":\"db.example.com\",\"clusterIP\":\"10.96.0.70\""),
                "Service \"s1\"", "spec.clusterIPs", "Forbidden: may not be set for ExternalName services"));
        c.add(invalid("service sessionAffinityConfig without ClientIP", "POST", SERVICES,
                service("s1", "\"sessionAffinityConfig\":{\"clientIP\":{\"timeoutSeconds\":60}}," + ports), "Service \"s1\"",
                "spec.sessionAffinityConfig", "Forbidden: must not be set when session affinity is None"));
        c.add(invalid("service ClientIP timeout beyond a day", "POST", SERVICES, service("s1", "\"sessionAffinity\":\"ClientIP\","
                        + "\"sessionAffinityConfig\":{\"clientIP\":{\"timeoutSeconds\":86401}}," + ports), "Service \"s1\"",
                "spec.sessionAffinityConfig.clientIP.timeoutSeconds", "Invalid value: 86401: must be greater than 0 and less than 86400"));
        c.add(invalid("service externalTrafficPolicy Local on a ClusterIP", "POST", SERVICES,
                service("s1", "\"externalTrafficPolicy\":\"Local\"," + ports), "Service \"s1\"", "spec.externalTrafficPolicy",
                "Invalid value: \"Local\": may only be set for externally-accessible services"));
        c.add(invalid("service externalTrafficPolicy value", "POST", SERVICES,
                service("s1", "\"type\":\"NodePort\",\"externalTrafficPolicy\":\"Nearest\"," + ports), "Service \"s1\"",
                "spec.externalTrafficPolicy", "Unsupported value: \"Nearest\": supported values: \"Cluster\", \"Local\""));
        c.add(invalid("service internalTrafficPolicy value", "POST", SERVICES,
                service("s1", "\"internalTrafficPolicy\":\"Node\"," + ports), "Service \"s1\"", "spec.internalTrafficPolicy",
                "Unsupported value: \"Node\": supported values: \"Cluster\", \"Local\""));
        c.add(invalid("service healthCheckNodePort without LoadBalancer and Local", "POST", SERVICES,
                service("s1", "\"type\":\"NodePort\",\"healthCheckNodePort\":30100," + ports), "Service \"s1\"",
                "spec.healthCheckNodePort", "Invalid value: 30100: may only be set when `type` is 'LoadBalancer' and "
                        + "`externalTrafficPolicy` is 'Local'"));
        String endpoints = "/api/v1/namespaces/default/endpoints";
        c.add(invalid("endpoints at a loopback address", "POST", endpoints, endpoints("e1",
                        "{\"addresses\":[{\"ip\":\"127.0.0.1\"}],\"ports\":[{\"port\":80}]}"), "Endpoints \"e1\"",
                "subsets[0].addresses[0].ip", "Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128)"));
        c.add(invalid("endpoints address that is no IP", "POST", endpoints, endpoints("e1",
                        "{\"notReadyAddresses\":[{\"ip\":\"web\"}],\"ports\":[{\"port\":80}]}"), "Endpoints \"e1\"",
                "subsets[0].notReadyAddresses[0].ip", "Invalid value: \"web\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
        c.add(invalid("endpoints subset without addresses", "POST", endpoints, endpoints("e1", "{\"ports\":[{\"port\":80}]}"),
                "Endpoints \"e1\"", "subsets[0]", "Required value: must specify `addresses` or `notReadyAddresses`"));
        c.add(invalid("endpoints port 0", "POST", endpoints, endpoints("e1",
                        "{\"addresses\":[{\"ip\":\"192.0.2.7\"}],\"ports\":[{\"port\":0}]}"), "Endpoints \"e1\"",
                "subsets[0].ports[0].port", "Invalid value: 0: must be between 1 and 65535, inclusive"));
        c.add(invalid("endpoints ports without names", "POST", endpoints, endpoints("e1",
                        "{\"addresses\":[{\"ip\":\"192.0.2.7\"}],\"ports\":[{\"name\":\"a\",\"port\":80},{\"port\":81}]}"),
                "Endpoints \"e1\"", "subsets[0].ports[1].name", "Required value"));
        String lb = SERVICES + "/web/status";
        c.add(invalid("service load balancer ingress that is no IP", "PATCH", lb,
                "{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"10.0.0.300\"}]}}}", "Service \"web\"",
                "status.loadBalancer.ingress[0].ip", "Invalid value: \"10.0.0.300\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
        c.add(invalid("service load balancer ipMode without an IP", "PATCH", lb,
                "{\"status\":{\"loadBalancer\":{\"ingress\":[{\"hostname\":\"lb.example.com\",\"ipMode\":\"VIP\"}]}}}",
                "Service \"web\"", "status.loadBalancer.ingress[0].ipMode", "Forbidden: may not be specified when `ip` is not"));
        c.add(invalid("service load balancer ipMode value", "PATCH", lb,
                "{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"192.0.2.9\",\"ipMode\":\"Direct\"}]}}}",
                "Service \"web\"", "status.loadBalancer.ingress[0].ipMode",
                "Unsupported value: \"Direct\": supported values: \"Proxy\", \"VIP\""));
        c.add(invalid("service load balancer hostname that is an IP", "PATCH", lb,
                "{\"status\":{\"loadBalancer\":{\"ingress\":[{\"hostname\":\"192.0.2.9\"}]}}}", "Service \"web\"",
                "status.loadBalancer.ingress[0].hostname", "Invalid value: \"192.0.2.9\": must be a DNS name, not an IP address"));
        return c;
    }

    /** DaemonSets: a selector that does not select the template, a changed selector, a rollout that cannot move. */
    private static List<Case> daemonSetCases() {
        List<Case> c = new ArrayList<>();
        c.add(invalidField("daemonset selector that does not match its template", DAEMONSETS,
                daemonSet("d1", "web", "other", ""), "spec.template.metadata.labels",
                "`selector` does not match template `labels`"));
        c.add(new Case("daemonset selector changed", "PATCH", DAEMONSETS + "/agent", "application/merge-patch+json", """
                {"spec":{"selector":{"matchLabels":{"app":"db"}},"template":{"metadata":{"labels":{"app":"db"}}}}}""",
                422, "field is immutable", Map.of(), null,
                s -> assertEquals("spec.selector", s.at("/details/causes/0/field").asText(), s.toString())));
        c.add(invalidField("daemonset rolling update with neither unavailability nor surge", DAEMONSETS,
                daemonSet("d1", "web", "web", ",\"updateStrategy\":{\"type\":\"RollingUpdate\","
                        + "\"rollingUpdate\":{\"maxUnavailable\":0,\"maxSurge\":0}}"),
                "spec.updateStrategy.rollingUpdate.maxUnavailable", "may not be 0"));
        return c;
    }

    /** A pod's DNS settings beyond what the kubelet can write into resolv.conf and /etc/hosts. */
    private static List<Case> podDnsCases() {
        String label = "a lowercase RFC 1123 label must consist of";
        String subdomain = "a lowercase RFC 1123 subdomain must consist of";
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 33; i++) {
            many.add("s" + i + ".example");
        }
        List<String> wide = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            wide.add("x".repeat(63) + "." + "y".repeat(63) + "." + "z".repeat(63) + "." + "w".repeat(50) + i + ".example");
        }
        List<Case> c = new ArrayList<>();
        c.add(invalid("pod with 4 nameservers", "POST", PODS, podSpec("d1",
                        "\"dnsConfig\":{\"nameservers\":[\"1.1.1.1\",\"1.0.0.1\",\"8.8.8.8\",\"8.8.4.4\"]}"), "Pod \"d1\"",
                "spec.dnsConfig.nameservers", "Invalid value: []string{\"1.1.1.1\", \"1.0.0.1\", \"8.8.8.8\", \"8.8.4.4\"}: "
                        + "must not have more than 3 nameservers"));
        c.add(invalid("pod nameserver that is no IP", "POST", PODS, podSpec("d1", "\"dnsConfig\":{\"nameservers\":[\"dns.example\"]}"),
                "Pod \"d1\"", "spec.dnsConfig.nameservers[0]",
                "Invalid value: \"dns.example\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
        c.add(invalid("pod with 33 search paths", "POST", PODS, podSpec("d1", "\"dnsConfig\":{\"searches\":" + jsonList(many) + "}"),
                "Pod \"d1\"", "spec.dnsConfig.searches", "Invalid value: " + io.kubus.schema.validation.GoQuote.stringSlice(many)
                        + ": must not have more than 32 search paths"));
        c.add(invalid("pod search list beyond 2048 characters", "POST", PODS,
                podSpec("d1", "\"dnsConfig\":{\"searches\":" + jsonList(wide) + "}"), "Pod \"d1\"", "spec.dnsConfig.searches",
                "Invalid value: " + io.kubus.schema.validation.GoQuote.stringSlice(wide)
                        + ": must not have more than 2048 characters (including spaces) in the search list"));
        c.add(invalidField("pod search domain", PODS, podSpec("d1", "\"dnsConfig\":{\"searches\":[\"Corp_Net\"]}"),
                "spec.dnsConfig.searches[0]", subdomain));
        c.add(invalid("pod dnsPolicy None without dnsConfig", "POST", PODS, podSpec("d1", "\"dnsPolicy\":\"None\""), "Pod \"d1\"",
                "spec.dnsConfig", "Required value: must provide `dnsConfig` when `dnsPolicy` is None"));
        c.add(invalid("pod dnsPolicy None without nameservers", "POST", PODS,
                podSpec("d1", "\"dnsPolicy\":\"None\",\"dnsConfig\":{\"searches\":[\"corp.example\"]}"), "Pod \"d1\"",
                "spec.dnsConfig.nameservers", "Required value: must provide at least one DNS nameserver when `dnsPolicy` is None"));
        c.add(invalid("pod dnsPolicy", "POST", PODS, podSpec("d1", "\"dnsPolicy\":\"Google\""), "Pod \"d1\"", "spec.dnsPolicy",
                "Unsupported value: \"Google\": supported values: \"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\""));
        c.add(invalid("pod DNS option without a name", "POST", PODS, podSpec("d1", "\"dnsConfig\":{\"options\":[{\"value\":\"2\"}]}"),
                "Pod \"d1\"", "spec.dnsConfig.options[0]", "Required value: must not be empty"));
        c.add(invalid("pod hostAlias IP", "POST", PODS,
                podSpec("d1", "\"hostAliases\":[{\"ip\":\"300.1.1.1\",\"hostnames\":[\"db\"]}]"), "Pod \"d1\"",
                "spec.hostAliases[0].ip", "Invalid value: \"300.1.1.1\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
        c.add(invalidField("pod hostAlias hostname", PODS,
                podSpec("d1", "\"hostAliases\":[{\"ip\":\"10.0.0.9\",\"hostnames\":[\"DB_1\"]}]"), "spec.hostAliases[0].hostnames[0]",
                subdomain));
        c.add(invalidField("pod hostname with capitals", PODS, podSpec("d1", "\"hostname\":\"Web-1\""), "spec.hostname", label));
        c.add(invalidField("pod subdomain with an underscore", PODS, podSpec("d1", "\"subdomain\":\"web_pods\""), "spec.subdomain", label));
        c.add(invalidField("deployment template with 4 nameservers", DEPLOYMENTS, deployment("d2", "1").replace(
                        "\"containers\"", "\"dnsConfig\":{\"nameservers\":[\"1.1.1.1\",\"1.0.0.1\",\"8.8.8.8\",\"8.8.4.4\"]},\"containers\""),
                "spec.template.spec.dnsConfig.nameservers", "must not have more than 3 nameservers"));
        return c;
    }

    /** A 422 with kube-apiserver's whole message for one problem of {@code object}, with {@code field} as its cause's. */
    private static Case invalid(String name, String method, String path, String body, String object, String field,
                                String problem) {
        return new Case(name, method, path, method.equals("PATCH") ? "application/merge-patch+json" : JSON, body, 422,
                object + " is invalid: " + field + ": " + problem, Map.of(), "Invalid",
                s -> assertEquals(field, s.at("/details/causes/0/field").asText(), s.toString()));
    }

    /** A create refused with 422 for {@code field}, whose message holds {@code mentions}. */
    private static Case invalidField(String name, String path, String body, String field, String mentions) {
        return new Case(name, "POST", path, JSON, body, 422, mentions, Map.of(), null,
                s -> assertEquals(field, s.at("/details/causes/0/field").asText(), s.toString()));
    }

    private static String endpoints(String name, String subset) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Endpoints\",\"metadata\":{\"name\":\"" + name + "\"},\"subsets\":["
                + subset + "]}";
    }

    private static String service(String name, String spec) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"" + name
                + "\"},\"spec\":{\"selector\":{\"app\":\"web\"}," + spec + "}}";
    }

    private static String podSpec(String name, String spec) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name
                + "\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]," + spec + "}}";
    }

    private static String jsonList(List<String> items) {
        return items.stream().map(i -> "\"" + i + "\"").collect(java.util.stream.Collectors.joining(",", "[", "]"));
    }

    /** Pod Security labels of namespaces: a level or a version that is neither is refused, named, as kube refuses it. */
    private static List<Case> podSecurityCases() {
        String ns = "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"%s\",\"labels\":{%s}}}";
        String enforce = "metadata.labels[pod-security.kubernetes.io/enforce]";
        List<Case> c = new ArrayList<>();
        c.add(new Case("namespace with an unknown enforce level", "POST", "/api/v1/namespaces", JSON,
                ns.formatted("psa-1", "\"pod-security.kubernetes.io/enforce\":\"strict\""), 422,
                "Namespace \"psa-1\" is invalid: " + enforce + ": Invalid value: \"strict\": must be one of privileged, "
                        + "baseline, restricted", Map.of(), "Invalid",
                s -> assertEquals(enforce, s.at("/details/causes/0/field").asText(), s.toString())));
        c.add(new Case("namespace with a bad version and a bad warn level", "POST", "/api/v1/namespaces", JSON,
                ns.formatted("psa-2", "\"pod-security.kubernetes.io/enforce-version\":\"v2.0\","
                        + "\"pod-security.kubernetes.io/warn\":\"loud\""), 422,
                "Namespace \"psa-2\" is invalid: [metadata.labels[pod-security.kubernetes.io/enforce-version]: Invalid value: "
                        + "\"v2.0\": must be \"latest\" or \"v1.x\", metadata.labels[pod-security.kubernetes.io/warn]: "
                        + "Invalid value: \"loud\": must be one of privileged, baseline, restricted]", Map.of(), "Invalid",
                s -> assertEquals(2, s.at("/details/causes").size(), s.toString())));
        c.add(new Case("namespace labelled with an audit version without its v", "PATCH", "/api/v1/namespaces/default",
                "application/merge-patch+json",
                "{\"metadata\":{\"labels\":{\"pod-security.kubernetes.io/audit-version\":\"1.32\"}}}", 422,
                "metadata.labels[pod-security.kubernetes.io/audit-version]"));
        return c;
    }

    /** HorizontalPodAutoscalers in autoscaling/v2 and v1, and events.k8s.io/v1 Events: the served views are checked too. */
    private static List<Case> multiVersionCases() {
        String v2 = "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers";
        String v1 = "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers";
        String hpa = "{\"apiVersion\":\"autoscaling/v2\",\"kind\":\"HorizontalPodAutoscaler\",\"metadata\":{\"name\":\"h1\"},"
                + "\"spec\":{\"scaleTargetRef\":{\"kind\":\"Deployment\",\"name\":\"web\"},%s}}";
        String hpaV1 = "{\"apiVersion\":\"autoscaling/v1\",\"kind\":\"HorizontalPodAutoscaler\",\"metadata\":{\"name\":\"h2\"},"
                + "\"spec\":{\"scaleTargetRef\":{\"kind\":\"Deployment\",\"name\":\"web\"},%s}}";
        String events = "/apis/events.k8s.io/v1/namespaces/default/events";
        String event = "{\"apiVersion\":\"events.k8s.io/v1\",\"kind\":\"Event\",\"metadata\":{\"name\":\"e1\"},"
                + "\"eventTime\":\"2026-01-01T00:00:00.000000Z\",\"reportingInstance\":\"i-1\",\"action\":\"Scale\","
                + "\"reason\":\"Scaled\",\"type\":\"Normal\",\"regarding\":{\"kind\":\"Deployment\",\"namespace\":\"default\",\"name\":\"web\"}%s}";
        List<Case> c = new ArrayList<>();
        c.add(new Case("HPA whose maxReplicas is below minReplicas", "POST", v2, JSON,
                hpa.formatted("\"minReplicas\":3,\"maxReplicas\":2"), 422,
                "spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`"));
        c.add(new Case("HPA with minReplicas 0", "POST", v2, JSON, hpa.formatted("\"minReplicas\":0,\"maxReplicas\":2"), 422,
                "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1"));
        c.add(new Case("HPA whose target is a path", "POST", v2, JSON,
                hpa.formatted("\"maxReplicas\":2").replace("\"web\"", "\"a/b\""), 422,
                "spec.scaleTargetRef.name: Invalid value: \"a/b\": may not contain '/'"));
        c.add(new Case("HPA metric of an unknown type", "POST", v2, JSON,
                hpa.formatted("\"maxReplicas\":2,\"metrics\":[{\"type\":\"Magic\"}]"), 422, "spec.metrics[0].type"));
        c.add(new Case("HPA utilization target of a Pods metric", "POST", v2, JSON,
                hpa.formatted("\"maxReplicas\":2,\"metrics\":[{\"type\":\"Pods\",\"pods\":{\"metric\":{\"name\":\"qps\"},"
                        + "\"target\":{\"type\":\"Utilization\",\"averageUtilization\":50}}}]"), 422,
                "spec.metrics[0].pods.target.averageValue: Required value: must specify a positive target averageValue"));
        c.add(new Case("HPA scaling policy of a day", "POST", v2, JSON,
                hpa.formatted("\"maxReplicas\":2,\"behavior\":{\"scaleUp\":{\"policies\":[{\"type\":\"Pods\",\"value\":1,"
                        + "\"periodSeconds\":86400}]}}"), 422,
                "spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 86400: must be less than or equal to 1800"));
        c.add(new Case("v1 HPA with an unknown field under Strict", "POST", v1 + "?fieldValidation=Strict", JSON,
                hpaV1.formatted("\"maxReplicas\":2,\"targetCPUUtilisation\":50"), 422, "spec.targetCPUUtilisation"));
        c.add(new Case("v1 HPA with a v2 field under Strict", "POST", v1 + "?fieldValidation=Strict", JSON,
                hpaV1.formatted("\"maxReplicas\":2,\"metrics\":[]"), 422, "unknown field \"spec.metrics\""));
        c.add(new Case("v1 HPA whose target percentage is a string", "POST", v1, JSON,
                hpaV1.formatted("\"maxReplicas\":2,\"targetCPUUtilizationPercentage\":\"50%\""), 400,
                "targetCPUUtilizationPercentage"));
        c.add(new Case("v1 HPA whose maxReplicas is 0", "POST", v1, JSON, hpaV1.formatted("\"maxReplicas\":0"), 422,
                "spec.maxReplicas: Invalid value: 0: must be greater than 0"));
        c.add(new Case("v1 HPA status of a missing autoscaler", "PUT", v1 + "/ghost/status", JSON,
                hpaV1.formatted("\"maxReplicas\":2").replace("\"h2\"", "\"ghost\""), 404, "ghost"));
        c.add(new Case("events.k8s.io Event without reportingController", "POST", events, JSON, event.formatted(""), 422,
                "reportingController: Required value"));
        c.add(new Case("events.k8s.io Event without eventTime", "POST", events, JSON,
                event.formatted(",\"reportingController\":\"example.com/c\"").replace("\"eventTime\":\"2026-01-01T00:00:00.000000Z\",", ""),
                422, "eventTime: Required value"));
        c.add(new Case("events.k8s.io Event with a deprecated count", "POST", events, JSON,
                event.formatted(",\"reportingController\":\"example.com/c\",\"deprecatedCount\":2"), 422,
                "count: Invalid value: \"\": needs to be unset"));
        c.add(new Case("events.k8s.io Event of an unknown type", "POST", events, JSON,
                event.formatted(",\"reportingController\":\"example.com/c\"").replace("\"Normal\"", "\"Loud\""), 422,
                "type: Invalid value: \"\": has invalid value: Loud"));
        return c;
    }

    /**
     * Leases: a duration that is not positive, a bad name, and a renewTime Go's MicroTime decoding refuses (a 400 that,
     * as kube-apiserver's, quotes the time and the layout rather than the field).
     */
    private static List<Case> leaseCases() {
        String leases = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases";
        String lease = "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":\"%s\"},"
                + "\"spec\":{\"holderIdentity\":\"node-1\",%s}}";
        List<Case> c = new ArrayList<>();
        c.add(new Case("lease with a negative duration", "POST", leases, JSON,
                lease.formatted("node-1", "\"leaseDurationSeconds\":-40"), 422, "spec.leaseDurationSeconds"));
        c.add(new Case("lease with negative transitions", "POST", leases, JSON,
                lease.formatted("node-1", "\"leaseTransitions\":-1"), 422, "spec.leaseTransitions"));
        c.add(new Case("lease with an invalid name", "POST", leases, JSON,
                lease.formatted("Node_1", "\"leaseDurationSeconds\":40"), 422, "metadata.name"));
        c.add(new Case("lease renewTime without microseconds", "POST", leases, JSON,
                lease.formatted("node-1", "\"renewTime\":\"2024-05-01T10:00:00Z\""), 400,
                "parsing time \"2024-05-01T10:00:00Z\" as \"2006-01-02T15:04:05.000000Z07:00\""));
        c.add(new Case("lease acquireTime that is not a time", "POST", leases, JSON,
                lease.formatted("node-1", "\"acquireTime\":\"yesterday\""), 400, "cannot parse \"yesterday\" as \"2006\""));
        return c;
    }

    /** CertificateSigningRequests: the request, signer, usages and duration, and what approval and status may write. */
    private static List<Case> certificateRequestCases() {
        String client = "kubernetes.io/kube-apiserver-client";
        String usages = "[\"client auth\"]";
        String pending = CSRS + "/pending";
        List<Case> c = new ArrayList<>();
        c.add(new Case("certificate request that is no PEM", "POST", CSRS, JSON,
                csr("c1", base64("hello"), client, usages, ""), 422, "spec.request"));
        c.add(new Case("certificate request whose signature does not verify", "POST", CSRS, JSON,
                csr("c1", base64(tampered()), client, usages, ""), 422, "spec.request"));
        c.add(new Case("certificate request that is not base64", "POST", CSRS, JSON,
                csr("c1", "not base64!", client, usages, ""), 400, "illegal base64 data"));
        c.add(new Case("certificate request without a signer", "POST", CSRS, JSON,
                csr("c1", REQUEST, "", usages, ""), 422, "spec.signerName"));
        c.add(new Case("certificate request of a signer without a path", "POST", CSRS, JSON,
                csr("c1", REQUEST, "kubernetes.io", usages, ""), 422, "spec.signerName"));
        c.add(new Case("certificate request of an unknown usage", "POST", CSRS, JSON,
                csr("c1", REQUEST, client, "[\"world domination\"]", ""), 422, "spec.usages[0]"));
        c.add(new Case("certificate request without usages", "POST", CSRS, JSON,
                csr("c1", REQUEST, client, "[]", ""), 422, "spec.usages"));
        c.add(new Case("certificate request for less than ten minutes", "POST", CSRS, JSON,
                csr("c1", REQUEST, client, usages, ",\"expirationSeconds\":599"), 422, "spec.expirationSeconds"));
        c.add(new Case("client certificate request for system:masters", "POST", CSRS, JSON,
                csr("c1", base64(CertificateRequests.create(CertificateAuthority.newKeyPair(),
                        new Identities.Identity("root", List.of("system:masters")))), client, usages, ""),
                403, "system:masters"));
        c.add(new Case("approval that both approves and denies", "PUT", pending + "/approval", JSON,
                csr("pending", REQUEST, client, usages, "", "{\"type\":\"Approved\",\"status\":\"True\"},"
                        + "{\"type\":\"Denied\",\"status\":\"True\"}"), 422, "status.conditions[1].type"));
        c.add(new Case("approval with an Approved condition that is False", "PUT", pending + "/approval", JSON,
                csr("pending", REQUEST, client, usages, "", "{\"type\":\"Approved\",\"status\":\"False\"}"),
                422, "status.conditions[0].status"));
        c.add(new Case("status that approves", "PUT", pending + "/status", JSON,
                csr("pending", REQUEST, client, usages, "", "{\"type\":\"Approved\",\"status\":\"True\"}"),
                422, "updates may not add a condition of type \"Approved\""));
        c.add(new Case("certificate of a request not approved", "PATCH", pending + "/status", "application/merge-patch+json",
                "{\"status\":{\"certificate\":\"" + base64(TestPki.pki().ca().certificatePem()) + "\"}}", 422,
                "status.certificate"));
        c.add(new Case("certificate that is no PEM certificate", "PATCH", pending + "/status", "application/merge-patch+json",
                "{\"status\":{\"certificate\":\"" + base64("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
                        + "\"}}", 422, "status.certificate"));
        c.add(new Case("DELETE of a request's approval", "DELETE", pending + "/approval", null, null, 405, "method"));
        return c;
    }

    private static String csr(String name, String request, String signer, String usages, String extra) {
        return "{\"apiVersion\":\"certificates.k8s.io/v1\",\"kind\":\"CertificateSigningRequest\",\"metadata\":{\"name\":\""
                + name + "\"},\"spec\":{\"request\":\"" + request + "\",\"signerName\":\"" + signer
                + "\",\"usages\":" + usages + extra + "}}";
    }

    private static String csr(String name, String request, String signer, String usages, String extra, String conditions) {
        String object = csr(name, request, signer, usages, extra);
        return object.substring(0, object.length() - 1) + ",\"status\":{\"conditions\":[" + conditions + "]}}";
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }

    /** A request whose signed content was changed after signing: one byte of its subject, inside the DER. */
    private static String tampered() {
        byte[] der;
        try {
            der = io.kubus.client.tls.Pem.certificateRequest(new String(Base64.getDecoder().decode(REQUEST),
                    StandardCharsets.US_ASCII)).getEncoded();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        for (int i = 0; i < der.length; i++) {
            if (der[i] == 'x') {
                der[i] = 'y';
                break;
            }
        }
        return "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder().encodeToString(der)
                + "\n-----END CERTIFICATE REQUEST-----\n";
    }

    /** Ingresses, NetworkPolicies, storage classes and the other kinds that are stored and served without a controller. */
    private static List<Case> storedKindCases() {
        String ingresses = "/apis/networking.k8s.io/v1/namespaces/default/ingresses";
        String ingress = "{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":\"Ingress\",\"metadata\":{\"name\":\"i1\"},"
                + "\"spec\":{\"rules\":[{\"host\":\"%s\",\"http\":{\"paths\":[{\"path\":\"/\",%s\"backend\":"
                + "{\"service\":{\"name\":\"svc\"%s}}}]}}]}}";
        String policy = "{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":\"NetworkPolicy\",\"metadata\":{\"name\":\"n1\"},"
                + "\"spec\":{\"podSelector\":{},\"ingress\":[{\"from\":[%s]}]}}";
        String storageClass = "{\"apiVersion\":\"storage.k8s.io/v1\",\"kind\":\"StorageClass\",\"metadata\":{\"name\":\"s1\"}%s}";
        String slice = "{\"apiVersion\":\"discovery.k8s.io/v1\",\"kind\":\"EndpointSlice\",\"metadata\":{\"name\":\"e1\"},"
                + "\"addressType\":\"%s\",\"endpoints\":[{\"addresses\":[\"%s\"]}]}";
        List<Case> c = new ArrayList<>();
        c.add(new Case("ingress path without a pathType", "POST", ingresses, JSON,
                ingress.formatted("foo.com", "", ",\"port\":{\"number\":80}"), 422, "spec.rules[0].http.paths[0].pathType"));
        c.add(new Case("ingress host that is an IP", "POST", ingresses, JSON,
                ingress.formatted("10.0.0.1", "\"pathType\":\"Prefix\",", ",\"port\":{\"number\":80}"), 422, "spec.rules[0].host"));
        c.add(new Case("ingress backend without a port", "POST", ingresses, JSON,
                ingress.formatted("foo.com", "\"pathType\":\"Prefix\",", ""), 422, "spec.rules[0].http.paths[0].backend"));
        c.add(new Case("ingress class controller without a domain", "POST", "/apis/networking.k8s.io/v1/ingressclasses", JSON,
                "{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":\"IngressClass\",\"metadata\":{\"name\":\"c1\"},"
                        + "\"spec\":{\"controller\":\"nginx\"}}", 422, "spec.controller"));
        c.add(new Case("network policy except outside its cidr", "POST", "/apis/networking.k8s.io/v1/namespaces/default/networkpolicies",
                JSON, policy.formatted("{\"ipBlock\":{\"cidr\":\"10.0.0.0/16\",\"except\":[\"10.1.0.0/24\"]}}"), 422,
                "spec.ingress[0].from[0].ipBlock.except[0]"));
        c.add(new Case("network policy peer with an ipBlock and a selector", "POST",
                "/apis/networking.k8s.io/v1/namespaces/default/networkpolicies", JSON,
                policy.formatted("{\"ipBlock\":{\"cidr\":\"10.0.0.0/16\"},\"podSelector\":{}}"), 422, "spec.ingress[0].from[0]"));
        c.add(new Case("storage class without a provisioner", "POST", "/apis/storage.k8s.io/v1/storageclasses", JSON,
                storageClass.formatted(""), 422, "provisioner"));
        c.add(new Case("storage class that recycles", "POST", "/apis/storage.k8s.io/v1/storageclasses", JSON,
                storageClass.formatted(",\"provisioner\":\"csi.example.com\",\"reclaimPolicy\":\"Recycle\""), 422, "reclaimPolicy"));
        c.add(new Case("CSI driver with an unknown fsGroupPolicy", "POST", "/apis/storage.k8s.io/v1/csidrivers", JSON,
                "{\"apiVersion\":\"storage.k8s.io/v1\",\"kind\":\"CSIDriver\",\"metadata\":{\"name\":\"csi.example.com\"},"
                        + "\"spec\":{\"fsGroupPolicy\":\"Always\"}}", 422, "spec.fsGroupPolicy"));
        c.add(new Case("volume attachment without a source", "POST", "/apis/storage.k8s.io/v1/volumeattachments", JSON,
                "{\"apiVersion\":\"storage.k8s.io/v1\",\"kind\":\"VolumeAttachment\",\"metadata\":{\"name\":\"v1\"},"
                        + "\"spec\":{\"attacher\":\"csi.example.com\",\"nodeName\":\"node-1\",\"source\":{}}}", 422, "spec.source"));
        c.add(new Case("pod template container without an image", "POST", "/api/v1/namespaces/default/podtemplates", JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"PodTemplate\",\"metadata\":{\"name\":\"t1\"},"
                        + "\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\"}]}}}", 422, "template.spec.containers[0].image"));
        c.add(new Case("controller revision without data", "POST", "/apis/apps/v1/namespaces/default/controllerrevisions", JSON,
                "{\"apiVersion\":\"apps/v1\",\"kind\":\"ControllerRevision\",\"metadata\":{\"name\":\"r1\"},\"revision\":1}",
                422, "data"));
        c.add(new Case("endpoint slice address of the wrong family", "POST",
                "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices", JSON, slice.formatted("IPv4", "fd00::1"), 422,
                "endpoints[0].addresses[0]"));
        c.add(new Case("endpoint slice of an unknown address type", "POST",
                "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices", JSON, slice.formatted("IP", "10.0.0.1"), 422,
                "addressType"));
        return c;
    }

    /**
     * Malformed CustomResourceDefinitions: refused with kube-apiserver's paths, and no kind is served for them; and
     * server-side applies that cannot be applied.
     */
    private static List<Case> customResourceDefinitionCases() {
        String crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
        String schema = "{\"openAPIV3Schema\":{\"type\":\"object\",\"properties\":{\"spec\":%s}}}";
        String crd = "{\"apiVersion\":\"apiextensions.k8s.io/v1\",\"kind\":\"CustomResourceDefinition\","
                + "\"metadata\":{\"name\":\"%s\"},\"spec\":{\"group\":\"bad.example.com\",\"scope\":\"Namespaced\","
                + "\"names\":{\"plural\":\"things\",\"kind\":\"Thing\"},\"versions\":[%s]}}";
        String v1 = "{\"name\":\"v1\",\"served\":true,\"storage\":%s,\"schema\":" + schema + "}";
        String objectSpec = "{\"type\":\"object\"}";
        List<Case> c = new ArrayList<>();
        c.add(new Case("CRD whose name is not plural.group", "POST", crds, JSON,
                crd.formatted("stuff.bad.example.com", v1.formatted("true", objectSpec)), 422, "metadata.name"));
        c.add(new Case("CRD with two storage versions", "POST", crds, JSON, crd.formatted("things.bad.example.com",
                v1.formatted("true", objectSpec) + "," + v1.replace("v1", "v2").formatted("true", objectSpec)), 422,
                "must have exactly one version marked as storage version"));
        c.add(new Case("CRD whose version has no schema", "POST", crds, JSON, crd.formatted("things.bad.example.com",
                "{\"name\":\"v1\",\"served\":true,\"storage\":true}"), 422, "schemas are required"));
        c.add(new Case("CRD with a non-structural schema (a property without a type)", "POST", crds, JSON,
                crd.formatted("things.bad.example.com", v1.formatted("true",
                        "{\"type\":\"object\",\"properties\":{\"size\":{}}}")), 422, "properties[spec].properties[size].type"));
        c.add(new Case("CRD with a CEL rule that does not compile", "POST", crds, JSON,
                crd.formatted("things.bad.example.com", v1.formatted("true", "{\"type\":\"object\","
                        + "\"x-kubernetes-validations\":[{\"rule\":\"self.size >\"}]}")), 422, "compilation failed"));
        c.add(new Case("CRD with a CEL rule over its cost budget (an unbounded list of unbounded strings)", "POST", crds,
                JSON, crd.formatted("things.bad.example.com", v1.formatted("true", "{\"type\":\"object\","
                        + "\"properties\":{\"names\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}},"
                        + "\"x-kubernetes-validations\":[{\"rule\":\"self.names.all(x, x.matches('^[a-z]+$'))\"}]}")),
                422, "estimated rule cost exceeds budget by factor of"));
        c.add(new Case("CRD with a conversion webhook (Kubus serves None only)", "POST", crds, JSON,
                crd.formatted("things.bad.example.com", v1.formatted("true", objectSpec)).replace("\"scope\"",
                        "\"conversion\":{\"strategy\":\"Webhook\"},\"scope\""), 422, "spec.conversion.strategy"));
        // server-side apply
        String apply = "application/apply-patch+yaml";
        String cm = "/api/v1/namespaces/default/configmaps/applied";
        c.add(new Case("apply without a field manager", "PATCH", cm, apply,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"applied\"}}", 400,
                "fieldManager is required for apply requests"));
        c.add(new Case("apply of another version", "PATCH", cm + "?fieldManager=t", apply,
                "{\"apiVersion\":\"v2\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"applied\"}}", 400,
                "Incorrect version specified in apply patch"));
        c.add(new Case("apply with two items of one key", "PATCH", "/api/v1/namespaces/default/services/dup?fieldManager=t",
                apply, "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"dup\"},"
                        + "\"spec\":{\"ports\":[{\"port\":80},{\"port\":80}]}}", 400, "duplicate entries for key"));
        c.add(new Case("CRD in a group without a dot", "POST", crds, JSON,
                crd.formatted("things.bad", v1.formatted("true", objectSpec)).replace("bad.example.com", "bad"), 422,
                "spec.group"));
        return c;
    }

    // ---- checking ----

    private void check(Case c) {
        check(c, null);
    }

    /** Sends the case as the administrator, or through {@code client} when it is set. */
    private void check(Case c, java.net.http.HttpClient client) {
        byte[] body = c.body() == null ? null : c.body().getBytes(StandardCharsets.UTF_8);
        GatewayFixture.Reply r = client == null ? gateway.request(c.method(), c.path(), c.contentType(), body, c.headers())
                : gateway.request(client, c.method(), c.path(), c.contentType(), body, c.headers());
        sent++;
        String shown = r.body() == null ? "" : r.body().length() > 600 ? r.body().substring(0, 600) + "..." : r.body();
        assertEquals(c.code(), r.status(), c.method() + " " + abbreviate(c.path()) + " answered " + shown);
        JsonNode status;
        try {
            status = KubusJson.json().readTree(r.body());
        } catch (Exception e) {
            throw new AssertionError("the answer is not JSON: " + shown, e);
        }
        assertEquals("Status", status.path("kind").asText(), shown);
        assertEquals("v1", status.path("apiVersion").asText(), shown);
        assertEquals("Failure", status.path("status").asText(), shown);
        assertEquals(c.code(), status.path("code").asInt(), shown);
        assertTrue(REASONS.get(c.code()).contains(status.path("reason").asText()), "reason of a " + c.code() + ": " + shown);
        String message = status.path("message").asText("");
        assertFalse(message.isBlank(), "a message: " + shown);
        if (c.reason() != null) {
            assertEquals(c.reason(), status.path("reason").asText(), shown);
            assertEquals(c.mentions(), message, "Kubernetes' message, exactly");
        } else {
            assertTrue(message.toLowerCase(Locale.ROOT).contains(c.mentions().toLowerCase(Locale.ROOT)),
                    "the message names \"" + c.mentions() + "\": " + message);
        }
        c.extra().accept(status);
        assertTrue(r.headers().getOrDefault("content-type", List.of()).stream().anyMatch(h -> h.startsWith("application/json")),
                "a JSON Status: " + r.headers());
    }

    /**
     * A bad request and what must come back; with a {@code reason}, the message must be {@code mentions} exactly,
     * else contain it. {@code extra} checks the rest of the Status.
     */
    private record Case(String name, String method, String path, String contentType, String body, int code,
                        String mentions, Map<String, String> headers, String reason, Consumer<JsonNode> extra) {
        Case(String name, String method, String path, String contentType, String body, int code, String mentions) {
            this(name, method, path, contentType, body, code, mentions, Map.of());
        }

        Case(String name, String method, String path, String contentType, String body, int code, String mentions,
             Map<String, String> headers) {
            this(name, method, path, contentType, body, code, mentions, headers, null, s -> { });
        }
    }

    private static Case exact(String name, String method, String path, int code, String reason, String message) {
        return exact(name, method, path, code, reason, message, s -> { });
    }

    private static Case exact(String name, String method, String path, int code, String reason, String message,
                              Consumer<JsonNode> extra) {
        return new Case(name, method, path, null, null, code, message, Map.of(), reason, extra);
    }

    private static Case exact(String name, String method, String path, int code, String reason, String message,
                              Map<String, String> headers) {
        return new Case(name, method, path, null, null, code, message, headers, reason, s -> { });
    }

    // ---- state of the store and the topics ----

    private void awaitRelayed() throws InterruptedException {
        OutboxRelay relay = gateway.context().getBean(OutboxRelay.class);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        // On a fresh database every version is one outbox row, so the relay is done when it published them all.
        while (relay.published() < store.currentVersion()) {
            if (System.nanoTime() > deadline) {
                fail("the relay published " + relay.published() + " of " + store.currentVersion() + " events");
            }
            Thread.sleep(50);
        }
        assertEquals(store.currentVersion(), relay.published(), "one event per version, no more");
    }

    private Map<TopicPartition, Long> endOffsets() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, gateway.kafkaBootstrap()))) {
            List<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(t -> t.startsWith("kubus.")).sorted().toList();
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (TopicDescription d : admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
                d.partitions().forEach(p -> request.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
            }
            Map<TopicPartition, Long> offsets = new TreeMap<>(java.util.Comparator.comparing(TopicPartition::toString));
            for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e
                    : admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).entrySet()) {
                offsets.put(e.getKey(), e.getValue().offset());
            }
            return offsets;
        }
    }

    // ---- helpers ----

    private GatewayFixture.Reply POST(String path, String body) {
        return gateway.request("POST", path, JSON, body);
    }

    private static JsonNode created(GatewayFixture.Reply r) {
        assertEquals(201, r.status(), r.body());
        return json(r.body());
    }

    private static JsonNode json(String s) {
        try {
            return KubusJson.json().readTree(s);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    private static String configMap(String name) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\"}}";
    }

    private static String pod(String name) {
        return """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","labels":{"app":"web"}},
                 "spec":{"containers":[{"name":"c","image":"busybox"}]}}""".formatted(name);
    }

    /** A RoleBinding of a ClusterRole to a ServiceAccount named without a namespace (the binding's own). */
    private static String roleBinding(String name, String clusterRole) {
        return """
                {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"%s"},
                 "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"%s"},
                 "subjects":[{"kind":"ServiceAccount","name":"deployer"}]}""".formatted(name, clusterRole);
    }

    private static String daemonSet(String name, String selectorApp, String templateApp, String extraSpec) {
        return """
                {"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"%s"},
                 "spec":{"selector":{"matchLabels":{"app":"%s"}}%s,
                  "template":{"metadata":{"labels":{"app":"%s"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}"""
                .formatted(name, selectorApp, extraSpec, templateApp);
    }

    /** A StatefulSet whose pods are labelled app=web, selected by app={@code selectorApp}, with claim templates. */
    private static String statefulSet(String name, String selectorApp, String extraSpec, String claimTemplates) {
        return """
                {"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"%s"},
                 "spec":{"selector":{"matchLabels":{"app":"%s"}}%s,"volumeClaimTemplates":[%s],
                  "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}"""
                .formatted(name, selectorApp, extraSpec, claimTemplates);
    }

    /** A claim with the given access modes member and storage request ({@code null} for none). */
    private static String claim(String name, String accessModes, String storage) {
        return """
                {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"%s"},
                 "spec":{%s,"resources":{"requests":{"storage":%s}}}}""".formatted(name, accessModes, storage);
    }

    private static String deployment(String name, String replicas) {
        return """
                {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"%s"},
                 "spec":{"replicas":%s,"selector":{"matchLabels":{"app":"web"}},
                  "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}"""
                .formatted(name, replicas);
    }
}

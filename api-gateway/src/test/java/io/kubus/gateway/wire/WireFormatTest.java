package io.kubus.gateway.wire;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.schema.KubusJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The wire as kube-apiserver 1.32 speaks it, byte for byte where a client could tell: query parameters read the way
 * apimachinery's conversions read them, error Status bodies field for field (apimachinery/pkg/api/errors, written by
 * encoding/json with metav1's omitempty tags), the initial-events bookmark of WatchList, and the address in
 * {@code GET /api}. The expected bodies are what kube-apiserver sends for the same requests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WireFormatTest {
    private static final String PODS = "/api/v1/namespaces/default/pods";
    private static final String CONFIGMAPS = "/api/v1/namespaces/default/configmaps";
    private static final String DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments";

    private GatewayFixture gateway;
    private final HttpClient http = io.kubus.gateway.testing.TestPki.adminHttp();

    @BeforeAll
    void start() {
        gateway = GatewayFixture.start();
        gateway.withoutRootCaConfigMap("default"); // the tests watch and count the ConfigMaps they make there
        assertEquals(201, gateway.request("POST", CONFIGMAPS, "application/json",
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"one\"}}").status());
        assertEquals(201, gateway.request("POST", DEPLOYMENTS, "application/json", """
                {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
                 "spec":{"selector":{"matchLabels":{"app":"web"}},
                  "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}""")
                .status());
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    // ---- booleans: runtime.Convert_Slice_string_To_bool ----

    /** Every value but "0" and "false" (any case) is true: the Python client's watch=True starts a watch. */
    @ParameterizedTest
    @ValueSource(strings = {"true", "True", "TRUE", "1", "t", "yes", "on", ""})
    void aWatchParameterOtherThanFalseOrZeroStartsAWatch(String value) throws Exception {
        List<String> lines = lines(CONFIGMAPS + "?timeoutSeconds=1&watch=" + enc(value));
        assertEquals(1, lines.size(), "one ADDED event for the one ConfigMap, then the end: " + lines);
        JsonNode event = json(lines.getFirst());
        assertEquals("ADDED", event.path("type").asText(), lines.getFirst());
        assertEquals("one", event.path("object").path("metadata").path("name").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"false", "False", "FALSE", "fAlSe", "0"})
    void falseOrZeroIsAList(String value) {
        GatewayFixture.Reply r = gateway.request("GET", CONFIGMAPS + "?watch=" + enc(value), null, null);
        assertEquals(200, r.status(), r.body());
        assertEquals("ConfigMapList", json(r.body()).path("kind").asText(), r.body());
    }

    @Test
    void aNegativeTimeoutEndsTheWatchAtOnce() throws Exception {
        // kube-apiserver's watch context is already over: 200, and the stream ends with nothing in it.
        String listRv = json(gateway.request("GET", CONFIGMAPS, null, null).body())
                .path("metadata").path("resourceVersion").asText();
        long start = System.nanoTime();
        assertEquals(List.of(), lines(CONFIGMAPS + "?watch=true&resourceVersion=" + listRv + "&timeoutSeconds=-3"));
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos());
    }

    // ---- WatchList: sendInitialEvents, the initial-events-end bookmark ----

    @Test
    void aWatchWithInitialEventsAndBookmarksEndsThemWithTheAnnotatedBookmark() throws Exception {
        String listRv = json(gateway.request("GET", CONFIGMAPS, null, null).body())
                .path("metadata").path("resourceVersion").asText();
        List<String> lines = lines(CONFIGMAPS + "?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan"
                + "&allowWatchBookmarks=true&timeoutSeconds=1");
        assertEquals(2, lines.size(), lines.toString());
        assertEquals("ADDED", json(lines.get(0)).path("type").asText());
        assertEquals("{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":"
                + "{\"resourceVersion\":\"" + listRv + "\",\"annotations\":{\"k8s.io/initial-events-end\":\"true\"}}}}",
                lines.get(1));
        // The same for a watch from "0" with bookmarks: 1.32 defaults it to sendInitialEvents=true.
        assertEquals(lines, lines(CONFIGMAPS + "?watch=1&resourceVersion=0&allowWatchBookmarks=true&timeoutSeconds=1"));
        // Without bookmarks allowed, only the objects.
        assertEquals(1, lines(CONFIGMAPS + "?watch=1&resourceVersion=0&timeoutSeconds=1").size());
        // sendInitialEvents=false: from now on, nothing from before.
        assertEquals(List.of(), lines(CONFIGMAPS + "?watch=1&sendInitialEvents=false"
                + "&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1"));
    }

    // ---- Status bodies, field for field ----

    @Test
    void notFoundOfACoreKindHasNoGroup() {
        assertStatus(404, "GET", PODS + "/ghost",
                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                        + "\"message\":\"pods \\\"ghost\\\" not found\",\"reason\":\"NotFound\","
                        + "\"details\":{\"name\":\"ghost\",\"kind\":\"pods\"},\"code\":404}", null);
    }

    @Test
    void notFoundOfAGroupedKindNamesTheGroup() {
        assertStatus(404, "GET", DEPLOYMENTS + "/ghost",
                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                        + "\"message\":\"deployments.apps \\\"ghost\\\" not found\",\"reason\":\"NotFound\","
                        + "\"details\":{\"name\":\"ghost\",\"group\":\"apps\",\"kind\":\"deployments\"},\"code\":404}", null);
    }

    @Test
    void alreadyExistsNamesTheResource() {
        assertStatus(409, "POST", CONFIGMAPS,
                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                        + "\"message\":\"configmaps \\\"one\\\" already exists\",\"reason\":\"AlreadyExists\","
                        + "\"details\":{\"name\":\"one\",\"kind\":\"configmaps\"},\"code\":409}",
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"one\"}}");
    }

    @Test
    void conflictNamesTheResource() {
        assertStatus(409, "PUT", CONFIGMAPS + "/one",
                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                        + "\"message\":\"Operation cannot be fulfilled on configmaps \\\"one\\\": the object has been "
                        + "modified; please apply your changes to the latest version and try again\","
                        + "\"reason\":\"Conflict\",\"details\":{\"name\":\"one\",\"kind\":\"configmaps\"},\"code\":409}",
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"one\",\"resourceVersion\":\"1\"},\"data\":{\"a\":\"b\"}}");
    }

    @Test
    void invalidNamesTheKindAndItsGroup() {
        assertStatus(422, "PATCH", DEPLOYMENTS + "/web",
                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                        + "\"message\":\"Deployment.apps \\\"web\\\" is invalid: spec.replicas: Invalid value: -1: "
                        + "must be greater than or equal to 0\",\"reason\":\"Invalid\",\"details\":{\"name\":\"web\","
                        + "\"group\":\"apps\",\"kind\":\"Deployment\",\"causes\":[{\"reason\":\"FieldValueInvalid\","
                        + "\"message\":\"Invalid value: -1: must be greater than or equal to 0\","
                        + "\"field\":\"spec.replicas\"}]},\"code\":422}",
                "{\"spec\":{\"replicas\":-1}}");
    }

    @Test
    void aBadIntegerIsGosParseIntError() {
        assertStatus(400, "GET", CONFIGMAPS + "?watch=true&timeoutSeconds=soon",
                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                        + "\"message\":\"strconv.ParseInt: parsing \\\"soon\\\": invalid syntax\",\"reason\":\"BadRequest\","
                        + "\"code\":400}", null);
    }

    @Test
    void aBadResourceVersionOnAWatchIsTheVersionersError() {
        // kube-apiserver sends this message with code 500 and no reason; a bad input is a 400 here (see WatchStreams).
        assertStatus(400, "GET", CONFIGMAPS + "?watch=true&resourceVersion=abc",
                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                        + "\"message\":\"resourceVersion: Invalid value: \\\"abc\\\": strconv.ParseUint: parsing "
                        + "\\\"abc\\\": invalid syntax\",\"reason\":\"BadRequest\",\"code\":400}", null);
    }

    @Test
    void listOptionsThatDoNotGoTogetherAreInvalidListOptions() {
        assertStatus(422, "GET", CONFIGMAPS + "?sendInitialEvents=true&resourceVersionMatch=Exact",
                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                        + "\"message\":\"ListOptions.meta.k8s.io \\\"\\\" is invalid: [resourceVersionMatch: Forbidden: "
                        + "resourceVersionMatch is forbidden unless resourceVersion is provided, sendInitialEvents: "
                        + "Forbidden: sendInitialEvents is forbidden for list]\",\"reason\":\"Invalid\",\"details\":"
                        + "{\"group\":\"meta.k8s.io\",\"kind\":\"ListOptions\",\"causes\":[{\"reason\":\"FieldValueForbidden\","
                        + "\"message\":\"Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided\","
                        + "\"field\":\"resourceVersionMatch\"},{\"reason\":\"FieldValueForbidden\",\"message\":"
                        + "\"Forbidden: sendInitialEvents is forbidden for list\",\"field\":\"sendInitialEvents\"}]},"
                        + "\"code\":422}", null);
    }

    @Test
    void unknownPathsAreTheGenericNotFound() {
        assertStatus(404, "GET", "/api/v1/widgets",
                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                        + "\"message\":\"the server could not find the requested resource\",\"reason\":\"NotFound\","
                        + "\"code\":404}", null);
    }

    // ---- discovery ----

    @Test
    void apiVersionsNameTheAddressTheGatewayWasReachedAt() {
        GatewayFixture.Reply r = gateway.request("GET", "/api", null, null);
        assertEquals(200, r.status());
        String hostPort = URI.create(gateway.baseUrl()).getAuthority();
        assertEquals("{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":"
                + "[{\"clientCIDR\":\"0.0.0.0/0\",\"serverAddress\":\"" + hostPort + "\"}]}", r.body());
    }

    // ---- helpers ----

    private void assertStatus(int code, String method, String path, String expected, String body) {
        String contentType = method.equals("PATCH") ? "application/merge-patch+json" : "application/json";
        GatewayFixture.Reply r = gateway.request(method, path, body == null ? null : contentType, body);
        assertEquals(code, r.status(), r.body());
        assertEquals(expected, r.body());
    }

    private List<String> lines(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path))
                .timeout(Duration.ofSeconds(20)).GET().build();
        HttpResponse<java.util.stream.Stream<String>> r = http.send(request, HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, r.statusCode());
        try (var s = r.body()) {
            return s.filter(l -> !l.isEmpty()).toList();
        }
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
}

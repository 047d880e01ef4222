package io.kubus.gateway.wire;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.schema.KubusJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Watches over WebSocket against a real gateway: the JDK's WebSocket client (the transport fabric8's jdk client
 * uses) gets each event as one text message and a normal close when the watch ends; bad input gets kube-apiserver's
 * Status as the HTTP answer, before and instead of the upgrade.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WatchWebSocketTest {
    private static final String CONFIGMAPS = "/api/v1/namespaces/default/configmaps";
    private static final Map<String, String> ORIGIN = Map.of("Origin", "http://127.0.0.1");

    private GatewayFixture gateway;
    private final HttpClient http = io.kubus.gateway.testing.TestPki.adminHttp();

    @BeforeAll
    void start() {
        gateway = GatewayFixture.start();
        gateway.withoutRootCaConfigMap("default"); // the tests watch and count the ConfigMaps they make there
        assertEquals(201, gateway.request("POST", CONFIGMAPS, "application/json",
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"first\"}}").status());
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void eventsArriveAsTextMessagesAndTheWatchEndsWithANormalClose() throws Exception {
        Listener listener = new Listener();
        WebSocket ws = http.newWebSocketBuilder().header("Origin", "http://127.0.0.1")
                .buildAsync(URI.create(gateway.baseUrl().replace("https:", "wss:") + CONFIGMAPS
                        + "?watch=true&timeoutSeconds=3"), listener)
                .get(20, TimeUnit.SECONDS);
        JsonNode first = json(listener.next());
        assertEquals("ADDED", first.path("type").asText());
        assertEquals("first", first.path("object").path("metadata").path("name").asText());
        assertEquals(201, gateway.request("POST", CONFIGMAPS, "application/json",
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"second\"}}").status());
        String raw = listener.next();
        assertTrue(raw.endsWith("}\n"), "one event per message, newline-ended as kube-apiserver frames it: " + raw);
        JsonNode second = json(raw);
        assertEquals("ADDED", second.path("type").asText());
        assertEquals("second", second.path("object").path("metadata").path("name").asText());
        assertEquals("close 1000", listener.next(), "timeoutSeconds ended the watch with a normal close");
        assertTrue(listener.texts, "JSON events travel as text messages");
        ws.abort();
    }

    @Test
    void theClientsCloseEndsTheWatch() throws Exception {
        Listener listener = new Listener();
        WebSocket ws = http.newWebSocketBuilder().header("Origin", "http://127.0.0.1")
                .buildAsync(URI.create(gateway.baseUrl().replace("https:", "wss:") + CONFIGMAPS
                        + "?watch=1&resourceVersion=0&labelSelector=none%3Dsuch"), listener)
                .get(20, TimeUnit.SECONDS);
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
        assertEquals("close 1000", listener.next());
    }

    @Test
    void aWatchFromAListsVersionGetsOnlyLaterChanges() throws Exception {
        String rv = json(gateway.request("GET", CONFIGMAPS, null, null).body()).path("metadata").path("resourceVersion").asText();
        Listener listener = new Listener();
        http.newWebSocketBuilder().header("Origin", "http://127.0.0.1")
                .buildAsync(URI.create(gateway.baseUrl().replace("https:", "wss:") + CONFIGMAPS
                        + "?watch=true&resourceVersion=" + rv + "&timeoutSeconds=5"), listener)
                .get(20, TimeUnit.SECONDS);
        assertEquals(200, gateway.request("PATCH", CONFIGMAPS + "/first", "application/merge-patch+json",
                "{\"data\":{\"a\":\"1\"}}").status());
        JsonNode event = json(listener.next());
        assertEquals("MODIFIED", event.path("type").asText());
        assertEquals("1", event.path("object").path("data").path("a").asText());
    }

    // ---- refused before the upgrade ----

    @Test
    void aBadSelectorIsAPlain400() throws Exception {
        RawUpgrade r = RawUpgrade.send(gateway.baseUrl(), CONFIGMAPS + "?watch=true&labelSelector="
                + URLEncoder.encode("env in (a", StandardCharsets.UTF_8), ORIGIN);
        assertEquals(400, r.status());
        JsonNode status = json(r.body());
        assertEquals("BadRequest", status.path("reason").asText(), r.body());
        assertTrue(status.path("message").asText().startsWith("unable to parse requirement"), r.body());
    }

    @Test
    void aBadResourceVersionIsAPlain400() throws Exception {
        RawUpgrade r = RawUpgrade.send(gateway.baseUrl(), CONFIGMAPS + "?watch=true&resourceVersion=abc", ORIGIN);
        assertEquals(400, r.status());
        assertEquals("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                + "\"message\":\"resourceVersion: Invalid value: \\\"abc\\\": strconv.ParseUint: parsing \\\"abc\\\": "
                + "invalid syntax\",\"reason\":\"BadRequest\",\"code\":400}", r.body());
    }

    @Test
    void aTooOldResourceVersionIsAPlain410() throws Exception {
        RawUpgrade r = RawUpgrade.send(gateway.baseUrl(), CONFIGMAPS + "?watch=true&resourceVersion=1", ORIGIN);
        assertEquals(410, r.status(), r.body());
        assertEquals("Expired", json(r.body()).path("reason").asText());
    }

    @Test
    void badListOptionsAreAPlain422() throws Exception {
        RawUpgrade r = RawUpgrade.send(gateway.baseUrl(), CONFIGMAPS + "?watch=true&sendInitialEvents=true", ORIGIN);
        assertEquals(422, r.status());
        assertEquals("ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents "
                + "requires setting resourceVersionMatch to NotOlderThan", json(r.body()).path("message").asText());
    }

    @Test
    void anUnknownResourceIsAPlain404() throws Exception {
        RawUpgrade r = RawUpgrade.send(gateway.baseUrl(), "/api/v1/widgets?watch=true", ORIGIN);
        assertEquals(404, r.status());
        assertEquals("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                + "\"message\":\"the server could not find the requested resource\",\"reason\":\"NotFound\","
                + "\"code\":404}", r.body());
    }

    @Test
    void aWatchWithoutAnOriginIsRefusedAsKubeApiserverRefusesIt() throws Exception {
        RawUpgrade r = RawUpgrade.send(gateway.baseUrl(), CONFIGMAPS + "?watch=true", Map.of());
        assertEquals(403, r.status());
        assertEquals("Forbidden", json(r.body()).path("reason").asText(), r.body());
    }

    @Test
    void anUpgradeThatIsNoWatchIsAnsweredAsAPlainRequest() throws Exception {
        RawUpgrade list = RawUpgrade.send(gateway.baseUrl(), CONFIGMAPS, ORIGIN);
        assertEquals(200, list.status());
        assertEquals("ConfigMapList", json(list.body()).path("kind").asText());
        RawUpgrade get = RawUpgrade.send(gateway.baseUrl(), "/apis/apps/v1/namespaces/default/deployments/ghost", ORIGIN);
        assertEquals(404, get.status());
        assertEquals("deployments.apps \"ghost\" not found", json(get.body()).path("message").asText());
    }

    @Test
    void aWatchUpgradeAnswers101WithTheAcceptKey() throws Exception {
        RawUpgrade r = RawUpgrade.send(gateway.baseUrl(), CONFIGMAPS + "?watch=true&timeoutSeconds=1", ORIGIN);
        assertEquals(101, r.status());
        assertNotNull(r.headers().get("sec-websocket-accept"));
    }

    // ---- helpers ----

    private static JsonNode json(String s) {
        try {
            return KubusJson.json().readTree(s);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }

    /** Collects whole messages, and the close as "close CODE". */
    private static final class Listener implements WebSocket.Listener {
        private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        volatile boolean texts = true;

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

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            texts = false;
            partial.append(StandardCharsets.UTF_8.decode(data));
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            messages.add("close " + statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            messages.add("error " + error);
        }
    }
}

package io.kubus.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.schema.KubusJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Services get distinct cluster IPs and node ports in Kubernetes' default ranges; bad requests for them are 422. */
class ServiceAddressesTest {
    private static final String SERVICES = "/api/v1/namespaces/default/services";
    static GatewayFixture gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayFixture.start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void everyServiceGetsItsOwnClusterIpInTheServiceRange() throws Exception {
        Set<String> ips = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            JsonNode svc = create("ip-" + i, "ClusterIP", "");
            String ip = svc.path("spec").path("clusterIP").asText();
            assertTrue(ip.startsWith("10.") && inServiceRange(ip), ip);
            assertEquals(ip, svc.path("spec").path("clusterIPs").get(0).asText());
            assertTrue(ips.add(ip), "duplicate " + ip);
        }
    }

    @Test
    void nodePortServicesGetNodePortsInRange() throws Exception {
        JsonNode svc = create("np", "NodePort", "");
        int port = svc.path("spec").path("ports").get(0).path("nodePort").asInt();
        assertTrue(port >= 30000 && port <= 32767, String.valueOf(port));
    }

    @Test
    void nodePortsAreNeverSharedAcrossServicesOrUpdates() throws Exception {
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            int port = create("np-" + i, "NodePort", "").path("spec").path("ports").get(0).path("nodePort").asInt();
            assertTrue(port >= 30000 && port <= 32767 && ports.add(port), "duplicate or out of range " + port);
        }
        create("later", "ClusterIP", "");
        GatewayFixture.Reply typed = gateway.request("PATCH", SERVICES + "/later", "application/merge-patch+json",
                "{\"spec\":{\"type\":\"NodePort\"}}");
        assertEquals(200, typed.status(), typed.body());
        int port = KubusJson.json().readTree(typed.body()).path("spec").path("ports").get(0).path("nodePort").asInt();
        assertTrue(port >= 30000 && port <= 32767 && ports.add(port), "duplicate or out of range " + port);
        GatewayFixture.Reply back = gateway.request("PATCH", SERVICES + "/later", "application/merge-patch+json",
                "{\"spec\":{\"type\":\"ClusterIP\"}}");
        assertEquals(200, back.status(), back.body());
        JsonNode spec = KubusJson.json().readTree(back.body()).path("spec");
        assertTrue(spec.path("ports").get(0).path("nodePort").isMissingNode() && spec.path("externalTrafficPolicy").isMissingNode(),
                "what only a NodePort needs goes with its type: " + spec);
    }

    @Test
    void headlessAndExternalNameGetNoAddress() throws Exception {
        assertEquals("None", create("headless", "ClusterIP", "None").path("spec").path("clusterIP").asText());
        GatewayFixture.Reply ext = gateway.request("POST", SERVICES, "application/json",
                "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"ext\"},\"spec\":{\"type\":\"ExternalName\",\"externalName\":\"example.com\"}}");
        assertEquals(201, ext.status(), ext.body());
        assertTrue(KubusJson.json().readTree(ext.body()).path("spec").path("clusterIP").isMissingNode(), ext.body());
    }

    @Test
    void aTakenOrForeignClusterIpIsRefused() throws Exception {
        String taken = create("owner", "ClusterIP", "").path("spec").path("clusterIP").asText();
        GatewayFixture.Reply dup = post("thief", "ClusterIP", taken);
        assertEquals(422, dup.status(), dup.body());
        assertTrue(dup.body().contains("spec.clusterIP") && dup.body().contains("already allocated"), dup.body());
        GatewayFixture.Reply foreign = post("foreign", "ClusterIP", "192.168.1.1");
        assertEquals(422, foreign.status(), foreign.body());
        assertTrue(foreign.body().contains("not in the valid range"), foreign.body());
        assertEquals(404, gateway.request("GET", SERVICES + "/thief", null, null).status());
    }

    private static JsonNode create(String name, String type, String clusterIp) throws Exception {
        GatewayFixture.Reply r = post(name, type, clusterIp);
        assertEquals(201, r.status(), r.body());
        return KubusJson.json().readTree(r.body());
    }

    private static GatewayFixture.Reply post(String name, String type, String clusterIp) {
        String ip = clusterIp.isEmpty() ? "" : ",\"clusterIP\":\"" + clusterIp + "\"";
        return gateway.request("POST", SERVICES, "application/json", "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\""
                + name + "\"},\"spec\":{\"type\":\"" + type + "\"" + ip + ",\"selector\":{\"app\":\"x\"},\"ports\":[{\"port\":80}]}}");
    }

    private static boolean inServiceRange(String ip) {
        String[] p = ip.split("\\.");
        int second = Integer.parseInt(p[1]);
        return p[0].equals("10") && second >= 96 && second <= 111;
    }
}

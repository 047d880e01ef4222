package io.kubus.gateway.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.broker.EmbeddedKafkaBroker;
import io.kubus.client.tls.CertificateAuthority;
import io.kubus.client.tls.CertificateRequests;
import io.kubus.client.tls.Identities;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.schema.KubusJson;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The signer is level-triggered: a request approved while no signer ran (the first gateway's is stopped) is signed by
 * the next gateway that starts on the same database, from its first list.
 */
class CertificateSignerRestartTest {
    private static final String CSR = "/apis/certificates.k8s.io/v1/certificatesigningrequests/";

    @Test
    void aRequestApprovedWhileNoSignerRanIsSignedWhenAGatewayStarts() throws Exception {
        String jdbc = GatewayFixture.h2InMemory();
        String request = Base64.getEncoder().encodeToString(CertificateRequests.create(CertificateAuthority.newKeyPair(),
                new Identities.Identity("late", List.of())).getBytes(StandardCharsets.US_ASCII));
        String body = """
                {"apiVersion":"certificates.k8s.io/v1","kind":"CertificateSigningRequest","metadata":{"name":"late"},
                 "spec":{"request":"%s","signerName":"kubernetes.io/kube-apiserver-client","usages":["client auth"]}%s}""";
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            try (GatewayFixture first = GatewayFixture.start(broker, false, jdbc, Map.of())) {
                first.context().getBean(CertificateSigner.class).close();
                assertEquals(201, first.request("POST", CSR, "application/json", body.formatted(request, "")).status());
                GatewayFixture.Reply approved = first.request("PUT", CSR + "late/approval", "application/json",
                        body.formatted(request, ",\"status\":{\"conditions\":[{\"type\":\"Approved\",\"status\":\"True\","
                                + "\"reason\":\"Test\"}]}"));
                assertEquals(200, approved.status(), approved.body());
                Thread.sleep(500);
                assertEquals("", certificate(first), "no signer runs");
            }
            try (GatewayFixture second = GatewayFixture.start(broker, false, jdbc, Map.of())) {
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (certificate(second).isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertTrue(certificate(second).length() > 100, "signed by the second gateway");
            }
        }
    }

    private static String certificate(GatewayFixture gateway) throws Exception {
        JsonNode csr = KubusJson.json().readTree(gateway.request("GET", CSR + "late", null, null).body());
        return csr.path("status").path("certificate").asText("");
    }
}

package io.kubus.client.status;

import io.kubus.client.tls.CertificateAuthority;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a status report's signature proves, with real keys and certificates. The JDK keeps a parsed certificate and the
 * key it last verified it with, so a node's later reports are checked against a remembered certificate: these hold
 * for the first report and for the ones after it.
 */
class ReportSignaturesTest {
    private static final String TOPIC = "kubus.status.pods";
    private static final CertificateAuthority CLUSTER = CertificateAuthority.create("kubus-ca", Duration.ofDays(1));
    private static final CertificateAuthority OTHER = CertificateAuthority.create("other-ca", Duration.ofDays(1));

    private static ReportSignatures.Signer node(CertificateAuthority ca, String name, Duration validity) {
        CertificateAuthority.Issued id = ca.issue("system:node:" + name, List.of("system:nodes"), List.of(),
                CertificateAuthority.Usage.CLIENT, validity);
        return new ReportSignatures.Signer(id.key(), id.certificate());
    }

    private static Headers signed(ReportSignatures.Signer signer, String key, byte[] value) {
        Headers headers = new RecordHeaders();
        signer.sign(TOPIC, key, value, headers);
        return headers;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Optional<java.security.cert.X509Certificate> verify(String topic, String key, byte[] value,
                                                                       Headers headers) {
        return ReportSignatures.verify(List.of(CLUSTER.certificate()), topic, key, value, headers);
    }

    @Test
    void aKeptCertificateStillNeedsEveryRecordsOwnSignature() {
        ReportSignatures.Signer n1 = node(CLUSTER, "n1", Duration.ofHours(1));
        byte[] value = bytes("{\"reporter\":\"n1\"}");
        Headers headers = signed(n1, "default/web", value);
        for (int i = 0; i < 2; i++) { // the second time with the certificate seen before
            assertEquals(Optional.of(n1.certificate()), verify(TOPIC, "default/web", value, headers));
        }
        assertEquals(Optional.empty(), verify(TOPIC, "default/web", bytes("{\"reporter\":\"n2\"}"), headers),
                "another value under the same signature");
        assertEquals(Optional.empty(), verify(TOPIC, "default/db", value, headers), "another key");
        assertEquals(Optional.empty(), verify("kubus.status.nodes", "default/web", value, headers),
                "another topic");
    }

    @Test
    void aCertificateOfAnotherAuthorityIsNeverTakenEvenWithTheSameName() {
        byte[] value = bytes("{}");
        assertTrue(verify(TOPIC, "k", value, signed(node(CLUSTER, "n1", Duration.ofHours(1)), "k", value))
                .isPresent());
        ReportSignatures.Signer impostor = node(OTHER, "n1", Duration.ofHours(1));
        for (int i = 0; i < 2; i++) {
            assertEquals(Optional.empty(), verify(TOPIC, "k", value, signed(impostor, "k", value)));
        }
        assertEquals(Optional.empty(), verify(TOPIC, "k", value, new RecordHeaders()), "no signature at all");
    }

    @Test
    void aKeptCertificateThatExpiredIsRefused() throws Exception {
        ReportSignatures.Signer shortLived = node(CLUSTER, "n1", Duration.ofSeconds(2));
        byte[] value = bytes("{}");
        Headers headers = signed(shortLived, "k", value);
        assertTrue(verify(TOPIC, "k", value, headers).isPresent());
        Thread.sleep(shortLived.certificate().getNotAfter().getTime() - System.currentTimeMillis() + 1_100);
        assertEquals(Optional.empty(), verify(TOPIC, "k", value, headers));
    }
}

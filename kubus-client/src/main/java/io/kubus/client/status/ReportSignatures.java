package io.kubus.client.status;

import io.kubus.client.config.ClientConfig;
import io.kubus.schema.event.StatusReports;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * Who sent a status report, proven by the report itself: the agent signs each record (its topic, key and value) with
 * the key of its client certificate and attaches the certificate; the gateway takes the reporter from a certificate
 * the cluster's CA signed, never from a field of the message (docs/events.md, "Status topics"). A record without a
 * good signature is no report.
 */
public final class ReportSignatures {
    private ReportSignatures() {
    }

    /** Signs records as the identity of a client configuration. */
    public record Signer(PrivateKey key, X509Certificate certificate) {
        public static Optional<Signer> of(ClientConfig config) {
            return config.identity().map(id -> new Signer(id.key(), id.chain().getFirst()));
        }

        public void sign(String topic, String key, byte[] value, Headers headers) {
            try {
                Signature s = Signature.getInstance(algorithm(this.key.getAlgorithm()));
                s.initSign(this.key);
                s.update(signed(topic, key, value));
                headers.add(StatusReports.SIGNER_CERTIFICATE_HEADER, certificate.getEncoded());
                headers.add(StatusReports.SIGNATURE_HEADER, s.sign());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot sign a status report", e);
            }
        }
    }

    /**
     * The certificate that signed the record, when it was issued by one of {@code authorities}, is valid now and its
     * signature covers the record; empty for anything else.
     */
    public static Optional<X509Certificate> verify(List<X509Certificate> authorities, String topic, String key,
                                                   byte[] value, Headers headers) {
        Header certHeader = headers.lastHeader(StatusReports.SIGNER_CERTIFICATE_HEADER);
        Header sigHeader = headers.lastHeader(StatusReports.SIGNATURE_HEADER);
        if (certHeader == null || sigHeader == null || value == null) {
            return Optional.empty();
        }
        try {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(certHeader.value()));
            cert.checkValidity();
            if (authorities.stream().noneMatch(ca -> issuedBy(cert, ca.getPublicKey()))) {
                return Optional.empty();
            }
            Signature s = Signature.getInstance(algorithm(cert.getPublicKey().getAlgorithm()));
            s.initVerify(cert.getPublicKey());
            s.update(signed(topic, key, value));
            return s.verify(sigHeader.value()) ? Optional.of(cert) : Optional.empty();
        } catch (GeneralSecurityException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static boolean issuedBy(X509Certificate cert, PublicKey ca) {
        try {
            cert.verify(ca);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** topic, key and value, so a signed record cannot be replayed under another key or topic. */
    private static byte[] signed(String topic, String key, byte[] value) {
        byte[] head = (topic + "\n" + (key == null ? "" : key) + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + value.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(value, 0, all, head.length, value.length);
        return all;
    }

    private static String algorithm(String keyAlgorithm) {
        return switch (keyAlgorithm) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> throw new IllegalArgumentException("unsupported key algorithm " + keyAlgorithm);
        };
    }
}

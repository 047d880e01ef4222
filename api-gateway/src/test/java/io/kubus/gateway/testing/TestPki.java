package io.kubus.gateway.testing;

import io.kubus.client.config.ClientConfig;
import io.kubus.client.config.Kubeconfigs;
import io.kubus.client.tls.CertificateAuthority;
import io.kubus.client.tls.ClusterPki;
import io.kubus.client.tls.Identities;
import io.kubus.client.tls.TlsContexts;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The PKI of the gateways a test JVM starts: one folder, made once, shared by every gateway of the run as the
 * gateways of one cluster share theirs, so a client trusts them all and a token signed by one is good at another.
 * Clients get certificates of named identities from its CA; the administrator is {@code kubus-admin} in
 * {@code system:masters}, as the launcher's kubeconfig.
 */
public final class TestPki {
    public static final String ADMIN = Identities.ADMIN.user();
    private static ClusterPki pki;

    private TestPki() {
    }

    public static synchronized ClusterPki pki() {
        if (pki == null) {
            try {
                pki = ClusterPki.ensure(Files.createTempDirectory("kubus-test-pki"), CertificateAuthority.localHosts());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return pki;
    }

    public static Path dir() {
        return pki().dir();
    }

    /** A client certificate for {@code user} in {@code groups}. */
    public static CertificateAuthority.Issued identity(String user, String... groups) {
        return pki().ca().issue(user, List.of(groups), List.of(), CertificateAuthority.Usage.CLIENT,
                ClusterPki.CERT_VALIDITY);
    }

    /** A client certificate for one of the cluster's identities ({@link Identities}). */
    public static CertificateAuthority.Issued identity(Identities.Identity identity) {
        return identity(identity.user(), identity.groups().toArray(String[]::new));
    }

    public static CertificateAuthority.Issued admin() {
        return pki().client(ADMIN, ADMIN, Identities.ADMIN.groups());
    }

    public static SSLContext ssl(CertificateAuthority.Issued client) {
        return TlsContexts.client(List.of(pki().ca().certificate()), client == null ? null : client.key(),
                client == null ? List.of() : List.of(client.certificate()));
    }

    /** An HTTP client of the administrator, trusting the test CA: for tests that speak HTTP to a gateway themselves. */
    public static java.net.http.HttpClient adminHttp() {
        return java.net.http.HttpClient.newBuilder().sslContext(ssl(admin()))
                .connectTimeout(java.time.Duration.ofSeconds(5)).build();
    }

    /** A TLS socket to {@code host:port} as the administrator, for requests written by hand (raw upgrades). */
    public static java.net.Socket adminSocket(String host, int port) throws IOException {
        javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) ssl(admin()).getSocketFactory().createSocket(host, port);
        socket.startHandshake();
        return socket;
    }

    /** Signs status records as node agent {@code node} does: with the certificate of {@code system:node:NODE}. */
    public static synchronized io.kubus.client.status.ReportSignatures.Signer nodeSigner(String node) {
        return SIGNERS.computeIfAbsent(node, n -> {
            CertificateAuthority.Issued id = identity(Identities.node(n, 1));
            return new io.kubus.client.status.ReportSignatures.Signer(id.key(), id.certificate());
        });
    }

    private static final java.util.Map<String, io.kubus.client.status.ReportSignatures.Signer> SIGNERS = new java.util.HashMap<>();

    /** A fabric8 client configuration of the administrator for {@code server}: its certificate and the CA. */
    public static io.fabric8.kubernetes.client.ConfigBuilder fabric8Admin(String server) {
        return fabric8(server, admin());
    }

    /** A fabric8 client configuration of {@code identity} (its certificate) for {@code server}, trusting the CA. */
    public static io.fabric8.kubernetes.client.ConfigBuilder fabric8(String server, CertificateAuthority.Issued admin) {
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
        return new io.fabric8.kubernetes.client.ConfigBuilder(io.fabric8.kubernetes.client.Config.empty())
                .withMasterUrl(server)
                .withCaCertData(b64.encodeToString(pki().ca().certificatePem().getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
                .withClientCertData(b64.encodeToString(admin.certificatePem().getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
                .withClientKeyData(b64.encodeToString(admin.keyPem().getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
                .withClientKeyAlgo("EC");
    }

    public static ClientConfig clientConfig(String server, CertificateAuthority.Issued client) {
        return new ClientConfig(server, ssl(client), Optional::empty);
    }

    public static ClientConfig tokenConfig(String server, String token) {
        Optional<String> t = Optional.of(token);
        return new ClientConfig(server, ssl(null), () -> t);
    }

    public static String kubeconfig(String server, CertificateAuthority.Issued client) {
        return Kubeconfigs.withClientCertificate(server, pki().ca().certificatePem(), client);
    }

    public static String tokenKubeconfig(String server, String token) {
        return Kubeconfigs.withToken(server, pki().ca().certificatePem(), token);
    }
}

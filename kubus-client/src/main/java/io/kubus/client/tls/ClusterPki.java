package io.kubus.client.tls;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A cluster's PKI folder, laid out as kubeadm lays out {@code /etc/kubernetes/pki}: the CA ({@code ca.crt},
 * {@code ca.key}), the API server's serving certificate ({@code apiserver.crt}, {@code apiserver.key}, and the same
 * as PKCS#12 stores for the Netty server: {@code apiserver.p12}, {@code ca.p12}), the ServiceAccount token signing
 * key ({@code sa.key}, {@code sa.pub}) and the client certificates of named identities ({@code NAME.crt},
 * {@code NAME.key}). {@link #ensure} makes what is missing on a cluster's first start and keeps what exists, so
 * the CA, and every certificate and token it signed, outlives restarts. Key files are readable by their owner only.
 */
public final class ClusterPki {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterPki.class);
    public static final Duration CA_VALIDITY = Duration.ofDays(3650);
    public static final Duration CERT_VALIDITY = Duration.ofDays(365);
    /** The names every in-cluster client uses for the API (kube-apiserver's serving certificate has them too). */
    public static final List<String> SERVICE_NAMES = List.of("kubernetes", "kubernetes.default",
            "kubernetes.default.svc", "kubernetes.default.svc.cluster.local");

    private final Path dir;
    private final CertificateAuthority ca;

    private ClusterPki(Path dir, CertificateAuthority ca) {
        this.dir = dir;
        this.ca = ca;
    }

    /**
     * Opens the folder, making the CA, the serving certificate and the ServiceAccount key when missing. The serving
     * certificate is made again (by the same CA) when it does not cover every one of {@code hosts} or expires
     * within a third of its life.
     */
    public static synchronized ClusterPki ensure(Path dir, Collection<String> hosts) {
        ClusterPki pki = authority(dir);
        try {
            pki.ensureServing(hosts);
            pki.ensureServiceAccountKey();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the PKI folder " + dir, e);
        }
        return pki;
    }

    /** Opens the folder, making only the CA when missing: for what issues certificates before the API's first start. */
    public static synchronized ClusterPki authority(Path dir) {
        try {
            Files.createDirectories(dir);
            CertificateAuthority ca;
            if (Files.exists(dir.resolve("ca.crt"))) {
                ca = new CertificateAuthority(Pem.certificate(Files.readString(dir.resolve("ca.crt"))),
                        Pem.privateKey(Files.readString(dir.resolve("ca.key"))));
            } else {
                ca = CertificateAuthority.create("kubus-ca", CA_VALIDITY);
                PrivateFiles.write(dir.resolve("ca.key"), Pem.encode(ca.key()));
                Files.writeString(dir.resolve("ca.crt"), ca.certificatePem());
                LOG.info("made the cluster's certificate authority in {}", dir);
            }
            return new ClusterPki(dir, ca);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the PKI folder " + dir, e);
        }
    }

    public Path dir() {
        return dir;
    }

    public CertificateAuthority ca() {
        return ca;
    }

    public Path caFile() {
        return dir.resolve("ca.crt");
    }

    public Path servingKeyStore() {
        return dir.resolve("apiserver.p12");
    }

    public Path trustStore() {
        return dir.resolve("ca.p12");
    }

    public Path serviceAccountKey() {
        return dir.resolve("sa.key");
    }

    public Path serviceAccountPublicKey() {
        return dir.resolve("sa.pub");
    }

    /**
     * The client certificate of a named identity ({@code NAME.crt}/{@code NAME.key}), made when missing, when it
     * names another user or groups, or when a third of its life is left.
     */
    public synchronized CertificateAuthority.Issued client(String fileName, String user, List<String> groups) {
        Path crt = dir.resolve(fileName + ".crt");
        Path key = dir.resolve(fileName + ".key");
        try {
            if (Files.exists(crt) && Files.exists(key)) {
                X509Certificate existing = Pem.certificate(Files.readString(crt));
                if (fresh(existing) && Subjects.of(existing).equals(new Subjects.Subject(user, groups))) {
                    return new CertificateAuthority.Issued(existing, Pem.privateKey(Files.readString(key)));
                }
            }
            CertificateAuthority.Issued issued = ca.issue(user, groups, List.of(), CertificateAuthority.Usage.CLIENT,
                    CERT_VALIDITY);
            PrivateFiles.write(key, issued.keyPem());
            Files.writeString(crt, issued.certificatePem());
            return issued;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes a kubeconfig for {@code identity} with its client certificate embedded, readable by the
     * owner only (what kubeadm writes as admin.conf, scheduler.conf, ...).
     */
    public void writeKubeconfig(Path file, String server, Identities.Identity identity) {
        String name = file.getFileName().toString().replaceFirst("\\.kubeconfig$", "");
        CertificateAuthority.Issued client = client(name, identity.user(), identity.groups());
        try {
            PrivateFiles.write(file, io.kubus.client.config.Kubeconfigs.withClientCertificate(server, ca.certificatePem(), client));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private void ensureServing(Collection<String> hosts) throws IOException {
        Set<String> wanted = new LinkedHashSet<>(hosts);
        wanted.addAll(SERVICE_NAMES);
        CertificateAuthority.Issued serving = server(dir, "apiserver", "kube-apiserver", wanted,
                CertificateAuthority.Usage.SERVER);
        try {
            TlsContexts.write(TlsContexts.keyStore(serving.key(), List.of(serving.certificate(), ca.certificate())),
                    servingKeyStore());
            TlsContexts.write(TlsContexts.trustStore(List.of(ca.certificate())), trustStore());
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    /**
     * A serving certificate {@code NAME.crt} (followed by the CA's) and its key {@code NAME.key} in {@code folder},
     * with the CA as {@code ca.crt} beside them: made when missing, when it does not cover every one of
     * {@code hosts} or when a third of its life is left ({@code usage} {@code SERVER_AND_CLIENT} for a server that is
     * its own client too, as the broker towards its controller). RSA, as kubeadm's apiserver.key: every TLS client can
     * verify its handshake signature (busybox's wget in the compose stack's health checks cannot verify an ECDSA one).
     */
    public synchronized CertificateAuthority.Issued server(Path folder, String name, String commonName,
                                                           Collection<String> hosts, CertificateAuthority.Usage usage) {
        Path crt = folder.resolve(name + ".crt");
        Path key = folder.resolve(name + ".key");
        try {
            Files.createDirectories(folder);
            if (!folder.equals(dir)) {
                Files.writeString(folder.resolve("ca.crt"), ca.certificatePem());
            }
            if (Files.exists(crt) && Files.exists(key)) {
                X509Certificate existing = Pem.certificate(Files.readString(crt));
                if (fresh(existing) && sans(existing).containsAll(hosts)) {
                    return new CertificateAuthority.Issued(existing, Pem.privateKey(Files.readString(key)));
                }
            }
            CertificateAuthority.Issued serving = ca.issue(CertificateAuthority.newRsaKeyPair(), commonName, List.of(),
                    new ArrayList<>(new LinkedHashSet<>(hosts)), usage, CERT_VALIDITY);
            PrivateFiles.write(key, serving.keyPem());
            Files.writeString(crt, serving.certificatePem() + ca.certificatePem());
            LOG.info("made the serving certificate {} for {}", crt, hosts);
            return serving;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + crt, e);
        }
    }

    private void ensureServiceAccountKey() throws IOException {
        if (Files.exists(serviceAccountKey()) && Files.exists(serviceAccountPublicKey())) {
            return;
        }
        // RSA as kubeadm's sa.key: tokens are signed RS256, which every JWT verifier understands
        KeyPair pair = CertificateAuthority.newRsaKeyPair();
        PrivateFiles.write(serviceAccountKey(), Pem.encode(pair.getPrivate()));
        Files.writeString(serviceAccountPublicKey(), Pem.encode(pair.getPublic()));
    }

    private static boolean fresh(X509Certificate cert) {
        Instant from = cert.getNotBefore().toInstant();
        Instant to = cert.getNotAfter().toInstant();
        Duration third = Duration.between(from, to).dividedBy(3);
        return Instant.now().plus(third).isBefore(to);
    }

    private static Set<String> sans(X509Certificate cert) {
        Set<String> names = new LinkedHashSet<>();
        try {
            if (cert.getSubjectAlternativeNames() != null) {
                for (List<?> san : cert.getSubjectAlternativeNames()) {
                    String value = String.valueOf(san.get(1));
                    names.add(value);
                    if (value.equals("0:0:0:0:0:0:0:1")) {
                        names.add("::1");
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return Set.of();
        }
        return names;
    }
}

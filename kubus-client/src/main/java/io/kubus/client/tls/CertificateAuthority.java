package io.kubus.client.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * The cluster's certificate authority: it signs the API server's serving certificate and the client certificates
 * that name users (CN = user, O = groups, as kube-apiserver reads them). Keys are ECDSA P-256, as k3s makes them:
 * small, fast in handshakes, and accepted by kubectl and every Kubernetes client.
 */
public record CertificateAuthority(X509Certificate certificate, PrivateKey key) {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Clocks of the machines in a cluster differ a little: certificates are valid from a minute ago. */
    private static final Duration BACKDATE = Duration.ofMinutes(1);

    /** What a certificate is for. */
    public enum Usage { SERVER, CLIENT, SERVER_AND_CLIENT }

    /** A key and the certificate the authority issued for it. */
    public record Issued(X509Certificate certificate, PrivateKey key) {
        public String certificatePem() {
            return Pem.encode(certificate);
        }

        public String keyPem() {
            return Pem.encode(key);
        }
    }

    /** A new self-signed CA. */
    public static CertificateAuthority create(String commonName, Duration validity) {
        KeyPair pair = newKeyPair();
        X500Name name = name(commonName, List.of());
        try {
            X509v3CertificateBuilder b = builder(name, name, pair.getPublic(), validity);
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            return new CertificateAuthority(sign(b, pair.getPrivate()), pair.getPrivate());
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot make a CA certificate", e);
        }
    }

    /** A new ECDSA P-256 key with a certificate for it. */
    public Issued issue(String commonName, List<String> organizations, List<String> hosts, Usage usage,
                        Duration validity) {
        return issue(newKeyPair(), commonName, organizations, hosts, usage, validity);
    }

    /** A certificate for a key pair made elsewhere (an RSA serving key). */
    public Issued issue(KeyPair pair, String commonName, List<String> organizations, List<String> hosts, Usage usage,
                        Duration validity) {
        return new Issued(sign(pair.getPublic(), commonName, organizations, hosts, usage, validity), pair.getPrivate());
    }

    /** A new RSA 2048 key pair. */
    public static KeyPair newRsaKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048, RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A certificate for someone else's key. {@code hosts} are DNS names or IP addresses for the subject alternative
     * names of a serving certificate.
     */
    public X509Certificate sign(PublicKey subjectKey, String commonName, List<String> organizations,
                                List<String> hosts, Usage usage, Duration validity) {
        List<KeyPurposeId> purposes = switch (usage) {
            case SERVER -> List.of(KeyPurposeId.id_kp_serverAuth);
            case CLIENT -> List.of(KeyPurposeId.id_kp_clientAuth);
            case SERVER_AND_CLIENT -> List.of(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth);
        };
        List<GeneralName> names = new ArrayList<>();
        for (String host : hosts) {
            names.add(isIpAddress(host)
                    ? new GeneralName(GeneralName.iPAddress, host)
                    : new GeneralName(GeneralName.dNSName, host));
        }
        return sign(subjectKey, name(commonName, organizations), KeyUsage.digitalSignature | KeyUsage.keyEncipherment,
                purposes, names, validity);
    }

    /**
     * A certificate for a key with the subject, key usages ({@link KeyUsage} bits), extended key usages and subject
     * alternative names a CertificateSigningRequest's signer grants. It ends at the latest when this CA does: a
     * certificate outliving its issuer verifies nowhere.
     */
    public X509Certificate sign(PublicKey subjectKey, X500Name subject, int keyUsage, List<KeyPurposeId> purposes,
                                List<GeneralName> subjectAltNames, Duration validity) {
        try {
            Instant now = Instant.now();
            Instant caEnd = certificate.getNotAfter().toInstant();
            Duration lifetime = now.plus(validity).isAfter(caEnd) ? Duration.between(now, caEnd) : validity;
            X509v3CertificateBuilder b = builder(
                    X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()), subject, subjectKey,
                    lifetime);
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
            if (!purposes.isEmpty()) {
                b.addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(purposes.toArray(KeyPurposeId[]::new)));
            }
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
            if (!subjectAltNames.isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(subjectAltNames.toArray(GeneralName[]::new)));
            }
            return sign(b, key);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot sign a certificate for " + subject, e);
        }
    }
    public String certificatePem() {
        return Pem.encode(certificate);
    }

    public static boolean isIpAddress(String host) {
        return host.matches("[0-9.]+") || host.contains(":");
    }

    /** The host's own names and addresses, for a serving certificate reachable under any of them. */
    public static List<String> localHosts() {
        List<String> hosts = new ArrayList<>(List.of("localhost", "127.0.0.1", "::1"));
        try {
            InetAddress self = InetAddress.getLocalHost();
            hosts.add(self.getHostName());
            hosts.add(self.getHostAddress());
        } catch (java.io.IOException e) {
            // a host without a resolvable name keeps the loopback names
        }
        return hosts.stream().distinct().toList();
    }

    private static X500Name name(String commonName, List<String> organizations) {
        X500NameBuilder n = new X500NameBuilder(BCStyle.INSTANCE);
        for (String o : organizations) {
            n.addRDN(BCStyle.O, o);
        }
        n.addRDN(BCStyle.CN, commonName);
        return n.build();
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, PublicKey key,
                                                    Duration validity) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, RANDOM).add(BigInteger.ONE),
                Date.from(now.minus(BACKDATE)), Date.from(now.plus(validity)), subject, key);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    /** A new ECDSA P-256 key pair, the kind this CA issues certificates for. */
    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}

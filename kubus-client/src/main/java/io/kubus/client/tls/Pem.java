package io.kubus.client.tls;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * PEM text as kubeconfigs, kubeadm's pki folder and Kubernetes' CSRs carry it: certificates, private keys (PKCS#8,
 * or the SEC1 and PKCS#1 forms OpenSSL writes), public keys and certificate requests. Malformed input is an
 * {@link IllegalArgumentException} saying what was expected.
 */
public final class Pem {
    private static final JcaPEMKeyConverter KEYS = new JcaPEMKeyConverter();

    private Pem() {
    }

    /** PEM of a certificate, a public key or a certificate request; private keys as PKCS#8 {@code PRIVATE KEY}. */
    public static String encode(Object value) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            if (value instanceof PrivateKey key) {
                // PKCS#8, which Go's tls.X509KeyPair, OpenSSL and the JDK all read, with the curve named inside
                w.writeObject(new org.bouncycastle.util.io.pem.PemObject("PRIVATE KEY", key.getEncoded()));
            } else {
                w.writeObject(value);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Every certificate in the text, in order; at least one. */
    public static List<X509Certificate> certificates(String pem) {
        try {
            List<X509Certificate> certs = new ArrayList<>();
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (var c : factory.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                certs.add((X509Certificate) c);
            }
            if (certs.isEmpty()) {
                throw new IllegalArgumentException("no PEM certificate found");
            }
            return certs;
        } catch (CertificateException e) {
            throw new IllegalArgumentException("not a PEM certificate: " + e.getMessage(), e);
        }
    }

    public static X509Certificate certificate(String pem) {
        return certificates(pem).getFirst();
    }

    public static PrivateKey privateKey(String pem) {
        Object o = read(pem);
        try {
            if (o instanceof PEMKeyPair pair) {
                return KEYS.getPrivateKey(pair.getPrivateKeyInfo());
            }
            if (o instanceof PrivateKeyInfo info) {
                return KEYS.getPrivateKey(info);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not a usable private key: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("no PEM private key found");
    }

    public static PublicKey publicKey(String pem) {
        Object o = read(pem);
        try {
            if (o instanceof SubjectPublicKeyInfo info) {
                return KEYS.getPublicKey(info);
            }
            if (o instanceof PEMKeyPair pair) {
                return KEYS.getPublicKey(pair.getPublicKeyInfo());
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not a usable public key: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("no PEM public key found");
    }

    /** A PKCS#10 certificate request, as a CertificateSigningRequest's {@code spec.request} holds it. */
    public static PKCS10CertificationRequest certificateRequest(String pem) {
        if (read(pem) instanceof PKCS10CertificationRequest csr) {
            return csr;
        }
        throw new IllegalArgumentException("no PEM CERTIFICATE REQUEST block found");
    }

    private static Object read(String pem) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object o = parser.readObject();
            if (o == null) {
                throw new IllegalArgumentException("no PEM block found");
            }
            return o;
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed PEM: " + e.getMessage(), e);
        }
    }
}

package io.kubus.client.tls;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * PKCS#10 certificate requests as Kubernetes' CertificateSigningRequests carry them ({@code spec.request}): made for
 * an identity (a node agent asking for its client certificate), read back with their signature checked, and held
 * to the rules of the kubelet client signer, which the gateway's signer and the controllers' approver both apply.
 */
public final class CertificateRequests {
    /** The signer of node client certificates (kube's KubeAPIServerClientKubeletSignerName). */
    public static final String KUBE_APISERVER_CLIENT_KUBELET = "kubernetes.io/kube-apiserver-client-kubelet";
    /** The signer of other client certificates of the API (kube's KubeAPIServerClientSignerName). */
    public static final String KUBE_APISERVER_CLIENT = "kubernetes.io/kube-apiserver-client";
    public static final String DIGITAL_SIGNATURE = "digital signature";
    public static final String KEY_ENCIPHERMENT = "key encipherment";
    public static final String CLIENT_AUTH = "client auth";
    /**
     * The usages a node asks for with an ECDSA key, as the kubelet does for a key that is not RSA (key encipherment
     * only means something for RSA keys).
     */
    public static final List<String> NODE_CLIENT_USAGES = List.of(DIGITAL_SIGNATURE, CLIENT_AUTH);

    private static final Set<String> KUBELET_CLIENT_USAGES = Set.of(DIGITAL_SIGNATURE, KEY_ENCIPHERMENT, CLIENT_AUTH);
    private static final Set<String> KUBELET_CLIENT_USAGES_NO_RSA = Set.of(DIGITAL_SIGNATURE, CLIENT_AUTH);

    private CertificateRequests() {
    }

    /** A request read from PEM, its signature checked: who it names, its key and its subject alternative names. */
    public record Request(PKCS10CertificationRequest pkcs10, X500Name subjectName, Subjects.Subject subject,
                          PublicKey publicKey, List<GeneralName> subjectAltNames) {
        public Request {
            subjectAltNames = List.copyOf(subjectAltNames);
        }
    }

    /**
     * The PEM request of a node's client certificate ({@code O=system:nodes}, {@code CN=system:node:NAME}, what the
     * kubelet asks for when it bootstraps or rotates), signed with {@code key}.
     */
    public static String nodeClient(KeyPair key, String nodeName) {
        return create(key, Identities.node(nodeName, 1));
    }

    /** The PEM request of a client certificate naming {@code identity} (CN the user, O the groups). */
    public static String create(KeyPair key, Identities.Identity identity) {
        X500NameBuilder name = new X500NameBuilder(BCStyle.INSTANCE);
        for (String group : identity.groups()) {
            name.addRDN(BCStyle.O, group);
        }
        name.addRDN(BCStyle.CN, identity.user());
        String algorithm = key.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        try {
            return Pem.encode(new JcaPKCS10CertificationRequestBuilder(name.build(), key.getPublic())
                    .build(new JcaContentSignerBuilder(algorithm).build(key.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("cannot sign a certificate request", e);
        }
    }

    /**
     * The request in {@code pem}, as Kubernetes' ParseCSR and CheckSignature read it: the first PEM block must be a
     * {@code CERTIFICATE REQUEST} whose signature its own key verifies.
     *
     * @throws IllegalArgumentException saying what is wrong, in Go's words where Kubernetes users see them
     */
    public static Request parse(String pem) {
        PKCS10CertificationRequest csr;
        try {
            csr = Pem.certificateRequest(pem);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("PEM block type must be CERTIFICATE REQUEST", e);
        }
        PublicKey key;
        try {
            key = new JcaPKCS10CertificationRequest(csr).getPublicKey();
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
                throw new IllegalArgumentException(key.getAlgorithm().equals("RSA") ? "crypto/rsa: verification error"
                        : "x509: ECDSA verification failure");
            }
        } catch (GeneralSecurityException | OperatorCreationException | PKCSException e) {
            throw new IllegalArgumentException("x509: cannot verify signature: " + e.getMessage(), e);
        }
        return new Request(csr, csr.getSubject(), Subjects.of(csr.getSubject()), key, subjectAltNames(csr));
    }

    /**
     * Why a request is not a kubelet's client request (kube's ValidateKubeletClientCSR), empty when it is: its only
     * organization is {@code system:nodes}, it names no DNS, email, IP or URI subject alternative name, its common
     * name is {@code system:node:NAME}, and its usages are digital signature and client auth, with key encipherment
     * or without.
     */
    public static Optional<String> kubeletClientProblem(Request request, Collection<String> usages) {
        if (!request.subject().groups().equals(List.of(Identities.NODES))) {
            return Optional.of("subject organization is not system:nodes");
        }
        for (int tag : List.of(GeneralName.dNSName, GeneralName.rfc822Name, GeneralName.iPAddress,
                GeneralName.uniformResourceIdentifier)) {
            if (request.subjectAltNames().stream().anyMatch(n -> n.getTagNo() == tag)) {
                return Optional.of(switch (tag) {
                    case GeneralName.dNSName -> "DNS";
                    case GeneralName.rfc822Name -> "Email";
                    case GeneralName.iPAddress -> "IP";
                    default -> "URI";
                } + " subjectAltNames are not allowed");
            }
        }
        if (!request.subject().user().startsWith("system:node:")) {
            return Optional.of("subject common name does not begin with system:node:");
        }
        Set<String> given = Set.copyOf(usages);
        if (!given.equals(KUBELET_CLIENT_USAGES) && !given.equals(KUBELET_CLIENT_USAGES_NO_RSA)) {
            return Optional.of("usages did not match [" + CLIENT_AUTH + " " + DIGITAL_SIGNATURE + " " + KEY_ENCIPHERMENT
                    + "]");
        }
        return Optional.empty();
    }

    private static List<GeneralName> subjectAltNames(PKCS10CertificationRequest csr) {
        List<GeneralName> names = new ArrayList<>();
        for (Attribute attribute : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
            for (ASN1Encodable value : attribute.getAttrValues()) {
                Extension san = Extensions.getInstance(value).getExtension(Extension.subjectAlternativeName);
                if (san != null) {
                    names.addAll(List.of(GeneralNames.getInstance(san.getParsedValue()).getNames()));
                }
            }
        }
        return names;
    }
}

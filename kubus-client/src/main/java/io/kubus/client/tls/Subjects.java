package io.kubus.client.tls;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

import javax.security.auth.x500.X500Principal;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** The user a certificate names, as kube-apiserver's x509 authenticator reads it: CN the user, each O a group. */
public final class Subjects {
    private Subjects() {
    }

    public record Subject(String user, List<String> groups) {
        public Subject {
            groups = List.copyOf(groups);
        }
    }

    public static Subject of(X509Certificate certificate) {
        return of(certificate.getSubjectX500Principal());
    }

    public static Subject of(X500Principal principal) {
        return of(X500Name.getInstance(principal.getEncoded()));
    }

    /** The user a name states: a certificate's subject, or a certificate request's. */
    public static Subject of(X500Name name) {
        String cn = "";
        for (RDN rdn : name.getRDNs(BCStyle.CN)) {
            cn = value(rdn.getFirst().getValue());
        }
        List<String> groups = new ArrayList<>();
        for (RDN rdn : name.getRDNs(BCStyle.O)) {
            groups.add(value(rdn.getFirst().getValue()));
        }
        return new Subject(cn, groups);
    }

    private static String value(ASN1Encodable v) {
        return IETFUtils.valueToString(v);
    }
}

package io.kubus.gateway.registry.certificates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.client.tls.CertificateRequests;
import io.kubus.gateway.admission.AdmissionException;
import io.kubus.gateway.auth.UserInfo;
import io.kubus.gateway.registry.Base64Check;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.FieldProblem;
import io.kubus.schema.validation.Names;
import jakarta.inject.Singleton;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.kubus.gateway.registry.JsonTree.texts;
import static io.kubus.gateway.table.Cells.name;

/**
 * certificates.k8s.io/v1 CertificateSigningRequests (pkg/registry/certificates/certificates, validation from
 * pkg/apis/certificates/validation of Kubernetes 1.32). The requester is the user who creates the request, never what
 * its body says; the spec never changes after that; the conditions and the certificate are written only through the
 * {@code approval} and {@code status} subresources ({@link CertificateSigningRequestApproval},
 * {@link CertificateSigningRequestStatus}), whose rules this strategy's update validation backs.
 */
@Singleton
public class CertificateSigningRequestStrategy implements Strategy {
    public static final String APPROVED = "Approved";
    public static final String DENIED = "Denied";
    public static final String FAILED = "Failed";
    /** The key usages Kubernetes knows (certificates.KeyUsage's values), sorted as sets.List gives them. */
    static final List<String> USAGES = List.of("any", "cert sign", "client auth", "code signing",
            "content commitment", "crl sign", "data encipherment", "decipher only", "digital signature",
            "email protection", "encipher only", "ipsec end system", "ipsec tunnel", "ipsec user", "key agreement",
            "key encipherment", "microsoft sgc", "netscape sgc", "ocsp signing", "s/mime", "server auth", "signing",
            "timestamping");
    /** The condition types that may only be True. */
    private static final Set<String> TRUE_ONLY = Set.of(APPROVED, DENIED, FAILED);
    private static final long MIN_EXPIRATION_SECONDS = 600;
    private static final TablePrinter PRINTER = new KindPrinter(KindPrinter.columns(
            "Age", "string", TablePrinters.AGE,
            "SignerName", "string", "signerName indicates the requested signer, and is a qualified name.",
            "Requestor", "string", "request contains an x509 certificate signing request encoded in a \"CERTIFICATE "
                    + "REQUEST\" PEM block. When serialized as JSON or YAML, the data is additionally base64-encoded.",
            "RequestedDuration", "string", "expirationSeconds is the requested duration of validity of the issued "
                    + "certificate.",
            "Condition", "string", "conditions applied to the request. Known conditions are \"Approved\", "
                    + "\"Denied\", and \"Failed\"."),
            (o, now) -> List.of(name(o), TablePrinters.age(o, now),
                    or(JsonTree.text(o.path("spec"), "signerName")), JsonTree.text(o.path("spec"), "username"),
                    requestedDuration(o.path("spec")), condition(o)));

    @Override
    public ResourceType type() {
        return ResourceTypes.CERTIFICATESIGNINGREQUESTS;
    }

    /** Kubernetes does not care what requests are called; their names are one segment of a URL path all the same. */
    @Override
    public List<String> validateName(String name) {
        return Names.pathSegmentName(name);
    }

    /** The request and the certificate are []byte in Kubernetes: bad base64 is a decoding error (400). */
    @Override
    public void checkDecoding(ObjectNode csr) {
        for (JsonNode bytes : List.of(csr.path("spec").path("request"), csr.path("status").path("certificate"))) {
            int bad = bytes.isTextual() ? Base64Check.firstIllegal(bytes.asText()) : -1;
            if (bad >= 0) {
                throw AdmissionException.badRequest("CertificateSigningRequest in version \"v1\" cannot be handled as "
                        + "a CertificateSigningRequest: illegal base64 data at input byte " + bad);
            }
        }
    }

    /** Who asks is the user who creates the request; a new request is neither approved, denied nor signed. */
    @Override
    public void prepareForCreate(ObjectNode csr, UserInfo creator) {
        ObjectNode spec = JsonTree.obj(csr, "spec");
        spec.remove(List.of("username", "uid", "groups", "extra"));
        spec.put("username", creator.name());
        if (!creator.uid().isEmpty()) {
            spec.put("uid", creator.uid());
        }
        ArrayNode groups = spec.putArray("groups");
        creator.groups().forEach(groups::add);
        if (!creator.extra().isEmpty()) {
            ObjectNode extra = spec.putObject("extra");
            for (Map.Entry<String, List<String>> e : creator.extra().entrySet()) {
                ArrayNode values = extra.putArray(e.getKey());
                e.getValue().forEach(values::add);
            }
        }
        csr.set("status", emptyStatus());
    }

    /** A request is immutable but for its metadata: spec and status stay as stored (only subresources write status). */
    @Override
    public void prepareForUpdate(ObjectNode csr, ObjectNode old) {
        JsonTree.keep(csr, old, "spec");
        JsonTree.keep(csr, old, "status");
    }

    /**
     * validateCertificateSigningRequest: a request whose signature verifies, usages Kubernetes knows (each once), a
     * qualified signer name, at least ten minutes asked for; valid conditions and certificate. Kubernetes tolerates
     * in updates what older versions stored (duplicate conditions, the legacy signer); Kubus never stored such, so its
     * rules hold for every write.
     */
    @Override
    public void validate(ObjectNode csr, ErrorList errs) {
        JsonNode spec = csr.path("spec");
        String request = JsonTree.text(spec, "request");
        byte[] der = Base64.getDecoder().decode(request);
        try {
            CertificateRequests.parse(new String(der, StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            errs.invalid("spec.request", new ErrorList.GoValue(goBytes(der)), e.getMessage());
        }
        List<String> usages = texts(spec.path("usages"));
        if (usages.isEmpty()) {
            errs.required("spec.usages");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < usages.size(); i++) {
            if (!USAGES.contains(usages.get(i))) {
                errs.notSupported("spec.usages[" + i + "]", usages.get(i), USAGES);
            }
            if (!seen.add(usages.get(i))) {
                errs.duplicate("spec.usages[" + i + "]", usages.get(i));
            }
        }
        errs.addAll(signerName("spec.signerName", JsonTree.text(spec, "signerName")));
        JsonNode expiration = spec.get("expirationSeconds");
        if (expiration != null && !expiration.isNull() && expiration.asLong() < MIN_EXPIRATION_SECONDS) {
            errs.invalid("spec.expirationSeconds", expiration.asLong(),
                    "may not specify a duration less than 600 seconds (10 minutes)");
        }
        validateConditions(csr.path("status").path("conditions"), errs);
        String certificate = JsonTree.text(csr.path("status"), "certificate");
        if (!certificate.isEmpty()) {
            String problem = certificateProblem(new String(Base64.getDecoder().decode(certificate), StandardCharsets.US_ASCII));
            if (problem != null) {
                errs.invalid("status.certificate", new ErrorList.GoValue("\"<certificate data>\""), problem);
            }
        }
    }

    /**
     * validateCertificateSigningRequestUpdate: an Approved, Denied or Failed condition is never removed, and a
     * certificate once issued never changes. Which part of the status an update may change at all is its path's
     * rule: the object keeps its status, approval changes the conditions, status the rest. Beyond Kubernetes, a
     * certificate is refused before the request is approved: Kubernetes leaves that to its signers' care.
     */
    @Override
    public void validateUpdate(ObjectNode csr, ObjectNode old, ErrorList errs) {
        for (String type : List.of(APPROVED, DENIED, FAILED)) {
            if (count(csr, type) < count(old, type)) {
                errs.forbidden("status.conditions", "updates may not remove a condition of type \"" + type + "\"");
            }
        }
        String certificate = JsonTree.text(csr.path("status"), "certificate");
        String before = JsonTree.text(old.path("status"), "certificate");
        if (!certificate.equals(before)) {
            if (!before.isEmpty()) {
                errs.forbidden("status.certificate", "updates may not modify existing certificate content");
            } else if (!approved(csr)) {
                errs.forbidden("status.certificate", "may only be set once the request is Approved");
            }
        }
    }

    @Override
    public TablePrinter printer() {
        return PRINTER;
    }

    /** kube's SelectableFields of a request: its signer, as kubelets and signers select their requests by it. */
    @Override
    public Set<String> selectableFields() {
        return Set.of("spec.signerName");
    }

    /** Approved and not Denied (kube's IsCertificateRequestApproved). */
    public static boolean approved(JsonNode csr) {
        return count(csr, APPROVED) > 0 && count(csr, DENIED) == 0;
    }

    /** How many conditions of {@code type} the request has. */
    public static long count(JsonNode csr, String type) {
        return csr.path("status").path("conditions").valueStream()
                .filter(c -> type.equals(JsonTree.text(c, "type"))).count();
    }

    /** validateConditions: a type and a status each (True only for the known types), each type once, not both verdicts. */
    private static void validateConditions(JsonNode conditions, ErrorList errs) {
        Set<String> seenTypes = new HashSet<>();
        boolean approved = false;
        boolean denied = false;
        for (int i = 0; i < conditions.size(); i++) {
            String at = "status.conditions[" + i + "]";
            String type = JsonTree.text(conditions.get(i), "type");
            String status = JsonTree.text(conditions.get(i), "status");
            if (type.isEmpty()) {
                errs.required(at + ".type");
            }
            List<String> allowed = TRUE_ONLY.contains(type) ? List.of("True") : List.of("False", "True", "Unknown");
            if (status.isEmpty()) {
                errs.required(at + ".status");
            } else if (!allowed.contains(status)) {
                errs.notSupported(at + ".status", status, allowed);
            }
            approved |= type.equals(APPROVED);
            denied |= type.equals(DENIED);
            if ((type.equals(APPROVED) || type.equals(DENIED)) && approved && denied) {
                errs.invalid(at + ".type", type, "Approved and Denied conditions are mutually exclusive");
            }
            if (!seenTypes.add(type)) {
                errs.duplicate(at + ".type", type);
            }
        }
    }

    /**
     * ValidateSignerName: {@code DOMAIN/PATH}, the domain of at least two DNS labels, the path of DNS subdomains
     * separated by dots, at most 571 characters in all.
     */
    static List<FieldProblem> signerName(String field, String name) {
        if (name.isEmpty()) {
            return List.of(FieldProblem.required(field, ""));
        }
        String[] segments = name.split("/", -1);
        if (segments.length != 2) {
            return List.of(FieldProblem.invalid(field, name,
                    "must be a fully qualified domain and path of the form 'example.com/signer-name'"));
        }
        List<FieldProblem> problems = new ArrayList<>();
        if (segments[0].length() > Names.DNS1123_SUBDOMAIN_MAX_LENGTH) {
            problems.add(FieldProblem.tooLong(field, Names.DNS1123_SUBDOMAIN_MAX_LENGTH));
        }
        String[] domain = segments[0].split("\\.", -1);
        labelProblems(field, segments[0], domain, true, problems);
        if (domain.length < 2) {
            problems.add(FieldProblem.invalid(field, segments[0],
                    "should be a domain with at least two segments separated by dots"));
        }
        labelProblems(field, segments[1], segments[1].split("\\.", -1), false, problems);
        int max = Names.DNS1123_SUBDOMAIN_MAX_LENGTH + Names.DNS1123_SUBDOMAIN_MAX_LENGTH
                + Names.DNS1123_LABEL_MAX_LENGTH + 2;
        if (name.length() > max) {
            problems.add(FieldProblem.tooLong(field, max));
        }
        return problems;
    }

    /** The problems of the first label that has any (kube stops there: the rest would say the same). */
    private static void labelProblems(String field, String segment, String[] labels, boolean dnsLabels,
                                      List<FieldProblem> problems) {
        for (String label : labels) {
            List<String> errs = dnsLabels ? Names.dns1123Label(label) : Names.dns1123Subdomain(label);
            if (!errs.isEmpty()) {
                errs.forEach(e -> problems.add(FieldProblem.invalid(field, segment,
                        "validating label \"" + label + "\": " + e)));
                return;
            }
        }
    }

    /**
     * validateCertificate: what is wrong with an issued certificate's PEM, null when nothing. Text around the blocks
     * is allowed; every block must be a CERTIFICATE without headers, and there must be one.
     */
    static String certificateProblem(String pem) {
        int blocks = 0;
        try (PemReader reader = new PemReader(new StringReader(pem))) {
            CertificateFactory x509 = CertificateFactory.getInstance("X.509");
            for (PemObject block = reader.readPemObject(); block != null; block = reader.readPemObject()) {
                if (!block.getType().equals("CERTIFICATE")) {
                    return "only CERTIFICATE PEM blocks are allowed, found \"" + block.getType() + "\"";
                }
                if (!block.getHeaders().isEmpty()) {
                    return "no PEM block headers are permitted";
                }
                x509.generateCertificate(new ByteArrayInputStream(block.getContent()));
                blocks++;
            }
        } catch (IOException | CertificateException e) {
            return "x509: malformed certificate";
        }
        return blocks == 0 ? "must contain at least one CERTIFICATE PEM block" : null;
    }

    /** Go's %#v of a []byte, as field.Invalid prints a request that does not parse. */
    private static String goBytes(byte[] bytes) {
        StringBuilder b = new StringBuilder("[]byte{");
        for (int i = 0; i < bytes.length; i++) {
            b.append(i == 0 ? "" : ", ").append(String.format("0x%x", bytes[i] & 0xff));
        }
        return b.append('}').toString();
    }

    private static String or(String value) {
        return value.isEmpty() ? "<none>" : value;
    }

    private static String requestedDuration(JsonNode spec) {
        JsonNode seconds = spec.get("expirationSeconds");
        return seconds == null || seconds.isNull() ? "<none>"
                : TablePrinters.humanDuration(Duration.ofSeconds(seconds.asLong()));
    }

    /** extractCSRStatus: the verdict (Denied over Approved over Pending), then Failed and Issued. */
    private static String condition(JsonNode csr) {
        String status = count(csr, DENIED) > 0 ? "Denied" : count(csr, APPROVED) > 0 ? "Approved" : "Pending";
        if (count(csr, FAILED) > 0) {
            status += ",Failed";
        }
        if (!JsonTree.text(csr.path("status"), "certificate").isEmpty()) {
            status += ",Issued";
        }
        return status;
    }
}

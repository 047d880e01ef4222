package io.kubus.gateway.e2e;

import io.kubus.client.tls.CertificateAuthority;
import io.kubus.client.tls.CertificateRequests;
import io.kubus.client.tls.Identities;
import io.kubus.client.tls.Pem;
import io.kubus.client.tls.Subjects;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.gateway.testing.Kubectl;
import io.kubus.gateway.testing.TestPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CertificateSigningRequests with the installed kubectl against a real gateway, whose signer issues what is approved:
 * {@code kubectl certificate approve} gets a {@code kubernetes.io/kube-apiserver-client} request signed, and the
 * certificate authenticates as the request's subject; {@code kubectl certificate deny} leaves one unsigned; a request
 * the signer cannot accept fails; {@code kubectl get csr} prints kubectl's columns. Bootstrap tokens: the token of a
 * good Secret may ask for a node's certificate and do nothing else; an unknown or expired one is Unauthorized.
 */
class KubectlCertificatesEndToEndTest {
    private static final String UNAUTHORIZED = "error: You must be logged in to the server (the server has asked for the client to provide credentials)";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path dir;
    private static GatewayFixture gateway;
    private static Kubectl admin;

    @BeforeAll
    static void start() {
        gateway = GatewayFixture.start();
        admin = new Kubectl(gateway.writeKubeconfig(dir.resolve("admin")), dir.resolve("admin"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void anApprovedClientRequestIsSignedAndItsCertificateAuthenticatesADeniedOneIsNot() throws Exception {
        KeyPair key = CertificateAuthority.newKeyPair();
        create("jane", CertificateRequests.create(key, new Identities.Identity("jane", List.of("devs"))),
                CertificateRequests.KUBE_APISERVER_CLIENT, "[\"client auth\", \"digital signature\"]", 3600);
        create("bob", CertificateRequests.create(CertificateAuthority.newKeyPair(),
                new Identities.Identity("bob", List.of())), CertificateRequests.KUBE_APISERVER_CLIENT, "[\"client auth\"]", 0);

        List<String> table = admin.run("get", "csr").ok().out().lines().toList();
        assertTrue(table.getFirst().matches("NAME\\s+AGE\\s+SIGNERNAME\\s+REQUESTOR\\s+REQUESTEDDURATION\\s+CONDITION"),
                table.getFirst());
        assertTrue(table.stream().anyMatch(l -> l.matches("jane\\s+\\S+\\s+kubernetes.io/kube-apiserver-client\\s+"
                + TestPki.ADMIN + "\\s+60m\\s+Pending")), String.join("\n", table));
        assertTrue(table.stream().anyMatch(l -> l.matches("bob\\s+\\S+\\s+kubernetes.io/kube-apiserver-client\\s+"
                + TestPki.ADMIN + "\\s+<none>\\s+Pending")), String.join("\n", table));

        assertEquals("certificatesigningrequest.certificates.k8s.io/bob denied",
                admin.run("certificate", "deny", "bob").ok().out().strip());
        assertEquals("certificatesigningrequest.certificates.k8s.io/jane approved",
                admin.run("certificate", "approve", "jane").ok().out().strip());
        String issued = await("jane's certificate", () -> jsonpath("jane", "{.status.certificate}"), s -> !s.isEmpty());
        assertTrue(admin.run("get", "csr", "jane").ok().out().contains("Approved,Issued"));
        assertEquals("KubectlApprove", jsonpath("jane", "{.status.conditions[0].reason}"));

        X509Certificate certificate = Pem.certificate(new String(Base64.getDecoder().decode(issued), StandardCharsets.US_ASCII));
        assertEquals(new Subjects.Subject("jane", List.of("devs")), Subjects.of(certificate));
        certificate.verify(TestPki.pki().ca().certificate().getPublicKey());
        Duration life = Duration.between(Instant.now(), certificate.getNotAfter().toInstant());
        assertTrue(life.compareTo(Duration.ofMinutes(58)) > 0 && life.compareTo(Duration.ofMinutes(61)) < 0,
                "the hour asked for: " + life);
        Kubectl jane = as("jane", new CertificateAuthority.Issued(certificate, key.getPrivate()));
        String whoami = jane.run("auth", "whoami").ok().out();
        assertTrue(whoami.lines().anyMatch(l -> l.matches("Username\\s+jane")), whoami);
        assertTrue(whoami.lines().anyMatch(l -> l.matches("Groups\\s+\\[devs system:authenticated\\]")), whoami);

        // the signer looked at bob before jane's approval reached it, and left it: denied, never signed
        assertEquals("", jsonpath("bob", "{.status.certificate}"));
        assertTrue(admin.run("get", "csr", "bob").ok().out().lines().anyMatch(l -> l.matches("bob\\s+.*\\s+Denied")));
        Kubectl.Result again = admin.run("certificate", "approve", "bob");
        assertTrue(again.exitCode() != 0 || !jsonpath("bob", "{.status.conditions[?(@.type==\"Approved\")].type}").equals("Approved"),
                "a denied request stays denied: " + again.out() + again.err());
    }

    @Test
    void aRequestTheSignerCannotAcceptFails() throws Exception {
        create("server", CertificateRequests.create(CertificateAuthority.newKeyPair(),
                new Identities.Identity("web", List.of())), CertificateRequests.KUBE_APISERVER_CLIENT, "[\"server auth\"]", 0);
        admin.run("certificate", "approve", "server").ok();
        await("the Failed condition", () -> jsonpath("server", "{.status.conditions[?(@.type==\"Failed\")].reason}"),
                "SignerValidationFailure"::equals);
        assertEquals("invalid usage for client certificate: server auth",
                jsonpath("server", "{.status.conditions[?(@.type==\"Failed\")].message}"));
        assertTrue(admin.run("get", "csr", "server").ok().out().contains("Approved,Failed"));
        assertEquals("", jsonpath("server", "{.status.certificate}"));
    }

    @Test
    void aBootstrapTokenMayAskForANodeCertificateAndNothingElse() throws Exception {
        bootstrapSecret("abcdef", "0123456789abcdef", Instant.now().plus(Duration.ofHours(1)));
        bootstrapSecret("expird", "0123456789abcdef", Instant.now().minus(Duration.ofMinutes(1)));
        Kubectl joining = asToken("abcdef.0123456789abcdef", "joining");

        String whoami = joining.run("auth", "whoami").ok().out();
        assertTrue(whoami.lines().anyMatch(l -> l.matches("Username\\s+system:bootstrap:abcdef")), whoami);
        assertTrue(whoami.lines().anyMatch(l -> l.matches(
                "Groups\\s+\\[system:bootstrappers system:bootstrappers:kubeadm:default-node-token system:authenticated\\]")), whoami);
        Kubectl.Result pods = joining.run("get", "pods", "-A");
        assertEquals("Error from server (Forbidden): pods is forbidden: User \"system:bootstrap:abcdef\" cannot list "
                + "resource \"pods\" in API group \"\" at the cluster scope", pods.err().strip());
        Path manifest = manifest("node-csr-n1", CertificateRequests.nodeClient(CertificateAuthority.newKeyPair(), "n1"),
                CertificateRequests.KUBE_APISERVER_CLIENT_KUBELET, "[\"digital signature\", \"client auth\"]", 0);
        joining.run("create", "-f", manifest.toString()).ok();
        assertEquals("system:bootstrap:abcdef", jsonpath("node-csr-n1", "{.spec.username}"));
        assertEquals("system:bootstrappers system:bootstrappers:kubeadm:default-node-token system:authenticated",
                jsonpath("node-csr-n1", "{.spec.groups[*]}"));
        assertEquals("", jsonpath("node-csr-n1", "{.status.conditions}"), "no approver runs here");

        assertEquals(UNAUTHORIZED, lastLine(asToken("expird.0123456789abcdef", "expired").run("get", "csr").err()));
        assertEquals(UNAUTHORIZED, lastLine(asToken("abcdef.0123456789abcdee", "wrong").run("get", "csr").err()));
        assertEquals(UNAUTHORIZED, lastLine(asToken("zzzzzz.0123456789abcdef", "unknown").run("get", "csr").err()));
    }

    private static void bootstrapSecret(String id, String secret, Instant expiration) throws Exception {
        Path file = dir.resolve("bootstrap-token-" + id + ".yaml");
        Files.writeString(file, """
                apiVersion: v1
                kind: Secret
                metadata: {name: bootstrap-token-%s, namespace: kube-system}
                type: bootstrap.kubernetes.io/token
                stringData:
                  token-id: %s
                  token-secret: %s
                  expiration: "%s"
                  usage-bootstrap-authentication: "true"
                  auth-extra-groups: system:bootstrappers:kubeadm:default-node-token
                """.formatted(id, id, secret, expiration));
        admin.run("create", "-f", file.toString()).ok();
    }

    private static void create(String name, String requestPem, String signer, String usages, int expirationSeconds)
            throws Exception {
        Path file = manifest(name, requestPem, signer, usages, expirationSeconds);
        assertEquals("certificatesigningrequest.certificates.k8s.io/" + name + " created",
                admin.run("create", "-f", file.toString()).ok().out().strip());
    }

    private static Path manifest(String name, String requestPem, String signer, String usages, int expirationSeconds)
            throws Exception {
        String expiration = expirationSeconds > 0 ? ", \"expirationSeconds\": " + expirationSeconds : "";
        return Files.writeString(dir.resolve(name + ".json"), """
                {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest", "metadata": {"name": "%s"},
                 "spec": {"request": "%s", "signerName": "%s", "usages": %s%s}}
                """.formatted(name, Base64.getEncoder().encodeToString(requestPem.getBytes(StandardCharsets.US_ASCII)),
                signer, usages, expiration));
    }

    private static String jsonpath(String csr, String path) {
        return admin.run("get", "csr", csr, "-o", "jsonpath=" + path).ok().out().strip();
    }

    private static String await(String what, java.util.function.Supplier<String> read, Predicate<String> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String value = read.get();
        while (!done.test(value)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + WAIT + " for " + what + ", last saw: " + value);
            }
            Thread.sleep(200);
            value = read.get();
        }
        return value;
    }

    private static Kubectl as(String name, CertificateAuthority.Issued identity) throws Exception {
        Path home = Files.createDirectories(dir.resolve(name));
        return new Kubectl(Files.writeString(home.resolve("kubeconfig"), TestPki.kubeconfig(gateway.baseUrl(), identity)), home);
    }

    private static Kubectl asToken(String token, String name) throws Exception {
        Path home = Files.createDirectories(dir.resolve(name));
        return new Kubectl(Files.writeString(home.resolve("kubeconfig"), TestPki.tokenKubeconfig(gateway.baseUrl(), token)), home);
    }

    private static String lastLine(String out) {
        List<String> lines = out.strip().lines().toList();
        return lines.isEmpty() ? "" : lines.getLast();
    }
}

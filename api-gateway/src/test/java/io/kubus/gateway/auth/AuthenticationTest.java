package io.kubus.gateway.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.kubus.client.tls.CertificateAuthority;
import io.kubus.client.tls.ClusterPki;
import io.kubus.client.tls.Pem;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.gateway.testing.TestPki;
import io.kubus.schema.KubusJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who gets in, against a real gateway over TLS: anonymous requests (401 but for health and version), client
 * certificates (CN the user, O the groups; another CA's refused in the handshake), ServiceAccount tokens from the
 * TokenRequest API (good while their ServiceAccount and bound pod live, 401 once altered, expired or orphaned),
 * impersonation, and the review APIs that say who a caller is and what it may do.
 */
class AuthenticationTest {
    private static final String UNAUTHORIZED = """
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}""";
    private static final String JSON = "application/json";
    private static GatewayFixture gateway;
    private static final HttpClient ANONYMOUS = GatewayFixture.anonymousClient();

    @BeforeAll
    static void start() {
        // a good token is taken for the token cache's time without a check (10 s by default, as kube-apiserver's);
        // shortened so that the end of a deleted ServiceAccount's or pod's tokens is seen within a second
        gateway = GatewayFixture.start(Map.of("kubus.auth.token-cache-ttl", "1s"));
        assertEquals(201, gateway.request("POST", "/api/v1/namespaces", JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"authn\"}}").status());
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void anonymousRequestsGet401ExceptHealthAndVersion() {
        for (String path : List.of("/api", "/apis", "/api/v1", "/api/v1/pods", "/api/v1/namespaces/authn/configmaps/x",
                "/apis/apps/v1/deployments?watch=true", "/openapi/v3", "/openapi/v2", "/metrics", "/nonexistent")) {
            GatewayFixture.Reply r = gateway.request(ANONYMOUS, "GET", path, null, null, Map.of());
            assertEquals(401, r.status(), path + ": " + r.body());
            assertEquals(UNAUTHORIZED, r.body(), path);
        }
        GatewayFixture.Reply create = gateway.request(ANONYMOUS, "POST", "/api/v1/namespaces/authn/configmaps", JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"anon\"}}".getBytes(), Map.of());
        assertEquals(401, create.status());
        assertEquals(404, gateway.request("GET", "/api/v1/namespaces/authn/configmaps/anon", null, null).status(),
                "nothing stored");
        for (String path : List.of("/healthz", "/livez", "/readyz", "/version")) {
            assertEquals(200, gateway.request(ANONYMOUS, "GET", path, null, null, Map.of()).status(), path);
        }
    }

    @Test
    void aClientCertificateNamesTheUserAndItsGroups() {
        HttpClient alice = GatewayFixture.clientOf(TestPki.identity("alice", "team-a", "team-b"));
        JsonNode who = created(gateway.request(alice, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", JSON,
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\"}".getBytes(), Map.of()));
        assertEquals("alice", who.at("/status/userInfo/username").asText());
        assertEquals(List.of("team-a", "team-b", "system:authenticated"), strings(who.at("/status/userInfo/groups")));

        GatewayFixture.Reply list = gateway.request(alice, "GET", "/api/v1/pods", null, null, Map.of());
        assertEquals(403, list.status());
        assertEquals("pods is forbidden: User \"alice\" cannot list resource \"pods\" in API group \"\" at the cluster scope",
                json(list.body()).path("message").asText());
        JsonNode get = json(gateway.request(alice, "GET", "/apis/apps/v1/namespaces/authn/deployments/web/scale", null, null,
                Map.of()).body());
        assertEquals("deployments.apps \"web\" is forbidden: User \"alice\" cannot get resource \"deployments/scale\" in API "
                + "group \"apps\" in the namespace \"authn\"", get.path("message").asText());
        assertEquals("Forbidden", get.path("reason").asText());
        assertEquals("web", get.at("/details/name").asText());
        assertEquals("apps", get.at("/details/group").asText());
        assertEquals("deployments", get.at("/details/kind").asText());
    }

    @Test
    void aCertificateOfAnotherAuthorityIsNeverTakenForItsName() throws Exception {
        CertificateAuthority other = CertificateAuthority.create("not-the-cluster-ca", Duration.ofDays(1));
        CertificateAuthority.Issued forged = other.issue(TestPki.ADMIN, List.of("system:masters"), List.of(),
                CertificateAuthority.Usage.CLIENT, Duration.ofDays(1));
        // The JDK's client offers no certificate the server's CA list does not name: the request is anonymous.
        GatewayFixture.Reply r = gateway.request(GatewayFixture.clientOf(forged), "POST", "/api/v1/namespaces/authn/configmaps",
                JSON, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"forged\"}}".getBytes(), Map.of());
        assertEquals(401, r.status(), r.body());
        // A client that presents it anyway (as Go's does) is refused in the TLS handshake.
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(new javax.net.ssl.KeyManager[] {new AlwaysPresent(forged)},
                javax.net.ssl.TrustManagerFactory.getInstance("PKIX") instanceof javax.net.ssl.TrustManagerFactory tmf
                        ? trust(tmf) : null, null);
        java.net.URI base = java.net.URI.create(gateway.baseUrl());
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) ctx.getSocketFactory().createSocket(base.getHost(), base.getPort())) {
            socket.startHandshake();
            socket.getOutputStream().write(("POST /api/v1/namespaces/authn/configmaps HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 69\r\nConnection: close\r\n\r\n"
                    + "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"forged\"}}").getBytes());
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            throw new AssertionError("the handshake with another CA's certificate succeeded and got: " + answer);
        } catch (java.io.IOException expected) {
            // javax.net.ssl.SSLHandshakeException, or the connection closed by the server's alert
        }
        assertEquals(404, gateway.request("GET", "/api/v1/namespaces/authn/configmaps/forged", null, null).status());
    }

    private static javax.net.ssl.TrustManager[] trust(javax.net.ssl.TrustManagerFactory tmf) throws Exception {
        tmf.init(io.kubus.client.tls.TlsContexts.trustStore(List.of(TestPki.pki().ca().certificate())));
        return tmf.getTrustManagers();
    }

    /** A key manager that presents its certificate whatever authorities the server names. */
    private static final class AlwaysPresent extends javax.net.ssl.X509ExtendedKeyManager {
        private final CertificateAuthority.Issued id;

        AlwaysPresent(CertificateAuthority.Issued id) {
            this.id = id;
        }

        @Override
        public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
            return new String[] {"id"};
        }

        @Override
        public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, java.net.Socket socket) {
            return "id";
        }

        @Override
        public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, java.security.Principal[] issuers, java.net.Socket socket) {
            return null;
        }

        @Override
        public java.security.cert.X509Certificate[] getCertificateChain(String alias) {
            return new java.security.cert.X509Certificate[] {id.certificate()};
        }

        @Override
        public java.security.PrivateKey getPrivateKey(String alias) {
            return id.key();
        }
    }

    @Test
    void aServiceAccountTokenIsGoodWhileWhatItNamesLives() throws Exception {
        String sa = created(gateway.request("POST", "/api/v1/namespaces/authn/serviceaccounts", JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"reader\"}}"))
                .at("/metadata/uid").asText();
        JsonNode tr = created(gateway.request("POST", "/api/v1/namespaces/authn/serviceaccounts/reader/token", JSON,
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\",\"spec\":{}}"));
        assertEquals(3600, tr.at("/spec/expirationSeconds").asLong());
        assertEquals("https://kubernetes.default.svc.cluster.local", tr.at("/spec/audiences/0").asText());
        Instant expires = Instant.parse(tr.at("/status/expirationTimestamp").asText());
        assertTrue(Duration.between(Instant.now(), expires).toMinutes() >= 59, expires.toString());
        String token = tr.at("/status/token").asText();

        JsonNode who = whoAmI(token);
        assertEquals("system:serviceaccount:authn:reader", who.at("/status/userInfo/username").asText());
        assertEquals(sa, who.at("/status/userInfo/uid").asText());
        assertEquals(List.of("system:serviceaccounts", "system:serviceaccounts:authn", "system:authenticated"),
                strings(who.at("/status/userInfo/groups")));
        assertEquals(403, bearer(token, "GET", "/api/v1/namespaces/authn/pods").status(), "known, but no role yet");

        // one character altered in the signature, in the claims, and a token that expired an hour ago
        String sig = token.substring(token.lastIndexOf('.') + 1);
        char c = sig.charAt(10) == 'A' ? 'B' : 'A';
        String altered = token.substring(0, token.lastIndexOf('.') + 11) + c + sig.substring(11);
        assertUnauthorized(altered);
        String[] parts = token.split("\\.");
        String claims = new String(java.util.Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("authn:reader", "authn:admins");
        assertUnauthorized(parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + "." + parts[2]);
        assertUnauthorized(signed("authn", "reader", sa, Instant.now().minus(Duration.ofHours(2)), Instant.now().minus(Duration.ofHours(1))));
        assertEquals(201, whoAmIReply(signed("authn", "reader", sa, Instant.now(), Instant.now().plusSeconds(600))).status(),
                "the same claims, signed with the cluster's key and not expired, are good");

        // TokenReview says the same as the authenticator
        JsonNode review = created(gateway.request("POST", "/apis/authentication.k8s.io/v1/tokenreviews", JSON,
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"" + token + "\"}}"));
        assertTrue(review.at("/status/authenticated").asBoolean());
        assertEquals("system:serviceaccount:authn:reader", review.at("/status/user/username").asText());
        JsonNode bad = created(gateway.request("POST", "/apis/authentication.k8s.io/v1/tokenreviews", JSON,
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"" + altered + "\"}}"));
        assertFalse(bad.at("/status/authenticated").asBoolean());

        // a token bound to a pod ends with the pod; the ServiceAccount's ends with it
        String podUid = created(gateway.request("POST", "/api/v1/namespaces/authn/pods", JSON, """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"holder"},"spec":{"containers":[{"name":"c","image":"kubus/busybox:1"}]}}"""))
                .at("/metadata/uid").asText();
        String bound = created(gateway.request("POST", "/api/v1/namespaces/authn/serviceaccounts/reader/token", JSON,
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\",\"spec\":{\"boundObjectRef\":"
                        + "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"name\":\"holder\",\"uid\":\"" + podUid + "\"}}}"))
                .at("/status/token").asText();
        JsonNode boundWho = whoAmI(bound);
        assertEquals(List.of("holder"), strings(boundWho.at("/status/userInfo/extra/authentication.kubernetes.io~1pod-name")));
        assertEquals(200, gateway.request("DELETE", "/api/v1/namespaces/authn/pods/holder?gracePeriodSeconds=0", null, null).status());
        awaitUnauthorized(bound);
        assertEquals(201, whoAmIReply(token).status(), "the unbound token lives on");
        assertEquals(200, gateway.request("DELETE", "/api/v1/namespaces/authn/serviceaccounts/reader", null, null).status());
        awaitUnauthorized(token);
    }

    @Test
    void impersonationNeedsTheRightToImpersonate() {
        GatewayFixture.Reply asBob = gateway.request("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", JSON,
                "{}".getBytes(), Map.of("Impersonate-User", "bob", "Impersonate-Group", "devs"));
        JsonNode who = created(asBob);
        assertEquals("bob", who.at("/status/userInfo/username").asText());
        assertEquals(List.of("devs", "system:authenticated"), strings(who.at("/status/userInfo/groups")));
        assertEquals(403, gateway.request("GET", "/api/v1/pods", null, null, Map.of("Impersonate-User", "bob")).status(),
                "bob may not list pods, whoever asks as bob");

        HttpClient alice = GatewayFixture.clientOf(TestPki.identity("alice"));
        GatewayFixture.Reply r = gateway.request(alice, "GET", "/api/v1/pods", null, null, Map.of("Impersonate-User", "bob"));
        assertEquals(403, r.status());
        assertEquals("users.authentication.k8s.io \"bob\" is forbidden: User \"alice\" cannot impersonate resource "
                + "\"users\" in API group \"authentication.k8s.io\" at the cluster scope", json(r.body()).path("message").asText());
    }

    @Test
    void accessReviewsAnswerAsTheAuthorizersDecide() {
        String ssar = """
                {"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":{"resourceAttributes":
                {"namespace":"authn","verb":"delete","resource":"pods"}}}""";
        assertTrue(created(gateway.request("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", JSON, ssar))
                .at("/status/allowed").asBoolean(), "the administrator may");
        HttpClient alice = GatewayFixture.clientOf(TestPki.identity("alice"));
        assertFalse(created(gateway.request(alice, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", JSON,
                ssar.getBytes(), Map.of())).at("/status/allowed").asBoolean(), "alice may not");
        JsonNode sar = created(gateway.request("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", JSON, """
                {"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"carol",
                "groups":["system:masters"],"nonResourceAttributes":{"path":"/metrics","verb":"get"}}}"""));
        assertTrue(sar.at("/status/allowed").asBoolean());
        assertEquals(422, gateway.request("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", JSON, """
                {"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"carol"}}""").status(),
                "neither resource nor non-resource attributes");
    }

    private static String signed(String ns, String sa, String uid, Instant iat, Instant exp) throws Exception {
        ClusterPki pki = TestPki.pki();
        RSAPrivateKey key = (RSAPrivateKey) Pem.privateKey(Files.readString(pki.serviceAccountKey()));
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer("https://kubernetes.default.svc.cluster.local")
                .subject("system:serviceaccount:" + ns + ":" + sa).audience("https://kubernetes.default.svc.cluster.local")
                .issueTime(Date.from(iat)).notBeforeTime(Date.from(iat)).expirationTime(Date.from(exp))
                .claim("kubernetes.io", Map.of("namespace", ns, "serviceaccount", Map.of("name", sa, "uid", uid))).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private static GatewayFixture.Reply bearer(String token, String method, String path) {
        return gateway.request(ANONYMOUS, method, path, null, null, Map.of("Authorization", "Bearer " + token));
    }

    private static GatewayFixture.Reply whoAmIReply(String token) {
        return gateway.request(ANONYMOUS, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", JSON,
                "{}".getBytes(), Map.of("Authorization", "Bearer " + token));
    }

    private static JsonNode whoAmI(String token) {
        return created(whoAmIReply(token));
    }

    private static void assertUnauthorized(String token) {
        GatewayFixture.Reply r = whoAmIReply(token);
        assertEquals(401, r.status(), r.body());
        assertEquals(UNAUTHORIZED, r.body());
    }

    /** Deletions reach the store at once; a token's end is seen once the token cache forgets it (1 s here). */
    private static void awaitUnauthorized(String token) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (whoAmIReply(token).status() != 401 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertUnauthorized(token);
    }

    private static JsonNode created(GatewayFixture.Reply r) {
        assertEquals(201, r.status(), r.body());
        return json(r.body());
    }

    private static JsonNode json(String body) {
        try {
            return KubusJson.json().readTree(body);
        } catch (Exception e) {
            throw new AssertionError(body, e);
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}

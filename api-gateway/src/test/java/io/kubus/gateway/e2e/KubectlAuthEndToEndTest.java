package io.kubus.gateway.e2e;

import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.gateway.testing.Kubectl;
import io.kubus.gateway.testing.TestPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Credentials and rights as a user meets them, with the installed kubectl against a real gateway over TLS: a
 * ServiceAccount bound to a Role that allows get and list of pods gets a token from {@code kubectl create token};
 * with it kubectl lists pods and is refused a delete (nothing deleted); {@code kubectl auth can-i} and
 * {@code whoami} agree; an altered token, and the token of a deleted ServiceAccount, are Unauthorized.
 */
class KubectlAuthEndToEndTest {
    private static final String NS = "team-a";
    private static final String FORBIDDEN_DELETE = "Error from server (Forbidden): pods \"web\" is forbidden: User "
            + "\"system:serviceaccount:team-a:pod-reader\" cannot delete resource \"pods\" in API group \"\" in the namespace \"team-a\"";
    /**
     * What kubectl 1.32 prints last when it is answered 401, as against kube-apiserver: during discovery (nothing
     * cached yet) client-go's generic text, afterwards the Status's message.
     */
    private static final String UNAUTHORIZED = "error: You must be logged in to the server (the server has asked for the client to provide credentials)";
    private static final String UNAUTHORIZED_CACHED = "error: You must be logged in to the server (Unauthorized)";

    @TempDir
    static Path dir;
    private static GatewayFixture gateway;
    private static Kubectl admin;

    @BeforeAll
    static void start() {
        // a good token is taken for the token cache's time without a check (10 s by default, as kube-apiserver's);
        // shortened so that the end of a deleted ServiceAccount's or pod's tokens is seen within a second
        gateway = GatewayFixture.start(Map.of("kubus.auth.token-cache-ttl", "1s"));
        admin = new Kubectl(gateway.writeKubeconfig(dir.resolve("admin")), dir.resolve("admin"));
        admin.run("create", "namespace", NS).ok();
        admin.run("-n", NS, "create", "serviceaccount", "pod-reader").ok();
        admin.run("-n", NS, "create", "role", "pod-reader", "--verb=get,list", "--resource=pods").ok();
        admin.run("-n", NS, "create", "rolebinding", "pod-reader", "--role=pod-reader",
                "--serviceaccount=" + NS + ":pod-reader").ok();
        admin.run("-n", NS, "run", "web", "--image=kubus/busybox:1", "--restart=Never").ok();
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void aServiceAccountTokenHasTheRightsOfItsRoleAndNoMore() throws Exception {
        String token = admin.run("-n", NS, "create", "token", "pod-reader", "--duration=15m").ok().out().strip();
        assertEquals(3, token.split("\\.").length, "a JWT: " + token);
        Kubectl reader = asToken(token, "reader");

        awaitOutput(reader, "web", "-n", NS, "get", "pods", "-o", "name");
        Kubectl.Result delete = reader.run("-n", NS, "delete", "pod", "web", "--wait=false");
        assertEquals(1, delete.exitCode());
        assertEquals(FORBIDDEN_DELETE, delete.err().strip());
        assertEquals("pod/web", admin.run("-n", NS, "get", "pod", "web", "-o", "name").ok().out().strip(), "nothing deleted");

        assertEquals("yes", reader.run("-n", NS, "auth", "can-i", "list", "pods").ok().out().strip());
        Kubectl.Result cannot = reader.run("-n", NS, "auth", "can-i", "delete", "pods");
        assertEquals(1, cannot.exitCode());
        assertEquals("no", cannot.out().strip());
        assertEquals("yes", admin.run("-n", NS, "auth", "can-i", "get", "pods",
                "--as=system:serviceaccount:" + NS + ":pod-reader").ok().out().strip());
        assertEquals("no", admin.run("-n", NS, "auth", "can-i", "get", "pods", "-n", "default",
                "--as=system:serviceaccount:" + NS + ":pod-reader").out().strip(), "the Role is in team-a only");
        String list = reader.run("-n", NS, "auth", "can-i", "--list").ok().out();
        assertTrue(list.lines().anyMatch(l -> l.matches("pods\\s+\\[\\]\\s+\\[\\]\\s+\\[get list\\]")), list);

        String whoami = reader.run("auth", "whoami").ok().out();
        assertTrue(whoami.lines().anyMatch(l -> l.matches("Username\\s+system:serviceaccount:team-a:pod-reader")), whoami);
        assertTrue(whoami.lines().anyMatch(l -> l.matches("Groups\\s+\\[system:serviceaccounts system:serviceaccounts:team-a system:authenticated\\]")), whoami);

        // one character of the signature altered (not its last, whose low bits are padding that decodes the same)
        int at = token.lastIndexOf('.') + 10;
        Kubectl altered = asToken(token.substring(0, at) + (token.charAt(at) == 'A' ? 'B' : 'A') + token.substring(at + 1),
                "altered");
        assertEquals(UNAUTHORIZED, lastLine(altered.run("-n", NS, "get", "pods").err()));

        admin.run("-n", NS, "delete", "serviceaccount", "pod-reader").ok();
        // the token was good moments ago: the token cache may take it for its time (1 s here) more
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        String refused = lastLine(reader.run("-n", NS, "get", "pods").err());
        while (!refused.equals(UNAUTHORIZED_CACHED) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            refused = lastLine(reader.run("-n", NS, "get", "pods").err());
        }
        assertEquals(UNAUTHORIZED_CACHED, refused);
    }

    @Test
    void anUnknownTokenIsUnauthorizedAndTheAdminIsWhoTheKubeconfigSays() throws Exception {
        // (kubectl with no credentials at all prompts for a user name on its standard input, as against any server)
        Kubectl stranger = asToken("not-a-token-of-this-cluster", "stranger");
        assertEquals(UNAUTHORIZED, lastLine(stranger.run("get", "pods").err()));
        String whoami = admin.run("auth", "whoami").ok().out();
        assertTrue(whoami.lines().anyMatch(l -> l.matches("Username\\s+" + TestPki.ADMIN)), whoami);
        assertEquals("Error from server (Forbidden): pods is forbidden: User \"dave\" cannot list resource \"pods\" in "
                + "API group \"\" in the namespace \"" + NS + "\"", admin.run("-n", NS, "get", "pods", "--as=dave").err().strip());
        assertEquals("yes", admin.run("auth", "can-i", "*", "*").out().strip(), "the administrator may do anything");
    }

    private static String lastLine(String out) {
        List<String> lines = out.strip().lines().toList();
        return lines.isEmpty() ? "" : lines.getLast();
    }

    private static Kubectl asToken(String token, String name) throws Exception {
        Path home = dir.resolve(name);
        Files.createDirectories(home);
        return new Kubectl(Files.writeString(home.resolve("kubeconfig"), TestPki.tokenKubeconfig(gateway.baseUrl(), token)), home);
    }

    /** RBAC follows the change topics: a binding takes effect within a second or so, as with kube's informers. */
    private static void awaitOutput(Kubectl kubectl, String expected, String... args) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        Kubectl.Result r = kubectl.run(args);
        while (!(r.exitCode() == 0 && r.out().contains(expected)) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            r = kubectl.run(args);
        }
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains(expected), r.out());
    }
}

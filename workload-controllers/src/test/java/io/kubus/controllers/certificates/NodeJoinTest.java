package io.kubus.controllers.certificates;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestConditionBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestStatus;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.kubus.client.config.ClientConfig;
import io.kubus.client.tls.Identities;
import io.kubus.client.tls.Subjects;
import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.ClusterFixture;
import io.kubus.gateway.testing.TestPki;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node agent joins with credentials of its own (the kubelet's TLS bootstrap), against a real gateway, which signs,
 * and the controllers, whose csrapproving approves: given only a bootstrap kubeconfig, it asks for its client
 * certificate, writes its kubeconfig and registers its node; started again, it keeps that kubeconfig; it renews its
 * certificate as itself before it expires and keeps working with the new one; a denied request gives it nothing, and
 * it asks again until it is let in.
 */
class NodeJoinTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String TOKEN_ID = "abcdef";
    private static final String TOKEN = TOKEN_ID + ".0123456789abcdef";

    @TempDir
    Path dir;

    @Test
    void anAgentWithABootstrapTokenJoinsWritesItsKubeconfigAndKeepsIt() throws Exception {
        try (ClusterFixture cluster = ClusterFixture.start()) {
            cluster.startControllers();
            Map<String, Object> settings = joining(cluster, "joiner");
            ApplicationContext agent = cluster.addAgent(dir.resolve("agent"), settings);

            Path kubeconfig = Path.of((String) settings.get("kubus.agent.kubeconfig"));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(kubeconfig)));
            X509Certificate certificate = certificate(kubeconfig);
            assertEquals(new Subjects.Subject("system:node:joiner", List.of(Identities.NODES)), Subjects.of(certificate));
            List<CertificateSigningRequest> requests = requests(cluster);
            assertEquals(1, requests.size(), "one request: " + requests);
            assertTrue(requests.getFirst().getMetadata().getName().startsWith("node-csr-"));
            assertEquals("system:bootstrap:" + TOKEN_ID, requests.getFirst().getSpec().getUsername());
            Await.until(WAIT, "node joiner registered", () -> cluster.api().get(ResourceTypes.NODES, null, "joiner",
                    Node.class), n -> n.isPresent());

            agent.close();
            Instant restart = Instant.now();
            cluster.addAgent(dir.resolve("agent"), settings);
            awaitLeaseAfter(cluster, "joiner", restart);
            assertEquals(certificate, certificate(kubeconfig), "the second start keeps the kubeconfig");
            assertEquals(1, requests(cluster).size(), "and asks for no certificate");
        }
    }

    @Test
    void anAgentRenewsItsCertificateAsItselfAndKeepsWorkingWithTheNewOne() throws Exception {
        // a certificate of 10 minutes (and the minute the CA backdates), renewed after a tenth of its life: 6 s
        try (ClusterFixture cluster = ClusterFixture.start(Map.of("kubus.auth.cluster-signing-duration", "10m"))) {
            cluster.startControllers();
            Map<String, Object> settings = joining(cluster, "rotator");
            settings.put("kubus.agent.certificate-rotation-min", 0.1);
            settings.put("kubus.agent.certificate-rotation-max", 0.1);
            // an unchanged node status is reported every heartbeat (2 s), signed with the certificate of the moment
            settings.put("kubus.agent.node-status-report-frequency", "1s");
            cluster.addAgent(dir.resolve("agent"), settings);
            Path kubeconfig = Path.of((String) settings.get("kubus.agent.kubeconfig"));
            X509Certificate first = certificate(kubeconfig);

            CertificateSigningRequest renewal = Await.until(WAIT, "a renewal issued", () -> requests(cluster).stream()
                    .filter(r -> r.getMetadata().getName().startsWith("csr-") && r.getStatus() != null
                            && r.getStatus().getCertificate() != null).findFirst(), r -> r.isPresent()).orElseThrow();
            assertEquals("system:node:rotator", renewal.getSpec().getUsername(), "renewed as the node itself");
            assertEquals("Auto approving self kubelet client certificate after SubjectAccessReview.",
                    renewal.getStatus().getConditions().getFirst().getMessage());
            X509Certificate renewed = Await.until(WAIT, "the kubeconfig rewritten", () -> certificate(kubeconfig),
                    c -> !c.equals(first));
            assertNotEquals(first.getPublicKey(), renewed.getPublicKey(), "a new key");
            assertEquals(Subjects.of(first), Subjects.of(renewed));

            // the Lease is renewed through the API and the node's status reports are accepted after the rotation
            Instant rotated = Instant.now();
            awaitLeaseAfter(cluster, "rotator", rotated.plusSeconds(1));
            Await.until(WAIT, "a Ready heartbeat reported after the rotation", () -> ready(cluster, "rotator"),
                    c -> c != null && Instant.parse(c.getLastHeartbeatTime()).isAfter(rotated.plusSeconds(1)));
        }
    }

    @Test
    void aDeniedRequestGivesNoKubeconfigAndTheAgentAsksAgain() throws Exception {
        try (ClusterFixture cluster = ClusterFixture.start()) {
            Map<String, Object> settings = joining(cluster, "denied");
            settings.put("kubus.agent.certificate-retry-max", "1s");
            Path kubeconfig = Path.of((String) settings.get("kubus.agent.kubeconfig"));
            // no controllers yet: the request stays pending until the administrator decides
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread starting = Thread.ofVirtual().start(() -> {
                try {
                    cluster.addAgent(dir.resolve("agent"), settings);
                } catch (Throwable t) {
                    failed.set(t);
                }
            });
            CertificateSigningRequest pending = Await.until(WAIT, "the agent's request", () -> requests(cluster),
                    r -> !r.isEmpty()).getFirst();
            if (pending.getStatus() == null) {
                pending.setStatus(new CertificateSigningRequestStatus());
            }
            pending.getStatus().getConditions().add(new CertificateSigningRequestConditionBuilder().withType("Denied")
                    .withStatus("True").withReason("NotThisOne").withMessage("denied by the test").build());
            cluster.api().updateSubresource(ResourceTypes.CERTIFICATESIGNINGREQUESTS, pending, "approval");
            Thread.sleep(3_000);
            assertFalse(Files.exists(kubeconfig), "a denied request writes no kubeconfig");
            assertTrue(starting.isAlive(), "the agent keeps asking");

            // the denied request removed and the approver running: the agent's next request gets it in
            cluster.api().delete(ResourceTypes.CERTIFICATESIGNINGREQUESTS, null, pending.getMetadata().getName(),
                    null, null);
            cluster.startControllers();
            starting.join(WAIT.toMillis());
            assertFalse(starting.isAlive(), "the agent started");
            assertEquals(null, failed.get());
            assertEquals("system:node:denied", Subjects.of(certificate(kubeconfig)).user());
            Await.until(WAIT, "node denied registered", () -> cluster.api().get(ResourceTypes.NODES, null, "denied",
                    Node.class), n -> n.isPresent());
        }
    }

    @Test
    void theTokenOfTheGatewaysBootstrapKubeconfigLetsAnAgentJoin() throws Exception {
        Path credentials = dir.resolve("credentials");
        try (ClusterFixture cluster = ClusterFixture.start(Map.of("kubus.auth.kubeconfig-dir", credentials.toString()))) {
            cluster.startControllers();
            Path written = credentials.resolve("bootstrap.kubeconfig");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(written)));
            String token = ClientConfig.fromKubeconfig(written).bearerToken().get().orElseThrow();
            // the file names the stack's address (kubus.auth.kubeconfig-server); this gateway listens elsewhere
            Map<String, Object> settings = agent("gatewaytoken", Files.writeString(dir.resolve("bootstrap.kubeconfig"),
                    TestPki.tokenKubeconfig(cluster.gateway().baseUrl(), token)));
            cluster.addAgent(dir.resolve("agent"), settings);
            CertificateSigningRequest request = requests(cluster).getFirst();
            assertEquals("system:bootstrap:" + token.substring(0, 6), request.getSpec().getUsername());
            assertTrue(request.getSpec().getGroups().contains("system:bootstrappers:kubeadm:default-node-token"),
                    "kubeadm's default node token group: " + request.getSpec().getGroups());
            assertEquals("system:node:gatewaytoken", Subjects.of(certificate(
                    Path.of((String) settings.get("kubus.agent.kubeconfig")))).user());
        }
    }

    /**
     * A bootstrap token in kube-system (kubeadm's default node token) and what a simulated agent needs to join with
     * it: the bootstrap kubeconfig and where to write its own.
     */
    private Map<String, Object> joining(ClusterFixture cluster, String node) throws Exception {
        cluster.api().create(ResourceTypes.SECRETS, new SecretBuilder()
                .withNewMetadata().withName("bootstrap-token-" + TOKEN_ID).withNamespace("kube-system").endMetadata()
                .withType("bootstrap.kubernetes.io/token")
                .withStringData(Map.of("token-id", TOKEN_ID, "token-secret", "0123456789abcdef",
                        "usage-bootstrap-authentication", "true",
                        "auth-extra-groups", "system:bootstrappers:kubeadm:default-node-token",
                        "expiration", Instant.now().plus(Duration.ofHours(1)).toString()))
                .build());
        return agent(node, Files.writeString(dir.resolve("bootstrap.kubeconfig"),
                TestPki.tokenKubeconfig(cluster.gateway().baseUrl(), TOKEN)));
    }

    /** A simulated agent of {@code node} joining with {@code bootstrap}, its own kubeconfig not written yet. */
    private Map<String, Object> agent(String node, Path bootstrap) {
        Map<String, Object> settings = new HashMap<>();
        settings.put("kubus.agent.runtime", "simulated");
        settings.put("kubus.agent.node-name", node);
        settings.put("kubus.agent.bootstrap-kubeconfig", bootstrap.toString());
        settings.put("kubus.agent.kubeconfig", dir.resolve("kubelet/" + node + ".kubeconfig").toString());
        return settings;
    }

    private static X509Certificate certificate(Path kubeconfig) {
        return ClientConfig.fromKubeconfig(kubeconfig).identity().orElseThrow().chain().getFirst();
    }

    private static List<CertificateSigningRequest> requests(ClusterFixture cluster) {
        return cluster.api().list(ResourceTypes.CERTIFICATESIGNINGREQUESTS, null, null, null,
                CertificateSigningRequest.class).items();
    }

    private static void awaitLeaseAfter(ClusterFixture cluster, String node, Instant after) throws InterruptedException {
        Await.until(WAIT, "the Lease of " + node + " renewed after " + after, () -> cluster.api().get(
                ResourceTypes.LEASES, "kube-node-lease", node, Lease.class), l -> l.isPresent()
                && l.get().getSpec().getRenewTime() != null
                && l.get().getSpec().getRenewTime().toInstant().isAfter(after));
    }

    private static NodeCondition ready(ClusterFixture cluster, String node) {
        return cluster.api().get(ResourceTypes.NODES, null, node, Node.class)
                .flatMap(n -> n.getStatus() == null ? Optional.empty() : n.getStatus().getConditions().stream()
                        .filter(c -> c.getType().equals("Ready")).findFirst())
                .orElse(null);
    }
}

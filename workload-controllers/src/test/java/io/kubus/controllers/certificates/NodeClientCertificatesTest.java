package io.kubus.controllers.certificates;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.kubus.client.api.KubusApi;
import io.kubus.client.api.KubusApiException;
import io.kubus.client.tls.CertificateAuthority;
import io.kubus.client.tls.CertificateRequests;
import io.kubus.client.tls.Identities;
import io.kubus.client.tls.Pem;
import io.kubus.client.tls.Subjects;
import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.ClusterFixture;
import io.kubus.gateway.testing.TestPki;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node joins with credentials of its own, against a real gateway (which signs) and the controllers (whose
 * csrapproving approves): with a bootstrap token it asks for its client certificate, which is approved and signed and
 * then authenticates as {@code system:node:NAME}, with the Node authorizer's limits; with that certificate it asks for
 * the next one, approved as its own renewal. A node asking for another node's certificate, a request to another
 * signer, and a subject that is not a node's are left for a person.
 */
class NodeClientCertificatesTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String TOKEN = "abcdef.0123456789abcdef";

    @Test
    void aNodeJoinsWithABootstrapTokenAndRenewsWithItsOwnCertificate() throws Exception {
        try (ClusterFixture cluster = ClusterFixture.start()) {
            cluster.startControllers();
            cluster.api().create(ResourceTypes.SECRETS, new SecretBuilder()
                    .withNewMetadata().withName("bootstrap-token-abcdef").withNamespace("kube-system").endMetadata()
                    .withType("bootstrap.kubernetes.io/token")
                    .withStringData(Map.of("token-id", "abcdef", "token-secret", "0123456789abcdef",
                            "usage-bootstrap-authentication", "true",
                            "expiration", Instant.now().plus(Duration.ofHours(1)).toString()))
                    .build());
            KubusApi joining = new KubusApi(TestPki.tokenConfig(cluster.gateway().baseUrl(), TOKEN));

            KeyPair key = CertificateAuthority.newKeyPair();
            joining.create(ResourceTypes.CERTIFICATESIGNINGREQUESTS, request("node-csr-n1",
                    CertificateRequests.nodeClient(key, "n1"), CertificateRequests.KUBE_APISERVER_CLIENT_KUBELET));
            CertificateSigningRequest joined = awaitSigned(cluster, "node-csr-n1");
            assertEquals("Auto approving kubelet client certificate after SubjectAccessReview.", approval(joined).getMessage());
            X509Certificate certificate = certificate(joined);
            assertEquals(new Subjects.Subject("system:node:n1", List.of(Identities.NODES)), Subjects.of(certificate));

            KubusApi node = new KubusApi(TestPki.clientConfig(cluster.gateway().baseUrl(),
                    new CertificateAuthority.Issued(certificate, key.getPrivate())));
            node.list(ResourceTypes.NODES, null, null, null, io.fabric8.kubernetes.api.model.Node.class);
            KubusApiException unrelated = assertThrows(KubusApiException.class, () -> node.get(ResourceTypes.SECRETS,
                    "kube-system", "bootstrap-token-abcdef", io.fabric8.kubernetes.api.model.Secret.class));
            assertEquals(403, unrelated.code());
            assertTrue(unrelated.getMessage().contains("no relationship found between node 'n1' and this object"),
                    unrelated.getMessage());
            KubusApiException pods = assertThrows(KubusApiException.class, () -> joining.list(ResourceTypes.PODS, null,
                    null, null, io.fabric8.kubernetes.api.model.Pod.class));
            assertEquals(403, pods.code(), "a bootstrap token asks for certificates and nothing else");

            KeyPair renewed = CertificateAuthority.newKeyPair();
            node.create(ResourceTypes.CERTIFICATESIGNINGREQUESTS, request("node-csr-n1-renewal",
                    CertificateRequests.nodeClient(renewed, "n1"), CertificateRequests.KUBE_APISERVER_CLIENT_KUBELET));
            CertificateSigningRequest renewal = awaitSigned(cluster, "node-csr-n1-renewal");
            assertEquals("Auto approving self kubelet client certificate after SubjectAccessReview.",
                    approval(renewal).getMessage());
            assertEquals("system:node:n1", Subjects.of(certificate(renewal)).user());

            KeyPair other = CertificateAuthority.newKeyPair();
            node.create(ResourceTypes.CERTIFICATESIGNINGREQUESTS, request("n1-for-n2",
                    CertificateRequests.nodeClient(other, "n2"), CertificateRequests.KUBE_APISERVER_CLIENT_KUBELET));
            joining.create(ResourceTypes.CERTIFICATESIGNINGREQUESTS, request("other-signer",
                    CertificateRequests.nodeClient(other, "n3"), CertificateRequests.KUBE_APISERVER_CLIENT));
            joining.create(ResourceTypes.CERTIFICATESIGNINGREQUESTS, request("not-a-node",
                    CertificateRequests.create(other, new Identities.Identity("someone", List.of(Identities.NODES))),
                    CertificateRequests.KUBE_APISERVER_CLIENT_KUBELET));
            joining.create(ResourceTypes.CERTIFICATESIGNINGREQUESTS, request("node-csr-n4",
                    CertificateRequests.nodeClient(other, "n4"), CertificateRequests.KUBE_APISERVER_CLIENT_KUBELET));
            awaitSigned(cluster, "node-csr-n4");
            // the approver's workers took the three before n4's; give the slowest of them a moment to have decided
            Thread.sleep(1_000);
            for (String pending : List.of("n1-for-n2", "other-signer", "not-a-node")) {
                CertificateSigningRequest csr = get(cluster, pending);
                assertTrue(csr.getStatus() == null || csr.getStatus().getConditions() == null
                        || csr.getStatus().getConditions().isEmpty(), pending + " is left pending: " + csr.getStatus());
            }
        }
    }

    private static CertificateSigningRequest request(String name, String pem, String signer) {
        return new CertificateSigningRequestBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withRequest(Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII)))
                .withSignerName(signer)
                .withUsages(signer.equals(CertificateRequests.KUBE_APISERVER_CLIENT) ? List.of(CertificateRequests.CLIENT_AUTH)
                        : CertificateRequests.NODE_CLIENT_USAGES)
                .endSpec().build();
    }

    private static CertificateSigningRequest get(ClusterFixture cluster, String name) {
        return cluster.api().get(ResourceTypes.CERTIFICATESIGNINGREQUESTS, null, name, CertificateSigningRequest.class)
                .orElseThrow();
    }

    private static CertificateSigningRequest awaitSigned(ClusterFixture cluster, String name) throws InterruptedException {
        return Await.until(WAIT, name + " approved and signed", () -> get(cluster, name),
                csr -> csr.getStatus() != null && csr.getStatus().getCertificate() != null
                        && !csr.getStatus().getCertificate().isEmpty());
    }

    private static CertificateSigningRequestCondition approval(CertificateSigningRequest csr) {
        CertificateSigningRequestCondition approved = csr.getStatus().getConditions().stream()
                .filter(c -> c.getType().equals("Approved")).findFirst().orElseThrow();
        assertEquals("True", approved.getStatus());
        assertEquals("AutoApproved", approved.getReason());
        return approved;
    }

    private static X509Certificate certificate(CertificateSigningRequest csr) {
        return Pem.certificate(new String(Base64.getDecoder().decode(csr.getStatus().getCertificate()),
                StandardCharsets.US_ASCII));
    }
}

package io.kubus.gateway.auth;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.client.tls.CertificateAuthority;
import io.kubus.client.tls.CertificateRequests;
import io.kubus.client.tls.Pem;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.config.AuthSettings;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.ServerMetadata;
import io.kubus.gateway.registry.certificates.CertificateSigningRequestStrategy;
import io.kubus.gateway.store.ObjectList;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.store.WriteOutcome;
import io.kubus.gateway.watch.StoreFollower;
import io.kubus.gateway.watch.WatchCache;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.event.WatchEventType;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * kube-controller-manager's csrsigning controller for the two client signers of the API: an approved request, not
 * failed and not yet signed, of {@code kubernetes.io/kube-apiserver-client-kubelet} (a node's client certificate:
 * {@code O=system:nodes}, {@code CN=system:node:NAME}, client auth and digital signature, key encipherment allowed, no
 * subject alternative names) or {@code kubernetes.io/kube-apiserver-client} (client auth, digital signature, key
 * encipherment only) gets a certificate of the cluster's CA with the request's subject, living the request's
 * {@code expirationSeconds} or {@code kubus.auth.cluster-signing-duration} (a year), whichever is shorter. A request
 * the signer cannot accept gets the Failed condition (reason SignerValidationFailure) instead.
 *
 * <p>Kubus signs in the gateway, not in workload-controllers as Kubernetes does in kube-controller-manager: the CA's
 * key lives in the gateway's PKI folder, where the gateway needs it anyway (the serving certificate, the services'
 * kubeconfigs), and the controllers' process would otherwise need a copy of it (kube's --cluster-signing-key-file).
 * Keeping the key in one process keeps the set of processes that can mint any identity at one.
 *
 * <p>Level-triggered: every request is listed at start and after a lost watch, and every change of one is looked at,
 * so a request approved while no gateway ran is signed when one starts. The decision is made again under the
 * request's row lock, so gateways that look at the same request at once issue one certificate.
 */
@Context
@Requires(env = GatewayApplication.ENVIRONMENT)
public class CertificateSigner implements AutoCloseable {
    static final String SIGNER_VALIDATION_FAILURE = "SignerValidationFailure";
    private static final Logger LOG = LoggerFactory.getLogger(CertificateSigner.class);

    private final CertificateAuthority ca;
    private final AuthSettings settings;
    private final ObjectStore store;
    private final Clock clock;
    /** Names of requests to look at, from the follower's lists and changes. */
    private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final StoreFollower follower;
    private volatile boolean running = true;

    public CertificateSigner(GatewayPki pki, AuthSettings settings, ObjectStore store, WatchCache watchCache,
                             Clock clock) {
        this.ca = pki.pki().ca();
        this.settings = settings;
        this.store = store;
        this.clock = clock;
        this.thread = Thread.ofPlatform().daemon().name("csr-signer").start(this::run);
        this.follower = new StoreFollower("csr-signer-requests", List.of(ResourceTypes.CERTIFICATESIGNINGREQUESTS),
                store, watchCache, new StoreFollower.View() {
                    @Override
                    public void replace(ResourceType type, ObjectList requests) {
                        requests.items().forEach(csr -> queue.add(JsonTree.text(csr.path("metadata"), "name")));
                    }

                    @Override
                    public void apply(ResourceType type, WatchEventType change, ObjectNode csr) {
                        if (change != WatchEventType.DELETED) {
                            queue.add(JsonTree.text(csr.path("metadata"), "name"));
                        }
                    }
                });
    }

    private void run() {
        while (running) {
            String next;
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                sign(next);
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                LOG.warn("signing certificate requests failed ({}), retrying in 1 s: {}", next, e.toString());
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException ie) {
                    return;
                }
                queue.add(next);
            }
        }
    }

    /** Signs the request, or fails it, when it is one of these signers', approved and neither failed nor signed. */
    private void sign(String name) {
        store.write(ResourceTypes.CERTIFICATESIGNINGREQUESTS, "", name, current -> current != null && ours(current)
                && CertificateSigningRequestStrategy.approved(current)
                && CertificateSigningRequestStrategy.count(current, CertificateSigningRequestStrategy.FAILED) == 0
                && JsonTree.text(current.path("status"), "certificate").isEmpty()
                ? WriteOutcome.put(decide(current)) : WriteOutcome.keep());
    }

    private static boolean ours(ObjectNode csr) {
        String signer = JsonTree.text(csr.path("spec"), "signerName");
        return signer.equals(CertificateRequests.KUBE_APISERVER_CLIENT_KUBELET)
                || signer.equals(CertificateRequests.KUBE_APISERVER_CLIENT);
    }

    private ObjectNode decide(ObjectNode csr) {
        ObjectNode spec = (ObjectNode) csr.path("spec");
        List<String> usages = new ArrayList<>();
        spec.path("usages").forEach(u -> usages.add(u.asText()));
        CertificateRequests.Request request;
        try {
            request = CertificateRequests.parse(new String(Base64.getDecoder().decode(JsonTree.text(spec, "request")),
                    StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            return failed(csr, e.getMessage());
        }
        Optional<String> problem = JsonTree.text(spec, "signerName").equals(CertificateRequests.KUBE_APISERVER_CLIENT)
                ? clientUsagesProblem(usages) : CertificateRequests.kubeletClientProblem(request, usages);
        if (problem.isPresent()) {
            return failed(csr, problem.get());
        }
        Duration lifetime = settings.getClusterSigningDuration();
        if (spec.hasNonNull("expirationSeconds")) {
            Duration asked = Duration.ofSeconds(spec.path("expirationSeconds").asLong());
            lifetime = asked.compareTo(lifetime) < 0 ? asked : lifetime;
        }
        int keyUsage = KeyUsage.digitalSignature | (usages.contains(CertificateRequests.KEY_ENCIPHERMENT)
                ? KeyUsage.keyEncipherment : 0);
        String pem = Pem.encode(ca.sign(request.publicKey(), request.subjectName(), keyUsage,
                List.of(KeyPurposeId.id_kp_clientAuth), request.subjectAltNames(), lifetime));
        ObjectNode next = csr.deepCopy();
        JsonTree.obj(next, "status").put("certificate",
                Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII)));
        LOG.info("signed certificate request {} of {} for {}", JsonTree.text(csr.path("metadata"), "name"),
                JsonTree.text(spec, "username"), request.subject());
        return next;
    }

    /** validAPIServerClientUsages: client auth, and besides it only digital signature and key encipherment. */
    private static Optional<String> clientUsagesProblem(List<String> usages) {
        for (String usage : usages) {
            if (!usage.equals(CertificateRequests.CLIENT_AUTH) && !usage.equals(CertificateRequests.DIGITAL_SIGNATURE)
                    && !usage.equals(CertificateRequests.KEY_ENCIPHERMENT)) {
                return Optional.of("invalid usage for client certificate: " + usage);
            }
        }
        return usages.contains(CertificateRequests.CLIENT_AUTH) ? Optional.empty()
                : Optional.of("missing required usage for client certificate: " + CertificateRequests.CLIENT_AUTH);
    }

    private ObjectNode failed(ObjectNode csr, String message) {
        ObjectNode next = csr.deepCopy();
        ObjectNode status = JsonTree.obj(next, "status");
        ArrayNode conditions = status.has("conditions") ? (ArrayNode) status.get("conditions") : status.putArray("conditions");
        String now = ServerMetadata.now(clock);
        conditions.addObject().put("type", CertificateSigningRequestStrategy.FAILED).put("status", "True")
                .put("reason", SIGNER_VALIDATION_FAILURE).put("message", message)
                .put("lastUpdateTime", now).put("lastTransitionTime", now);
        LOG.info("certificate request {} failed: {}", JsonTree.text(csr.path("metadata"), "name"), message);
        return next;
    }

    @PreDestroy
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        follower.close();
    }
}

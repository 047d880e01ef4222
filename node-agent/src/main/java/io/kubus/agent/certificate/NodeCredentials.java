package io.kubus.agent.certificate;

import io.kubus.agent.NodeAgentApplication;
import io.kubus.agent.config.AgentSettings;
import io.kubus.client.api.KubusApi;
import io.kubus.client.certificate.CertificateManager;
import io.kubus.client.certificate.CertificateSigningRequests;
import io.kubus.client.config.ClientConfig;
import io.kubus.client.config.Kubeconfigs;
import io.kubus.client.tls.CertificateAuthority;
import io.kubus.client.tls.CertificateRequests;
import io.kubus.client.tls.Identities;
import io.kubus.client.tls.Pem;
import io.kubus.client.tls.PrivateFiles;
import io.kubus.client.tls.Subjects;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Who this agent is at the API, and how it stays so (the kubelet's {@code certificate/bootstrap} and its client
 * certificate manager). At start: the kubeconfig ({@code kubus.agent.kubeconfig}) when it holds a client certificate
 * that is good now; else, with a bootstrap kubeconfig, the agent makes its own key, asks for its node's client
 * certificate with a CertificateSigningRequest authenticated with the bootstrap token, waits for it (a denied or failed
 * request is logged and asked again, with back-off, as the kubelet keeps trying) and writes its kubeconfig: the
 * bootstrap kubeconfig's server and CA, the certificate and key embedded, readable by the agent only. The key never
 * leaves the agent. Then, while the agent runs, the certificate is renewed as the node itself before it expires
 * ({@link CertificateManager}), the kubeconfig rewritten, and every new connection and status signature uses the new one.
 */
@Requires(env = NodeAgentApplication.ENVIRONMENT)
@Singleton
public class NodeCredentials implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeCredentials.class);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(2);

    private final AgentSettings settings;
    private final Path kubeconfig;
    private final Identities.Identity identity;
    private final ClientConfig config;
    private final KubusApi api;
    private final CertificateManager manager;

    public NodeCredentials(AgentSettings settings) throws InterruptedException {
        this.settings = settings;
        this.kubeconfig = Path.of(settings.getKubeconfig());
        this.identity = Identities.node(settings.baseNodeName(), settings.nodeCount());
        Optional<ClientConfig> existing = usable(kubeconfig);
        if (existing.isEmpty()) {
            if (settings.getBootstrapKubeconfig().isEmpty()) {
                throw new IllegalStateException("the node agent's kubeconfig " + kubeconfig + " is missing or holds no "
                        + "client certificate that is good now, and no kubus.agent.bootstrap-kubeconfig is set to ask "
                        + "for one: node agents authenticate, and sign their status reports, with a client certificate");
            }
            bootstrap();
        }
        this.config = existing.orElseGet(() -> ClientConfig.fromKubeconfig(kubeconfig));
        this.api = new KubusApi(config, KubusApi.userAgent("kubelet"));
        this.manager = rotation();
    }

    /** How the agent reaches the API, presenting its current client certificate. */
    public ClientConfig config() {
        return config;
    }

    /**
     * The kubeconfig's client configuration when it has a client certificate that is good now (the kubelet's
     * isClientConfigStillValid): missing, unreadable or expired is not.
     */
    private static Optional<ClientConfig> usable(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            ClientConfig config = ClientConfig.fromKubeconfig(file);
            Instant now = Instant.now();
            if (config.identity().isPresent() && config.identity().get().chain().stream()
                    .allMatch(c -> c.getNotAfter().toInstant().isAfter(now))) {
                return Optional.of(config);
            }
            LOG.warn("the kubeconfig {} holds no client certificate that is good now", file);
        } catch (RuntimeException e) {
            LOG.warn("the kubeconfig {} is not usable: {}", file, e.getMessage());
        }
        return Optional.empty();
    }

    /** Joins with the bootstrap token: asks until a certificate is issued, then writes the kubeconfig. */
    private void bootstrap() throws InterruptedException {
        if (!identity.groups().equals(List.of(Identities.NODES))) {
            throw new IllegalStateException("an agent simulating " + settings.nodeCount() + " nodes is one identity ("
                    + identity.user() + " in " + identity.groups() + "), which no kubelet client certificate names: "
                    + "give it a kubeconfig instead of kubus.agent.bootstrap-kubeconfig");
        }
        LOG.info("no usable kubeconfig at {}: joining as {} with the bootstrap kubeconfig {}", kubeconfig,
                identity.user(), settings.getBootstrapKubeconfig());
        // one key for every attempt: the request's name is a digest of it, so asking again finds the same request
        KeyPair key = CertificateAuthority.newKeyPair();
        Duration pause = FIRST_RETRY.compareTo(settings.getCertificateRetryMax()) > 0
                ? settings.getCertificateRetryMax() : FIRST_RETRY;
        while (true) {
            try {
                join(key);
                LOG.info("joined: wrote {} with the client certificate of {}", kubeconfig, identity.user());
                return;
            } catch (IOException | RuntimeException e) {
                LOG.warn("asking for the client certificate of {} failed, asking again in {} s: {}",
                        identity.user(), pause.toSeconds(), e.getMessage());
            }
            Thread.sleep(pause.toMillis());
            pause = pause.multipliedBy(2).compareTo(settings.getCertificateRetryMax()) > 0
                    ? settings.getCertificateRetryMax() : pause.multipliedBy(2);
        }
    }

    /** One request with the bootstrap token for {@code key}, its certificate written into the kubeconfig. */
    private void join(KeyPair key) throws InterruptedException, IOException {
        ClientConfig bootstrap = ClientConfig.fromKubeconfig(Path.of(settings.getBootstrapKubeconfig()));
        try (KubusApi joining = new KubusApi(bootstrap)) {
            write(bootstrap.server(), bootstrap.authorities(),
                    new ClientConfig.Identity(key.getPrivate(), request(joining, key, true)));
        }
    }

    private List<X509Certificate> request(KubusApi api, KeyPair key, boolean joining) throws InterruptedException {
        return CertificateSigningRequests.request(api,
                joining ? CertificateSigningRequests.digestedName(key.getPublic(), identity,
                        CertificateRequests.NODE_CLIENT_USAGES) : null,
                key, identity, CertificateRequests.KUBE_APISERVER_CLIENT_KUBELET, CertificateRequests.NODE_CLIENT_USAGES,
                settings.getCertificateRequestTimeout());
    }

    /**
     * Renewal as the node itself (approved as selfnodeclient), for a certificate that is a kubelet client
     * certificate: a simulated pool's names no such node, and is renewed by whoever made it.
     */
    private CertificateManager rotation() {
        if (!settings.isRotateCertificates()) {
            return null;
        }
        Subjects.Subject subject = Subjects.of(config.identity().orElseThrow().chain().getFirst());
        if (!subject.equals(new Subjects.Subject(identity.user(), List.of(Identities.NODES)))) {
            LOG.info("the client certificate names {} in {}, not a node's own: it is not renewed", subject.user(),
                    subject.groups());
            return null;
        }
        CertificateManager m = new CertificateManager(identity.user(), config.certificate().orElseThrow(),
                this::renew, next -> write(config.server(), config.authorities(), next),
                settings.getCertificateRotationMin(), settings.getCertificateRotationMax(),
                settings.getCertificateRetryMax(), Clock.systemUTC());
        m.start();
        return m;
    }

    /**
     * A certificate for a new key, asked for as the node itself; once the current certificate has expired (renewals
     * failed all its life) that identity is gone, and the bootstrap token, when there is one, asks instead, as the
     * kubelet's certificate manager falls back to its bootstrap credentials.
     */
    private List<X509Certificate> renew(KeyPair key) throws InterruptedException {
        X509Certificate current = config.identity().orElseThrow().chain().getFirst();
        if (!current.getNotAfter().toInstant().isAfter(Instant.now()) && !settings.getBootstrapKubeconfig().isEmpty()) {
            try (KubusApi joining = new KubusApi(ClientConfig.fromKubeconfig(Path.of(settings.getBootstrapKubeconfig())))) {
                return request(joining, key, true);
            }
        }
        return request(api, key, false);
    }

    /** The kubeconfig with the certificate and key embedded, replaced whole and readable by the agent only. */
    private void write(String server, List<X509Certificate> authorities, ClientConfig.Identity id) throws IOException {
        String ca = authorities.stream().map(Pem::encode).collect(Collectors.joining());
        PrivateFiles.write(kubeconfig, Kubeconfigs.withClientCertificate(server, ca,
                new CertificateAuthority.Issued(id.chain().getFirst(), id.key())));
    }

    @PreDestroy
    @Override
    public void close() {
        if (manager != null) {
            manager.close();
        }
        api.close();
    }
}

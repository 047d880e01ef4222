package io.kubus.gateway.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.client.config.ClientConfig;
import io.kubus.client.config.Kubeconfigs;
import io.kubus.client.tls.PrivateFiles;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.config.AuthSettings;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.ServerMetadata;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.store.WriteOutcome;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PostConstruct;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Map;

/**
 * The token node agents join a stack without launcher with (the compose stack), as kubeadm init makes its default node
 * token: a {@code bootstrap.kubernetes.io/token} Secret in kube-system, for authentication only, in kubeadm's group
 * {@code system:bootstrappers:kubeadm:default-node-token}, expiring after {@code kubus.auth.bootstrap-token-ttl}, and
 * {@code bootstrap.kubeconfig} beside the services' kubeconfigs with the API's address, the cluster's CA and the token.
 * A gateway start keeps the token of an existing file while more than half of its life is left, and else makes a new
 * one: an agent that joins later, or lost its own kubeconfig, finds a good token after the stack's next start, and a
 * token read from the volume stops being good by itself. The Secret is written through the store, so it is encrypted
 * at rest as any Secret.
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Requires(property = "kubus.auth.kubeconfig-dir")
@Context
public class NodeBootstrapToken {
    static final String FILE = "bootstrap.kubeconfig";
    static final String GROUP = "system:bootstrappers:kubeadm:default-node-token";
    private static final Logger LOG = LoggerFactory.getLogger(NodeBootstrapToken.class);
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    private final GatewayPki pki;
    private final AuthSettings settings;
    private final ObjectStore store;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public NodeBootstrapToken(GatewayPki pki, AuthSettings settings, ObjectStore store, Clock clock) {
        this.pki = pki;
        this.settings = settings;
        this.store = store;
        this.clock = clock;
    }

    @PostConstruct
    void ensure() {
        Path file = Path.of(settings.getKubeconfigDir()).resolve(FILE);
        if (usable(file)) {
            return;
        }
        String id = random(6);
        String secret = random(16);
        Instant expires = Instant.now(clock).plus(settings.getBootstrapTokenTtl()).truncatedTo(ChronoUnit.SECONDS);
        store.write(ResourceTypes.SECRETS, "kube-system", BootstrapTokens.SECRET_PREFIX + id,
                current -> current != null ? WriteOutcome.keep() : WriteOutcome.put(tokenSecret(id, secret, expires)));
        try {
            PrivateFiles.write(file, Kubeconfigs.withToken(settings.getKubeconfigServer(), pki.pki().ca().certificatePem(),
                    id + "." + secret));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        LOG.info("wrote {} with bootstrap token {} (good until {})", file, id, expires);
    }

    /** Whether the file's token has its Secret, matching it, with more than half of its life left. */
    private boolean usable(Path file) {
        if (!Files.exists(file)) {
            return false;
        }
        try {
            String token = ClientConfig.fromKubeconfig(file).bearerToken().get().orElse("");
            int dot = token.indexOf('.');
            if (dot < 0) {
                return false;
            }
            JsonNode data = store.get(ResourceTypes.SECRETS, "kube-system",
                    BootstrapTokens.SECRET_PREFIX + token.substring(0, dot)).map(s -> s.path("data")).orElse(null);
            if (data == null || !decoded(data, "token-secret").equals(token.substring(dot + 1))) {
                return false;
            }
            Instant expires = OffsetDateTime.parse(decoded(data, "expiration")).toInstant();
            return expires.isAfter(Instant.now(clock).plus(settings.getBootstrapTokenTtl().dividedBy(2)));
        } catch (RuntimeException e) {
            LOG.info("making a new bootstrap token: the one of {} is not usable ({})", file, e.getMessage());
            return false;
        }
    }

    private ObjectNode tokenSecret(String id, String secret, Instant expires) {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("apiVersion", "v1");
        s.put("kind", "Secret");
        ObjectNode meta = s.putObject("metadata");
        meta.put("name", BootstrapTokens.SECRET_PREFIX + id);
        meta.put("namespace", "kube-system");
        ServerMetadata.created(meta, clock);
        s.put("type", BootstrapTokens.SECRET_TYPE);
        ObjectNode data = s.putObject("data");
        Map.of("token-id", id, "token-secret", secret, "usage-bootstrap-authentication", "true",
                "auth-extra-groups", GROUP, "expiration", expires.toString(),
                "description", "The default bootstrap token the gateway made for the node agents to join with.")
                .forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        return s;
    }

    private static String decoded(JsonNode data, String key) {
        return new String(Base64.getDecoder().decode(JsonTree.text(data, key)), StandardCharsets.UTF_8);
    }

    private String random(int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return b.toString();
    }
}

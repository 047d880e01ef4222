package io.kubus.gateway.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bootstrap tokens, as kube-apiserver's {@code --enable-bootstrap-token-auth} reads them: the bearer token
 * {@code ID.SECRET} names the Secret {@code kube-system/bootstrap-token-ID} of type
 * {@code bootstrap.kubernetes.io/token}, whose {@code token-secret} it must match and which must say
 * {@code usage-bootstrap-authentication: "true"} and not be past its {@code expiration}. The user is
 * {@code system:bootstrap:ID} in {@code system:bootstrappers} and the groups of {@code auth-extra-groups}: what a new
 * node agent presents to ask for its own certificate, and can do nothing else with (RBAC). Secrets are read through
 * the store, which decrypts them.
 *
 * <p>A token of another shape is not this authenticator's; one of this shape that no good Secret backs is refused by
 * none of them either, so it ends as every unknown token does, in 401. Why it was refused is logged, never answered.
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Singleton
public class BootstrapTokens implements TokenAuthenticator {
    public static final String SECRET_TYPE = "bootstrap.kubernetes.io/token";
    public static final String SECRET_PREFIX = "bootstrap-token-";
    public static final String USER_PREFIX = "system:bootstrap:";
    public static final String GROUP = "system:bootstrappers";
    private static final Logger LOG = LoggerFactory.getLogger(BootstrapTokens.class);
    private static final Pattern TOKEN = Pattern.compile("([a-z0-9]{6})\\.([a-z0-9]{16})");
    private static final Pattern EXTRA_GROUP = Pattern.compile("system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]");

    private final ObjectStore store;
    private final Clock clock;

    public BootstrapTokens(ObjectStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    @Override
    public Optional<UserInfo> authenticate(String token) {
        Matcher m = TOKEN.matcher(token);
        if (!m.matches()) {
            return Optional.empty();
        }
        String id = m.group(1);
        String name = SECRET_PREFIX + id;
        ObjectNode secret = store.get(ResourceTypes.SECRETS, "kube-system", name).orElse(null);
        if (secret == null) {
            return Optional.empty();
        }
        if (secret.path("metadata").hasNonNull("deletionTimestamp")) {
            return refused(name, "is deleted and awaiting removal");
        }
        if (!JsonTree.text(secret, "type").equals(SECRET_TYPE)) {
            return refused(name, "has invalid type, expected " + SECRET_TYPE);
        }
        JsonNode data = secret.path("data");
        // constant time, so how long the comparison takes tells nothing of how much of the secret matched
        if (!MessageDigest.isEqual(value(data, "token-secret").getBytes(StandardCharsets.UTF_8),
                m.group(2).getBytes(StandardCharsets.UTF_8))) {
            return refused(name, "has invalid value for key token-secret");
        }
        if (!value(data, "token-id").equals(id)) {
            return refused(name, "has invalid value for key token-id");
        }
        String expiration = value(data, "expiration");
        if (!expiration.isEmpty()) {
            try {
                if (!Instant.now(clock).isBefore(OffsetDateTime.parse(expiration).toInstant())) {
                    return refused(name, "has expired");
                }
            } catch (DateTimeParseException e) {
                return refused(name, "has unparsable expiration time");
            }
        }
        if (!value(data, "usage-bootstrap-authentication").equals("true")) {
            return refused(name, "not marked usage-bootstrap-authentication=true");
        }
        Set<String> groups = new LinkedHashSet<>(List.of(GROUP));
        String extra = value(data, "auth-extra-groups");
        if (!extra.isEmpty()) {
            for (String group : extra.split(",")) {
                if (!EXTRA_GROUP.matcher(group).matches()) {
                    return refused(name, "has invalid value for key auth-extra-groups: bootstrap-group \"" + group
                            + "\" is invalid (must match " + EXTRA_GROUP.pattern() + ")");
                }
                groups.add(group);
            }
        }
        List<String> all = new ArrayList<>(groups);
        all.add(UserInfo.ALL_AUTHENTICATED);
        return Optional.of(new UserInfo(USER_PREFIX + id, "", all, Map.of()));
    }

    private static String value(JsonNode data, String key) {
        String encoded = JsonTree.text(data, key);
        return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    }

    private static Optional<UserInfo> refused(String secret, String why) {
        LOG.info("bootstrap token secret kube-system/{} {}", secret, why);
        return Optional.empty();
    }
}

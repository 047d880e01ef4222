package io.kubus.gateway.auth;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kubus.client.tls.Subjects;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.config.AuthSettings;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import jakarta.inject.Singleton;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds who made a request, as kube-apiserver's authenticator union does: the client certificate the TLS handshake
 * verified against the cluster's CA (CN the user, O the groups), else a bearer token one of the token
 * authenticators knows (static tokens, then ServiceAccount tokens, then bootstrap tokens). Empty for an anonymous request; a token that
 * is recognised but not good is an {@link InvalidTokenException}, never a fall-back to anonymous.
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Singleton
public class Authentication {
    private static final String BEARER = "bearer ";

    private final List<TokenAuthenticator> tokens;
    private final TokenCache cache;

    public Authentication(StaticTokens staticTokens, ServiceAccountTokens serviceAccounts,
                          BootstrapTokens bootstrapTokens, AuthSettings settings) {
        this.tokens = List.of(staticTokens, serviceAccounts, bootstrapTokens);
        this.cache = new TokenCache(settings.getTokenCacheTtl(), Ticker.systemTicker());
    }

    public Optional<UserInfo> authenticate(HttpRequest<?> request) {
        Optional<Certificate> cert = request.getCertificate();
        if (cert.isPresent() && cert.get() instanceof X509Certificate x509) {
            Subjects.Subject s = Subjects.of(x509);
            if (!s.user().isEmpty()) {
                List<String> groups = new ArrayList<>(s.groups());
                groups.add(UserInfo.ALL_AUTHENTICATED);
                return Optional.of(new UserInfo(s.user(), "", groups, Map.of()));
            }
        }
        String header = request.getHeaders().get("Authorization");
        if (header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            String token = header.substring(BEARER.length()).strip();
            // kube's bearer authenticator ignores an empty token or one with spaces in it: no credential at all
            if (!token.isEmpty() && !token.contains(" ")) {
                return authenticateToken(token);
            }
        }
        return Optional.empty();
    }

    public Optional<UserInfo> authenticateToken(String token) {
        return cache.authenticate(token, () -> authenticateEach(token));
    }

    private Optional<UserInfo> authenticateEach(String token) {
        for (TokenAuthenticator a : tokens) {
            Optional<UserInfo> user = a.authenticate(token);
            if (user.isPresent()) {
                return user;
            }
        }
        throw new InvalidTokenException("invalid bearer token");
    }
}

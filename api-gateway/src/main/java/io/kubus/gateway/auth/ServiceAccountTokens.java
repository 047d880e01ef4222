package io.kubus.gateway.auth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.kubus.client.tls.Pem;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.config.AuthSettings;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.watch.CachedObjects;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * ServiceAccount tokens as kube-apiserver signs and checks them (pkg/serviceaccount): RS256 JWTs signed with the
 * cluster's {@code sa.key}, with the issuer, audiences, expiry and the private {@code kubernetes.io} claim naming
 * the ServiceAccount (and the pod, secret or node the token is bound to) by name and uid. A token is good only
 * while what it names still exists with the same uid, so deleting a ServiceAccount or a pod ends its tokens.
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Singleton
public class ServiceAccountTokens implements TokenAuthenticator {
    private static final String CLAIM = "kubernetes.io";
    /** kube's bound-token validator allows a minute of clock skew on nbf and exp. */
    private static final Duration LEEWAY = Duration.ofSeconds(60);

    private final AuthSettings settings;
    private final ObjectStore store;
    private final CachedObjects cache;
    private final Clock clock;
    private final RSASSASigner signer;
    private final RSASSAVerifier verifier;
    private final String keyId;

    public ServiceAccountTokens(AuthSettings settings, GatewayPki pki, ObjectStore store, CachedObjects cache,
                               Clock clock) {
        this.settings = settings;
        this.store = store;
        this.cache = cache;
        this.clock = clock;
        try {
            RSAPrivateKey key = (RSAPrivateKey) Pem.privateKey(Files.readString(pki.pki().serviceAccountKey()));
            RSAPublicKey pub = (RSAPublicKey) Pem.publicKey(Files.readString(pki.pki().serviceAccountPublicKey()));
            this.signer = new RSASSASigner(key);
            this.verifier = new RSASSAVerifier(pub);
            // kube's key id: the unpadded base64url SHA-256 of the public key's DER form
            this.keyId = Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(pub.getEncoded()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the ServiceAccount signing key", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a token is bound to besides its ServiceAccount: a pod, a secret or a node, by kind, name and uid. */
    public record BoundObject(String kind, String name, String uid) {
    }

    /** A signed token and when it expires. */
    public record Token(String value, Instant expires) {
    }

    public Token issue(String namespace, String serviceAccount, String serviceAccountUid, List<String> audiences,
                       Duration lifetime, Optional<BoundObject> bound) {
        Instant now = Instant.now(clock).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Instant exp = now.plus(lifetime);
        Map<String, Object> k8s = new LinkedHashMap<>();
        k8s.put("namespace", namespace);
        k8s.put("serviceaccount", Map.of("name", serviceAccount, "uid", serviceAccountUid));
        bound.ifPresent(b -> k8s.put(b.kind().toLowerCase(java.util.Locale.ROOT), Map.of("name", b.name(), "uid", b.uid())));
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(settings.getServiceAccountIssuer())
                .subject(UserInfo.SERVICE_ACCOUNT_PREFIX + namespace + ":" + serviceAccount)
                .audience(audiences)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(exp))
                .jwtID(UUID.randomUUID().toString())
                .claim(CLAIM, k8s)
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(keyId).build(), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
        return new Token(jwt.serialize(), exp);
    }

    @Override
    public Optional<UserInfo> authenticate(String token) {
        return authenticate(token, settings.getApiAudiences());
    }

    /**
     * The ServiceAccount a token names, when the token is one of this cluster's, is meant for one of
     * {@code audiences}, is within its lifetime and everything it names still exists; empty when it is no JWT of
     * this issuer (another authenticator may know it).
     *
     * @throws InvalidTokenException when it is this issuer's token but not good
     */
    public Optional<UserInfo> authenticate(String token, List<String> audiences) {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            return Optional.empty();
        }
        if (!settings.getServiceAccountIssuer().equals(claims.getIssuer())) {
            return Optional.empty();
        }
        try {
            if (!JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
                throw new InvalidTokenException("invalid bearer token");
            }
        } catch (JOSEException e) {
            throw new InvalidTokenException("invalid bearer token");
        }
        Instant now = Instant.now(clock);
        if (claims.getExpirationTime() == null || now.isAfter(claims.getExpirationTime().toInstant().plus(LEEWAY))) {
            throw new InvalidTokenException("service account token has expired");
        }
        if (claims.getNotBeforeTime() != null && now.isBefore(claims.getNotBeforeTime().toInstant().minus(LEEWAY))) {
            throw new InvalidTokenException("service account token is not valid yet");
        }
        if (claims.getAudience().stream().noneMatch(audiences::contains)) {
            throw new InvalidTokenException("token audiences " + claims.getAudience() + " is invalid for the target audiences "
                    + audiences);
        }
        Map<String, Object> k8s;
        try {
            k8s = claims.getJSONObjectClaim(CLAIM);
        } catch (ParseException e) {
            throw new InvalidTokenException("invalid bearer token");
        }
        if (k8s == null) {
            throw new InvalidTokenException("invalid bearer token");
        }
        String namespace = String.valueOf(k8s.get("namespace"));
        Ref sa = Ref.of(k8s.get("serviceaccount"));
        // the ServiceAccount from memory (this gateway's deletes seen at once, other gateways' within moments, as
        // kube-apiserver's informer-fed getter); the pod and Secret, too many to hold, from the store
        ObjectNode account = cache.get(ResourceTypes.SERVICEACCOUNTS, namespace, sa.name()).filter(sa::names)
                .orElseThrow(() -> new InvalidTokenException("service account " + namespace + "/" + sa.name() + " has been deleted"));
        Map<String, List<String>> extra = new LinkedHashMap<>();
        if (k8s.get("pod") != null) {
            Ref pod = Ref.of(k8s.get("pod"));
            ObjectNode p = live(ResourceTypes.PODS, namespace, pod)
                    .orElseThrow(() -> new InvalidTokenException("pod " + namespace + "/" + pod.name() + " has been deleted"));
            String deletion = p.path("metadata").path("deletionTimestamp").asText("");
            if (!deletion.isEmpty() && Instant.parse(deletion).isBefore(now)) {
                throw new InvalidTokenException("pod " + namespace + "/" + pod.name() + " is being deleted");
            }
            extra.put("authentication.kubernetes.io/pod-name", List.of(pod.name()));
            extra.put("authentication.kubernetes.io/pod-uid", List.of(pod.uid()));
        }
        if (k8s.get("secret") != null) {
            Ref secret = Ref.of(k8s.get("secret"));
            live(ResourceTypes.SECRETS, namespace, secret)
                    .orElseThrow(() -> new InvalidTokenException("secret " + namespace + "/" + secret.name() + " has been deleted"));
        }
        if (claims.getJWTID() != null) {
            extra.put("authentication.kubernetes.io/credential-id", List.of("JTI=" + claims.getJWTID()));
        }
        List<String> groups = new ArrayList<>(List.of(UserInfo.SERVICE_ACCOUNTS_GROUP,
                UserInfo.SERVICE_ACCOUNTS_GROUP + ":" + namespace, UserInfo.ALL_AUTHENTICATED));
        return Optional.of(new UserInfo(UserInfo.SERVICE_ACCOUNT_PREFIX + namespace + ":" + sa.name(),
                account.path("metadata").path("uid").asText(), groups, extra));
    }

    private Optional<ObjectNode> live(io.kubus.schema.ResourceType type, String namespace, Ref ref) {
        return store.get(type, namespace, ref.name()).filter(ref::names);
    }

    private record Ref(String name, String uid) {
        /** Whether the object is the one the token names: the same uid, not a namesake made since. */
        boolean names(ObjectNode o) {
            return o.path("metadata").path("uid").asText().equals(uid);
        }

        @SuppressWarnings("unchecked")
        static Ref of(Object claim) {
            if (!(claim instanceof Map<?, ?> m)) {
                throw new InvalidTokenException("invalid bearer token");
            }
            return new Ref(String.valueOf(m.get("name")), String.valueOf(m.get("uid")));
        }
    }
}

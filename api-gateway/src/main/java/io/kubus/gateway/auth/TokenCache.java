package io.kubus.gateway.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Successful bearer-token authentications remembered for a short time, as kube-apiserver wraps its token
 * authenticators in a cache (k8s.io/apiserver/pkg/authentication/token/cache; 10 s for a success, failures not
 * kept): a client that sends the same token again within that time is not parsed, verified and looked up again
 * (the signature, the ServiceAccount, and the pod or Secret a token is bound to, read from the store).
 *
 * <p>The price is kube's too: a token whose ServiceAccount or pod was deleted, or that expired, is still taken for
 * up to that time. Tokens are not kept: an entry's key is an HMAC of the token under a key made at start.
 */
final class TokenCache {
    /** kube's is 32 stripes of 4096 entries; one bound of that order keeps a flood of new tokens from growing it. */
    static final int MAX_ENTRIES = 65_536;

    private final Cache<String, UserInfo> remembered;
    private final Mac keyed;

    /** {@code ttl} zero or negative: nothing is remembered. */
    TokenCache(Duration ttl, Ticker ticker) {
        this.remembered = ttl.isPositive()
                ? Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(MAX_ENTRIES).ticker(ticker)
                        .executor(Runnable::run).build()
                : null;
        try {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            this.keyed = Mac.getInstance("HmacSHA256");
            keyed.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /**
     * Who the token names: remembered when it was authenticated within the TTL, else {@code authenticate}'s answer,
     * remembered when it names someone. What {@code authenticate} throws is passed on and not remembered.
     */
    Optional<UserInfo> authenticate(String token, Supplier<Optional<UserInfo>> authenticate) {
        if (remembered == null) {
            return authenticate.get();
        }
        String key = key(token);
        UserInfo known = remembered.getIfPresent(key);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<UserInfo> user = authenticate.get();
        user.ifPresent(u -> remembered.put(key, u));
        return user;
    }

    private String key(String token) {
        try {
            Mac mac = (Mac) keyed.clone(); // a Mac is not thread-safe; a copy of the initialised one is cheap
            return HexFormat.of().formatHex(mac.doFinal(token.getBytes(StandardCharsets.UTF_8)));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's HmacSHA256 is cloneable", e);
        }
    }
}

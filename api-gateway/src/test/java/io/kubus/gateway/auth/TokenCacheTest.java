package io.kubus.gateway.auth;

import com.github.benmanes.caffeine.cache.Ticker;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The token cache's rules, on a clock the test moves. */
class TokenCacheTest {
    private static final UserInfo ALICE = new UserInfo("system:serviceaccount:a:alice", "u1",
            List.of("system:serviceaccounts"), Map.of());
    private static final UserInfo BOB = new UserInfo("bob", "", List.of(), Map.of());

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final Ticker ticker = nanos::get;

    /** An authenticator that counts its calls and answers what {@code answer} says at that moment. */
    private static final class Counting implements Supplier<Optional<UserInfo>> {
        final AtomicInteger calls = new AtomicInteger();
        Supplier<Optional<UserInfo>> answer;

        Counting(Supplier<Optional<UserInfo>> answer) {
            this.answer = answer;
        }

        @Override
        public Optional<UserInfo> get() {
            calls.incrementAndGet();
            return answer.get();
        }
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void aGoodTokenIsTakenWithoutACheckForTheTtlAndCheckedAgainAfterIt() {
        TokenCache cache = new TokenCache(Duration.ofSeconds(10), ticker);
        Counting check = new Counting(() -> Optional.of(ALICE));
        assertEquals(Optional.of(ALICE), cache.authenticate("t1", check));
        advance(Duration.ofSeconds(9));
        assertEquals(Optional.of(ALICE), cache.authenticate("t1", check));
        assertEquals(1, check.calls.get(), "within the TTL the token is not checked again");

        // the ServiceAccount is deleted: the remembered answer holds until the TTL has passed, then the check says so
        check.answer = () -> {
            throw new InvalidTokenException("service account a/alice has been deleted");
        };
        assertEquals(Optional.of(ALICE), cache.authenticate("t1", check));
        advance(Duration.ofSeconds(1));
        assertThrows(InvalidTokenException.class, () -> cache.authenticate("t1", check));
        assertEquals(2, check.calls.get());
    }

    @Test
    void failuresAreNotRememberedAndEachTokenHasItsOwnEntry() {
        TokenCache cache = new TokenCache(Duration.ofSeconds(10), ticker);
        Counting refuses = new Counting(() -> {
            throw new InvalidTokenException("invalid bearer token");
        });
        assertThrows(InvalidTokenException.class, () -> cache.authenticate("bad", refuses));
        assertThrows(InvalidTokenException.class, () -> cache.authenticate("bad", refuses));
        assertEquals(2, refuses.calls.get(), "a refused token is checked every time");

        Counting unknown = new Counting(Optional::empty);
        assertEquals(Optional.empty(), cache.authenticate("nobody's", unknown));
        assertEquals(Optional.empty(), cache.authenticate("nobody's", unknown));
        assertEquals(2, unknown.calls.get(), "a token no authenticator knows is not remembered either");

        cache.authenticate("t1", new Counting(() -> Optional.of(ALICE)));
        assertEquals(Optional.of(BOB), cache.authenticate("t2", new Counting(() -> Optional.of(BOB))));
        assertEquals(Optional.of(ALICE), cache.authenticate("t1", new Counting(() -> Optional.of(BOB))));
    }

    @Test
    void aZeroTtlChecksEveryRequest() {
        TokenCache cache = new TokenCache(Duration.ZERO, ticker);
        Counting check = new Counting(() -> Optional.of(ALICE));
        cache.authenticate("t1", check);
        cache.authenticate("t1", check);
        assertEquals(2, check.calls.get());
    }
}

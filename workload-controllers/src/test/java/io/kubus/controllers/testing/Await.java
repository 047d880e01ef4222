package io.kubus.controllers.testing;

import java.time.Duration;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Waiting for a condition with a deadline; the failure says what was last seen. */
public final class Await {
    private Await() {
    }

    /** Polls {@code probe} until {@code done} holds for its value; fails with the last value after {@code timeout}. */
    public static <V> V until(Duration timeout, String what, Supplier<V> probe, Predicate<V> done)
            throws InterruptedException {
        return until(timeout, what, probe, done, String::valueOf);
    }

    /** As {@link #until(Duration, String, Supplier, Predicate)}, describing the last value with {@code show}. */
    public static <V> V until(Duration timeout, String what, Supplier<V> probe, Predicate<V> done,
                              Function<V, String> show) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        V last = null;
        while (System.nanoTime() < deadline) {
            last = probe.get();
            if (done.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what + "; last seen: " + (last == null ? null : show.apply(last)));
    }
}

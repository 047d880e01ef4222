package io.kubus.client.controller;

import java.time.Duration;
import java.util.Objects;

/**
 * A controller's one piece of logic: make the object under {@code key} ({@code namespace/name}, or {@code name} for
 * cluster-scoped kinds) what its spec asks for, reading the world from informer caches. Level-triggered: it is told
 * only which key to look at, never what changed, and may be called for a key any number of times.
 */
@FunctionalInterface
public interface Reconciler {
    /**
     * Converges one key. A thrown exception puts the key back in the queue with a growing back-off (per key, reset on
     * the next success); {@link Result#requeueAfter} asks to look again later without counting as a failure.
     */
    Result reconcile(String key) throws Exception;

    /** What a reconcile asks of the queue once it returned normally. */
    record Result(Duration requeueAfter) {
        private static final Result DONE = new Result(null);

        /** Converged, or waiting for an event that will enqueue the key again. */
        public static Result done() {
            return DONE;
        }

        /** Look at the key again after {@code delay} (e.g. minReadySeconds or a deadline), unless an event comes first. */
        public static Result requeueAfter(Duration delay) {
            return new Result(Objects.requireNonNull(delay));
        }

        /** The earlier of two requests: a reconcile that checks several deadlines keeps the nearest. */
        public Result orSooner(Result other) {
            if (other.requeueAfter == null) {
                return this;
            }
            if (requeueAfter == null || other.requeueAfter.compareTo(requeueAfter) < 0) {
                return other;
            }
            return this;
        }
    }
}

package io.kubus.client.controller;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A controller's counters: reconciles, failures, time spent reconciling (total, maximum and a histogram with
 * Prometheus-style cumulative buckets), with the queue's depth read live. Exposed by the service that runs the
 * controller (e.g. as {@code /metrics}).
 */
public final class ControllerMetrics {
    /** Upper bounds of the reconcile-time histogram, in seconds. */
    public static final double[] BUCKETS = {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10};

    private final LongAdder reconciles = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder requeues = new LongAdder();
    private final LongAdder totalNanos = new LongAdder();
    private final AtomicLong maxNanos = new AtomicLong();
    private final LongAdder[] buckets = new LongAdder[BUCKETS.length];

    ControllerMetrics() {
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    void record(long nanos, boolean failed, boolean requeued) {
        reconciles.increment();
        if (failed) {
            errors.increment();
        }
        if (requeued) {
            requeues.increment();
        }
        totalNanos.add(nanos);
        maxNanos.accumulateAndGet(nanos, Math::max);
        double seconds = nanos / 1e9;
        for (int i = 0; i < BUCKETS.length; i++) {
            if (seconds <= BUCKETS[i]) {
                buckets[i].increment();
            }
        }
    }

    /** A consistent-enough copy for reporting. */
    public record Snapshot(String controller, int queueDepth, int delayed, long adds, long retries, long reconciles,
                           long errors, long requeues, double reconcileSeconds, double maxReconcileSeconds,
                           long[] bucketCounts) {
    }

    Snapshot snapshot(String controller, WorkQueue queue) {
        long[] counts = new long[buckets.length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = buckets[i].sum();
        }
        return new Snapshot(controller, queue.depth(), queue.delayed(), queue.adds(), queue.retries(),
                reconciles.sum(), errors.sum(), requeues.sum(), totalNanos.sum() / 1e9, maxNanos.get() / 1e9, counts);
    }
}

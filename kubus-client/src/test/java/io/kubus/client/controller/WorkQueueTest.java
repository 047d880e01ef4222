package io.kubus.client.controller;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkQueueTest {
    @Test
    void aKeyIsQueuedOnceHoweverOftenItIsAdded() throws Exception {
        try (WorkQueue q = new WorkQueue("t", Duration.ofMillis(5), Duration.ofSeconds(1))) {
            q.add("a");
            q.add("b");
            q.add("a");
            assertEquals(2, q.depth());
            assertEquals(Optional.of("a"), q.take());
            assertEquals(Optional.of("b"), q.take());
            assertEquals(0, q.depth());
        }
    }

    @Test
    void aKeyAddedWhileProcessingComesBackAfterDoneNotBefore() throws Exception {
        try (WorkQueue q = new WorkQueue("t", Duration.ofMillis(5), Duration.ofSeconds(1))) {
            q.add("a");
            String key = q.take().orElseThrow();
            q.add("a");
            q.add("a");
            assertEquals(0, q.depth(), "not handed to a second worker while the first holds it");
            q.done(key);
            assertEquals(1, q.depth());
            assertEquals(Optional.of("a"), q.take());
            q.done("a");
            assertEquals(0, q.depth());
        }
    }

    @Test
    void backoffDoublesToItsCapAndForgetResetsIt() throws Exception {
        try (WorkQueue q = new WorkQueue("t", Duration.ofMillis(5), Duration.ofMillis(100))) {
            assertEquals(Duration.ofMillis(5), q.backoff(0));
            assertEquals(Duration.ofMillis(40), q.backoff(3));
            assertEquals(Duration.ofMillis(100), q.backoff(10));
            assertEquals(Duration.ofMillis(100), q.backoff(1000));
            q.addRateLimited("a");
            q.addRateLimited("a");
            assertEquals(2, q.failures("a"));
            q.forget("a");
            assertEquals(0, q.failures("a"));
            assertEquals(2, q.retries());
        }
    }

    @Test
    void delayedAddArrivesAfterItsDelayAndTheEarliestWins() throws Exception {
        try (WorkQueue q = new WorkQueue("t", Duration.ofMillis(5), Duration.ofSeconds(1))) {
            long t0 = System.nanoTime();
            q.addAfter("a", Duration.ofSeconds(30));
            q.addAfter("a", Duration.ofMillis(150));
            assertEquals(1, q.delayed());
            assertEquals(Optional.of("a"), q.take());
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(waited >= 140 && waited < 5_000, "waited " + waited + " ms");
            assertEquals(0, q.delayed());
        }
    }

    @Test
    void closeWakesWaitingWorkers() throws Exception {
        WorkQueue q = new WorkQueue("t", Duration.ofMillis(5), Duration.ofSeconds(1));
        CountDownLatch ended = new CountDownLatch(1);
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                assertFalse(q.take().isPresent());
                ended.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread.sleep(50);
        q.close();
        assertTrue(ended.await(5, TimeUnit.SECONDS));
        t.join();
    }

    @Test
    void controllerWorkersNeverReconcileOneKeyConcurrentlyAndRetryFailures() throws Exception {
        ConcurrentHashMap<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch retried = new CountDownLatch(1);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            keys.add("k" + i);
        }
        Reconciler r = key -> {
            if (inFlight.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            try {
                Thread.sleep(1);
                if (calls.incrementAndGet() == 3) {
                    throw new IllegalStateException("first failure of " + key);
                }
                if (calls.get() > 3 && inFlight.size() > 0) {
                    retried.countDown();
                }
                return Reconciler.Result.done();
            } finally {
                inFlight.get(key).decrementAndGet();
            }
        };
        try (Controller c = new Controller("test", r, 4)) {
            c.activate();
            for (int round = 0; round < 50; round++) {
                keys.forEach(c::enqueue);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (c.metrics().queueDepth() > 0 || c.metrics().delayed() > 0) {
                assertTrue(System.nanoTime() < deadline, "queue drained");
                Thread.sleep(10);
            }
            Thread.sleep(50);
            ControllerMetrics.Snapshot m = c.metrics();
            assertEquals(0, overlaps.get(), "one worker per key at a time");
            assertEquals(1, m.errors());
            assertTrue(m.reconciles() >= 21 && m.reconciles() <= 1001, "reconciles " + m.reconciles());
            assertEquals(1, m.retries());
            assertTrue(retried.await(5, TimeUnit.SECONDS));
        }
    }
}

package io.kubus.client.controller;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * client-go's rate-limited work queue of keys. A key is queued at most once however often it is added; a key being
 * processed is never handed to a second worker: added meanwhile, it is queued again when its worker calls
 * {@link #done}. Failed keys come back after a per-key exponential back-off, reset by {@link #forget}.
 */
public final class WorkQueue implements AutoCloseable {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<String> queue = new ArrayDeque<>();
    /** Keys that must be processed: queued ones, and processing ones added again. */
    private final Set<String> dirty = new HashSet<>();
    private final Set<String> processing = new HashSet<>();
    /** Delayed adds by key: when each is due (only the earliest is kept). */
    private final Map<String, Long> due = new HashMap<>();
    private final Map<String, Integer> failures = new HashMap<>();
    private final ScheduledExecutorService timer;
    private final Duration baseDelay;
    private final Duration maxDelay;
    private boolean shutDown;
    private long adds;
    private long retries;

    public WorkQueue(String name, Duration baseDelay, Duration maxDelay) {
        this.baseDelay = baseDelay;
        this.maxDelay = maxDelay;
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, name + "-queue-timer");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
    }

    /** Queues the key now, unless it is already queued. */
    public void add(String key) {
        lock.lock();
        try {
            if (shutDown || !dirty.add(key)) {
                return;
            }
            adds++;
            if (!processing.contains(key)) {
                queue.addLast(key);
                notEmpty.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Queues the key after {@code delay}; an earlier pending delayed add of the same key wins. */
    public void addAfter(String key, Duration delay) {
        if (delay.isZero() || delay.isNegative()) {
            add(key);
            return;
        }
        long at = System.nanoTime() + delay.toNanos();
        lock.lock();
        try {
            if (shutDown) {
                return;
            }
            Long pending = due.get(key);
            if (pending != null && pending - at <= 0) {
                return;
            }
            due.put(key, at);
        } finally {
            lock.unlock();
        }
        timer.schedule(() -> {
            lock.lock();
            try {
                Long when = due.get(key);
                if (when == null || when != at) {
                    return; // superseded by an earlier delayed add
                }
                due.remove(key);
            } finally {
                lock.unlock();
            }
            add(key);
        }, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Queues the key after its back-off: base × 2^failures, capped. */
    public void addRateLimited(String key) {
        Duration delay;
        lock.lock();
        try {
            int n = failures.merge(key, 1, Integer::sum) - 1;
            retries++;
            delay = backoff(n);
        } finally {
            lock.unlock();
        }
        addAfter(key, delay);
    }

    Duration backoff(int previousFailures) {
        long nanos = baseDelay.toNanos();
        for (int i = 0; i < previousFailures && nanos < maxDelay.toNanos(); i++) {
            nanos *= 2;
        }
        return Duration.ofNanos(Math.min(nanos, maxDelay.toNanos()));
    }

    /** Forgets the key's failures: its next failure waits the base delay again. */
    public void forget(String key) {
        lock.lock();
        try {
            failures.remove(key);
        } finally {
            lock.unlock();
        }
    }

    /** How often the key failed in a row. */
    public int failures(String key) {
        lock.lock();
        try {
            return failures.getOrDefault(key, 0);
        } finally {
            lock.unlock();
        }
    }

    /** Waits for a key and marks it processing; empty once the queue is shut down. */
    public Optional<String> take() throws InterruptedException {
        lock.lock();
        try {
            while (queue.isEmpty() && !shutDown) {
                notEmpty.await();
            }
            if (shutDown) {
                return Optional.empty();
            }
            String key = queue.pollFirst();
            dirty.remove(key);
            processing.add(key);
            return Optional.of(key);
        } finally {
            lock.unlock();
        }
    }

    /** Ends processing of the key; if it was added meanwhile, it is queued again. */
    public void done(String key) {
        lock.lock();
        try {
            processing.remove(key);
            if (dirty.contains(key) && !shutDown) {
                queue.addLast(key);
                notEmpty.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Keys waiting to be processed (not counting delayed ones). */
    public int depth() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Keys waiting for a delayed add (back-off or requeue-after). */
    public int delayed() {
        lock.lock();
        try {
            return due.size();
        } finally {
            lock.unlock();
        }
    }

    public long adds() {
        lock.lock();
        try {
            return adds;
        } finally {
            lock.unlock();
        }
    }

    public long retries() {
        lock.lock();
        try {
            return retries;
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiting {@link #take} with an empty answer and drops what is queued. */
    @Override
    public void close() {
        lock.lock();
        try {
            shutDown = true;
            queue.clear();
            dirty.clear();
            due.clear();
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
        timer.shutdownNow();
    }
}

package io.kubus.client.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kubus.client.informer.Informer;
import io.kubus.client.informer.ResourceEventHandler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs one {@link Reconciler} the way client-go controllers run: informer events become keys in a rate-limited
 * {@link WorkQueue}; a fixed number of workers take keys and reconcile them, one worker per key at a time; a failed
 * reconcile is retried with back-off. Every key of the primary informer is queued when the controller becomes
 * active and again every resync period, so nothing depends on an event arriving.
 *
 * <p>Wire it before the informers start ({@link #primary}, {@link #watch}), then {@link #activate()} once they
 * synced. {@link #deactivate()} parks the workers (a standby replica keeps its caches warm and its queue filling),
 * {@link #close()} ends them.
 */
public final class Controller implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Controller.class.getName());

    private final String name;
    private final Reconciler reconciler;
    private final int workers;
    private final Duration resync;
    private final WorkQueue queue;
    private final ControllerMetrics metrics = new ControllerMetrics();
    /** The keys of every primary object, queued on activation and every resync. */
    private final List<Supplier<List<String>>> primaries = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Object activeLock = new Object();
    private final ScheduledExecutorService resyncTimer;
    private ScheduledFuture<?> resyncTask;
    private boolean active;
    private volatile boolean closed;

    public Controller(String name, Reconciler reconciler, int workers, Duration baseBackoff, Duration maxBackoff,
                      Duration resync) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1");
        }
        this.name = Objects.requireNonNull(name);
        this.reconciler = Objects.requireNonNull(reconciler);
        this.workers = workers;
        this.resync = resync;
        this.queue = new WorkQueue(name, baseBackoff, maxBackoff);
        this.resyncTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name + "-resync");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Back-off from 5 ms doubling to 60 s (client-go's cap of 1000 s is too long for a cluster that should heal in
     * seconds); every key again every 5 minutes.
     */
    public Controller(String name, Reconciler reconciler, int workers) {
        this(name, reconciler, workers, Duration.ofMillis(5), Duration.ofSeconds(60), Duration.ofMinutes(5));
    }

    public String name() {
        return name;
    }

    /** The informer of the kind this controller reconciles: each of its objects' keys is queued on any change. */
    public <T extends HasMetadata> Controller primary(Informer<T> informer) {
        return primary(informer, Informer::keyOf);
    }

    /**
     * As {@link #primary(Informer)}, with keys of the controller's own making: a controller that reconciles several
     * kinds (the garbage collector) puts the kind in its keys so that the kinds' keys cannot collide.
     */
    public <T extends HasMetadata> Controller primary(Informer<T> informer, Function<T, String> key) {
        primaries.add(() -> informer.list().stream().map(key).toList());
        return watch(informer, o -> List.of(key.apply(o)));
    }

    /**
     * Another informer whose changes concern keys of this controller (e.g. pods for their owner's key); for an
     * update the keys of the old and the new object are queued.
     */
    public <T extends HasMetadata> Controller watch(Informer<T> informer, Function<T, ? extends Iterable<String>> keys) {
        informer.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(T object) {
                enqueueAll(keys.apply(object));
            }

            @Override
            public void onUpdate(T old, T now) {
                enqueueAll(keys.apply(old));
                enqueueAll(keys.apply(now));
            }

            @Override
            public void onDelete(T last) {
                enqueueAll(keys.apply(last));
            }
        });
        return this;
    }

    private void enqueueAll(Iterable<String> keys) {
        for (String k : keys) {
            queue.add(k);
        }
    }

    public void enqueue(String key) {
        queue.add(key);
    }

    public void enqueueAfter(String key, Duration delay) {
        queue.addAfter(key, delay);
    }

    /** Starts (or resumes) the workers and queues every primary key. */
    public void activate() {
        synchronized (activeLock) {
            if (closed) {
                throw new IllegalStateException(name + " is closed");
            }
            active = true;
            activeLock.notifyAll();
            if (threads.isEmpty()) {
                for (int i = 0; i < workers; i++) {
                    Thread t = Thread.ofPlatform().daemon().name(name + "-worker-" + i).start(this::work);
                    threads.add(t);
                }
            }
            if (resyncTask == null && resync != null && !resync.isZero()) {
                resyncTask = resyncTimer.scheduleWithFixedDelay(this::resyncAll, resync.toMillis(), resync.toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        }
        resyncAll();
    }

    /** Parks the workers after their current key; queued keys wait. */
    public void deactivate() {
        synchronized (activeLock) {
            active = false;
        }
    }

    public boolean isActive() {
        synchronized (activeLock) {
            return active;
        }
    }

    private void resyncAll() {
        for (Supplier<List<String>> keys : primaries) {
            keys.get().forEach(queue::add);
        }
    }

    private void work() {
        while (!closed) {
            try {
                synchronized (activeLock) {
                    while (!active && !closed) {
                        activeLock.wait();
                    }
                }
                Optional<String> next = queue.take();
                if (next.isEmpty()) {
                    return;
                }
                process(next.get());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void process(String key) {
        long t0 = System.nanoTime();
        boolean failed = false;
        boolean requeued = false;
        try {
            Reconciler.Result result = reconciler.reconcile(key);
            queue.forget(key);
            if (result != null && result.requeueAfter() != null) {
                requeued = true;
                queue.addAfter(key, result.requeueAfter());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            queue.addRateLimited(key);
        } catch (Exception e) {
            failed = true;
            int n = queue.failures(key);
            // Conflicts and lagging caches are routine: say so quietly at first, loudly when a key keeps failing.
            LOG.log(n < 5 ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING,
                    name + ": reconcile of " + key + " failed (" + (n + 1) + " in a row): " + e, e);
            queue.addRateLimited(key);
        } finally {
            metrics.record(System.nanoTime() - t0, failed, requeued);
            queue.done(key);
        }
    }

    public ControllerMetrics.Snapshot metrics() {
        return metrics.snapshot(name, queue);
    }

    /** Ends the workers (each after its current key) and the queue. */
    @Override
    public void close() {
        synchronized (activeLock) {
            closed = true;
            activeLock.notifyAll();
        }
        queue.close();
        resyncTimer.shutdownNow();
        for (Thread t : threads) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}

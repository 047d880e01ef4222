package io.kubus.agent.pod;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import io.kubus.agent.runtime.ContainerInfo;
import io.micronaut.core.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Runs the probes of the containers of one node, each on its own schedule and off the sync loop, as the kubelet's
 * prober manager does (pkg/kubelet/prober/prober_manager.go): PodSync tells it which container runs
 * ({@link #observe}) and reads the results back (started, ready, to be killed); when a result changes, the listener
 * wakes the node's sync loop.
 */
public final class ProbeManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProbeManager.class);
    private static final Duration MAX_IDLE = Duration.ofSeconds(1);

    /** Runs one probe once. */
    @FunctionalInterface
    public interface Runner {
        ProbeResult run(Pod pod, Container container, String containerId, @Nullable String podIp, ProbeType type,
                        Probe probe, Duration timeout);
    }

    /**
     * What the probes say about one container run.
     *
     * @param started    its startup probe passed (true without one)
     * @param ready      it is started and its readiness probe passes (true without one)
     * @param killReason "liveness" or "startup" when that probe failed and the container must be restarted, else null
     * @param gracePeriod the failed probe's own terminationGracePeriodSeconds, or null
     */
    public record Status(boolean started, boolean ready, @Nullable String killReason, @Nullable Long gracePeriod) {
        static final Status NOT_RUNNING = new Status(false, false, null, null);
    }

    private final PodEvents events;
    private final Clock clock;
    private final Executor executor;
    private final Runner runner;
    private final Map<String, ProbeWorker> workers = new ConcurrentHashMap<>();
    private final Semaphore kick = new Semaphore(0);
    private volatile Runnable listener = () -> { };
    private volatile boolean running = true;
    private Thread driver;

    public ProbeManager(PodEvents events, Clock clock, Executor executor, Runner runner) {
        this.events = events;
        this.clock = clock;
        this.executor = executor;
        this.runner = runner;
    }

    /** A runner that runs the probe's handler with a {@link Prober}. */
    public static Runner runner(Prober prober) {
        return (pod, c, id, ip, type, probe, timeout) -> prober.run(
                new Prober.Handler(probe.getExec(), probe.getHttpGet(), probe.getTcpSocket()), c, id, ip, timeout);
    }

    /** Called whenever a probe's result changes (and when a probe-triggered kill finished). */
    public void setListener(Runnable listener) {
        this.listener = listener;
    }

    /** Starts the thread that runs probes when they are due. */
    public synchronized void start() {
        if (driver == null) {
            driver = Thread.ofVirtual().name("probes").start(this::drive);
        }
    }

    /**
     * Brings the workers of one container in line with what runs, and returns what its probes say. A container that
     * does not run has no workers; a new run of it gets fresh ones.
     */
    public Status observe(Pod pod, @Nullable String podIp, Container c, @Nullable ContainerInfo current) {
        String uid = pod.getMetadata().getUid();
        if (current == null || current.state() != ContainerInfo.State.RUNNING) {
            for (ProbeType t : ProbeType.values()) {
                workers.remove(key(uid, c.getName(), t));
            }
            return Status.NOT_RUNNING;
        }
        boolean added = false;
        Boolean startup = null;
        Boolean readiness = null;
        Boolean liveness = null;
        Long grace = null;
        for (ProbeType t : ProbeType.values()) {
            Probe probe = probeOf(c, t);
            String key = key(uid, c.getName(), t);
            if (probe == null) {
                workers.remove(key);
                continue;
            }
            ProbeWorker w = workers.get(key);
            if (w == null || !w.containerId.equals(current.id())) {
                Instant started = current.startedAt() == null ? clock.instant() : current.startedAt();
                w = new ProbeWorker(t, probe, current.id(), started, clock.instant());
                workers.put(key, w);
                added = true;
            }
            w.pod = pod;
            w.podIp = podIp;
            w.container = c;
            Boolean r;
            synchronized (w) {
                r = w.result();
            }
            switch (t) {
                case STARTUP -> startup = r;
                case READINESS -> readiness = r;
                case LIVENESS -> liveness = r;
            }
            if (Boolean.FALSE.equals(r) && t != ProbeType.READINESS) {
                grace = probe.getTerminationGracePeriodSeconds();
            }
        }
        if (added) {
            kick.release();
        }
        boolean started = c.getStartupProbe() == null || Boolean.TRUE.equals(startup);
        boolean ready = started && (c.getReadinessProbe() == null || Boolean.TRUE.equals(readiness));
        String kill = Boolean.FALSE.equals(liveness) ? "liveness" : Boolean.FALSE.equals(startup) ? "startup" : null;
        return new Status(started, ready, kill, kill == null ? null : grace);
    }

    /** Stops probing the containers of a pod that left the node. */
    public void forget(String podUid) {
        workers.keySet().removeIf(k -> k.startsWith(podUid + "/"));
    }

    /** Wakes the sync loop: a result changed, or something the probes started finished. */
    public void changed() {
        listener.run();
    }

    /** Runs every probe that is due now (on the executor); the driver thread calls it, and tests do. */
    public void tick() {
        Instant now = clock.instant();
        for (Map.Entry<String, ProbeWorker> e : workers.entrySet()) {
            ProbeWorker w = e.getValue();
            boolean due;
            synchronized (w) {
                due = w.claim(now, started(e.getKey(), w));
            }
            if (!due) {
                continue;
            }
            try {
                executor.execute(() -> probe(e.getKey(), w));
            } catch (RejectedExecutionException ex) {
                synchronized (w) {
                    w.abandon();
                }
            }
        }
    }

    private void probe(String key, ProbeWorker w) {
        ProbeResult r;
        try {
            r = runner.run(w.pod, w.container, w.containerId, w.podIp, w.type, w.probe, w.timeout());
        } catch (RuntimeException ex) {
            r = ProbeResult.failure(String.valueOf(ex.getMessage()));
        }
        boolean changed;
        synchronized (w) {
            changed = w.record(r);
        }
        if (!r.success() && workers.get(key) == w) {
            events.warning(w.pod, "Unhealthy", w.type.title() + " probe failed: " + r.message().strip());
        }
        if (changed && workers.get(key) == w) {
            LOG.debug("{} probe of {} in {}/{} now {}", w.type.title(), w.container.getName(),
                    w.pod.getMetadata().getNamespace(), w.pod.getMetadata().getName(), r.success() ? "passes" : "fails");
            listener.run();
        }
    }

    private boolean started(String key, ProbeWorker w) {
        if (w.type == ProbeType.STARTUP || w.container.getStartupProbe() == null) {
            return true;
        }
        ProbeWorker s = workers.get(key.substring(0, key.lastIndexOf('/') + 1) + ProbeType.STARTUP);
        if (s == null || !s.containerId.equals(w.containerId)) {
            return false;
        }
        synchronized (s) {
            return Boolean.TRUE.equals(s.result());
        }
    }

    private void drive() {
        while (running) {
            try {
                tick();
            } catch (RuntimeException e) {
                LOG.warn("probing failed: {}", e.toString());
            }
            Instant now = clock.instant();
            Instant next = now.plus(MAX_IDLE);
            for (ProbeWorker w : workers.values()) {
                synchronized (w) {
                    if (w.nextAt().isBefore(next)) {
                        next = w.nextAt();
                    }
                }
            }
            long millis = Math.max(20, Duration.between(now, next).toMillis());
            try {
                kick.tryAcquire(millis, TimeUnit.MILLISECONDS);
                kick.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static @Nullable Probe probeOf(Container c, ProbeType t) {
        return switch (t) {
            case LIVENESS -> c.getLivenessProbe();
            case READINESS -> c.getReadinessProbe();
            case STARTUP -> c.getStartupProbe();
        };
    }

    private static String key(String uid, String container, ProbeType t) {
        return uid + "/" + container + "/" + t;
    }

    @Override
    public void close() {
        running = false;
        Thread d;
        synchronized (this) {
            d = driver;
        }
        if (d != null) {
            d.interrupt();
        }
    }
}

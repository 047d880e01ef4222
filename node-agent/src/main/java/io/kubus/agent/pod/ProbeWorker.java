package io.kubus.agent.pod;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Probe;
import io.micronaut.core.annotation.Nullable;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The state of one probe of one container run, as the kubelet's probe worker keeps it (pkg/kubelet/prober/worker.go):
 * the result starts as failure for readiness, success for liveness and unknown for startup; it flips only after
 * {@code successThreshold} consecutive successes or {@code failureThreshold} consecutive failures; nothing is probed
 * before {@code initialDelaySeconds} after the container started, nor (liveness, readiness) before its startup probe
 * passed; after a liveness or startup failure the worker holds until the container is replaced. Not thread-safe: the
 * manager synchronizes on it.
 */
final class ProbeWorker {
    final ProbeType type;
    final Probe probe;
    final String containerId;
    final Instant containerStartedAt;
    volatile Container container;
    volatile io.fabric8.kubernetes.api.model.Pod pod;
    volatile String podIp;

    /** The result the pod sees: true, false, or null for unknown. */
    private @Nullable Boolean result;
    private @Nullable Boolean lastRaw;
    private int run;
    private boolean onHold;
    private Instant nextAt;
    private boolean inFlight;
    private String lastMessage = "";

    ProbeWorker(ProbeType type, Probe probe, String containerId, Instant containerStartedAt, Instant now) {
        this.type = type;
        this.probe = probe;
        this.containerId = containerId;
        this.containerStartedAt = containerStartedAt;
        this.result = switch (type) {
            case READINESS -> false;
            case LIVENESS -> true;
            case STARTUP -> null;
        };
        this.nextAt = now;
    }

    Duration period() {
        return Duration.ofSeconds(positive(probe.getPeriodSeconds(), 10));
    }

    Duration timeout() {
        return Duration.ofSeconds(positive(probe.getTimeoutSeconds(), 1));
    }

    int successThreshold() {
        // liveness and startup probes must have successThreshold 1 (the API validates it; be lenient here)
        return type == ProbeType.READINESS ? positive(probe.getSuccessThreshold(), 1) : 1;
    }

    int failureThreshold() {
        return positive(probe.getFailureThreshold(), 3);
    }

    @Nullable Boolean result() {
        return result;
    }

    String lastMessage() {
        return lastMessage;
    }

    /**
     * Whether a probe is due at {@code now}; when it is, the worker is marked in flight and its next time set, and
     * the caller must run it and {@link #record} the outcome.
     *
     * @param started whether the container's startup probe passed (true without one)
     */
    boolean claim(Instant now, boolean started) {
        if (inFlight || now.isBefore(nextAt)) {
            return false;
        }
        nextAt = now.plus(period());
        if (onHold) {
            return false;
        }
        if (type == ProbeType.STARTUP ? Boolean.TRUE.equals(result) : !started) {
            return false;
        }
        if (now.isBefore(containerStartedAt.plusSeconds(Objects.requireNonNullElse(probe.getInitialDelaySeconds(), 0)))) {
            return false;
        }
        inFlight = true;
        return true;
    }

    /** Records one outcome; returns whether the result the pod sees changed. */
    boolean record(ProbeResult r) {
        inFlight = false;
        lastMessage = r.message();
        Boolean raw = r.success();
        if (raw.equals(lastRaw)) {
            run++;
        } else {
            lastRaw = raw;
            run = 1;
        }
        if ((raw && run < successThreshold()) || (!raw && run < failureThreshold())) {
            return false;
        }
        boolean changed = !raw.equals(result);
        result = raw;
        if (!raw && type != ProbeType.READINESS) {
            // the container will be killed: stop probing it until it is replaced
            onHold = true;
            run = 0;
        }
        return changed;
    }

    /** A probe that could not be run at all (its executor refused it). */
    void abandon() {
        inFlight = false;
    }

    Instant nextAt() {
        return nextAt;
    }

    private static int positive(@Nullable Integer v, int dflt) {
        return v == null || v <= 0 ? dflt : v;
    }
}

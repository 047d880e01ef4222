package io.kubus.agent.pod;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kubelet's back-off for restarting crashed containers and retrying image pulls: 10 s, doubling up to 5 min,
 * forgotten once the container ran for 10 min (pkg/kubelet/kubelet.go, flowcontrol.Backoff). Keyed by
 * {@code podUid/container}.
 */
public final class RestartBackoff {
    private final Duration initial;
    private final Duration max;
    private final Duration resetAfter;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    public RestartBackoff(Duration initial, Duration max, Duration resetAfter) {
        this.initial = initial;
        this.max = max;
        this.resetAfter = resetAfter;
    }

    /**
     * Records a failure (an exit, a failed pull) at {@code at} after a run of {@code ranFor}, and returns the delay
     * before the next try.
     */
    public Duration failed(String key, Instant at, Duration ranFor) {
        Entry e = entries.compute(key, (k, old) -> {
            Duration next = old == null || ranFor.compareTo(resetAfter) >= 0 ? initial
                    : min(old.delay.multipliedBy(2), max);
            return new Entry(next, at.plus(next), at);
        });
        return e.delay;
    }

    /** Records a failure only if it is newer than the last one recorded (the same exit is seen on every sync). */
    public Duration failedOnce(String key, Instant at, Duration ranFor) {
        Entry e = entries.get(key);
        if (e != null && !at.isAfter(e.failedAt)) {
            return e.delay;
        }
        return failed(key, at, ranFor);
    }

    /** Whether the next try must still wait at {@code now}. */
    public boolean waiting(String key, Instant now) {
        Entry e = entries.get(key);
        return e != null && now.isBefore(e.retryAt);
    }

    public Duration currentDelay(String key) {
        Entry e = entries.get(key);
        return e == null ? Duration.ZERO : e.delay;
    }

    /** When the next try may start, or null when nothing holds it back. */
    public Instant retryAt(String key) {
        Entry e = entries.get(key);
        return e == null ? null : e.retryAt;
    }

    public void forget(String keyPrefix) {
        entries.keySet().removeIf(k -> k.startsWith(keyPrefix));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private record Entry(Duration delay, Instant retryAt, Instant failedAt) {
    }
}

package io.kubus.gateway.watch;

import io.kubus.schema.event.ChangeEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Puts change events back into resourceVersion order for watchers. The store gives every write the next version and
 * one outbox row (ObjectStore: consecutive versions, one event each), but the change topics' partitions reach the
 * watch cache each at its own pace, so an event may arrive before one of a lower version. kube-apiserver hands a
 * watcher its events in version order, and clients rely on it: one that resumes from the last version it saw would
 * never get an event of a lower version that was still on its way. So an event waits here until every lower version
 * has come. A version that never comes (a record nobody can read, a topic not followed) is given up once the oldest
 * waiting event has waited {@code patience}, so that watches do not stall.
 *
 * <p>Not thread-safe: the watch cache calls it under its lock.
 */
final class VersionOrder {
    private final Duration patience;
    private final TreeMap<Long, Waiting> waiting = new TreeMap<>();
    /** The version the next event handed out must have. */
    private long next;

    private record Waiting(ChangeEvent event, Instant since) {
    }

    /** What {@link #expire} gave up: the versions in {@code [from, to]} never came. */
    record Skipped(long from, long to, List<ChangeEvent> released) {
    }

    VersionOrder(Duration patience) {
        this.patience = patience;
    }

    /** Starts over: the next event handed out is the one after {@code version}, and nothing waits. */
    void reset(long version) {
        waiting.clear();
        next = version + 1;
    }

    /** The events that are now in order once {@code event} has come, in version order; none while a lower one is missing. */
    List<ChangeEvent> offer(ChangeEvent event, Instant now) {
        long v = event.resourceVersion();
        if (v < next) {
            return List.of(); // handed out already, or from before the start
        }
        waiting.putIfAbsent(v, new Waiting(event, now));
        return drain();
    }

    /**
     * Gives up the missing versions below the oldest waiting event once it has waited longer than the patience, and
     * hands out what is then in order; null when nothing was given up.
     */
    Skipped expire(Instant now) {
        Map.Entry<Long, Waiting> oldest = waiting.firstEntry();
        if (oldest == null || !oldest.getValue().since().plus(patience).isBefore(now)) {
            return null;
        }
        long from = next;
        next = oldest.getKey();
        return new Skipped(from, next - 1, drain());
    }

    /** How many events wait for a lower version. */
    int waiting() {
        return waiting.size();
    }

    private List<ChangeEvent> drain() {
        List<ChangeEvent> out = new ArrayList<>();
        while (!waiting.isEmpty() && waiting.firstKey() == next) {
            out.add(waiting.pollFirstEntry().getValue().event());
            next++;
        }
        return out;
    }
}

package io.kubus.client.record;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.kubus.client.api.KubusApi;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * client-go's event recorder for controllers: events are sent in the background (a controller never waits for, or
 * fails on, an event) and a per-object, per-reason token bucket (burst 25, then one per 5 minutes, as client-go's
 * spam filter) keeps a controller that creates 5,000 pods from writing 5,000 events about one ReplicaSet.
 */
public final class EventRecorder implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EventRecorder.class.getName());

    private final KubusApi api;
    private final String component;
    private final int burst;
    private final long refillNanos;
    private final Map<String, Bucket> buckets = new HashMap<>();
    private final ThreadPoolExecutor sender;

    private static final class Bucket {
        double tokens;
        long at;
    }

    public EventRecorder(KubusApi api, String component) {
        this(api, component, 25, Duration.ofMinutes(5));
    }

    public EventRecorder(KubusApi api, String component, int burst, Duration refill) {
        this.api = api;
        this.component = component;
        this.burst = burst;
        this.refillNanos = refill.toNanos();
        // One sender, a bounded backlog; when it is full events are dropped, as client-go drops them.
        this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1000),
                r -> Thread.ofPlatform().daemon().name(component + "-events").unstarted(r),
                new ThreadPoolExecutor.DiscardPolicy());
    }

    public void normal(HasMetadata involved, String reason, String message) {
        record(involved, "Normal", reason, message);
    }

    public void warning(HasMetadata involved, String reason, String message) {
        record(involved, "Warning", reason, message);
    }

    public void record(HasMetadata involved, String type, String reason, String message) {
        if (!admit(involved.getMetadata().getUid() + "/" + involved.getKind() + "/" + reason)) {
            return;
        }
        ObjectReference ref = new ObjectReferenceBuilder().withApiVersion(involved.getApiVersion())
                .withKind(involved.getKind()).withNamespace(involved.getMetadata().getNamespace())
                .withName(involved.getMetadata().getName()).withUid(involved.getMetadata().getUid())
                .withResourceVersion(involved.getMetadata().getResourceVersion()).build();
        sender.execute(() -> {
            try {
                api.createEvent(ref, type, reason, message, component);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "event " + reason + " about " + ref.getName() + " not recorded: " + e);
            }
        });
    }

    private synchronized boolean admit(String key) {
        long now = System.nanoTime();
        Bucket b = buckets.get(key);
        if (b == null) {
            if (buckets.size() > 10_000) {
                buckets.clear(); // a coarse bound: forgetting buckets only lets a few more events through
            }
            b = new Bucket();
            b.tokens = burst;
            b.at = now;
            buckets.put(key, b);
        }
        b.tokens = Math.min(burst, b.tokens + (double) (now - b.at) / refillNanos);
        b.at = now;
        if (b.tokens < 1) {
            return false;
        }
        b.tokens -= 1;
        return true;
    }

    /** Sends what is queued (for up to 5 s), then stops. */
    @Override
    public void close() {
        sender.shutdown();
        try {
            sender.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

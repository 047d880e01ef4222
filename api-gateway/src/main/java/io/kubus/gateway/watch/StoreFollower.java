package io.kubus.gateway.watch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.store.ObjectList;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.schema.ResourceType;
import io.kubus.schema.event.WatchEventType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a view inside the gateway current, as an informer would: each kind is listed from the store, then watched
 * from the list's version through the {@link WatchCache} (which replays what came after the list and then delivers
 * live changes, fed by the change topics like every watch). When the watch cache ends a watch (it lost the stream),
 * the kind is listed and watched again; a failed list is retried every second.
 */
public final class StoreFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StoreFollower.class);

    /** What is kept current. Called from the follower's thread and under the watch cache's lock: must not block. */
    public interface View {
        /** Everything of the kind, as a fresh list shows it at its resourceVersion. */
        void replace(ResourceType type, ObjectList list);

        /** One change after the list. */
        void apply(ResourceType type, WatchEventType change, ObjectNode object);

        /** The kind's watch ended: until the next {@link #replace} the view may miss changes. */
        default void lost(ResourceType type) {
        }
    }

    private final String name;
    private final ObjectStore store;
    private final WatchCache watchCache;
    private final View view;
    private final BlockingQueue<ResourceType> toList;
    private final Map<ResourceType, AutoCloseable> watches = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    public StoreFollower(String name, List<ResourceType> kinds, ObjectStore store, WatchCache watchCache, View view) {
        this.name = name;
        this.store = store;
        this.watchCache = watchCache;
        this.view = view;
        this.toList = new LinkedBlockingQueue<>(kinds);
        this.thread = Thread.ofPlatform().daemon().name(name).start(this::run);
    }

    private void run() {
        while (running) {
            ResourceType type;
            try {
                type = toList.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                follow(type);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                LOG.warn("{}: listing and watching {} failed, retrying in 1 s: {}", name, type.plural(), e.toString());
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException ie) {
                    return;
                }
                toList.add(type);
            }
        }
    }

    private void follow(ResourceType type) throws InterruptedException {
        closeWatch(type);
        // a list older than the watch cache's start could not be watched from (410): list once it follows
        if (!watchCache.awaitReady(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the watch cache is not ready yet");
        }
        ObjectList list = store.list(type, null);
        view.replace(type, list);
        watches.put(type, watchCache.watch(type, list.resourceVersion(), event -> {
            if (event == null) {
                view.lost(type);
                if (running) {
                    toList.add(type);
                }
                return false;
            }
            view.apply(type, event.type(), event.object());
            return true;
        }));
    }

    private void closeWatch(ResourceType type) {
        AutoCloseable watch = watches.remove(type);
        if (watch != null) {
            try {
                watch.close();
            } catch (Exception e) {
                LOG.debug("{}: closing the watch of {}: {}", name, type.plural(), e.toString());
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        watches.keySet().forEach(this::closeWatch);
    }
}

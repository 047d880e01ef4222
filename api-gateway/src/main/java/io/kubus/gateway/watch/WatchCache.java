package io.kubus.gateway.watch;

import io.kubus.client.events.Reconnecting;
import io.micronaut.context.annotation.Requires;
import io.kubus.client.kafka.KafkaClientConfig;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.api.ApiException;
import io.kubus.gateway.config.GatewaySettings;
import io.kubus.gateway.outbox.ChangeTopics;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.schema.ResourceType;
import io.kubus.schema.event.ChangeEvent;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PreDestroy;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import io.kubus.client.events.ChangeEventRecords;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Serves HTTP watches from the change topics (docs/architecture.md: watchers are fed by the same stream as everyone else).
 * Every gateway reads every partition of every change topic, keeps the latest events in memory, and hands each new
 * event to the watches of its kind, in resourceVersion order across partitions ({@link VersionOrder}). A watch may
 * start from any resourceVersion still in memory; older ones get 410 Gone, and the client re-lists, as with
 * kube-apiserver's watch cache.
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Context
public class WatchCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WatchCache.class);

    private final GatewaySettings settings;
    private final ChangeTopics topics;
    private final ObjectStore store;
    private final KafkaClientConfig kafka;
    private final Object lock = new Object();
    private final ArrayDeque<ChangeEvent> recent = new ArrayDeque<>();
    /** Newest version seen per object (topic + key): drops the duplicates at-least-once delivery brings. */
    private final Map<String, Long> newestPerObject = new HashMap<>();
    private final Map<String, List<Registration>> byTopic = new HashMap<>();
    private final VersionOrder order;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final Thread thread;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean running = true;
    /** Every event with a version above this one is in {@link #recent} or still to come. */
    private long floor = Long.MAX_VALUE;

    public WatchCache(GatewaySettings settings, ChangeTopics topics, ObjectStore store, KafkaClientConfig kafka) {
        this.settings = settings;
        this.topics = topics;
        this.store = store;
        this.kafka = kafka;
        this.order = new VersionOrder(settings.getWatchOrderPatience());
        this.thread = Thread.ofPlatform().daemon().name("watch-cache").start(this::run);
    }

    /** True once the cache follows the topics; /readyz waits for it. */
    public boolean isReady() {
        return ready.getCount() == 0;
    }

    public boolean awaitReady(long timeout, TimeUnit unit) throws InterruptedException {
        return ready.await(timeout, unit);
    }

    /**
     * Starts a watch of one kind: replays the remembered events newer than {@code fromVersion}, then delivers live
     * ones. Replay and registration happen under one lock with delivery, so no event is missed or sent twice.
     */
    public AutoCloseable watch(ResourceType type, long fromVersion, WatchListener listener) {
        try {
            if (!awaitReady(30, TimeUnit.SECONDS)) {
                throw ApiException.serviceUnavailable("the watch cache is not ready yet");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.serviceUnavailable("interrupted");
        }
        Registration reg = new Registration(type.topic(), fromVersion, listener);
        synchronized (lock) {
            if (fromVersion < floor) {
                throw ApiException.gone("too old resource version: " + fromVersion + " (" + floor + ")");
            }
            List<ChangeEvent> replay = new ArrayList<>();
            for (ChangeEvent e : recent) {
                if (e.topic().equals(reg.topic) && e.resourceVersion() > fromVersion) {
                    replay.add(e);
                }
            }
            for (ChangeEvent e : replay) {
                if (!listener.onEvent(e)) {
                    return () -> { };
                }
            }
            byTopic.computeIfAbsent(reg.topic, t -> new ArrayList<>()).add(reg);
        }
        return () -> remove(reg);
    }

    /**
     * Ends the open watches of a topic whose kind is no longer served (its CustomResourceDefinition is gone), as
     * kube-apiserver ends them when it tears the kind's storage down: their clients see the stream end.
     */
    public void endWatches(String topic) {
        synchronized (lock) {
            List<Registration> regs = byTopic.remove(topic);
            if (regs != null) {
                regs.forEach(r -> r.listener.onEvent(null));
            }
        }
    }

    private void remove(Registration reg) {
        synchronized (lock) {
            List<Registration> regs = byTopic.get(reg.topic);
            if (regs != null) {
                regs.remove(reg);
            }
        }
    }

    private void run() {
        Reconnecting.run(() -> running, this::follow, LOG, "following the change topics for watches");
    }

    private void follow() throws InterruptedException {
        topics.ensure();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(kafka.client(Map.of(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.CLIENT_ID_CONFIG, "kubus-watch-cache")),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer = c;
            List<TopicPartition> partitions = new ArrayList<>();
            long generation = topics.generation();
            Set<String> followed = new HashSet<>(topics.names());
            for (String topic : followed) {
                partitions.addAll(partitionsOf(c, topic));
            }
            c.assign(partitions);
            c.seekToEnd(partitions);
            partitions.forEach(c::position);
            // Positions are fixed before the version is read: any change committed after this version is
            // published after these positions, so the cache sees every event newer than its floor.
            long start = store.currentVersion();
            synchronized (lock) {
                // After a reconnect events may have been missed: forget older ones and end the open watches,
                // whose clients re-list and watch again, as they do when kube-apiserver restarts.
                recent.clear();
                floor = start;
                order.reset(start);
                endAll();
            }
            ready.countDown();
            while (running) {
                if (topics.generation() != generation) {
                    generation = topics.generation();
                    followNewTopics(c, followed, partitions);
                }
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    accept(r);
                }
                synchronized (lock) {
                    VersionOrder.Skipped skipped = order.expire(Instant.now());
                    if (skipped != null) {
                        LOG.warn("versions {} to {} never came on the change topics within {}; handing out the {} "
                                + "events after them", skipped.from(), skipped.to(), settings.getWatchOrderPatience(),
                                skipped.released().size());
                        skipped.released().forEach(this::publish);
                    }
                }
            }
        }
    }

    /**
     * Follows the topics of kinds served since the last look (a CustomResourceDefinition became Established, here or
     * through another gateway), from their beginning: the topic is made before its kind is served, so everything on
     * it is newer than the definition's own event, which this cache has handed out already. Called only when the
     * served kinds changed, not at every poll.
     */
    private void followNewTopics(KafkaConsumer<String, byte[]> c, Set<String> followed, List<TopicPartition> partitions) {
        List<TopicPartition> added = new ArrayList<>();
        for (String topic : topics.names()) {
            if (!followed.contains(topic)) {
                added.addAll(partitionsOf(c, topic));
                followed.add(topic);
            }
        }
        if (!added.isEmpty()) {
            partitions.addAll(added);
            c.assign(partitions);
            c.seekToBeginning(added);
        }
    }

    private static List<TopicPartition> partitionsOf(KafkaConsumer<String, byte[]> c, String topic) {
        List<TopicPartition> out = new ArrayList<>();
        for (PartitionInfo p : c.partitionsFor(topic, Duration.ofSeconds(30))) {
            out.add(new TopicPartition(topic, p.partition()));
        }
        return out;
    }

    private void accept(ConsumerRecord<String, byte[]> r) {
        ChangeEvent event;
        try {
            event = ChangeEventRecords.fromRecord(r);
        } catch (RuntimeException e) {
            LOG.warn("skipping a record that is not a change event on {}: {}", r.topic(), e.toString());
            return;
        }
        synchronized (lock) {
            String objectKey = r.topic() + "|" + r.key();
            Long newest = newestPerObject.get(objectKey);
            if (event.resourceVersion() <= floor || (newest != null && event.resourceVersion() <= newest)) {
                return;
            }
            newestPerObject.put(objectKey, event.resourceVersion());
            order.offer(event, Instant.now()).forEach(this::publish);
        }
    }

    /** An event in version order: kept for watches that start later, and handed to the open ones of its kind. */
    private void publish(ChangeEvent event) {
        recent.addLast(event);
        while (recent.size() > settings.getWatchCacheEvents()) {
            floor = Math.max(floor, recent.removeFirst().resourceVersion());
        }
        List<Registration> regs = byTopic.get(event.topic());
        if (regs != null) {
            // a watch started from a version it had listed at does not get that version's events again
            regs.removeIf(reg -> event.resourceVersion() > reg.fromVersion && !reg.listener.onEvent(event));
        }
    }

    @PreDestroy
    @Override
    public void close() {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lock) {
            endAll();
        }
    }

    private void endAll() {
        byTopic.values().forEach(regs -> regs.forEach(r -> r.listener.onEvent(null)));
        byTopic.clear();
    }

    private record Registration(String topic, long fromVersion, WatchListener listener) {
    }
}

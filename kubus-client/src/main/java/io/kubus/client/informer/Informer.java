package io.kubus.client.informer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kubus.client.api.KubusApi;
import io.kubus.client.kafka.KafkaClientConfig;
import io.kubus.client.api.KubusApiException;
import io.kubus.client.api.ObjectList;
import io.kubus.client.events.ChangeEventRecords;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.event.ChangeEvent;
import io.kubus.schema.event.WatchEventType;
import io.kubus.schema.selector.FieldSelector;
import io.kubus.schema.selector.LabelSelector;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A cache of one kind of API object, kept current from the kind's Kafka change topic: client-go's shared informer
 * with Kafka in place of the HTTP watch.
 *
 * <p>On {@link #start()} its thread lists the objects through the API (namespace, label and field selector as
 * configured) in pages of {@code pageSize} (500, as client-go's reflector), fills the cache and remembers the list's
 * resourceVersion, which every page shows (the first page's), and the wall time just before the first page. If the
 * gateway has compacted the history the later pages need (410), the list is taken again unpaged, as client-go's pager
 * does.
 * It then reads the change topic with a plain consumer that is <em>assigned</em> every partition (no consumer group:
 * every informer sees every event, and none commits offsets — a restarted informer lists again), starting at the
 * first record stamped at or after {@code listTime - lookback} (the end of a partition where none is). A change
 * that the list does not hold is committed after the list began, so its record is not older than that; the
 * lookback covers clock skew between hosts.
 *
 * <p>Events apply at most once and in order per key: an event whose resourceVersion is not above the newest one
 * held for its key — or above the list's version, for a key the informer knows nothing of — is dropped. So a
 * redelivered event, or an old ADDED of an object deleted before the list, changes nothing. The version of a key
 * that leaves the cache (deleted, or no longer matching) is remembered for {@code versionRetention}, so that a late
 * duplicate cannot bring it back. The selection (namespace, label selector, field selector, predicate) is applied
 * to every event client-side: an object that stops matching leaves the cache with {@code onDelete}.
 *
 * <p>Secrets travel on Kafka without their data (docs/events.md). An informer on Secrets therefore reads each
 * added or changed Secret from the API, and caches what the API answers.
 *
 * <p>If the consumer falls off the topic's retention (offset out of range), the informer lists again and
 * reconciles the cache with the new list (adds, updates and deletes for what changed), then resumes consuming.
 *
 * <p>{@link Index Indexes} (client-go's indexers) file the cached objects by values of theirs, such as the namespace,
 * for {@link #byIndex}; they change with the cache, before the handlers hear of the change.
 */
public final class Informer<T extends HasMetadata> implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Informer.class.getName());
    private static final Duration POLL = Duration.ofMillis(200);
    /**
     * An informer is in no group and commits nothing, so its consumer's close need not wait for the broker to end
     * the fetch session: that wait took up to a fetch's max wait (500 ms) for each informer, 12 s for a controller
     * manager's.
     */
    private static final CloseOptions CLOSE_NOW = CloseOptions.timeout(Duration.ZERO);

    private final KubusApi api;
    private final ResourceType type;
    private final Class<T> cls;
    private final String namespace;
    private final String labelSelectorText;
    private final String fieldSelectorText;
    private final LabelSelector labelSelector;
    private final FieldSelector fieldSelector;
    private final Predicate<T> predicate;
    private final Duration lookback;
    private final Duration versionRetention;
    private final Map<String, Object> consumerProperties;
    private final List<ResourceEventHandler<T>> handlers = new CopyOnWriteArrayList<>();
    private final Runnable afterList;
    private final Runnable afterPage;
    private final int pageSize;
    private final String name;

    private final Map<String, T> cache = new ConcurrentHashMap<>();
    private final Indices<T> indices = new Indices<>();
    /**
     * Held while the cache and the indexes change together (informer thread) and while an index is built from the
     * cache ({@link #addIndex}), so that no change slips between the two; readers take no lock.
     */
    private final Object writeLock = new Object();
    /** Informer thread only: the newest resourceVersion seen per key, with when to forget it if the key is not cached. */
    private final Map<String, Seen> seen = new HashMap<>();
    private final CountDownLatch synced = new CountDownLatch(1);

    private volatile long listResourceVersion;
    private volatile long relists;
    private volatile int listPages;
    private volatile boolean closed;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile Thread thread;
    private long nextPrune;

    private record Seen(long resourceVersion, long forgetAtNanos) {
    }

    private Informer(Builder<T> b) {
        this.api = b.api;
        this.type = b.type;
        this.cls = b.cls;
        this.namespace = b.namespace;
        this.labelSelectorText = b.labelSelector;
        this.fieldSelectorText = b.fieldSelector;
        this.labelSelector = LabelSelector.parse(b.labelSelector == null ? "" : b.labelSelector);
        this.fieldSelector = FieldSelector.parse(b.fieldSelector == null ? "" : b.fieldSelector);
        this.predicate = b.predicate;
        this.lookback = b.lookback;
        this.versionRetention = b.versionRetention;
        this.consumerProperties = Map.copyOf(b.consumerProperties);
        this.handlers.addAll(b.handlers);
        b.indexes.forEach(this::addIndex);
        this.afterList = b.afterList;
        this.afterPage = b.afterPage;
        this.pageSize = b.pageSize;
        this.name = b.name != null ? b.name : "informer-" + type.plural();
        if (!type.type().isAssignableFrom(cls) && !cls.isAssignableFrom(type.type())) {
            throw new IllegalArgumentException(cls.getName() + " is not the model type of " + type.plural());
        }
    }

    public static <T extends HasMetadata> Builder<T> builder(KubusApi api, KafkaClientConfig kafka,
                                                             ResourceType type, Class<T> cls) {
        if (!type.isStorageType()) {
            // Its list would show one version and its change topic another: the topic carries the storage version.
            throw new IllegalArgumentException("an informer of " + type.apiVersion() + " " + type.plural()
                    + " would mix versions: inform on " + type.storageType().apiVersion() + ", which stores them");
        }
        return new Builder<>(api, kafka, type, cls);
    }

    /** Adds a handler; one added after {@link #start()} only hears about later changes. */
    public Informer<T> addHandler(ResourceEventHandler<T> handler) {
        handlers.add(Objects.requireNonNull(handler));
        return this;
    }

    /**
     * Adds an index, filled from what is cached already if the informer runs (client-go's AddIndexers). Adding an
     * index that is there (equal: same name and function) does nothing, so each user of a shared informer adds the
     * ones it reads; another function under a taken name is refused.
     */
    public Informer<T> addIndex(Index<? super T> index) {
        synchronized (writeLock) {
            indices.add(index, cache);
        }
        return this;
    }

    /** Starts the informer's thread: list, then consume. Returns at once; see {@link #awaitSynced}. */
    public synchronized Informer<T> start() {
        if (thread != null) {
            throw new IllegalStateException(name + " already started");
        }
        Thread t = new Thread(this::run, name);
        t.setDaemon(true);
        thread = t;
        t.start();
        return this;
    }

    /** Whether the initial list has been applied to the cache (and its handlers called). */
    public boolean hasSynced() {
        return synced.getCount() == 0;
    }

    /** Waits for {@link #hasSynced()}; false on timeout. */
    public boolean awaitSynced(Duration timeout) throws InterruptedException {
        return synced.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The cached object under {@code namespace/name} (or {@code name} for cluster-scoped kinds). */
    public Optional<T> get(String key) {
        return Optional.ofNullable(cache.get(key));
    }

    public Optional<T> get(String namespace, String name) {
        return get(namespace == null || namespace.isEmpty() ? name : namespace + "/" + name);
    }

    /** A snapshot of the cached objects. */
    public List<T> list() {
        return List.copyOf(cache.values());
    }

    /** A snapshot of the cached keys. */
    public Set<String> keys() {
        return Set.copyOf(cache.keySet());
    }

    /** A snapshot of the cached objects filed under {@code value} in {@code index}, which must have been added. */
    public List<T> byIndex(Index<? super T> index, String value) {
        return indices.objects(index, value);
    }

    /** The keys of the cached objects filed under {@code value} in {@code index} (client-go's IndexKeys). */
    public Set<String> indexKeys(Index<? super T> index, String value) {
        return indices.keys(index, value);
    }

    /** The resourceVersion of the latest list (the initial one, or a relist's). */
    public long listResourceVersion() {
        return listResourceVersion;
    }

    /** How often the informer listed again after falling off the topic's retention. */
    public long relists() {
        return relists;
    }

    public ResourceType resourceType() {
        return type;
    }

    /** Asks the informer's thread to stop, without waiting for it ({@link #close()} waits): many stop at once. */
    void stop() {
        closed = true;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    /** Stops consuming and waits for the informer's thread to end. The cache keeps its last content. */
    @Override
    public void close() {
        stop();
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t == null) {
            return;
        }
        try {
            t.join(TimeUnit.SECONDS.toMillis(10));
            if (t.isAlive()) {
                t.interrupt(); // e.g. blocked in the list's HTTP request
                t.join(TimeUnit.SECONDS.toMillis(10));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the informer thread ----

    private void run() {
        try {
            loop();
        } catch (Error e) {
            LOG.log(System.Logger.Level.ERROR, name + ": stopped by " + e + "; the cache is no longer kept current", e);
            throw e;
        }
    }

    private void loop() {
        long backoff = 100;
        while (!closed) {
            // A consumer that cannot be made (its bootstrap address not resolvable yet) is retried like a failed
            // list; it is closed before the retry's pause, without waiting for the broker (CLOSE_NOW).
            try {
                KafkaConsumer<String, byte[]> c = newConsumer();
                try {
                    consumer = c;
                    if (closed) {
                        return;
                    }
                    long listTime = listAndReplace();
                    synced.countDown();
                    backoff = 100;
                    if (afterList != null) {
                        afterList.run();
                    }
                    seekTo(c, listTime - lookback.toMillis());
                    consume(c);
                } finally {
                    consumer = null;
                    c.close(CLOSE_NOW);
                }
            } catch (WakeupException | InterruptException e) {
                if (closed) {
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, name + ": interrupted, starting over", e);
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, name + ": " + e + "; listing again in " + backoff + " ms", e);
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    return;
                }
                backoff = Math.min(backoff * 2, 10_000);
            }
        }
    }

    private KafkaConsumer<String, byte[]> newConsumer() {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, name);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        props.putAll(consumerProperties);
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** Consumes until closed; returns normally never. An offset out of range makes it list again and go on. */
    private void consume(KafkaConsumer<String, byte[]> c) {
        while (!closed) {
            ConsumerRecords<String, byte[]> records;
            try {
                records = c.poll(POLL);
            } catch (OffsetOutOfRangeException e) {
                LOG.log(System.Logger.Level.WARNING, name + ": fell off the topic's retention at "
                        + e.offsetOutOfRangePartitions() + "; listing again");
                relists++;
                long listTime = listAndReplace();
                seekTo(c, listTime - lookback.toMillis());
                continue;
            }
            for (ConsumerRecord<String, byte[]> r : records) {
                ChangeEvent event;
                try {
                    event = ChangeEventRecords.fromRecord(r);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, name + ": skipping a record that is not a change event at "
                            + r.topic() + "-" + r.partition() + "@" + r.offset() + ": " + e.getMessage());
                    continue;
                }
                apply(event);
            }
            pruneVersions();
        }
    }

    private void seekTo(KafkaConsumer<String, byte[]> c, long timestamp) {
        List<TopicPartition> partitions = partitions(c);
        c.assign(partitions);
        // End offsets first: a record appended after this call is at or past them, so it is not skipped.
        Map<TopicPartition, Long> ends = c.endOffsets(partitions);
        Map<TopicPartition, Long> query = new HashMap<>();
        for (TopicPartition p : partitions) {
            query.put(p, Math.max(0, timestamp));
        }
        Map<TopicPartition, OffsetAndTimestamp> found = c.offsetsForTimes(query);
        for (TopicPartition p : partitions) {
            OffsetAndTimestamp at = found.get(p);
            c.seek(p, at != null ? at.offset() : ends.get(p));
        }
    }

    private List<TopicPartition> partitions(KafkaConsumer<String, byte[]> c) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            List<PartitionInfo> infos = c.partitionsFor(type.topic());
            if (infos != null && !infos.isEmpty()) {
                List<TopicPartition> parts = new ArrayList<>();
                for (PartitionInfo i : infos) {
                    parts.add(new TopicPartition(i.topic(), i.partition()));
                }
                return parts;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topic " + type.topic() + " does not exist");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptException(e);
            }
        }
    }

    /**
     * Lists and makes the cache equal to the list, calling handlers for each difference. Returns the wall time taken
     * just before the list request: every change the list does not hold was published at or after it.
     */
    private long listAndReplace() {
        long listTime = System.currentTimeMillis();
        List<T> items = new ArrayList<>();
        long rv = listPaged(items);
        Set<String> listed = new HashSet<>();
        for (T item : items) {
            if (!predicate.test(item)) {
                continue;
            }
            String key = keyOf(item);
            listed.add(key);
            long itemRv = versionOf(item);
            Seen s = seen.get(key);
            if (s != null && s.resourceVersion() >= itemRv && cache.containsKey(key)) {
                continue; // a relist that brings nothing new for this key
            }
            seen.put(key, new Seen(itemRv, Long.MAX_VALUE));
            notifyUpsert(store(key, item), item);
        }
        for (String key : cache.keySet()) {
            if (!listed.contains(key)) {
                T last = remove(key);
                forgetLater(key, rv);
                notifyDelete(last);
            }
        }
        listResourceVersion = rv;
        return listTime;
    }

    /**
     * Lists every object in pages and returns the list's version, the first page's: the later pages show the list as
     * it was then. A 410 on a later page (the gateway compacted that version) lists again unpaged.
     */
    private long listPaged(List<T> items) {
        String token = null;
        long rv = 0;
        int pages = 0;
        try {
            do {
                ObjectList<T> page = api.listPage(type, namespace, labelSelectorText, fieldSelectorText, pageSize, token, cls);
                if (pages++ == 0) {
                    rv = page.resourceVersionNumber();
                }
                items.addAll(page.items());
                token = page.continueToken();
                if (token != null && afterPage != null) {
                    afterPage.run();
                }
            } while (token != null);
        } catch (KubusApiException e) {
            if (!e.isExpired() || pages == 0) {
                throw e;
            }
            LOG.log(System.Logger.Level.INFO, "{0}: paged list expired after {1} pages; listing again unpaged", name, pages);
            items.clear();
            ObjectList<T> all = api.list(type, namespace, labelSelectorText, fieldSelectorText, cls);
            items.addAll(all.items());
            rv = all.resourceVersionNumber();
            pages++;
        }
        listPages = pages;
        return rv;
    }

    /** How many requests the last list took (its pages); for metrics and tests. */
    public int listPages() {
        return listPages;
    }

    /** Applies one change event, unless it is not newer than what the informer holds for its key. */
    void apply(ChangeEvent event) {
        String key = event.key();
        long rv = event.resourceVersion();
        Seen s = seen.get(key);
        long held = Math.max(listResourceVersion, s == null ? 0 : s.resourceVersion());
        if (rv <= held) {
            return;
        }
        T cached = cache.get(key);
        if (event.type() == WatchEventType.DELETED) {
            forgetLater(key, rv);
            if (cached != null) {
                remove(key);
                notifyDelete(convert(event.object()));
            }
            return;
        }
        ObjectNode json = event.object();
        if (!matches(json)) {
            leave(key, rv, cached, json);
            return;
        }
        T object = convert(json);
        if (!predicate.test(object)) {
            leave(key, rv, cached, json);
            return;
        }
        if (type == ResourceTypes.SECRETS) {
            // The event carries no data: cache the Secret as the API serves it.
            Optional<T> read = api.get(type, object.getMetadata().getNamespace(), object.getMetadata().getName(), cls);
            if (read.isEmpty()) {
                // Deleted since: its DELETED event follows and finds nothing to remove.
                leave(key, rv, cached, json);
                return;
            }
            object = read.get();
        }
        seen.put(key, new Seen(rv, Long.MAX_VALUE));
        store(key, object);
        notifyUpsert(cached, object);
    }

    private void leave(String key, long rv, T cached, ObjectNode json) {
        forgetLater(key, rv);
        if (cached != null) {
            remove(key);
            notifyDelete(convert(json));
        }
    }

    /** Caches and indexes the object; returns the one it replaces. */
    private T store(String key, T object) {
        synchronized (writeLock) {
            T old = cache.put(key, object);
            indices.update(key, old, object);
            return old;
        }
    }

    /** Takes the object out of the cache and its indexes; returns it. */
    private T remove(String key) {
        synchronized (writeLock) {
            T old = cache.remove(key);
            if (old != null) {
                indices.update(key, old, null);
            }
            return old;
        }
    }

    private void forgetLater(String key, long rv) {
        seen.put(key, new Seen(rv, System.nanoTime() + versionRetention.toNanos()));
    }

    private void pruneVersions() {
        long now = System.nanoTime();
        if (now - nextPrune < 0) {
            return;
        }
        nextPrune = now + TimeUnit.SECONDS.toNanos(10);
        seen.entrySet().removeIf(e -> e.getValue().forgetAtNanos() - now < 0 && !cache.containsKey(e.getKey()));
    }

    private boolean matches(JsonNode object) {
        JsonNode meta = object.path("metadata");
        if (type.namespaced() && namespace != null && !namespace.isEmpty()
                && !namespace.equals(meta.path("namespace").asText(""))) {
            return false;
        }
        if (!labelSelector.isEverything()) {
            Map<String, String> labels = new HashMap<>();
            meta.path("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
            if (!labelSelector.matches(labels)) {
                return false;
            }
        }
        return fieldSelector.matches(object);
    }

    private void notifyUpsert(T old, T now) {
        for (ResourceEventHandler<T> h : handlers) {
            try {
                if (old == null) {
                    h.onAdd(now);
                } else {
                    h.onUpdate(old, now);
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, name + ": handler failed on " + keyOf(now), e);
            }
        }
    }

    private void notifyDelete(T last) {
        for (ResourceEventHandler<T> h : handlers) {
            try {
                h.onDelete(last);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, name + ": handler failed on " + keyOf(last), e);
            }
        }
    }

    private T convert(ObjectNode json) {
        try {
            return KubusJson.json().treeToValue(json, cls);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read a " + type.kind() + " from a change event", e);
        }
    }

    /** The cache key of an object: {@code namespace/name}, or {@code name} for cluster-scoped kinds. */
    public static String keyOf(HasMetadata object) {
        String ns = object.getMetadata().getNamespace();
        String n = object.getMetadata().getName();
        return ns == null || ns.isEmpty() ? n : ns + "/" + n;
    }

    private static long versionOf(HasMetadata object) {
        String rv = object.getMetadata().getResourceVersion();
        return rv == null || rv.isEmpty() ? 0 : Long.parseLong(rv);
    }

    /** Configures an informer. */
    public static final class Builder<T extends HasMetadata> {
        private final KubusApi api;
        private final ResourceType type;
        private final Class<T> cls;
        private final Map<String, Object> consumerProperties = new HashMap<>();
        private final List<ResourceEventHandler<T>> handlers = new ArrayList<>();
        private final List<Index<? super T>> indexes = new ArrayList<>();
        private String namespace;
        private String labelSelector;
        private String fieldSelector;
        private Predicate<T> predicate = o -> true;
        private Duration lookback = Duration.ofSeconds(60);
        private Duration versionRetention = Duration.ofMinutes(10);
        private Runnable afterList;
        private Runnable afterPage;
        private int pageSize = 500;
        private String name;

        private Builder(KubusApi api, KafkaClientConfig kafka, ResourceType type, Class<T> cls) {
            this.api = Objects.requireNonNull(api);
            this.type = Objects.requireNonNull(type);
            this.cls = Objects.requireNonNull(cls);
            consumerProperties.putAll(kafka.client(Map.of()));
        }

        /** Only objects in this namespace (null: all namespaces). */
        public Builder<T> namespace(String namespace) {
            this.namespace = namespace;
            return this;
        }

        /** A Kubernetes label selector, e.g. {@code app=web,tier!=db}; applied to the list and to every event. */
        public Builder<T> labelSelector(String selector) {
            LabelSelector.parse(selector == null ? "" : selector);
            this.labelSelector = selector;
            return this;
        }

        /** A Kubernetes field selector, e.g. {@code spec.nodeName=n1}; applied to the list and to every event. */
        public Builder<T> fieldSelector(String selector) {
            FieldSelector.parse(selector == null ? "" : selector);
            this.fieldSelector = selector;
            return this;
        }

        /** A further client-side filter; an object that stops passing it leaves the cache. */
        public Builder<T> filter(Predicate<T> predicate) {
            this.predicate = Objects.requireNonNull(predicate);
            return this;
        }

        /** How far before the list's wall time consuming starts (default 60 s): covers clock skew. */
        public Builder<T> lookback(Duration lookback) {
            this.lookback = lookback;
            return this;
        }

        /** How long the version of a key that left the cache is remembered (default 10 min). */
        public Builder<T> versionRetention(Duration retention) {
            this.versionRetention = retention;
            return this;
        }

        public Builder<T> handler(ResourceEventHandler<T> handler) {
            handlers.add(Objects.requireNonNull(handler));
            return this;
        }

        /** An index for {@link Informer#byIndex}; see {@link Informer#addIndex}. */
        public Builder<T> index(Index<? super T> index) {
            indexes.add(Objects.requireNonNull(index));
            return this;
        }

        /** Extra Kafka consumer settings (e.g. security); {@code group.id} is not needed and not used. */
        public Builder<T> consumerProperty(String key, Object value) {
            consumerProperties.put(key, value);
            return this;
        }

        /** The thread and Kafka client id; default {@code informer-<plural>}. */
        public Builder<T> name(String name) {
            this.name = name;
            return this;
        }

        /**
         * Runs on the informer's thread after the initial list is applied (again after a list that starts over
         * following an error) and before the consumer seeks: a seam for tests that write between the list and the
         * start of consuming.
         */
        public Builder<T> afterList(Runnable hook) {
            this.afterList = hook;
            return this;
        }

        /** Objects per page of the initial list (default 500, client-go's); 0 lists them all at once. */
        public Builder<T> pageSize(int pageSize) {
            if (pageSize < 0) {
                throw new IllegalArgumentException("pageSize must not be negative: " + pageSize);
            }
            this.pageSize = pageSize;
            return this;
        }

        /** Runs on the informer's thread between two pages of a list: a seam for tests that write meanwhile. */
        public Builder<T> afterPage(Runnable hook) {
            this.afterPage = hook;
            return this;
        }

        public Informer<T> build() {
            return new Informer<>(this);
        }
    }
}

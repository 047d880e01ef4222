package io.kubus.gateway.client;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.kubus.client.api.KubusApi;
import io.kubus.client.api.PatchKind;
import io.kubus.client.informer.Index;
import io.kubus.client.informer.Informer;
import io.kubus.client.kafka.KafkaClientConfig;
import io.kubus.client.informer.ResourceEventHandler;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.schema.ResourceTypes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Informers against a real gateway and its Kafka topics: list, then consume, once per change and in order. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InformerTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Objects by their "tier" label. */
    private static final Index<HasMetadata> TIER = new Index<>("tier", o -> {
        String tier = o.getMetadata().getLabels() == null ? null : o.getMetadata().getLabels().get("tier");
        return tier == null ? List.of() : List.of(tier);
    });

    private final AtomicInteger counter = new AtomicInteger();
    private final List<Informer<?>> informers = new ArrayList<>();
    private GatewayFixture gw;
    private KubusApi api;

    @BeforeAll
    void start() {
        gw = GatewayFixture.start();
        api = new KubusApi(gw.clientConfig());
    }

    @AfterEach
    void closeInformers() {
        informers.forEach(Informer::close);
        informers.clear();
    }

    @AfterAll
    void stop() {
        if (api != null) {
            api.close();
        }
        if (gw != null) {
            gw.close();
        }
    }

    /** What the handlers heard, as "add|update|delete key rv". */
    static final class Recorder<T extends HasMetadata> implements ResourceEventHandler<T> {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void onAdd(T object) {
            events.add("add " + Informer.keyOf(object) + " " + object.getMetadata().getResourceVersion());
        }

        @Override
        public void onUpdate(T old, T now) {
            boolean forward = Informer.keyOf(old).equals(Informer.keyOf(now)) && rv(now) > rv(old);
            events.add((forward ? "update " : "BACKWARDS ") + Informer.keyOf(now) + " " + now.getMetadata().getResourceVersion());
        }

        @Override
        public void onDelete(T last) {
            events.add("delete " + Informer.keyOf(last) + " " + last.getMetadata().getResourceVersion());
        }

        List<String> ofKey(String key) {
            return events.stream().filter(e -> e.split(" ")[1].equals(key)).map(e -> e.split(" ")[0]).toList();
        }
    }

    private String namespace() {
        String ns = "inf-" + counter.incrementAndGet();
        api.create(ResourceTypes.NAMESPACES, new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build());
        gw.withoutRootCaConfigMap(ns); // the informers here hold exactly the ConfigMaps each test makes
        return ns;
    }

    private ConfigMap create(String ns, String name, Map<String, String> labels) {
        return api.create(ResourceTypes.CONFIGMAPS, new ConfigMapBuilder().withNewMetadata().withNamespace(ns)
                .withName(name).withLabels(labels).endMetadata().addToData("v", "0").build());
    }

    private ConfigMap touch(String ns, String name, String value) {
        return api.patch(ResourceTypes.CONFIGMAPS, ns, name, PatchKind.MERGE, "{\"data\":{\"v\":\"" + value + "\"}}",
                false, ConfigMap.class);
    }

    private ConfigMap relabel(String ns, String name, String tier) {
        return api.patch(ResourceTypes.CONFIGMAPS, ns, name, PatchKind.MERGE,
                "{\"metadata\":{\"labels\":{\"tier\":\"" + tier + "\"}}}", false, ConfigMap.class);
    }

    private Informer.Builder<ConfigMap> configMaps(String ns) {
        return Informer.builder(api, KafkaClientConfig.plaintext(gw.kafkaBootstrap()), ResourceTypes.CONFIGMAPS, ConfigMap.class).namespace(ns);
    }

    private <T extends HasMetadata> Informer<T> started(Informer.Builder<T> builder) throws InterruptedException {
        Informer<T> informer = builder.build();
        informers.add(informer);
        informer.start();
        assertTrue(informer.awaitSynced(WAIT), "informer synced");
        return informer;
    }

    private static long rv(HasMetadata o) {
        return Long.parseLong(o.getMetadata().getResourceVersion());
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static Map<String, String> versions(Informer<? extends HasMetadata> informer) {
        return informer.list().stream().collect(Collectors.toMap(Informer::keyOf, o -> o.getMetadata().getResourceVersion(),
                (a, b) -> a, TreeMap::new));
    }

    private Map<String, String> apiVersions(String ns) {
        return api.list(ResourceTypes.CONFIGMAPS, ns, null, null, ConfigMap.class).items().stream()
                .collect(Collectors.toMap(Informer::keyOf, o -> o.getMetadata().getResourceVersion(), (a, b) -> a, TreeMap::new));
    }

    @Test
    void startsWithExistingObjectsThenSeesChangesInOrder() throws Exception {
        String ns = namespace();
        create(ns, "a", Map.of());
        create(ns, "b", Map.of());
        Recorder<ConfigMap> rec = new Recorder<>();
        Informer<ConfigMap> informer = started(configMaps(ns).handler(rec));
        assertTrue(informer.hasSynced());
        assertEquals(List.of(ns + "/a", ns + "/b"), List.copyOf(versions(informer).keySet()));

        ConfigMap a1 = touch(ns, "a", "1");
        ConfigMap a2 = touch(ns, "a", "2");
        api.delete(ResourceTypes.CONFIGMAPS, ns, "b", null, null);
        ConfigMap c = create(ns, "c", Map.of());
        await("the changes", () -> versions(informer).equals(apiVersions(ns)) && rec.ofKey(ns + "/b").size() == 2);

        assertEquals(List.of("add", "update", "update"), rec.ofKey(ns + "/a"));
        assertEquals(List.of("add", "delete"), rec.ofKey(ns + "/b"));
        assertEquals(List.of("add"), rec.ofKey(ns + "/c"));
        assertEquals("2", informer.get(ns, "a").orElseThrow().getData().get("v"));
        assertEquals(a2.getMetadata().getResourceVersion(), informer.get(ns + "/a").orElseThrow().getMetadata().getResourceVersion());
        assertTrue(rv(a2) > rv(a1));
        assertEquals(c.getMetadata().getUid(), informer.get(ns, "c").orElseThrow().getMetadata().getUid());
        assertTrue(informer.get(ns, "b").isEmpty());
    }

    /**
     * The initial list comes in pages, all at the first page's version; what changes between the pages reaches the
     * cache as events (the consumer starts from the first page), so the cache ends as the store is.
     */
    @Test
    void theInitialListIsPagedAndChangesBetweenPagesArriveAsEvents() throws Exception {
        String ns = namespace();
        for (int i = 0; i < 23; i++) {
            create(ns, String.format("p-%02d", i), Map.of());
        }
        AtomicInteger page = new AtomicInteger();
        Recorder<ConfigMap> rec = new Recorder<>();
        Informer<ConfigMap> informer = started(configMaps(ns).pageSize(5).handler(rec).afterPage(() -> {
            int n = page.incrementAndGet();
            touch(ns, "p-20", "page-" + n);                 // ahead of the pages: changed after their version
            api.delete(ResourceTypes.CONFIGMAPS, ns, String.format("p-%02d", 20 - n), null, null);
            create(ns, "z-" + n, Map.of());                   // after the last key the pages will read
        }));
        assertEquals(5, informer.listPages(), "23 objects in pages of 5");
        await("the changes made between the pages", () -> versions(informer).equals(apiVersions(ns)));
        assertEquals("page-4", informer.get(ns, "p-20").orElseThrow().getData().get("v"));
        assertEquals(List.of("add", "delete"), rec.ofKey(ns + "/p-19"),
                "listed as it was at the first page's version, then deleted by its event");
        assertEquals(List.of("add"), rec.ofKey(ns + "/z-1"), "created after that version: heard once, as an event");
        assertTrue(informer.get(ns, "p-16").isEmpty());
        assertEquals(23 - 4 + 4, informer.keys().size());
    }

    @Test
    void anObjectWrittenBetweenTheListAndTheConsumerIsNotMissed() throws Exception {
        String ns = namespace();
        create(ns, "before", Map.of());
        Recorder<ConfigMap> rec = new Recorder<>();
        Informer<ConfigMap> informer = started(configMaps(ns).handler(rec).afterList(() -> {
            create(ns, "published-before-seek", Map.of());
            touch(ns, "before", "changed");
            sleep(1500); // long enough for the relay to publish before the consumer looks up its start offsets
            create(ns, "right-before-seek", Map.of());
        }));
        // Changes of different objects may arrive in any order across partitions: wait for all of them.
        await("both late objects and the change",
                () -> informer.keys().size() == 3 && versions(informer).equals(apiVersions(ns)));
        assertEquals("changed", informer.get(ns, "before").orElseThrow().getData().get("v"));
        assertEquals(List.of("add"), rec.ofKey(ns + "/published-before-seek"));
        assertEquals(List.of("add", "update"), rec.ofKey(ns + "/before"));
    }

    @Test
    void duplicateEventsAreIgnoredAndDeletedObjectsStayDeleted() throws Exception {
        String ns = namespace();
        Recorder<ConfigMap> rec = new Recorder<>();
        Informer<ConfigMap> informer = started(configMaps(ns).handler(rec));
        create(ns, "x", Map.of());
        touch(ns, "x", "1");
        create(ns, "y", Map.of());
        api.delete(ResourceTypes.CONFIGMAPS, ns, "y", null, null);
        await("the changes", () -> rec.events.size() == 4);
        List<String> before = List.copyOf(rec.events);

        int republished = republish(ResourceTypes.CONFIGMAPS.topic(), ns + "/");
        // one record per change: the test's four, and the namespace's kube-root-ca.crt made and deleted
        assertEquals(6, republished, "one record per change");
        create(ns, "marker", Map.of());
        await("the marker", () -> informer.get(ns, "marker").isPresent());
        sleep(1000); // the duplicates may sit in another partition than the marker
        List<String> after = List.copyOf(rec.events);
        assertEquals(before, after.subList(0, before.size()));
        assertEquals(List.of("add " + ns + "/marker " + informer.get(ns, "marker").orElseThrow().getMetadata().getResourceVersion()),
                after.subList(before.size(), after.size()));
        assertTrue(informer.get(ns, "y").isEmpty());

        // A new informer reads the old ADDED of y (inside its lookback) but lists after y's deletion: y stays gone.
        Recorder<ConfigMap> rec2 = new Recorder<>();
        Informer<ConfigMap> second = started(configMaps(ns).handler(rec2));
        republish(ResourceTypes.CONFIGMAPS.topic(), ns + "/");
        touch(ns, "marker", "1");
        await("the marker's update", () -> rec2.ofKey(ns + "/marker").size() == 2);
        sleep(1000);
        assertEquals(List.of(), rec2.ofKey(ns + "/y"));
        assertEquals(List.of("add"), rec2.ofKey(ns + "/x"));
        assertEquals(versions(informer), versions(second));
    }

    /** Reads every record of the topic whose key starts with the prefix and publishes it again, as it was. */
    private int republish(String topic, String keyPrefix) {
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, gw.kafkaBootstrap(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> ends = consumer.endOffsets(parts);
            while (parts.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() != null && r.key().startsWith(keyPrefix)) {
                        found.add(r);
                    }
                }
            }
        }
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, gw.kafkaBootstrap()), new StringSerializer(), new ByteArraySerializer())) {
            for (ConsumerRecord<String, byte[]> r : found) {
                producer.send(new ProducerRecord<>(r.topic(), r.partition(), r.key(), r.value(), r.headers()));
            }
            producer.flush();
        }
        return found.size();
    }

    @Test
    void aLabelSelectorInformerDropsAnObjectWhoseLabelStopsMatching() throws Exception {
        String ns = namespace();
        create(ns, "in", Map.of("app", "web"));
        create(ns, "out", Map.of("app", "db"));
        Recorder<ConfigMap> rec = new Recorder<>();
        Informer<ConfigMap> informer = started(configMaps(ns).labelSelector("app=web").handler(rec));
        assertEquals(List.of(ns + "/in"), List.copyOf(informer.keys()));

        api.patch(ResourceTypes.CONFIGMAPS, ns, "in", PatchKind.MERGE, "{\"metadata\":{\"labels\":{\"app\":\"db\"}}}",
                false, ConfigMap.class);
        await("in leaves", () -> informer.keys().isEmpty());
        api.patch(ResourceTypes.CONFIGMAPS, ns, "out", PatchKind.MERGE, "{\"metadata\":{\"labels\":{\"app\":\"web\"}}}",
                false, ConfigMap.class);
        await("out enters", () -> informer.get(ns, "out").isPresent());
        touch(ns, "in", "ignored"); // does not match: no event for it
        api.patch(ResourceTypes.CONFIGMAPS, ns, "in", PatchKind.MERGE, "{\"metadata\":{\"labels\":{\"app\":\"web\"}}}",
                false, ConfigMap.class);
        await("in is back", () -> informer.get(ns, "in").isPresent());
        assertEquals(List.of("add", "delete", "add"), rec.ofKey(ns + "/in"));
        assertEquals(List.of("add"), rec.ofKey(ns + "/out"));
        assertEquals("ignored", informer.get(ns, "in").orElseThrow().getData().get("v"));
    }

    @Test
    void twoInformersAgreeWithTheApiAfterABurstOfChanges() throws Exception {
        String ns = namespace();
        Informer<ConfigMap> one = started(configMaps(ns).name("one"));
        Informer<ConfigMap> two = started(configMaps(ns).name("two").filter(cm -> true));
        Random random = new Random(42);
        for (int i = 0; i < 300; i++) {
            String name = "k" + random.nextInt(20);
            boolean exists = api.get(ResourceTypes.CONFIGMAPS, ns, name, ConfigMap.class).isPresent();
            if (!exists) {
                create(ns, name, Map.of());
            } else if (random.nextInt(3) == 0) {
                api.delete(ResourceTypes.CONFIGMAPS, ns, name, null, null);
            } else {
                touch(ns, name, Integer.toString(i));
            }
        }
        Map<String, String> truth = apiVersions(ns);
        await("both informers to agree with the API", () -> versions(one).equals(truth) && versions(two).equals(truth));
        // a third informer, started now, lists the same
        Informer<ConfigMap> three = started(configMaps(ns).name("three"));
        assertEquals(truth, versions(three));
    }

    @Test
    void anIndexFollowsAddsUpdatesAndDeletes() throws Exception {
        String ns = namespace();
        create(ns, "a", Map.of("tier", "web"));
        create(ns, "b", Map.of("tier", "db"));
        Informer<ConfigMap> informer = started(configMaps(ns).index(TIER));
        assertEquals(Set.of(ns + "/a"), informer.indexKeys(TIER, "web"));
        assertEquals(Set.of(ns + "/b"), informer.indexKeys(TIER, "db"));

        relabel(ns, "a", "db");
        // For a moment a is under both: it joins db before it leaves web, so that no reader misses it.
        await("a under db and no longer under web",
                () -> informer.indexKeys(TIER, "db").size() == 2 && informer.indexKeys(TIER, "web").isEmpty());
        api.delete(ResourceTypes.CONFIGMAPS, ns, "b", null, null);
        create(ns, "c", Map.of("tier", "web"));
        await("b out, c in", () -> informer.indexKeys(TIER, "db").equals(Set.of(ns + "/a"))
                && informer.indexKeys(TIER, "web").equals(Set.of(ns + "/c")));
        touch(ns, "a", "1");
        await("a's change", () -> "1".equals(informer.byIndex(TIER, "db").getFirst().getData().get("v")));
        assertEquals(informer.get(ns, "a").orElseThrow(), informer.byIndex(TIER, "db").getFirst());
    }

    @Test
    void indexesAddedWhileChangesStreamInAgreeWithTheCache() throws Exception {
        String ns = namespace();
        Informer<ConfigMap> informer = started(configMaps(ns));
        List<String> tiers = List.of("web", "db", "cache");
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            Future<?> burst = writer.submit(() -> {
                Random random = new Random(7);
                for (int i = 0; i < 300; i++) {
                    String name = "k" + random.nextInt(20);
                    String tier = tiers.get(random.nextInt(tiers.size()));
                    if (api.get(ResourceTypes.CONFIGMAPS, ns, name, ConfigMap.class).isEmpty()) {
                        create(ns, name, Map.of("tier", tier));
                    } else if (random.nextInt(4) == 0) {
                        api.delete(ResourceTypes.CONFIGMAPS, ns, name, null, null);
                    } else {
                        relabel(ns, name, tier);
                    }
                }
            });
            await("the burst under way", () -> informer.keys().size() >= 5);
            informer.addIndex(TIER).addIndex(Index.NAMESPACE);
            burst.get();
        } finally {
            writer.shutdown();
        }
        Map<String, String> truth = apiVersions(ns);
        Map<String, Set<String>> byTier = truth.keySet().stream().collect(Collectors.groupingBy(
                key -> api.get(ResourceTypes.CONFIGMAPS, ns, key.substring(ns.length() + 1), ConfigMap.class)
                        .orElseThrow().getMetadata().getLabels().get("tier"), Collectors.toSet()));
        // The index changes right after the cache: wait for the indexes, not only for the cache.
        await("the cache and its indexes to agree with the API", () -> versions(informer).equals(truth)
                && tiers.stream().allMatch(t -> informer.indexKeys(TIER, t).equals(byTier.getOrDefault(t, Set.of())))
                && informer.indexKeys(Index.NAMESPACE, ns).equals(truth.keySet()));
        assertEquals(truth, informer.byIndex(Index.NAMESPACE, ns).stream().collect(Collectors.toMap(
                Informer::keyOf, o -> o.getMetadata().getResourceVersion(), (x, y) -> x, TreeMap::new)));
    }

    @Test
    void secretsAreReadFromTheApiBecauseTheirEventsCarryNoData() throws Exception {
        String ns = namespace();
        Informer<Secret> informer = started(Informer.builder(api, KafkaClientConfig.plaintext(gw.kafkaBootstrap()), ResourceTypes.SECRETS, Secret.class)
                .namespace(ns));
        api.create(ResourceTypes.SECRETS, new SecretBuilder().withNewMetadata().withNamespace(ns).withName("s")
                .endMetadata().addToStringData("password", "hunter2").build());
        await("the secret", () -> informer.get(ns, "s").isPresent());
        assertEquals("aHVudGVyMg==", informer.get(ns, "s").orElseThrow().getData().get("password"));
    }

    @Test
    void aThousandObjectsReachTheCacheWithinSeconds() throws Exception {
        String ns = namespace();
        Informer<ConfigMap> informer = started(configMaps(ns));
        int n = 1000;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        long start = System.nanoTime();
        long[] lastAck = new long[1];
        try {
            List<Future<?>> writes = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String name = "o" + i;
                writes.add(pool.submit(() -> create(ns, name, Map.of("bulk", "yes"))));
            }
            for (Future<?> f : writes) {
                f.get();
            }
            lastAck[0] = System.nanoTime();
        } finally {
            pool.shutdown();
        }
        await("1000 objects in the cache", () -> informer.keys().size() == n);
        long done = System.nanoTime();
        double total = (done - start) / 1e9;
        double afterLastWrite = (done - lastAck[0]) / 1e9;
        System.out.printf("informer: %d creates over HTTP in %.2f s (%.0f/s); all %d in the cache %.2f s after the first "
                        + "write, %.3f s after the last write was acknowledged%n",
                n, (lastAck[0] - start) / 1e9, n / ((lastAck[0] - start) / 1e9), n, total, afterLastWrite);

        long listStart = System.nanoTime();
        Informer<ConfigMap> fresh = started(configMaps(ns).name("fresh"));
        double listed = (System.nanoTime() - listStart) / 1e9;
        assertEquals(n, fresh.keys().size());
        System.out.printf("informer: a new informer listed and cached %d objects in %.3f s%n", n, listed);
        assertTrue(afterLastWrite < 10, "the cache caught up within seconds: " + afterLastWrite + " s");
        assertFalse(fresh.keys().isEmpty());

        long closeStart = System.nanoTime();
        fresh.close();
        System.out.printf("informer: close took %.3f s%n", (System.nanoTime() - closeStart) / 1e9);
    }

    @Test
    void anInformerThatFallsOffTheTopicsRetentionListsAgain() throws Exception {
        String ns = namespace();
        create(ns, "doomed", Map.of("tier", "web"));
        create(ns, "mover", Map.of("tier", "web"));
        java.util.concurrent.CountDownLatch gateReached = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Recorder<ConfigMap> rec = new Recorder<>();
        Informer<ConfigMap> informer = started(configMaps(ns).handler(rec).index(TIER)
                .consumerProperty(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 1) // one batch per fetch
                .handler(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(ConfigMap object) {
                        if (object.getMetadata().getName().equals("gate")) {
                            gateReached.countDown();
                            try {
                                release.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    }
                }));
        create(ns, "gate", Map.of());
        assertTrue(gateReached.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
        // While the informer is stuck, changes pile up, and then retention removes every record it has not read.
        for (int i = 0; i < 30; i++) {
            create(ns, "pile" + i, Map.of());
        }
        api.delete(ResourceTypes.CONFIGMAPS, ns, "doomed", null, null);
        relabel(ns, "mover", "db");
        sleep(1000); // let the relay publish
        String topic = ResourceTypes.CONFIGMAPS.topic();
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", gw.kafkaBootstrap()))) {
            Map<TopicPartition, org.apache.kafka.clients.admin.RecordsToDelete> cut = new HashMap<>();
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
            for (var p : admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()) {
                latest.put(new TopicPartition(topic, p.partition()), org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
            admin.listOffsets(latest).all().get().forEach((tp, info) ->
                    cut.put(tp, org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(info.offset())));
            admin.deleteRecords(cut).all().get();
        }
        release.countDown();
        await("the informer to list again and agree with the API", () -> informer.relists() >= 1
                && versions(informer).equals(apiVersions(ns)) && informer.indexKeys(TIER, "web").isEmpty());
        assertTrue(informer.get(ns, "doomed").isEmpty());
        assertEquals(List.of("add", "delete"), rec.ofKey(ns + "/doomed"));
        assertEquals(List.of(informer.get(ns, "mover").orElseThrow()), informer.byIndex(TIER, "db"),
                "mover moved from web to db");
        assertEquals(List.of("add"), rec.ofKey(ns + "/pile29"));
        create(ns, "after", Map.of());
        await("a change after the relist", () -> informer.get(ns, "after").isPresent());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

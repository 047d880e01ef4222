package io.kubus.gateway.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.client.events.ChangeEventRecords;
import io.kubus.schema.event.ChangeEvent;
import io.kubus.schema.event.WatchEventType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The store's contract, run through a real gateway ApplicationContext against each database Kubus supports (the
 * subclasses pick H2 or PostgreSQL). The gateway under test runs with its outbox relay switched off, so the outbox
 * table can be inspected as the writes leave it; the relay test starts a second gateway on the same database and
 * broker with the relay on and follows the rows to Kafka.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ObjectStoreContract {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /**
     * Every gateway here writes the kubernetes Service's endpoints at its start only: a gateway started by a test
     * replaces the others' addresses there, and the periodic repair by the gateway under test would then write them
     * back in the middle of whatever test runs next, whose version and outbox counts expect only its own writes.
     */
    private static final Map<String, Object> NO_REPAIR = Map.of("kubus.gateway.kubernetes-service-interval", "24h");
    /** {@link #NO_REPAIR}, and no relay: the outbox stays for the test to inspect. */
    private static final Map<String, Object> NOT_RELAYING = notRelaying();

    private static Map<String, Object> notRelaying() {
        Map<String, Object> props = new HashMap<>(NO_REPAIR);
        props.put("kubus.gateway.relay.enabled", "false");
        return Map.copyOf(props);
    }

    private GatewayFixture gateway;
    private ObjectStore store;
    private String jdbcUrl;

    /** A fresh, empty database for this run. */
    abstract String freshDatabaseUrl();

    @BeforeAll
    void startGateway() {
        jdbcUrl = freshDatabaseUrl();
        gateway = GatewayFixture.start(io.kubus.broker.EmbeddedKafkaBroker.startTemporary(), true, jdbcUrl,
                NOT_RELAYING);
        store = gateway.context().getBean(ObjectStore.class);
        assertFalse(gateway.context().containsBean(io.kubus.gateway.outbox.OutboxRelay.class),
                "the gateway under test must not relay: its outbox is inspected directly");
    }

    @AfterAll
    void stopGateway() {
        if (gateway != null) {
            gateway.close();
        }
    }

    // ---- create, get, list, update, remove ----

    @Test
    void createGetListUpdateRemove() {
        String ns = namespace();
        long before = store.currentVersion();

        WriteResult created = store.write(ResourceTypes.CONFIGMAPS, ns, "a", cur -> {
            assertNull(cur, "a create sees no current object");
            return WriteOutcome.put(configMap(ns, "a", Map.of("k", "v1")));
        });
        assertEquals(WatchEventType.ADDED, created.change());
        assertEquals(before + 1, rv(created.object()));
        assertEquals(store.currentVersion(), rv(created.object()));

        ObjectNode got = store.get(ResourceTypes.CONFIGMAPS, ns, "a").orElseThrow();
        assertEquals("v1", got.path("data").path("k").asText());
        assertEquals(rv(created.object()), rv(got));
        assertTrue(store.get(ResourceTypes.CONFIGMAPS, ns, "missing").isEmpty());
        assertTrue(store.get(ResourceTypes.SECRETS, ns, "a").isEmpty(), "kinds do not share names");
        assertTrue(store.get(ResourceTypes.CONFIGMAPS, namespace(), "a").isEmpty(), "namespaces do not share names");

        store.write(ResourceTypes.CONFIGMAPS, ns, "b", cur -> WriteOutcome.put(configMap(ns, "b", Map.of())));
        ObjectList list = store.list(ResourceTypes.CONFIGMAPS, ns);
        assertEquals(List.of("a", "b"), names(list.items()));
        assertEquals(store.currentVersion(), list.resourceVersion());
        assertTrue(names(store.list(ResourceTypes.CONFIGMAPS, null).items()).containsAll(List.of("a", "b")),
                "a list across namespaces holds every namespace's objects");

        WriteResult updated = store.write(ResourceTypes.CONFIGMAPS, ns, "a", cur -> {
            assertEquals("v1", cur.path("data").path("k").asText(), "decide sees the stored state");
            ((ObjectNode) cur.get("data")).put("k", "v2");
            return WriteOutcome.put(cur);
        });
        assertEquals(WatchEventType.MODIFIED, updated.change());
        assertTrue(rv(updated.object()) > rv(created.object()));
        assertEquals("v2", store.get(ResourceTypes.CONFIGMAPS, ns, "a").orElseThrow().path("data").path("k").asText());

        long beforeRemove = store.currentVersion();
        WriteResult removed = store.write(ResourceTypes.CONFIGMAPS, ns, "a", cur -> WriteOutcome.remove());
        assertEquals(WatchEventType.DELETED, removed.change());
        assertEquals(beforeRemove + 1, rv(removed.object()), "a removal carries the deletion's version");
        assertEquals("v2", removed.object().path("data").path("k").asText(), "a removal returns the last state");
        assertTrue(store.get(ResourceTypes.CONFIGMAPS, ns, "a").isEmpty());
        assertEquals(List.of("b"), names(store.list(ResourceTypes.CONFIGMAPS, ns).items()));

        long afterRemove = store.currentVersion();
        WriteResult again = store.write(ResourceTypes.CONFIGMAPS, ns, "a", cur -> WriteOutcome.remove());
        assertNull(again.change(), "removing what is not there changes nothing");
        assertNull(again.object());
        assertEquals(afterRemove, store.currentVersion());

        List<OutboxRow> rows = outboxAfter(before);
        assertEquals(List.of("ADDED", "ADDED", "MODIFIED", "DELETED"), rows.stream().map(OutboxRow::eventType).toList());
        assertEquals(List.of(ns + "/a", ns + "/b", ns + "/a", ns + "/a"), rows.stream().map(OutboxRow::key).toList());
    }

    @Test
    void clusterScopedObjectsAreStoredWithoutNamespace() {
        String name = "cluster-" + shortId();
        long before = store.currentVersion();
        store.write(ResourceTypes.NAMESPACES, "", name, cur -> WriteOutcome.put(namespaceObject(name)));
        assertTrue(store.get(ResourceTypes.NAMESPACES, null, name).isPresent(), "null and \"\" name no namespace alike");
        assertTrue(names(store.list(ResourceTypes.NAMESPACES, null).items()).contains(name));

        // The store treats a null namespace as "" everywhere, removal included.
        WriteResult removed = store.write(ResourceTypes.NAMESPACES, null, name, cur -> WriteOutcome.remove());
        assertEquals(WatchEventType.DELETED, removed.change());
        assertTrue(store.get(ResourceTypes.NAMESPACES, "", name).isEmpty(), "the removed row is gone");
        List<OutboxRow> rows = outboxAfter(before);
        assertEquals(List.of("ADDED", "DELETED"), rows.stream().map(OutboxRow::eventType).toList());
        assertEquals(List.of(name, name), rows.stream().map(OutboxRow::key).toList());
        assertEquals(ResourceTypes.NAMESPACES.topic(), rows.getFirst().topic());
    }

    @Test
    void resourceVersionIsOneStrictlyIncreasingSequenceAcrossKinds() {
        String ns = namespace();
        List<Long> versions = new ArrayList<>();
        versions.add(rv(store.write(ResourceTypes.CONFIGMAPS, ns, "x", cur -> WriteOutcome.put(configMap(ns, "x", Map.of()))).object()));
        versions.add(rv(store.write(ResourceTypes.SECRETS, ns, "x", cur -> WriteOutcome.put(secret(ns, "x"))).object()));
        versions.add(rv(store.write(ResourceTypes.DEPLOYMENTS, ns, "x", cur -> WriteOutcome.put(object(ResourceTypes.DEPLOYMENTS, ns, "x"))).object()));
        String nsName = "ns-" + shortId();
        versions.add(rv(store.write(ResourceTypes.NAMESPACES, "", nsName, cur -> WriteOutcome.put(namespaceObject(nsName))).object()));
        versions.add(rv(store.write(ResourceTypes.CONFIGMAPS, ns, "x", cur -> WriteOutcome.remove()).object()));
        versions.add(rv(store.write(ResourceTypes.SECRETS, ns, "x", cur -> {
            cur.put("type", "Opaque");
            return WriteOutcome.put(cur);
        }).object()));
        for (int i = 1; i < versions.size(); i++) {
            assertEquals(versions.get(i - 1) + 1, versions.get(i), "one global sequence, no gaps between writes: " + versions);
        }
        assertEquals(versions.getLast(), store.currentVersion());
        assertEquals(versions, outboxAfter(versions.getFirst() - 1).stream().map(OutboxRow::version).toList());
    }

    @Test
    void keepChangesNothingAndPublishesNothing() {
        String ns = namespace();
        WriteResult created = store.write(ResourceTypes.CONFIGMAPS, ns, "k", cur -> WriteOutcome.put(configMap(ns, "k", Map.of("a", "1"))));
        long before = store.currentVersion();
        WriteResult kept = store.write(ResourceTypes.CONFIGMAPS, ns, "k", cur -> WriteOutcome.keep());
        assertNull(kept.change());
        assertEquals(created.object(), kept.object(), "Keep answers the stored object");
        WriteResult keptMissing = store.write(ResourceTypes.CONFIGMAPS, ns, "nothing", cur -> WriteOutcome.keep());
        assertNull(keptMissing.change());
        assertNull(keptMissing.object());
        assertEquals(before, store.currentVersion(), "a no-op write takes no resourceVersion");
        assertEquals(List.of(), outboxAfter(before), "a no-op write publishes nothing");
        assertEquals(rv(created.object()), rv(store.get(ResourceTypes.CONFIGMAPS, ns, "k").orElseThrow()));
    }

    @Test
    void anUpdateDecidesOnTheStoredObjectAndAgainWhenAnotherWriteCameFirst() {
        String ns = namespace();
        store.write(ResourceTypes.CONFIGMAPS, ns, "u", cur -> WriteOutcome.put(configMap(ns, "u", Map.of("a", "1"))));
        List<String> seen = new ArrayList<>();
        WriteResult updated = store.update(ResourceTypes.CONFIGMAPS, ns, "u", cur -> {
            seen.add(cur.path("data").toString());
            if (seen.size() == 1) {
                // another writer changes the object after this update read it
                store.write(ResourceTypes.CONFIGMAPS, ns, "u", other -> {
                    ((ObjectNode) other.with("data")).put("b", "2");
                    return WriteOutcome.put(other);
                });
            }
            ObjectNode next = cur.deepCopy();
            ((ObjectNode) next.with("data")).put("c", "3");
            return next;
        }, (cur, next) -> {
            assertEquals(cur.path("data").toString(), seen.getLast(), "decide sees the object prepare saw");
            return WriteOutcome.put(next);
        });
        assertEquals(List.of("{\"a\":\"1\"}", "{\"a\":\"1\",\"b\":\"2\"}"), seen,
                "the first decision was dropped and made again on the other writer's result");
        assertEquals(Map.of("a", "1", "b", "2", "c", "3"), data(store.get(ResourceTypes.CONFIGMAPS, ns, "u").orElseThrow()),
                "neither write is lost");
        assertEquals(WatchEventType.MODIFIED, updated.change());
        assertEquals(store.currentVersion(), rv(updated.object()));
    }

    @Test
    void anUpdateThatKeepsLosingTheRaceIsDecidedInOrder() {
        String ns = namespace();
        store.write(ResourceTypes.CONFIGMAPS, ns, "hot", cur -> WriteOutcome.put(configMap(ns, "hot", Map.of("n", "0"))));
        int[] prepared = {0};
        store.update(ResourceTypes.CONFIGMAPS, ns, "hot", cur -> {
            prepared[0]++;
            if (prepared[0] <= ObjectStore.OPTIMISTIC_ATTEMPTS) {
                store.write(ResourceTypes.CONFIGMAPS, ns, "hot", other -> {
                    ((ObjectNode) other.with("data")).put("n", Integer.toString(prepared[0]));
                    return WriteOutcome.put(other);
                });
            }
            ObjectNode next = cur.deepCopy();
            ((ObjectNode) next.with("data")).put("mine", cur.path("data").path("n").asText());
            return next;
        }, (cur, next) -> WriteOutcome.put(next));
        assertEquals(ObjectStore.OPTIMISTIC_ATTEMPTS + 1, prepared[0], "three misses, then one decision in order");
        assertEquals(Map.of("n", "3", "mine", "3"), data(store.get(ResourceTypes.CONFIGMAPS, ns, "hot").orElseThrow()));
    }

    @Test
    void anUpdateRefusedOrOfAMissingObjectStoresNothing() {
        String ns = namespace();
        store.write(ResourceTypes.CONFIGMAPS, ns, "r", cur -> WriteOutcome.put(configMap(ns, "r", Map.of("a", "1"))));
        long before = store.currentVersion();
        IllegalStateException refused = new IllegalStateException("refused");
        assertEquals(refused, assertThrows(IllegalStateException.class, () -> store.update(ResourceTypes.CONFIGMAPS, ns,
                "r", cur -> {
                    throw refused;
                }, (cur, next) -> WriteOutcome.put(cur))));
        assertEquals(refused, assertThrows(IllegalStateException.class, () -> store.update(ResourceTypes.CONFIGMAPS, ns,
                "r", cur -> cur, (cur, next) -> {
                    throw refused;
                })), "a refusal in the ordered part reaches the caller as thrown");
        List<Boolean> missing = new ArrayList<>();
        WriteResult none = store.update(ResourceTypes.CONFIGMAPS, ns, "absent", cur -> {
            missing.add(cur == null);
            return "nothing";
        }, (cur, next) -> WriteOutcome.keep());
        assertEquals(List.of(true), missing, "prepare is told there is no object");
        assertNull(none.object());
        assertEquals(before, store.currentVersion(), "nothing stored, no version taken");
        assertEquals(List.of(), outboxAfter(before), "nothing published");
    }

    @Test
    void decideThatThrowsLeavesNoRowAndNoEvent() {
        String ns = namespace();
        long before = store.currentVersion();
        IllegalStateException refused = new IllegalStateException("refused");
        assertEquals(refused, assertThrows(IllegalStateException.class,
                () -> store.write(ResourceTypes.CONFIGMAPS, ns, "t", cur -> {
                    throw refused;
                })), "the refusal reaches the caller as thrown");
        assertTrue(store.get(ResourceTypes.CONFIGMAPS, ns, "t").isEmpty());

        store.write(ResourceTypes.CONFIGMAPS, ns, "t", cur -> WriteOutcome.put(configMap(ns, "t", Map.of("a", "1"))));
        long afterCreate = store.currentVersion();
        assertThrows(IllegalStateException.class, () -> store.write(ResourceTypes.CONFIGMAPS, ns, "t", cur -> {
            // A decide that mutates what it was given and then refuses leaves the stored object as it was.
            ((ObjectNode) cur.get("data")).put("a", "2");
            throw refused;
        }));
        assertEquals("1", store.get(ResourceTypes.CONFIGMAPS, ns, "t").orElseThrow().path("data").path("a").asText());
        assertEquals(afterCreate, store.currentVersion());
        assertEquals(1, outboxAfter(before).size(), "only the create published");
        assertEquals(before + 1, afterCreate);
    }

    @Test
    void concurrentCreatesOfOneNameOnTwoGatewaysSerialise() throws Exception {
        String ns = namespace();
        // Two gateways on one database, as in a multi-host deployment. Each group of writes holds the version row's
        // lock while it decides, so the second creator decides after the first committed and sees its object:
        // it refuses, as a create refuses AlreadyExists, and only the winner's version and event remain.
        GatewayFixture other = GatewayFixture.start(gateway.broker(), false, jdbcUrl,
                NOT_RELAYING);
        // after the second gateway's start, which writes its address into the kubernetes Service's endpoints
        long before = store.currentVersion();
        List<ObjectStore> stores = List.of(store, other.context().getBean(ObjectStore.class));
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<WriteResult>> results = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                String value = "creator-" + i;
                ObjectStore creator = stores.get(i);
                results.add(pool.submit(() -> {
                    start.await();
                    return creator.write(ResourceTypes.CONFIGMAPS, ns, "dup", cur -> {
                        if (cur != null) {
                            throw new IllegalStateException("exists, made by " + cur.path("data").path("who").asText());
                        }
                        return WriteOutcome.put(configMap(ns, "dup", Map.of("who", value)));
                    });
                }));
            }
            start.countDown();
            List<WriteResult> won = new ArrayList<>();
            List<Throwable> lost = new ArrayList<>();
            for (Future<WriteResult> f : results) {
                try {
                    won.add(f.get(60, TimeUnit.SECONDS));
                } catch (java.util.concurrent.ExecutionException e) {
                    lost.add(e.getCause());
                }
            }
            assertEquals(1, won.size(), "one create wins: " + lost);
            assertEquals(1, lost.size());
            String winner = won.getFirst().object().path("data").path("who").asText();
            assertEquals("exists, made by " + winner, assertInstanceOf(IllegalStateException.class, lost.getFirst())
                    .getMessage(), "the loser decided on the winner's committed object");
            ObjectNode stored = store.get(ResourceTypes.CONFIGMAPS, ns, "dup").orElseThrow();
            assertEquals(won.getFirst().object().path("data"), stored.path("data"), "the winner's object is stored");
            assertEquals(before + 1, store.currentVersion(), "the loser took no version");
            List<OutboxRow> rows = outboxAfter(before);
            assertEquals(1, rows.size(), "only the winner published");
            assertEquals("ADDED", rows.getFirst().eventType());
        } finally {
            pool.shutdownNow();
            other.close();
        }
    }

    // ---- consistency under concurrency ----

    @Test
    void twoGatewaysWithEightWritersEachPublishOneOrderOnEveryTopic() throws Exception {
        String ns = namespace();
        long before = store.currentVersion();
        int writersPerGateway = 8;
        int perWriter = 30;
        // what each acknowledged write published: topic|key -> its versions in the order acknowledged
        Map<String, List<Long>> acked = new ConcurrentHashMap<>();
        // Two more gateways on this database and broker, both relaying: their groups commit in turn, their relays
        // take the outbox in turn.
        try (GatewayFixture a = GatewayFixture.start(gateway.broker(), false, jdbcUrl, NO_REPAIR);
             GatewayFixture b = GatewayFixture.start(gateway.broker(), false, jdbcUrl, NO_REPAIR)) {
            List<ObjectStore> stores = List.of(a.context().getBean(ObjectStore.class), b.context().getBean(ObjectStore.class));
            ExecutorService pool = Executors.newFixedThreadPool(2 * writersPerGateway);
            CountDownLatch start = new CountDownLatch(1);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int w = 0; w < 2 * writersPerGateway; w++) {
                    ObjectStore s = stores.get(w % 2);
                    String writer = "g" + (w % 2) + "w" + w;
                    done.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < perWriter; i++) {
                            // a ConfigMap made, changed and (every third) deleted; a Secret on a second topic
                            String name = writer + "-" + (i / 3);
                            ResourceType type = i % 5 == 4 ? ResourceTypes.SECRETS : ResourceTypes.CONFIGMAPS;
                            String value = Integer.toString(i);
                            boolean delete = i % 3 == 2;
                            WriteResult r = s.write(type, ns, name, cur -> {
                                if (cur == null) {
                                    return WriteOutcome.put(type == ResourceTypes.SECRETS ? secret(ns, name)
                                            : configMap(ns, name, Map.of("i", value)));
                                }
                                return delete ? WriteOutcome.remove() : WriteOutcome.put(cur);
                            });
                            if (r.change() != null) {
                                acked.computeIfAbsent(type.topic() + "|" + ns + "/" + name, k -> new ArrayList<>())
                                        .add(Long.parseLong(r.object().path("metadata").path("resourceVersion").asText()));
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : done) {
                    f.get(120, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!outboxAfter(before).isEmpty()) {
                if (System.nanoTime() > deadline) {
                    fail("the relays did not empty the outbox: " + outboxAfter(before).size() + " rows left");
                }
                Thread.sleep(100);
            }
        }
        java.util.TreeSet<Long> ackedVersions = new java.util.TreeSet<>();
        acked.values().forEach(ackedVersions::addAll);
        assertEquals(acked.values().stream().mapToInt(List::size).sum(), ackedVersions.size(),
                "no version was given twice");

        // A bare consumer reads both topics: the test namespace's records are exactly the acknowledged writes, once
        // each, and every partition's versions rise strictly.
        Map<String, List<Long>> published = new HashMap<>();
        Map<TopicPartition, List<Long>> perPartition = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : readAll(List.of(ResourceTypes.CONFIGMAPS.topic(), ResourceTypes.SECRETS.topic()))) {
            long v = Long.parseLong(header(r, ChangeEvent.H_RESOURCEVERSION));
            perPartition.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), k -> new ArrayList<>()).add(v);
            if (r.key() != null && r.key().startsWith(ns + "/")) {
                published.computeIfAbsent(r.topic() + "|" + r.key(), k -> new ArrayList<>()).add(v);
            }
        }
        for (Map.Entry<TopicPartition, List<Long>> e : perPartition.entrySet()) {
            List<Long> vs = e.getValue();
            for (int i = 1; i < vs.size(); i++) {
                assertTrue(vs.get(i - 1) < vs.get(i), e.getKey() + " holds versions out of order or repeated at "
                        + i + ": " + vs.get(i - 1) + ", " + vs.get(i));
            }
        }
        assertEquals(acked.keySet(), published.keySet(), "every object's events, and no others");
        for (Map.Entry<String, List<Long>> e : acked.entrySet()) {
            assertEquals(e.getValue(), published.get(e.getKey()), e.getKey() + ": each acknowledged version once, in order");
        }
    }


    @Test
    void concurrentWritesCommitInGroupsAndARefusedOneLeavesNoGap() throws Exception {
        String ns = namespace();
        int writers = 8;
        int perWriter = 40;
        long before = store.currentVersion();
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<List<Long>>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(pool.submit(() -> {
                    start.await();
                    List<Long> versions = new ArrayList<>();
                    for (int i = 0; i < perWriter; i++) {
                        String name = "w" + writer + "-" + i;
                        String value = Integer.toString(i);
                        boolean refuse = i % 4 == 3;
                        try {
                            WriteResult r = store.write(ResourceTypes.CONFIGMAPS, ns, name, cur -> {
                                if (refuse) {
                                    // a nested write first, as a quota charge does: it must go with the refusal
                                    store.write(ResourceTypes.CONFIGMAPS, ns, name + "-charge",
                                            c -> WriteOutcome.put(configMap(ns, name + "-charge", Map.of())));
                                    throw new IllegalArgumentException("refused " + name);
                                }
                                return WriteOutcome.put(configMap(ns, name, Map.of("i", value)));
                            });
                            versions.add(Long.parseLong(r.object().path("metadata").path("resourceVersion").asText()));
                        } catch (IllegalArgumentException e) {
                            assertEquals("refused " + name, e.getMessage());
                        }
                    }
                    return versions;
                }));
            }
            start.countDown();
            java.util.TreeSet<Long> all = new java.util.TreeSet<>();
            for (Future<List<Long>> f : done) {
                List<Long> mine = f.get(120, TimeUnit.SECONDS);
                for (int i = 1; i < mine.size(); i++) {
                    assertTrue(mine.get(i) > mine.get(i - 1), "one writer's versions rise");
                }
                all.addAll(mine);
            }
            int accepted = writers * (perWriter - perWriter / 4);
            assertEquals(accepted, all.size(), "every accepted write has a version of its own");
            assertEquals(before + 1, all.first());
            assertEquals(before + accepted, all.last(), "refused writes left no gap");
            assertEquals(before + accepted, store.currentVersion());
            List<OutboxRow> rows = outboxAfter(before);
            assertEquals(accepted, rows.size(), "one event per accepted write, none for the refused or their charges");
            assertEquals(accepted, store.listCommitted(ResourceTypes.CONFIGMAPS, ns).size());
        } finally {
            pool.shutdownNow();
        }
    }


    @Test
    void listIsConsistentAtItsVersionWhileWritersRun() throws Exception {
        String ns = namespace();
        int writers = 4;
        int objectsPerWriter = 10;
        int updatesPerObject = 3;
        Map<String, List<Long>> versionsByName = new ConcurrentHashMap<>();
        List<ObjectList> lists = new CopyOnWriteArrayList<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
        try {
            List<Future<?>> writerTasks = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                writerTasks.add(pool.submit(() -> {
                    for (int o = 0; o < objectsPerWriter; o++) {
                        String name = "w" + writer + "-" + o;
                        List<Long> versions = versionsByName.computeIfAbsent(name, n -> Collections.synchronizedList(new ArrayList<>()));
                        versions.add(rv(store.write(ResourceTypes.CONFIGMAPS, ns, name,
                                cur -> WriteOutcome.put(configMap(ns, name, Map.of("n", "0")))).object()));
                        for (int u = 1; u <= updatesPerObject; u++) {
                            String n = Integer.toString(u);
                            versions.add(rv(store.write(ResourceTypes.CONFIGMAPS, ns, name, cur -> {
                                ((ObjectNode) cur.get("data")).put("n", n);
                                return WriteOutcome.put(cur);
                            }).object()));
                        }
                    }
                    return null;
                }));
            }
            List<Future<?>> listers = new ArrayList<>();
            for (int l = 0; l < 2; l++) {
                listers.add(pool.submit(() -> {
                    while (writing.get()) {
                        lists.add(store.list(ResourceTypes.CONFIGMAPS, ns));
                    }
                    return null;
                }));
            }
            for (Future<?> f : writerTasks) {
                f.get(120, TimeUnit.SECONDS);
            }
            writing.set(false);
            for (Future<?> f : listers) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            writing.set(false);
            pool.shutdownNow();
        }
        lists.add(store.list(ResourceTypes.CONFIGMAPS, ns));
        assertTrue(lists.size() > 2, "the listers ran while writes happened");
        int intermediate = 0;
        for (ObjectList list : lists) {
            long v = list.resourceVersion();
            Map<String, Long> seen = new TreeMap<>();
            for (ObjectNode item : list.items()) {
                long itemVersion = rv(item);
                assertTrue(itemVersion <= v, "item " + item.path("metadata").path("name").asText() + " at "
                        + itemVersion + " is newer than its list's version " + v);
                seen.put(item.path("metadata").path("name").asText(), itemVersion);
            }
            // Exactly the state at v: every object's newest write at or below v, and nothing else.
            Map<String, Long> expected = new TreeMap<>();
            versionsByName.forEach((name, versions) -> {
                synchronized (versions) {
                    versions.stream().filter(x -> x <= v).max(Long::compare).ifPresent(x -> expected.put(name, x));
                }
            });
            assertEquals(expected, seen, "list at version " + v);
            if (!seen.isEmpty() && seen.size() < writers * objectsPerWriter) {
                intermediate++;
            }
        }
        ObjectList last = lists.getLast();
        assertEquals(writers * objectsPerWriter, last.items().size());
        Set<Long> all = new HashSet<>();
        versionsByName.values().forEach(all::addAll);
        assertEquals(writers * objectsPerWriter * (updatesPerObject + 1), all.size(), "every write had its own version");
        System.out.println("list consistency: " + lists.size() + " lists checked, " + intermediate + " taken mid-way");
    }

    @Test
    void concurrentWritersToOneObjectSerialise() throws Exception {
        String ns = namespace();
        store.write(ResourceTypes.CONFIGMAPS, ns, "counter", cur -> WriteOutcome.put(configMap(ns, "counter", Map.of("count", "0"))));
        long before = store.currentVersion();
        int threads = 8;
        int increments = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        Set<Long> versions = ConcurrentHashMap.newKeySet();
        try {
            List<Future<?>> tasks = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                tasks.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < increments; i++) {
                        WriteResult r = store.write(ResourceTypes.CONFIGMAPS, ns, "counter", cur -> {
                            ObjectNode data = (ObjectNode) cur.get("data");
                            data.put("count", Integer.toString(Integer.parseInt(data.get("count").asText()) + 1));
                            return WriteOutcome.put(cur);
                        });
                        assertTrue(versions.add(rv(r.object())), "a version was handed out twice");
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : tasks) {
                f.get(180, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        int total = threads * increments;
        ObjectNode stored = store.get(ResourceTypes.CONFIGMAPS, ns, "counter").orElseThrow();
        assertEquals(Integer.toString(total), stored.path("data").path("count").asText(), "no increment was lost");
        assertEquals(before + total, store.currentVersion());
        assertEquals(before + total, rv(stored));
        List<OutboxRow> rows = outboxAfter(before);
        assertEquals(total, rows.size());
        for (int i = 0; i < total; i++) {
            OutboxRow row = rows.get(i);
            assertEquals(before + 1 + i, row.version());
            assertEquals(Integer.toString(i + 1), row.body().path("data").path("count").asText(),
                    "the outbox shows every increment in version order");
        }
    }

    // ---- history and paging ----

    @Test
    void writesKeepTheStateTheyReplaceOrDeleteInTheHistory() {
        String ns = namespace();
        long v1 = rv(store.write(ResourceTypes.CONFIGMAPS, ns, "h", cur -> WriteOutcome.put(configMap(ns, "h", Map.of("k", "1")))).object());
        long v2 = rv(store.write(ResourceTypes.CONFIGMAPS, ns, "h", cur -> {
            ((ObjectNode) cur.get("data")).put("k", "2");
            return WriteOutcome.put(cur);
        }).object());
        store.write(ResourceTypes.CONFIGMAPS, ns, "h", cur -> WriteOutcome.keep());
        assertThrows(IllegalStateException.class, () -> store.write(ResourceTypes.CONFIGMAPS, ns, "h", cur -> {
            throw new IllegalStateException("refused");
        }));
        long v3 = rv(store.write(ResourceTypes.CONFIGMAPS, ns, "h", cur -> WriteOutcome.remove()).object());

        List<HistoryRow> rows = history(ns, "h");
        assertEquals(2, rows.size(), "one row per replaced or deleted state, none for a keep or a refusal: " + rows);
        assertEquals(v1, rows.get(0).version());
        assertEquals(v2, rows.get(0).supersededBy());
        assertEquals("1", readTree(rows.get(0).body()).path("data").path("k").asText());
        assertEquals(v2, rows.get(1).version());
        assertEquals(v3, rows.get(1).supersededBy());
        assertEquals("2", readTree(rows.get(1).body()).path("data").path("k").asText());

        ListScope scope = new ListScope(ResourceTypes.CONFIGMAPS, ns);
        assertEquals(List.of("1"), dataAt(scope, v1));
        assertEquals(List.of("2"), dataAt(scope, v2));
        assertEquals(List.of(), dataAt(scope, v3));
        assertEquals(1, store.lists().countAfter(scope, v2, null));
        assertEquals(0, store.lists().countAfter(scope, v2, new ListKey(ns, "h")));
    }

    /**
     * Pages read at one version, each from the key after the last, while writers create, change and delete objects,
     * add up to the list at that version; the expected list is rebuilt from the writers' own acknowledged writes.
     */
    @Test
    void pagesAtOneVersionAddUpWhileWritersRun() throws Exception {
        String ns = namespace();
        ListScope scope = new ListScope(ResourceTypes.CONFIGMAPS, ns);
        Map<String, java.util.NavigableMap<Long, String>> log = new ConcurrentHashMap<>();
        for (int i = 0; i < 30; i++) {
            String name = String.format("o-%02d", i);
            logWrite(log, name, store.write(ResourceTypes.CONFIGMAPS, ns, name, cur -> WriteOutcome.put(configMap(ns, name, Map.of("n", "0")))));
        }
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<?>> writers = new ArrayList<>();
        // Pages seen per version; checked once the writers stopped, when the log holds every acknowledged write.
        Map<Long, Map<String, String>> listed = new TreeMap<>();
        try {
            for (int w = 0; w < 3; w++) {
                int seed = w;
                writers.add(pool.submit(() -> {
                    java.util.Random random = new java.util.Random(seed);
                    for (int n = 1; writing.get(); n++) {
                        String name = String.format("o-%02d", random.nextInt(40));
                        String value = seed + "." + n;
                        logWrite(log, name, store.write(ResourceTypes.CONFIGMAPS, ns, name, cur -> switch (random.nextInt(3)) {
                            case 0 -> cur == null ? WriteOutcome.put(configMap(ns, name, Map.of("n", value))) : WriteOutcome.keep();
                            case 1 -> {
                                if (cur == null) {
                                    yield WriteOutcome.keep();
                                }
                                ((ObjectNode) cur.get("data")).put("n", value);
                                yield WriteOutcome.put(cur);
                            }
                            default -> WriteOutcome.remove();
                        }));
                    }
                    return null;
                }));
            }
            for (int round = 0; round < 5; round++) {
                Long version = null;
                ListKey after = null;
                Map<String, String> seen = new TreeMap<>();
                while (true) {
                    List<ListRow> page = new ArrayList<>();
                    boolean more;
                    try (ListCursor cursor = store.lists().open(scope, version, after, false, 6)) {
                        while (page.size() < 5) {
                            ListRow row = cursor.next();
                            if (row == null) {
                                break;
                            }
                            page.add(row);
                        }
                        more = page.size() == 5 && cursor.next() != null;
                        version = cursor.version();
                    }
                    for (ListRow row : page) {
                        ObjectNode obj = (ObjectNode) readTree(row.body());
                        assertTrue(rv(obj) <= version, row.name() + " at " + rv(obj) + " in a list at " + version);
                        assertNull(seen.put(row.name(), obj.path("data").path("n").asText()), row.name() + " twice");
                    }
                    if (!more) {
                        break;
                    }
                    after = page.getLast().key();
                    Thread.sleep(2); // the writers get a turn between the pages
                }
                listed.put(version, seen);
            }
        } finally {
            writing.set(false);
            for (Future<?> f : writers) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdownNow();
        }
        assertTrue(listed.size() >= 2, "lists at several versions: " + listed.keySet());
        listed.forEach((v, seen) -> {
            Map<String, String> expected = new TreeMap<>();
            log.forEach((name, states) -> {
                Map.Entry<Long, String> at = states.floorEntry(v);
                if (at != null && !at.getValue().isEmpty()) {
                    expected.put(name, at.getValue());
                }
            });
            assertEquals(expected, seen, "pages at version " + v);
        });
    }

    /** Records a write that changed something: the state it left (empty for a removal) from its version on. */
    private static void logWrite(Map<String, java.util.NavigableMap<Long, String>> log, String name, WriteResult r) {
        if (r.change() == null) {
            return;
        }
        log.computeIfAbsent(name, n -> new java.util.concurrent.ConcurrentSkipListMap<>()).put(rv(r.object()),
                r.change() == WatchEventType.DELETED ? "" : r.object().path("data").path("n").asText());
    }

    @Test
    void historyOlderThanTheWindowIsCompactedAndCanNoLongerBeRead() {
        String ns = namespace();
        ListScope scope = new ListScope(ResourceTypes.CONFIGMAPS, ns);
        long v1 = rv(store.write(ResourceTypes.CONFIGMAPS, ns, "c", cur -> WriteOutcome.put(configMap(ns, "c", Map.of("k", "1")))).object());
        long v2 = rv(store.write(ResourceTypes.CONFIGMAPS, ns, "c", cur -> {
            ((ObjectNode) cur.get("data")).put("k", "2");
            return WriteOutcome.put(cur);
        }).object());
        HistoryRow row = history(ns, "c").getFirst();
        ObjectHistory history = gateway.context().getBean(ObjectHistory.class);

        // Earlier tests' history, superseded before the cutoff, goes; this state, superseded after it, stays.
        assertTrue(history.compact(java.time.Instant.ofEpochMilli(row.supersededAt() - 1)) < v2,
                "the compacted version stays below the write that superseded a state after the cutoff");
        assertEquals(1, history(ns, "c").size());
        assertEquals(List.of("1"), dataAt(scope, v1));

        assertTrue(history.compact(java.time.Instant.ofEpochMilli(row.supersededAt())) >= v2,
                "the compacted version rises to the newest superseding write at or before the cutoff");
        assertEquals(List.of(), history(ns, "c"), "the state superseded at the cutoff is gone");
        assertTrue(store.compactedVersion() >= v2);
        try (ListCursor cursor = store.lists().open(scope, v1, null, false, 0)) {
            HistoryCompactedException e = assertThrows(HistoryCompactedException.class, cursor::next);
            assertEquals(v1, e.version());
        }
        assertEquals(-1, store.lists().countAfter(scope, v1, null), "a count at a compacted version is unknown");
        assertEquals(List.of("2"), dataAt(scope, store.compactedVersion()), "the compacted version itself is readable");
        assertEquals(List.of("2"), names(store.list(ResourceTypes.CONFIGMAPS, ns).items()).stream()
                .map(n -> store.get(ResourceTypes.CONFIGMAPS, ns, n).orElseThrow().path("data").path("k").asText()).toList());
    }

    private List<String> dataAt(ListScope scope, long version) {
        List<String> out = new ArrayList<>();
        try (ListCursor cursor = store.lists().open(scope, version, null, false, 0)) {
            for (ListRow row = cursor.next(); row != null; row = cursor.next()) {
                out.add(readTree(row.body()).path("data").path("k").asText());
            }
            assertEquals(version, cursor.version());
        }
        return out;
    }

    record HistoryRow(long version, long supersededBy, long supersededAt, String body) {
    }

    private List<HistoryRow> history(String ns, String name) {
        try (Connection c = connect();
             PreparedStatement ps = c.prepareStatement("SELECT resource_version, superseded_version, superseded_at, body "
                     + "FROM api_object_history WHERE namespace = ? AND name = ? ORDER BY resource_version")) {
            ps.setString(1, ns);
            ps.setString(2, name);
            List<HistoryRow> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new HistoryRow(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4)));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- outbox ----

    @Test
    void outboxHoldsOneRowPerChangeInVersionOrder() {
        String ns = namespace();
        long before = store.currentVersion();
        store.write(ResourceTypes.CONFIGMAPS, ns, "o", cur -> WriteOutcome.put(configMap(ns, "o", Map.of("a", "1"))));
        store.write(ResourceTypes.DEPLOYMENTS, ns, "o", cur -> WriteOutcome.put(object(ResourceTypes.DEPLOYMENTS, ns, "o")));
        store.write(ResourceTypes.CONFIGMAPS, ns, "o", cur -> {
            ((ObjectNode) cur.get("data")).put("a", "2");
            return WriteOutcome.put(cur);
        });
        store.write(ResourceTypes.CONFIGMAPS, ns, "o", cur -> WriteOutcome.keep());
        store.write(ResourceTypes.CONFIGMAPS, ns, "o", cur -> WriteOutcome.remove());

        List<OutboxRow> rows = outboxAfter(before);
        assertEquals(List.of(before + 1, before + 2, before + 3, before + 4), rows.stream().map(OutboxRow::version).toList());
        assertEquals(List.of("ADDED", "ADDED", "MODIFIED", "DELETED"), rows.stream().map(OutboxRow::eventType).toList());
        assertEquals(List.of(ResourceTypes.CONFIGMAPS.topic(), ResourceTypes.DEPLOYMENTS.topic(),
                ResourceTypes.CONFIGMAPS.topic(), ResourceTypes.CONFIGMAPS.topic()), rows.stream().map(OutboxRow::topic).toList());
        assertEquals("kubus.apps.v1.deployments", rows.get(1).topic());
        assertEquals("io.kubus.core.v1.configmaps.modified", rows.get(2).ceType());
        for (OutboxRow row : rows) {
            assertEquals(ns + "/o", row.key());
            assertEquals(Long.toString(row.version()), row.body().path("metadata").path("resourceVersion").asText(),
                    "the event's object carries the version of its change");
        }
        assertEquals("2", rows.get(3).body().path("data").path("a").asText(), "DELETED carries the last state");
    }

    @Test
    void secretEventsCarryNoData() {
        String ns = namespace();
        long before = store.currentVersion();
        ObjectNode s = secret(ns, "creds");
        store.write(ResourceTypes.SECRETS, ns, "creds", cur -> WriteOutcome.put(s));
        store.write(ResourceTypes.SECRETS, ns, "creds", cur -> {
            ((ObjectNode) cur.get("data")).put("password", "bmV3");
            return WriteOutcome.put(cur);
        });
        store.write(ResourceTypes.SECRETS, ns, "creds", cur -> WriteOutcome.remove());

        ObjectNode stored = store.write(ResourceTypes.SECRETS, ns, "kept", cur -> WriteOutcome.put(secret(ns, "kept"))).object();
        assertEquals("c2VjcmV0", stored.path("data").path("password").asText(), "the store keeps the data");
        assertEquals("c2VjcmV0", store.get(ResourceTypes.SECRETS, ns, "kept").orElseThrow().path("data").path("password").asText());

        List<OutboxRow> rows = outboxAfter(before);
        assertEquals(4, rows.size());
        for (OutboxRow row : rows) {
            assertFalse(row.body().has("data"), "a Secret's event carries no data: " + row.body());
            assertFalse(row.body().has("stringData"), "a Secret's event carries no stringData: " + row.body());
            assertFalse(row.rawBody().contains("c2VjcmV0") || row.rawBody().contains("bmV3") || row.rawBody().contains("plain"),
                    "no secret value anywhere in the event: " + row.rawBody());
            assertEquals("Secret", row.body().path("kind").asText(), "the metadata still travels");
            assertEquals("Opaque", row.body().path("type").asText());
        }
    }

    @Test
    void largeObjectRoundTrips() {
        String ns = namespace();
        // Just under the 1 MiB that Kubernetes allows for a ConfigMap's data.
        StringBuilder big = new StringBuilder(1 << 20);
        int bytes = 0;
        for (int i = 0; bytes < (1 << 20) - 100; i++) {
            String line = "line " + i + " \u00e9\u4e2d\"\\ \n";
            big.append(line);
            bytes += line.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
        ObjectNode cm = configMap(ns, "big", Map.of("payload", big.toString()));
        assertTrue(KubusJson.write(cm).length() >= 1_000_000, "the body is about 1 MiB of JSON");
        assertTrue(big.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 1 << 20, "the data is under the limit");
        long version = rv(store.write(ResourceTypes.CONFIGMAPS, ns, "big", cur -> WriteOutcome.put(cm.deepCopy())).object());
        ObjectNode stored = store.get(ResourceTypes.CONFIGMAPS, ns, "big").orElseThrow();
        assertEquals(big.toString(), stored.path("data").path("payload").asText());
        assertEquals(version, rv(stored));
        ObjectNode listed = store.list(ResourceTypes.CONFIGMAPS, ns).items().getFirst();
        assertEquals(stored, listed);
        OutboxRow row = outboxAfter(version - 1).getFirst();
        assertEquals(big.toString(), row.body().path("data").path("payload").asText(), "the event carries the whole object");

        // The same through HTTP (in a namespace that exists): 1 MiB is below the 3 MiB request limit.
        String httpName = "big-" + shortId();
        ObjectNode viaHttp = configMap("default", httpName, Map.of("payload", big.toString()));
        ((ObjectNode) viaHttp.get("metadata")).remove("uid");
        GatewayFixture.Reply created = gateway.request("POST", "/api/v1/namespaces/default/configmaps",
                "application/json", KubusJson.write(viaHttp));
        assertEquals(201, created.status(), created.body().length() > 500 ? created.body().substring(0, 500) : created.body());
        GatewayFixture.Reply got = gateway.request("GET", "/api/v1/namespaces/default/configmaps/" + httpName, null, null);
        assertEquals(200, got.status());
        assertEquals(big.toString(), readTree(got.body()).path("data").path("payload").asText());
    }

    @Test
    void anObjectOverTheSizeLimitIsRefusedAndNothingStored() {
        String ns = namespace();
        long before = store.currentVersion();
        String tooMuch = "\u00e9".repeat(ObjectStore.MAX_OBJECT_BYTES / 2); // two bytes each in UTF-8
        assertThrows(ObjectTooLargeException.class, () -> store.write(ResourceTypes.CONFIGMAPS, ns, "huge",
                cur -> WriteOutcome.put(configMap(ns, "huge", Map.of("payload", tooMuch)))));
        store.write(ResourceTypes.CONFIGMAPS, ns, "huge", cur -> WriteOutcome.put(configMap(ns, "huge", Map.of())));
        assertThrows(ObjectTooLargeException.class, () -> store.write(ResourceTypes.CONFIGMAPS, ns, "huge", cur -> {
            ((ObjectNode) cur.get("data")).put("payload", tooMuch);
            return WriteOutcome.put(cur);
        }), "an update that grows it over the limit too");
        assertEquals(Map.of(), data(store.get(ResourceTypes.CONFIGMAPS, ns, "huge").orElseThrow()));
        assertEquals(before + 1, store.currentVersion(), "only the small create took a version");
        assertEquals(1, outboxAfter(before).size());
    }

    @Test
    void relayPublishesOutboxRowsInOrderThenEmptiesTheOutbox() throws Exception {
        String ns = namespace();
        long before = store.currentVersion();
        for (int i = 0; i < 5; i++) {
            String name = "r" + i;
            store.write(ResourceTypes.CONFIGMAPS, ns, name, cur -> WriteOutcome.put(configMap(ns, name, Map.of("i", name))));
        }
        store.write(ResourceTypes.CONFIGMAPS, ns, "r0", cur -> {
            ((ObjectNode) cur.get("data")).put("i", "again");
            return WriteOutcome.put(cur);
        });
        store.write(ResourceTypes.SECRETS, ns, "s", cur -> WriteOutcome.put(secret(ns, "s")));
        store.write(ResourceTypes.CONFIGMAPS, ns, "r1", cur -> WriteOutcome.remove());

        // With the relay off, the rows wait in the outbox.
        List<OutboxRow> pending = outboxAfter(before);
        assertEquals(8, pending.size());
        Thread.sleep(300);
        assertEquals(8, outboxAfter(before).size(), "nothing takes rows out while no relay runs");
        List<OutboxRow> everything = outboxAfter(-1);

        // A second gateway on the same database and broker, relay on: it publishes every row, then deletes them.
        try (GatewayFixture relaying = GatewayFixture.start(gateway.broker(), false, jdbcUrl, NO_REPAIR)) {
            awaitOutboxEmpty();
            assertTrue(relaying.context().getBean(io.kubus.gateway.outbox.OutboxRelay.class).published() >= everything.size());
        }

        Map<Long, ConsumerRecord<String, byte[]>> byVersion = new HashMap<>();
        Map<String, List<Long>> versionsPerKey = new HashMap<>();
        Map<TopicPartition, List<Long>> versionsPerPartition = new HashMap<>();
        // every kind's topic: the outbox also holds what the gateway made at start (namespaces, priority classes)
        for (ConsumerRecord<String, byte[]> r : readAll(ResourceTypes.all().stream().map(ResourceType::topic).distinct().toList())) {
            long v = Long.parseLong(header(r, ChangeEvent.H_RESOURCEVERSION));
            byVersion.putIfAbsent(v, r);
            versionsPerKey.computeIfAbsent(r.topic() + "|" + r.key(), k -> new ArrayList<>()).add(v);
            versionsPerPartition.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), k -> new ArrayList<>()).add(v);
        }
        for (OutboxRow row : everything) {
            ConsumerRecord<String, byte[]> r = byVersion.get(row.version());
            assertNotNull(r, "outbox row " + row.version() + " (" + row.topic() + " " + row.key() + ") reached Kafka");
            assertEquals(row.topic(), r.topic());
            assertEquals(row.key(), r.key());
            assertEquals(row.ceType(), header(r, ChangeEvent.H_TYPE));
            assertEquals("1.0", header(r, ChangeEvent.H_SPECVERSION));
            assertEquals(row.key() + "@" + row.version(), header(r, ChangeEvent.H_ID));
            JsonNode value = readTree(new String(r.value(), StandardCharsets.UTF_8));
            assertEquals(row.eventType(), value.path("type").asText());
            assertEquals(row.body(), value.path("object"));
        }
        for (Map.Entry<TopicPartition, List<Long>> e : versionsPerPartition.entrySet()) {
            List<Long> vs = e.getValue();
            for (int i = 1; i < vs.size(); i++) {
                assertTrue(vs.get(i - 1) < vs.get(i), "records of " + e.getKey() + " leave in version order: " + vs);
            }
        }
        assertEquals(List.of(before + 1, before + 6), versionsPerKey.get(ResourceTypes.CONFIGMAPS.topic() + "|" + ns + "/r0"));
        ConsumerRecord<String, byte[]> secretRecord = byVersion.get(before + 7);
        assertFalse(new String(secretRecord.value(), StandardCharsets.UTF_8).contains("c2VjcmV0"),
                "a Secret's data never reaches Kafka");
        assertFalse(readTree(new String(secretRecord.value(), StandardCharsets.UTF_8)).path("object").has("data"));
    }

    // ---- helpers ----

    /**
     * A relay round that sent part of its rows, had them acknowledged and died before its delete (its transaction,
     * lock included, rolled back), emulated here on a connection of the test's own, step for step as OutboxRelay
     * takes them. A gateway whose relay had been running all along takes the lock over: it reads what the topic holds
     * and sends only the rest, so every version is on the topic once.
     */
    @Test
    void aRunningGatewayThatTakesTheRelayOverSendsNothingTwice() throws Exception {
        String ns = namespace();
        // about 1 MiB of JSON, as much as Kubernetes allows a ConfigMap: more than Kafka's default record size
        long big = rv(store.write(ResourceTypes.CONFIGMAPS, ns, "big", cur -> WriteOutcome.put(configMap(ns, "big",
                Map.of("payload", "x".repeat((1 << 20) - 100))))).object());
        try (GatewayFixture relaying = GatewayFixture.start(gateway.broker(), false, jdbcUrl, NO_REPAIR)) {
            awaitOutboxEmpty(); // the relay is past its start, where it reads the topics anyway
            long before = store.currentVersion();
            try (Connection c = connect();
                 ResultSet rs = c.createStatement().executeQuery("SELECT sent_up_to FROM outbox_relay_sent WHERE id = 1")) {
                assertTrue(rs.next());
                assertEquals(before, rs.getLong(1), "the relay marked the newest version it sent");
            }
            List<OutboxRow> rows;
            try (Connection dying = connect()) {
                dying.setAutoCommit(false);
                try (PreparedStatement lock = dying.prepareStatement("SELECT id FROM outbox_relay_lock WHERE id = 1 FOR UPDATE")) {
                    lock.executeQuery().close();
                }
                for (int i = 0; i < 10; i++) {
                    String name = "t" + i;
                    store.write(ResourceTypes.CONFIGMAPS, ns, name, cur -> WriteOutcome.put(configMap(ns, name, Map.of())));
                }
                rows = outboxAfter(before);
                assertEquals(10, rows.size());
                try (Connection mark = connect();
                     PreparedStatement ps = mark.prepareStatement("UPDATE outbox_relay_sent SET sent_up_to = ? WHERE id = 1")) {
                    ps.setLong(1, rows.getLast().version());
                    ps.executeUpdate();
                }
                try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, gateway.kafkaBootstrap(),
                        ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
                    for (OutboxRow row : rows.subList(0, 5)) {
                        producer.send(ChangeEventRecords.toRecord(new ChangeEvent(WatchEventType.valueOf(row.eventType()),
                                row.topic(), row.key(), row.version(), Instant.now(), row.ceType(), row.body()))).get();
                    }
                }
                dying.rollback(); // the round's gateway is gone: no delete, the lock is free
            }
            awaitOutboxEmpty();
            assertTrue(relaying.context().getBean(io.kubus.gateway.outbox.OutboxRelay.class).published() >= 5);
        }
        Map<Long, Integer> copies = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : readAll(List.of(ResourceTypes.CONFIGMAPS.topic()))) {
            if (r.key().startsWith(ns + "/")) {
                copies.merge(Long.parseLong(header(r, ChangeEvent.H_RESOURCEVERSION)), 1, Integer::sum);
            }
        }
        assertEquals(1, copies.remove(big), "the large ConfigMap's event reached the topic once");
        assertEquals(10, copies.size(), "every version reached the topic: " + copies);
        assertEquals(Set.of(1), Set.copyOf(copies.values()), "each once: " + copies);
    }

    private void awaitOutboxEmpty() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!outboxAfter(-1).isEmpty()) {
            if (System.nanoTime() > deadline) {
                fail("the relay did not empty the outbox: " + outboxAfter(-1).size() + " rows left");
            }
            Thread.sleep(100);
        }
    }

    /** Every record of the topics, from their beginning to their end now, each partition's in offset order. */
    private List<ConsumerRecord<String, byte[]>> readAll(List<String> topics) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, gateway.kafkaBootstrap(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                for (PartitionInfo p : c.partitionsFor(topic, Duration.ofSeconds(30))) {
                    partitions.add(new TopicPartition(topic, p.partition()));
                }
            }
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> c.position(p, Duration.ofSeconds(30)) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    fail("could not read the change topics to their end");
                }
                c.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        // in each partition's offset order, as a consumer sees them
        return records;
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    record OutboxRow(long version, String topic, String key, String eventType, String ceType, String rawBody) {
        ObjectNode body() {
            return (ObjectNode) readTree(rawBody);
        }
    }

    /** A connection of the test's own to the gateway's database. */
    private Connection connect() throws SQLException {
        Map<String, Object> ds = GatewayFixture.datasource(jdbcUrl);
        return DriverManager.getConnection(jdbcUrl, (String) ds.get("datasources.default.username"),
                (String) ds.get("datasources.default.password"));
    }

    private List<OutboxRow> outboxAfter(long version) {
        try (Connection c = connect();
             PreparedStatement ps = c.prepareStatement("SELECT resource_version, topic, record_key, event_type, ce_type, body "
                     + "FROM outbox WHERE resource_version > ? ORDER BY resource_version")) {
            ps.setLong(1, version);
            List<OutboxRow> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new OutboxRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6)));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode readTree(String json) {
        try {
            return KubusJson.json().readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private String namespace() {
        // The store does not check namespaces; a fresh one per test keeps the tests apart.
        return "ns-" + shortId();
    }

    private static String shortId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private static Map<String, String> data(JsonNode obj) {
        Map<String, String> out = new TreeMap<>();
        obj.path("data").properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static long rv(JsonNode obj) {
        return Long.parseLong(obj.path("metadata").path("resourceVersion").asText());
    }

    private static List<String> names(List<ObjectNode> items) {
        return items.stream().map(i -> i.path("metadata").path("name").asText()).toList();
    }

    private static ObjectNode object(ResourceType type, String ns, String name) {
        ObjectNode o = NODES.objectNode();
        o.put("apiVersion", type.apiVersion());
        o.put("kind", type.kind());
        ObjectNode meta = o.putObject("metadata");
        meta.put("name", name);
        if (ns != null && !ns.isEmpty()) {
            meta.put("namespace", ns);
        }
        meta.put("uid", UUID.randomUUID().toString());
        return o;
    }

    private static ObjectNode configMap(String ns, String name, Map<String, String> data) {
        ObjectNode cm = object(ResourceTypes.CONFIGMAPS, ns, name);
        ObjectNode d = cm.putObject("data");
        data.forEach(d::put);
        return cm;
    }

    private static ObjectNode secret(String ns, String name) {
        ObjectNode s = object(ResourceTypes.SECRETS, ns, name);
        s.put("type", "Opaque");
        s.putObject("data").put("password", "c2VjcmV0");
        s.putObject("stringData").put("plain", "plain-text");
        return s;
    }

    private static ObjectNode namespaceObject(String name) {
        ObjectNode n = object(ResourceTypes.NAMESPACES, null, name);
        n.putObject("status").put("phase", "Active");
        return n;
    }
}

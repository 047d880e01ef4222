package io.kubus.gateway.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.schema.KubusJson;
import io.kubus.schema.event.StatusReports;
import io.kubus.schema.event.StatusReports.NodeReport;
import io.kubus.schema.event.StatusReports.PodReport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import io.kubus.client.status.ReportSignatures;
import io.kubus.gateway.testing.TestPki;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Status ingestion against a real gateway and its embedded broker: reports are produced with a plain Kafka producer,
 * the way a node agent publishes them, and their effect is read back through the REST API and the change topics.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatusIngesterTest {
    private static final String NODE = "node-a";

    private GatewayFixture gateway;
    private StatusIngester ingester;
    private KafkaProducer<String, byte[]> producer;

    @BeforeAll
    void start() {
        gateway = GatewayFixture.start();
        ingester = gateway.context().getBean(StatusIngester.class);
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, gateway.kafkaBootstrap(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5),
                new StringSerializer(), new ByteArraySerializer());
        createNode(NODE);
        createNode("node-b");
    }

    @AfterAll
    void stop() {
        if (producer != null) {
            producer.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void aPodReportBecomesThePodsStatusAndAModifiedEvent() throws Exception {
        String uid = createBoundPod("web-1", NODE);
        long before = version("web-1");

        sendPod("web-1", new PodReport(uid, NODE, running("10.1.0.7", 0, false), now()));

        JsonNode pod = awaitPod("web-1", p -> "Running".equals(p.path("status").path("phase").asText()));
        JsonNode status = pod.path("status");
        assertEquals("10.1.0.7", status.path("podIP").asText());
        assertEquals("10.1.0.7", status.path("podIPs").path(0).path("ip").asText());
        JsonNode container = status.path("containerStatuses").path(0);
        assertEquals("app", container.path("name").asText());
        assertTrue(container.path("ready").asBoolean());
        assertTrue(container.path("state").has("running"));
        assertTrue(version("web-1") > before);
        // The report had no PodScheduled condition: the binding's one stays, beside the reported ones.
        assertTrue(hasCondition(status, "PodScheduled", "True"), status.toString());
        assertTrue(hasCondition(status, "Ready", "True"), status.toString());
        // Nothing but status changed.
        assertEquals(NODE, pod.path("spec").path("nodeName").asText());
        assertEquals("nginx", pod.path("spec").path("containers").path(0).path("image").asText());

        JsonNode event = awaitEvent("kubus.core.v1.pods", "default/web-1",
                e -> "MODIFIED".equals(e.path("type").asText())
                        && "Running".equals(e.path("object").path("status").path("phase").asText()));
        assertEquals("10.1.0.7", event.path("object").path("status").path("podIP").asText());
    }

    @Test
    void reportsForAnotherPodOfTheSameNameFromAnotherNodeOrForAMissingPodChangeNothing() throws Exception {
        String uid = createBoundPod("web-2", NODE);
        JsonNode before = pod("web-2");
        StatusIngester.Counters c0 = ingester.counters();

        sendPod("web-2", new PodReport("00000000-0000-0000-0000-000000000000", NODE, running("10.1.0.8", 0, false), now()));
        sendPod("web-2", new PodReport(uid, "node-b", running("10.1.0.9", 0, false), now()));
        sendPod("gone", new PodReport(uid, NODE, running("10.1.0.10", 0, false), now()));
        awaitTrue(() -> ingester.counters().skipped() - c0.skipped()
                + ingester.counters().superseded() - c0.superseded() >= 3, "the three reports processed");

        // Two of the reports share a key; whether or not one superseded the other, neither may apply.
        JsonNode after = pod("web-2");
        assertEquals(before.path("metadata").path("resourceVersion").asText(),
                after.path("metadata").path("resourceVersion").asText());
        assertFalse(after.path("status").has("podIP"));
        assertEquals(404, gateway.request("GET", "/api/v1/namespaces/default/pods/gone", null, null).status());
        assertEquals(0, ingester.counters().applied() - c0.applied());
    }

    /**
     * The reporter is who signed: a report for NODE's pod signed by another node, one signed by a node of another
     * cluster (another CA), one with its value changed after signing and one not signed at all change nothing, and
     * are counted as forged.
     */
    @Test
    void reportsNotSignedByTheNodeTheyReportForAreDroppedAndCounted() throws Exception {
        String uid = createBoundPod("web-6", NODE);
        JsonNode before = pod("web-6");
        StatusIngester.Counters c0 = ingester.counters();
        byte[] claim = KubusJson.json().writeValueAsBytes(new PodReport(uid, NODE, running("10.1.0.66", 0, false), now()));
        signed(StatusReports.POD_STATUS_TOPIC, "default/web-6", claim, TestPki.nodeSigner("node-b"));
        io.kubus.client.tls.CertificateAuthority other = io.kubus.client.tls.CertificateAuthority.create("other",
                java.time.Duration.ofDays(1));
        io.kubus.client.tls.CertificateAuthority.Issued stranger = other.issue("system:node:" + NODE,
                List.of("system:nodes"), List.of(), io.kubus.client.tls.CertificateAuthority.Usage.CLIENT,
                java.time.Duration.ofDays(1));
        signed(StatusReports.POD_STATUS_TOPIC, "default/web-6", claim,
                new ReportSignatures.Signer(stranger.key(), stranger.certificate()));
        ProducerRecord<String, byte[]> altered = new ProducerRecord<>(StatusReports.POD_STATUS_TOPIC, "default/web-6",
                KubusJson.json().writeValueAsBytes(new PodReport(uid, NODE, running("10.1.0.67", 0, false), now())));
        TestPki.nodeSigner(NODE).sign(StatusReports.POD_STATUS_TOPIC, "default/web-6", claim, altered.headers());
        producer.send(altered);
        producer.send(new ProducerRecord<>(StatusReports.POD_STATUS_TOPIC, "default/web-6", claim));
        awaitTrue(() -> ingester.counters().forged() - c0.forged() >= 4, "the four forgeries read");
        assertEquals(4, ingester.counters().forged() - c0.forged());
        assertEquals(0, ingester.counters().applied() - c0.applied());
        JsonNode after = pod("web-6");
        assertEquals(before.path("metadata").path("resourceVersion").asText(),
                after.path("metadata").path("resourceVersion").asText());
        assertFalse(after.path("status").has("podIP"));

        signed(StatusReports.POD_STATUS_TOPIC, "default/web-6", claim, TestPki.nodeSigner(NODE));
        await(() -> pod("web-6"), p -> "10.1.0.66".equals(p.path("status").path("podIP").asText()), "the node's own report applies");
    }

    @Test
    void aDuplicateReportAddsNoVersion() throws Exception {
        String uid = createBoundPod("web-3", NODE);
        PodReport report = new PodReport(uid, NODE, running("10.1.0.11", 0, false), now());
        sendPod("web-3", report);
        awaitPod("web-3", p -> "10.1.0.11".equals(p.path("status").path("podIP").asText()));
        long applied = version("web-3");
        long unchanged = ingester.counters().unchanged();

        sendPod("web-3", report);
        awaitTrue(() -> ingester.counters().unchanged() > unchanged, "the duplicate processed");

        assertEquals(applied, version("web-3"));
    }

    @Test
    void aBurstOfReportsEndsWithEachPodsLastStatusInFewTransactions() throws Exception {
        int pods = 100;
        int rounds = 10;
        List<String> uids = new ArrayList<>();
        long creating = System.nanoTime();
        for (int i = 0; i < pods; i++) {
            uids.add(createPod("burst-" + i, NODE, "burst"));
        }
        long createNanos = System.nanoTime() - creating;
        StatusIngester.Counters c0 = ingester.counters();
        long start = System.nanoTime();
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < pods; i++) {
                sendPod("burst-" + i, new PodReport(uids.get(i), NODE,
                        running("10.2." + i / 250 + "." + (i % 250 + 1), round, round == rounds - 1), now()));
            }
        }
        producer.flush();
        long flushed = System.nanoTime();
        awaitTrue(() -> ingester.counters().records() - c0.records() >= (long) pods * rounds, "all reports read");
        long readNanos = System.nanoTime() - start;
        awaitTrue(() -> {
            JsonNode list = json(gateway.request("GET", "/api/v1/namespaces/default/pods?labelSelector=set%3Dburst",
                    null, null).body());
            int done = 0;
            for (JsonNode p : list.path("items")) {
                if (p.path("status").path("containerStatuses").path(0).path("restartCount").asInt() == rounds - 1) {
                    done++;
                }
            }
            return done == pods;
        }, "every pod at its last report");
        long doneNanos = System.nanoTime() - start;

        StatusIngester.Counters c1 = ingester.counters();
        long transactions = c1.transactions() - c0.transactions();
        long batches = c1.batches() - c0.batches();
        long applied = c1.applied() - c0.applied();
        System.out.printf("status burst: %d reports for %d pods produced in %d ms, all read %d ms after the first send"
                        + " (%.0f reports/s), all visible after %d ms (%d ms after the producer's flush);"
                        + " %d batches, %d transactions, %d superseded, %d applied, %d ms in the store"
                        + " (for comparison: %d pods created one by one over REST in %d ms)%n",
                pods * rounds, pods, (flushed - start) / 1_000_000, readNanos / 1_000_000,
                pods * rounds * 1e9 / readNanos, doneNanos / 1_000_000, (start + doneNanos - flushed) / 1_000_000,
                batches, transactions, c1.superseded() - c0.superseded(), applied,
                (c1.storeNanos() - c0.storeNanos()) / 1_000_000, pods, createNanos / 1_000_000);
        assertTrue(transactions <= 100, "transactions: " + transactions);
        assertTrue(transactions <= batches);
        for (int i = 0; i < pods; i++) {
            JsonNode status = pod("burst-" + i).path("status");
            assertEquals("10.2." + i / 250 + "." + (i % 250 + 1), status.path("podIP").asText());
            assertTrue(status.path("containerStatuses").path(0).path("ready").asBoolean());
        }
    }

    @Test
    void aNodeReportBecomesTheNodesStatus() throws Exception {
        createNode("node-c");
        String heartbeat = now();
        NodeStatus status = new NodeStatusBuilder()
                .addToCapacity("cpu", new Quantity("4"))
                .addToCapacity("memory", new Quantity("8Gi"))
                .addToCapacity("pods", new Quantity("110"))
                .addToAllocatable("cpu", new Quantity("4"))
                .addToAllocatable("memory", new Quantity("8Gi"))
                .addToAllocatable("pods", new Quantity("110"))
                .addNewAddress().withType("InternalIP").withAddress("192.168.1.3").endAddress()
                .addToConditions(new NodeConditionBuilder().withType("Ready").withStatus("True")
                        .withReason("KubeletReady").withMessage("kubelet is posting ready status")
                        .withLastHeartbeatTime(heartbeat).withLastTransitionTime(heartbeat).build())
                .build();
        send(StatusReports.NODE_STATUS_TOPIC, "node-c", new NodeReport("node-c", status, heartbeat));

        JsonNode node = await(() -> get("/api/v1/nodes/node-c"),
                n -> !n.path("status").path("conditions").isEmpty(), "the node's status");
        JsonNode ready = node.path("status").path("conditions").path(0);
        assertEquals("Ready", ready.path("type").asText());
        assertEquals("True", ready.path("status").asText());
        assertEquals(heartbeat, ready.path("lastHeartbeatTime").asText());
        assertEquals("4", node.path("status").path("capacity").path("cpu").asText());
        assertEquals("192.168.1.3", node.path("status").path("addresses").path(0).path("address").asText());

        // A later heartbeat moves the time; a node that does not exist gets nothing.
        StatusIngester.Counters c0 = ingester.counters();
        String later = Instant.parse(heartbeat).plusSeconds(10).toString();
        NodeStatus next = new NodeStatusBuilder(status).editFirstCondition().withLastHeartbeatTime(later).endCondition().build();
        send(StatusReports.NODE_STATUS_TOPIC, "node-c", new NodeReport("node-c", next, later));
        send(StatusReports.NODE_STATUS_TOPIC, "node-zz", new NodeReport("node-zz", next, later));
        await(() -> get("/api/v1/nodes/node-c"), n -> later.equals(n.path("status").path("conditions").path(0)
                .path("lastHeartbeatTime").asText()), "the later heartbeat");
        awaitTrue(() -> ingester.counters().skipped() > c0.skipped(), "the report of the missing node skipped");
        assertEquals(404, gateway.request("GET", "/api/v1/nodes/node-zz", null, null).status());
    }

    @Test
    void malformedRecordsAreSkippedAndLaterReportsStillApply() throws Exception {
        String uid = createBoundPod("web-4", NODE);
        StatusIngester.Counters c0 = ingester.counters();
        byte[] good = KubusJson.json().writeValueAsBytes(new PodReport(uid, NODE, running("10.1.0.12", 0, false), now()));
        // Not JSON; the wrong shape; no uid; a key that is not namespace/name; no key; no value; a bad node report.
        raw(StatusReports.POD_STATUS_TOPIC, "default/web-4", "{not json".getBytes(StandardCharsets.UTF_8));
        raw(StatusReports.POD_STATUS_TOPIC, "default/web-4", "[1,2,3]".getBytes(StandardCharsets.UTF_8));
        raw(StatusReports.POD_STATUS_TOPIC, "default/web-4",
                ("{\"nodeName\":\"" + NODE + "\",\"status\":{\"phase\":\"Running\"}}").getBytes(StandardCharsets.UTF_8));
        raw(StatusReports.POD_STATUS_TOPIC, "web-4", good);
        raw(StatusReports.POD_STATUS_TOPIC, null, good);
        raw(StatusReports.POD_STATUS_TOPIC, "default/web-4", null);
        raw(StatusReports.NODE_STATUS_TOPIC, NODE, "{\"status\":{\"conditions\":7}}".getBytes(StandardCharsets.UTF_8));
        producer.flush();
        // The good report comes after the bad ones in the same partition.
        raw(StatusReports.POD_STATUS_TOPIC, "default/web-4", good);

        awaitPod("web-4", p -> "10.1.0.12".equals(p.path("status").path("podIP").asText()));
        awaitTrue(() -> ingester.counters().malformed() - c0.malformed() >= 7, "seven malformed records counted");
    }

    @Test
    void aStatusReportRacingSpecUpdatesLeavesBoth() throws Exception {
        String uid = createBoundPod("web-5", NODE);
        int updates = 40;
        AtomicInteger failures = new AtomicInteger();
        Thread writer = Thread.ofPlatform().start(() -> {
            for (int i = 1; i <= updates; i++) {
                String patch = "{\"metadata\":{\"labels\":{\"gen\":\"" + i + "\"}},\"spec\":{\"activeDeadlineSeconds\":"
                        + (10_000 - i) + "}}";
                if (gateway.request("PATCH", "/api/v1/namespaces/default/pods/web-5",
                        "application/merge-patch+json", patch).status() != 200) {
                    failures.incrementAndGet();
                }
            }
        });
        for (int i = 0; i < updates; i++) {
            sendPod("web-5", new PodReport(uid, NODE, running("10.1.0.13", i, false), now()));
            Thread.sleep(2);
        }
        producer.flush();
        writer.join();
        assertEquals(0, failures.get());

        JsonNode pod = awaitPod("web-5", p -> p.path("status").path("containerStatuses").path(0)
                .path("restartCount").asInt() == updates - 1);
        assertEquals(String.valueOf(updates), pod.path("metadata").path("labels").path("gen").asText());
        assertEquals(10_000 - updates, pod.path("spec").path("activeDeadlineSeconds").asInt());
        assertEquals("10.1.0.13", pod.path("status").path("podIP").asText());
        assertTrue(hasCondition(pod.path("status"), "PodScheduled", "True"));
    }

    // --- reports

    private static PodStatus running(String ip, int restarts, boolean last) {
        String t = "2025-01-01T00:00:00Z";
        return new PodStatusBuilder()
                .withPhase("Running")
                .withHostIP("192.168.1.2")
                .withPodIP(ip)
                .withPodIPs(new PodIPBuilder().withIp(ip).build())
                .withStartTime(t)
                .withQosClass("BestEffort")
                .addToConditions(new PodConditionBuilder().withType("Initialized").withStatus("True")
                        .withLastTransitionTime(t).build())
                .addToConditions(new PodConditionBuilder().withType("Ready").withStatus("True")
                        .withLastTransitionTime(t).build())
                .addToConditions(new PodConditionBuilder().withType("ContainersReady").withStatus("True")
                        .withLastTransitionTime(t).build())
                .addToContainerStatuses(new ContainerStatusBuilder()
                        .withName("app").withImage("nginx").withImageID("docker-pullable://nginx@sha256:0")
                        .withContainerID("docker://c0ffee").withReady(true).withStarted(true)
                        .withRestartCount(restarts)
                        .withNewState().withNewRunning().withStartedAt(last ? "2025-01-01T00:01:00Z" : t)
                        .endRunning().endState()
                        .build())
                .build();
    }

    private void sendPod(String name, PodReport report) throws Exception {
        send(StatusReports.POD_STATUS_TOPIC, "default/" + name, report);
    }

    /** As the reporting node's agent sends it: signed with that node's certificate. */
    private void send(String topic, String key, Object report) throws Exception {
        String node = report instanceof PodReport p ? p.nodeName() : ((NodeReport) report).nodeName();
        signed(topic, key, KubusJson.json().writeValueAsBytes(report), TestPki.nodeSigner(node));
    }

    /** Bytes as NODE's agent would sign them. */
    private void raw(String topic, String key, byte[] value) {
        signed(topic, key, value, TestPki.nodeSigner(NODE));
    }

    private void signed(String topic, String key, byte[] value, ReportSignatures.Signer signer) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, value);
        if (value != null) {
            signer.sign(topic, key, value, record.headers());
        }
        producer.send(record);
    }

    private static String now() {
        return Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }

    // --- the API

    private void createNode(String name) {
        GatewayFixture.Reply r = gateway.request("POST", "/api/v1/nodes", "application/json",
                "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"" + name + "\"}}");
        assertEquals(201, r.status(), r.body());
    }

    /** A pod bound through the binding subresource, so it carries the PodScheduled condition the binding sets. */
    private String createBoundPod(String name, String node) {
        String uid = createPod(name, null, "single");
        GatewayFixture.Reply r = gateway.request("POST", "/api/v1/namespaces/default/pods/" + name + "/binding",
                "application/json", "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"" + name
                        + "\"},\"target\":{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"name\":\"" + node + "\"}}");
        assertEquals(201, r.status(), r.body());
        return uid;
    }

    private String createPod(String name, String node, String set) {
        String nodeName = node == null ? "" : "\"nodeName\":\"" + node + "\",";
        GatewayFixture.Reply r = gateway.request("POST", "/api/v1/namespaces/default/pods", "application/json",
                "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":{\"set\":\""
                        + set + "\"}},\"spec\":{" + nodeName + "\"containers\":[{\"name\":\"app\",\"image\":\"nginx\"}]}}");
        assertEquals(201, r.status(), r.body());
        return json(r.body()).path("metadata").path("uid").asText();
    }

    private JsonNode pod(String name) {
        return get("/api/v1/namespaces/default/pods/" + name);
    }

    private long version(String name) {
        return pod(name).path("metadata").path("resourceVersion").asLong();
    }

    private JsonNode get(String path) {
        GatewayFixture.Reply r = gateway.request("GET", path, null, null);
        assertEquals(200, r.status(), r.body());
        return json(r.body());
    }

    private static JsonNode json(String body) {
        try {
            return KubusJson.json().readTree(body);
        } catch (Exception e) {
            throw new AssertionError(body, e);
        }
    }

    private static boolean hasCondition(JsonNode status, String type, String value) {
        for (JsonNode c : status.path("conditions")) {
            if (type.equals(c.path("type").asText()) && value.equals(c.path("status").asText())) {
                return true;
            }
        }
        return false;
    }

    // --- waiting

    private JsonNode awaitPod(String name, java.util.function.Predicate<JsonNode> done) throws InterruptedException {
        return await(() -> pod(name), done, "pod " + name);
    }

    private static JsonNode await(java.util.function.Supplier<JsonNode> read, java.util.function.Predicate<JsonNode> done,
                                  String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = read.get();
            if (done.test(last)) {
                return last;
            }
            Thread.sleep(20);
        }
        return fail("timed out waiting for " + what + "; last: " + last);
    }

    private static void awaitTrue(BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (done.getAsBoolean()) {
                return;
            }
            Thread.sleep(20);
        }
        fail("timed out waiting for " + what);
    }

    /** Reads a change topic from its start, as any Kafka client would, until an event for the key matches. */
    private JsonNode awaitEvent(String topic, String key, java.util.function.Predicate<JsonNode> match) {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, gateway.kafkaBootstrap(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : c.partitionsFor(topic, Duration.ofSeconds(10))) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
            c.assign(partitions);
            c.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (key.equals(r.key())) {
                        JsonNode event = json(new String(r.value(), StandardCharsets.UTF_8));
                        if (match.test(event)) {
                            return event;
                        }
                    }
                }
            }
        }
        return fail("no matching event for " + key + " on " + topic);
    }
}

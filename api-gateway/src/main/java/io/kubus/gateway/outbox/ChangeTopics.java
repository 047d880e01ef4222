package io.kubus.gateway.outbox;

import io.kubus.client.kafka.KafkaClientConfig;
import io.kubus.gateway.config.KafkaSettings;
import io.kubus.schema.ResourceType;
import io.kubus.gateway.apiextensions.ServedTypes;
import io.kubus.schema.event.StatusReports;
import io.kubus.gateway.store.ObjectStore;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import jakarta.inject.Singleton;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Makes sure every kind's change topic, and the status topics node agents publish to, exist before anything is
 * published to them or read from them.
 */
@Singleton
public class ChangeTopics {
    /**
     * The largest record the topics take ({@code max.message.bytes}) and the relay sends ({@code max.request.size}):
     * an event of the largest object stored ({@link ObjectStore#MAX_OBJECT_BYTES}) with room for its envelope.
     * Kafka's default, 1 MiB, is less than a ConfigMap Kubernetes allows, and a row the relay cannot send holds back
     * every change after it.
     */
    public static final int MAX_EVENT_BYTES = ObjectStore.MAX_OBJECT_BYTES + 1024 * 1024;
    private static final Map<String, String> TOPIC_CONFIG =
            Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_EVENT_BYTES));

    private final KafkaSettings settings;
    private final KafkaClientConfig kafka;
    private final ServedTypes types;
    private volatile boolean ensured;

    public ChangeTopics(KafkaSettings settings, KafkaClientConfig kafka, ServedTypes types) {
        this.settings = settings;
        this.kafka = kafka;
        this.types = types;
    }

    /**
     * One topic per stored kind, custom kinds included: the versions only converted from a storage version publish
     * on its topic.
     */
    public List<String> names() {
        return types.stored().stream().map(ResourceType::topic).toList();
    }

    /** Changes whenever {@link #names()} may have: a CustomResourceDefinition came or went. */
    public long generation() {
        return types.generation();
    }

    /** The status topics node agents publish to and the gateway ingests (docs/architecture.md, "How a change flows", step 5). */
    public List<String> statusNames() {
        return List.of(StatusReports.POD_STATUS_TOPIC, StatusReports.NODE_STATUS_TOPIC);
    }

    /**
     * Every kind's topic and the status topics, once. Synchronized: the relay and the watch cache ask at once, and
     * the second must not find the first one's topics made but not yet led and go on to produce to them.
     */
    public synchronized void ensure() throws InterruptedException {
        if (ensured) {
            return;
        }
        ensure(Stream.concat(names().stream(), statusNames().stream()).toList());
        ensured = true;
    }

    /**
     * Makes the topics that do not exist yet, and waits until they have leaders: a custom kind's topic is made before
     * its definition is Established, so that its first object has somewhere to go.
     */
    public synchronized void ensure(List<String> topics) throws InterruptedException {
        try (Admin admin = Admin.create(kafka.client(Map.of()))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = topics.stream()
                    .filter(t -> !existing.contains(t))
                    .map(t -> new NewTopic(t, settings.getPartitions(), settings.getReplicationFactor())
                            .configs(TOPIC_CONFIG)).toList();
            raiseLimits(admin, topics.stream().filter(existing::contains).toList());
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create change topics: " + e.getCause().getMessage(), e.getCause());
                    }
                }
                awaitLeaders(admin, missing.stream().map(NewTopic::name).toList());
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka at " + kafka.bootstrapServers() + " does not answer: " + e, e);
        }
    }

    /**
     * Topics made before the limit was set, or by hand, with a smaller {@code max.message.bytes} (the broker's default
     * or their own) are raised to {@link #MAX_EVENT_BYTES}; a larger one an operator set stays.
     */
    private static void raiseLimits(Admin admin, List<String> topics)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (topics.isEmpty()) {
            return;
        }
        Map<ConfigResource, Config> configs = admin.describeConfigs(topics.stream()
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList()).all().get(30, TimeUnit.SECONDS);
        List<AlterConfigOp> raise = List.of(new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                Integer.toString(MAX_EVENT_BYTES)), AlterConfigOp.OpType.SET));
        Map<ConfigResource, Collection<AlterConfigOp>> raised = new HashMap<>();
        configs.forEach((topic, config) -> {
            ConfigEntry limit = config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            if (limit == null || limit.value() == null || Long.parseLong(limit.value()) < MAX_EVENT_BYTES) {
                raised.put(topic, raise);
            }
        });
        if (!raised.isEmpty()) {
            admin.incrementalAlterConfigs(raised).all().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Until every partition of the new topics has a leader that answers for it: the relay's idempotent producer,
     * sending before that, was seen answered NOT_LEADER_OR_FOLLOWER and then OUT_OF_ORDER_SEQUENCE_NUMBER on every
     * retry, which stalls the outbox until its delivery timeout. A leader named in the metadata may not lead yet on
     * its broker, so each partition's latest offset is asked of it (the leader alone answers) until all answer.
     */
    private static void awaitLeaders(Admin admin, List<String> topics)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            Map<String, TopicDescription> described =
                    admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
            boolean led = described.values().stream()
                    .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
            if (led && leadersAnswer(admin, described)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                return;
            }
            Thread.sleep(50);
        }
    }

    private static boolean leadersAnswer(Admin admin, Map<String, TopicDescription> described)
            throws InterruptedException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        described.forEach((topic, d) -> d.partitions().forEach(p ->
                latest.put(new TopicPartition(topic, p.partition()),
                        OffsetSpec.latest())));
        try {
            admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            return false; // not leading yet
        }
    }
}

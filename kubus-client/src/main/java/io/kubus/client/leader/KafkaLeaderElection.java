package io.kubus.client.leader;

import io.kubus.client.kafka.KafkaClientConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One leader among the replicas of a service, through Kafka group membership: every replica joins one consumer group
 * on a one-partition topic, and the member the group coordinator assigns that partition leads. When the leader dies
 * its session expires and the partition, so the lead, passes to a standby within the session timeout.
 */
public final class KafkaLeaderElection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaLeaderElection.class);

    /** Called on the election's thread when this replica starts or stops leading. */
    public interface Callbacks {
        void startedLeading();

        void stoppedLeading();
    }

    private final KafkaClientConfig kafka;
    private final String topic;
    private final String group;
    private final String identity;
    private final Duration sessionTimeout;
    private final Callbacks callbacks;
    private final Thread thread;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean leading;
    private volatile boolean running = true;

    public KafkaLeaderElection(KafkaClientConfig kafka, String name, String identity, Duration sessionTimeout,
                               Callbacks callbacks) {
        this.kafka = kafka;
        this.topic = "kubus.leader." + name;
        this.group = "kubus-leader-" + name;
        this.identity = identity;
        this.sessionTimeout = sessionTimeout;
        this.callbacks = callbacks;
        this.thread = Thread.ofPlatform().daemon().name("leader-election-" + name).start(this::run);
    }

    public boolean isLeader() {
        return leading;
    }

    private void run() {
        while (running) {
            try {
                ensureTopic();
                follow();
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                setLeading(false);
                LOG.warn("leader election for {} lost Kafka, retrying: {}", topic, e.toString());
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void follow() {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(kafka.client(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.CLIENT_ID_CONFIG, identity,
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) sessionTimeout.toMillis(),
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(200, sessionTimeout.toMillis() / 4),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                // A standby that joins must not take the lead from a live leader: keep assignments where they are.
                ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                org.apache.kafka.clients.consumer.CooperativeStickyAssignor.class.getName())),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer = c;
            c.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    if (!partitions.isEmpty()) {
                        setLeading(false);
                    }
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    // Cooperative rebalancing reports only what is newly assigned: empty means "no change".
                    if (!partitions.isEmpty()) {
                        setLeading(true);
                    }
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    setLeading(false);
                }
            });
            while (running) {
                c.poll(Duration.ofMillis(200));
            }
        } finally {
            setLeading(false);
        }
    }

    private void setLeading(boolean now) {
        if (now == leading) {
            return;
        }
        leading = now;
        LOG.info("{} {} leading {}", identity, now ? "started" : "stopped", topic);
        try {
            if (now) {
                callbacks.startedLeading();
            } else {
                callbacks.stoppedLeading();
            }
        } catch (RuntimeException e) {
            LOG.warn("leader callback failed", e);
        }
    }

    private void ensureTopic() {
        try (Admin admin = Admin.create(kafka.client(Map.of()))) {
            if (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
                return;
            }
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create " + topic, e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka does not answer", e);
        }
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

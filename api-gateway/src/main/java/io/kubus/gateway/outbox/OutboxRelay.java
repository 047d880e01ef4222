package io.kubus.gateway.outbox;

import io.kubus.client.kafka.KafkaClientConfig;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.config.GatewaySettings;
import io.kubus.gateway.store.OutboxSignal;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.transaction.TransactionDefinition;
import io.micronaut.transaction.TransactionOperations;
import jakarta.annotation.PreDestroy;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import io.kubus.client.events.ChangeEventRecords;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import io.kubus.schema.event.ChangeEvent;
import io.kubus.schema.event.WatchEventType;
import io.kubus.schema.KubusJson;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Publishes outbox rows to the change topics in resourceVersion order, at least once: a row is deleted only in the
 * transaction that follows Kafka's acknowledgement, and only one gateway relays at a time (the relay lock row), so
 * a gateway that dies mid-batch leaves its rows for the next relay round of any gateway.
 *
 * <p>A round whose sends Kafka did not acknowledge within the delivery timeout closes its producer and starts a new
 * one. The idempotent producer otherwise keeps its producer id and sequence numbers across rounds, and a partition
 * whose sequence it lost (OUT_OF_ORDER_SEQUENCE_NUMBER after NOT_LEADER_OR_FOLLOWER on a topic just made, seen once)
 * refused every retry: the outbox stalled for good. A new producer id starts every partition's sequence afresh.
 *
 * <p>Before it sends rows that may be on their topics already, the relay reads what the topics hold. Which rows
 * those are is kept in the database, not in the gateway: before a round sends, it commits the newest version it is
 * about to send ({@code outbox_relay_sent}, in a transaction of its own while the round holds the lock). A round
 * that completes deletes every row up to there; so rows at or below that mark that are still in the outbox are rows
 * a round may have sent and never deleted: its gateway was killed between Kafka's acknowledgement and the delete,
 * Kafka did not acknowledge the sends in time (they may still have been appended), or the delete did not commit.
 * The next round, in this gateway or in any other on the database (one that starts, or one running all along that
 * takes the lock over), then reads the last records of each partition, as many as a round sends: the rows still in
 * the outbox are the newest published on each partition, in version order, so those records hold every one of them
 * that reached Kafka, and rows whose version is there are deleted without being sent again. So a broker restart, a
 * database restart or a gateway kill publishes each version once ({@code WriteStreamFaultsTest},
 * {@code ChangeTopicConsumerTest}, {@code ObjectStoreContract.aRunningGatewayThatTakesTheRelayOverSendsNothingTwice}).
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Context
@Requires(property = "kubus.gateway.relay.enabled", notEquals = "false")
public class OutboxRelay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);

    private final TransactionOperations<Connection> tx;
    private final OutboxSignal signal;
    private final GatewaySettings settings;
    private final ChangeTopics topics;
    private final KafkaClientConfig kafka;
    private final Thread thread;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong producers = new AtomicLong();
    private volatile KafkaProducer<String, byte[]> producer;
    private volatile boolean running = true;

    public OutboxRelay(TransactionOperations<Connection> tx, OutboxSignal signal, GatewaySettings settings,
                       KafkaClientConfig kafka, ChangeTopics topics) {
        this.tx = tx;
        this.signal = signal;
        this.settings = settings;
        this.topics = topics;
        this.kafka = kafka;
        this.producer = newProducer();
        this.thread = Thread.ofPlatform().daemon().name("outbox-relay").start(this::run);
    }

    /** Events published since start; for metrics and tests. */
    public long published() {
        return published.get();
    }

    /** Producers started since start: one, and one more after each round Kafka did not acknowledge. */
    public long producers() {
        return producers.get();
    }

    private KafkaProducer<String, byte[]> newProducer() {
        long timeout = settings.getRelayDeliveryTimeout().toMillis();
        producers.incrementAndGet();
        return new KafkaProducer<>(kafka.client(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) (timeout / 2),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, ChangeTopics.MAX_EVENT_BYTES,
                ProducerConfig.CLIENT_ID_CONFIG, "kubus-outbox-relay")),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** Closes the producer of a round Kafka did not acknowledge and starts another (see the class comment). */
    private void renewProducer() {
        KafkaProducer<String, byte[]> stuck = producer;
        producer = newProducer();
        stuck.close(java.time.Duration.ZERO);
    }

    private void run() {
        long backoff = 100;
        while (running) {
            try {
                topics.ensure();
                int sent = relayOnce();
                backoff = 100;
                if (sent < settings.getRelayBatch()) {
                    signal.await(settings.getRelayPollMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Unacknowledged e) {
                if (!running) {
                    return;
                }
                LOG.warn("Kafka did not acknowledge an outbox relay round; a new producer sends it again in {} ms: {}",
                        backoff, e.getCause().toString());
                renewProducer();
                sleep(backoff);
                backoff = Math.min(backoff * 2, 5_000);
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                LOG.warn("outbox relay round failed, retrying in {} ms: {}", backoff, e.toString());
                sleep(backoff);
                backoff = Math.min(backoff * 2, 5_000);
            }
        }
    }

    /** One round: lock, read a batch in order, publish, wait for acks, delete. Returns the rows relayed. */
    int relayOnce() {
        return tx.executeWrite(status -> {
            Connection c = status.getConnection();
            try (PreparedStatement lock = c.prepareStatement("SELECT id FROM outbox_relay_lock WHERE id = 1 FOR UPDATE")) {
                lock.executeQuery().close();
            }
            List<ChangeEvent> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT resource_version, topic, record_key, event_type, ce_type, event_time, body FROM outbox ORDER BY resource_version LIMIT ?")) {
                ps.setInt(1, settings.getRelayBatch());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new ChangeEvent(WatchEventType.valueOf(rs.getString(4)), rs.getString(2),
                                rs.getString(3), rs.getLong(1), Instant.parse(rs.getString(6)), rs.getString(5),
                                (ObjectNode) KubusJson.json().readTree(rs.getString(7))));
                    }
                }
            }
            if (rows.isEmpty()) {
                return 0;
            }
            long last = rows.getLast().resourceVersion();
            long sentUpTo = sentUpTo(c);
            Set<Long> onTopics = rows.getFirst().resourceVersion() <= sentUpTo ? PublishedTails.read(kafka,
                    rows.stream().map(ChangeEvent::topic).collect(Collectors.toSet()), settings.getRelayBatch(),
                    settings.getRelayDeliveryTimeout()) : Set.of();
            if (last > sentUpTo) {
                markSent(last);
            }
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (ChangeEvent event : rows) {
                if (!onTopics.contains(event.resourceVersion())) {
                    acks.add(producer.send(ChangeEventRecords.toRecord(event)));
                }
            }
            try {
                producer.flush();
                for (Future<RecordMetadata> ack : acks) {
                    ack.get(settings.getRelayDeliveryTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
                }
            } catch (ExecutionException | TimeoutException e) {
                throw new Unacknowledged(e);
            }
            try (PreparedStatement del = c.prepareStatement("DELETE FROM outbox WHERE resource_version <= ?")) {
                del.setLong(1, last);
                del.executeUpdate();
            }
            published.addAndGet(acks.size());
            return rows.size();
        });
    }

    private static long sentUpTo(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT sent_up_to FROM outbox_relay_sent WHERE id = 1");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Commits, before the round sends, that rows up to {@code version} may be on their topics: in a transaction of its
     * own, as the round's transaction (which holds the lock) is rolled back if its gateway dies.
     */
    private void markSent(long version) {
        tx.execute(TransactionDefinition.of(TransactionDefinition.Propagation.REQUIRES_NEW), status -> {
            try (PreparedStatement ps = status.getConnection().prepareStatement(
                    "UPDATE outbox_relay_sent SET sent_up_to = ? WHERE id = 1")) {
                ps.setLong(1, version);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** A round's sends failed or were not acknowledged in time. */
    private static final class Unacknowledged extends RuntimeException {
        Unacknowledged(Exception cause) {
            super(cause);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @PreDestroy
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(java.time.Duration.ofSeconds(5));
    }
}

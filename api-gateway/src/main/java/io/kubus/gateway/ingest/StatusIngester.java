package io.kubus.gateway.ingest;

import io.kubus.client.events.Reconnecting;
import io.kubus.client.kafka.KafkaClientConfig;
import io.kubus.gateway.GatewayApplication;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.admission.Admission;
import io.kubus.gateway.admission.FieldValidation;
import io.kubus.gateway.outbox.ChangeTopics;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.store.WriteOutcome;
import io.kubus.gateway.store.WriteResult;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.event.StatusReports;
import io.kubus.schema.event.StatusReports.Report;
import io.kubus.gateway.registry.Strategies;
import io.kubus.gateway.registry.Strategy;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import io.kubus.client.status.ReportSignatures;
import io.kubus.client.tls.Subjects;
import io.kubus.gateway.auth.GatewayPki;
import io.kubus.gateway.auth.NodeAuthorizer;
import io.kubus.gateway.auth.UserInfo;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stores what node agents report on the status topics (docs/architecture.md, "How a change flows", step 5). Gateways share one
 * consumer group, so each report is stored by one of them. Each poll is one batch: only the newest report per object
 * counts (a report carries the whole status), and the batch is stored in one transaction through
 * {@link ObjectStore#writeAll}, so every change gets its own resourceVersion and change event like any other write.
 * Offsets are committed only after that transaction committed: at least once, and a report applied twice is a
 * no-op, because an unchanged status is a Keep (no new version, no event). Redelivered reports come in their
 * partition's order and collapse to the newest within a batch; were a redelivered run split over two batches, an older
 * status could be stored again for a moment before the newer one (reports carry no version the store could compare).
 *
 * <p>A report is applied only to the object it was made for: the object must exist, with the report's uid when it
 * names one, and be bound to the reporting node (its strategy's boundNode: a pod's nodeName, a node itself). It
 * replaces the object's status and nothing else, as the kind's strategy takes it from a report (a pod keeps the
 * PodScheduled condition its binding set). Records that cannot be read are skipped, never retried, so they never
 * block a partition.
 */
@Context
@Requires(env = GatewayApplication.ENVIRONMENT)
@Requires(property = "kubus.gateway.status-ingest.enabled", notEquals = "false")
public class StatusIngester implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusIngester.class);

    private final StatusIngestSettings settings;
    private final KafkaClientConfig kafka;
    private final ChangeTopics topics;
    private final ObjectStore store;
    private final Admission admission;
    private final Strategies strategies;
    private final Thread thread;
    /** Who may sign status reports: the clients of the cluster's CA. */
    private final List<X509Certificate> authorities;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean running = true;

    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong superseded = new AtomicLong();
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong unchanged = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong forged = new AtomicLong();
    private final AtomicLong storeNanos = new AtomicLong();

    public StatusIngester(StatusIngestSettings settings, KafkaClientConfig kafka, ChangeTopics topics, ObjectStore store,
                          Admission admission, Strategies strategies, GatewayPki pki) {
        this.authorities = List.of(pki.pki().ca().certificate());
        this.strategies = strategies;
        this.settings = settings;
        this.kafka = kafka;
        this.topics = topics;
        this.store = store;
        this.admission = admission;
        this.thread = Thread.ofPlatform().daemon().name("status-ingest").start(this::run);
    }

    /**
     * What the ingester has done since it started.
     *
     * @param batches      polls that returned records
     * @param transactions store transactions (at most one per batch; none when a batch held nothing to store)
     * @param records      records read
     * @param superseded   reports dropped because a newer one for the same object came in the same batch
     * @param applied      reports that changed an object (each a new resourceVersion and a change event)
     * @param unchanged    reports that matched the stored status (no write)
     * @param skipped      reports not applied: malformed, or for an object that is missing, another pod of the same
     *                     name, a pod bound elsewhere, or a status the validation refused
     * @param malformed    records, among the skipped, that could not be read as a report
     * @param forged       records, among the skipped, not signed by a node of this cluster, or by another node than
     *                     the one they report for
     * @param storeNanos   time spent in store transactions, deciding included
     */
    public record Counters(long batches, long transactions, long records, long superseded, long applied,
                           long unchanged, long skipped, long malformed, long forged, long storeNanos) {
    }

    public Counters counters() {
        return new Counters(batches.get(), transactions.get(), records.get(), superseded.get(), applied.get(),
                unchanged.get(), skipped.get(), malformed.get(), forged.get(), storeNanos.get());
    }

    private void run() {
        // Nothing was committed for the batch in hand: the group hands it out again after the reconnect.
        Reconnecting.run(() -> running, this::follow, LOG, "status ingestion");
    }

    private void follow() throws InterruptedException {
        topics.ensure();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(kafka.client(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, settings.getGroupId(),
                ConsumerConfig.CLIENT_ID_CONFIG, settings.getGroupId(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.getMaxPollRecords())),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer = c;
            c.subscribe(topics.statusNames());
            Duration poll = Duration.ofMillis(settings.getPollMillis());
            while (running) {
                ConsumerRecords<String, byte[]> batch = c.poll(poll);
                if (batch.isEmpty()) {
                    continue;
                }
                ingest(batch);
                // Only now that the store committed: a crash before this line re-delivers the batch, harmlessly.
                c.commitSync();
            }
        }
    }

    private void ingest(ConsumerRecords<String, byte[]> batch) {
        Map<String, Pending> newest = new LinkedHashMap<>();
        int bad = 0;
        int forgeries = 0;
        String firstBad = null;
        String firstForged = null;
        for (ConsumerRecord<String, byte[]> r : batch) {
            Pending p;
            try {
                p = parse(r);
            } catch (ForgedReport e) {
                forgeries++;
                if (firstForged == null) {
                    firstForged = r.topic() + "/" + r.partition() + "@" + r.offset() + ": " + e.getMessage();
                }
                continue;
            } catch (MalformedReport e) {
                bad++;
                if (firstBad == null) {
                    firstBad = r.topic() + "/" + r.partition() + "@" + r.offset() + ": " + e.getMessage();
                }
                continue;
            }
            // Records of one key share a partition and come in order: the later one is the newer report.
            if (newest.put(r.topic() + "|" + p.name(), p) != null) {
                superseded.incrementAndGet();
            }
        }
        if (bad > 0) {
            LOG.warn("skipped {} malformed status record(s); first at {}", bad, firstBad);
        }
        if (forgeries > 0) {
            LOG.warn("dropped {} status record(s) not signed by the node they report for; first at {}", forgeries, firstForged);
        }
        List<Pending> pending = new ArrayList<>(newest.values());
        List<WriteResult> results = List.of();
        if (!pending.isEmpty()) {
            long start = System.nanoTime();
            results = store.writeAll(pending.stream().map(Pending::write).toList());
            storeNanos.addAndGet(System.nanoTime() - start);
            transactions.incrementAndGet();
        }
        // Counted after the commit, so a batch that failed and comes again is counted once.
        long changed = 0;
        long same = 0;
        long refused = 0;
        for (int i = 0; i < pending.size(); i++) {
            if (results.get(i).change() != null) {
                changed++;
            } else if (pending.get(i).verdict == Verdict.UNCHANGED) {
                same++;
            } else {
                refused++;
            }
        }
        batches.incrementAndGet();
        records.addAndGet(batch.count());
        applied.addAndGet(changed);
        unchanged.addAndGet(same);
        skipped.addAndGet(refused + bad + forgeries);
        malformed.addAndGet(bad);
        forged.addAndGet(forgeries);
    }

    private Pending parse(ConsumerRecord<String, byte[]> r) throws MalformedReport, ForgedReport {
        Report report;
        try {
            report = StatusReports.read(r.topic(), r.key(), r.value());
        } catch (IllegalArgumentException e) {
            throw new MalformedReport(e.getMessage());
        }
        // The reporter is whoever signed the record, not what the record says: a node of this cluster (its client
        // certificate, from the cluster's CA), reporting on itself or on pods bound to it (checked below).
        X509Certificate signer = ReportSignatures.verify(authorities, r.topic(), r.key(), r.value(), r.headers())
                .orElseThrow(() -> new ForgedReport("no valid signature of a node of this cluster"));
        Subjects.Subject subject = Subjects.of(signer);
        UserInfo user = new UserInfo(subject.user(), "", subject.groups(), Map.of());
        if (!NodeAuthorizer.Nodes.isNode(user) || !NodeAuthorizer.Nodes.of(user).covers(report.reporter())) {
            throw new ForgedReport("signed by " + subject.user() + ", reporting as node " + report.reporter());
        }
        Strategy strategy = strategies.of(report.type());
        Pending p = new Pending(report.namespace() + "/" + report.name());
        p.write = new ObjectStore.Write(report.type(), report.namespace(), report.name(), current -> {
            if (current == null
                    || (report.uid() != null && !report.uid().equals(current.path("metadata").path("uid").asText()))
                    || !report.reporter().equals(strategy.boundNode(current))) {
                p.verdict = Verdict.IGNORED;
                return WriteOutcome.keep();
            }
            ObjectNode next = current.deepCopy();
            next.set("status", strategy.statusFromReport(current, report.status().deepCopy()));
            return settle(p, report.type(), current, next, user);
        });
        return p;
    }

    /**
     * Admits the new state as the status subresource would (decoding, defaults, validation, update rules), and stores
     * it unless it equals the stored one. Never throws: a refused status skips this report, not the batch.
     */
    private WriteOutcome settle(Pending p, ResourceType type, ObjectNode current, ObjectNode next, UserInfo reporter) {
        ObjectNode admitted;
        try {
            admitted = admission.admitUpdate(type, next, current, reporter, FieldValidation.IGNORE, new ArrayList<>());
        } catch (RuntimeException e) {
            p.verdict = Verdict.REFUSED;
            LOG.warn("refused the status report for {} {}: {}", type.kind(), p.name(), e.getMessage());
            return WriteOutcome.keep();
        }
        ObjectNode a = current.deepCopy();
        ObjectNode b = admitted.deepCopy();
        ((ObjectNode) a.with("metadata")).remove("resourceVersion");
        ((ObjectNode) b.with("metadata")).remove("resourceVersion");
        if (KubusJson.equivalent(a, b)) {
            p.verdict = Verdict.UNCHANGED;
            return WriteOutcome.keep();
        }
        p.verdict = Verdict.APPLIED;
        return WriteOutcome.put(admitted);
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
    }

    private enum Verdict { APPLIED, UNCHANGED, IGNORED, REFUSED }

    /** One report on its way into the store; {@code decide} records what became of it. */
    private static final class Pending {
        private final String name;
        private ObjectStore.Write write;
        private volatile Verdict verdict = Verdict.IGNORED;

        Pending(String name) {
            this.name = name;
        }

        String name() {
            return name;
        }

        ObjectStore.Write write() {
            return write;
        }
    }

    private static final class MalformedReport extends Exception {
        MalformedReport(String message) {
            super(message, null, false, false);
        }
    }

    /** A record no node of this cluster signed, or signed by another node than the one it reports for. */
    private static final class ForgedReport extends Exception {
        ForgedReport(String message) {
            super(message, null, false, false);
        }
    }
}

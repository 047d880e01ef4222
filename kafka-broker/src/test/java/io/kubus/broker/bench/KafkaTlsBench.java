package io.kubus.broker.bench;

import io.kubus.broker.BrokerCertificates;
import io.kubus.broker.EmbeddedKafkaBroker;
import io.kubus.client.kafka.KafkaClientConfig;
import io.kubus.client.tls.CertificateAuthority;
import io.kubus.client.tls.ClusterPki;
import io.kubus.client.tls.Identities;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
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

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What securing the broker costs the event path: the same records (2 KiB, the size of a pod's change event) through a
 * plain broker and through the secured one (TLS with client certificates on every listener, the authorizer and
 * Kubus's ACLs), both in this JVM, as the gateway publishes them (acks=all, idempotent) and as an informer reads
 * them. One record at a time (the latency of one change: acknowledged, and seen by a consumer) and pipelined (the
 * rate a busy outbox reaches). Two rounds of each broker alternately; the second is reported. Not a test:
 * {@code ./kubus bench kafka [--seconds S]}.
 */
public final class KafkaTlsBench {
    private static final String TOPIC = "kubus.bench.v1.events";
    private static final byte[] VALUE = new byte[2048];

    private KafkaTlsBench() {
    }

    private record Result(String broker, double sequentialPerSecond, double ackP50, double ackP99, double seenP50,
                          double seenP99, double pipelinedPerSecond) {
    }

    public static void main(String[] args) throws Exception {
        int seconds = 5;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--seconds")) {
                seconds = Integer.parseInt(args[++i]);
            } else {
                throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Arrays.fill(VALUE, (byte) 'x');
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "bench-kafka-");
        ClusterPki pki = ClusterPki.authority(dir.resolve("pki"));
        CertificateAuthority.Issued cert = BrokerCertificates.write(pki, dir.resolve("kafka-pki"), List.of());
        List<Result> reported = new ArrayList<>();
        try (EmbeddedKafkaBroker plain = EmbeddedKafkaBroker.startTemporary();
             EmbeddedKafkaBroker secured = EmbeddedKafkaBroker.startTemporary(EmbeddedKafkaBroker.Security.kubus(
                     cert.key(), List.of(cert.certificate()), List.of(pki.ca().certificate())))) {
            KafkaClientConfig plainClient = KafkaClientConfig.plaintext(plain.bootstrapServers());
            for (int round = 0; round < 2; round++) {
                Result p = run("plain (baseline)", plainClient, plainClient, seconds);
                Result s = run("TLS, client certificates, ACLs", as(pki, secured, Identities.GATEWAY_KAFKA_CLIENT),
                        as(pki, secured, Identities.SCHEDULER), seconds);
                if (round == 1) {
                    reported.add(p);
                    reported.add(s);
                }
            }
        }
        print(reported, seconds);
    }

    private static KafkaClientConfig as(ClusterPki pki, EmbeddedKafkaBroker broker, Identities.Identity identity) {
        CertificateAuthority.Issued c = pki.client(identity.user().replace(':', '-'), identity.user(), identity.groups());
        return KafkaClientConfig.tls(broker.bootstrapServers(), c.key(), List.of(c.certificate()),
                List.of(pki.ca().certificate()));
    }

    private static Result run(String name, KafkaClientConfig producerSide, KafkaClientConfig consumerSide, int seconds)
            throws Exception {
        try (Admin admin = Admin.create(producerSide.client(Map.of()))) {
            if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(TOPIC)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
        }
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerSide.client(Map.of(
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0)), new StringSerializer(), new ByteArraySerializer());
             KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerSide.client(Map.of(
                     ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10)), new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(tp));
            consumer.seekToEnd(List.of(tp));
            consumer.position(tp);
            // one at a time: each record acknowledged before the next; a consumer notes when it sees each
            List<Long> seen = new ArrayList<>();
            AtomicBoolean reading = new AtomicBoolean(true);
            Thread reader = Thread.ofPlatform().start(() -> {
                while (reading.get()) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                        long sent = ByteBuffer.wrap(r.value()).getLong();
                        synchronized (seen) {
                            seen.add(System.nanoTime() - sent);
                        }
                    }
                }
            });
            List<Long> acks = new ArrayList<>();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            long t0 = System.nanoTime();
            while (System.nanoTime() < end) {
                long start = System.nanoTime();
                byte[] value = VALUE.clone();
                ByteBuffer.wrap(value).putLong(start);
                producer.send(new ProducerRecord<>(TOPIC, "default/pod-" + acks.size(), value)).get(10, TimeUnit.SECONDS);
                acks.add(System.nanoTime() - start);
            }
            double sequential = acks.size() / ((System.nanoTime() - t0) / 1e9);
            Thread.sleep(500);
            reading.set(false);
            reader.join();
            // pipelined: up to 1,000 records in flight
            Semaphore inFlight = new Semaphore(1_000);
            AtomicLong done = new AtomicLong();
            end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            t0 = System.nanoTime();
            while (System.nanoTime() < end) {
                inFlight.acquire();
                producer.send(new ProducerRecord<>(TOPIC, "default/pod", VALUE), (m, e) -> {
                    done.incrementAndGet();
                    inFlight.release();
                });
            }
            producer.flush();
            double pipelined = done.get() / ((System.nanoTime() - t0) / 1e9);
            List<Long> seenCopy;
            synchronized (seen) {
                seenCopy = new ArrayList<>(seen);
            }
            return new Result(name, sequential, ms(acks, 0.5), ms(acks, 0.99), ms(seenCopy, 0.5), ms(seenCopy, 0.99),
                    pipelined);
        }
    }

    private static double ms(List<Long> nanos, double q) {
        if (nanos.isEmpty()) {
            return Double.NaN;
        }
        List<Long> sorted = new ArrayList<>(nanos);
        sorted.sort(null);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(q * sorted.size()))) / 1e6;
    }

    private static void print(List<Result> results, int seconds) {
        Result base = results.getFirst();
        StringBuilder out = new StringBuilder();
        out.append("`./kubus bench kafka --seconds ").append(seconds).append("`: ")
                .append(Runtime.getRuntime().availableProcessors()).append(" CPUs, 2 KiB records, acks=all, idempotent\n\n");
        out.append("| broker | one at a time: records/s | ack p50 ms | ack p99 ms | seen by a consumer p50 ms | p99 ms "
                + "| pipelined records/s |\n|---|---|---|---|---|---|---|\n");
        for (Result r : results) {
            boolean baseline = r == base;
            out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", r.broker(),
                    cell(r.sequentialPerSecond(), base.sequentialPerSecond(), baseline, "%.0f"),
                    cell(r.ackP50(), base.ackP50(), baseline, "%.2f"), cell(r.ackP99(), base.ackP99(), baseline, "%.2f"),
                    cell(r.seenP50(), base.seenP50(), baseline, "%.2f"), cell(r.seenP99(), base.seenP99(), baseline, "%.2f"),
                    cell(r.pipelinedPerSecond(), base.pipelinedPerSecond(), baseline, "%.0f")));
        }
        System.out.print(out);
    }

    private static String cell(double value, double baseline, boolean isBaseline, String format) {
        String v = String.format(Locale.ROOT, format, value);
        return isBaseline ? v : v + String.format(Locale.ROOT, " (%.2f×)", value / baseline);
    }
}

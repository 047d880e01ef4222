package io.kubus.broker;

import io.kubus.client.kafka.KafkaClientConfig;
import io.kubus.client.tls.CertificateAuthority;
import io.kubus.client.tls.ClusterPki;
import io.kubus.client.tls.Identities;
import io.kubus.schema.event.StatusReports;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker `./kubus up` and the compose stack run: nobody without a certificate of the cluster's CA gets a
 * connection, and each Kubus identity gets only its rights (KafkaAcls).
 */
class SecuredBrokerTest {
    private static final String CHANGE_TOPIC = "kubus.core.v1.pods";

    @TempDir
    static Path pkiDir;
    static ClusterPki pki;
    static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void start() throws Exception {
        pki = ClusterPki.authority(pkiDir.resolve("cluster"));
        CertificateAuthority.Issued cert = BrokerCertificates.write(pki, pkiDir.resolve("kafka"), List.of("kafka"));
        broker = EmbeddedKafkaBroker.startTemporary(EmbeddedKafkaBroker.Security.kubus(cert.key(),
                List.of(cert.certificate()), List.of(pki.ca().certificate())));
        try (Admin gateway = Admin.create(as(Identities.GATEWAY_KAFKA_CLIENT).client(Map.of()))) {
            gateway.createTopics(List.of(new NewTopic(CHANGE_TOPIC, 1, (short) 1),
                    new NewTopic(StatusReports.POD_STATUS_TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void theGatewayWritesTheChangeTopicsAndTheOthersReadThem() throws Exception {
        send(as(Identities.GATEWAY_KAFKA_CLIENT), CHANGE_TOPIC, "default/web");
        for (Identities.Identity reader : List.of(Identities.SCHEDULER, Identities.CONTROLLER_MANAGER,
                Identities.node("n1", 1), Identities.ADMIN)) {
            assertTrue(read(as(reader), CHANGE_TOPIC) >= 1, reader + " reads the change topic");
        }
    }

    @Test
    void nodesWriteOnlyTheStatusTopics() throws Exception {
        for (Identities.Identity node : List.of(Identities.node("n1", 1), Identities.node("pool", 5))) {
            send(as(node), StatusReports.POD_STATUS_TOPIC, "default/web");
            assertDenied(() -> send(as(node), CHANGE_TOPIC, "default/forged"));
        }
        // a name that looks like a node's without the nodes' group is not a node
        assertDenied(() -> send(as(new Identities.Identity("system:node:n1", List.of())),
                StatusReports.POD_STATUS_TOPIC, "default/web"));
    }

    @Test
    void readersWriteNothing() {
        for (Identities.Identity reader : List.of(Identities.SCHEDULER, Identities.CONTROLLER_MANAGER, Identities.ADMIN)) {
            assertDenied(() -> send(as(reader), CHANGE_TOPIC, "default/forged"));
            assertDenied(() -> send(as(reader), StatusReports.POD_STATUS_TOPIC, "default/forged"));
        }
    }

    @Test
    void anIdentityWithoutRulesReadsNothing() {
        assertDenied(() -> read(as(new Identities.Identity("someone", List.of("system:masters"))), CHANGE_TOPIC));
    }

    @Test
    void noConnectionWithoutACertificateOfTheClustersCa() {
        // TLS trusting the broker, no client certificate: what a pod could try
        Map<String, Object> anonymous = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                "security.protocol", "SSL", "ssl.truststore.type", "PEM",
                "ssl.truststore.certificates", pki.ca().certificatePem());
        assertNoConnection(anonymous);
        assertNoConnection(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
        // a certificate of another CA, with the administrator's name
        CertificateAuthority other = CertificateAuthority.create("other-ca", Duration.ofDays(1));
        CertificateAuthority.Issued forged = other.issue(Identities.ADMIN.user(), Identities.ADMIN.groups(), List.of(),
                CertificateAuthority.Usage.CLIENT, Duration.ofDays(1));
        assertNoConnection(KafkaClientConfig.tls(broker.bootstrapServers(), forged.key(),
                List.of(forged.certificate()), List.of(pki.ca().certificate())).client(Map.of()));
    }

    private static KafkaClientConfig as(Identities.Identity identity) {
        CertificateAuthority.Issued cert = pki.client(identity.user().replace(':', '-'), identity.user(),
                identity.groups());
        return KafkaClientConfig.tls(broker.bootstrapServers(), cert.key(), List.of(cert.certificate()),
                List.of(pki.ca().certificate()));
    }

    private static void send(KafkaClientConfig client, String topic, String key) throws Exception {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(client.client(Map.of(
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000)),
                new StringSerializer(), new StringSerializer())) {
            p.send(new ProducerRecord<>(topic, key, "{}")).get(20, TimeUnit.SECONDS);
        }
    }

    private static int read(KafkaClientConfig client, String topic) {
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(client.client(Map.of(
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000)),
                new StringDeserializer(), new StringDeserializer())) {
            TopicPartition p = new TopicPartition(topic, 0);
            c.assign(List.of(p));
            c.seekToBeginning(List.of(p));
            int n = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (n == 0 && System.nanoTime() < deadline) {
                ConsumerRecords<String, String> records = c.poll(Duration.ofMillis(500));
                n += records.count();
            }
            return n;
        }
    }

    private static void assertDenied(ThrowingRunnable action) {
        Exception e = assertThrows(Exception.class, action::run);
        // a topic's denial, or the cluster's for an idempotent producer that may write nowhere; the latter may come
        // wrapped ("in an error state") when the send meets the producer after its InitProducerId was refused
        Throwable cause = e;
        while (cause != null && !(cause instanceof AuthorizationException)) {
            cause = cause.getCause();
        }
        assertInstanceOf(AuthorizationException.class, cause, () -> "denied by the authorizer: " + e);
    }

    private static void assertNoConnection(Map<String, Object> config) {
        Map<String, Object> c = new java.util.HashMap<>(config);
        c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        c.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 4_000);
        try (Admin admin = Admin.create(c)) {
            Exception e = assertThrows(Exception.class, () -> admin.listTopics().names().get(8, TimeUnit.SECONDS));
            assertTrue(e instanceof ExecutionException || e instanceof TimeoutException, e.toString());
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}

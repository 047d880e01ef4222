package io.kubus.agent.status;

import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.kubus.client.kafka.KafkaClientConfig;
import io.kubus.client.status.ReportSignatures;
import io.kubus.schema.KubusJson;
import io.kubus.schema.event.StatusReports;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Publishes pod and node status reports on the status topics (StatusReports), each signed with the node's client
 * certificate (ReportSignatures); the gateway stores them.
 * Keyed like the change topics, so one object's reports stay in order. Sending is asynchronous: a node keeps its pods
 * running while Kafka is away, and the next report carries the whole status anyway.
 */
public final class StatusPublisher implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final Supplier<ReportSignatures.Signer> signer;

    /** {@code signer} is asked at each report: the node's certificate of that moment (it is renewed while it runs). */
    public StatusPublisher(KafkaClientConfig kafka, String clientId, Supplier<ReportSignatures.Signer> signer) {
        this.signer = signer;
        this.producer = new KafkaProducer<>(kafka.client(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.CLIENT_ID_CONFIG, clientId)),
                new StringSerializer(), new ByteArraySerializer());
    }

    public void pod(Pod pod, String nodeName, PodStatus status, Instant at) {
        String key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        send(StatusReports.POD_STATUS_TOPIC, key,
                new StatusReports.PodReport(pod.getMetadata().getUid(), nodeName, status, at.toString()));
    }

    public void node(String nodeName, NodeStatus status, Instant at) {
        send(StatusReports.NODE_STATUS_TOPIC, nodeName, new StatusReports.NodeReport(nodeName, status, at.toString()));
    }

    private void send(String topic, String key, Object report) {
        byte[] value = KubusJson.write(report).getBytes(StandardCharsets.UTF_8);
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, value);
        signer.get().sign(topic, key, value, record.headers());
        producer.send(record);
    }

    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}

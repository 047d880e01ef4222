package io.kubus.gateway.config;

import io.micronaut.context.annotation.ConfigurationProperties;

/**
 * How the change topics are made. Where Kafka is and who the gateway is there ({@code kubus.kafka.bootstrap-servers},
 * {@code security-protocol}, {@code properties.*}) are read once into the process's
 * {@link io.kubus.client.kafka.KafkaClientConfig} ({@link KafkaClientBeans}).
 */
@ConfigurationProperties("kubus.kafka")
public class KafkaSettings {
    private int partitions = 3;
    private short replicationFactor = 1;

    public int getPartitions() {
        return partitions;
    }

    public void setPartitions(int partitions) {
        this.partitions = partitions;
    }

    public short getReplicationFactor() {
        return replicationFactor;
    }

    public void setReplicationFactor(short replicationFactor) {
        this.replicationFactor = replicationFactor;
    }
}

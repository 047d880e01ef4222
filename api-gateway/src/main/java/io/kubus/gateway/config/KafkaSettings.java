package io.kubus.gateway.config;

import io.micronaut.context.annotation.ConfigurationProperties;

/** Where the change topics live and how they are made. */
@ConfigurationProperties("kubus.kafka")
public class KafkaSettings {
    private String bootstrapServers = "127.0.0.1:9092";
    private int partitions = 3;
    private short replicationFactor = 1;

    public String getBootstrapServers() {
        return bootstrapServers;
    }

    public void setBootstrapServers(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

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

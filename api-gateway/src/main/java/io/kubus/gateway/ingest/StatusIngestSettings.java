package io.kubus.gateway.ingest;

import io.micronaut.context.annotation.ConfigurationProperties;

/** Tunables of the status ingestion ({@code kubus.gateway.status-ingest.*}); the defaults suit the local cluster. */
@ConfigurationProperties("kubus.gateway.status-ingest")
public class StatusIngestSettings {
    /** Off only for tests and tools that must not write status; the bean is then not created at all. */
    private boolean enabled = true;
    /** The consumer group the gateways share: each report is stored by one of them. */
    private String groupId = "kubus-gateway-status-ingest";
    /** Most records one poll returns, hence most writes in one store transaction. */
    private int maxPollRecords = 500;
    /** How long one poll waits for records. */
    private long pollMillis = 500;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getGroupId() {
        return groupId;
    }

    public void setGroupId(String groupId) {
        this.groupId = groupId;
    }

    public int getMaxPollRecords() {
        return maxPollRecords;
    }

    public void setMaxPollRecords(int maxPollRecords) {
        this.maxPollRecords = maxPollRecords;
    }

    public long getPollMillis() {
        return pollMillis;
    }

    public void setPollMillis(long pollMillis) {
        this.pollMillis = pollMillis;
    }
}

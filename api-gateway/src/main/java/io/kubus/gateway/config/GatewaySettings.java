package io.kubus.gateway.config;

import io.micronaut.context.annotation.ConfigurationProperties;

import java.time.Duration;

/** Tunables of the api-gateway; the defaults suit the local cluster. */
@ConfigurationProperties("kubus.gateway")
public class GatewaySettings {
    /** Largest request body accepted, as kube-apiserver's 3 MiB limit. */
    private int maxRequestBytes = 3 * 1024 * 1024;
    /** Change events kept in memory to serve watches that start from an older resourceVersion. */
    private int watchCacheEvents = 50_000;
    /**
     * How long the watch cache holds an event back for a lower version still on its way from another partition
     * (watchers get events in version order) before it gives that version up as lost.
     */
    private Duration watchOrderPatience = Duration.ofSeconds(10);
    /** Events buffered per watcher before a slow watcher is cut off (it then re-lists, as informers do). */
    private int watcherBuffer = 10_000;
    /** Most outbox rows one relay round sends. */
    private int relayBatch = 500;
    /** How often the relay looks at the outbox when no local write woke it (rows of other gateways, retries). */
    private long relayPollMillis = 500;
    /**
     * How long the relay waits for Kafka to acknowledge a round before it gives the round up and starts a new
     * producer (Kafka's delivery.timeout.ms for the relay's producer; its requests time out at half of it).
     */
    private Duration relayDeliveryTimeout = Duration.ofSeconds(30);
    /**
     * The tolerationSeconds of the not-ready and unreachable NoExecute tolerations every new pod gets unless it has
     * its own (kube-apiserver's --default-not-ready-toleration-seconds and --default-unreachable-toleration-seconds).
     */
    private long defaultNotReadyTolerationSeconds = 300;
    private long defaultUnreachableTolerationSeconds = 300;
    /**
     * How long the states that writes replaced or deleted are kept, so that the later pages of a paged list are read
     * at its first page's version. A continue token older than this gets 410 Expired. Five minutes, as
     * kube-apiserver's etcd compaction interval (--etcd-compaction-interval).
     */
    private Duration historyWindow = Duration.ofMinutes(5);
    /** How often history older than the window is deleted; a state is kept at most window + interval. */
    private Duration historyCompactionInterval = Duration.ofMinutes(1);
    /**
     * The address the {@code kubernetes} Service's endpoints give for this gateway (kube-apiserver's
     * --advertise-address); unset: the address the API listens on ({@code micronaut.server.host}), or, when it
     * listens on every interface, the first address of the host's first interface that is up and not a loopback.
     */
    private String advertiseAddress;
    /** How often the {@code kubernetes} Service and its endpoints are checked and repaired (kube-apiserver: 10 s). */
    private Duration kubernetesServiceInterval = Duration.ofSeconds(10);
    /**
     * The ClusterIP of the {@code kube-dns} Service in kube-system (kubeadm: the range's tenth address), kept from
     * random allocation; it must lie in the service range and equal the agents' kubus.agent.dns.cluster-ip. Empty: no
     * kube-dns Service is made.
     */
    private String clusterDnsIp = "10.96.0.10";

    public int getMaxRequestBytes() {
        return maxRequestBytes;
    }

    public void setMaxRequestBytes(int maxRequestBytes) {
        this.maxRequestBytes = maxRequestBytes;
    }

    public Duration getWatchOrderPatience() {
        return watchOrderPatience;
    }

    public void setWatchOrderPatience(Duration watchOrderPatience) {
        this.watchOrderPatience = watchOrderPatience;
    }

    public int getWatchCacheEvents() {
        return watchCacheEvents;
    }

    public void setWatchCacheEvents(int watchCacheEvents) {
        this.watchCacheEvents = watchCacheEvents;
    }

    public int getWatcherBuffer() {
        return watcherBuffer;
    }

    public void setWatcherBuffer(int watcherBuffer) {
        this.watcherBuffer = watcherBuffer;
    }

    public int getRelayBatch() {
        return relayBatch;
    }

    public void setRelayBatch(int relayBatch) {
        this.relayBatch = relayBatch;
    }

    public Duration getRelayDeliveryTimeout() {
        return relayDeliveryTimeout;
    }

    public void setRelayDeliveryTimeout(Duration relayDeliveryTimeout) {
        this.relayDeliveryTimeout = relayDeliveryTimeout;
    }

    public long getRelayPollMillis() {
        return relayPollMillis;
    }

    public void setRelayPollMillis(long relayPollMillis) {
        this.relayPollMillis = relayPollMillis;
    }

    public long getDefaultNotReadyTolerationSeconds() {
        return defaultNotReadyTolerationSeconds;
    }

    public void setDefaultNotReadyTolerationSeconds(long defaultNotReadyTolerationSeconds) {
        this.defaultNotReadyTolerationSeconds = defaultNotReadyTolerationSeconds;
    }

    public long getDefaultUnreachableTolerationSeconds() {
        return defaultUnreachableTolerationSeconds;
    }

    public void setDefaultUnreachableTolerationSeconds(long defaultUnreachableTolerationSeconds) {
        this.defaultUnreachableTolerationSeconds = defaultUnreachableTolerationSeconds;
    }

    public Duration getHistoryWindow() {
        return historyWindow;
    }

    public void setHistoryWindow(Duration historyWindow) {
        this.historyWindow = historyWindow;
    }

    public Duration getHistoryCompactionInterval() {
        return historyCompactionInterval;
    }

    public void setHistoryCompactionInterval(Duration historyCompactionInterval) {
        this.historyCompactionInterval = historyCompactionInterval;
    }

    public String getAdvertiseAddress() {
        return advertiseAddress;
    }

    public void setAdvertiseAddress(String advertiseAddress) {
        this.advertiseAddress = advertiseAddress;
    }

    public Duration getKubernetesServiceInterval() {
        return kubernetesServiceInterval;
    }

    public void setKubernetesServiceInterval(Duration kubernetesServiceInterval) {
        this.kubernetesServiceInterval = kubernetesServiceInterval;
    }

    public String getClusterDnsIp() {
        return clusterDnsIp;
    }

    public void setClusterDnsIp(String clusterDnsIp) {
        this.clusterDnsIp = clusterDnsIp;
    }
}

package io.kubus.controllers.manager;

import io.micronaut.context.annotation.ConfigurationProperties;

import java.time.Duration;

/** Settings of the controllers service ({@code kubus.controllers.*}); defaults suit the local cluster. */
@ConfigurationProperties("kubus.controllers")
public class ControllersSettings {
    private String apiUrl = "http://127.0.0.1:6443";
    /** Workers per controller (kube-controller-manager's --concurrent-*-syncs default to 5). */
    private int workers = 5;
    /** How long a dead leader keeps the lead before a standby takes it (Kafka session timeout). */
    private Duration leaderSessionTimeout = Duration.ofSeconds(6);
    /** How long a new leader lets a former leader's last writes reach its caches before it acts. */
    private Duration leaderSettle = Duration.ofSeconds(1);
    /** Every key is reconciled again this often, events or not. */
    private Duration resyncPeriod = Duration.ofMinutes(5);
    /** Expectations older than this are given up (client-go: 5 min). */
    private Duration expectationsTtl = Duration.ofMinutes(5);
    /**
     * How long a node may go without a new heartbeat before its conditions turn Unknown and it is tainted unreachable
     * (kube-controller-manager's --node-monitor-grace-period; several of the agents' 10 s heartbeats).
     */
    private Duration nodeMonitorGracePeriod = Duration.ofSeconds(50);
    /** The same for a node that never reported a Ready condition (--node-startup-grace-period). */
    private Duration nodeStartupGracePeriod = Duration.ofSeconds(60);

    public String getApiUrl() {
        return apiUrl;
    }

    public void setApiUrl(String apiUrl) {
        this.apiUrl = apiUrl;
    }

    public int getWorkers() {
        return workers;
    }

    public void setWorkers(int workers) {
        this.workers = workers;
    }

    public Duration getLeaderSessionTimeout() {
        return leaderSessionTimeout;
    }

    public void setLeaderSessionTimeout(Duration leaderSessionTimeout) {
        this.leaderSessionTimeout = leaderSessionTimeout;
    }

    public Duration getLeaderSettle() {
        return leaderSettle;
    }

    public void setLeaderSettle(Duration leaderSettle) {
        this.leaderSettle = leaderSettle;
    }

    public Duration getResyncPeriod() {
        return resyncPeriod;
    }

    public void setResyncPeriod(Duration resyncPeriod) {
        this.resyncPeriod = resyncPeriod;
    }

    public Duration getExpectationsTtl() {
        return expectationsTtl;
    }

    public void setExpectationsTtl(Duration expectationsTtl) {
        this.expectationsTtl = expectationsTtl;
    }

    public Duration getNodeMonitorGracePeriod() {
        return nodeMonitorGracePeriod;
    }

    public void setNodeMonitorGracePeriod(Duration nodeMonitorGracePeriod) {
        this.nodeMonitorGracePeriod = nodeMonitorGracePeriod;
    }

    public Duration getNodeStartupGracePeriod() {
        return nodeStartupGracePeriod;
    }

    public void setNodeStartupGracePeriod(Duration nodeStartupGracePeriod) {
        this.nodeStartupGracePeriod = nodeStartupGracePeriod;
    }
}

package io.kubus.controllers.manager;

import io.kubus.client.controller.Controller;
import io.kubus.client.controller.Reconciler;
import io.micronaut.context.annotation.ConfigurationProperties;

import java.time.Duration;

/** Settings of the controllers service ({@code kubus.controllers.*}); defaults suit the local cluster. */
@ConfigurationProperties("kubus.controllers")
public class ControllersSettings {
    /** The kubeconfig that says where the API is and who this service is there (kube components' --kubeconfig). */
    private String kubeconfig = ".kubus/controller-manager.kubeconfig";
    /** Workers per controller (kube-controller-manager's --concurrent-*-syncs default to 5). */
    private int workers = 5;
    /** How long a dead leader keeps the lead before a standby takes it (Kafka session timeout). */
    private Duration leaderSessionTimeout = Duration.ofSeconds(6);
    /** How long a new leader lets a former leader's last writes reach its caches before it acts. */
    private Duration leaderSettle = Duration.ofSeconds(1);
    /** Every key is reconciled again this often, events or not. */
    private Duration resyncPeriod = Duration.ofMinutes(5);
    /** A failing key is retried after this, doubling up to {@link #retryMaxDelay} (client-go: 5 ms to 1000 s). */
    private Duration retryBaseDelay = Duration.ofMillis(5);
    /** A cluster should heal in seconds, so the cap is far below client-go's 1000 s. */
    private Duration retryMaxDelay = Duration.ofSeconds(60);
    /** Expectations older than this are given up (client-go: 5 min). */
    private Duration expectationsTtl = Duration.ofMinutes(5);
    /**
     * How long a node may go without a new heartbeat (a renewal of its Lease, or a new heartbeat time of its Ready
     * condition) before its conditions turn Unknown and it is tainted unreachable (kube-controller-manager's
     * --node-monitor-grace-period; five of the agents' 10 s Lease renewals).
     */
    private Duration nodeMonitorGracePeriod = Duration.ofSeconds(50);
    /** The same for a node that never reported a Ready condition (--node-startup-grace-period). */
    private Duration nodeStartupGracePeriod = Duration.ofSeconds(60);
    /**
     * The image of the pods that remove a deleted local-path volume's folder on its node: it needs {@code rm}, and
     * the agents' default sandbox image, which every Docker node has, has it.
     */
    private String localPathHelperImage = "kubus/busybox:1";

    /** A controller runner for one of this service's reconcilers, with these settings' workers, retries and resync. */
    public Controller newController(String name, Reconciler reconciler) {
        return new Controller(name, reconciler, workers, retryBaseDelay, retryMaxDelay, resyncPeriod);
    }

    public Duration getRetryBaseDelay() {
        return retryBaseDelay;
    }

    public void setRetryBaseDelay(Duration retryBaseDelay) {
        this.retryBaseDelay = retryBaseDelay;
    }

    public Duration getRetryMaxDelay() {
        return retryMaxDelay;
    }

    public void setRetryMaxDelay(Duration retryMaxDelay) {
        this.retryMaxDelay = retryMaxDelay;
    }

    public String getKubeconfig() {
        return kubeconfig;
    }

    public void setKubeconfig(String kubeconfig) {
        this.kubeconfig = kubeconfig;
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

    public String getLocalPathHelperImage() {
        return localPathHelperImage;
    }

    public void setLocalPathHelperImage(String localPathHelperImage) {
        this.localPathHelperImage = localPathHelperImage;
    }
}

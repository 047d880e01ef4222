package io.kubus.scheduler;

import io.micronaut.context.annotation.ConfigurationProperties;

import java.time.Duration;

/** The scheduler's settings; defaults suit the local cluster. */
@ConfigurationProperties("kubus.scheduler")
public class SchedulerSettings {
    /** The kubeconfig that says where the API is and who this service is there (kube components' --kubeconfig). */
    private String kubeconfig = ".kubus/scheduler.kubeconfig";
    /** Pods whose spec.schedulerName is this one are ours. */
    private String schedulerName = "default-scheduler";
    /** How long a dead leader keeps the lead before a standby takes it (Kafka session timeout). */
    private Duration leaderSessionTimeout = Duration.ofSeconds(6);
    /** How long a new leader lets a former leader's last bindings land before it reads the cluster. */
    private Duration leaderSettle = Duration.ofSeconds(1);
    /** Back-off of a pod that fit nowhere: first retry, and the cap (kube-scheduler: 1 s and 10 s). */
    private Duration initialBackoff = Duration.ofSeconds(1);
    private Duration maxBackoff = Duration.ofSeconds(10);
    /** Bindings sent at once. */
    private int bindConcurrency = 16;

    public String getKubeconfig() {
        return kubeconfig;
    }

    public void setKubeconfig(String kubeconfig) {
        this.kubeconfig = kubeconfig;
    }

    public String getSchedulerName() {
        return schedulerName;
    }

    public void setSchedulerName(String schedulerName) {
        this.schedulerName = schedulerName;
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

    public Duration getInitialBackoff() {
        return initialBackoff;
    }

    public void setInitialBackoff(Duration initialBackoff) {
        this.initialBackoff = initialBackoff;
    }

    public Duration getMaxBackoff() {
        return maxBackoff;
    }

    public void setMaxBackoff(Duration maxBackoff) {
        this.maxBackoff = maxBackoff;
    }

    public int getBindConcurrency() {
        return bindConcurrency;
    }

    public void setBindConcurrency(int bindConcurrency) {
        this.bindConcurrency = bindConcurrency;
    }
}

package io.kubus.agent.config;

import io.micronaut.context.annotation.ConfigurationProperties;

import java.time.Duration;

/**
 * The cluster DNS of Docker nodes: the server each agent runs for its pods, and what the pods' resolv.conf names
 * (README, "Cluster DNS").
 */
@ConfigurationProperties("kubus.agent.dns")
public class DnsSettings {
    /** Whether the agent runs its DNS server (the pods' resolv.conf is written either way). */
    private boolean enabled = true;
    /**
     * The address the server listens on; empty: the agent's own address on the pod network (the local interface
     * address inside that Docker network's subnet: the bridge's gateway on the host, the agent's IP in a container).
     */
    private String address = "";
    /**
     * UDP and TCP port; not 53, so that the agent needs no privilege (the service proxy sends kube-dns's 53 here).
     * When another agent on this host holds it (two nodes of {@code ./kubus up}), a free port is taken instead.
     */
    private int port = 10053;
    /** TTL of the cluster zone's answers and of its negative answers (CoreDNS's kubernetes plugin: 5 s). */
    private int ttl = 5;
    /** How long all the upstream resolvers together may take on a forwarded question before it is SERVFAIL. */
    private Duration forwardTimeout = Duration.ofSeconds(2);
    /**
     * The node's resolvers (the kubelet's --resolv-conf): where names outside the cluster are forwarded, and the
     * resolv.conf of pods with dnsPolicy Default.
     */
    private String resolvConf = "/etc/resolv.conf";
    /**
     * The kube-dns Service's ClusterIP, the nameserver of ClusterFirst pods (the kubelet's clusterDNS); it must be the
     * gateway's kubus.gateway.cluster-dns-ip. Empty: ClusterFirst pods get the node's resolvers.
     */
    private String clusterIp = "10.96.0.10";
    /** The cluster's DNS domain (the kubelet's clusterDomain). */
    private String clusterDomain = "cluster.local";

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getAddress() {
        return address;
    }

    public void setAddress(String address) {
        this.address = address;
    }

    public int getPort() {
        return port;
    }

    public void setPort(int port) {
        this.port = port;
    }

    public int getTtl() {
        return ttl;
    }

    public void setTtl(int ttl) {
        this.ttl = ttl;
    }

    public Duration getForwardTimeout() {
        return forwardTimeout;
    }

    public void setForwardTimeout(Duration forwardTimeout) {
        this.forwardTimeout = forwardTimeout;
    }

    public String getResolvConf() {
        return resolvConf;
    }

    public void setResolvConf(String resolvConf) {
        this.resolvConf = resolvConf;
    }

    public String getClusterIp() {
        return clusterIp;
    }

    public void setClusterIp(String clusterIp) {
        this.clusterIp = clusterIp;
    }

    public String getClusterDomain() {
        return clusterDomain;
    }

    public void setClusterDomain(String clusterDomain) {
        this.clusterDomain = clusterDomain;
    }
}

package io.kubus.agent.config;

import io.kubus.agent.runtime.docker.DockerRuntime;
import io.micronaut.context.annotation.ConfigurationProperties;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;

/** The node agent's settings; defaults suit the local cluster. */
@ConfigurationProperties("kubus.agent")
public class AgentSettings {
    /** The node's name; empty means the host name. With several simulated nodes, the prefix of their names. */
    private String nodeName = "";
    /** The node's IP (InternalIP); empty means the address of the host name. */
    private String hostIp = "";
    /**
     * The kubeconfig that says where the API is and who this service is there (kube components' --kubeconfig). With
     * a bootstrap kubeconfig, the agent writes it itself when it is missing or its certificate is not good, and
     * again each time it renews its certificate.
     */
    private String kubeconfig = ".kubus/node.kubeconfig";
    /**
     * The kubelet's --bootstrap-kubeconfig: the API and a bootstrap token, with which an agent whose kubeconfig is
     * missing asks for its client certificate (a CertificateSigningRequest) and writes its kubeconfig. Empty: none.
     */
    private String bootstrapKubeconfig = "";
    /**
     * The kubelet's rotateCertificates: renew the client certificate with a CertificateSigningRequest once between
     * {@link #certificateRotationMin} and {@link #certificateRotationMax} of its life has passed (client-go's 70-90 %).
     */
    private boolean rotateCertificates = true;
    private double certificateRotationMin = 0.7;
    private double certificateRotationMax = 0.9;
    /** How long a certificate request may wait to be approved and signed before it is given up and made again. */
    private Duration certificateRequestTimeout = Duration.ofMinutes(15);
    /** The longest pause between attempts to get a certificate (joining or renewing). */
    private Duration certificateRetryMax = Duration.ofMinutes(5);
    /** docker or simulated. */
    private String runtime = "docker";
    /** The Docker engine. */
    private String dockerHost = DockerRuntime.DEFAULT_DOCKER_HOST.toString();
    /**
     * The Docker network pods join (their IP is their address on it). The agent must reach it for httpGet and
     * tcpSocket probes: the default bridge suits an agent on the host; an agent in a container names its own.
     */
    private String dockerNetwork = DockerRuntime.DEFAULT_POD_NETWORK;
    /** How many nodes this process hosts (simulated runtime only). */
    private int nodes = 1;
    /** How long a simulated container takes to start. */
    private Duration simulatedStartLatency = Duration.ofMillis(200);
    /**
     * How often the node's status is computed and compared with the stored Node's (the kubelet's
     * nodeStatusUpdateFrequency); it is reported when it changed, else every {@link #nodeStatusReportFrequency}.
     */
    private Duration heartbeatInterval = Duration.ofSeconds(10);
    /** How often an unchanged node status is reported anyway (the kubelet's nodeStatusReportFrequency). */
    private Duration nodeStatusReportFrequency = Duration.ofMinutes(5);
    /**
     * leaseDurationSeconds of each node's Lease (the kubelet's nodeLeaseDurationSeconds); the Lease is renewed every
     * quarter of it (the kubelet's renew interval fraction, 0.25): every 10 s by default.
     */
    private int nodeLeaseDurationSeconds = 40;
    /** How often every pod is synced even without a change (the runtime is polled for exits). */
    private Duration syncInterval = Duration.ofSeconds(1);
    /** Where emptyDir volumes and other pod files live. */
    private String dataDir = ".kubus/agent";
    /** Allocatable overrides; empty means measured from the host. */
    private String cpu = "";
    private String memory = "";
    private int maxPods = 110;
    /** Crash-loop back-off: first delay, cap, and how long a run resets it. */
    private Duration backoffInitial = Duration.ofSeconds(10);
    private Duration backoffMax = Duration.ofMinutes(5);
    private Duration backoffReset = Duration.ofMinutes(10);

    public String getNodeName() {
        return nodeName;
    }

    public void setNodeName(String nodeName) {
        this.nodeName = nodeName;
    }

    public String getHostIp() {
        return hostIp;
    }

    public void setHostIp(String hostIp) {
        this.hostIp = hostIp;
    }

    public String getKubeconfig() {
        return kubeconfig;
    }

    public void setKubeconfig(String kubeconfig) {
        this.kubeconfig = kubeconfig;
    }

    public String getBootstrapKubeconfig() {
        return bootstrapKubeconfig;
    }

    public void setBootstrapKubeconfig(String bootstrapKubeconfig) {
        this.bootstrapKubeconfig = bootstrapKubeconfig;
    }

    public boolean isRotateCertificates() {
        return rotateCertificates;
    }

    public void setRotateCertificates(boolean rotateCertificates) {
        this.rotateCertificates = rotateCertificates;
    }

    public double getCertificateRotationMin() {
        return certificateRotationMin;
    }

    public void setCertificateRotationMin(double certificateRotationMin) {
        this.certificateRotationMin = certificateRotationMin;
    }

    public double getCertificateRotationMax() {
        return certificateRotationMax;
    }

    public void setCertificateRotationMax(double certificateRotationMax) {
        this.certificateRotationMax = certificateRotationMax;
    }

    public Duration getCertificateRequestTimeout() {
        return certificateRequestTimeout;
    }

    public void setCertificateRequestTimeout(Duration certificateRequestTimeout) {
        this.certificateRequestTimeout = certificateRequestTimeout;
    }

    public Duration getCertificateRetryMax() {
        return certificateRetryMax;
    }

    public void setCertificateRetryMax(Duration certificateRetryMax) {
        this.certificateRetryMax = certificateRetryMax;
    }

    /** The name of this agent's node (with several simulated nodes, their prefix): the setting, else the host name. */
    public String baseNodeName() {
        if (!nodeName.isEmpty()) {
            return nodeName;
        }
        try {
            return InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** How many nodes this process hosts: {@link #getNodes} with the simulated runtime, else one. */
    public int nodeCount() {
        return runtime.equals("simulated") ? nodes : 1;
    }

    public String getRuntime() {
        return runtime;
    }

    public void setRuntime(String runtime) {
        this.runtime = runtime;
    }

    public String getDockerHost() {
        return dockerHost;
    }

    public void setDockerHost(String dockerHost) {
        this.dockerHost = dockerHost;
    }

    public String getDockerNetwork() {
        return dockerNetwork;
    }

    public void setDockerNetwork(String dockerNetwork) {
        this.dockerNetwork = dockerNetwork;
    }

    public int getNodes() {
        return nodes;
    }

    public void setNodes(int nodes) {
        this.nodes = nodes;
    }

    public Duration getSimulatedStartLatency() {
        return simulatedStartLatency;
    }

    public void setSimulatedStartLatency(Duration simulatedStartLatency) {
        this.simulatedStartLatency = simulatedStartLatency;
    }

    public Duration getHeartbeatInterval() {
        return heartbeatInterval;
    }

    public void setHeartbeatInterval(Duration heartbeatInterval) {
        this.heartbeatInterval = heartbeatInterval;
    }

    public Duration getNodeStatusReportFrequency() {
        return nodeStatusReportFrequency;
    }

    public void setNodeStatusReportFrequency(Duration nodeStatusReportFrequency) {
        this.nodeStatusReportFrequency = nodeStatusReportFrequency;
    }

    public int getNodeLeaseDurationSeconds() {
        return nodeLeaseDurationSeconds;
    }

    public void setNodeLeaseDurationSeconds(int nodeLeaseDurationSeconds) {
        this.nodeLeaseDurationSeconds = nodeLeaseDurationSeconds;
    }

    /** How often each node's Lease is renewed: a quarter of its duration. */
    public Duration leaseRenewInterval() {
        return Duration.ofMillis(nodeLeaseDurationSeconds * 1000L / 4);
    }

    public Duration getSyncInterval() {
        return syncInterval;
    }

    public void setSyncInterval(Duration syncInterval) {
        this.syncInterval = syncInterval;
    }

    public String getDataDir() {
        return dataDir;
    }

    public void setDataDir(String dataDir) {
        this.dataDir = dataDir;
    }

    public String getCpu() {
        return cpu;
    }

    public void setCpu(String cpu) {
        this.cpu = cpu;
    }

    public String getMemory() {
        return memory;
    }

    public void setMemory(String memory) {
        this.memory = memory;
    }

    public int getMaxPods() {
        return maxPods;
    }

    public void setMaxPods(int maxPods) {
        this.maxPods = maxPods;
    }

    public Duration getBackoffInitial() {
        return backoffInitial;
    }

    public void setBackoffInitial(Duration backoffInitial) {
        this.backoffInitial = backoffInitial;
    }

    public Duration getBackoffMax() {
        return backoffMax;
    }

    public void setBackoffMax(Duration backoffMax) {
        this.backoffMax = backoffMax;
    }

    public Duration getBackoffReset() {
        return backoffReset;
    }

    public void setBackoffReset(Duration backoffReset) {
        this.backoffReset = backoffReset;
    }

    /** The node's service proxy ({@code kubus.agent.proxy.*}), on Docker nodes; see README, "Services". */
    @ConfigurationProperties("proxy")
    public static class Proxy {
        /** Whether this agent writes the service rules of its engine's kernel (kube-proxy's part). */
        private boolean enabled = true;
        /** The service range (the gateway's ClusterIP range): what no Service holds of it is refused on the node. */
        private String serviceCidr = "10.96.0.0/12";
        /** The shortest pause between two writes, however often Services change (kube-proxy's minSyncPeriod). */
        private Duration minSyncPeriod = Duration.ofSeconds(1);
        /** How often the rules are written even without a change (kube-proxy's syncPeriod). */
        private Duration syncPeriod = Duration.ofSeconds(30);
        /** The helper container, one per engine, through which the host's iptables is run. */
        private String helperName = "kubus-service-proxy";
        /** Its image: any with {@code chroot}, {@code sh} and {@code sleep}; the host's iptables does the work. */
        private String helperImage = DockerRuntime.DEFAULT_PAUSE_IMAGE;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getServiceCidr() {
            return serviceCidr;
        }

        public void setServiceCidr(String serviceCidr) {
            this.serviceCidr = serviceCidr;
        }

        public Duration getMinSyncPeriod() {
            return minSyncPeriod;
        }

        public void setMinSyncPeriod(Duration minSyncPeriod) {
            this.minSyncPeriod = minSyncPeriod;
        }

        public Duration getSyncPeriod() {
            return syncPeriod;
        }

        public void setSyncPeriod(Duration syncPeriod) {
            this.syncPeriod = syncPeriod;
        }

        public String getHelperName() {
            return helperName;
        }

        public void setHelperName(String helperName) {
            this.helperName = helperName;
        }

        public String getHelperImage() {
            return helperImage;
        }

        public void setHelperImage(String helperImage) {
            this.helperImage = helperImage;
        }
    }
}

package io.kubus.agent.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.agent.certificate.NodeCredentials;
import io.kubus.agent.config.AgentSettings;
import io.kubus.agent.config.DnsSettings;
import io.kubus.agent.dns.ClusterZone;
import io.kubus.agent.dns.DnsServer;
import io.kubus.agent.dns.Forwarder;
import io.kubus.agent.dns.LocalAddress;
import io.kubus.agent.dns.PodDns;
import io.kubus.agent.dns.ResolvConf;
import io.kubus.agent.pod.RestartBackoff;
import io.kubus.agent.proxy.ServiceProxy;
import io.kubus.agent.proxy.ServiceRules;
import io.kubus.agent.runtime.ContainerRuntime;
import io.kubus.agent.runtime.docker.DockerRuntime;
import io.kubus.agent.runtime.docker.HostNetworkHelper;
import io.kubus.agent.runtime.simulated.SimulatedRuntime;
import io.kubus.agent.service.ClusterServices;
import io.kubus.agent.server.AgentRuntimes;
import io.kubus.agent.status.StatusPublisher;
import io.kubus.client.api.KubusApi;
import io.kubus.client.config.ClientConfig;
import io.kubus.client.informer.Index;
import io.kubus.client.informer.Informer;
import io.kubus.client.informer.ResourceEventHandler;
import io.kubus.client.kafka.KafkaClientConfig;
import io.kubus.client.status.ReportSignatures;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.value.PropertyResolver;
import io.micronaut.runtime.server.EmbeddedServer;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The node-agent process: one pod informer and one node informer over the change topics for all the nodes it hosts,
 * and per node a loop that syncs a pod whenever it changes and all its pods at least every sync interval, and a loop
 * that renews its Lease; one more loop looks at every node's status each heartbeat interval and reports what changed.
 *
 * <p>The Lease renewals of the nodes of one process are spread over the renew interval (node i of n starts i/n of it
 * late), and each waits the interval plus up to 4 % more after its renewal, as the kubelet's JitterUntil does: a
 * hundred simulated nodes write ten Leases a second, one at a time, never a hundred at once.
 */
@Context
@Requires(env = io.kubus.agent.NodeAgentApplication.ENVIRONMENT)
@Requires(property = "kubus.agent.enabled", notEquals = "false")
public class NodeAgentService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeAgentService.class);
    /** The cluster DNS Service, as the gateway makes it. */
    public static final String KUBE_DNS = "kube-system/kube-dns";

    private final AgentSettings settings;
    private final DnsSettings dnsSettings;
    private final AgentSettings.Proxy proxySettings;
    private final NodeCredentials credentials;
    private final PropertyResolver properties;
    private final AgentRuntimes runtimes;
    private final EmbeddedServer server;
    private final Clock clock = Clock.systemUTC();
    private final Map<String, NodeLoop> loops = new LinkedHashMap<>();
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Thread> threads = new ArrayList<>();
    private KubusApi api;
    private StatusPublisher publisher;
    private Informer<Pod> pods;
    private Informer<Node> nodes;
    /** Services and their endpoints, for the service proxy and DNS of Docker nodes; none on the simulated runtime. */
    private ClusterServices services;
    /** The cluster DNS server of a Docker node, once started. */
    private volatile DnsServer dns;
    /** The service proxy of a Docker node: writes the kernel's service rules when this agent owns them. */
    private ServiceProxy proxy;
    private volatile boolean running = true;

    public NodeAgentService(AgentSettings settings, DnsSettings dnsSettings, AgentSettings.Proxy proxySettings,
                            NodeCredentials credentials, PropertyResolver properties,
                            AgentRuntimes runtimes, EmbeddedServer server) {
        this.settings = settings;
        this.dnsSettings = dnsSettings;
        this.proxySettings = proxySettings;
        this.credentials = credentials;
        this.properties = properties;
        this.runtimes = runtimes;
        this.server = server;
    }

    @PostConstruct
    void start() throws InterruptedException {
        ClientConfig config = credentials.config();
        api = new KubusApi(config, KubusApi.userAgent("kubelet"));
        // Kafka's clients take the certificate of this moment as PEM text: their connections stay this identity
        // (system:nodes at the broker), until that certificate expires (README, "Security")
        KafkaClientConfig kafka = KafkaClientConfig.fromSettings(
                key -> properties.get(KafkaClientConfig.SETTINGS + key, String.class), config);
        String base = settings.baseNodeName();
        String hostIp = settings.getHostIp().isEmpty() ? hostIp(base) : settings.getHostIp();
        // status reports are signed with the node's current client certificate: the gateway believes nothing else
        publisher = new StatusPublisher(kafka, "kubus-node-agent-" + base,
                () -> ReportSignatures.Signer.of(config).orElseThrow());
        // The agent's endpoints (logs, exec) listen before the nodes register, so their status can say where.
        if (!server.isRunning()) {
            server.start();
        }
        NodeStatusFactory.Capacity capacity = NodeStatusFactory.Capacity.ofHost(settings.getCpu(), settings.getMemory(),
                settings.getMaxPods()).withKubeletPort(server.getPort());
        nodes = Informer.builder(api, kafka, ResourceTypes.NODES, Node.class)
                .filter(n -> loops.containsKey(n.getMetadata().getName()))
                .name("node-agent-nodes")
                .build();
        boolean simulated = settings.getRuntime().equals("simulated");
        int count = settings.nodeCount();
        // simulated containers have no files to give names to
        PodDns podDns = simulated ? null : new PodDns(dnsSettings.getClusterIp(), dnsSettings.getClusterDomain(),
                () -> ResolvConf.read(Path.of(dnsSettings.getResolvConf())));
        DockerRuntime docker = null;
        for (int i = 0; i < count; i++) {
            String name = count == 1 ? base : base + "-" + i;
            ContainerRuntime runtime = simulated
                    ? new SimulatedRuntime(name, i, settings.getSimulatedStartLatency(), clock)
                    : (docker = new DockerRuntime(java.net.URI.create(settings.getDockerHost()), name,
                            DockerRuntime.DEFAULT_PAUSE_IMAGE, DockerRuntime.DEFAULT_PAUSE_COMMAND,
                            settings.getDockerNetwork()));
            RestartBackoff backoff = new RestartBackoff(settings.getBackoffInitial(), settings.getBackoffMax(),
                    settings.getBackoffReset());
            NodeAgent agent = new NodeAgent(name, hostIp, runtime, api, publisher, capacity, backoff,
                    Path.of(settings.getDataDir()).resolve(name), background, clock, () -> nodes.get(name),
                    settings.getNodeStatusReportFrequency(), settings.getNodeLeaseDurationSeconds(), podDns);
            NodeLoop loop = new NodeLoop(agent, runtime);
            agent.onProbeResult(loop::syncEverything);
            loops.put(name, loop);
            runtimes.register(name, runtime);
        }
        pods = Informer.builder(api, kafka, ResourceTypes.PODS, Pod.class)
                .filter(p -> p.getSpec() != null && loops.containsKey(p.getSpec().getNodeName()))
                .index(Index.NODE_NAME) // one process may host many (simulated) nodes, each syncing its own pods
                .name("node-agent-pods")
                .handler(ResourceEventHandler.of(this::changed, this::deleted))
                .build();
        nodes.start();
        for (NodeLoop loop : loops.values()) {
            registerWithRetry(loop.agent);
        }
        Duration renew = settings.leaseRenewInterval();
        int i = 0;
        for (NodeLoop loop : loops.values()) {
            Duration offset = renew.multipliedBy(i++).dividedBy(loops.size());
            threads.add(Thread.ofVirtual().name("lease-" + loop.agent.nodeName())
                    .start(() -> renewLease(loop.agent, offset, renew)));
        }
        if (!simulated) {
            services = new ClusterServices(api, kafka).start();
            if (dnsSettings.isEnabled()) {
                dns = startDns(docker, services);
            }
            if (proxySettings.isEnabled()) {
                proxy = startProxy(base);
            }
        }
        pods.start();
        if (!pods.awaitSynced(Duration.ofSeconds(60))) {
            LOG.warn("pod informer not synced after 60 s; pods are synced once it is");
        }
        for (NodeLoop loop : loops.values()) {
            threads.add(Thread.ofPlatform().daemon().name("sync-" + loop.agent.nodeName()).start(loop::run));
        }
        threads.add(Thread.ofPlatform().daemon().name("node-status").start(this::reportStatuses));
        LOG.info("node agent running {} node(s) on the {} runtime: {}", loops.size(), settings.getRuntime(), loops.keySet());
    }

    /**
     * The node's DNS server on its address in the pod network. A node whose server cannot start still runs its pods
     * (their names then do not resolve): it says so loudly rather than refusing to work.
     */
    private DnsServer startDns(DockerRuntime docker, ClusterServices catalog) {
        try {
            InetAddress address = dnsSettings.getAddress().isEmpty()
                    ? LocalAddress.inSubnets(docker.podNetworkSubnets()).orElseThrow(() -> new IllegalStateException(
                            "no local address in the subnets of Docker network " + settings.getDockerNetwork()
                                    + "; set kubus.agent.dns.address"))
                    : InetAddress.getByName(dnsSettings.getAddress());
            ResolvConf host = ResolvConf.read(Path.of(dnsSettings.getResolvConf()));
            ClusterZone zone = new ClusterZone(dnsSettings.getClusterDomain(), dnsSettings.getTtl(), catalog,
                    clock.instant().getEpochSecond());
            return new DnsServer(address, dnsSettings.getPort(), zone,
                    new Forwarder(Forwarder.upstreams(host), dnsSettings.getForwardTimeout()));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.error("the cluster DNS server of this node did not start: {}", e.toString());
            return null;
        }
    }

    /** Where this node's DNS server listens, once it does. */
    public Optional<InetSocketAddress> dnsAddress() {
        DnsServer server = dns;
        return server == null ? Optional.empty() : Optional.of(server.address());
    }

    /**
     * Services this node answers itself, by {@code namespace/name}: kube-dns, whose ClusterIP the service proxy is to
     * send to this node's DNS server rather than to endpoints (the Service has none: README, "Cluster DNS").
     */
    public Map<String, InetSocketAddress> serviceOverrides() {
        return dnsAddress().map(a -> Map.of(KUBE_DNS, a)).orElse(Map.of());
    }

    private ServiceProxy startProxy(String node) {
        HostNetworkHelper helper = new HostNetworkHelper(URI.create(settings.getDockerHost()),
                proxySettings.getHelperName(), proxySettings.getHelperImage());
        // the owner of the rules is only replaced when its Node is gone; an error of the API keeps it
        Predicate<String> nodeExists = name -> {
            try {
                return api.get(ResourceTypes.NODES, null, name, Node.class).isPresent();
            } catch (RuntimeException e) {
                return true;
            }
        };
        // kube-dns's ClusterIP goes to this node's own DNS server (serviceOverrides)
        return new ServiceProxy(services, helper, new ServiceRules(proxySettings.getServiceCidr()), node,
                settings.getDockerNetwork(), nodeExists, this::internalIp,
                this::serviceOverrides, proxySettings.getMinSyncPeriod(), proxySettings.getSyncPeriod(), clock).start();
    }

    private Optional<String> internalIp(String node) {
        try {
            return api.get(ResourceTypes.NODES, null, node, Node.class)
                    .filter(n -> n.getStatus() != null && n.getStatus().getAddresses() != null)
                    .flatMap(n -> n.getStatus().getAddresses().stream()
                            .filter(a -> "InternalIP".equals(a.getType())).map(NodeAddress::getAddress).findFirst());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The service proxy, on a Docker node with the proxy enabled. */
    public Optional<ServiceProxy> serviceProxy() {
        return Optional.ofNullable(proxy);
    }

    private void registerWithRetry(NodeAgent agent) throws InterruptedException {
        long delay = 200;
        while (running) {
            try {
                agent.register();
                return;
            } catch (RuntimeException e) {
                LOG.warn("registering node {} failed, retrying: {}", agent.nodeName(), e.toString());
                Thread.sleep(delay);
                delay = Math.min(delay * 2, 5_000);
            }
        }
    }

    private void changed(Pod pod) {
        loopOf(pod).ifPresent(loop -> loop.podChanged(pod));
    }

    /** A pod gone from the node: the pass that looks at all of them removes its containers. */
    private void deleted(Pod pod) {
        loopOf(pod).ifPresent(NodeLoop::syncEverything);
    }

    /** The loop of the node the pod is bound to, when this process hosts it. */
    private Optional<NodeLoop> loopOf(Pod pod) {
        return Optional.ofNullable(pod.getSpec() == null ? null : loops.get(pod.getSpec().getNodeName()));
    }

    /**
     * One node's Lease, renewed every {@code interval} (plus jitter) from {@code offset} on; a failed renewal is tried
     * again after 200 ms, doubling up to the interval, so that a short outage costs no more than it lasts.
     */
    private void renewLease(NodeAgent agent, Duration offset, Duration interval) {
        long pause = offset.toMillis();
        long retry = 200;
        while (running) {
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                return;
            }
            try {
                agent.renewLease();
                retry = 200;
                pause = interval.toMillis() + (long) (ThreadLocalRandom.current().nextDouble() * 0.04 * interval.toMillis());
            } catch (RuntimeException e) {
                LOG.warn("renewing the lease of {} failed, retrying in {} ms: {}", agent.nodeName(), retry, e.toString());
                pause = retry;
                retry = Math.min(retry * 2, interval.toMillis());
            }
        }
    }

    private void reportStatuses() {
        while (running) {
            for (NodeLoop loop : loops.values()) {
                try {
                    loop.agent.reportStatus();
                } catch (RuntimeException e) {
                    LOG.warn("status report of {} failed: {}", loop.agent.nodeName(), e.toString());
                }
            }
            try {
                Thread.sleep(settings.getHeartbeatInterval().toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The node names this process hosts. */
    public List<String> nodeNames() {
        return List.copyOf(loops.keySet());
    }

    @PreDestroy
    @Override
    public void close() {
        running = false;
        threads.forEach(Thread::interrupt);
        for (Thread t : threads) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (pods != null) {
            pods.close();
        }
        if (nodes != null) {
            nodes.close();
        }
        if (proxy != null) {
            proxy.close(); // writes nothing: the rules stay for the next agent
        }
        if (dns != null) {
            dns.close();
        }
        if (services != null) {
            services.close();
        }
        loops.keySet().forEach(runtimes::unregister);
        if (server.isRunning()) {
            server.stop();
        }
        // Containers keep running: a restarted agent adopts them (a node never kills its pods on the way out).
        loops.values().forEach(l -> l.agent.close());
        if (publisher != null) {
            publisher.close();
        }
        if (api != null) {
            api.close();
        }
        background.shutdown();
    }

    private static String hostIp(String host) {
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            return "127.0.0.1";
        }
    }

    /**
     * One node's sync loop, as the kubelet's pod workers and its relist: a pod whose object changed is synced on its
     * own, at once, and so is a pod whose container started or exited by itself when the runtime foretold it
     * ({@link ContainerRuntime#nextChange}, {@link ContainerRuntime#changedBetween}); every pod of the node and all its
     * containers are looked at each sync interval, after a probe's result changed and after a pod left (its
     * containers go then). A node with a hundred pods no longer syncs all of them for every change to one.
     */
    private final class NodeLoop {
        final NodeAgent agent;
        final ContainerRuntime runtime;
        final Semaphore wake = new Semaphore(0);
        /** Keys of the pods that changed since the last pass. */
        final Set<String> changed = ConcurrentHashMap.newKeySet();
        /** Whether the next pass looks at every pod. */
        volatile boolean everything = true;

        NodeLoop(NodeAgent agent, ContainerRuntime runtime) {
            this.agent = agent;
            this.runtime = runtime;
        }

        void podChanged(Pod pod) {
            changed.add(Informer.keyOf(pod));
            wake.release();
        }

        void syncEverything() {
            everything = true;
            wake.release();
        }

        /** Until the next pass over every pod (the rest of the sync interval), or sooner when a container changes. */
        private long waitMillis(Instant lastFull) {
            Instant next = lastFull.plus(settings.getSyncInterval());
            Optional<Instant> change = runtime.nextChange();
            if (change.isPresent() && change.get().isBefore(next)) {
                next = change.get();
            }
            return Math.max(1, Duration.between(clock.instant(), next).toMillis() + 1);
        }

        void run() {
            Instant lastFull = clock.instant();
            Instant lookedAt = lastFull;
            while (running) {
                try {
                    Instant now = clock.instant();
                    if (everything) {
                        everything = false;
                        changed.clear();
                        lastFull = now;
                        agent.syncAll(pods.byIndex(Index.NODE_NAME, agent.nodeName()), pods.hasSynced());
                    } else {
                        // and the pods whose containers started or stopped by themselves since the last pass
                        changed.addAll(runtime.changedBetween(lookedAt, now));
                        List<Pod> some = new ArrayList<>();
                        for (var it = changed.iterator(); it.hasNext(); ) {
                            String key = it.next();
                            it.remove(); // first: a change that comes now is kept for the next pass
                            pods.get(key).filter(p -> agent.nodeName().equals(p.getSpec().getNodeName()))
                                    .ifPresent(some::add);
                        }
                        agent.syncPods(some);
                    }
                    lookedAt = now;
                } catch (RuntimeException e) {
                    LOG.warn("sync loop of {} failed: {}", agent.nodeName(), e.toString());
                }
                try {
                    // woken by a change to a pod, or a container due to change (changedBetween names its pod)
                    wake.tryAcquire(waitMillis(lastFull), TimeUnit.MILLISECONDS);
                    wake.drainPermits();
                    if (!clock.instant().isBefore(lastFull.plus(settings.getSyncInterval()))) {
                        everything = true;
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}

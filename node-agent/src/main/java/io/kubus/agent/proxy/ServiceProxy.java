package io.kubus.agent.proxy;

import io.kubus.agent.runtime.docker.HostNetworkHelper;
import io.kubus.agent.service.ClusterServices;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The node's service proxy: one thread that writes {@link ServiceRules} into the kernel through the engine's
 * {@link HostNetworkHelper}, level-triggered: whenever a Service or EndpointSlice changed (at most once per
 * {@code minSyncPeriod}, as kube-proxy's minSyncPeriod) and every {@code syncPeriod} anyway, always the whole state.
 *
 * <p>It writes nothing before the informers have synced, so a restarting agent never replaces good rules with an
 * empty view, and nothing on close: the rules keep forwarding while the agent is down, and the next agent rewrites
 * them from what it sees (a Service changed or deleted in between included: stale chains are deleted).
 *
 * <p>Several agents may share one engine, hence one kernel; only the owner of the helper container writes, or they
 * would undo each other's rules. The first agent to find no helper makes it and owns it; another takes it over only
 * when the owner's Node no longer exists in its cluster (deleted with its agent). Agents of two clusters on one
 * engine are not supported: both would claim the one service range of the kernel.
 */
public final class ServiceProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceProxy.class);

    private final ClusterServices services;
    private final HostNetworkHelper helper;
    private final ServiceRules rules;
    private final String nodeName;
    private final String podNetwork;
    private final Predicate<String> nodeExists;
    private final Function<String, Optional<String>> nodeAddress;
    /** The last InternalIP seen of each local node: a failed look-up keeps it rather than dropping its rules. */
    private final Map<String, String> nodeIps = new ConcurrentHashMap<>();
    private final Supplier<Map<String, InetSocketAddress>> overrides;
    private final Duration minSyncPeriod;
    private final Duration syncPeriod;
    private final Clock clock;
    private final Semaphore wake = new Semaphore(0);
    private final CountDownLatch stopping = new CountDownLatch(1);
    private volatile boolean running = true;
    /** True during a pass: close lets it end rather than cut the rules' input off in the middle. */
    private volatile boolean writing;
    private volatile Status status = new Status(false, null, 0, 0, null);
    private Thread thread;
    /** The pod network's Linux bridge, once known. */
    private volatile String bridge;

    /**
     * @param nodeExists  whether a Node of this name exists (an error answers true: no take-over on a doubt)
     * @param nodeAddress the InternalIP of a Node, empty when unknown (or on an error)
     * @param overrides   Services ({@code namespace/name}) sent to a node-local address instead of their endpoints
     */
    public ServiceProxy(ClusterServices services, HostNetworkHelper helper, ServiceRules rules, String nodeName,
                        String podNetwork, Predicate<String> nodeExists,
                        Function<String, Optional<String>> nodeAddress, Supplier<Map<String, InetSocketAddress>> overrides,
                        Duration minSyncPeriod, Duration syncPeriod, Clock clock) {
        this.services = services;
        this.helper = helper;
        this.rules = rules;
        this.nodeName = nodeName;
        this.podNetwork = podNetwork;
        this.nodeExists = nodeExists;
        this.nodeAddress = nodeAddress;
        this.overrides = overrides;
        this.minSyncPeriod = minSyncPeriod;
        this.syncPeriod = syncPeriod;
        this.clock = clock;
    }

    public ServiceProxy start() {
        services.onChange(wake::release);
        thread = Thread.ofPlatform().daemon().name("service-proxy-" + nodeName).start(this::run);
        return this;
    }

    private void run() {
        try {
            while (running && !services.awaitSynced(Duration.ofSeconds(10))) {
                LOG.info("service proxy of {} waits for the Service and EndpointSlice caches", nodeName);
            }
            while (running) {
                long started = System.nanoTime();
                wake.drainPermits(); // what changed until now is in this sync
                try {
                    writing = true;
                    sync();
                } catch (IOException | RuntimeException e) {
                    // once per failure, not once a second while it lasts; the trace at debug
                    if (!e.toString().equals(status.error())) {
                        LOG.warn("service proxy of {}: writing the rules failed, retrying: {}", nodeName, e.toString());
                    }
                    LOG.debug("service proxy of {}: failed pass", nodeName, e);
                    status = status.failed(e.toString());
                } finally {
                    writing = false;
                }
                long spent = System.nanoTime() - started;
                if (stopping.await(Math.max(0, minSyncPeriod.toNanos() - spent), TimeUnit.NANOSECONDS)) {
                    return;
                }
                wake.tryAcquire(syncPeriod.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    /** One pass: take or keep the helper when this node may, then write the whole state. */
    void sync() throws IOException {
        long started = System.nanoTime();
        String owner = helper.owner().orElse("");
        if (!owner.isEmpty() && !owner.equals(nodeName)) {
            if (nodeExists.test(owner)) {
                status = new Status(false, status.lastSync, status.services, status.millis, null);
                return;
            }
            LOG.info("service proxy: node {} owned the rules and is gone; {} takes over", owner, nodeName);
        }
        helper.ensureRunning(nodeName);
        if (!helper.owner().orElse("").equals(nodeName)) {
            return; // another agent made the helper in between: it writes
        }
        Set<String> local = new TreeSet<>(helper.nodesWithPods());
        local.add(nodeName);
        for (String node : local) {
            nodeAddress.apply(node).ifPresent(ip -> nodeIps.put(node, ip));
        }
        nodeIps.keySet().retainAll(local);
        var services = this.services.services();
        ServiceRules.Ruleset ruleset = rules.build(services, this.services::slices, local, Set.copyOf(nodeIps.values()),
                overrides.get());
        HostNetworkHelper.Result saved = helper.runOnHost("iptables-save -t nat && iptables-save -t filter", "");
        if (!saved.ok()) {
            throw new IOException("iptables-save: " + saved.err().strip());
        }
        String input = ruleset.restoreInput(ServiceRules.Ruleset.chainsIn(saved.out()));
        if (bridge == null) {
            bridge = helper.bridgeOf(podNetwork).orElse("");
        }
        HostNetworkHelper.Result written = helper.runOnHost("iptables-restore --noflush || exit 1; " + ensureJumps()
                + (bridge.isEmpty() ? "" : " && " + hairpin(bridge)), input);
        if (!written.ok()) {
            throw new IOException("iptables-restore: " + written.err().strip());
        }
        status = new Status(true, clock.instant(), services.size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), null);
    }

    /** Shell that adds each jump into our chains unless it is there (-C), first in its built-in chain. */
    private static String ensureJumps() {
        return ServiceRules.JUMPS.stream().map(j -> "{ iptables -t %1$s -C %2$s -j %3$s 2>/dev/null"
                .formatted(j.get(0), j.get(1), j.get(2)) + " || iptables -t %1$s -I %2$s 1 -j %3$s; }"
                .formatted(j.get(0), j.get(1), j.get(2))).collect(Collectors.joining(" && "));
    }

    /**
     * Shell that turns hairpin mode on for every port of the pods' bridge (kubelet's hairpin-veth): a pod reaching
     * itself through its Service is DNATed back to itself, and the bridge sends that frame out the port it came from
     * only in hairpin mode. Docker sets it only without its userland proxy.
     */
    private static String hairpin(String bridge) {
        return ("for p in /sys/class/net/%s/brif/*; do [ -e \"$p/hairpin_mode\" ] || continue; "
                + "[ \"$(cat \"$p/hairpin_mode\")\" = 1 ] || ip link set dev \"${p##*/}\" type bridge_slave hairpin on "
                + "|| exit 1; done").formatted(bridge);
    }

    /**
     * Takes every rule of ours out of the kernel and removes the helper: the jumps first, then the chains (kube-proxy's
     * --cleanup). For tests and for taking a node out of service; the agent never calls it on its own.
     */
    public static void removeAll(HostNetworkHelper helper, String nodeName) throws IOException {
        if (helper.owner().isEmpty()) {
            return; // without a helper, nothing was written through it
        }
        helper.ensureRunning(helper.owner().get());
        HostNetworkHelper.Result saved = helper.runOnHost("iptables-save -t nat && iptables-save -t filter", "");
        if (!saved.ok()) {
            throw new IOException("iptables-save: " + saved.err().strip());
        }
        HostNetworkHelper.Result removed = helper.runOnHost("iptables-restore --noflush",
                ServiceRules.Ruleset.removalInput(saved.out()));
        if (!removed.ok()) {
            throw new IOException("iptables-restore: " + removed.err().strip());
        }
        helper.restore();
        helper.remove();
        LOG.info("service proxy rules removed by {}", nodeName);
    }

    public Status status() {
        return status;
    }

    @Override
    public void close() {
        running = false;
        stopping.countDown();
        wake.release();
        if (thread != null) {
            try {
                if (writing) {
                    thread.join(5_000);
                }
                thread.interrupt(); // e.g. still waiting for the caches
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        helper.close();
    }

    /**
     * What the proxy did last: whether this agent writes the rules (owner), when it last wrote them, how many Services
     * they held and how long the pass took, and the error of the last pass if it failed.
     */
    public record Status(boolean owner, Instant lastSync, int services, long millis, String error) {
        Status failed(String error) {
            return new Status(owner, lastSync, services, millis, error);
        }
    }
}

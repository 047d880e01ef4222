package io.kubus.agent.proxy;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.kubus.agent.service.ClusterServices;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * Turns Services and their EndpointSlices into {@code iptables-restore} input for the tables nat and filter, in the
 * manner of kube-proxy's iptables mode, with chains of its own only (all named {@code KUBUS-*}); pure, so it is tested
 * on its text.
 *
 * <p>nat: {@code KUBUS-SERVICES} (jumped to from PREROUTING and OUTPUT) sends a ClusterIP's port to its Service's
 * {@code KUBUS-SVC-*} chain (or {@code KUBUS-SVL-*}, the node-local endpoints, for internalTrafficPolicy Local), a
 * LoadBalancer ingress IP's or an externalIP's port to {@code KUBUS-EXT-*}, local addresses to
 * {@code KUBUS-NODEPORTS}, and last everything else of the service range to {@code KUBUS-MARK-REJECT}. A
 * {@code KUBUS-SVC-*} chain picks an endpoint at random ({@code statistic} with probability 1/(n-i) for the i-th of
 * n), after the {@code recent} matches of ClientIP affinity; its {@code KUBUS-SEP-*} chains DNAT, marking a pod that
 * reaches itself (hairpin) for masquerade. {@code KUBUS-EXT-*} marks external traffic for masquerade (Cluster policy)
 * or keeps its source and goes to the local endpoints (Local policy).
 *
 * <p>A refusal, unlike kube-proxy's: kube-proxy rejects in the filter table, after routing; here a route may make the
 * service range unreachable (so it never leaves the node), which fails a packet before it reaches the filter table.
 * A REJECT after a REDIRECT does not do either: for a packet that came through a bridge (every pod's, with
 * br_netfilter) the kernel sends the TCP reset straight back through the bridge, without undoing the NAT, so the
 * client ignores it; an ICMP error for a SYN arrives while connect() still holds the socket and only counts after the
 * retransmission, a second later. So a packet to a Service without endpoints, or to an address of the range no
 * Service holds, is redirected in nat to port 0 of the node itself, where no socket can listen: the node's own TCP
 * stack answers with a reset (UDP: port unreachable) that conntrack translates back, and the client sees "connection
 * refused" at once. Other protocols are marked ({@code 0x8000}) and rejected by {@code KUBUS-INPUT}, which also
 * accepts the redirected TCP and UDP ahead of a host firewall that would drop them silently.
 */
public final class ServiceRules {
    public static final String SERVICES = "KUBUS-SERVICES";
    public static final String NODEPORTS = "KUBUS-NODEPORTS";
    public static final String POSTROUTING = "KUBUS-POSTROUTING";
    public static final String MARK_MASQ = "KUBUS-MARK-MASQ";
    public static final String MARK_REJECT = "KUBUS-MARK-REJECT";
    public static final String INPUT = "KUBUS-INPUT";
    public static final String FORWARD = "KUBUS-FORWARD";
    /** Every chain of ours starts so, which is how stale ones are found. */
    public static final String PREFIX = "KUBUS-";
    static final String MASQ_MARK = "0x4000/0x4000";
    static final String REJECT_MARK = "0x8000/0x8000";
    /** The default sessionAffinityConfig.clientIP.timeoutSeconds (3 hours). */
    static final int DEFAULT_AFFINITY_SECONDS = 10_800;
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /** The built-in chains jumping to ours: table, built-in chain, our chain. */
    public static final List<List<String>> JUMPS = List.of(
            List.of("nat", "PREROUTING", SERVICES),
            List.of("nat", "OUTPUT", SERVICES),
            List.of("nat", "POSTROUTING", POSTROUTING),
            List.of("filter", "INPUT", INPUT),
            List.of("filter", "FORWARD", FORWARD));

    private final String serviceCidr;

    /** @param serviceCidr the service range (the gateway's, 10.96.0.0/12 by default), refused as a whole */
    public ServiceRules(String serviceCidr) {
        this.serviceCidr = serviceCidr;
    }

    /**
     * What the node's kernel should hold.
     *
     * @param services   every Service of the cluster
     * @param slices     the EndpointSlices of a Service (namespace, name)
     * @param localNodes the nodes whose pods run on this kernel: their endpoints are the local ones of the Local
     *                   traffic policies
     * @param nodeIps    the InternalIPs of those nodes: node ports answer on them as on the kernel's own addresses
     *                   (an agent in a container, as in docker-compose, has its container's address, not the host's)
     * @param overrides  Services ({@code namespace/name}) whose every port goes to this address instead of their
     *                   endpoints (the node's own DNS server for kube-system/kube-dns); it counts as a local endpoint
     */
    public Ruleset build(List<Service> services, BiFunction<String, String, List<EndpointSlice>> slices,
                         Set<String> localNodes, Set<String> nodeIps, Map<String, InetSocketAddress> overrides) {
        Tables t = new Tables();
        t.nat(SERVICES);
        t.nat(NODEPORTS);
        t.nat(MARK_MASQ).add("-j MARK --or-mark 0x4000");
        t.nat(MARK_REJECT).add("-j MARK --or-mark 0x8000");
        t.nat(MARK_REJECT).add("-p tcp -j REDIRECT --to-ports 0");
        t.nat(MARK_REJECT).add("-p udp -j REDIRECT --to-ports 0");
        t.nat(MARK_REJECT).add("-j REDIRECT");
        // the mark is cleared so that a packet passing twice (e.g. re-encapsulated) is not masqueraded twice
        t.nat(POSTROUTING).add("-m mark ! --mark " + MASQ_MARK + " -j RETURN");
        t.nat(POSTROUTING).add("-j MARK --xor-mark 0x4000");
        t.nat(POSTROUTING).add("-j MASQUERADE --random-fully");
        // route_localnet (on for node ports on 127.0.0.1) would let others send to 127/8: kube-proxy's guard
        t.filter(INPUT).add("! -s 127.0.0.0/8 -d 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP");
        t.filter(INPUT).add("-p tcp -m mark --mark " + REJECT_MARK + " -j ACCEPT");
        t.filter(INPUT).add("-p udp -m mark --mark " + REJECT_MARK + " -j ACCEPT");
        t.filter(INPUT).add("-m mark --mark " + REJECT_MARK + " -j REJECT --reject-with icmp-port-unreachable");
        // external traffic to a NodePort would meet Docker's FORWARD policy DROP: what we DNAT and mark, we let pass
        t.filter(FORWARD).add("-m mark --mark " + MASQ_MARK + " -j ACCEPT");
        t.filter(FORWARD).add("-d " + serviceCidr + " -j REJECT --reject-with icmp-port-unreachable");

        List<Service> sorted = new ArrayList<>(services);
        sorted.sort(Comparator.comparing(ServiceRules::key));
        for (Service service : sorted) {
            addService(t, service, slices, localNodes, overrides.get(key(service)));
        }
        for (String ip : new TreeSet<>(nodeIps)) {
            if (IPV4.matcher(ip).matches()) {
                t.nat(SERVICES).add("-d " + ip + "/32 -j " + NODEPORTS);
            }
        }
        t.nat(SERVICES).add("-m addrtype --dst-type LOCAL -j " + NODEPORTS);
        t.nat(SERVICES).add("-d " + serviceCidr + " -m comment --comment \"no Service holds this address\" -j "
                + MARK_REJECT);
        return new Ruleset(t.nat, t.filter);
    }

    private void addService(Tables t, Service service, BiFunction<String, String, List<EndpointSlice>> slices,
                            Set<String> localNodes, InetSocketAddress override) {
        ServiceSpec spec = service.getSpec();
        if (spec == null || spec.getPorts() == null || "ExternalName".equals(spec.getType())) {
            return;
        }
        String clusterIp = spec.getClusterIP();
        boolean hasClusterIp = clusterIp != null && IPV4.matcher(clusterIp).matches();
        boolean nodePorts = "NodePort".equals(spec.getType()) || "LoadBalancer".equals(spec.getType());
        Set<String> externalIps = new LinkedHashSet<>();
        if (spec.getExternalIPs() != null) {
            spec.getExternalIPs().stream().filter(ip -> IPV4.matcher(ip).matches()).forEach(externalIps::add);
        }
        if ("LoadBalancer".equals(spec.getType()) && service.getStatus() != null
                && service.getStatus().getLoadBalancer() != null
                && service.getStatus().getLoadBalancer().getIngress() != null) {
            service.getStatus().getLoadBalancer().getIngress().stream().map(LoadBalancerIngress::getIp)
                    .filter(ip -> ip != null && IPV4.matcher(ip).matches()).forEach(externalIps::add);
        }
        if (!hasClusterIp && externalIps.isEmpty()) {
            return; // headless: DNS names its pods, no proxying
        }
        boolean affinity = "ClientIP".equals(spec.getSessionAffinity());
        int affinitySeconds = affinitySeconds(spec);
        boolean internalLocal = "Local".equals(spec.getInternalTrafficPolicy());
        boolean externalLocal = "Local".equals(spec.getExternalTrafficPolicy());
        List<EndpointSlice> own = override == null
                ? slices.apply(service.getMetadata().getNamespace(), service.getMetadata().getName()) : List.of();
        for (ServicePort port : spec.getPorts()) {
            String protocol = port.getProtocol() == null ? "tcp" : port.getProtocol().toLowerCase(Locale.ROOT);
            if (!protocol.equals("tcp") && !protocol.equals("udp") && !protocol.equals("sctp")) {
                continue;
            }
            String portName = key(service) + (port.getName() == null || port.getName().isEmpty() ? ""
                    : ":" + port.getName());
            String id = portName + "/" + protocol;
            List<Ep> all = override == null ? endpoints(own, port, protocol)
                    : List.of(new Ep(override.getAddress().getHostAddress(), override.getPort(), null, true, true,
                    false, true));
            List<Ep> cluster = usable(all);
            List<Ep> local = usable(all.stream().filter(e -> e.local || (e.node != null && localNodes.contains(e.node))).toList());
            String match = "-p " + protocol + " -m " + protocol + " --dport ";
            String svc = cluster.isEmpty() ? MARK_REJECT
                    : endpointChain(t, "KUBUS-SVC-", id, cluster, protocol, affinity, affinitySeconds);
            String svl = !(internalLocal || externalLocal) || local.isEmpty() ? MARK_REJECT
                    : endpointChain(t, "KUBUS-SVL-", id, local, protocol, affinity, affinitySeconds);
            if (hasClusterIp) {
                t.nat(SERVICES).add("-d " + clusterIp + "/32 " + match + port.getPort() + comment(portName
                        + " cluster IP") + " -j " + (internalLocal ? svl : svc));
            }
            boolean external = (nodePorts && port.getNodePort() != null && port.getNodePort() > 0)
                    || !externalIps.isEmpty();
            if (!external) {
                continue;
            }
            String ext = MARK_REJECT;
            if (!cluster.isEmpty()) {
                ext = "KUBUS-EXT-" + hash(id);
                List<String> rules = t.nat(ext);
                if (externalLocal) {
                    // the node's own processes get the cluster-wide choice, as with kube-proxy; others keep their
                    // source address and stay on this node's endpoints
                    rules.add("-m addrtype --src-type LOCAL -j " + MARK_MASQ);
                    rules.add("-m addrtype --src-type LOCAL -j " + svc);
                    rules.add("-j " + svl);
                } else {
                    rules.add("-j " + MARK_MASQ);
                    rules.add("-j " + svc);
                }
            }
            if (nodePorts && port.getNodePort() != null && port.getNodePort() > 0) {
                t.nat(NODEPORTS).add(match + port.getNodePort() + comment(portName + " node port") + " -j " + ext);
            }
            for (String ip : externalIps) {
                t.nat(SERVICES).add("-d " + ip + "/32 " + match + port.getPort()
                        + comment(portName + " external IP") + " -j " + ext);
            }
        }
    }

    /** A chain choosing among {@code eps} at random (after the affinity matches), and the endpoints' chains. */
    private static String endpointChain(Tables t, String prefix, String id, List<Ep> eps, String protocol,
                                        boolean affinity, int affinitySeconds) {
        String chain = prefix + hash(id);
        if (t.nat.containsKey(chain)) {
            return chain;
        }
        List<String> rules = t.nat(chain);
        List<String> seps = new ArrayList<>();
        for (Ep ep : eps) {
            String sep = "KUBUS-SEP-" + hash(id + "/" + ep.ip + ":" + ep.port);
            seps.add(sep);
            if (!t.nat.containsKey(sep)) {
                List<String> s = t.nat(sep);
                s.add("-s " + ep.ip + "/32 -j " + MARK_MASQ); // hairpin: the pod must see the answer come back
                s.add("-p " + protocol + (affinity ? " -m recent --set --name " + sep
                        + " --mask 255.255.255.255 --rsource" : "") + " -m " + protocol
                        + " -j DNAT --to-destination " + ep.ip + ":" + ep.port);
            }
        }
        if (affinity) {
            for (String sep : seps) {
                rules.add("-m recent --rcheck --seconds " + affinitySeconds + " --reap --name " + sep
                        + " --mask 255.255.255.255 --rsource -j " + sep);
            }
        }
        for (int i = 0; i < seps.size(); i++) {
            int left = seps.size() - i;
            rules.add(left == 1 ? "-j " + seps.get(i) : "-m statistic --mode random --probability "
                    + String.format(Locale.ROOT, "%.10f", 1.0 / left) + " -j " + seps.get(i));
        }
        return chain;
    }

    /** Ready endpoints; when there is none, the serving terminating ones (kube-proxy's fallback). */
    private static List<Ep> usable(List<Ep> eps) {
        List<Ep> ready = eps.stream().filter(Ep::ready).toList();
        return !ready.isEmpty() ? ready : eps.stream().filter(e -> e.serving && e.terminating).toList();
    }

    /** The endpoints of one Service port over all its slices, once each, in a stable order. */
    private static List<Ep> endpoints(List<EndpointSlice> slices, ServicePort port, String protocol) {
        String name = port.getName() == null ? "" : port.getName();
        Map<String, Ep> found = new LinkedHashMap<>();
        for (EndpointSlice slice : slices) {
            if (!"IPv4".equals(slice.getAddressType()) || slice.getPorts() == null || slice.getEndpoints() == null) {
                continue;
            }
            Integer number = null;
            for (EndpointPort p : slice.getPorts()) {
                String pn = p.getName() == null ? "" : p.getName();
                String pp = p.getProtocol() == null ? "tcp" : p.getProtocol().toLowerCase(Locale.ROOT);
                if (pn.equals(name) && pp.equals(protocol) && p.getPort() != null) {
                    number = p.getPort();
                }
            }
            if (number == null) {
                continue;
            }
            for (Endpoint e : slice.getEndpoints()) {
                if (e.getAddresses() == null || e.getAddresses().isEmpty()) {
                    continue;
                }
                boolean terminating = e.getConditions() != null && Boolean.TRUE.equals(e.getConditions().getTerminating());
                String ip = e.getAddresses().getFirst();
                found.putIfAbsent(ip + ":" + number, new Ep(ip, number, e.getNodeName(), ClusterServices.ready(e),
                        ClusterServices.serving(e), terminating, false));
            }
        }
        List<Ep> list = new ArrayList<>(found.values());
        list.sort(Comparator.comparing((Ep e) -> e.ip).thenComparingInt(e -> e.port));
        return list;
    }

    private static int affinitySeconds(ServiceSpec spec) {
        if (spec.getSessionAffinityConfig() != null && spec.getSessionAffinityConfig().getClientIP() != null
                && spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds() != null) {
            return spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds();
        }
        return DEFAULT_AFFINITY_SECONDS;
    }

    static String key(Service s) {
        return s.getMetadata().getNamespace() + "/" + s.getMetadata().getName();
    }

    private static String comment(String text) {
        return " -m comment --comment \"" + text.replace("\"", "") + "\"";
    }

    /** 16 hex digits of SHA-256: chain names stay within iptables' 28 characters and stable across restarts. */
    static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().withUpperCase().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One endpoint; {@code local} marks an override, local whatever its node. */
    private record Ep(String ip, int port, String node, boolean ready, boolean serving, boolean terminating,
                      boolean local) {
    }

    private static final class Tables {
        final Map<String, List<String>> nat = new LinkedHashMap<>();
        final Map<String, List<String>> filter = new LinkedHashMap<>();

        List<String> nat(String chain) {
            return nat.computeIfAbsent(chain, c -> new ArrayList<>());
        }

        List<String> filter(String chain) {
            return filter.computeIfAbsent(chain, c -> new ArrayList<>());
        }
    }

    /** The chains of both tables and their rules. */
    public record Ruleset(Map<String, List<String>> nat, Map<String, List<String>> filter) {

        /**
         * {@code iptables-restore --noflush} input: every chain of ours declared (which flushes it) and filled, and
         * the chains of ours the kernel holds ({@code existing}, by table) that are no longer wanted deleted.
         */
        public String restoreInput(Map<String, Set<String>> existing) {
            StringBuilder out = new StringBuilder();
            table(out, "nat", nat, existing.getOrDefault("nat", Set.of()));
            table(out, "filter", filter, existing.getOrDefault("filter", Set.of()));
            return out.toString();
        }

        /**
         * Input that takes every rule of ours out of {@code save} (iptables-save of nat and filter): each jump from
         * another chain into ours deleted, whoever added it, then our chains flushed and deleted.
         */
        public static String removalInput(String save) {
            Map<String, Set<String>> existing = chainsIn(save);
            StringBuilder out = new StringBuilder();
            String table = null;
            Map<String, List<String>> jumps = new LinkedHashMap<>();
            for (String line : save.split("\n")) {
                if (line.startsWith("*")) {
                    table = line.substring(1).trim();
                } else if (table != null && line.startsWith("-A ") && !line.startsWith("-A " + PREFIX)
                        && line.matches(".* -[jg] " + PREFIX + "\\S+.*")) {
                    jumps.computeIfAbsent(table, k -> new ArrayList<>()).add("-D " + line.substring(3));
                }
            }
            for (String t : List.of("nat", "filter")) {
                Set<String> chains = existing.getOrDefault(t, Set.of());
                out.append('*').append(t).append('\n');
                chains.forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
                jumps.getOrDefault(t, List.of()).forEach(j -> out.append(j).append('\n'));
                chains.forEach(c -> out.append("-X ").append(c).append('\n'));
                out.append("COMMIT\n");
            }
            return out.toString();
        }

        private static void table(StringBuilder out, String table, Map<String, List<String>> chains,
                                  Set<String> existing) {
            Set<String> stale = new TreeSet<>(existing);
            stale.removeAll(chains.keySet());
            out.append('*').append(table).append('\n');
            for (String chain : chains.keySet()) {
                out.append(':').append(chain).append(" - [0:0]\n");
            }
            for (String chain : stale) {
                out.append(':').append(chain).append(" - [0:0]\n");
            }
            chains.forEach((chain, rules) -> rules.forEach(r -> out.append("-A ").append(chain).append(' ')
                    .append(r).append('\n')));
            for (String chain : stale) {
                out.append("-X ").append(chain).append('\n');
            }
            out.append("COMMIT\n");
        }

        /** The chains of ours named in {@code iptables-save} output, by table. */
        public static Map<String, Set<String>> chainsIn(String save) {
            Map<String, Set<String>> chains = new LinkedHashMap<>();
            String table = null;
            for (String line : save.split("\n")) {
                if (line.startsWith("*")) {
                    table = line.substring(1).trim();
                } else if (table != null && line.startsWith(":" + PREFIX)) {
                    chains.computeIfAbsent(table, k -> new TreeSet<>()).add(line.substring(1).split(" ")[0]);
                }
            }
            return chains;
        }
    }
}

package io.kubus.agent.dns;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.kubus.agent.service.ClusterServices;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The answers of the cluster zone ({@code cluster.local} by default), as CoreDNS's kubernetes plugin gives them
 * (Kubernetes' DNS specification), computed from a {@link ServiceCatalog} at each question; no wire format here.
 *
 * <ul>
 *   <li>{@code <svc>.<ns>.svc.<zone>}: the ClusterIPs of the family asked (A or AAAA; none of it: NODATA); for a
 *       headless Service the addresses of its ready endpoints (all with publishNotReadyAddresses); for ExternalName a
 *       CNAME to its name.</li>
 *   <li>{@code <endpoint>.<svc>.<ns>.svc.<zone>}: one endpoint, named by its hostname, else its dashed IP.</li>
 *   <li>{@code _<port>._<proto>.<svc>.<ns>.svc.<zone>} SRV: per named port, to the Service's name (ClusterIP) or to
 *       each endpoint's name (headless), with their addresses as additional records.</li>
 *   <li>{@code a-b-c-d.<ns>.pod.<zone>}: the IP written in the name, unchecked (CoreDNS's {@code pods insecure},
 *       kubeadm's default).</li>
 *   <li>any other name in the zone: NXDOMAIN, with the zone's SOA in the authority section (and NODATA with it for a
 *       name that exists without records of the type asked).</li>
 * </ul>
 * Names outside the zone get {@link Optional#empty()}: they are someone else's (forwarded). Until the catalog has
 * synced, names in the zone are SERVFAIL.
 */
public final class ClusterZone {
    public static final int A = 1;
    public static final int CNAME = 5;
    public static final int SOA = 6;
    public static final int AAAA = 28;
    public static final int SRV = 33;
    /** RCODEs as RFC 1035 numbers them. */
    public static final int NOERROR = 0;
    public static final int SERVFAIL = 2;
    public static final int NXDOMAIN = 3;

    private static final Pattern SRV_LABEL = Pattern.compile("_[a-z0-9-]+");

    private final String zone;
    private final long ttl;
    private final ServiceCatalog catalog;
    private final long serial;

    /**
     * @param zone    the cluster domain, e.g. {@code cluster.local}
     * @param ttl     the TTL of every answer and the SOA's negative-caching TTL, in seconds
     * @param serial  the SOA serial (CoreDNS uses the time its data last changed; any number serves clients)
     */
    public ClusterZone(String zone, long ttl, ServiceCatalog catalog, long serial) {
        this.zone = normalize(zone);
        this.ttl = ttl;
        this.catalog = catalog;
        this.serial = serial;
    }

    public String zone() {
        return zone;
    }

    /** One resource record; names are absolute, without the trailing dot. */
    public record Record(String name, int type, long ttl, Data data) {
    }

    /** What a record holds. */
    public sealed interface Data permits Address, Target, Srv, Soa {
    }

    /** A or AAAA. */
    public record Address(InetAddress address) implements Data {
    }

    /** CNAME. */
    public record Target(String name) implements Data {
    }

    public record Srv(int priority, int weight, int port, String target) implements Data {
    }

    public record Soa(String mname, String rname, long serial, long refresh, long retry, long expire,
                      long minimum) implements Data {
    }

    /** A response: its RCODE and sections. */
    public record Answer(int rcode, List<Record> answers, List<Record> authority, List<Record> additional) {
    }

    /** The answer to a question, or empty when the name is not in the zone. */
    public Optional<Answer> answer(String name, int type) {
        String n = normalize(name);
        if (!n.equals(zone) && !n.endsWith("." + zone)) {
            return Optional.empty();
        }
        if (!catalog.hasSynced()) {
            // as CoreDNS before its first list: a client tries again, where an NXDOMAIN would be cached
            return Optional.of(new Answer(SERVFAIL, List.of(), List.of(), List.of()));
        }
        String relative = n.equals(zone) ? "" : n.substring(0, n.length() - zone.length() - 1);
        List<String> labels = relative.isEmpty() ? List.of() : List.of(relative.split("\\.", -1));
        if (labels.isEmpty()) {
            return Optional.of(type == SOA ? answered(List.of(soa()), List.of()) : nodata());
        }
        String kind = labels.getLast();
        int depth = labels.size();
        if (kind.equals("svc")) {
            return Optional.of(switch (depth) {
                case 1 -> nodata();
                case 2 -> namespaceExists(labels.get(0)) ? nodata() : nxdomain();
                case 3 -> service(n, labels.get(1), labels.get(0), type);
                case 4 -> endpoint(labels.get(2), labels.get(1), labels.get(0), type);
                case 5 -> srv(labels.get(3), labels.get(2), labels.get(0), labels.get(1), type);
                default -> nxdomain();
            });
        }
        if (kind.equals("pod")) {
            return Optional.of(switch (depth) {
                case 1 -> nodata();
                case 2 -> namespaceExists(labels.get(0)) ? nodata() : nxdomain();
                case 3 -> pod(n, labels.get(0), type);
                default -> nxdomain();
            });
        }
        return Optional.of(nxdomain());
    }

    private Answer service(String name, String namespace, String serviceName, int type) {
        Service svc = catalog.service(namespace, serviceName).orElse(null);
        if (svc == null || svc.getSpec() == null) {
            return nxdomain();
        }
        if ("ExternalName".equals(svc.getSpec().getType())) {
            String target = svc.getSpec().getExternalName();
            return target == null || target.isBlank() ? nxdomain()
                    : answered(List.of(new Record(name, CNAME, ttl, new Target(normalize(target)))), List.of());
        }
        if (headless(svc)) {
            List<Named> endpoints = endpoints(svc);
            if (endpoints.isEmpty()) {
                return nxdomain(); // as CoreDNS: a headless Service without endpoints has no name
            }
            if (type == SRV) {
                return srvRecords(svc, name, endpoints, null, null);
            }
            return addresses(name, type, endpoints.stream().map(Named::address).toList());
        }
        if (type == SRV) {
            return srvRecords(svc, name, List.of(), null, null);
        }
        return addresses(name, type, clusterIps(svc));
    }

    private Answer endpoint(String namespace, String serviceName, String endpointName, int type) {
        Service svc = catalog.service(namespace, serviceName).orElse(null);
        if (svc == null || svc.getSpec() == null || "ExternalName".equals(svc.getSpec().getType())) {
            return nxdomain();
        }
        String fqdn = endpointName + "." + serviceName + "." + namespace + ".svc." + zone;
        List<InetAddress> found = endpoints(svc).stream().filter(e -> e.name().equals(endpointName))
                .map(Named::address).toList();
        return found.isEmpty() ? nxdomain() : addresses(fqdn, type, found);
    }

    private Answer srv(String namespace, String serviceName, String portLabel, String protoLabel, int type) {
        Service svc = catalog.service(namespace, serviceName).orElse(null);
        if (svc == null || svc.getSpec() == null || "ExternalName".equals(svc.getSpec().getType())
                || !SRV_LABEL.matcher(portLabel).matches() || !SRV_LABEL.matcher(protoLabel).matches()) {
            return nxdomain();
        }
        String port = portLabel.substring(1);
        String protocol = protoLabel.substring(1);
        String name = portLabel + "." + protoLabel + "." + serviceName + "." + namespace + ".svc." + zone;
        String serviceFqdn = serviceName + "." + namespace + ".svc." + zone;
        boolean headless = headless(svc);
        Answer srv = srvRecords(svc, serviceFqdn, headless ? endpoints(svc) : List.of(), port, protocol);
        if (srv.answers().isEmpty()) {
            return nxdomain(); // no such port: the name does not exist
        }
        if (type != SRV) {
            return nodata();
        }
        // the records name the question, not the Service
        return new Answer(NOERROR, srv.answers().stream()
                .map(r -> new Record(name, r.type(), r.ttl(), r.data())).toList(), List.of(), srv.additional());
    }

    /**
     * SRV records of a Service's named ports (all, or the one of {@code port}/{@code protocol}): to the Service's name
     * for a ClusterIP Service, to each endpoint's name with the endpoint's port for a headless one.
     */
    private Answer srvRecords(Service svc, String serviceFqdn, List<Named> endpoints, String port, String protocol) {
        List<Record> answers = new ArrayList<>();
        List<Record> additional = new ArrayList<>();
        if (!headless(svc)) {
            for (ServicePort p : Objects.requireNonNullElse(svc.getSpec().getPorts(), List.<ServicePort>of())) {
                if (matches(p.getName(), p.getProtocol(), port, protocol)) {
                    answers.add(new Record(serviceFqdn, SRV, ttl, new Srv(0, 100, p.getPort(), serviceFqdn)));
                }
            }
            if (!answers.isEmpty()) {
                for (InetAddress ip : clusterIps(svc)) {
                    additional.add(new Record(serviceFqdn, ip instanceof Inet6Address ? AAAA : A, ttl, new Address(ip)));
                }
            }
        } else {
            List<Record> found = new ArrayList<>();
            Set<String> seen = new LinkedHashSet<>();
            for (Named e : endpoints) {
                for (EndpointPort p : e.ports()) {
                    if (p.getPort() != null && matches(p.getName(), p.getProtocol(), port, protocol)) {
                        String target = e.name() + "." + serviceFqdn;
                        if (seen.add(target + ":" + p.getPort())) {
                            found.add(new Record(serviceFqdn, SRV, ttl, new Srv(0, 0, p.getPort(), target)));
                            additional.add(new Record(target, e.address() instanceof Inet6Address ? AAAA : A, ttl,
                                    new Address(e.address())));
                        }
                    }
                }
            }
            // an equal share of 100 each, as CoreDNS weighs the records of one priority
            int weight = found.isEmpty() ? 0 : Math.max(1, 100 / found.size());
            for (Record r : found) {
                Srv s = (Srv) r.data();
                answers.add(new Record(r.name(), SRV, ttl, new Srv(0, weight, s.port(), s.target())));
            }
        }
        return answers.isEmpty() ? nodata() : new Answer(NOERROR, answers, List.of(), List.copyOf(new LinkedHashSet<>(additional)));
    }

    /** A named port matching {@code _port._proto} (any named port when those are null). */
    private static boolean matches(String name, String proto, String port, String protocol) {
        if (name == null || name.isEmpty()) {
            return false; // SRV records are only for named ports
        }
        if (port == null) {
            return true;
        }
        return name.equalsIgnoreCase(port) && Objects.requireNonNullElse(proto, "TCP").equalsIgnoreCase(protocol);
    }

    private Answer pod(String name, String dashed, int type) {
        Optional<InetAddress> ip = dashedIp(dashed);
        return ip.isEmpty() ? nxdomain() : addresses(name, type, List.of(ip.get()));
    }

    /** {@code 10-1-2-3} or {@code fd00--1} (an IPv6 address with its colons as dashes). */
    static Optional<InetAddress> dashedIp(String dashed) {
        return dashed.matches("\\d{1,3}(-\\d{1,3}){3}") ? literal(dashed.replace('-', '.'))
                : dashed.chars().filter(c -> c == '-').count() >= 2 ? literal(dashed.replace('-', ':'))
                : Optional.empty();
    }

    /** The records of the family asked among {@code ips}; other types, or none of the family: NODATA. */
    private Answer addresses(String name, int type, List<InetAddress> ips) {
        if (type != A && type != AAAA) {
            return nodata();
        }
        List<Record> records = ips.stream()
                .filter(ip -> type == A ? ip instanceof Inet4Address : ip instanceof Inet6Address)
                .distinct()
                .map(ip -> new Record(name, type, ttl, new Address(ip)))
                .toList();
        return records.isEmpty() ? nodata() : answered(records, List.of());
    }

    private static boolean headless(Service svc) {
        return "None".equals(svc.getSpec().getClusterIP());
    }

    private static List<InetAddress> clusterIps(Service svc) {
        List<String> ips = svc.getSpec().getClusterIPs() != null && !svc.getSpec().getClusterIPs().isEmpty()
                ? svc.getSpec().getClusterIPs()
                : svc.getSpec().getClusterIP() == null ? List.of() : List.of(svc.getSpec().getClusterIP());
        List<InetAddress> result = new ArrayList<>();
        for (String ip : ips) {
            literal(ip).ifPresent(result::add);
        }
        return result;
    }

    /** An endpoint address with its DNS name (hostname, else dashed IP) and its slice's ports. */
    private record Named(String name, InetAddress address, List<EndpointPort> ports) {
    }

    /** The endpoints DNS serves: ready ones, or all when the Service publishes not-ready addresses. */
    private List<Named> endpoints(Service svc) {
        boolean all = Boolean.TRUE.equals(svc.getSpec().getPublishNotReadyAddresses());
        Map<String, Named> result = new LinkedHashMap<>();
        for (EndpointSlice slice : catalog.slices(svc.getMetadata().getNamespace(), svc.getMetadata().getName())) {
            if ("FQDN".equals(slice.getAddressType())) {
                continue;
            }
            List<EndpointPort> ports = Objects.requireNonNullElse(slice.getPorts(), List.of());
            for (Endpoint e : Objects.requireNonNullElse(slice.getEndpoints(), List.<Endpoint>of())) {
                if (!ClusterServices.ready(e) && !all) {
                    continue;
                }
                for (String address : Objects.requireNonNullElse(e.getAddresses(), List.<String>of())) {
                    Optional<InetAddress> ip = literal(address);
                    if (ip.isEmpty()) {
                        continue;
                    }
                    String name = e.getHostname() != null && !e.getHostname().isEmpty()
                            ? e.getHostname().toLowerCase(Locale.ROOT) : dashed(ip.get());
                    result.merge(name + "/" + ip.get().getHostAddress(), new Named(name, ip.get(), ports),
                            (a, b) -> new Named(a.name(), a.address(), union(a.ports(), b.ports())));
                }
            }
        }
        return List.copyOf(result.values());
    }

    private static List<EndpointPort> union(List<EndpointPort> a, List<EndpointPort> b) {
        List<EndpointPort> all = new ArrayList<>(a);
        b.stream().filter(p -> !all.contains(p)).forEach(all::add);
        return all;
    }

    private static String dashed(InetAddress ip) {
        return ip.getHostAddress().replace('.', '-').replace(':', '-');
    }

    /** An IP literal, parsed here so that no text ever reaches a name lookup. */
    static Optional<InetAddress> literal(String ip) {
        if (ip == null) {
            return Optional.empty();
        }
        try {
            if (ip.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
                byte[] bytes = new byte[4];
                String[] parts = ip.split("\\.");
                for (int i = 0; i < 4; i++) {
                    int b = Integer.parseInt(parts[i]);
                    if (b > 255) {
                        return Optional.empty();
                    }
                    bytes[i] = (byte) b;
                }
                return Optional.of(InetAddress.getByAddress(bytes));
            }
            // with a colon, the JDK parses an IPv6 literal and looks nothing up; it fails on anything else
            return ip.contains(":") && ip.matches("[0-9a-fA-F:.]+") ? Optional.of(InetAddress.getByName(ip))
                    : Optional.empty();
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** A namespace is known to DNS when a Service lives in it (the agent follows no Namespaces). */
    private boolean namespaceExists(String namespace) {
        return catalog.services().stream().anyMatch(s -> namespace.equals(s.getMetadata().getNamespace()));
    }

    private Record soa() {
        return new Record(zone, SOA, ttl, new Soa("ns.dns." + zone, "hostmaster." + zone, serial, 7200, 1800, 86400, ttl));
    }

    private Answer answered(List<Record> answers, List<Record> additional) {
        return new Answer(NOERROR, answers, List.of(), additional);
    }

    private Answer nodata() {
        return new Answer(NOERROR, List.of(), List.of(soa()), List.of());
    }

    private Answer nxdomain() {
        return new Answer(NXDOMAIN, List.of(), List.of(soa()), List.of());
    }

    private static String normalize(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}

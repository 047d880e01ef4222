package io.kubus.agent.dns;

import io.fabric8.kubernetes.api.model.HostAlias;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodDNSConfig;
import io.fabric8.kubernetes.api.model.PodDNSConfigOption;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A pod's name and resolver files as the kubelet makes them: its hostname and domain (GeneratePodHostNameAndDomain,
 * setHostnameAsFQDN), its {@code /etc/resolv.conf} for its dnsPolicy merged with its dnsConfig and cut to the
 * kubelet's limits (pkg/kubelet/network/dns), and its {@code /etc/hosts} (managedHostsFileContent, hostAliases).
 */
public final class PodDns {
    /** The kubelet's limits on what it writes (it logs and cuts, since validation lets a host's own through). */
    static final int MAX_NAMESERVERS = 3;
    static final int MAX_SEARCHES = 32;
    static final int MAX_SEARCH_LINE = 2048;
    static final int MAX_SEARCH_LENGTH = 253;
    /** A Linux hostname is at most 64 characters; a pod's short hostname is cut to 63 (a DNS label). */
    static final int MAX_FQDN_HOSTNAME = 64;
    static final int MAX_HOSTNAME = 63;

    private final String clusterDnsIp;
    private final String clusterDomain;
    private final Supplier<ResolvConf> host;

    /**
     * @param clusterDnsIp  the kube-dns Service's ClusterIP (the kubelet's clusterDNS); empty: ClusterFirst pods get
     *                      the host's resolvers, as the kubelet falls back
     * @param clusterDomain e.g. {@code cluster.local}
     * @param host          the node's resolv.conf (the kubelet's --resolv-conf), read when a pod's files are made
     */
    public PodDns(String clusterDnsIp, String clusterDomain, Supplier<ResolvConf> host) {
        this.clusterDnsIp = clusterDnsIp;
        this.clusterDomain = clusterDomain;
        this.host = host;
    }

    /** A pod's hostname and, with a subdomain, its domain ({@code <subdomain>.<ns>.svc.<cluster domain>}). */
    public record Names(String hostname, String domain) {
        public String fqdn() {
            return domain.isEmpty() ? hostname : hostname + "." + domain;
        }
    }

    public Names names(Pod pod) {
        String hostname = pod.getSpec().getHostname() == null || pod.getSpec().getHostname().isEmpty()
                ? pod.getMetadata().getName() : pod.getSpec().getHostname();
        if (hostname.length() > MAX_HOSTNAME) {
            // as the kubelet: cut, and never end on a separator
            hostname = hostname.substring(0, MAX_HOSTNAME).replaceAll("[-.]+$", "");
        }
        String subdomain = pod.getSpec().getSubdomain();
        String domain = subdomain == null || subdomain.isEmpty() ? ""
                : subdomain + "." + pod.getMetadata().getNamespace() + ".svc." + clusterDomain;
        return new Names(hostname, domain);
    }

    /**
     * The hostname the pod's containers see: the short name, or with setHostnameAsFQDN and a subdomain the FQDN.
     *
     * @throws IllegalArgumentException when that FQDN is longer than a hostname can be (the kubelet's error)
     */
    public String hostname(Pod pod) {
        Names names = names(pod);
        if (!Boolean.TRUE.equals(pod.getSpec().getSetHostnameAsFQDN()) || names.domain().isEmpty()) {
            return names.hostname();
        }
        String fqdn = names.fqdn();
        if (fqdn.length() > MAX_FQDN_HOSTNAME) {
            throw new IllegalArgumentException("failed to construct FQDN from pod hostname and cluster domain, FQDN "
                    + fqdn + " is too long (" + MAX_FQDN_HOSTNAME + " characters is the max, " + fqdn.length()
                    + " characters requested)");
        }
        return fqdn;
    }

    /** The pod's resolv.conf. */
    public ResolvConf resolvConf(Pod pod) {
        String policy = Objects.requireNonNullElse(pod.getSpec().getDnsPolicy(), "ClusterFirst");
        boolean hostNetwork = Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
        ResolvConf conf;
        if (policy.equals("None")) {
            conf = new ResolvConf(List.of(), List.of(), List.of());
        } else {
            ResolvConf node = host.get();
            boolean cluster = policy.equals("ClusterFirstWithHostNet") || (policy.equals("ClusterFirst") && !hostNetwork);
            if (cluster && !clusterDnsIp.isEmpty()) {
                List<String> searches = new ArrayList<>();
                if (!clusterDomain.isEmpty()) {
                    searches.addAll(List.of(pod.getMetadata().getNamespace() + ".svc." + clusterDomain,
                            "svc." + clusterDomain, clusterDomain));
                }
                searches.addAll(node.searches());
                conf = new ResolvConf(List.of(clusterDnsIp), distinct(searches), List.of("ndots:5"));
            } else {
                conf = node; // Default, ClusterFirst on the host's network, or no cluster DNS known
            }
        }
        PodDNSConfig extra = pod.getSpec().getDnsConfig();
        if (extra != null) {
            List<String> nameservers = new ArrayList<>(conf.nameservers());
            nameservers.addAll(Objects.requireNonNullElse(extra.getNameservers(), List.of()));
            List<String> searches = new ArrayList<>(conf.searches());
            searches.addAll(Objects.requireNonNullElse(extra.getSearches(), List.of()));
            conf = new ResolvConf(distinct(nameservers), distinct(searches), mergeOptions(conf.options(),
                    Objects.requireNonNullElse(extra.getOptions(), List.of())));
        }
        return new ResolvConf(conf.nameservers().stream().limit(MAX_NAMESERVERS).toList(), fitSearches(conf.searches()),
                conf.options());
    }

    /** The pod's options by name, a pod's own replacing the policy's (name, or name:value). */
    private static List<String> mergeOptions(List<String> existing, List<PodDNSConfigOption> pods) {
        Map<String, String> options = new LinkedHashMap<>();
        for (String o : existing) {
            int colon = o.indexOf(':');
            options.put(colon < 0 ? o : o.substring(0, colon), colon < 0 ? "" : o.substring(colon + 1));
        }
        for (PodDNSConfigOption o : pods) {
            options.put(o.getName(), Objects.requireNonNullElse(o.getValue(), ""));
        }
        List<String> result = new ArrayList<>();
        options.forEach((name, value) -> result.add(value.isEmpty() ? name : name + ":" + value));
        return result;
    }

    /** The kubelet's cut: 32 domains, none longer than 253, the line at most 2048 characters (cut from the end). */
    private static List<String> fitSearches(List<String> searches) {
        List<String> fit = new ArrayList<>(searches.stream().limit(MAX_SEARCHES)
                .filter(s -> s.length() <= MAX_SEARCH_LENGTH).toList());
        while (!fit.isEmpty() && String.join(" ", fit).length() > MAX_SEARCH_LINE) {
            fit.removeLast();
        }
        return fit;
    }

    private static List<String> distinct(List<String> values) {
        return List.copyOf(new LinkedHashSet<>(values));
    }

    /** The pod's /etc/hosts, byte for byte as the kubelet writes it. */
    public String hosts(Pod pod, List<String> podIps) {
        Names names = names(pod);
        StringBuilder b = new StringBuilder("# Kubernetes-managed hosts file.\n")
                .append("127.0.0.1\tlocalhost\n")
                .append("::1\tlocalhost ip6-localhost ip6-loopback\n")
                .append("fe00::0\tip6-localnet\n")
                .append("fe00::0\tip6-mcastprefix\n")
                .append("fe00::1\tip6-allnodes\n")
                .append("fe00::2\tip6-allrouters\n");
        for (String ip : podIps) {
            if (names.domain().isEmpty()) {
                b.append(ip).append('\t').append(names.hostname()).append('\n');
            } else {
                b.append(ip).append('\t').append(names.fqdn()).append('\t').append(names.hostname()).append('\n');
            }
        }
        List<HostAlias> aliases = Objects.requireNonNullElse(pod.getSpec().getHostAliases(), List.of());
        if (!aliases.isEmpty()) {
            b.append("\n# Entries added by HostAliases.\n");
            for (HostAlias alias : aliases) {
                b.append(alias.getIp()).append('\t')
                        .append(String.join("\t", Objects.requireNonNullElse(alias.getHostnames(), List.of())))
                        .append('\n');
            }
        }
        return b.toString();
    }
}

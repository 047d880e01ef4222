package io.kubus.agent.dns;

import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Where the node's DNS server listens: this machine's own address inside the pod network, which the pods reach (on
 * the host, the Docker bridge's gateway; in a container, the container's address on its network).
 */
public final class LocalAddress {
    private LocalAddress() {
    }

    /** The first address of a local interface that lies in one of {@code subnets} (CIDRs), IPv4 first. */
    public static Optional<InetAddress> inSubnets(List<String> subnets) {
        List<NetworkInterface> interfaces;
        try {
            interfaces = Collections.list(NetworkInterface.getNetworkInterfaces());
        } catch (SocketException e) {
            return Optional.empty();
        }
        for (String subnet : subnets) {
            for (NetworkInterface nic : interfaces) {
                for (InterfaceAddress a : nic.getInterfaceAddresses()) {
                    if (contains(subnet, a.getAddress())) {
                        return Optional.of(a.getAddress());
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** Whether {@code ip} lies in {@code cidr} ({@code 172.17.0.0/16}). */
    static boolean contains(String cidr, InetAddress ip) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            return false;
        }
        Optional<InetAddress> network = ClusterZone.literal(cidr.substring(0, slash));
        if (network.isEmpty()) {
            return false;
        }
        byte[] net = network.get().getAddress();
        byte[] addr = ip.getAddress();
        if (net.length != addr.length) {
            return false;
        }
        int bits = Integer.parseInt(cidr.substring(slash + 1));
        for (int i = 0; i < net.length && bits > 0; i++, bits -= 8) {
            int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if ((net[i] & mask) != (addr[i] & mask)) {
                return false;
            }
        }
        return true;
    }
}

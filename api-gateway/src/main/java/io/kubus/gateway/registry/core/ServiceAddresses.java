package io.kubus.gateway.registry.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.api.ApiException;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.schema.ResourceTypes;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Gives a new Service its cluster IP (from 10.96.0.0/12, kube-apiserver's default range) and node ports (30000-32767),
 * as kube-apiserver's allocators do. Runs inside the create's transaction, where the store's writer lock keeps two
 * creates from taking the same address.
 */
public final class ServiceAddresses {
    private static final long RANGE_START = ipToLong("10.96.0.0");
    private static final int RANGE_SIZE = 1 << 20;
    private static final int NODE_PORT_MIN = 30000;
    private static final int NODE_PORT_MAX = 32767;

    /** The range's first address, the {@code kubernetes} Service's, never given to another Service by chance. */
    public static final String KUBERNETES_SERVICE_IP = longToIp(RANGE_START + 1);

    private ServiceAddresses() {
    }

    public static void assign(ObjectNode service, String name, ObjectStore store) {
        ObjectNode spec = (ObjectNode) service.with("spec");
        String type = spec.path("type").asText("ClusterIP");
        if (type.equals("ExternalName")) {
            return;
        }
        Set<String> usedIps = new HashSet<>();
        Set<Integer> usedPorts = new HashSet<>();
        for (ObjectNode s : store.list(ResourceTypes.SERVICES, null).items()) {
            usedIps.add(s.path("spec").path("clusterIP").asText(""));
            for (JsonNode p : s.path("spec").path("ports")) {
                usedPorts.add(p.path("nodePort").asInt(0));
            }
        }
        String ip = spec.path("clusterIP").asText("");
        if (ip.isEmpty()) {
            ip = freeIp(usedIps);
        } else if (!ip.equals("None")) {
            long n = ipToLongOrNegative(ip);
            if (n < RANGE_START || n >= RANGE_START + RANGE_SIZE) {
                throw invalid(name, "spec.clusterIP", "Invalid value: \"" + ip
                        + "\": provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/12");
            }
            if (usedIps.contains(ip)) {
                throw invalid(name, "spec.clusterIP", "Invalid value: \"" + ip + "\": provided IP is already allocated");
            }
        }
        spec.put("clusterIP", ip);
        ArrayNode ips = spec.putArray("clusterIPs");
        ips.add(ip);
        if (!spec.has("ipFamilies") && !ip.equals("None")) {
            spec.putArray("ipFamilies").add("IPv4");
            spec.put("ipFamilyPolicy", "SingleStack");
        }
        if (type.equals("NodePort") || type.equals("LoadBalancer")) {
            int i = 0;
            for (JsonNode p : spec.path("ports")) {
                int port = p.path("nodePort").asInt(0);
                if (port == 0) {
                    ((ObjectNode) p).put("nodePort", freePort(usedPorts));
                } else if (port < NODE_PORT_MIN || port > NODE_PORT_MAX) {
                    throw invalid(name, "spec.ports[" + i + "].nodePort", "Invalid value: " + port
                            + ": provided port is not in the valid range. The range of valid ports is 30000-32767");
                } else if (!usedPorts.add(port)) {
                    throw invalid(name, "spec.ports[" + i + "].nodePort", "Invalid value: " + port
                            + ": provided port is already allocated");
                }
                usedPorts.add(((ObjectNode) p).path("nodePort").asInt());
                i++;
            }
        }
    }

    private static String freeIp(Set<String> used) {
        // Random probing as kube-apiserver's bitmap allocator does; the first and last address are reserved, and
        // the kubernetes Service's is kept for it.
        for (int attempt = 0; attempt < 10_000; attempt++) {
            long n = RANGE_START + 2 + ThreadLocalRandom.current().nextInt(RANGE_SIZE - 3);
            String ip = longToIp(n);
            if (!used.contains(ip)) {
                return ip;
            }
        }
        throw ApiException.internal("failed to allocate a serviceIP: range is full");
    }

    private static int freePort(Set<Integer> used) {
        for (int attempt = 0; attempt < 10_000; attempt++) {
            int port = NODE_PORT_MIN + ThreadLocalRandom.current().nextInt(NODE_PORT_MAX - NODE_PORT_MIN + 1);
            if (used.add(port)) {
                return port;
            }
        }
        throw ApiException.internal("failed to allocate a nodePort: range is full");
    }

    private static ApiException invalid(String name, String field, String message) {
        return ApiException.invalid(ResourceTypes.SERVICES, name, List.of(ApiException.cause("FieldValueInvalid", field, message)));
    }

    private static long ipToLong(String ip) {
        long n = ipToLongOrNegative(ip);
        if (n < 0) {
            throw new IllegalArgumentException(ip);
        }
        return n;
    }

    private static long ipToLongOrNegative(String ip) {
        String[] parts = ip.split("\\.");
        if (parts.length != 4) {
            return -1;
        }
        long n = 0;
        for (String p : parts) {
            try {
                int v = Integer.parseInt(p);
                if (v < 0 || v > 255) {
                    return -1;
                }
                n = n * 256 + v;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return n;
    }

    private static String longToIp(long n) {
        return ((n >> 24) & 255) + "." + ((n >> 16) & 255) + "." + ((n >> 8) & 255) + "." + (n & 255);
    }
}

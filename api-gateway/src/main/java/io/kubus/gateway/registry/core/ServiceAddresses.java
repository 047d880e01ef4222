package io.kubus.gateway.registry.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.api.ApiException;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.GoQuote;
import io.kubus.schema.validation.IpAddresses;
import io.micronaut.core.annotation.Nullable;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import static io.kubus.gateway.registry.JsonTree.texts;

/**
 * Gives a Service its cluster IP (from 10.96.0.0/12, kube-apiserver's default --service-cluster-ip-range) and node
 * ports (30000-32767, the default --service-node-port-range), as kube-apiserver's allocators do, with their refusals.
 * Runs inside the write's transaction, where the store's writer lock keeps two writes from taking the same address.
 */
public final class ServiceAddresses {
    private static final String IP_RANGE = "10.96.0.0/12";
    private static final long RANGE_START = 10L << 24 | 96L << 16;
    private static final int RANGE_SIZE = 1 << 20;
    private static final int NODE_PORT_MIN = 30000;
    private static final int NODE_PORT_MAX = 32767;

    /** The range's first address, the {@code kubernetes} Service's, never given to another Service by chance. */
    public static final String KUBERNETES_SERVICE_IP = longToIp(RANGE_START + 1);

    private ServiceAddresses() {
    }

    /**
     * Allocates what {@code service} needs and {@code old} (null on create) did not hold: a cluster IP when it gets one
     * for the first time, node ports for new or changed ports of a NodePort or LoadBalancer Service, and a health
     * check node port for a LoadBalancer with externalTrafficPolicy Local. Addresses in {@code reserved} (the
     * kube-dns Service's) are never given by chance; a Service may still ask for one by name.
     */
    public static void allocate(ObjectNode service, @Nullable ObjectNode old, ObjectStore store, Set<String> reserved) {
        ObjectNode spec = (ObjectNode) service.with("spec");
        String type = spec.path("type").asText("ClusterIP");
        if (type.equals("ExternalName")) {
            return;
        }
        String name = service.path("metadata").path("name").asText();
        String namespace = service.path("metadata").path("namespace").asText();
        Set<String> usedIps = new HashSet<>();
        Set<Integer> usedPorts = new HashSet<>();
        for (ObjectNode s : store.list(ResourceTypes.SERVICES, null).items()) {
            JsonNode meta = s.path("metadata");
            if (old != null && meta.path("name").asText().equals(name) && meta.path("namespace").asText().equals(namespace)) {
                continue;
            }
            s.path("spec").path("clusterIPs").forEach(ip -> usedIps.add(ip.asText()));
            usedPorts.addAll(nodePorts(s));
        }
        boolean hadIp = old != null && !old.path("spec").path("type").asText().equals("ExternalName");
        if (!hadIp) {
            clusterIp(spec, name, usedIps, reserved);
        }
        Set<Integer> held = old == null ? Set.of() : nodePorts(old);
        if (type.equals("NodePort") || type.equals("LoadBalancer")) {
            nodePorts(spec, name, held, usedPorts);
        }
        if (type.equals("LoadBalancer") && spec.path("externalTrafficPolicy").asText().equals("Local")
                && spec.path("healthCheckNodePort").asInt(0) == 0) {
            spec.put("healthCheckNodePort", freePort(usedPorts));
        }
    }

    private static void clusterIp(ObjectNode spec, String name, Set<String> used, Set<String> reserved) {
        String ip = spec.path("clusterIP").asText("");
        if (ip.equals("None")) {
            return;
        }
        if (ip.isEmpty()) {
            Set<String> unavailable = new HashSet<>(used);
            unavailable.addAll(reserved);
            ip = freeIp(unavailable);
        } else {
            // allocIPs: the refusal names the whole clusterIPs list, as kube-apiserver's does
            ErrorList.GoValue value = new ErrorList.GoValue(GoQuote.stringSlice(texts(spec.path("clusterIPs"))));
            byte[] v4 = IpAddresses.ipv4Bytes(ip);
            if (v4 == null) {
                throw invalid(name, "spec.clusterIPs[0]", value, "IPv6 is not configured on this cluster");
            }
            String canonical = (v4[0] & 255) + "." + (v4[1] & 255) + "." + (v4[2] & 255) + "." + (v4[3] & 255);
            if (!IpAddresses.parseCidr(IP_RANGE).orElseThrow().contains(v4)) {
                throw invalid(name, "spec.clusterIPs", value, "failed to allocate IP " + ip + ": the provided IP ("
                        + canonical + ") is not in the valid range. The range of valid IPs is " + IP_RANGE);
            }
            if (used.contains(ip) || used.contains(canonical)) {
                throw invalid(name, "spec.clusterIPs", value, "failed to allocate IP " + ip + ": provided IP is already allocated");
            }
        }
        spec.put("clusterIP", ip);
        spec.putArray("clusterIPs").add(ip);
        if (!spec.has("ipFamilies")) {
            spec.putArray("ipFamilies").add("IPv4");
        }
        if (!spec.has("ipFamilyPolicy")) {
            spec.put("ipFamilyPolicy", "SingleStack");
        }
    }

    /**
     * initNodePorts and updateNodePorts: a port given a node port takes it unless the Service already held it; one
     * without takes the node port of an earlier port with the same number, else a free one.
     */
    private static void nodePorts(ObjectNode spec, String name, Set<Integer> held, Set<Integer> used) {
        Map<Integer, Integer> byPort = new HashMap<>();
        Set<Integer> taken = new HashSet<>();
        int i = 0;
        for (JsonNode p : spec.path("ports")) {
            ObjectNode port = (ObjectNode) p;
            int nodePort = port.path("nodePort").asInt(0);
            if (nodePort == 0) {
                nodePort = byPort.getOrDefault(port.path("port").asInt(), 0);
                if (nodePort == 0) {
                    nodePort = freePort(used);
                }
            } else if (!held.contains(nodePort) && !taken.contains(nodePort)) {
                String field = "spec.ports[" + i + "].nodePort";
                if (nodePort < NODE_PORT_MIN || nodePort > NODE_PORT_MAX) {
                    throw invalid(name, field, nodePort, "provided port is not in the valid range. The range of valid ports is "
                            + NODE_PORT_MIN + "-" + NODE_PORT_MAX);
                }
                if (!used.add(nodePort)) {
                    throw invalid(name, field, nodePort, "provided port is already allocated");
                }
            }
            port.put("nodePort", nodePort);
            taken.add(nodePort);
            byPort.putIfAbsent(port.path("port").asInt(), nodePort);
            i++;
        }
    }

    /** The node ports a stored Service holds: its ports' and its health check's. */
    private static Set<Integer> nodePorts(JsonNode service) {
        Set<Integer> ports = new HashSet<>();
        for (JsonNode p : service.path("spec").path("ports")) {
            ports.add(p.path("nodePort").asInt(0));
        }
        ports.add(service.path("spec").path("healthCheckNodePort").asInt(0));
        ports.remove(0);
        return ports;
    }

    /** Whether {@code ip} is an IPv4 address of the service range. */
    public static boolean inRange(String ip) {
        byte[] v4 = IpAddresses.ipv4Bytes(ip);
        return v4 != null && IpAddresses.parseCidr(IP_RANGE).orElseThrow().contains(v4);
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

    private static ApiException invalid(String name, String field, Object value, String detail) {
        ErrorList errs = new ErrorList();
        errs.invalid(field, value, detail);
        return ApiException.invalid(ResourceTypes.SERVICES.group(), ResourceTypes.SERVICES.kind(), name, errs.problems());
    }

    private static String longToIp(long n) {
        return ((n >> 24) & 255) + "." + ((n >> 16) & 255) + "." + ((n >> 8) & 255) + "." + (n & 255);
    }
}

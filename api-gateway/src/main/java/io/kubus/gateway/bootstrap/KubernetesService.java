package io.kubus.gateway.bootstrap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.config.GatewaySettings;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.core.ServiceAddresses;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.store.WriteOutcome;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Clock;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * kube-apiserver's kubernetesservice controller and endpoint reconciler: the {@code kubernetes} Service in
 * {@code default} (the service range's first address, port {@code https} 443 to the API's port, no selector) and
 * its Endpoints and EndpointSlice with this gateway's advertised address, made or repaired once the API listens and
 * every {@code kubus.gateway.kubernetes-service-interval} after. Written through the store as the other bootstrap
 * objects are. With several gateways each adds its own address; at its start a gateway's address replaces the
 * others (kube-apiserver's lease reconciler drops a gone server's after its lease expires; Kubus has no such lease
 * yet, so a gateway that left stays listed until another starts).
 */
@Singleton
@Requires(env = GatewayApplication.ENVIRONMENT)
public class KubernetesService implements ApplicationEventListener<ServerStartupEvent> {
    static final String NAME = "kubernetes";
    static final String NAMESPACE = "default";
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesService.class);

    private final ObjectStore store;
    private final SystemService system;
    private final GatewaySettings settings;
    private final String host;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("kubernetes-service").factory());

    public KubernetesService(ObjectStore store, GatewaySettings settings, Clock clock,
                             @Nullable @Value("${micronaut.server.host}") String host) {
        this.store = store;
        this.system = new SystemService(store, clock);
        this.settings = settings;
        this.host = host;
    }

    @Override
    public void onApplicationEvent(ServerStartupEvent event) {
        String address = advertiseAddress();
        int port = event.getSource().getPort();
        LOG.info("the kubernetes Service's endpoints: {}:{}", address, port);
        // at once, before the server counts as started: /readyz then finds the Service there, and no test that
        // takes the store's version after start sees it move
        reconcile(address, port, true);
        long every = settings.getKubernetesServiceInterval().toMillis();
        timer.scheduleWithFixedDelay(() -> reconcile(address, port, false), every, every, TimeUnit.MILLISECONDS);
    }

    private void reconcile(String address, int port, boolean replace) {
        try {
            ensureService(port);
            ensureEndpoints(address, port, replace);
            ensureSlice(address, port, replace);
        } catch (RuntimeException e) {
            LOG.warn("could not reconcile the kubernetes Service: {}", e.toString());
        }
    }

    /** CreateOrUpdateMasterServiceIfNeeded. */
    private void ensureService(int port) {
        ObjectNode ports = JsonTree.F.objectNode();
        ports.putArray("ports").addObject().put("name", "https").put("protocol", "TCP").put("port", 443)
                .put("targetPort", port);
        system.ensure(NAMESPACE, NAME, ServiceAddresses.KUBERNETES_SERVICE_IP,
                Map.of("component", "apiserver", "provider", "kubernetes"), ports.get("ports"));
    }

    /** One subset of the gateways' addresses on the API's port; mirroring skips it, as kube's reconciler marks it. */
    private void ensureEndpoints(String address, int port, boolean replace) {
        write(ResourceTypes.ENDPOINTS, replace, current -> {
            ObjectNode ep = current != null ? current.deepCopy() : object(ResourceTypes.ENDPOINTS);
            ObjectNode meta = (ObjectNode) ep.get("metadata");
            meta.putObject("labels").put("endpointslice.kubernetes.io/skip-mirror", "true");
            ArrayNode addresses = addresses(current == null || replace ? null
                    : current.path("subsets").path(0).path("addresses"), "ip", address);
            ObjectNode subset = ep.putArray("subsets").addObject();
            subset.set("addresses", addresses);
            subset.putArray("ports").addObject().put("name", "https").put("port", port).put("protocol", "TCP");
            return ep;
        });
    }

    private void ensureSlice(String address, int port, boolean replace) {
        write(ResourceTypes.ENDPOINTSLICES, replace, current -> {
            ObjectNode slice = current != null ? current.deepCopy() : object(ResourceTypes.ENDPOINTSLICES);
            ((ObjectNode) slice.get("metadata")).putObject("labels").put("kubernetes.io/service-name", NAME);
            slice.put("addressType", "IPv4");
            ArrayNode endpoints = slice.putArray("endpoints");
            for (JsonNode ip : addresses(current == null || replace ? null : current.path("endpoints"), "addresses", address)) {
                ObjectNode e = endpoints.addObject();
                e.putArray("addresses").add(ip.path("addresses").path(0).asText());
                e.putObject("conditions").put("ready", true);
            }
            slice.putArray("ports").addObject().put("name", "https").put("port", port).put("protocol", "TCP");
            return slice;
        });
    }

    /**
     * The addresses listed before (none when replacing) with this gateway's added when missing, as a list of
     * objects naming it under {@code field}.
     */
    private static ArrayNode addresses(@Nullable JsonNode before, String field, String address) {
        ArrayNode list = JsonTree.F.arrayNode();
        boolean listed = false;
        if (before != null) {
            for (JsonNode a : before) {
                JsonNode value = a.path(field);
                String ip = value.isArray() ? value.path(0).asText() : value.asText();
                listed |= ip.equals(address);
                list.add(a.deepCopy());
            }
        }
        if (!listed) {
            ObjectNode own = list.addObject();
            if (field.equals("ip")) {
                own.put("ip", address);
            } else {
                own.putArray(field).add(address);
            }
        }
        return list;
    }

    /** Writes what {@code desired} makes of the current object, when that differs. */
    private void write(ResourceType type, boolean replace, UnaryOperator<ObjectNode> desired) {
        store.write(type, NAMESPACE, NAME, current -> {
            ObjectNode next = desired.apply(current);
            return current != null && next.equals(current) ? WriteOutcome.keep() : WriteOutcome.put(next);
        });
    }

    private ObjectNode object(ResourceType type) {
        return system.object(type, NAMESPACE, NAME);
    }

    /** kube-apiserver's --advertise-address default: the bind address, unless that is every interface. */
    String advertiseAddress() {
        if (settings.getAdvertiseAddress() != null && !settings.getAdvertiseAddress().isBlank()) {
            return settings.getAdvertiseAddress();
        }
        if (host != null && !host.isBlank() && !host.equals("0.0.0.0") && !host.equals("::")) {
            return host;
        }
        return firstInterfaceAddress().orElse("127.0.0.1");
    }

    private static Optional<String> firstInterfaceAddress() {
        try {
            return NetworkInterface.networkInterfaces()
                    .filter(i -> {
                        try {
                            return i.isUp() && !i.isLoopback();
                        } catch (SocketException e) {
                            return false;
                        }
                    })
                    .sorted(Comparator.comparingInt(NetworkInterface::getIndex))
                    .flatMap(NetworkInterface::inetAddresses)
                    .filter(a -> a instanceof Inet4Address && !a.isLinkLocalAddress())
                    .map(InetAddress::getHostAddress)
                    .filter(Objects::nonNull)
                    .findFirst();
        } catch (SocketException e) {
            return Optional.empty();
        }
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }
}

package io.kubus.controllers.servicelb;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.kubus.client.api.KubusApi;
import io.kubus.client.controller.Controller;
import io.kubus.client.controller.Reconciler;
import io.kubus.client.informer.Informer;
import io.kubus.client.informer.SharedInformers;
import io.kubus.client.record.EventRecorder;
import io.kubus.controllers.ControllersApplication;
import io.kubus.controllers.common.NodeStates;
import io.kubus.controllers.manager.ControllersSettings;
import io.kubus.controllers.manager.ManagedController;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A load balancer for a cluster without a cloud, as k3s's ServiceLB: a {@code LoadBalancer} Service (of no other
 * {@code loadBalancerClass}) is reached on its port at the addresses of the Ready nodes, which the node agents' service
 * proxies forward like a NodePort; this controller writes those addresses into {@code status.loadBalancer.ingress}, so
 * EXTERNAL-IP is never {@code <pending>} while a node is up. A node's ExternalIP is preferred to its InternalIP, as
 * k3s does. As with k3s, whose per-Service pods take the port as a host port, one port (and protocol) serves one
 * Service: a Service that asks for a port an older LoadBalancer Service holds stays pending, with a warning event.
 */
@Singleton
@Requires(env = ControllersApplication.ENVIRONMENT)
public final class ServiceLoadBalancerController implements Reconciler, ManagedController {
    static final String NAME = "service-lb";

    private final Informer<Service> services;
    private final Informer<Node> nodes;
    private final KubusApi api;
    private final EventRecorder events;
    private final Controller controller;
    private final Set<String> warned = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public ServiceLoadBalancerController(SharedInformers informers, KubusApi api, EventRecorder events,
                                         ControllersSettings settings) {
        this.services = informers.informer(ResourceTypes.SERVICES, Service.class);
        this.nodes = informers.informer(ResourceTypes.NODES, Node.class);
        this.api = api;
        this.events = events;
        this.controller = settings.newController(NAME, this);
        controller.primary(services);
        // a node that comes, goes or changes readiness or address changes every balanced Service's addresses
        controller.watch(nodes, n -> balanced().stream().map(Informer::keyOf).toList());
        // a balanced Service that goes or changes frees its ports for the others
        controller.watch(services, s -> balanced().stream().map(Informer::keyOf).toList());
    }

    @Override
    public Controller controller() {
        return controller;
    }

    @Override
    public Result reconcile(String key) {
        Optional<Service> cached = services.get(key);
        if (cached.isEmpty()) {
            warned.removeIf(w -> w.startsWith(key + "@"));
            return Result.done();
        }
        Service service = cached.get();
        List<LoadBalancerIngress> current = Optional.ofNullable(service.getStatus())
                .map(s -> s.getLoadBalancer()).map(lb -> lb.getIngress()).orElse(List.of());
        if (!isBalanced(service)) {
            // k3s clears what it wrote when a Service stops being its LoadBalancer; another class's status is theirs
            if (service.getSpec() != null && service.getSpec().getLoadBalancerClass() == null && !current.isEmpty()) {
                write(service, List.of());
            }
            return Result.done();
        }
        Optional<Service> holder = portHolder(service);
        List<LoadBalancerIngress> desired = holder.isPresent() ? List.of() : ingress(service);
        // one warning per generation of a waiting Service, not one per node heartbeat
        String generation = key + "@" + service.getMetadata().getGeneration();
        if (holder.isEmpty()) {
            warned.remove(generation);
        } else if (warned.add(generation)) {
            events.warning(service, "PortInUse", "Port " + clash(service, holder.get()) + " is used by LoadBalancer Service "
                    + Informer.keyOf(holder.get()) + "; waiting until it is free");
        }
        if (!desired.equals(current)) {
            write(service, desired);
        }
        return Result.done();
    }

    private void write(Service service, List<LoadBalancerIngress> ingress) {
        Service next = new ServiceBuilder(service).editOrNewStatus().withNewLoadBalancer().withIngress(ingress)
                .endLoadBalancer().endStatus().build();
        api.updateStatus(ResourceTypes.SERVICES, next); // a conflict: the cache lags, the queue tries again
    }

    private static boolean isBalanced(Service service) {
        return service.getMetadata().getDeletionTimestamp() == null && service.getSpec() != null
                && "LoadBalancer".equals(service.getSpec().getType()) && service.getSpec().getLoadBalancerClass() == null;
    }

    private List<Service> balanced() {
        return services.list().stream().filter(ServiceLoadBalancerController::isBalanced).toList();
    }

    /** The older balanced Service holding one of this one's ports, if any (older: created first, then by key). */
    private Optional<Service> portHolder(Service service) {
        Comparator<Service> age = Comparator.comparing((Service s) -> Objects.requireNonNullElse(
                s.getMetadata().getCreationTimestamp(), "")).thenComparing(Informer::keyOf);
        return balanced().stream()
                .filter(other -> age.compare(other, service) < 0 && clash(service, other) != null)
                .min(age);
    }

    /** A port and protocol both Services balance, as {@code 80/TCP}, or null. */
    private static String clash(Service a, Service b) {
        Set<String> theirs = ports(b);
        return ports(a).stream().filter(theirs::contains).findFirst().orElse(null);
    }

    private static Set<String> ports(Service service) {
        Set<String> ports = new TreeSet<>();
        for (ServicePort p : Objects.requireNonNullElse(service.getSpec().getPorts(), List.<ServicePort>of())) {
            ports.add(p.getPort() + "/" + Objects.requireNonNullElse(p.getProtocol(), "TCP"));
        }
        return ports;
    }

    /** The Ready nodes' addresses of the Service's families, each once, in order. */
    private List<LoadBalancerIngress> ingress(Service service) {
        List<String> families = Objects.requireNonNullElse(service.getSpec().getIpFamilies(), List.of("IPv4"));
        Set<String> ips = new TreeSet<>();
        for (Node node : nodes.list()) {
            if (node.getMetadata().getDeletionTimestamp() != null || !NodeStates.isReady(node)) {
                continue;
            }
            address(node, "ExternalIP").or(() -> address(node, "InternalIP"))
                    .filter(ip -> families.contains(ip.contains(":") ? "IPv6" : "IPv4"))
                    .ifPresent(ips::add);
        }
        List<LoadBalancerIngress> ingress = new ArrayList<>();
        for (String ip : ips) {
            ingress.add(new LoadBalancerIngressBuilder().withIp(ip).withIpMode("VIP").build());
        }
        return ingress;
    }

    private static Optional<String> address(Node node, String type) {
        return Objects.requireNonNullElse(node.getStatus().getAddresses(), List.<NodeAddress>of()).stream()
                .filter(a -> type.equals(a.getType())).map(NodeAddress::getAddress).findFirst();
    }
}

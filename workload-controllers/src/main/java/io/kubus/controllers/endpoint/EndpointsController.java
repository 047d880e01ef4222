package io.kubus.controllers.endpoint;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointAddressBuilder;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.kubus.client.api.KubusApi;
import io.kubus.client.api.KubusApiException;
import io.kubus.client.controller.Controller;
import io.kubus.client.controller.Reconciler;
import io.kubus.client.informer.Index;
import io.kubus.client.informer.Informer;
import io.kubus.client.informer.SharedInformers;
import io.kubus.client.record.EventRecorder;
import io.kubus.controllers.ControllersApplication;
import io.kubus.controllers.common.PodStates;
import io.kubus.controllers.common.ServicePods;
import io.kubus.controllers.manager.ControllersSettings;
import io.kubus.controllers.manager.ManagedController;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * Kubernetes' endpoints controller (pkg/controller/endpoint), one reconcile per Service: the Endpoints of the same
 * name list the addresses of the pods its selector selects, ready ones in {@code addresses} and the others in
 * {@code notReadyAddresses} (all in addresses with {@code publishNotReadyAddresses}), each with the ports of the
 * Service resolved on that pod, pods of the same resolved ports in one subset (RepackSubsets). Terminating pods and
 * pods without an address are left out. The Endpoints carry the Service's labels, and {@code
 * service.kubernetes.io/headless} for a headless Service; they go when the Service goes. A Service without a selector
 * (or an ExternalName) is left to its user. Level-triggered on Services, pods (to the Services that select them) and
 * Endpoints.
 */
@Singleton
@Requires(env = ControllersApplication.ENVIRONMENT)
public final class EndpointsController implements Reconciler, ManagedController {
    static final String NAME = "endpoint";

    private final Informer<Service> services;
    private final Informer<Pod> pods;
    private final Informer<Endpoints> endpoints;
    private final KubusApi api;
    private final EventRecorder events;
    private final Controller controller;

    public EndpointsController(SharedInformers informers, KubusApi api, EventRecorder events,
                               ControllersSettings settings) {
        this.services = informers.informer(ResourceTypes.SERVICES, Service.class).addIndex(Index.NAMESPACE);
        this.pods = informers.informer(ResourceTypes.PODS, Pod.class).addIndex(Index.NAMESPACE);
        this.endpoints = informers.informer(ResourceTypes.ENDPOINTS, Endpoints.class);
        this.api = api;
        this.events = events;
        this.controller = settings.newController(NAME, this);
        controller.primary(services);
        controller.watch(pods, pod -> ServicePods.servicesSelecting(services, pod));
        // Managed Endpoints changed or deleted by someone else are put right; Endpoints without a Service are only
        // looked at on taking the lead (below), so that a user's Endpoints made before their Service stay.
        controller.watch(endpoints, e -> services.get(Informer.keyOf(e)).isPresent() ? List.of(Informer.keyOf(e)) : List.of());
    }

    @Override
    public Controller controller() {
        return controller;
    }

    /** checkLeftoverEndpoints: Endpoints whose Service went while no controller ran are deleted now. */
    @Override
    public void onStartedLeading() {
        for (String key : endpoints.keys()) {
            if (services.get(key).isEmpty()) {
                controller.enqueue(key);
            }
        }
    }

    @Override
    public Result reconcile(String key) {
        Optional<Service> cached = services.get(key);
        if (cached.isEmpty()) {
            int slash = key.indexOf('/');
            api.deleteIfExists(ResourceTypes.ENDPOINTS, key.substring(0, slash), key.substring(slash + 1), null, null);
            return Result.done();
        }
        Service service = cached.get();
        if (service.getMetadata().getDeletionTimestamp() != null || !ServicePods.hasManagedEndpoints(service)) {
            return Result.done();
        }
        List<EndpointSubset> subsets = subsets(service);
        Map<String, String> labels = new TreeMap<>(Objects.requireNonNullElse(service.getMetadata().getLabels(), Map.of()));
        if (ServicePods.isHeadless(service)) {
            labels.put(ServicePods.HEADLESS_LABEL, "");
        } else {
            labels.remove(ServicePods.HEADLESS_LABEL);
        }
        Optional<Endpoints> current = endpoints.get(key);
        if (current.isPresent() && Objects.equals(current.get().getSubsets(), subsets)
                && Objects.equals(Objects.requireNonNullElse(current.get().getMetadata().getLabels(), Map.of()), labels)) {
            return Result.done();
        }
        Endpoints desired = current.map(e -> new EndpointsBuilder(e).editMetadata().withLabels(labels).endMetadata()
                        .withSubsets(subsets).build())
                .orElseGet(() -> new EndpointsBuilder().withNewMetadata().withNamespace(service.getMetadata().getNamespace())
                        .withName(service.getMetadata().getName()).withLabels(labels).endMetadata()
                        .withSubsets(subsets).build());
        try {
            if (current.isPresent()) {
                api.update(ResourceTypes.ENDPOINTS, desired);
            } else {
                api.create(ResourceTypes.ENDPOINTS, desired);
            }
        } catch (KubusApiException e) {
            if (current.isEmpty() && e.hasCause("NamespaceTerminating")) {
                return Result.done();
            }
            if (!e.isConflict() && !e.isAlreadyExists()) {
                events.warning(service, current.isPresent() ? "FailedToUpdateEndpoint" : "FailedToCreateEndpoint",
                        "Failed to " + (current.isPresent() ? "update" : "create") + " endpoint " + key + ": "
                                + e.statusMessage());
            }
            throw e; // a conflict or an existing object means the cache lags: look again after a back-off
        }
        return Result.done();
    }

    /**
     * The Service's subsets: each selected pod's address under the ports resolved on it, pods with the same
     * resolved ports together; addresses by IP, ports by name, subsets by their ports.
     */
    private List<EndpointSubset> subsets(Service service) {
        boolean publishNotReady = ServicePods.publishNotReady(service);
        String family = ServicePods.ipFamily(service);
        List<ServicePort> servicePorts = Objects.requireNonNullElse(service.getSpec().getPorts(), List.of());
        if (servicePorts.isEmpty() && !ServicePods.isHeadless(service)) {
            return List.of();
        }
        Map<List<EndpointPort>, EndpointSubset> byPorts = new HashMap<>();
        for (Pod pod : pods.byIndex(Index.NAMESPACE, service.getMetadata().getNamespace())) {
            if (!ServicePods.selects(service, pod) || !ServicePods.belongsInEndpoints(pod, publishNotReady)) {
                continue;
            }
            Optional<String> ip = ServicePods.address(pod, family);
            if (ip.isEmpty()) {
                continue;
            }
            List<EndpointPort> ports = new ArrayList<>();
            for (ServicePort sp : servicePorts) {
                OptionalInt port = ServicePods.targetPort(pod, sp);
                if (port.isPresent()) {
                    ports.add(new EndpointPortBuilder().withName(sp.getName()).withPort(port.getAsInt())
                            .withProtocol(sp.getProtocol()).withAppProtocol(sp.getAppProtocol()).build());
                }
            }
            if (!servicePorts.isEmpty() && ports.isEmpty()) {
                continue;
            }
            ports.sort(Comparator.comparing((EndpointPort p) -> Objects.requireNonNullElse(p.getName(), ""))
                    .thenComparing(EndpointPort::getPort));
            EndpointAddress address = new EndpointAddressBuilder().withIp(ip.get())
                    .withHostname(ServicePods.hostname(pod, service).orElse(null))
                    .withNodeName(PodStates.nodeName(pod)).withTargetRef(ServicePods.podReference(pod)).build();
            EndpointSubset subset = byPorts.computeIfAbsent(ports, p -> {
                EndpointSubset s = new EndpointSubset();
                s.setPorts(p);
                return s;
            });
            if (publishNotReady || PodStates.isReady(pod)) {
                subset.getAddresses().add(address);
            } else {
                subset.getNotReadyAddresses().add(address);
            }
        }
        Comparator<EndpointAddress> byIp = Comparator.comparing(EndpointAddress::getIp)
                .thenComparing(a -> a.getTargetRef().getUid());
        Map<String, EndpointSubset> sorted = new TreeMap<>();
        for (EndpointSubset s : byPorts.values()) {
            s.getAddresses().sort(byIp);
            s.getNotReadyAddresses().sort(byIp);
            sorted.put(s.getPorts().toString(), s);
        }
        return new ArrayList<>(sorted.values());
    }
}

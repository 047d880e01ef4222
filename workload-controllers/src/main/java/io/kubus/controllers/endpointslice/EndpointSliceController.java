package io.kubus.controllers.endpointslice;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.kubus.client.api.KubusApi;
import io.kubus.client.controller.Controller;
import io.kubus.client.controller.Expectations;
import io.kubus.client.controller.Reconciler;
import io.kubus.client.informer.Index;
import io.kubus.client.informer.Informer;
import io.kubus.client.informer.SharedInformers;
import io.kubus.controllers.ControllersApplication;
import io.kubus.controllers.common.EndpointSlices;
import io.kubus.controllers.common.OwnerReferences;
import io.kubus.controllers.common.PodStates;
import io.kubus.controllers.common.ServicePods;
import io.kubus.controllers.manager.ControllersSettings;
import io.kubus.controllers.manager.ManagedController;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * Kubernetes' EndpointSlice controller (pkg/controller/endpointslice and its reconciler), one reconcile per Service
 * with a selector: the endpoints of the pods it selects (terminating ones too, with conditions ready, serving and
 * terminating) in IPv4 slices of at most {@link #MAX_ENDPOINTS_PER_SLICE}, one group of slices per set of ports
 * resolved on the pods, named {@code <service>-<random>}, labelled with the Service's name and this controller as
 * their manager and owned by the Service (the garbage collector deletes them with it). A Service that selects no pod
 * gets one empty placeholder slice, as in Kubernetes. Existing slices are kept and updated where they can be
 * (an endpoint stays in the slice it is in); surplus ones are deleted, missing ones created. Expectations keep a
 * cache that lags behind this controller's own creates and deletes from making it act twice (both in
 * {@link EndpointSlices}).
 */
@Singleton
@Requires(env = ControllersApplication.ENVIRONMENT)
public final class EndpointSliceController implements Reconciler, ManagedController {
    static final String NAME = "endpointslice";
    /** kube-controller-manager's --max-endpoints-per-slice default. */
    static final int MAX_ENDPOINTS_PER_SLICE = 100;
    static final String MANAGED_BY = "endpointslice-controller.k8s.io";

    private final Informer<Service> services;
    private final Informer<Pod> pods;
    private final Informer<EndpointSlice> slices;
    private final KubusApi api;
    private final Expectations expectations;
    private final Controller controller;

    public EndpointSliceController(SharedInformers informers, KubusApi api, ControllersSettings settings) {
        this.services = informers.informer(ResourceTypes.SERVICES, Service.class).addIndex(Index.NAMESPACE);
        this.pods = informers.informer(ResourceTypes.PODS, Pod.class).addIndex(Index.NAMESPACE);
        this.slices = informers.informer(ResourceTypes.ENDPOINTSLICES, EndpointSlice.class).addIndex(Index.NAMESPACE);
        this.api = api;
        this.expectations = new Expectations(settings.getExpectationsTtl());
        this.controller = settings.newController(NAME, this);
        controller.primary(services);
        controller.watch(pods, pod -> ServicePods.servicesSelecting(services, pod));
        EndpointSlices.observe(slices, expectations, MANAGED_BY);
        controller.watch(slices, s -> EndpointSlices.serviceKey(s, MANAGED_BY).map(List::of).orElse(List.of()));
    }

    @Override
    public Controller controller() {
        return controller;
    }

    @Override
    public void onStartedLeading() {
        expectations.clear();
    }

    @Override
    public Result reconcile(String key) {
        Optional<Service> cached = services.get(key);
        if (cached.isEmpty()) {
            expectations.forget(key);
            return Result.done();
        }
        Service service = cached.get();
        if (service.getMetadata().getDeletionTimestamp() != null || !ServicePods.hasManagedEndpoints(service)
                || !expectations.satisfied(key)) {
            return Result.done(); // what is expected enqueues the key when it arrives
        }
        Map<String, String> labels = labels(service);
        Map<List<EndpointPort>, List<Endpoint>> desired = desiredEndpoints(service);
        Map<List<EndpointPort>, List<EndpointSlice>> existing = new LinkedHashMap<>();
        for (EndpointSlice s : EndpointSlices.managed(slices, key, MANAGED_BY)) {
            existing.computeIfAbsent(s.getPorts(), p -> new ArrayList<>()).add(s);
        }
        List<EndpointSlice> toCreate = new ArrayList<>();
        List<EndpointSlice> toUpdate = new ArrayList<>();
        List<EndpointSlice> toDelete = new ArrayList<>();
        existing.forEach((ports, group) -> {
            if (!desired.containsKey(ports)) {
                toDelete.addAll(group);
            }
        });
        desired.forEach((ports, endpoints) -> plan(service, labels, ports, endpoints,
                existing.getOrDefault(ports, List.of()), toCreate, toUpdate, toDelete));
        EndpointSlices.write(api, expectations, key, toCreate, toUpdate, toDelete);
        return Result.done();
    }

    /**
     * The endpoints by the ports resolved on their pods, in the Service's port order; a Service that selects no pod
     * has one empty group of no ports, for its placeholder slice.
     */
    private Map<List<EndpointPort>, List<Endpoint>> desiredEndpoints(Service service) {
        boolean publishNotReady = ServicePods.publishNotReady(service);
        List<ServicePort> servicePorts = Objects.requireNonNullElse(service.getSpec().getPorts(), List.of());
        Map<List<EndpointPort>, List<Endpoint>> desired = new LinkedHashMap<>();
        for (Pod pod : pods.byIndex(Index.NAMESPACE, service.getMetadata().getNamespace())) {
            if (!ServicePods.selects(service, pod) || !ServicePods.belongsInEndpoints(pod, true)) {
                continue;
            }
            Optional<String> ip = ServicePods.address(pod, "IPv4");
            if (ip.isEmpty()) {
                continue;
            }
            List<EndpointPort> ports = new ArrayList<>();
            for (ServicePort sp : servicePorts) {
                OptionalInt port = ServicePods.targetPort(pod, sp);
                if (port.isPresent()) {
                    ports.add(new EndpointPortBuilder().withName(Objects.requireNonNullElse(sp.getName(), ""))
                            .withPort(port.getAsInt()).withProtocol(sp.getProtocol())
                            .withAppProtocol(sp.getAppProtocol()).build());
                }
            }
            boolean serving = PodStates.isReady(pod);
            boolean terminating = pod.getMetadata().getDeletionTimestamp() != null;
            // ready is never true for a terminating pod, unless the Service publishes not-ready addresses
            boolean ready = publishNotReady || (serving && !terminating);
            Endpoint endpoint = new EndpointBuilder().withAddresses(ip.get())
                    .withNewConditions().withReady(ready).withServing(serving).withTerminating(terminating).endConditions()
                    .withHostname(ServicePods.hostname(pod, service).orElse(null))
                    .withNodeName(PodStates.nodeName(pod)).withTargetRef(ServicePods.podReference(pod)).build();
            desired.computeIfAbsent(ports, p -> new ArrayList<>()).add(endpoint);
        }
        if (desired.isEmpty()) {
            desired.put(List.of(), List.of());
        }
        return desired;
    }

    /**
     * The writes that give one group of ports its endpoints: each endpoint stays in the slice it is in (updated if it
     * changed); slices left empty go; newcomers fill the slices being updated, then the others with room, then new
     * ones. An empty group keeps (or gets) exactly one empty slice.
     */
    private void plan(Service service, Map<String, String> labels, List<EndpointPort> ports, List<Endpoint> endpoints,
                      List<EndpointSlice> existing, List<EndpointSlice> toCreate, List<EndpointSlice> toUpdate,
                      List<EndpointSlice> toDelete) {
        Map<String, Endpoint> unplaced = new LinkedHashMap<>();
        for (Endpoint e : endpoints) {
            unplaced.put(endpointKey(e), e);
        }
        List<List<Endpoint>> kept = new ArrayList<>();
        List<Boolean> changed = new ArrayList<>();
        for (EndpointSlice s : existing) {
            List<Endpoint> next = new ArrayList<>();
            for (Endpoint e : s.getEndpoints()) {
                Endpoint want = unplaced.remove(endpointKey(e));
                if (want != null) {
                    next.add(want);
                }
            }
            kept.add(next);
            changed.add(!next.equals(s.getEndpoints()) || !isCurrent(s, service, labels));
        }
        // Newcomers go where a write happens anyway, then where there is room; what is left makes new slices.
        for (boolean writtenAnyway : List.of(true, false)) {
            for (int i = 0; i < existing.size() && !unplaced.isEmpty(); i++) {
                if (changed.get(i) == writtenAnyway && fill(kept.get(i), unplaced)) {
                    changed.set(i, true);
                }
            }
        }
        boolean placeholderKept = false;
        for (int i = 0; i < existing.size(); i++) {
            if (kept.get(i).isEmpty() && (!endpoints.isEmpty() || placeholderKept)) {
                toDelete.add(existing.get(i));
                continue;
            }
            placeholderKept |= kept.get(i).isEmpty();
            if (changed.get(i)) {
                toUpdate.add(slice(existing.get(i), service, labels, ports, kept.get(i)));
            }
        }
        while (!unplaced.isEmpty()) {
            List<Endpoint> chunk = new ArrayList<>();
            fill(chunk, unplaced);
            toCreate.add(slice(null, service, labels, ports, chunk));
        }
        if (endpoints.isEmpty() && !placeholderKept) {
            toCreate.add(slice(null, service, labels, ports, List.of()));
        }
    }

    /** Moves newcomers into {@code slice} up to its capacity; whether any moved. */
    private static boolean fill(List<Endpoint> slice, Map<String, Endpoint> unplaced) {
        boolean moved = false;
        var it = unplaced.entrySet().iterator();
        while (it.hasNext() && slice.size() < MAX_ENDPOINTS_PER_SLICE) {
            slice.add(it.next().getValue());
            it.remove();
            moved = true;
        }
        return moved;
    }

    private static String endpointKey(Endpoint e) {
        return e.getTargetRef() != null ? e.getTargetRef().getUid() : String.join(",", e.getAddresses());
    }

    /** The slice's labels and controller reference are the Service's current ones. */
    private static boolean isCurrent(EndpointSlice s, Service service, Map<String, String> labels) {
        return labels.equals(Objects.requireNonNullElse(s.getMetadata().getLabels(), Map.of()))
                && OwnerReferences.isControlledBy(s, service);
    }

    /** setEndpointSliceLabels: the Service's labels, the headless mark, and whose slice this is. */
    private static Map<String, String> labels(Service service) {
        Map<String, String> labels = new TreeMap<>(Objects.requireNonNullElse(service.getMetadata().getLabels(), Map.of()));
        labels.remove(ServicePods.HEADLESS_LABEL);
        if (ServicePods.isHeadless(service)) {
            labels.put(ServicePods.HEADLESS_LABEL, "");
        }
        labels.put(EndpointSlices.SERVICE_NAME_LABEL, service.getMetadata().getName());
        labels.put(EndpointSlices.MANAGED_BY_LABEL, MANAGED_BY);
        return labels;
    }

    private static EndpointSlice slice(EndpointSlice current, Service service, Map<String, String> labels,
                                       List<EndpointPort> ports, List<Endpoint> endpoints) {
        EndpointSliceBuilder b = current != null ? new EndpointSliceBuilder(current)
                : new EndpointSliceBuilder().withNewMetadata().withNamespace(service.getMetadata().getNamespace())
                        .withGenerateName(service.getMetadata().getName() + "-").endMetadata().withAddressType("IPv4");
        return b.editMetadata().withLabels(labels).withOwnerReferences(OwnerReferences.controllerReference(service))
                .endMetadata().withPorts(ports).withEndpoints(endpoints).build();
    }
}

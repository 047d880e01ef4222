package io.kubus.controllers.endpointslicemirroring;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Service;
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
import io.kubus.controllers.common.ServicePods;
import io.kubus.controllers.manager.ControllersSettings;
import io.kubus.controllers.manager.ManagedController;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.IpAddresses;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Kubernetes' EndpointSlice mirroring controller (pkg/controller/endpointslicemirroring), one reconcile per
 * Endpoints: the Endpoints a user keeps for a Service without a selector are mirrored into EndpointSlices, so that
 * what reads slices sees them too. One slice per address type and set of ports, named {@code <endpoints>-<random>},
 * with the Endpoints' labels and annotations (but the two annotations kube drops), labelled with the Service's name
 * and this controller as their manager, and owned by the Endpoints as in Kubernetes (the garbage collector deletes
 * them with it); ready addresses are endpoints with ready true, not-ready ones with ready false; addresses that are
 * not IPs are skipped, and at most {@link #MAX_ENDPOINTS_PER_SUBSET} of a subset (and of a slice) are mirrored. A
 * slice is updated in place, reused for a new set of ports of its address type, and deleted when surplus. Endpoints
 * labelled {@code endpointslice.kubernetes.io/skip-mirror: "true"} (the gateway's {@code kubernetes} ones, which
 * have their own slice) or holding a leader-election record are not mirrored, nor those of a Service with a
 * selector, whose slices the EndpointSlice controller keeps; their mirrored slices are deleted.
 */
@Singleton
@Requires(env = ControllersApplication.ENVIRONMENT)
public final class EndpointSliceMirroringController implements Reconciler, ManagedController {
    static final String NAME = "endpointslicemirroring";
    static final String MANAGED_BY = "endpointslicemirroring-controller.k8s.io";
    /** kube-controller-manager's --mirroring-max-endpoints-per-subset default. */
    static final int MAX_ENDPOINTS_PER_SUBSET = 1000;
    private static final String SKIP_MIRROR_LABEL = "endpointslice.kubernetes.io/skip-mirror";
    private static final String LEADER_ANNOTATION = "control-plane.alpha.kubernetes.io/leader";
    /** Annotations of the Endpoints that say nothing about the slices: kube does not copy them. */
    private static final List<String> DROPPED_ANNOTATIONS = List.of("endpoints.kubernetes.io/last-change-trigger-time",
            "kubectl.kubernetes.io/last-applied-configuration");

    /** A slice's identity among its siblings: addresses of one family under one set of ports. */
    private record Group(String addressType, List<EndpointPort> ports) {
    }

    private final Informer<Endpoints> endpoints;
    private final Informer<Service> services;
    private final Informer<EndpointSlice> slices;
    private final KubusApi api;
    private final Expectations expectations;
    private final Controller controller;

    public EndpointSliceMirroringController(SharedInformers informers, KubusApi api, ControllersSettings settings) {
        this.endpoints = informers.informer(ResourceTypes.ENDPOINTS, Endpoints.class);
        this.services = informers.informer(ResourceTypes.SERVICES, Service.class).addIndex(Index.NAMESPACE);
        this.slices = informers.informer(ResourceTypes.ENDPOINTSLICES, EndpointSlice.class).addIndex(Index.NAMESPACE);
        this.api = api;
        this.expectations = new Expectations(settings.getExpectationsTtl());
        this.controller = settings.newController(NAME, this);
        controller.primary(endpoints);
        // A Service's selector coming or going decides whether its Endpoints are mirrored.
        controller.watch(services, s -> List.of(Informer.keyOf(s)));
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
        if (!expectations.satisfied(key)) {
            return Result.done(); // what is expected enqueues the key when it arrives
        }
        List<EndpointSlice> existing = EndpointSlices.managed(slices, key, MANAGED_BY);
        Optional<Endpoints> mirrored = endpoints.get(key).filter(EndpointSliceMirroringController::shouldMirror)
                .filter(e -> services.get(key).filter(s -> ServicePods.selector(s).isEmpty()).isPresent());
        if (mirrored.isEmpty()) {
            EndpointSlices.write(api, expectations, key, List.of(), List.of(), existing);
            return Result.done();
        }
        Endpoints source = mirrored.get();
        Map<Group, List<Endpoint>> desired = desiredEndpoints(source);
        Map<Group, EndpointSlice> kept = new LinkedHashMap<>();
        List<EndpointSlice> spare = new ArrayList<>();
        for (EndpointSlice s : existing) {
            Group g = new Group(s.getAddressType(), s.getPorts());
            if (desired.containsKey(g) && !kept.containsKey(g)) {
                kept.put(g, s);
            } else {
                spare.add(s);
            }
        }
        List<EndpointSlice> toCreate = new ArrayList<>();
        List<EndpointSlice> toUpdate = new ArrayList<>();
        desired.forEach((group, wanted) -> {
            // A group new to these Endpoints takes over a surplus slice of its address type (which cannot change)
            // rather than one slice going and another coming.
            EndpointSlice current = kept.get(group);
            if (current == null) {
                current = spare.stream().filter(s -> group.addressType().equals(s.getAddressType())).findFirst()
                        .orElse(null);
                spare.remove(current);
            }
            EndpointSlice slice = slice(current, source, group, wanted);
            if (current == null) {
                toCreate.add(slice);
            } else if (!slice.equals(current)) {
                toUpdate.add(slice);
            }
        });
        EndpointSlices.write(api, expectations, key, toCreate, toUpdate, spare);
        return Result.done();
    }

    private static boolean shouldMirror(Endpoints e) {
        Map<String, String> labels = Objects.requireNonNullElse(e.getMetadata().getLabels(), Map.of());
        Map<String, String> annotations = Objects.requireNonNullElse(e.getMetadata().getAnnotations(), Map.of());
        return !"true".equals(labels.get(SKIP_MIRROR_LABEL)) && !annotations.containsKey(LEADER_ANNOTATION)
                && e.getMetadata().getDeletionTimestamp() == null;
    }

    /**
     * The endpoints of each group: a subset's ready addresses then its not-ready ones, at most
     * {@link #MAX_ENDPOINTS_PER_SUBSET} of them, addresses that are no IP skipped; an address listed twice under the
     * same ports once.
     */
    private static Map<Group, List<Endpoint>> desiredEndpoints(Endpoints source) {
        Map<Group, Map<String, Endpoint>> desired = new LinkedHashMap<>();
        for (EndpointSubset subset : Objects.requireNonNullElse(source.getSubsets(), List.<EndpointSubset>of())) {
            List<EndpointPort> ports = ports(subset);
            int added = 0;
            for (boolean ready : List.of(true, false)) {
                for (EndpointAddress a : Objects.requireNonNullElse(ready ? subset.getAddresses()
                        : subset.getNotReadyAddresses(), List.<EndpointAddress>of())) {
                    if (added >= MAX_ENDPOINTS_PER_SUBSET) {
                        break;
                    }
                    Optional<Group> group = addressType(a.getIp()).map(type -> new Group(type, ports));
                    if (group.isEmpty()) {
                        continue;
                    }
                    Endpoint e = endpoint(a, ready);
                    desired.computeIfAbsent(group.get(), g -> new LinkedHashMap<>())
                            .putIfAbsent(e.getAddresses().getFirst(), e);
                    added++;
                }
            }
        }
        Map<Group, List<Endpoint>> result = new LinkedHashMap<>();
        desired.forEach((g, byAddress) -> result.put(g,
                byAddress.values().stream().limit(MAX_ENDPOINTS_PER_SUBSET).toList()));
        return result;
    }

    /** The subset's ports as a slice has them, in one order, so that reordering them in the Endpoints changes none. */
    private static List<EndpointPort> ports(EndpointSubset subset) {
        return Objects.requireNonNullElse(subset.getPorts(), List.<io.fabric8.kubernetes.api.model.EndpointPort>of())
                .stream().map(p -> new EndpointPortBuilder().withName(Objects.requireNonNullElse(p.getName(), ""))
                        .withPort(p.getPort()).withProtocol(p.getProtocol()).withAppProtocol(p.getAppProtocol()).build())
                .sorted(Comparator.comparing(EndpointPort::getName).thenComparing(EndpointPort::getPort))
                .toList();
    }

    /** IPv4 (also for an IPv4-mapped address) or IPv6 as kube parses it; empty for what is no IP. */
    private static Optional<String> addressType(String ip) {
        if (ip == null || !IpAddresses.isIp(ip)) {
            return Optional.empty();
        }
        return Optional.of(IpAddresses.ipv4Bytes(ip) != null ? "IPv4" : "IPv6");
    }

    /** The address as an endpoint; an IPv4 one written plainly, as kube writes it back from its parsed form. */
    private static Endpoint endpoint(EndpointAddress a, boolean ready) {
        byte[] v4 = IpAddresses.ipv4Bytes(a.getIp());
        String ip = v4 == null ? a.getIp()
                : (v4[0] & 0xff) + "." + (v4[1] & 0xff) + "." + (v4[2] & 0xff) + "." + (v4[3] & 0xff);
        return new EndpointBuilder().withAddresses(ip).withNewConditions().withReady(ready).endConditions()
                .withHostname(a.getHostname() == null || a.getHostname().isEmpty() ? null : a.getHostname())
                .withNodeName(a.getNodeName()).withTargetRef(a.getTargetRef()).build();
    }

    /** newEndpointSlice: the Endpoints' labels and annotations, whose slice this is, and its group's endpoints. */
    private static EndpointSlice slice(EndpointSlice current, Endpoints source, Group group, List<Endpoint> endpoints) {
        Map<String, String> labels = new TreeMap<>(Objects.requireNonNullElse(source.getMetadata().getLabels(), Map.of()));
        labels.put(EndpointSlices.SERVICE_NAME_LABEL, source.getMetadata().getName());
        labels.put(EndpointSlices.MANAGED_BY_LABEL, MANAGED_BY);
        Map<String, String> annotations = new TreeMap<>(
                Objects.requireNonNullElse(source.getMetadata().getAnnotations(), Map.of()));
        DROPPED_ANNOTATIONS.forEach(annotations::remove);
        EndpointSliceBuilder b = current != null ? new EndpointSliceBuilder(current)
                : new EndpointSliceBuilder().withNewMetadata().withNamespace(source.getMetadata().getNamespace())
                        .withGenerateName(source.getMetadata().getName() + "-").endMetadata()
                        .withAddressType(group.addressType());
        return b.editMetadata().withLabels(labels).withAnnotations(annotations.isEmpty() ? null : annotations)
                .withOwnerReferences(OwnerReferences.controllerReference(source)).endMetadata()
                .withPorts(group.ports()).withEndpoints(endpoints).build();
    }
}

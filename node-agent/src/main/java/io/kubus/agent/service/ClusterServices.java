package io.kubus.agent.service;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.kubus.agent.dns.ServiceCatalog;
import io.kubus.client.api.KubusApi;
import io.kubus.client.informer.Index;
import io.kubus.client.informer.Informer;
import io.kubus.client.informer.ResourceEventHandler;
import io.kubus.client.kafka.KafkaClientConfig;
import io.kubus.schema.ResourceTypes;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What a node's service proxy and DNS server read: every Service and every EndpointSlice of the cluster, as
 * kube-proxy's informers hold them. Listeners hear that something changed, not what: they recompute from the caches
 * (level-triggered), so a missed or repeated notice costs nothing.
 */
public final class ClusterServices implements ServiceCatalog, AutoCloseable {
    /** The label that ties an EndpointSlice to its Service, whoever manages the slice. */
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    /** EndpointSlices by their Service's key ({@code namespace/name}). */
    public static final Index<EndpointSlice> BY_SERVICE = new Index<>("kubernetes.io/service-name", slice -> {
        String service = slice.getMetadata().getLabels() == null ? null
                : slice.getMetadata().getLabels().get(SERVICE_NAME_LABEL);
        return service == null ? List.of() : List.of(slice.getMetadata().getNamespace() + "/" + service);
    });

    private final Informer<Service> services;
    private final Informer<EndpointSlice> slices;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    public ClusterServices(KubusApi api, KafkaClientConfig kafka) {
        this.services = Informer.builder(api, kafka, ResourceTypes.SERVICES, Service.class)
                .name("node-agent-services")
                .handler(changed())
                .build();
        this.slices = Informer.builder(api, kafka, ResourceTypes.ENDPOINTSLICES, EndpointSlice.class)
                .name("node-agent-endpointslices")
                .index(BY_SERVICE)
                .handler(changed())
                .build();
    }

    /** An endpoint's {@code ready} condition; unset means ready (the EndpointSlice API's documented default). */
    public static boolean ready(Endpoint endpoint) {
        EndpointConditions c = endpoint.getConditions();
        return c == null || c.getReady() == null || c.getReady();
    }

    /** An endpoint's {@code serving} condition; unset means the same as {@code ready}. */
    public static boolean serving(Endpoint endpoint) {
        EndpointConditions c = endpoint.getConditions();
        return c == null || c.getServing() == null ? ready(endpoint) : c.getServing();
    }

    private <T extends HasMetadata> ResourceEventHandler<T> changed() {
        return ResourceEventHandler.of(o -> fire(), o -> fire());
    }

    private void fire() {
        listeners.forEach(Runnable::run);
    }

    /** Called on an informer's thread after every change; it should only wake its own loop. */
    public void onChange(Runnable listener) {
        listeners.add(listener);
    }

    public ClusterServices start() {
        services.start();
        slices.start();
        return this;
    }

    public boolean awaitSynced(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        return services.awaitSynced(timeout)
                && slices.awaitSynced(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }

    @Override
    public boolean hasSynced() {
        return services.hasSynced() && slices.hasSynced();
    }

    @Override
    public List<Service> services() {
        return services.list();
    }

    @Override
    public Optional<Service> service(String namespace, String name) {
        return services.get(namespace, name);
    }

    /** The EndpointSlices of a Service, from every manager (the controllers' and the mirroring's). */
    @Override
    public List<EndpointSlice> slices(String namespace, String serviceName) {
        return slices.byIndex(BY_SERVICE, namespace + "/" + serviceName);
    }

    @Override
    public void close() {
        services.close();
        slices.close();
    }
}

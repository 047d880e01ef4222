package io.kubus.agent.dns;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;

import java.util.List;
import java.util.Optional;

/** What the cluster zone is answered from: the node's {@code ClusterServices} caches, or a fixed set in tests. */
public interface ServiceCatalog {
    List<Service> services();

    Optional<Service> service(String namespace, String name);

    /** The EndpointSlices of a Service, from every manager. */
    List<EndpointSlice> slices(String namespace, String serviceName);

    /** Whether the lists above hold the whole cluster yet (before that, a missing name proves nothing). */
    boolean hasSynced();
}

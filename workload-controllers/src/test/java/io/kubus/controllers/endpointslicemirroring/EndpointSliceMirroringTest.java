package io.kubus.controllers.endpointslicemirroring;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.kubus.controllers.common.OwnerReferences;
import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.SimulatedCluster;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The mirroring controller in a whole cluster: user Endpoints of selector-less Services mirrored into slices. */
class EndpointSliceMirroringTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String MIRRORING = "endpointslicemirroring-controller.k8s.io";

    @RegisterExtension
    static final SimulatedCluster cluster = new SimulatedCluster("mir", 1);

    private static Service selectorless(String name) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().addNewPort().withName("pg").withPort(5432).endPort().endSpec().build();
    }

    private static Endpoints userEndpoints(String name, List<String> ready, List<String> notReady) {
        EndpointsBuilder b = new EndpointsBuilder().withNewMetadata().withName(name).withNamespace("default")
                .addToLabels("team", "a").endMetadata();
        var subset = b.addNewSubset().addNewPort().withName("pg").withPort(5432).withProtocol("TCP").endPort();
        ready.forEach(ip -> subset.addNewAddress().withIp(ip).endAddress());
        notReady.forEach(ip -> subset.addNewNotReadyAddress().withIp(ip).endNotReadyAddress());
        return subset.endSubset().build();
    }

    /** The service's slices kept by {@code manager}. */
    private static List<EndpointSlice> slices(String service, String manager) {
        return cluster.api().list(ResourceTypes.ENDPOINTSLICES, "default", "kubernetes.io/service-name=" + service
                + ",endpointslice.kubernetes.io/managed-by=" + manager, null, EndpointSlice.class).items();
    }

    private static Map<String, Boolean> readiness(EndpointSlice slice) {
        return slice.getEndpoints().stream().collect(Collectors.toMap(e -> e.getAddresses().getFirst(),
                e -> e.getConditions().getReady()));
    }

    @Test
    void aSelectorlessServicesEndpointsAreMirroredUpdatedAndRemoved() throws Exception {
        cluster.api().create(ResourceTypes.SERVICES, selectorless("db"));
        Endpoints mine = cluster.api().create(ResourceTypes.ENDPOINTS,
                userEndpoints("db", List.of("192.0.2.10"), List.of("192.0.2.11")));
        long created = System.nanoTime();
        EndpointSlice slice = Await.until(WAIT, "a mirrored slice with both addresses", () -> slices("db", MIRRORING),
                l -> l.size() == 1 && l.getFirst().getEndpoints().size() == 2).getFirst();
        System.out.printf("mirrored after %d ms%n", (System.nanoTime() - created) / 1_000_000);
        assertEquals(Map.of("192.0.2.10", true, "192.0.2.11", false), readiness(slice));
        assertEquals("IPv4", slice.getAddressType());
        assertTrue(slice.getMetadata().getName().startsWith("db-"), slice.getMetadata().getName());
        assertEquals("a", slice.getMetadata().getLabels().get("team"), "the Endpoints' labels");
        assertTrue(OwnerReferences.isControlledBy(slice, mine), "owned by its Endpoints, as in Kubernetes");
        assertEquals(List.of(5432), slice.getPorts().stream().map(p -> p.getPort()).toList());
        assertEquals("pg", slice.getPorts().getFirst().getName());
        // Settled: what it wrote is what it wants, so nothing is written again.
        Thread.sleep(1_000);
        assertEquals(slice.getMetadata().getResourceVersion(),
                slices("db", MIRRORING).getFirst().getMetadata().getResourceVersion());

        Endpoints changed = userEndpoints("db", List.of("192.0.2.10", "192.0.2.11", "192.0.2.12"), List.of());
        changed.getMetadata().setResourceVersion(mine.getMetadata().getResourceVersion());
        cluster.api().update(ResourceTypes.ENDPOINTS, changed);
        EndpointSlice updated = Await.until(WAIT, "the slice following the Endpoints", () -> slices("db", MIRRORING),
                l -> l.size() == 1 && l.getFirst().getEndpoints().size() == 3).getFirst();
        assertEquals(slice.getMetadata().getName(), updated.getMetadata().getName(), "updated in place");
        assertTrue(updated.getEndpoints().stream().map(Endpoint::getConditions).allMatch(c -> c.getReady()));

        cluster.kubectl().run("delete", "endpoints", "db").ok();
        Await.until(WAIT, "the mirrored slice gone with the Endpoints", () -> slices("db", MIRRORING), List::isEmpty);

        // The gateway's kubernetes Endpoints carry skip-mirror: only its own slice, none mirrored.
        assertEquals(List.of(), slices("kubernetes", MIRRORING));
    }

    @Test
    void aServiceThatGetsASelectorIsNoLongerMirrored() throws Exception {
        cluster.api().create(ResourceTypes.PODS, new PodBuilder().withNewMetadata().withName("cache-0")
                .withNamespace("default").addToLabels("app", "cache").endMetadata().withNewSpec().addNewContainer()
                .withName("app").withImage("kubus/busybox:1").endContainer().endSpec().build());
        cluster.api().create(ResourceTypes.SERVICES, selectorless("cache"));
        cluster.api().create(ResourceTypes.ENDPOINTS, userEndpoints("cache", List.of("192.0.2.20"), List.of()));
        Await.until(WAIT, "mirrored while it has no selector", () -> slices("cache", MIRRORING), l -> l.size() == 1);

        cluster.kubectl().run("patch", "service", "cache", "-p", "{\"spec\":{\"selector\":{\"app\":\"cache\"}}}").ok();
        Await.until(WAIT, "the pod in the EndpointSlice controller's slice",
                () -> slices("cache", "endpointslice-controller.k8s.io"),
                l -> l.size() == 1 && l.getFirst().getEndpoints() != null && l.getFirst().getEndpoints().size() == 1);
        Await.until(WAIT, "the Endpoints the endpoints controller's", () -> cluster.api()
                        .get(ResourceTypes.ENDPOINTS, "default", "cache", Endpoints.class).orElseThrow(),
                e -> !ips(e).isEmpty() && !ips(e).contains("192.0.2.20"));
        Await.until(WAIT, "no mirrored slice", () -> slices("cache", MIRRORING), List::isEmpty);
        Thread.sleep(500);
        assertEquals(List.of(), slices("cache", MIRRORING), "the selector's Endpoints stay unmirrored");
    }

    /** Every address of the Endpoints, ready or not (the pod may not be ready yet when the controller first writes). */
    private static List<String> ips(Endpoints e) {
        List<String> ips = new java.util.ArrayList<>();
        for (var subset : e.getSubsets() == null ? List.<io.fabric8.kubernetes.api.model.EndpointSubset>of() : e.getSubsets()) {
            for (var list : List.of(subset.getAddresses(), subset.getNotReadyAddresses())) {
                if (list != null) {
                    list.forEach(a -> ips.add(a.getIp()));
                }
            }
        }
        return ips;
    }
}

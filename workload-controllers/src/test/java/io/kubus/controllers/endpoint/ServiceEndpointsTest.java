package io.kubus.controllers.endpoint;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
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
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The endpoints and EndpointSlice controllers in a whole cluster of simulated nodes: Services over ReplicaSets and
 * bare pods, readiness turned off and on again through an exec probe, named target ports, and kubectl's tables.
 */
class ServiceEndpointsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final SimulatedCluster cluster = new SimulatedCluster("ep", 4);

    /** Pods of {@code app} on port "http" 8080, ready while their container holds no /tmp/unready. */
    private static ReplicaSet replicaSet(String app, int replicas) {
        return new ReplicaSetBuilder().withNewMetadata().withName(app).withNamespace("default").endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", app).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", app).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("kubus/busybox:1")
                .addNewPort().withName("http").withContainerPort(8080).endPort()
                .withNewReadinessProbe().withNewExec().withCommand("test", "!", "-e", "/tmp/unready").endExec()
                .withPeriodSeconds(1).endReadinessProbe()
                .endContainer().endSpec().endTemplate().endSpec().build();
    }

    private static Service service(String name, Map<String, String> selector, Object targetPort) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace("default").addToLabels("team", "a")
                .endMetadata().withNewSpec().withSelector(selector).addNewPort().withName("web").withPort(80)
                .withTargetPort(targetPort instanceof Integer i ? new IntOrString(i) : new IntOrString((String) targetPort))
                .endPort().endSpec().build();
    }

    private static Endpoints endpoints(String name) {
        return cluster.api().get(ResourceTypes.ENDPOINTS, "default", name, Endpoints.class).orElse(null);
    }

    private static List<EndpointSlice> slices(String service) {
        return cluster.api().list(ResourceTypes.ENDPOINTSLICES, "default", "kubernetes.io/service-name=" + service,
                null, EndpointSlice.class).items();
    }

    private static Set<String> ips(Endpoints e, boolean ready) {
        if (e == null || e.getSubsets() == null) {
            return Set.of();
        }
        return e.getSubsets().stream().flatMap(s -> (ready ? s.getAddresses() : s.getNotReadyAddresses()).stream())
                .map(EndpointAddress::getIp).collect(Collectors.toSet());
    }

    private static List<Endpoint> sliceEndpoints(String service) {
        return slices(service).stream().flatMap(s -> s.getEndpoints().stream()).toList();
    }

    private static List<Pod> pods(String app) {
        return cluster.api().list(ResourceTypes.PODS, "default", "app=" + app, null, Pod.class).items().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    private static Set<String> readyPodIps(String app, int count) throws InterruptedException {
        return Await.until(WAIT, count + " ready pods of " + app, () -> pods(app),
                        l -> l.size() == count && l.stream().allMatch(p -> p.getStatus().getPodIP() != null
                                && p.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Ready")
                                && c.getStatus().equals("True"))))
                .stream().map(p -> p.getStatus().getPodIP()).collect(Collectors.toSet());
    }

    @Test
    void aServiceOverAReplicaSetFollowsItsPodsScaleAndReadiness() throws Exception {
        cluster.api().create(ResourceTypes.REPLICASETS, replicaSet("web", 2));
        Service svc = cluster.api().create(ResourceTypes.SERVICES, service("web", Map.of("app", "web"), "http"));
        Set<String> two = readyPodIps("web", 2);
        assertEquals(2, two.size(), "each pod has an address of its own: " + two);

        Endpoints ep = Await.until(WAIT, "Endpoints with both pods", () -> endpoints("web"),
                e -> ips(e, true).equals(two));
        EndpointSubset subset = ep.getSubsets().getFirst();
        assertEquals(1, ep.getSubsets().size());
        assertEquals(8080, subset.getPorts().getFirst().getPort(), "the named targetPort resolved on the pods");
        assertEquals("web", subset.getPorts().getFirst().getName());
        EndpointAddress first = subset.getAddresses().getFirst();
        assertEquals("Pod", first.getTargetRef().getKind());
        assertTrue(first.getNodeName().startsWith("ep-"), first.getNodeName());
        assertEquals("a", ep.getMetadata().getLabels().get("team"), "the Service's labels");
        assertFalse(ep.getMetadata().getLabels().containsKey("service.kubernetes.io/headless"));

        EndpointSlice slice = Await.until(WAIT, "one slice with both pods", () -> slices("web"),
                l -> l.size() == 1 && l.getFirst().getEndpoints().size() == 2).getFirst();
        assertTrue(slice.getMetadata().getName().startsWith("web-"), slice.getMetadata().getName());
        assertEquals("IPv4", slice.getAddressType());
        assertEquals("endpointslice-controller.k8s.io",
                slice.getMetadata().getLabels().get("endpointslice.kubernetes.io/managed-by"));
        assertTrue(OwnerReferences.isControlledBy(slice, svc), "owned by its Service");
        assertEquals(8080, slice.getPorts().getFirst().getPort());
        for (Endpoint e : slice.getEndpoints()) {
            assertTrue(e.getConditions().getReady() && e.getConditions().getServing() && !e.getConditions().getTerminating());
            assertTrue(two.contains(e.getAddresses().getFirst()));
        }
        String version = endpoints("web").getMetadata().getResourceVersion();

        cluster.kubectl().run("scale", "rs", "web", "--replicas=3").ok();
        long scaled = System.nanoTime();
        Set<String> three = readyPodIps("web", 3);
        Await.until(Duration.ofSeconds(10), "the third pod in Endpoints", () -> endpoints("web"),
                e -> ips(e, true).equals(three));
        Await.until(Duration.ofSeconds(10), "the third pod in the slice", () -> sliceEndpoints("web"),
                l -> l.size() == 3 && l.stream().allMatch(e -> e.getConditions().getReady()));
        System.out.printf("scaled to 3: in Endpoints and the slice after %d ms%n", (System.nanoTime() - scaled) / 1_000_000);
        assertEquals(1, slices("web").size(), "updated in place, not a slice more");
        assertFalse(version.equals(endpoints("web").getMetadata().getResourceVersion()));

        // One pod turns unready: its probe fails.
        Pod victim = pods("web").getFirst();
        String victimIp = victim.getStatus().getPodIP();
        cluster.kubectl().run("exec", victim.getMetadata().getName(), "--", "touch", "/tmp/unready").ok();
        Endpoints unready = Await.until(WAIT, "the unready pod in notReadyAddresses", () -> endpoints("web"),
                e -> ips(e, false).equals(Set.of(victimIp)));
        assertEquals(2, ips(unready, true).size());
        Endpoint inSlice = Await.until(WAIT, "the unready pod not ready in the slice", () -> sliceEndpoints("web").stream()
                .filter(e -> e.getAddresses().getFirst().equals(victimIp)).findFirst().orElseThrow(),
                e -> !e.getConditions().getReady());
        assertFalse(inSlice.getConditions().getServing());
        cluster.kubectl().run("exec", victim.getMetadata().getName(), "--", "rm", "/tmp/unready").ok();
        Await.until(WAIT, "ready again", () -> endpoints("web"), e -> ips(e, true).equals(three));
        Await.until(WAIT, "ready again in the slice", () -> sliceEndpoints("web"),
                l -> l.stream().allMatch(e -> e.getConditions().getReady()));
        // Settled: what the controllers wrote is what they want, so nothing is written again.
        String settledEndpoints = endpoints("web").getMetadata().getResourceVersion();
        String settledSlice = slices("web").getFirst().getMetadata().getResourceVersion();
        Thread.sleep(1_500);
        assertEquals(settledEndpoints, endpoints("web").getMetadata().getResourceVersion());
        assertEquals(settledSlice, slices("web").getFirst().getMetadata().getResourceVersion());

        String table = cluster.kubectl().run("get", "endpoints", "web").ok().out();
        assertTrue(table.matches("(?s)NAME\\s+ENDPOINTS\\s+AGE\\s+web\\s+10\\.244\\.\\d+\\.\\d+:8080,10\\.244\\.\\d+\\.\\d+:8080,"
                + "10\\.244\\.\\d+\\.\\d+:8080\\s+\\S+\\s*"), table);
        String slicesTable = cluster.kubectl().run("get", "endpointslices", "-l", "kubernetes.io/service-name=web").ok().out();
        assertTrue(slicesTable.matches("(?s)NAME\\s+ADDRESSTYPE\\s+PORTS\\s+ENDPOINTS\\s+AGE\\s+web-\\S+\\s+IPv4\\s+8080\\s+"
                + "10\\.244\\.\\d+\\.\\d+,10\\.244\\.\\d+\\.\\d+,10\\.244\\.\\d+\\.\\d+\\s+\\S+\\s*"), slicesTable);

        // Deleting the Service deletes its Endpoints, and the garbage collector its slices.
        cluster.kubectl().run("delete", "service", "web").ok();
        Await.until(WAIT, "Endpoints gone", () -> endpoints("web"), Objects::isNull);
        Await.until(WAIT, "slices gone", () -> slices("web"), List::isEmpty);
        cluster.kubectl().run("delete", "rs", "web").ok();
    }

    private static Pod pod(String name, String app, Integer httpPort, boolean ready) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace("default").addToLabels("app", app)
                .endMetadata().withNewSpec().addNewContainer().withName("app").withImage("kubus/busybox:1").endContainer()
                .endSpec();
        if (httpPort != null) {
            b.editSpec().editFirstContainer().addNewPort().withName("http").withContainerPort(httpPort).endPort()
                    .endContainer().endSpec();
        }
        // never ready: the probe waits for a file nobody makes
        if (!ready) {
            b.editSpec().editFirstContainer().withNewReadinessProbe().withNewExec().withCommand("test", "-e", "/tmp/ready")
                    .endExec().withPeriodSeconds(1).endReadinessProbe().endContainer().endSpec();
        }
        return b.build();
    }

    @Test
    void aNamedTargetPortIsResolvedOnEachPodAndPodsWithoutItAreLeftOut() throws Exception {
        cluster.api().create(ResourceTypes.PODS, pod("named-a", "named", 8080, true));
        cluster.api().create(ResourceTypes.PODS, pod("named-b", "named", 9090, true));
        cluster.api().create(ResourceTypes.PODS, pod("named-c", "named", null, true));
        cluster.api().create(ResourceTypes.SERVICES, service("named", Map.of("app", "named"), "http"));
        readyPodIps("named", 3);
        Endpoints ep = Await.until(WAIT, "two subsets, one per resolved port", () -> endpoints("named"),
                e -> e != null && e.getSubsets().size() == 2 && ips(e, true).size() == 2);
        assertEquals(List.of(8080, 9090), ep.getSubsets().stream().map(s -> s.getPorts().getFirst().getPort()).sorted().toList());
        List<EndpointSlice> slices = Await.until(WAIT, "a slice per port set, and one for the pod without it",
                () -> slices("named"), l -> l.size() == 3);
        assertEquals(Set.of(List.of(), List.of(8080), List.of(9090)), slices.stream()
                .map(s -> s.getPorts().stream().map(p -> p.getPort()).toList()).collect(Collectors.toSet()));
    }

    @Test
    void publishNotReadyAddressesListsUnreadyPodsAsReady() throws Exception {
        cluster.api().create(ResourceTypes.PODS, pod("unready-a", "unready", 8080, false));
        Service plain = service("unready", Map.of("app", "unready"), 8080);
        cluster.api().create(ResourceTypes.SERVICES, plain);
        Service published = service("unready-published", Map.of("app", "unready"), 8080);
        published.getSpec().setPublishNotReadyAddresses(true);
        cluster.api().create(ResourceTypes.SERVICES, published);
        String ip = Await.until(WAIT, "the pod running with an address", () -> pods("unready").getFirst(),
                p -> p.getStatus().getPodIP() != null).getStatus().getPodIP();
        Await.until(WAIT, "not ready in the plain Service", () -> endpoints("unready"),
                e -> ips(e, false).equals(Set.of(ip)) && ips(e, true).isEmpty());
        Await.until(WAIT, "ready in the publishing Service", () -> endpoints("unready-published"),
                e -> ips(e, true).equals(Set.of(ip)) && ips(e, false).isEmpty());
        Endpoint e = Await.until(WAIT, "ready but not serving in its slice", () -> sliceEndpoints("unready-published"),
                l -> l.size() == 1).getFirst();
        assertTrue(e.getConditions().getReady());
        assertFalse(e.getConditions().getServing());
        Endpoint plainEndpoint = Await.until(WAIT, "not ready in the plain slice", () -> sliceEndpoints("unready"),
                l -> l.size() == 1).getFirst();
        assertFalse(plainEndpoint.getConditions().getReady());
    }

    @Test
    void aSelectorlessServiceKeepsItsUsersEndpointsAndAHeadlessOneIsLabelled() throws Exception {
        Service external = new ServiceBuilder().withNewMetadata().withName("external").withNamespace("default")
                .endMetadata().withNewSpec().addNewPort().withPort(5432).endPort().endSpec().build();
        cluster.api().create(ResourceTypes.SERVICES, external);
        Endpoints mine = cluster.api().create(ResourceTypes.ENDPOINTS, new EndpointsBuilder().withNewMetadata()
                .withName("external").withNamespace("default").endMetadata().addNewSubset().addNewAddress()
                .withIp("192.0.2.10").endAddress().addNewPort().withPort(5432).endPort().endSubset().build());

        cluster.api().create(ResourceTypes.PODS, pod("headless-a", "headless", 8080, true));
        Service headless = service("headless", Map.of("app", "headless"), 8080);
        headless.getSpec().setClusterIP("None");
        cluster.api().create(ResourceTypes.SERVICES, headless);
        Endpoints h = Await.until(WAIT, "the headless Service's Endpoints", () -> endpoints("headless"),
                e -> ips(e, true).size() == 1);
        assertEquals("", h.getMetadata().getLabels().get("service.kubernetes.io/headless"));
        Await.until(WAIT, "its slice labelled headless", () -> slices("headless"),
                l -> l.size() == 1 && "".equals(l.getFirst().getMetadata().getLabels().get("service.kubernetes.io/headless")));

        // By now the controllers have seen the selector-less Service too (they work in order of arrival).
        Endpoints after = endpoints("external");
        assertEquals(mine.getMetadata().getResourceVersion(), after.getMetadata().getResourceVersion(), "untouched");
        assertEquals(Set.of("192.0.2.10"), ips(after, true));
        assertTrue(slices("external").stream().noneMatch(s -> "endpointslice-controller.k8s.io"
                .equals(s.getMetadata().getLabels().get("endpointslice.kubernetes.io/managed-by"))));
    }

    @Test
    void moreThanAHundredPodsAreSplitOverSlicesOfAtMostAHundred() throws Exception {
        ReplicaSet big = replicaSet("many", 130);
        cluster.api().create(ResourceTypes.REPLICASETS, big);
        cluster.api().create(ResourceTypes.SERVICES, service("many", Map.of("app", "many"), "http"));
        List<EndpointSlice> slices = Await.until(Duration.ofSeconds(90), "130 ready endpoints in slices",
                () -> slices("many"), l -> l.stream().mapToLong(s -> s.getEndpoints().stream()
                        .filter(e -> e.getConditions().getReady()).count()).sum() == 130,
                l -> l.stream().map(s -> s.getMetadata().getName() + ":" + s.getEndpoints().size()).toList().toString());
        assertEquals(2, slices.size());
        assertTrue(slices.stream().allMatch(s -> s.getEndpoints().size() <= 100));
        Await.until(WAIT, "130 addresses in Endpoints", () -> endpoints("many"), e -> ips(e, true).size() == 130);
        cluster.kubectl().run("delete", "rs", "many").ok();
    }
}

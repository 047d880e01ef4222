package io.kubus.controllers.servicelb;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.SimulatedCluster;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LoadBalancer Services on a cluster of simulated nodes, as k3s's ServiceLB answers them: EXTERNAL-IP shows the
 * nodes' addresses; a second Service on the same port waits, with an event, until the first lets the port go; a
 * Service that stops being a LoadBalancer loses its addresses; another loadBalancerClass is left alone.
 */
class ServiceLoadBalancerTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final SimulatedCluster cluster = new SimulatedCluster("lb", 2);

    private static Service loadBalancer(String name, int port, String loadBalancerClass) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withType("LoadBalancer").withLoadBalancerClass(loadBalancerClass)
                .addToSelector("app", name).addNewPort().withPort(port).endPort().endSpec().build();
    }

    private static Set<String> ingress(String name) {
        Service s = cluster.api().get(ResourceTypes.SERVICES, "default", name, Service.class).orElseThrow();
        List<LoadBalancerIngress> ingress = s.getStatus() == null || s.getStatus().getLoadBalancer() == null ? null
                : s.getStatus().getLoadBalancer().getIngress();
        return Objects.requireNonNullElse(ingress, List.<LoadBalancerIngress>of()).stream()
                .map(i -> i.getIp() + "/" + i.getIpMode()).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> nodeAddresses() {
        return cluster.api().list(ResourceTypes.NODES, null, null, null, Node.class).items().stream()
                .map(n -> n.getStatus().getAddresses().stream().filter(a -> a.getType().equals("InternalIP"))
                        .findFirst().orElseThrow().getAddress() + "/VIP")
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void aLoadBalancerServiceGetsTheNodesAddressesAndOnePortServesOneService() throws Exception {
        Set<String> nodes = Await.until(WAIT, "two nodes with addresses", ServiceLoadBalancerTest::nodeAddresses,
                s -> s.size() >= 1);
        cluster.api().create(ResourceTypes.SERVICES, loadBalancer("front", 8080, null));
        long created = System.nanoTime();
        Await.until(WAIT, "front's EXTERNAL-IP", () -> ingress("front"), nodes::equals);
        System.out.printf("LoadBalancer addresses after %d ms%n", (System.nanoTime() - created) / 1_000_000);
        String table = cluster.kubectl().run("get", "svc", "front").ok().out();
        assertTrue(!table.contains("<pending>") && table.contains(nodes.iterator().next().split("/")[0]), table);

        // the same port again: pending while front holds it, with the reason in an event
        cluster.api().create(ResourceTypes.SERVICES, loadBalancer("second", 8080, null));
        Await.until(WAIT, "the PortInUse event", () -> cluster.kubectl().run("describe", "svc", "second").ok().out(),
                d -> d.contains("PortInUse") && d.contains("default/front"));
        assertEquals(Set.of(), ingress("second"), "the port is front's");
        assertTrue(cluster.kubectl().run("get", "svc", "second").ok().out().contains("<pending>"));

        // front stops being a LoadBalancer: its addresses go, and second gets the port
        cluster.kubectl().run("patch", "svc", "front", "-p", "{\"spec\":{\"type\":\"NodePort\"}}").ok();
        Await.until(WAIT, "front without addresses", () -> ingress("front"), Set::isEmpty);
        Await.until(WAIT, "second's EXTERNAL-IP", () -> ingress("second"), nodes::equals);

        // a Service of another load balancer's class is not this one's
        cluster.api().create(ResourceTypes.SERVICES, loadBalancer("metal", 9090, "example.com/metal"));
        Thread.sleep(1_000);
        assertEquals(Set.of(), ingress("metal"), "another class's Service is left to its load balancer");
    }
}

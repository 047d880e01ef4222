package io.kubus.scheduler;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.kubus.client.api.KubusApi;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.ApplicationContext;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Nodes as a node agent registers them (Ready, with allocatable), pods, and a scheduler context, for tests. */
final class TestClusters {
    private TestClusters() {
    }

    static ApplicationContext scheduler(GatewayFixture gateway) {
        return ApplicationContext.builder().environments(SchedulerApplication.ENVIRONMENT, "test")
                .properties(Map.of("kubus.scheduler.kubeconfig", gateway.schedulerKubeconfig(),
                        "kubus.kafka.bootstrap-servers", gateway.kafkaBootstrap(),
                        "kubus.scheduler.initial-backoff", "200ms", "kubus.scheduler.max-backoff", "2s",
                        "kubus.scheduler.port", -1))
                .start();
    }

    static Node node(String name, String cpu, String memory, int pods, Map<String, String> labels, List<Taint> taints) {
        Map<String, Quantity> res = Map.of("cpu", new Quantity(cpu), "memory", new Quantity(memory),
                "pods", new Quantity(Integer.toString(pods)));
        return new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).addToLabels("kubernetes.io/hostname", name)
                .endMetadata()
                .withNewSpec().withTaints(taints).endSpec()
                .withNewStatus().withCapacity(res).withAllocatable(res)
                .addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady").endCondition()
                .endStatus().build();
    }

    static Pod pod(String name, String cpu, String memory) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("kubus/busybox:1")
                .withNewResources().addToRequests("cpu", new Quantity(cpu)).addToRequests("memory", new Quantity(memory))
                .endResources().endContainer().endSpec().build();
    }

    static Pod await(KubusApi api, String name, Predicate<Pod> done, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Pod pod = null;
        while (System.nanoTime() < deadline) {
            pod = api.get(ResourceTypes.PODS, "default", name, Pod.class).orElse(null);
            if (pod != null && done.test(pod)) {
                return pod;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("pod " + name + " did not get there: " + pod);
    }

    static boolean bound(Pod p) {
        return p.getSpec().getNodeName() != null && !p.getSpec().getNodeName().isEmpty();
    }
}

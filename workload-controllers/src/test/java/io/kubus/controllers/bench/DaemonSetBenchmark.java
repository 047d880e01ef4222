package io.kubus.controllers.bench;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.kubus.client.api.KubusApi;
import io.kubus.controllers.testing.ClusterFixture;
import io.kubus.schema.ResourceTypes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static io.kubus.controllers.bench.Bench.IMAGE;
import static io.kubus.controllers.bench.Bench.barePod;
import static io.kubus.controllers.bench.Bench.await;
import static io.kubus.controllers.bench.Bench.startSimulatedCluster;
import static io.kubus.controllers.bench.Bench.intArg;
import static io.kubus.controllers.bench.Bench.seconds;
import static io.kubus.controllers.bench.Bench.stringArg;

/**
 * A DaemonSet on M simulated nodes (default 1,000): from its creation until every node has its pod available
 * (status.numberAvailable = M, as {@code kubectl rollout status} waits for); next to a baseline measured in the same
 * run: one bare pod per node, each bound to its node by the same node-name affinity a daemon pod carries, created by
 * 8 clients until an informer sees them all Ready, which is the same path minus the DaemonSet controller.
 */
public final class DaemonSetBenchmark {
    /** The baseline's pod on node N is named on-N. */
    private static final String POD_PREFIX = "on-";

    public static void main(String[] args) throws Exception {
        int nodes = intArg(args, "--nodes", 1_000);
        String out = stringArg(args, "--out", "target/bench-results-daemonset.md");
        Path data = Files.createTempDirectory("kubus-bench-daemonset");
        try (ClusterFixture cluster = ClusterFixture.start()) {
            KubusApi api = cluster.api();
            startSimulatedCluster(cluster, data, nodes);
            List<String> names = api.list(ResourceTypes.NODES, null, null, null, Node.class).items().stream()
                    .map(n -> n.getMetadata().getName()).toList();

            double baseline = baseline(cluster, names);
            System.out.printf("[bench] baseline: %.1f s%n", baseline);

            long t0 = System.nanoTime();
            api.create(ResourceTypes.DAEMONSETS, daemonSet());
            DaemonSet[] last = new DaemonSet[1];
            await("daemonset", () -> {
                last[0] = api.get(ResourceTypes.DAEMONSETS, "default", "bench", DaemonSet.class).orElseThrow();
                var s = last[0].getStatus();
                return s != null && s.getNumberAvailable() != null && s.getNumberAvailable() >= nodes;
            }, () -> String.valueOf(last[0].getStatus()));
            double placed = seconds(t0);
            System.out.printf("[bench] daemonset on every node: %.1f s%n", placed);

            String table = """
                    # DaemonSet benchmark

                    `./kubus bench daemonset --nodes %d`: simulated nodes (50 ms container start), gateway on H2, broker, \
                    scheduler, agents and controllers in one JVM, %d CPUs.

                    | phase | pods | seconds | pods/s | of the baseline |
                    |---|---:|---:|---:|---:|
                    | baseline: one bare pod per node (node-name affinity) by 8 clients → all Ready, seen by an informer | %d | %.1f | %.0f | 100%% |
                    | DaemonSet created → a pod available on every node (status.numberAvailable) | %d | %.1f | %.0f | %.0f%% |
                    """.formatted(nodes, Runtime.getRuntime().availableProcessors(), nodes, baseline, nodes / baseline,
                    nodes, placed, nodes / placed, 100 * baseline / placed);
            System.out.println(table);
            Files.writeString(Path.of(out), table);
        }
    }

    /** One bare pod per node in its own namespace, timed until all are Ready; then deleted (not timed). */
    private static double baseline(ClusterFixture cluster, List<String> nodes) throws Exception {
        try (BaselinePods pods = new BaselinePods(cluster, () -> { });
             ExecutorService clients = Executors.newFixedThreadPool(8)) {
            long t0 = System.nanoTime();
            List<String> names = nodes.stream().map(n -> POD_PREFIX + n).toList();
            pods.create(clients, names, name -> onNode(name.substring(POD_PREFIX.length())));
            await("baseline pods Ready", () -> pods.ready.size() >= nodes.size(), () -> pods.ready.size() + " ready");
            double took = seconds(t0);
            pods.deleteAll(clients, names);
            return took;
        }
    }

    /** A bare pod bound to {@code node} by the node-name affinity a daemon pod carries. */
    private static Pod onNode(String node) {
        Pod pod = barePod(BaselinePods.NAMESPACE, POD_PREFIX + node);
        pod.getSpec().setAffinity(new AffinityBuilder().withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution().addNewNodeSelectorTerm().addNewMatchField()
                .withKey("metadata.name").withOperator("In").withValues(node).endMatchField().endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().build());
        return pod;
    }

    private static DaemonSet daemonSet() {
        return new DaemonSetBuilder().withNewMetadata().withName("bench").withNamespace("default").endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "bench").endSelector()
                .withNewUpdateStrategy().withType("RollingUpdate").endUpdateStrategy()
                .withNewTemplate().withNewMetadata().addToLabels("app", "bench").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage(IMAGE).endContainer().endSpec()
                .endTemplate().endSpec().build();
    }
}

package io.kubus.scheduler.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kubus.client.api.KubusApi;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.scheduler.SchedulerApplication;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.ApplicationContext;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Schedules N pods onto M nodes (Node objects as agents register them; nothing runs the pods) and reports pods/s and
 * the p50/p99 time from each pod's creation to its binding, seen by a watch, next to kube-scheduler's published CI
 * floor. Pods are created by 8 clients while the scheduler runs, so creation and scheduling share the gateway.
 */
public final class SchedulerBenchmark {
    private static final double KUBE_SCHEDULER_FLOOR = 270.0;

    public static void main(String[] args) throws Exception {
        int nodes = intArg(args, "--nodes", 1_000);
        int pods = intArg(args, "--pods", 10_000);
        String out = args.length > 0 && List.of(args).contains("--out") ? args[List.of(args).indexOf("--out") + 1]
                : "target/bench-results.md";
        Map<String, Long> created = new ConcurrentHashMap<>();
        Map<String, Long> bound = new ConcurrentHashMap<>();
        try (GatewayFixture gateway = GatewayFixture.start(); KubusApi api = new KubusApi(gateway.clientConfig())) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            Map<String, Quantity> room = Map.of("cpu", new Quantity("32"), "memory", new Quantity("128Gi"),
                    "pods", new Quantity("110"));
            List<java.util.concurrent.Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                String name = "node-" + i;
                fs.add(pool.submit(() -> api.create(ResourceTypes.NODES, new NodeBuilder().withNewMetadata().withName(name)
                        .addToLabels("kubernetes.io/hostname", name).endMetadata()
                        .withNewStatus().withCapacity(room).withAllocatable(room).addNewCondition().withType("Ready")
                        .withStatus("True").endCondition().endStatus().build())));
            }
            for (var f : fs) {
                f.get();
            }
            System.out.printf("[bench] %d nodes registered%n", nodes);
            try (ApplicationContext scheduler = ApplicationContext.builder().environments(SchedulerApplication.ENVIRONMENT)
                    .properties(Map.of("kubus.scheduler.kubeconfig", gateway.schedulerKubeconfig(),
                            "kubus.kafka.bootstrap-servers", gateway.kafkaBootstrap(), "kubus.scheduler.port", -1)).start()) {
                long rv = api.list(ResourceTypes.PODS, "default", null, null, Pod.class).resourceVersionNumber();
                CountDownLatch all = new CountDownLatch(pods);
                HttpClient http = io.kubus.gateway.testing.TestPki.adminHttp();
                HttpResponse<java.util.stream.Stream<String>> watch = http.send(HttpRequest.newBuilder(URI.create(
                        gateway.baseUrl() + "/api/v1/namespaces/default/pods?watch=true&resourceVersion=" + rv)).build(),
                        HttpResponse.BodyHandlers.ofLines());
                Thread.ofVirtual().start(() -> {
                    try {
                        watch.body().forEach(line -> {
                            try {
                                JsonNode o = KubusJson.json().readTree(line).path("object");
                                String name = o.path("metadata").path("name").asText();
                                if (!o.path("spec").path("nodeName").asText("").isEmpty()
                                        && bound.putIfAbsent(name, System.nanoTime()) == null) {
                                    all.countDown();
                                }
                            } catch (IOException e) {
                                // ofLines gives whole lines
                            }
                        });
                    } catch (java.io.UncheckedIOException e) {
                        // closed at the end
                    }
                });
                long t0 = System.nanoTime();
                fs.clear();
                for (int i = 0; i < pods; i++) {
                    String name = "pod-" + i;
                    fs.add(pool.submit(() -> {
                        long start = System.nanoTime();
                        api.create(ResourceTypes.PODS, new PodBuilder().withNewMetadata().withName(name).withNamespace("default")
                                .endMetadata().withNewSpec().addNewContainer().withName("app").withImage("kubus/busybox:1")
                                .withNewResources().addToRequests("cpu", new Quantity("100m"))
                                .addToRequests("memory", new Quantity("64Mi")).endResources().endContainer().endSpec().build());
                        created.put(name, start);
                        return null;
                    }));
                }
                for (var f : fs) {
                    f.get();
                }
                long createdAll = System.nanoTime();
                System.out.printf("[bench] %d pods created in %d ms%n", pods, (createdAll - t0) / 1_000_000);
                if (!all.await(15, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("only " + bound.size() + " of " + pods + " pods were bound");
                }
                long boundAll = bound.values().stream().mapToLong(Long::longValue).max().orElseThrow();
                pool.shutdown();
                watch.body().close();
                List<Long> latency = new ArrayList<>();
                for (Map.Entry<String, Long> e : bound.entrySet()) {
                    Long c = created.get(e.getKey());
                    if (c != null) {
                        latency.add(Math.max(0, e.getValue() - c));
                    }
                }
                Collections.sort(latency);
                double seconds = (boundAll - t0) / 1e9;
                double rate = pods / seconds;
                double createRate = pods / ((createdAll - t0) / 1e9);
                String table = """
                        # Scheduler benchmark

                        `./kubus bench scheduler --nodes %d --pods %d`: pods of 100m/64Mi created by 8 clients through the \
                        gateway while the scheduler runs; binding seen by a watch. %d CPUs; gateway, broker, scheduler and \
                        clients in one JVM.

                        | measure | value |
                        |---|---:|
                        | pods scheduled and bound | %d |
                        | throughput, first create to last binding | %.0f pods/s |
                        | creation rate through the gateway (the ceiling here) | %.0f pods/s |
                        | creation → binding p50 | %.0f ms |
                        | creation → binding p99 | %.0f ms |
                        | kube-scheduler's published CI floor (10,000 pods on 5,000 nodes) | %.0f pods/s |
                        """.formatted(nodes, pods, Runtime.getRuntime().availableProcessors(), pods, rate, createRate,
                        pct(latency, 50), pct(latency, 99), KUBE_SCHEDULER_FLOOR);
                System.out.println(table);
                Files.writeString(Path.of(out), table);
            }
        }
    }

    private static double pct(List<Long> sorted, int p) {
        int i = Math.max(0, (int) Math.ceil(p / 100.0 * sorted.size()) - 1);
        return sorted.get(i) / 1e6;
    }

    private static int intArg(String[] args, String name, int fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }
}

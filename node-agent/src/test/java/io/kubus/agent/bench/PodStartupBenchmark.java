package io.kubus.agent.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kubus.agent.NodeAgentApplication;
import io.kubus.agent.runtime.ContainerInfo;
import io.kubus.agent.runtime.docker.DockerRuntime;
import io.kubus.client.api.KubusApi;
import io.kubus.gateway.testing.GatewayFixture;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Pod start-up on Kubus (a pod created through the API, until a watch sees it Running) next to the floor a user would
 * measure by hand, in the same run and on the same engine: {@code docker run -d} of the same image and command,
 * followed by {@code docker inspect}. Prints both and their ratio; not a test.
 */
public final class PodStartupBenchmark {
    private static final String IMAGE = "kubus/busybox:1";

    public static void main(String[] args) throws Exception {
        int runs = intArg(args, "--runs", 10);
        int warmup = intArg(args, "--warmup", 2);
        String out = stringArg(args, "--out", "target/bench-results.md");
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "bench-pods-");
        String node = "bench-node";
        List<Long> kubus = new ArrayList<>();
        List<Long> docker = new ArrayList<>();
        try (GatewayFixture gateway = GatewayFixture.start();
             ApplicationContext agent = ApplicationContext.builder().environments(NodeAgentApplication.ENVIRONMENT)
                     .properties(Map.of("kubus.agent.kubeconfig", gateway.nodeKubeconfig(node),
                             "kubus.kafka.bootstrap-servers", gateway.kafkaBootstrap(),
                             "kubus.agent.runtime", "docker", "kubus.agent.node-name", node,
                             "kubus.agent.proxy.enabled", "false",
                             "kubus.agent.data-dir", dir.toString()))
                     .start();
             KubusApi api = new KubusApi(gateway.clientConfig());
             DockerRuntime engine = new DockerRuntime(URI.create("unix:///var/run/docker.sock"), node)) {
            HttpClient http = io.kubus.gateway.testing.TestPki.adminHttp();
            for (int i = 0; i < warmup + runs; i++) {
                boolean measured = i >= warmup;
                long k = kubusStartup(http, gateway.baseUrl(), api, node, "bench-" + i);
                long d = dockerRunStartup("kubus-bench-" + i);
                if (measured) {
                    kubus.add(k);
                    docker.add(d);
                }
                System.out.printf("[bench] %s run %d: kubus %d ms, docker run + inspect %d ms%n",
                        measured ? "measured" : "warm-up", i, k / 1_000_000, d / 1_000_000);
                api.delete(ResourceTypes.PODS, "default", "bench-" + i, 0L, null);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && !engine.list().isEmpty()) {
                Thread.sleep(200);
            }
            for (ContainerInfo c : engine.list()) {
                engine.stopContainer(c.id(), Duration.ZERO);
                engine.removeContainer(c.id());
            }
        }
        String table = report(kubus, docker, runs, warmup);
        System.out.println(table);
        Files.writeString(Path.of(out), table);
        System.out.println("Markdown: " + Path.of(out).toAbsolutePath());
    }

    /** Create → the first watch event that shows the pod Running with its container running. */
    private static long kubusStartup(HttpClient http, String base, KubusApi api, String node, String name)
            throws Exception {
        BlockingQueue<Long> running = new LinkedBlockingQueue<>();
        long rv = api.list(ResourceTypes.PODS, "default", null, null, Pod.class).resourceVersionNumber();
        HttpRequest watch = HttpRequest.newBuilder(URI.create(base + "/api/v1/namespaces/default/pods?watch=true"
                + "&fieldSelector=metadata.name%3D" + name + "&resourceVersion=" + rv + "&timeoutSeconds=120")).build();
        var stream = http.sendAsync(watch, HttpResponse.BodyHandlers.ofLines());
        Pod pod = new PodBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withNodeName(node).withTerminationGracePeriodSeconds(1L)
                .addNewContainer().withName("app").withImage(IMAGE).withCommand("sleep", "3600").endContainer()
                .endSpec().build();
        HttpResponse<Stream<String>> response = stream.get(10, TimeUnit.SECONDS);
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                response.body().forEach(line -> {
                    try {
                        JsonNode obj = KubusJson.json().readTree(line).path("object");
                        if ("Running".equals(obj.path("status").path("phase").asText())
                                && obj.path("status").path("containerStatuses").path(0).path("state").has("running")) {
                            running.add(System.nanoTime());
                        }
                    } catch (IOException e) {
                        // a partial line cannot happen with ofLines
                    }
                });
            } catch (java.io.UncheckedIOException e) {
                // the watch is closed once the pod was seen Running
            }
        });
        long t0 = System.nanoTime();
        api.create(ResourceTypes.PODS, pod);
        Long seen = running.poll(120, TimeUnit.SECONDS);
        reader.interrupt();
        response.body().close();
        if (seen == null) {
            throw new IllegalStateException("pod " + name + " was not seen Running in 120 s");
        }
        return seen - t0;
    }

    /** docker run -d of the same image and command, then docker inspect: what a user times by hand. */
    private static long dockerRunStartup(String name) throws Exception {
        long t0 = System.nanoTime();
        run("docker", "run", "-d", "--init", "--name", name, IMAGE, "sleep", "3600");
        run("docker", "inspect", "-f", "{{.State.Running}}", name);
        long t = System.nanoTime() - t0;
        run("docker", "rm", "-f", name);
        return t;
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String outText = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + outText);
        }
    }

    private static String report(List<Long> kubus, List<Long> docker, int runs, int warmup) {
        double k50 = percentile(kubus, 50);
        double d50 = percentile(docker, 50);
        return """
                # Pod start-up benchmark

                `./kubus bench pods --runs %d --warmup %d`: a one-container pod (`%s`, `sleep 3600`) on a Docker node agent, \
                from the create request until a watch sees it Running, next to `docker run -d --init` of the same image and \
                command followed by `docker inspect`, alternating in the same run on the same engine. %d CPUs.

                | start-up | runs | p50 ms | min ms | max ms |
                |---|---:|---:|---:|---:|
                | Kubus: create → Running seen by a watch | %d | %.0f | %.0f | %.0f |
                | floor: `docker run -d` + `docker inspect` | %d | %.0f | %.0f | %.0f |

                Ratio of the p50s: **%.2f×** (Kubus also starts a pause container that holds the pod's network namespace, \
                reports the status over Kafka and stores it through the gateway before the watch sees it).
                """.formatted(runs, warmup, IMAGE, Runtime.getRuntime().availableProcessors(),
                kubus.size(), k50, ms(Collections.min(kubus)), ms(Collections.max(kubus)),
                docker.size(), d50, ms(Collections.min(docker)), ms(Collections.max(docker)), k50 / d50);
    }

    private static double percentile(List<Long> values, int p) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return ms(sorted.get(Math.max(0, idx)));
    }

    private static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }

    private static int intArg(String[] args, String name, int fallback) {
        String v = stringArg(args, name, null);
        return v == null ? fallback : Integer.parseInt(v);
    }

    private static String stringArg(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}

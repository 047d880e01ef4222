package io.kubus.launcher.bench;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.client.api.KubusApi;
import io.kubus.client.config.ClientConfig;
import io.kubus.gateway.testing.Kubectl;
import io.kubus.launcher.KubusLauncher;
import io.kubus.launcher.LauncherOptions;
import io.kubus.schema.ResourceTypes;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Services on a whole cluster ({@code ./kubus up} in this JVM, one Docker node), measured from inside a pod as an
 * application sees them: HTTP requests per second and their p50/p99 through a Service's ClusterIP next to the same
 * load sent straight to its pods' IPs; DNS lookups of the Service's name per second and p99 through the kube-dns
 * ClusterIP next to the node's DNS server asked directly; and, for pods added by scaling, the time from the pod
 * turning Ready (as a watch of the API sees it) to the first request the Service sends it (p50/p99). Not a test.
 *
 * <p>The client is {@link ServiceLoad}, compiled with this class and mounted into a pod of the JRE image.
 */
public final class ServiceBenchmark {
    private static final Pattern RESULT = Pattern.compile(
            "RESULT (\\w+) count=(\\d+) rate=([0-9.]+) p50us=(-?\\d+) p99us=(-?\\d+) errors=(\\d+)");
    private static final Pattern FIRST = Pattern.compile("FIRST (\\S+) (\\d+)");

    public static void main(String[] args) throws Exception {
        int seconds = intArg(args, "--seconds", 10);
        int connections = intArg(args, "--connections", 4);
        int added = intArg(args, "--new-pods", 10);
        String out = stringArg(args, "--out", "target/bench-results.md");
        Path classes = Path.of("target/test-classes").toAbsolutePath();
        Path data = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "bench-services-");
        LauncherOptions options = LauncherOptions.parse("--data", data.toString(), "--port", Integer.toString(freePort()),
                "--runtime", "docker");
        KubusLauncher launcher = new KubusLauncher(options);
        List<String> rows = new ArrayList<>();
        try {
            launcher.start();
            Kubectl kubectl = new Kubectl(options.kubeconfig(), data);
            try (KubusApi api = new KubusApi(ClientConfig.fromKubeconfig(options.kubeconfig()))) {
                Files.writeString(data.resolve("bench.yaml"), manifests(classes));
                kubectl.run("apply", "-f", data.resolve("bench.yaml").toString()).ok();
                awaitReady(api, "app=web", 2);
                awaitReady(api, "app=load", 2);
                String clusterIp = kubectl.run("get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}").ok().out().strip();
                String podIps = String.join(",", readyPods(api, "app=web").keySet().stream()
                        .map(ip -> "http://" + ip + "/").toList());
                String load = "java -cp /classes " + ServiceLoad.class.getName();
                // The baseline runs in a client pod of its own: each phase goes through the client's ports within
                // seconds, and a flow straight to a pod from a port that just reached the same pod through the
                // ClusterIP clashes with that flow's conntrack entry (the same reply tuple) and is dropped, which
                // would charge the baseline for the Service (or the other way round).
                Map<String, String> viaService = result(exec(kubectl, "load", load + " http http://" + clusterIp + "/ "
                        + seconds + " " + connections));
                Map<String, String> direct = result(exec(kubectl, "load-baseline", load + " http " + podIps + " "
                        + seconds + " " + connections));
                rows.add(row("HTTP, " + connections + " connections: ClusterIP", viaService, direct));
                rows.add(row("HTTP, " + connections + " connections: pod IPs (baseline)", direct, direct));

                String dnsDirect = kubectl.run("get", "node", "kubus-node", "-o",
                        "jsonpath={.status.addresses[?(@.type==\"InternalIP\")].address}").ok().out().strip() + ":" + dnsPort(args);
                String name = "web.default.svc.cluster.local";
                Map<String, String> dnsService = result(exec(kubectl, "load", load + " dns 10.96.0.10:53 " + name + " "
                        + seconds + " 1"));
                Map<String, String> dnsNode = result(exec(kubectl, "load-baseline", load + " dns " + dnsDirect + " " + name
                        + " " + seconds + " 1"));
                rows.add(row("DNS A lookups, 1 client: kube-dns ClusterIP", dnsService, dnsNode));
                rows.add(row("DNS A lookups, 1 client: node's server direct (baseline)", dnsNode, dnsNode));

                rows.add(readyToFirstRequest(api, kubectl, load, clusterIp, added));
            }
        } finally {
            launcher.close();
            cleanUp();
        }
        String table = """
                `./kubus bench services --seconds %d --connections %d --new-pods %d`: one Docker node, %d CPUs, %s.

                | measure | rate /s | p50 | p99 | vs baseline |
                |---|---|---|---|---|
                %s
                """.formatted(seconds, connections, added, Runtime.getRuntime().availableProcessors(),
                java.time.LocalDate.now(), String.join("\n", rows));
        System.out.println(table);
        Files.writeString(Path.of(out), table);
        System.exit(0);
    }

    /** The time from Ready (as the API shows it) to the first answer through the Service, for pods added one by one. */
    private static String readyToFirstRequest(KubusApi api, Kubectl kubectl, String load, String clusterIp, int added)
            throws Exception {
        Map<String, Long> firstAnswer = new ConcurrentHashMap<>();
        Process watcher = kubectl.start("exec", "load", "--", "sh", "-c",
                load + " first http://" + clusterIp + "/ " + (30 + added * 10));
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(watcher.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    Matcher m = FIRST.matcher(line);
                    if (m.find()) {
                        firstAnswer.put(m.group(1), Long.parseLong(m.group(2)));
                    }
                }
            } catch (IOException e) {
                // the exec ended
            }
        });
        // pods Ready before the measurement are not new: only the ones each scale-up adds are measured
        java.util.Set<String> known = new java.util.HashSet<>(readyPods(api, "app=web").values());
        Map<String, Long> ready = new HashMap<>();
        for (int i = 0; i < added; i++) {
            kubectl.run("scale", "deployment", "web", "--replicas=" + (known.size() + 1)).ok();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String fresh = null;
            while (fresh == null && System.nanoTime() < deadline) {
                for (String name : readyPods(api, "app=web").values()) {
                    if (!known.contains(name)) {
                        fresh = name;
                    }
                }
                if (fresh == null) {
                    Thread.sleep(20);
                }
            }
            if (fresh == null) {
                throw new IllegalStateException("no new ready pod of web within 60 s");
            }
            ready.put(fresh, System.currentTimeMillis());
            known.add(fresh);
            Thread.sleep(2_000); // let the client meet it before the next one comes
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!firstAnswer.keySet().containsAll(ready.keySet()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        watcher.destroy();
        reader.join(5_000);
        List<Long> delays = new ArrayList<>();
        for (Map.Entry<String, Long> e : ready.entrySet()) {
            Long seen = firstAnswer.get(e.getKey());
            if (seen != null) {
                delays.add(Math.max(0, seen - e.getValue()));
            }
        }
        Collections.sort(delays);
        return "| Ready -> first request through the ClusterIP (" + delays.size() + " of " + added + " new pods answered) | | "
                + pct(delays, 50) + " ms | " + pct(delays, 99) + " ms | |";
    }

    private static long pct(List<Long> sorted, int p) {
        return sorted.isEmpty() ? -1 : sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100));
    }

    private static String row(String what, Map<String, String> r, Map<String, String> baseline) {
        double rate = Double.parseDouble(r.get("rate"));
        double base = Double.parseDouble(baseline.get("rate"));
        return "| %s | %.0f | %.2f ms | %.2f ms | %.2fx (errors %s) |".formatted(what, rate,
                Long.parseLong(r.get("p50us")) / 1000.0, Long.parseLong(r.get("p99us")) / 1000.0, rate / base, r.get("errors"));
    }

    private static Map<String, String> result(String output) {
        Matcher m = RESULT.matcher(output);
        if (!m.find()) {
            throw new IllegalStateException("no result in: " + output);
        }
        System.out.println("[bench] " + m.group());
        return Map.of("what", m.group(1), "count", m.group(2), "rate", m.group(3), "p50us", m.group(4),
                "p99us", m.group(5), "errors", m.group(6));
    }

    /** Ready pods of a selector: pod IP -> name. */
    private static Map<String, String> readyPods(KubusApi api, String selector) {
        Map<String, String> ready = new HashMap<>();
        for (Pod p : api.list(ResourceTypes.PODS, "default", selector, null, Pod.class).items()) {
            if (p.getMetadata().getDeletionTimestamp() == null && p.getStatus() != null && p.getStatus().getPodIP() != null
                    && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                    .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"))) {
                ready.put(p.getStatus().getPodIP(), p.getMetadata().getName());
            }
        }
        return ready;
    }

    private static void awaitReady(KubusApi api, String selector, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (readyPods(api, selector).size() < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(count + " ready pods of " + selector + " not within 120 s");
            }
            Thread.sleep(200);
        }
    }

    private static String manifests(Path classes) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  replicas: 2
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      terminationGracePeriodSeconds: 1
                      containers:
                      - name: httpd
                        image: kubus/busybox:1
                        command: ["sh", "-c", "mkdir -p /www && echo $HOSTNAME > /www/index.html && exec httpd -f -p 80 -h /www"]
                        readinessProbe:
                          httpGet: {path: /, port: 80}
                          periodSeconds: 1
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec:
                  selector: {app: web}
                  ports: [{port: 80}]
                ---
                %s
                ---
                %s
                """.formatted(loadPod("load", classes), loadPod("load-baseline", classes));
    }

    /** A client pod of the JRE image with the bench's classes. */
    private static String loadPod(String name, Path classes) {
        return """
                apiVersion: v1
                kind: Pod
                metadata: {name: %s, labels: {app: load}}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: load
                    image: kubus/jre:25
                    command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]
                    volumeMounts: [{name: classes, mountPath: /classes, readOnly: true}]
                  volumes:
                  - name: classes
                    hostPath: {path: %s}
                """.formatted(name, classes).strip();
    }

    private static String dnsPort(String[] args) {
        return stringArg(args, "--dns-port", "10053");
    }

    /** The service rules and pods the launcher's close left (they outlive their agent by design). */
    private static void cleanUp() throws Exception {
        io.kubus.agent.proxy.ServiceProxyCleanup.main(new String[]{"kubus-node"});
        Process p = new ProcessBuilder("sh", "-c", "docker ps -aq --filter label=io.kubus.node=kubus-node | xargs -r docker rm -f")
                .inheritIO().start();
        p.waitFor(60, TimeUnit.SECONDS);
    }

    private static String exec(Kubectl kubectl, String pod, String command) {
        return kubectl.run(120, "exec", pod, "--", "sh", "-c", command).ok().out();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
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

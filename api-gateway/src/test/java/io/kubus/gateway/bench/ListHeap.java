package io.kubus.gateway.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.testing.ServiceProcess;
import io.kubus.schema.KubusJson;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The heap a gateway needs to serve one unpaged list of many pods, measured in a gateway process of its own (so that
 * the benchmark's clients and broker do not count), next to the same process's heap at rest in the same run.
 *
 * <p>The pods are one pod as the gateway stored it, copied under other names straight into the database while the
 * gateway is stopped (creating 30,000 through the API would take minutes). The gateway runs with SerialGC and a GC
 * log. What a full collection leaves is what the process holds at that moment: the baseline is that at rest, the
 * list's peak is the highest of full collections run back to back (jcmd GC.run) while lists are read, and a list in
 * flight is measured while its client waits after 1 MiB. The list is read by a client that counts and drops its bytes.
 */
final class ListHeap {
    private static final Pattern GC = Pattern.compile("Pause (Young|Full).*? (\\d+)M->(\\d+)M\\((\\d+)M\\)");
    private static final String NS = "heap";

    /**
     * @param idleMiB     at rest, after a full collection
     * @param pausedMiB   after a full collection while a client has read 1 MiB of the list and waits
     * @param peakLiveMiB the most any full collection left while lists were read (sampled back to back)
     * @param peakUsedMiB the most in use before any collection while lists were read (garbage included)
     * @param samples     full collections that sampled the lists
     */
    record Measured(int objects, long listBytes, long idleMiB, long pausedMiB, long peakLiveMiB, long peakUsedMiB,
                    long millis, int samples, String maxHeap) {
    }

    private ListHeap() {
    }

    static Measured measure(Path dir, String kafkaBootstrap, int objects, String maxHeap) throws Exception {
        Path data = dir.resolve("heap");
        Files.createDirectories(data);
        String jdbc = "jdbc:h2:file:" + data.resolve("kubus") + io.kubus.gateway.store.H2Settings.URL_FLAGS;
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, Object> props = Map.of("micronaut.server.port", port, "kubus.kafka.bootstrap-servers", kafkaBootstrap,
                "datasources.default.url", jdbc, "datasources.default.username", "sa", "datasources.default.password", "",
                "kubus.auth.pki-dir", io.kubus.gateway.testing.TestPki.dir().toString());
        String base = "https://127.0.0.1:" + port;
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(io.kubus.gateway.testing.TestPki.ssl(io.kubus.gateway.testing.TestPki.admin())).build();

        // One pod as the gateway stores it.
        String template;
        try (ServiceProcess gw = ServiceProcess.start(GatewayApplication.class.getName(),
                List.of("-Xmx" + maxHeap, "-XX:+UseSerialGC"), props, data.resolve("gateway.log"))) {
            awaitReady(http, base, gw);
            send(http, base, "POST", "/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\""
                    + NS + "\"}}", 201);
            send(http, base, "POST", "/api/v1/namespaces/" + NS + "/pods", POD, 201);
            template = send(http, base, "GET", "/api/v1/namespaces/" + NS + "/pods/pod-00000", null, 200);
        }
        fill(jdbc, template, objects);

        Path gcLog = data.resolve("gc.log");
        try (ServiceProcess gw = ServiceProcess.start(GatewayApplication.class.getName(),
                List.of("-Xmx" + maxHeap, "-XX:+UseSerialGC", "-Xlog:gc:file=" + gcLog), props,
                data.resolve("gateway.log"))) {
            awaitReady(http, base, gw);
            String path = "/api/v1/namespaces/" + NS + "/pods";
            long bytes = readAll(http, base + path); // warm-up: classes loaded, JIT, H2's cache filled
            if (bytes < (long) objects * template.length()) {
                throw new IllegalStateException("the list is short: " + bytes + " bytes for " + objects + " pods");
            }
            fullGc(gw, gcLog);
            long idle = lastFullGcAfter(gcLog);
            long best = Long.MAX_VALUE;
            for (int run = 0; run < 2; run++) {
                long t0 = System.nanoTime();
                readAll(http, base + path);
                best = Math.min(best, System.nanoTime() - t0);
            }
            // Peaks: full collections one after another while the list is read; each one's result is what the
            // gateway held at that moment. Their highest is the list's peak (sampled, so a lower bound of the truth).
            long peakLive = 0;
            long peakUsed = 0;
            int samples = 0;
            for (int run = 0; run < 2; run++) {
                int from = lines(gcLog).size();
                java.util.concurrent.atomic.AtomicBoolean reading = new java.util.concurrent.atomic.AtomicBoolean(true);
                Thread sampler = Thread.ofPlatform().start(() -> {
                    while (reading.get()) {
                        try {
                            jcmd(gw, "GC.run");
                        } catch (Exception e) {
                            return;
                        }
                    }
                });
                readAll(http, base + path);
                reading.set(false);
                sampler.join();
                List<String> during = lines(gcLog);
                for (String line : during.subList(from, during.size())) {
                    Matcher m = GC.matcher(line);
                    if (m.find()) {
                        peakUsed = Math.max(peakUsed, Long.parseLong(m.group(2)));
                        if (m.group(1).equals("Full")) {
                            samples++;
                            peakLive = Math.max(peakLive, Long.parseLong(m.group(3)));
                        }
                    }
                }
            }
            // A list in flight: the client reads 1 MiB and stops; a full collection then shows what the gateway holds
            // for it (whatever it buffered ahead of a slow client included).
            long paused;
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                    .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                in.readNBytes(1 << 20);
                Thread.sleep(2000); // the gateway writes ahead as far as it will
                fullGc(gw, gcLog);
                paused = lastFullGcAfter(gcLog);
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            return new Measured(objects, bytes, idle, paused, peakLive, peakUsed, best / 1_000_000, samples, maxHeap);
        }
    }

    /** Copies the pod under new names, uids and versions into api_object, as if created one by one. */
    private static void fill(String jdbc, String template, int objects) throws Exception {
        ObjectNode pod = (ObjectNode) KubusJson.json().readTree(template);
        try (Connection c = DriverManager.getConnection(jdbc, "sa", "")) {
            c.setAutoCommit(false);
            long version;
            try (var st = c.createStatement(); var rs = st.executeQuery("SELECT current_version FROM resource_version WHERE id = 1")) {
                rs.next();
                version = rs.getLong(1);
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO api_object "
                    + "(resource, namespace, name, uid, resource_version, body) VALUES ('/v1/pods', ?, ?, ?, ?, ?)")) {
                for (int i = 1; i < objects; i++) {
                    String name = String.format("pod-%05d", i);
                    String uid = UUID.randomUUID().toString();
                    long rv = ++version;
                    ObjectNode meta = (ObjectNode) pod.get("metadata");
                    meta.put("name", name);
                    meta.put("uid", uid);
                    meta.put("resourceVersion", Long.toString(rv));
                    ps.setString(1, NS);
                    ps.setString(2, name);
                    ps.setString(3, uid);
                    ps.setLong(4, rv);
                    ps.setString(5, KubusJson.write(pod));
                    ps.addBatch();
                    if (i % 1000 == 0) {
                        ps.executeBatch();
                        c.commit();
                    }
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE resource_version SET current_version = ? WHERE id = 1")) {
                ps.setLong(1, version);
                ps.executeUpdate();
            }
            c.commit();
            try (var st = c.createStatement()) {
                st.execute("SHUTDOWN");
            }
        }
    }

    /** GET, counting the body's bytes and dropping them. */
    private static long readAll(HttpClient http, String url) throws IOException, InterruptedException {
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Accept", "application/json")
                .timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + url + " answered " + r.statusCode());
        }
        long n = 0;
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = r.body()) {
            for (int k = in.read(buf); k >= 0; k = in.read(buf)) {
                n += k;
            }
        }
        return n;
    }

    private static void jcmd(ServiceProcess gw, String command) throws Exception {
        String jcmd = Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jcmd").toString();
        Process p = new ProcessBuilder(jcmd, Long.toString(gw.pid()), command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + command + " failed");
        }
    }

    private static void fullGc(ServiceProcess gw, Path gcLog) throws Exception {
        int before = lines(gcLog).size();
        jcmd(gw, "GC.run");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (lines(gcLog).stream().skip(before).noneMatch(l -> l.contains("Pause Full"))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no full collection in the GC log");
            }
            Thread.sleep(50);
        }
    }

    private static long lastFullGcAfter(Path gcLog) throws IOException {
        long after = -1;
        for (String line : lines(gcLog)) {
            Matcher m = GC.matcher(line);
            if (m.find() && m.group(1).equals("Full")) {
                after = Long.parseLong(m.group(3));
            }
        }
        return after;
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file) : new ArrayList<>();
    }

    private static void awaitReady(HttpClient http, String base, ServiceProcess gw) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!gw.isAlive()) {
                throw new IllegalStateException("the gateway process exited; see " + gw.log());
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the gateway process was not ready in 120 s");
    }

    private static String send(HttpClient http, String base, String method, String path, String body, int expect)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expect) {
            throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /** A pod of the size controllers make: two containers with env, ports, probes and resources, labels, an owner. */
    private static final String POD = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"pod-00000","namespace":"heap",
              "labels":{"app":"web","tier":"frontend","pod-template-hash":"6d4cf56db6"},
              "annotations":{"kubernetes.io/change-cause":"kubectl set image deployment/web server=kubus/busybox:2"},
              "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-6d4cf56db6",
                "uid":"0b7c6e8e-3a8f-4b8f-9d3c-1f2e3d4c5b6a","controller":true,"blockOwnerDeletion":true}]},
             "spec":{"containers":[
               {"name":"server","image":"kubus/busybox:1","command":["sh","-c","exec httpd -f -p 8080 -h /www"],
                "ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}],
                "env":[{"name":"MODE","value":"production"},{"name":"LEVEL","value":"info"},
                       {"name":"POD_NAME","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}],
                "resources":{"requests":{"cpu":"100m","memory":"64Mi"},"limits":{"cpu":"250m","memory":"128Mi"}},
                "readinessProbe":{"httpGet":{"path":"/","port":8080},"periodSeconds":2},
                "livenessProbe":{"tcpSocket":{"port":8080},"initialDelaySeconds":5}},
               {"name":"sidecar","image":"kubus/busybox:1","command":["sh","-c","while true; do sleep 5; done"],
                "resources":{"requests":{"cpu":"10m","memory":"16Mi"}}}],
              "nodeSelector":{"disktype":"ssd"},
              "tolerations":[{"key":"dedicated","operator":"Equal","value":"web","effect":"NoSchedule"}]}}""";
}

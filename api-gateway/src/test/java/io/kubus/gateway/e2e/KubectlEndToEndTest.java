package io.kubus.gateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.gateway.testing.Kubectl;
import io.kubus.schema.KubusJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The installed kubectl against a real gateway, through the commands a Kubernetes user types first. Each step checks
 * what kubectl prints, since that is what the user sees, and the stored state where printing could hide a mistake.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubectlEndToEndTest {
    private static final String POD = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              labels:
                app: web
                tier: frontend
            spec:
              containers:
              - name: server
                image: kubus/busybox:1
                command: ["httpd", "-f", "-p", "8080"]
                ports:
                - containerPort: 8080
                  name: http
                resources:
                  requests: {cpu: 100m, memory: 32Mi}
                  limits: {cpu: 250m, memory: 64Mi}
              - name: client
                image: kubus/busybox:1
                command: ["sh", "-c", "while true; do wget -qO- localhost:8080; sleep 2; done"]
                resources:
                  limits: {cpu: 100m, memory: 16Mi}
            """;
    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: nginx
              labels: {app: nginx}
            spec:
              replicas: 2
              selector:
                matchLabels: {app: nginx}
              template:
                metadata:
                  labels: {app: nginx}
                spec:
                  containers:
                  - name: nginx
                    image: nginx:1.27
                    ports:
                    - containerPort: 80
                  - name: sidecar
                    image: kubus/busybox:1
            """;

    @TempDir
    static Path dir;
    static GatewayFixture gateway;
    static Kubectl kubectl;

    @BeforeAll
    static void start() throws Exception {
        gateway = GatewayFixture.start();
        kubectl = new Kubectl(gateway.writeKubeconfig(dir), dir);
        Files.writeString(dir.resolve("pod.yaml"), POD);
        Files.writeString(dir.resolve("deploy.yaml"), DEPLOYMENT);
        Files.writeString(dir.resolve("deploy-v2.yaml"), DEPLOYMENT.replace("nginx:1.27", "nginx:1.28"));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    @Order(1)
    void versionAndDiscovery() {
        assertTrue(kubectl.run("version").ok().out().contains("Server Version: v1.32.0"));
        String resources = kubectl.run("api-resources").ok().out();
        assertTrue(resources.contains("deployments") && resources.contains("deploy") && resources.contains("apps/v1"), resources);
    }

    @Test
    @Order(2)
    void createTwoContainerPod() {
        assertEquals("pod/web created", kubectl.run("create", "-f", "pod.yaml").ok().out().trim());
        JsonNode pod = json("get", "pod", "web", "-o", "json");
        JsonNode server = pod.path("spec").path("containers").get(0);
        assertEquals("64Mi", server.path("resources").path("limits").path("memory").asText());
        assertEquals(8080, server.path("ports").get(0).path("containerPort").asInt());
        assertEquals("TCP", server.path("ports").get(0).path("protocol").asText(), "the default protocol");
        assertEquals("Always", pod.path("spec").path("restartPolicy").asText());
        assertEquals(30, pod.path("spec").path("terminationGracePeriodSeconds").asInt());
        assertEquals(2, pod.path("spec").path("containers").size());
        assertFalse(pod.path("metadata").path("uid").asText().isEmpty());
    }

    @Test
    @Order(3)
    void alreadyExistsMessage() {
        Kubectl.Result r = kubectl.run("create", "-f", "pod.yaml");
        assertNotEquals(0, r.exitCode());
        assertEquals("Error from server (AlreadyExists): error when creating \"pod.yaml\": pods \"web\" already exists",
                r.err().trim());
    }

    @Test
    @Order(4)
    void applyTwiceIsAStrategicMergePatch() {
        assertEquals("deployment.apps/nginx created", kubectl.run("apply", "-f", "deploy.yaml").ok().out().trim());
        assertEquals("deployment.apps/nginx unchanged", kubectl.run("apply", "-f", "deploy.yaml").ok().out().trim());
        long generation = json("get", "deploy", "nginx", "-o", "json").path("metadata").path("generation").asLong();
        assertEquals("deployment.apps/nginx configured", kubectl.run("apply", "-f", "deploy-v2.yaml").ok().out().trim());
        JsonNode d = json("get", "deploy", "nginx", "-o", "json");
        JsonNode containers = d.path("spec").path("template").path("spec").path("containers");
        assertEquals("nginx:1.28", containers.get(0).path("image").asText());
        assertEquals("sidecar", containers.get(1).path("name").asText(), "the merge keeps the other container");
        assertEquals(generation + 1, d.path("metadata").path("generation").asLong());
        assertTrue(d.path("metadata").path("annotations").path("kubectl.kubernetes.io/last-applied-configuration")
                .asText().contains("nginx:1.28"));
    }

    @Test
    @Order(5)
    void getPrintsTheColumnsKubectlUsersKnow() {
        String table = kubectl.run("get", "pods").ok().out();
        assertTrue(table.lines().findFirst().orElse("").matches("NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE"), table);
        assertTrue(table.contains("web") && table.contains("0/2") && table.contains("Pending"), table);
        String wide = kubectl.run("get", "pods", "-o", "wide").ok().out();
        assertTrue(wide.lines().findFirst().orElse("")
                .matches("NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE\\s+IP\\s+NODE\\s+NOMINATED NODE\\s+READINESS GATES"), wide);
        String deploy = kubectl.run("get", "deploy", "-o", "wide").ok().out();
        assertTrue(deploy.lines().findFirst().orElse("")
                .matches("NAME\\s+READY\\s+UP-TO-DATE\\s+AVAILABLE\\s+AGE\\s+CONTAINERS\\s+IMAGES\\s+SELECTOR"), deploy);
        assertTrue(deploy.contains("nginx,sidecar") && deploy.contains("app=nginx"), deploy);
        String yaml = kubectl.run("get", "pod", "web", "-o", "yaml").ok().out();
        assertTrue(yaml.startsWith("apiVersion: v1") && yaml.contains("kind: Pod") && yaml.contains("name: web"), yaml);
        JsonNode list = json("get", "pods", "-o", "json");
        assertEquals("List", list.path("kind").asText());
        assertEquals("web", list.path("items").get(0).path("metadata").path("name").asText());
        String all = kubectl.run("get", "all").ok().out();
        assertTrue(all.contains("pod/web") && all.contains("deployment.apps/nginx"), all);
    }

    @Test
    @Order(6)
    void watchSeesALaterChange() throws Exception {
        Process watch = kubectl.start("get", "pods", "-w", "--output-watch-events");
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.add(l);
                }
            } catch (Exception e) {
                // the process was stopped
            }
        });
        try {
            awaitLine(lines, "web", 20);
            int before = lines.size();
            kubectl.run("label", "pod", "web", "watched=yes").ok();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline && lines.stream().skip(before).noneMatch(l -> l.startsWith("MODIFIED") && l.contains("web"))) {
                Thread.sleep(100);
            }
            assertTrue(lines.stream().skip(before).anyMatch(l -> l.startsWith("MODIFIED") && l.contains("web")), lines.toString());
        } finally {
            watch.destroy();
            watch.waitFor(5, TimeUnit.SECONDS);
            reader.join(5_000);
        }
    }

    @Test
    @Order(7)
    void describeShowsThePod() {
        String out = kubectl.run("describe", "pod", "web").ok().out();
        assertTrue(out.lines().anyMatch(l -> l.matches("Name:\\s+web")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("Namespace:\\s+default")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("Service Account:\\s+default")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches(
                "\\s+/var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-[a-z0-9]{5} \\(ro\\)")), out);
        assertTrue(out.contains("Port:       8080/TCP"), out);
        assertTrue(out.contains("memory:  64Mi"), out);
        assertTrue(out.contains("client:"), out);
    }

    @Test
    @Order(8)
    void labelOverwriteAndRemoval() {
        kubectl.run("label", "pod", "web", "env=prod").ok();
        Kubectl.Result refused = kubectl.run("label", "pod", "web", "env=dev");
        assertTrue(refused.err().contains("'env' already has a value (prod), and --overwrite is false"), refused.err());
        kubectl.run("label", "pod", "web", "env=dev", "--overwrite").ok();
        assertEquals("dev", json("get", "pod", "web", "-o", "json").path("metadata").path("labels").path("env").asText());
        assertEquals("pod/web unlabeled", kubectl.run("label", "pod", "web", "env-").ok().out().trim());
        assertTrue(json("get", "pod", "web", "-o", "json").path("metadata").path("labels").path("env").isMissingNode());
    }

    @Test
    @Order(9)
    void labelSelectors() {
        assertTrue(names("-l", "app=web").contains("web"));
        assertTrue(names("-l", "app==web").contains("web"));
        assertFalse(names("-l", "app!=web").contains("web"));
        assertTrue(names("-l", "tier in (frontend, backend)").contains("web"));
        assertFalse(names("-l", "tier notin (frontend)").contains("web"));
        assertTrue(names("-l", "tier,!missing").contains("web"));
        assertFalse(names("-l", "!tier").contains("web"));
        Kubectl.Result bad = kubectl.run("get", "pods", "-l", "env in (a");
        assertTrue(bad.err().contains("BadRequest") && bad.err().contains("unable to parse requirement"), bad.err());
    }

    @Test
    @Order(10)
    void scale() {
        assertEquals("deployment.apps/nginx scaled", kubectl.run("scale", "deployment", "nginx", "--replicas=5").ok().out().trim());
        assertEquals(5, json("get", "deploy", "nginx", "-o", "json").path("spec").path("replicas").asInt());
        kubectl.run("scale", "deployment", "nginx", "--current-replicas=5", "--replicas=3").ok();
        assertEquals(3, json("get", "deploy", "nginx", "-o", "json").path("spec").path("replicas").asInt());
        Kubectl.Result stale = kubectl.run("scale", "deployment", "nginx", "--current-replicas=5", "--replicas=1");
        assertNotEquals(0, stale.exitCode());
    }

    @Test
    @Order(10)
    void exposeGivesTheServiceAClusterIp() {
        assertEquals("service/nginx exposed", kubectl.run("expose", "deployment", "nginx", "--port=80").ok().out().trim());
        String svc = kubectl.run("get", "svc", "nginx").ok().out();
        assertTrue(svc.lines().findFirst().orElse("").matches("NAME\\s+TYPE\\s+CLUSTER-IP\\s+EXTERNAL-IP\\s+PORT\\(S\\)\\s+AGE"), svc);
        assertTrue(svc.matches("(?s).*nginx\\s+ClusterIP\\s+10\\.\\d+\\.\\d+\\.\\d+\\s+<none>\\s+80/TCP.*"), svc);
    }

    @Test
    @Order(11)
    void errorMessages() throws Exception {
        Kubectl.Result missing = kubectl.run("get", "pod", "nosuch");
        assertEquals("Error from server (NotFound): pods \"nosuch\" not found", missing.err().trim());

        Files.writeString(dir.resolve("bad.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: bad
                spec:
                  containers:
                  - name: c
                """);
        Kubectl.Result invalid = kubectl.run("create", "-f", "bad.yaml");
        assertTrue(invalid.err().contains("The Pod \"bad\" is invalid: spec.containers[0].image: Required value"), invalid.err());

        JsonNode pod = json("get", "pod", "web", "-o", "json");
        ((com.fasterxml.jackson.databind.node.ObjectNode) pod.path("metadata")).put("resourceVersion", "1");
        ((com.fasterxml.jackson.databind.node.ObjectNode) pod.path("metadata").path("labels")).put("stale", "yes");
        Files.writeString(dir.resolve("stale.json"), KubusJson.write(pod));
        Kubectl.Result stale = kubectl.run("replace", "-f", "stale.json");
        assertTrue(stale.err().contains("Error from server (Conflict): error when replacing \"stale.json\": Operation cannot be "
                + "fulfilled on pods \"web\": the object has been modified; please apply your changes to the latest "
                + "version and try again"), stale.err());
        assertTrue(json("get", "pod", "web", "-o", "json").path("metadata").path("labels").path("stale").isMissingNode());
    }

    @Test
    @Order(12)
    void deleteByFileByNameAndBySelector() throws Exception {
        assertEquals("pod \"web\" deleted", kubectl.run("delete", "-f", "pod.yaml").ok().out().trim());
        assertTrue(kubectl.run("get", "pod", "web").err().contains("NotFound"));

        kubectl.run("create", "-f", "pod.yaml").ok();
        assertEquals("pod \"web\" deleted", kubectl.run("delete", "pod", "web").ok().out().trim());

        for (String n : List.of("a", "b", "c")) {
            Files.writeString(dir.resolve(n + ".yaml"), POD.replace("name: web", "name: web-" + n)
                    .replace("tier: frontend", "tier: " + (n.equals("c") ? "backend" : "batch")));
            kubectl.run("create", "-f", n + ".yaml").ok();
        }
        String deleted = kubectl.run("delete", "pods", "-l", "tier=batch").ok().out();
        assertTrue(deleted.contains("pod \"web-a\" deleted") && deleted.contains("pod \"web-b\" deleted"), deleted);
        assertEquals(List.of("web-c"), names());
        assertEquals("deployment.apps \"nginx\" deleted", kubectl.run("delete", "-f", "deploy.yaml").ok().out().trim());
    }

    /** kubectl get pages with --chunk-size: the pages of a list add up to all of it, printed under one header. */
    @Test
    @Order(13)
    void getPagesWithChunkSize() {
        assertEquals(201, gateway.request("POST", "/api/v1/namespaces", "application/json",
                "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"paging\"}}").status());
        List<String> expected = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String name = String.format("pod-%02d", i);
            expected.add(name);
            assertEquals(201, gateway.request("POST", "/api/v1/namespaces/paging/pods", "application/json", """
                    {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","labels":{"app":"paging"}},
                     "spec":{"containers":[{"name":"c","image":"kubus/busybox:1"}]}}""".formatted(name)).status());
        }
        Kubectl.Result r = kubectl.run("get", "pods", "-n", "paging", "--chunk-size=7", "-v=6").ok();
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.getFirst().startsWith("NAME "), r.out());
        assertEquals(expected, lines.subList(1, lines.size()).stream().map(l -> l.split("\\s+")[0]).toList(),
                "one header, then all 30 pods in order");
        List<String> requests = r.err().lines().filter(l -> l.contains("/api/v1/namespaces/paging/pods?")).toList();
        assertEquals(5, requests.size(), "30 pods in pages of 7: " + requests);
        assertEquals(4, requests.stream().filter(l -> l.contains("continue=")).count(), String.join("\n", requests));

        assertEquals(expected.stream().map(n -> "pod/" + n).toList(),
                kubectl.run("get", "pods", "-n", "paging", "--chunk-size=7", "-o", "name").ok().out().lines().toList());
        assertEquals(30, kubectl.run("get", "pods", "-A", "-l", "app=paging", "--chunk-size=4", "--no-headers").ok()
                .out().lines().count());
        JsonNode all = json("get", "pods", "-n", "paging", "--chunk-size=7", "-o", "json");
        assertEquals(30, all.path("items").size());
        assertEquals(30, kubectl.run("get", "pods", "-n", "paging", "--no-headers").ok().out().lines().count(),
                "kubectl's default chunk size of 500 holds them in one page");
    }

    private static List<String> names(String... selector) {
        String[] args = new String[selector.length + 3];
        args[0] = "get";
        args[1] = "pods";
        System.arraycopy(selector, 0, args, 2, selector.length);
        args[args.length - 1] = "-o=name";
        return kubectl.run(args).ok().out().lines().map(l -> l.replace("pod/", "")).toList();
    }

    private static JsonNode json(String... args) {
        try {
            return KubusJson.json().readTree(kubectl.run(args).ok().out());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void awaitLine(List<String> lines, String text, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline && lines.stream().noneMatch(l -> l.contains(text))) {
            Thread.sleep(100);
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains(text)), "kubectl get -w printed: " + lines);
    }
}

package io.kubus.gateway.protobuf;

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

import java.nio.file.Path;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The installed kubectl's typed-client commands against a real gateway: each sends its object as
 * application/vnd.kubernetes.protobuf (checked on the first at -v=8) and accepts the gateway's JSON answer.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubectlProtobufEndToEndTest {
    @TempDir
    static Path dir;
    static GatewayFixture gateway;
    static Kubectl kubectl;

    @BeforeAll
    static void start() {
        gateway = GatewayFixture.start();
        kubectl = new Kubectl(gateway.writeKubeconfig(dir), dir);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    @Order(1)
    void createNamespaceSendsProtobuf() {
        Kubectl.Result r = kubectl.run("create", "namespace", "team-a", "-v=8").ok();
        assertEquals("namespace/team-a created", r.out().trim());
        int at = r.err().indexOf("POST");
        assertTrue(at >= 0, r.err());
        String post = r.err().substring(at);
        assertTrue(post.contains("Content-Type: application/vnd.kubernetes.protobuf"), post);
        // kubectl 1.32 sends "Accept: application/vnd.kubernetes.protobuf,application/json", so JSON answers do.
        assertTrue(post.contains("Accept: application/vnd.kubernetes.protobuf,application/json"), post);
        assertTrue(post.contains("Content-Type: application/json"), post);
        JsonNode ns = json("get", "namespace", "team-a", "-o", "json");
        assertEquals("Active", ns.path("status").path("phase").asText());
        assertEquals("team-a", ns.path("metadata").path("name").asText());
        assertTrue(ns.path("metadata").path("generateName").isMissingNode(), ns.toString());
    }

    @Test
    @Order(2)
    void createConfigMap() {
        assertEquals("configmap/c1 created",
                kubectl.run("create", "configmap", "c1", "--from-literal=a=b", "-n", "team-a").ok().out().trim());
        JsonNode cm = json("get", "configmap", "c1", "-n", "team-a", "-o", "json");
        assertEquals("b", cm.path("data").path("a").asText());
        assertEquals("team-a", cm.path("metadata").path("namespace").asText());
    }

    @Test
    @Order(3)
    void createSecret() {
        assertEquals("secret/s1 created",
                kubectl.run("create", "secret", "generic", "s1", "--from-literal=pw=secret").ok().out().trim());
        JsonNode secret = json("get", "secret", "s1", "-o", "json");
        assertEquals(Base64.getEncoder().encodeToString("secret".getBytes()), secret.path("data").path("pw").asText());
        assertEquals("Opaque", secret.path("type").asText());
    }

    @Test
    @Order(4)
    void createDeployment() {
        assertEquals("deployment.apps/d1 created", kubectl.run("create", "deployment", "d1", "--image=nginx:1.27",
                "--replicas=2").ok().out().trim());
        JsonNode d = json("get", "deployment", "d1", "-o", "json");
        assertEquals(2, d.path("spec").path("replicas").asInt());
        JsonNode container = d.path("spec").path("template").path("spec").path("containers").get(0);
        assertEquals("nginx:1.27", container.path("image").asText());
        assertEquals("nginx", container.path("name").asText());
        assertEquals("d1", d.path("spec").path("selector").path("matchLabels").path("app").asText());
        assertEquals("RollingUpdate", d.path("spec").path("strategy").path("type").asText(), "defaulted");
        assertEquals("25%", d.path("spec").path("strategy").path("rollingUpdate").path("maxSurge").asText());
    }

    @Test
    @Order(5)
    void createService() {
        assertEquals("service/svc1 created",
                kubectl.run("create", "service", "clusterip", "svc1", "--tcp=80:8080").ok().out().trim());
        JsonNode svc = json("get", "service", "svc1", "-o", "json");
        JsonNode port = svc.path("spec").path("ports").get(0);
        assertEquals(80, port.path("port").asInt());
        assertEquals(8080, port.path("targetPort").asInt());
        assertTrue(port.path("targetPort").isInt(), port.toString());
        assertEquals("TCP", port.path("protocol").asText());
        assertEquals("ClusterIP", svc.path("spec").path("type").asText());
    }

    @Test
    @Order(6)
    void createJob() {
        assertEquals("job.batch/j1 created",
                kubectl.run("create", "job", "j1", "--image=busybox").ok().out().trim());
        JsonNode job = json("get", "job", "j1", "-o", "json");
        JsonNode pod = job.path("spec").path("template").path("spec");
        assertEquals("busybox", pod.path("containers").get(0).path("image").asText());
        assertEquals("Never", pod.path("restartPolicy").asText());
    }

    @Test
    @Order(7)
    void createCronJob() {
        assertEquals("cronjob.batch/cj1 created", kubectl.run("create", "cronjob", "cj1", "--image=busybox",
                "--schedule=*/5 * * * *").ok().out().trim());
        JsonNode cj = json("get", "cronjob", "cj1", "-o", "json");
        assertEquals("*/5 * * * *", cj.path("spec").path("schedule").asText());
        JsonNode pod = cj.path("spec").path("jobTemplate").path("spec").path("template").path("spec");
        assertEquals("busybox", pod.path("containers").get(0).path("image").asText());
        assertEquals("OnFailure", pod.path("restartPolicy").asText());
    }

    @Test
    @Order(8)
    void aDuplicateCreateStillReadsAsKubernetes() {
        Kubectl.Result r = kubectl.run("create", "namespace", "team-a");
        assertEquals(1, r.exitCode(), r.out());
        assertEquals("Error from server (AlreadyExists): namespaces \"team-a\" already exists", r.err().trim());
    }

    private static JsonNode json(String... args) {
        try {
            return KubusJson.json().readTree(kubectl.run(args).ok().out());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}

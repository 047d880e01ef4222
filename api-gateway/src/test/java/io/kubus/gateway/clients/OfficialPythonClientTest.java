package io.kubus.gateway.clients;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.gateway.testing.Kubectl;
import io.kubus.schema.KubusJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The official Kubernetes Python client (Debian's python3-kubernetes, which {@code .ci/prepare-machine} installs)
 * against a real gateway: {@code src/test/python/official_client.py} lists, watches from the list's version with
 * {@code watch.Watch().stream} (which sends {@code watch=True}), creates, patches (strategic for a dict, JSON patch
 * for a list), deletes, and reads a 404 and a 422 back as ApiExceptions. It prints what the client returned, one
 * JSON line per step; this test checks each against what kubectl and the store say.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OfficialPythonClientTest {
    /** Debian's interpreter: the package installs into its dist-packages, not into another python3 on PATH. */
    private static final String PYTHON = "/usr/bin/python3";
    private static final Path SCRIPT = Path.of("src/test/python/official_client.py");

    @TempDir
    static Path dir;
    private GatewayFixture gateway;
    private Kubectl kubectl;
    private Map<String, JsonNode> steps;
    private String output;

    @BeforeAll
    void run() throws Exception {
        requirePythonClient();
        gateway = GatewayFixture.start();
        Path kubeconfig = gateway.writeKubeconfig(dir);
        kubectl = new Kubectl(kubeconfig, dir);
        ProcessBuilder pb = new ProcessBuilder(PYTHON, SCRIPT.toAbsolutePath().toString(), kubeconfig.toString())
                .redirectErrorStream(true);
        pb.environment().remove("KUBECONFIG");
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the Python client did not finish in 120 s: " + new String(out, StandardCharsets.UTF_8));
        }
        output = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), output);
        steps = new LinkedHashMap<>();
        for (String line : output.lines().toList()) {
            if (line.startsWith("{")) {
                JsonNode step = KubusJson.json().readTree(line);
                steps.put(step.path("step").asText(), step);
            }
        }
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private static void requirePythonClient() throws IOException, InterruptedException {
        String why;
        if (!Files.isExecutable(Path.of(PYTHON))) {
            why = PYTHON + " is missing";
        } else {
            Process check = new ProcessBuilder(PYTHON, "-c", "import kubernetes").redirectErrorStream(true).start();
            String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            why = check.waitFor() == 0 ? null : "python3-kubernetes is missing (" + out.strip() + ")";
        }
        if (why != null) {
            fail(why + ": run .ci/prepare-machine (as root), which installs Debian's python3-kubernetes");
        }
    }

    private JsonNode step(String name) {
        JsonNode s = steps.get(name);
        assertNotNull(s, "the script reported step " + name + ": " + output);
        assertFalse(s.has("error"), name + " raised: " + s.path("error").asText() + "\n" + s.path("trace").asText());
        return s;
    }

    @Test
    void createReturnsTheStoredObject() {
        JsonNode create = step("create");
        assertEquals("ConfigMap", create.path("kind").asText());
        assertEquals("py-one", create.path("name").asText());
        assertFalse(create.path("uid").asText().isEmpty());
        assertEquals("1", create.path("data").path("a").asText());
    }

    @Test
    void listIsWhatKubectlLists() {
        JsonNode list = step("list");
        assertEquals("ConfigMapList", list.path("kind").asText());
        assertFalse(list.path("resourceVersion").asText().isEmpty());
        List<String> names = new ArrayList<>();
        list.path("names").forEach(n -> names.add(n.asText()));
        assertTrue(names.contains("py-one"), names.toString());
    }

    @Test
    void aWatchFromTheListsVersionIsAWatch() {
        // watch=True: before Kubus read booleans as kube-apiserver does, this was answered with a list.
        JsonNode watch = step("watch");
        assertEquals("[[\"ADDED\",\"py-watched\",\"1\"],[\"MODIFIED\",\"py-watched\",\"2\"],[\"DELETED\",\"py-watched\",\"2\"]]",
                watch.path("events").toString());
    }

    @Test
    void aDictPatchIsAStrategicMergeByName() {
        JsonNode patch = step("patch-strategic");
        assertEquals("[[\"c\",\"busybox:2\"],[\"side\",\"busybox:1\"]]", patch.path("containers").toString());
        String byKubectl = kubectl.run("get", "deployment", "py-web", "-o",
                "jsonpath={range .spec.template.spec.containers[*]}{.name}={.image} {end}").ok().out();
        assertEquals("c=busybox:2 side=busybox:1 ", byKubectl);
    }

    @Test
    void aListPatchIsAJsonPatch() {
        assertEquals("{\"b\":\"2\"}", step("patch-json").path("data").toString());
    }

    @Test
    void deleteRemovesTheObject() {
        assertTrue(step("delete").path("gone").asBoolean());
        assertEquals(1, kubectl.run("get", "configmap", "py-one").exitCode());
    }

    @Test
    void aMissingObjectIsAnApiExceptionWithTheNotFoundStatus() {
        JsonNode e = step("not-found");
        assertTrue(e.path("raised").asBoolean());
        assertEquals(404, e.path("status").asInt());
        assertEquals("Not Found", e.path("http_reason").asText());
        assertEquals("Status", e.path("kind").asText());
        assertEquals("NotFound", e.path("reason").asText());
        assertEquals("deployments.apps \"ghost\" not found", e.path("message").asText());
        assertEquals("{\"name\":\"ghost\",\"group\":\"apps\",\"kind\":\"deployments\"}", e.path("details").toString());
        assertEquals(404, e.path("code").asInt());
    }

    @Test
    void anInvalidObjectIsAnApiExceptionWithTheInvalidStatus() {
        JsonNode e = step("invalid");
        assertTrue(e.path("raised").asBoolean());
        assertEquals(422, e.path("status").asInt());
        assertEquals("Unprocessable Entity", e.path("http_reason").asText());
        assertEquals("Invalid", e.path("reason").asText());
        assertEquals("ConfigMap", e.path("details").path("kind").asText());
        assertEquals("Not_Valid", e.path("details").path("name").asText());
        assertFalse(e.path("details").has("group"), "a core kind's details have no group: " + e.path("details"));
        assertTrue(e.path("message").asText().startsWith("ConfigMap \"Not_Valid\" is invalid: metadata.name: Invalid value: \"Not_Valid\""),
                e.path("message").asText());
    }
}

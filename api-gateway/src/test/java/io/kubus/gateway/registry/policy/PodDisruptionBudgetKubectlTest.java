package io.kubus.gateway.registry.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.gateway.testing.Kubectl;
import io.kubus.schema.KubusJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PodDisruptionBudgets through the real kubectl: {@code kubectl create pdb} (a protobuf body), the columns of
 * {@code kubectl get pdb}, the zero status kube-apiserver shows for a new budget, and validation as kubectl prints it.
 * No controllers run here, so the status stays as created.
 */
class PodDisruptionBudgetKubectlTest {
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
    void createGetAndDescribe() throws Exception {
        assertEquals("poddisruptionbudget.policy/web created",
                kubectl.run("create", "pdb", "web", "--selector=app=web", "--min-available=1").ok().out().trim());
        assertEquals("poddisruptionbudget.policy/half created",
                kubectl.run("create", "pdb", "half", "--selector=app=web", "--max-unavailable=50%").ok().out().trim());
        // a zero budget is the sender's choice (a Go pointer), kept through protobuf
        kubectl.run("create", "pdb", "none", "--selector=app=db", "--max-unavailable=0").ok();

        List<String> lines = kubectl.run("get", "pdb").ok().out().lines().toList();
        assertEquals(List.of("NAME", "MIN", "AVAILABLE", "MAX", "UNAVAILABLE", "ALLOWED", "DISRUPTIONS", "AGE"),
                List.of(lines.get(0).trim().split("\\s+")));
        assertEquals(List.of("half", "N/A", "50%", "0"), cells(row(lines, "half")));
        assertEquals(List.of("none", "N/A", "0", "0"), cells(row(lines, "none")));
        assertEquals(List.of("web", "1", "N/A", "0"), cells(row(lines, "web")));

        JsonNode web = KubusJson.json().readTree(kubectl.run("get", "pdb", "web", "-o", "json").ok().out());
        assertEquals(KubusJson.json().readTree("""
                {"disruptionsAllowed":0,"currentHealthy":0,"desiredHealthy":0,"expectedPods":0}"""), web.path("status"));
        assertEquals(KubusJson.json().readTree("{\"minAvailable\":1,\"selector\":{\"matchLabels\":{\"app\":\"web\"}}}"),
                web.path("spec"));
        assertEquals(0, KubusJson.json().readTree(kubectl.run("get", "pdb", "none", "-o", "json").ok().out())
                .path("spec").path("maxUnavailable").asInt(-1));

        assertTrue(kubectl.run("api-resources", "--api-group=policy").ok().out()
                .matches("(?s).*poddisruptionbudgets\\s+pdb\\s+policy/v1\\s+true\\s+PodDisruptionBudget.*"));
        String described = kubectl.run("describe", "pdb", "web").ok().out();
        assertTrue(described.contains("Min available:  1"), described);
        assertTrue(described.contains("Selector:       app=web"), described);
    }

    @Test
    void validationAsKubectlPrintsIt() {
        Kubectl.Result over = kubectl.run("create", "pdb", "over", "--selector=app=web", "--min-available=150%");
        assertNotEquals(0, over.exitCode());
        assertEquals("error: failed to create poddisruptionbudgets: PodDisruptionBudget.policy \"over\" is invalid: "
                + "spec.minAvailable: Invalid value: \"150%\": must not be greater than 100%", over.err().trim());
        Kubectl.Result patched = kubectl.run("create", "pdb", "p", "--selector=app=web", "--min-available=1");
        patched.ok();
        Kubectl.Result both = kubectl.run("patch", "pdb", "p", "--type=merge", "-p", "{\"spec\":{\"maxUnavailable\":1}}");
        assertNotEquals(0, both.exitCode());
        assertTrue(both.err().contains("The PodDisruptionBudget \"p\" is invalid: spec: Invalid value: "
                + "policy.PodDisruptionBudgetSpec"), both.err());
        assertTrue(both.err().contains(": minAvailable and maxUnavailable cannot be both set"), both.err());
    }

    @Test
    void applyAManifestWithValidation() throws Exception {
        Path file = dir.resolve("pdb.yaml");
        java.nio.file.Files.writeString(file, """
                apiVersion: policy/v1
                kind: PodDisruptionBudget
                metadata:
                  name: applied
                spec:
                  maxUnavailable: 25%
                  unhealthyPodEvictionPolicy: AlwaysAllow
                  selector:
                    matchExpressions:
                    - {key: app, operator: In, values: [web, api]}
                """);
        assertEquals("poddisruptionbudget.policy/applied created", kubectl.run("apply", "-f", file.toString()).ok().out().trim());
        // The selector is tagged patchStrategy:"replace", so kubectl sends it at every apply and says "configured",
        // as it does against Kubernetes; the server finds nothing changed.
        String version = kubectl.run("get", "pdb", "applied", "-o", "jsonpath={.metadata.resourceVersion}").ok().out();
        assertEquals("poddisruptionbudget.policy/applied configured", kubectl.run("apply", "-f", file.toString()).ok().out().trim());
        assertEquals(version, kubectl.run("get", "pdb", "applied", "-o", "jsonpath={.metadata.resourceVersion}").ok().out());
        java.nio.file.Files.writeString(file, java.nio.file.Files.readString(file).replace("25%", "50%"));
        assertEquals("poddisruptionbudget.policy/applied configured", kubectl.run("apply", "-f", file.toString()).ok().out().trim());
        JsonNode applied = KubusJson.json().readTree(kubectl.run("get", "pdb", "applied", "-o", "json").ok().out());
        assertEquals("50%", applied.path("spec").path("maxUnavailable").asText());
        assertEquals(2, applied.path("metadata").path("generation").asInt(), "a spec change is a new generation");
        // a new selector replaces the stored one whole: no matchExpressions are left beside the matchLabels
        java.nio.file.Files.writeString(file, java.nio.file.Files.readString(file)
                .replace("matchExpressions:\n    - {key: app, operator: In, values: [web, api]}", "matchLabels: {app: web}"));
        kubectl.run("apply", "-f", file.toString()).ok();
        assertEquals(KubusJson.json().readTree("{\"matchLabels\":{\"app\":\"web\"}}"), KubusJson.json().readTree(
                kubectl.run("get", "pdb", "applied", "-o", "json").ok().out()).path("spec").path("selector"));
        GatewayFixture.Reply patched = gateway.request("PATCH", "/apis/policy/v1/namespaces/default/poddisruptionbudgets/applied",
                "application/strategic-merge-patch+json", "{\"spec\":{\"selector\":{\"matchExpressions\":"
                        + "[{\"key\":\"tier\",\"operator\":\"Exists\"}]}}}");
        assertEquals(KubusJson.json().readTree("{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"Exists\"}]}"),
                KubusJson.json().readTree(patched.body()).path("spec").path("selector"), patched.body());
    }

    private static String row(List<String> lines, String name) {
        return lines.stream().filter(l -> l.startsWith(name + " ")).findFirst().orElseThrow(() -> new AssertionError(
                "no row " + name + " in " + lines));
    }

    private static List<String> cells(String line) {
        return List.of(line.trim().split("\\s+")).subList(0, 4);
    }
}

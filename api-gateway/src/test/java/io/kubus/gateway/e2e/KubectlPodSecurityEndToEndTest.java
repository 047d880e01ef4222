package io.kubus.gateway.e2e;

import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.gateway.testing.Kubectl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The installed kubectl against a real gateway with Pod Security labels: what it prints for a warning, a refusal,
 * a bad label and a tightened namespace, word for word as against kube-apiserver.
 */
class KubectlPodSecurityEndToEndTest {
    private static final String POD = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: %s
              namespace: %s
            spec:
              hostNetwork: true
              containers:
              - name: c
                image: busybox
                securityContext:
                  privileged: true
              volumes:
              - name: root
                hostPath:
                  path: /
            """;

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
    void warnPrintsAWarningAndEnforcePrintsTheForbiddenError() throws Exception {
        kubectl.run("create", "namespace", "warned").ok();
        assertEquals("namespace/warned labeled", kubectl.run("label", "namespace", "warned",
                "pod-security.kubernetes.io/warn=restricted").ok().out().trim());
        Files.writeString(dir.resolve("warned.yaml"), POD.formatted("w", "warned"));
        Kubectl.Result warned = kubectl.run("apply", "-f", "warned.yaml").ok();
        assertEquals("pod/w created", warned.out().trim());
        assertEquals("Warning: would violate PodSecurity \"restricted:latest\": host namespaces (hostNetwork=true), "
                + "privileged (container \"c\" must not set securityContext.privileged=true), allowPrivilegeEscalation != "
                + "false (container \"c\" must set securityContext.allowPrivilegeEscalation=false), unrestricted "
                + "capabilities (container \"c\" must set securityContext.capabilities.drop=[\"ALL\"]), restricted volume "
                + "types (volume \"root\" uses restricted volume type \"hostPath\"), runAsNonRoot != true (pod or container "
                + "\"c\" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container \"c\" must set "
                + "securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")", warned.err().trim());

        kubectl.run("create", "namespace", "enforced").ok();
        kubectl.run("label", "namespace", "enforced", "pod-security.kubernetes.io/enforce=baseline").ok();
        Files.writeString(dir.resolve("enforced.yaml"), POD.formatted("x", "enforced"));
        Kubectl.Result refused = kubectl.run("apply", "-f", "enforced.yaml");
        assertNotEquals(0, refused.exitCode());
        assertEquals("Error from server (Forbidden): error when creating \"enforced.yaml\": pods \"x\" is forbidden: "
                + "violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true), hostPath volumes (volume "
                + "\"root\"), privileged (container \"c\" must not set securityContext.privileged=true)", refused.err().trim());
        assertEquals("", kubectl.run("get", "pods", "-n", "enforced", "-o", "name").ok().out().trim());
    }

    @Test
    void aBadLabelIsRefusedAndTighteningWarnsAboutExistingPods() throws Exception {
        kubectl.run("create", "namespace", "tighten").ok();
        Files.writeString(dir.resolve("tighten.yaml"), POD.formatted("p", "tighten"));
        kubectl.run("apply", "-f", "tighten.yaml").ok();

        Kubectl.Result bad = kubectl.run("label", "namespace", "tighten", "pod-security.kubernetes.io/enforce=strict");
        assertNotEquals(0, bad.exitCode());
        assertEquals("The Namespace \"tighten\" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid "
                + "value: \"strict\": must be one of privileged, baseline, restricted", bad.err().trim());

        Kubectl.Result tightened = kubectl.run("label", "namespace", "tighten", "pod-security.kubernetes.io/enforce=baseline").ok();
        assertEquals("namespace/tighten labeled", tightened.out().trim());
        assertEquals(List.of(
                "Warning: existing pods in namespace \"tighten\" violate the new PodSecurity enforce level \"baseline:latest\"",
                "Warning: p: host namespaces, hostPath volumes, privileged"), tightened.err().lines().toList());
    }
}

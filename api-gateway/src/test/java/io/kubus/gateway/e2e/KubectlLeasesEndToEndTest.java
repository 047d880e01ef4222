package io.kubus.gateway.e2e;

import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.gateway.testing.Kubectl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The installed kubectl against a real gateway with Leases: apply, get with kubectl's columns, and what is refused. */
class KubectlLeasesEndToEndTest {
    private static final String LEASE = """
            apiVersion: coordination.k8s.io/v1
            kind: Lease
            metadata:
              name: worker-1
              namespace: kube-node-lease
            spec:
              holderIdentity: worker-1
              leaseDurationSeconds: 40
              renewTime: "%s"
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
    void appliedPrintedRenewedAndRefused() throws Exception {
        Files.writeString(dir.resolve("lease.yaml"), LEASE.formatted("2024-05-01T12:00:00.000000+02:00"));
        assertEquals("lease.coordination.k8s.io/worker-1 created", kubectl.run("apply", "-f", "lease.yaml").ok().out().trim());
        List<String> header = Arrays.asList(kubectl.run("get", "leases", "-n", "kube-node-lease").ok().out().lines()
                .findFirst().orElseThrow().trim().split("\\s+"));
        assertEquals(List.of("NAME", "HOLDER", "AGE"), header);
        String row = kubectl.run("get", "lease", "worker-1", "-n", "kube-node-lease", "--no-headers").ok().out().trim();
        assertEquals(List.of("worker-1", "worker-1"), Arrays.asList(row.split("\\s+")).subList(0, 2));
        assertEquals("2024-05-01T10:00:00.000000Z", kubectl.run("get", "lease", "worker-1", "-n", "kube-node-lease",
                "-o", "jsonpath={.spec.renewTime}").ok().out().trim(), "a MicroTime comes back in UTC");

        Files.writeString(dir.resolve("lease.yaml"), LEASE.formatted("2024-05-01T10:00:10.000000Z"));
        assertEquals("lease.coordination.k8s.io/worker-1 configured", kubectl.run("apply", "-f", "lease.yaml").ok().out().trim());

        Files.writeString(dir.resolve("bad.yaml"), LEASE.formatted("2024-05-01T10:00:20Z"));
        Kubectl.Result bad = kubectl.run("apply", "-f", "bad.yaml");
        assertNotEquals(0, bad.exitCode());
        assertEquals("Error from server (BadRequest): error when applying patch:", bad.err().lines().findFirst().orElse(""));
        assertEquals(1L, bad.err().lines().filter(l -> l.contains("Lease in version \"v1\" cannot be handled as a Lease: "
                + "parsing time \"2024-05-01T10:00:20Z\" as \"2006-01-02T15:04:05.000000Z07:00\": cannot parse \"Z\" as "
                + "\".000000\"")).count(), bad.err());

        Kubectl.Result negative = kubectl.run("patch", "lease", "worker-1", "-n", "kube-node-lease", "--type=merge",
                "-p", "{\"spec\":{\"leaseDurationSeconds\":-1}}");
        assertEquals("The Lease \"worker-1\" is invalid: spec.leaseDurationSeconds: Invalid value: -1: must be greater than 0",
                negative.err().trim());
        assertEquals("lease.coordination.k8s.io \"worker-1\" deleted",
                kubectl.run("delete", "lease", "worker-1", "-n", "kube-node-lease").ok().out().trim());
    }
}

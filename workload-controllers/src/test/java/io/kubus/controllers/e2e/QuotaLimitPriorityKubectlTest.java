package io.kubus.controllers.e2e;

import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.SimulatedCluster;
import io.kubus.gateway.testing.Kubectl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a user types for quotas, limits and priorities, with the installed kubectl against a whole cluster (so that a
 * quota's usage is the controller's): {@code create quota} and {@code create priorityclass} (protobuf bodies),
 * {@code apply} of a LimitRange, and {@code get}, {@code describe}, {@code delete} of each.
 */
class QuotaLimitPriorityKubectlTest {
    @RegisterExtension
    static final SimulatedCluster cluster = new SimulatedCluster("qlp-node", 1);

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static Kubectl kubectl() {
        return cluster.kubectl();
    }

    @Test
    void quota() throws Exception {
        kubectl().run("create", "namespace", "team").ok();
        assertEquals("resourcequota/q created",
                kubectl().run("create", "quota", "q", "-n", "team", "--hard=pods=2,requests.cpu=1,limits.memory=1Gi").ok().out().trim());
        String table = Await.until(WAIT, "the quota's usage in kubectl get",
                () -> kubectl().run("get", "quota", "-n", "team").ok().out(), out -> out.contains("pods: 0/2"));
        assertTrue(table.matches("(?s)NAME\\s+AGE\\s+REQUEST\\s+LIMIT\\s*\n"
                + "q\\s+\\d+s\\s+pods: 0/2, requests.cpu: 0/1\\s+limits.memory: 0/1Gi\\s*\n"), table);

        kubectl().run("run", "web", "-n", "team", "--image=kubus/busybox:1", "--restart=Never",
                "--overrides={\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"kubus/busybox:1\","
                        + "\"resources\":{\"requests\":{\"cpu\":\"250m\"},\"limits\":{\"memory\":\"128Mi\"}}}]}}").ok();
        String described = Await.until(WAIT, "the pod's usage in kubectl describe",
                () -> kubectl().run("describe", "quota", "q", "-n", "team").ok().out(), out -> out.contains("250m"));
        assertTrue(described.matches("(?s)Name:\\s+q\nNamespace:\\s+team\nResource\\s+Used\\s+Hard\n-+\\s+-+\\s+-+\n"
                + "limits.memory\\s+128Mi\\s+1Gi\npods\\s+1\\s+2\nrequests.cpu\\s+250m\\s+1\n"), described);

        Kubectl.Result refused = kubectl().run("run", "bare", "-n", "team", "--image=kubus/busybox:1", "--restart=Never");
        assertNotEquals(0, refused.exitCode());
        assertEquals("Error from server (Forbidden): pods \"bare\" is forbidden: failed quota: q: must specify "
                + "limits.memory for: bare; requests.cpu for: bare", refused.err().trim());

        assertEquals("resourcequota \"q\" deleted", kubectl().run("delete", "quota", "q", "-n", "team").ok().out().trim());
        assertTrue(kubectl().run("get", "quota", "-n", "team").ok().err().contains("No resources found in team namespace."));
    }

    @Test
    void priorityClass() throws Exception {
        assertEquals("priorityclass.scheduling.k8s.io/high created", kubectl().run("create", "priorityclass", "high",
                "--value=1000", "--description=for what must run first").ok().out().trim());
        String table = kubectl().run("get", "pc").ok().out();
        assertTrue(table.matches("(?s)NAME\\s+VALUE\\s+GLOBAL-DEFAULT\\s+AGE\\s+PREEMPTIONPOLICY\\s*\n"
                + "high\\s+1000\\s+false\\s+\\d+s\\s+PreemptLowerPriority\\s*\n"
                + "system-cluster-critical\\s+2000000000\\s+false\\s+\\S+\\s+PreemptLowerPriority\\s*\n"
                + "system-node-critical\\s+2000001000\\s+false\\s+\\S+\\s+PreemptLowerPriority\\s*\n"), table);
        String described = kubectl().run("describe", "priorityclass", "high").ok().out();
        assertTrue(described.matches("(?s)Name:\\s+high\nValue:\\s+1000\nGlobalDefault:\\s+false\n"
                + "PreemptionPolicy:\\s+PreemptLowerPriority\nDescription:\\s+for what must run first\n"
                + "Annotations:\\s+<none>\nEvents:\\s+<none>\n"), described);

        kubectl().run("run", "urgent", "--image=kubus/busybox:1", "--restart=Never",
                "--overrides={\"spec\":{\"priorityClassName\":\"high\"}}").ok();
        assertEquals("1000", kubectl().run("get", "pod", "urgent", "-o", "jsonpath={.spec.priority}").ok().out());
        assertTrue(kubectl().run("describe", "pod", "urgent").ok().out().matches("(?s).*\nPriority:\\s+1000\n"
                + "Priority Class Name:\\s+high\n.*"));

        Kubectl.Result system = kubectl().run("delete", "pc", "system-node-critical");
        assertEquals("Error from server (Forbidden): priorityclasses.scheduling.k8s.io \"system-node-critical\" is "
                + "forbidden: this is a system priority class and cannot be deleted", system.err().trim());
        assertEquals("priorityclass.scheduling.k8s.io \"high\" deleted", kubectl().run("delete", "pc", "high").ok().out().trim());
    }

    @Test
    void limitRange() throws Exception {
        Path manifest = Files.writeString(cluster.dir().resolve("limits.yaml"), """
                apiVersion: v1
                kind: LimitRange
                metadata: {name: limits}
                spec:
                  limits:
                  - type: Container
                    min: {cpu: 100m}
                    max: {cpu: "1", memory: 512Mi}
                    defaultRequest: {cpu: 250m, memory: 64Mi}
                    default: {cpu: 500m, memory: 128Mi}
                """);
        kubectl().run("create", "namespace", "limited").ok();
        assertEquals("limitrange/limits created", kubectl().run("apply", "-n", "limited", "-f", manifest.toString()).ok().out().trim());
        assertEquals("limitrange/limits unchanged", kubectl().run("apply", "-n", "limited", "-f", manifest.toString()).ok().out().trim());
        String table = kubectl().run("get", "limits", "-n", "limited").ok().out();
        assertTrue(table.matches("NAME\\s+CREATED AT\nlimits\\s+\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\n"), table);
        String described = kubectl().run("describe", "limitrange", "limits", "-n", "limited").ok().out();
        // kubectl prints a limit's resources in Go's map order, which varies from run to run
        String cpu = "Container\\s+cpu\\s+100m\\s+1\\s+250m\\s+500m\\s+-\n";
        String memory = "Container\\s+memory\\s+-\\s+512Mi\\s+64Mi\\s+128Mi\\s+-\n";
        assertTrue(described.matches("(?s)Name:\\s+limits\nNamespace:\\s+limited\n"
                + "Type\\s+Resource\\s+Min\\s+Max\\s+Default Request\\s+Default Limit\\s+Max Limit/Request Ratio\n"
                + "-+\\s+-+\\s+-+\\s+-+\\s+-+\\s+-+\\s+-+\n"
                + "(" + cpu + memory + "|" + memory + cpu + ")"), described);

        kubectl().run("run", "defaulted", "-n", "limited", "--image=kubus/busybox:1", "--restart=Never").ok();
        assertEquals("{\"limits\":{\"cpu\":\"500m\",\"memory\":\"128Mi\"},\"requests\":{\"cpu\":\"250m\",\"memory\":\"64Mi\"}}",
                kubectl().run("get", "pod", "defaulted", "-n", "limited", "-o", "jsonpath={.spec.containers[0].resources}").ok().out());
        assertEquals("Burstable", kubectl().run("get", "pod", "defaulted", "-n", "limited", "-o",
                "jsonpath={.status.qosClass}").ok().out());
        Kubectl.Result big = kubectl().run("run", "big", "-n", "limited", "--image=kubus/busybox:1", "--restart=Never",
                "--overrides={\"spec\":{\"containers\":[{\"name\":\"big\",\"image\":\"kubus/busybox:1\","
                        + "\"resources\":{\"limits\":{\"cpu\":\"2\"}}}]}}");
        assertEquals("Error from server (Forbidden): pods \"big\" is forbidden: maximum cpu usage per Container is 1, but "
                + "limit is 2", big.err().trim());

        assertEquals("limitrange \"limits\" deleted", kubectl().run("delete", "limits", "limits", "-n", "limited").ok().out().trim());
    }
}

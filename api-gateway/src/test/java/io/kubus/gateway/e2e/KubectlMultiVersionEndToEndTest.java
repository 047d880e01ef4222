package io.kubus.gateway.e2e;

import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.gateway.testing.Kubectl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The installed kubectl against a real gateway, with the kinds served in more than one version:
 * {@code kubectl autoscale} (an autoscaling/v1 HorizontalPodAutoscaler sent as protobuf) read back in autoscaling/v2
 * and v1, described and deleted; an events.k8s.io/v1 Event seen as a core Event and by {@code kubectl events}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubectlMultiVersionEndToEndTest {
    private static final String EVENT = """
            apiVersion: events.k8s.io/v1
            kind: Event
            metadata:
              name: web-scaled
            eventTime: "%s"
            reportingController: example.com/scaler
            reportingInstance: scaler-1
            action: Scale
            reason: Scaled
            note: Scaled web to 3
            type: Normal
            regarding:
              apiVersion: apps/v1
              kind: Deployment
              name: web
              namespace: default
            """;

    private static final String HPAS = """
            apiVersion: autoscaling/v1
            kind: HorizontalPodAutoscaler
            metadata:
              name: api-v1
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
              maxReplicas: 4
              targetCPUUtilizationPercentage: 60
            ---
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata:
              name: api-v2
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
              minReplicas: 1
              maxReplicas: 6
              metrics:
              - type: Resource
                resource: {name: memory, target: {type: AverageValue, averageValue: 200Mi}}
              behavior:
                scaleDown: {stabilizationWindowSeconds: 120}
            """;

    @TempDir
    static Path dir;
    static GatewayFixture gateway;
    static Kubectl kubectl;

    @BeforeAll
    static void start() throws Exception {
        gateway = GatewayFixture.start();
        kubectl = new Kubectl(gateway.writeKubeconfig(dir), dir);
        Files.writeString(dir.resolve("hpas.yaml"), HPAS);
        Files.writeString(dir.resolve("event.yaml"), EVENT.formatted(
                Instant.now().truncatedTo(ChronoUnit.MICROS).toString()));
        kubectl.run("create", "deployment", "web", "--image=nginx").ok();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    @Order(1)
    void autoscaleCreatesAnAutoscalingV1HorizontalPodAutoscaler() {
        assertEquals("horizontalpodautoscaler.autoscaling/web autoscaled\n",
                kubectl.run("autoscale", "deployment", "web", "--min=2", "--max=5", "--cpu-percent=70").ok().out());
        assertTable(List.of(
                "NAME   REFERENCE        TARGETS              MINPODS   MAXPODS   REPLICAS   AGE",
                "web    Deployment/web   cpu: <unknown>/70%   2         5         0          <age>"), "get", "hpa");
    }

    @Test
    @Order(2)
    void theSameObjectReadsInBothVersions() {
        assertEquals("""
                apiVersion: autoscaling/v1
                kind: HorizontalPodAutoscaler
                spec:
                  maxReplicas: 5
                  minReplicas: 2
                  scaleTargetRef:
                    apiVersion: apps/v1
                    kind: Deployment
                    name: web
                  targetCPUUtilizationPercentage: 70
                status:
                  currentReplicas: 0
                  desiredReplicas: 0
                """, withoutMetadata(kubectl.run("get", "horizontalpodautoscalers.v1.autoscaling", "web", "-o", "yaml").ok().out()));
        String v2 = """
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                spec:
                  maxReplicas: 5
                  metrics:
                  - resource:
                      name: cpu
                      target:
                        averageUtilization: 70
                        type: Utilization
                    type: Resource
                  minReplicas: 2
                  scaleTargetRef:
                    apiVersion: apps/v1
                    kind: Deployment
                    name: web
                status:
                  desiredReplicas: 0
                """;
        assertEquals(v2, withoutMetadata(kubectl.run("get", "hpa.v2.autoscaling", "web", "-o", "yaml").ok().out()));
        // kubectl 1.32 expands a short name to its group and resource and drops the version it came with (client-go's
        // shortcutExpander), so hpa.v1.autoscaling asks for the preferred version, as it does against kube-apiserver.
        assertEquals(v2, withoutMetadata(kubectl.run("get", "hpa.v1.autoscaling", "web", "-o", "yaml").ok().out()));
    }

    @Test
    @Order(3)
    void describeShowsTheMetric() {
        List<String> lines = Arrays.stream(kubectl.run("describe", "hpa", "web").ok().out().split("\n"))
                .filter(l -> !l.startsWith("CreationTimestamp:")).toList();
        assertEquals(List.of(
                "Name:                                                  web",
                "Namespace:                                             default",
                "Labels:                                                <none>",
                "Annotations:                                           <none>",
                "Reference:                                             Deployment/web",
                "Metrics:                                               ( current / target )",
                "  resource cpu on pods  (as a percentage of request):  <unknown> / 70%",
                "Min replicas:                                          2",
                "Max replicas:                                          5",
                "Deployment pods:                                       0 current / 0 desired",
                "Events:                                                <none>"), lines);
    }

    @Test
    @Order(4)
    void applyInEitherVersionAndApplyAgainChangesNothing() {
        assertEquals("horizontalpodautoscaler.autoscaling/api-v1 created\nhorizontalpodautoscaler.autoscaling/api-v2 created\n",
                kubectl.run("apply", "-f", "hpas.yaml").ok().out());
        assertEquals("horizontalpodautoscaler.autoscaling/api-v1 unchanged\nhorizontalpodautoscaler.autoscaling/api-v2 unchanged\n",
                kubectl.run("apply", "-f", "hpas.yaml").ok().out());
        assertTable(List.of(
                "NAME     REFERENCE        TARGETS                     MINPODS   MAXPODS   REPLICAS   AGE",
                "api-v1   Deployment/web   cpu: <unknown>/60%          1         4         0          <age>",
                "api-v2   Deployment/web   memory: <unknown>/200Mi     1         6         0          <age>",
                "web      Deployment/web   cpu: <unknown>/70%          2         5         0          <age>"), "get", "hpa");
        assertEquals("horizontalpodautoscaler.autoscaling \"api-v1\" deleted\nhorizontalpodautoscaler.autoscaling \"api-v2\" deleted\n",
                kubectl.run("delete", "-f", "hpas.yaml").ok().out());
    }

    @Test
    @Order(5)
    void deleteRemovesItFromEveryVersion() {
        assertEquals("horizontalpodautoscaler.autoscaling \"web\" deleted\n", kubectl.run("delete", "hpa", "web").ok().out());
        assertEquals("No resources found in default namespace.\n",
                kubectl.run("get", "horizontalpodautoscalers.v1.autoscaling").ok().err());
    }

    @Test
    @Order(6)
    void anEventsV1EventIsACoreEventTooAndKubectlEventsListsIt() {
        assertEquals("event.events.k8s.io/web-scaled created\n", kubectl.run("create", "-f", "event.yaml").ok().out());
        List<String> table = List.of(
                "LAST SEEN   TYPE     REASON   OBJECT           MESSAGE",
                "<age>       Normal   Scaled   deployment/web   Scaled web to 3");
        assertTable(table, "get", "events.v1.events.k8s.io");
        assertTable(table, "get", "events");
        assertEquals("Scaled web to 3", kubectl.run("get", "event", "web-scaled", "-o", "jsonpath={.message}").ok().out());
        assertEquals("Scaled web to 3", kubectl.run("get", "events.events.k8s.io", "web-scaled", "-o",
                "jsonpath={.note}").ok().out());
        assertTable(List.of(
                "LAST SEEN   TYPE     REASON   OBJECT           MESSAGE",
                "<age>       Normal   Scaled   Deployment/web   Scaled web to 3"), "events");
    }

    /** A table as kubectl prints it, ages replaced by {@code <age>}. */
    private static void assertTable(List<String> expected, String... args) {
        List<String> lines = Arrays.stream(kubectl.run(args).ok().out().split("\n"))
                .map(l -> l.replaceAll("\\b(\\d+[smhd])+\\b", "<age>")).toList();
        // the age column is as wide as what it held; compare with runs of spaces made one
        assertEquals(expected.stream().map(KubectlMultiVersionEndToEndTest::squeeze).toList(),
                lines.stream().map(KubectlMultiVersionEndToEndTest::squeeze).toList(), String.join("\n", lines));
    }

    private static String squeeze(String line) {
        return line.replaceAll(" +", " ").strip();
    }

    /** The YAML of one object without its metadata block, whose uid, times and version differ from run to run. */
    private static String withoutMetadata(String yaml) {
        StringBuilder out = new StringBuilder();
        boolean inMetadata = false;
        for (String line : yaml.split("\n")) {
            if (line.equals("metadata:")) {
                inMetadata = true;
                continue;
            }
            if (inMetadata && line.startsWith(" ")) {
                continue;
            }
            inMetadata = false;
            out.append(line).append('\n');
        }
        assertTrue(out.length() > 0);
        return out.toString();
    }
}

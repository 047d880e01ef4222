package io.kubus.gateway.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.autoscaling.HorizontalPodAutoscalerV1Conversion;
import io.kubus.gateway.registry.events.EventV1Conversion;
import io.kubus.gateway.testing.Registry;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.kubus.schema.ResourceTypes.EVENTS_V1;
import static io.kubus.schema.ResourceTypes.HORIZONTALPODAUTOSCALERS;
import static io.kubus.schema.ResourceTypes.HORIZONTALPODAUTOSCALERS_V1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The conversions of the served-only versions, as kube-apiserver 1.32 converts them: autoscaling/v1 ↔ v2
 * HorizontalPodAutoscalers with their round-trip annotations, events.k8s.io/v1 ↔ core/v1 Events; and the rules the
 * gateway holds its conversions to at start-up.
 */
class ConversionsTest {
    private static final Conversions CONVERSIONS = Registry.CONVERSIONS;
    private static final String METRICS = "autoscaling.alpha.kubernetes.io/metrics";
    private static final String CURRENT = "autoscaling.alpha.kubernetes.io/current-metrics";
    private static final String BEHAVIOR = "autoscaling.alpha.kubernetes.io/behavior";
    private static final String CONDITIONS = "autoscaling.alpha.kubernetes.io/conditions";

    /** A v2 object with a metric of every kind, a behavior, current metrics and conditions. */
    private static final String V2_FULL = """
            {"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler",
             "metadata":{"name":"web","namespace":"default","annotations":{"team":"a"}},
             "spec":{"scaleTargetRef":{"kind":"Deployment","name":"web","apiVersion":"apps/v1"},"minReplicas":2,"maxReplicas":9,
              "metrics":[
               {"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":75}}},
               {"type":"Resource","resource":{"name":"memory","target":{"type":"AverageValue","averageValue":"500Mi"}}},
               {"type":"Pods","pods":{"metric":{"name":"packets","selector":{"matchLabels":{"a":"b"}}},"target":{"type":"AverageValue","averageValue":"1k"}}},
               {"type":"Object","object":{"describedObject":{"kind":"Ingress","name":"main","apiVersion":"networking.k8s.io/v1"},
                 "metric":{"name":"requests"},"target":{"type":"Value","value":"10k"}}},
               {"type":"External","external":{"metric":{"name":"queue"},"target":{"type":"AverageValue","averageValue":"30"}}},
               {"type":"ContainerResource","containerResource":{"name":"cpu","container":"app",
                 "target":{"type":"Utilization","averageUtilization":60}}}],
              "behavior":{"scaleUp":{"stabilizationWindowSeconds":0,"selectPolicy":"Max",
                 "policies":[{"type":"Pods","value":4,"periodSeconds":15}]},
               "scaleDown":{"selectPolicy":"Min","policies":[{"type":"Percent","value":10,"periodSeconds":60}]}}},
             "status":{"observedGeneration":3,"currentReplicas":4,"desiredReplicas":5,
              "currentMetrics":[{"type":"Resource","resource":{"name":"cpu","current":{"averageValue":"120m","averageUtilization":80}}}],
              "conditions":[{"type":"AbleToScale","status":"True","lastTransitionTime":"2026-01-01T00:00:00Z","reason":"ReadyForNewScale"}]}}""";

    @Test
    void v2ToV1KeepsTheCpuTargetAndCarriesTheRestInAnnotations() {
        ObjectNode v1 = CONVERSIONS.fromStorage(HORIZONTALPODAUTOSCALERS_V1, json(V2_FULL));
        assertEquals("autoscaling/v1", v1.path("apiVersion").asText());
        assertEquals("HorizontalPodAutoscaler", v1.path("kind").asText());
        assertEquals(json("""
                {"scaleTargetRef":{"kind":"Deployment","name":"web","apiVersion":"apps/v1"},"minReplicas":2,"maxReplicas":9,
                 "targetCPUUtilizationPercentage":75}"""), v1.path("spec"));
        assertEquals("{\"observedGeneration\":3,\"currentReplicas\":4,\"desiredReplicas\":5,\"currentCPUUtilizationPercentage\":80}",
                KubusJson.write(v1.path("status")), "autoscaling/v1's status, in its field order");
        JsonNode annotations = v1.path("metadata").path("annotations");
        assertEquals("a", annotations.path("team").asText());
        // The v1 MetricSpec JSON, in the Go structs' field order and with their omitempty rules.
        assertEquals("[{\"type\":\"Resource\",\"resource\":{\"name\":\"memory\",\"targetAverageValue\":\"500Mi\"}},"
                        + "{\"type\":\"Pods\",\"pods\":{\"metricName\":\"packets\",\"targetAverageValue\":\"1k\",\"selector\":{\"matchLabels\":{\"a\":\"b\"}}}},"
                        + "{\"type\":\"Object\",\"object\":{\"target\":{\"kind\":\"Ingress\",\"name\":\"main\",\"apiVersion\":\"networking.k8s.io/v1\"},"
                        + "\"metricName\":\"requests\",\"targetValue\":\"10k\"}},"
                        + "{\"type\":\"External\",\"external\":{\"metricName\":\"queue\",\"targetAverageValue\":\"30\"}},"
                        + "{\"type\":\"ContainerResource\",\"containerResource\":{\"name\":\"cpu\",\"targetAverageUtilization\":60,\"container\":\"app\"}}]",
                annotations.path(METRICS).asText());
        assertEquals("[{\"type\":\"Resource\",\"resource\":{\"name\":\"cpu\",\"currentAverageUtilization\":80,\"currentAverageValue\":\"120m\"}}]",
                annotations.path(CURRENT).asText());
        assertEquals("{\"ScaleUp\":{\"StabilizationWindowSeconds\":0,\"SelectPolicy\":\"Max\",\"Policies\":"
                        + "[{\"Type\":\"Pods\",\"Value\":4,\"PeriodSeconds\":15}]},"
                        + "\"ScaleDown\":{\"StabilizationWindowSeconds\":null,\"SelectPolicy\":\"Min\",\"Policies\":"
                        + "[{\"Type\":\"Percent\",\"Value\":10,\"PeriodSeconds\":60}]}}",
                annotations.path(BEHAVIOR).asText(), "the internal type's JSON: Go names, nil pointers as null");
        assertEquals("[{\"type\":\"AbleToScale\",\"status\":\"True\",\"lastTransitionTime\":\"2026-01-01T00:00:00Z\","
                + "\"reason\":\"ReadyForNewScale\"}]", annotations.path(CONDITIONS).asText());
    }

    @Test
    void v2ToV1ToV2KeepsEveryField() {
        ObjectNode v2 = json(V2_FULL);
        ObjectNode back = CONVERSIONS.toStorage(HORIZONTALPODAUTOSCALERS_V1,
                CONVERSIONS.fromStorage(HORIZONTALPODAUTOSCALERS_V1, v2));
        assertEquals("autoscaling/v2", back.path("apiVersion").asText());
        assertEquals(json("{\"team\":\"a\"}"), back.path("metadata").path("annotations"), "the round-trip annotations are gone");
        assertEquals(v2.path("spec").path("behavior"), back.path("spec").path("behavior"));
        assertEquals(v2.path("status"), back.path("status"));
        // The annotation's metrics first, then the CPU target of the field, as kube-apiserver orders them.
        List<JsonNode> expected = new java.util.ArrayList<>();
        v2.path("spec").path("metrics").forEach(expected::add);
        expected.add(expected.removeFirst());
        List<JsonNode> actual = new java.util.ArrayList<>();
        back.path("spec").path("metrics").forEach(actual::add);
        assertEquals(expected, actual);
    }

    @Test
    void v1ToV2ToV1IsTheSameObject() {
        ObjectNode v1 = json("""
                {"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler","metadata":{"name":"web","namespace":"default"},
                 "spec":{"scaleTargetRef":{"kind":"Deployment","name":"web"},"minReplicas":1,"maxReplicas":3,
                  "targetCPUUtilizationPercentage":50},
                 "status":{"currentReplicas":1,"desiredReplicas":2,"currentCPUUtilizationPercentage":40}}""");
        ObjectNode v2 = CONVERSIONS.toStorage(HORIZONTALPODAUTOSCALERS_V1, v1);
        assertEquals(tree("""
                [{"type":"Resource","resource":{"name":"cpu","current":{"averageUtilization":40}}}]"""),
                v2.path("status").path("currentMetrics"));
        ObjectNode again = CONVERSIONS.fromStorage(HORIZONTALPODAUTOSCALERS_V1, v2);
        // the current metric travels in the annotation too, which holds its raw value
        ObjectNode expected = v1.deepCopy();
        ((ObjectNode) expected.get("metadata")).putObject("annotations").put(CURRENT,
                "[{\"type\":\"Resource\",\"resource\":{\"name\":\"cpu\",\"currentAverageUtilization\":40,\"currentAverageValue\":\"0\"}}]");
        assertEquals(expected, again);
    }

    @Test
    void aV1ObjectWithoutTargetGetsTheDefaultCpuMetric() {
        ObjectNode v2 = CONVERSIONS.toStorage(HORIZONTALPODAUTOSCALERS_V1, json("""
                {"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler","metadata":{"name":"web"},
                 "spec":{"scaleTargetRef":{"kind":"Deployment","name":"web"},"maxReplicas":3}}"""));
        assertEquals(tree("[{\"type\":\"Resource\",\"resource\":{\"name\":\"cpu\",\"target\":{\"type\":\"Utilization\",\"averageUtilization\":80}}}]"),
                v2.path("spec").path("metrics"));
        assertEquals(json("{\"desiredReplicas\":0}"), v2.path("status"), "the internal status, zero");
    }

    @Test
    void v1AnnotationsAreReadAsGoReadsThemAndDropped() {
        ObjectNode v1 = json("""
                {"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler",
                 "metadata":{"name":"web","annotations":{
                   "autoscaling.alpha.kubernetes.io/metrics":"[{\\"type\\":\\"Object\\",\\"object\\":{\\"target\\":{\\"kind\\":\\"Service\\",\\"name\\":\\"s\\"},\\"metricName\\":\\"hits\\",\\"averageValue\\":\\"5\\"}},{\\"type\\":\\"External\\",\\"external\\":{\\"metricName\\":\\"q\\",\\"targetValue\\":\\"7\\"}}]",
                   "autoscaling.alpha.kubernetes.io/behavior":"{\\"scaleUp\\":{\\"selectPolicy\\":\\"Disabled\\"}}",
                   "autoscaling.alpha.kubernetes.io/conditions":"not json"}},
                 "spec":{"scaleTargetRef":{"kind":"Deployment","name":"web"},"maxReplicas":3}}""");
        ObjectNode v2 = CONVERSIONS.toStorage(HORIZONTALPODAUTOSCALERS_V1, v1);
        assertTrue(v2.path("metadata").path("annotations").isMissingNode(), "an emptied annotation map goes");
        assertEquals(tree("""
                [{"type":"Object","object":{"describedObject":{"kind":"Service","name":"s"},
                   "target":{"type":"AverageValue","value":"0","averageValue":"5"},"metric":{"name":"hits"}}},
                 {"type":"External","external":{"metric":{"name":"q"},"target":{"type":"Value","value":"7"}}}]"""),
                v2.path("spec").path("metrics"), "no CPU default: the annotation named metrics");
        assertEquals(json("{\"scaleUp\":{\"selectPolicy\":\"Disabled\"}}"), v2.path("spec").path("behavior"),
                "the behavior's fields match whatever their case, as encoding/json matches them");
        assertFalse(v2.path("status").has("conditions"), "an annotation that does not decode is ignored");
        ObjectNode wrongType = v1.deepCopy();
        ((ObjectNode) wrongType.at("/metadata/annotations")).put(METRICS, "[{\"type\":\"Pods\",\"pods\":{\"metricName\":7}}]");
        assertEquals(80, CONVERSIONS.toStorage(HORIZONTALPODAUTOSCALERS_V1, wrongType)
                .at("/spec/metrics/0/resource/target/averageUtilization").asInt(), "a mistyped annotation is no metric");
    }

    @Test
    void eventsV1AndCoreEventsAreOneObject() {
        ObjectNode core = json("""
                {"apiVersion":"v1","kind":"Event","metadata":{"name":"e","namespace":"default"},
                 "involvedObject":{"kind":"Pod","namespace":"default","name":"web-1"},"reason":"Pulled","message":"pulled",
                 "source":{"component":"kubelet","host":"n1"},"firstTimestamp":"2026-01-01T00:00:00Z",
                 "lastTimestamp":"2026-01-01T00:01:00Z","count":3,"type":"Normal","reportingComponent":"kubelet",
                 "reportingInstance":"n1"}""");
        ObjectNode v1 = CONVERSIONS.fromStorage(EVENTS_V1, core);
        assertEquals("{\"apiVersion\":\"events.k8s.io/v1\",\"kind\":\"Event\",\"metadata\":{\"name\":\"e\",\"namespace\":\"default\"},"
                + "\"eventTime\":null,\"reportingController\":\"kubelet\",\"reportingInstance\":\"n1\",\"reason\":\"Pulled\","
                + "\"regarding\":{\"kind\":\"Pod\",\"namespace\":\"default\",\"name\":\"web-1\"},\"note\":\"pulled\",\"type\":\"Normal\","
                + "\"deprecatedSource\":{\"component\":\"kubelet\",\"host\":\"n1\"},\"deprecatedFirstTimestamp\":\"2026-01-01T00:00:00Z\","
                + "\"deprecatedLastTimestamp\":\"2026-01-01T00:01:00Z\",\"deprecatedCount\":3}", KubusJson.write(v1));
        assertEquals(core, CONVERSIONS.toStorage(EVENTS_V1, v1));
        ObjectNode bare = json("{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"metadata\":{\"name\":\"e\"}}");
        assertEquals("{\"apiVersion\":\"events.k8s.io/v1\",\"kind\":\"Event\",\"metadata\":{\"name\":\"e\"},\"eventTime\":null,"
                        + "\"regarding\":{},\"deprecatedSource\":{},\"deprecatedFirstTimestamp\":null,\"deprecatedLastTimestamp\":null}",
                KubusJson.write(CONVERSIONS.fromStorage(EVENTS_V1, bare)), "Go's zero values of the struct fields");
    }

    @Test
    void aStorageTypeConvertsToItself() {
        ObjectNode v2 = json(V2_FULL);
        assertSame(v2, CONVERSIONS.fromStorage(HORIZONTALPODAUTOSCALERS, v2));
        assertSame(v2, CONVERSIONS.toStorage(HORIZONTALPODAUTOSCALERS, v2));
        ObjectNode copy = v2.deepCopy();
        CONVERSIONS.fromStorage(HORIZONTALPODAUTOSCALERS_V1, v2);
        assertEquals(copy, v2, "a conversion leaves the stored object alone");
    }

    @Test
    void everyServedOnlyTypeNeedsOneConversionAndStorageTypesNone() {
        List<Conversion> both = List.of(new HorizontalPodAutoscalerV1Conversion(), new EventV1Conversion());
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> new Conversions(List.of(new HorizontalPodAutoscalerV1Conversion())));
        assertEquals("no conversion for events.k8s.io/v1 events.events.k8s.io, which is served from v1", missing.getMessage());
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> new Conversions(List.of(
                new HorizontalPodAutoscalerV1Conversion(), new HorizontalPodAutoscalerV1Conversion(), new EventV1Conversion())));
        assertTrue(twice.getMessage().startsWith("two conversions for autoscaling/v1 horizontalpodautoscalers.autoscaling"));
        Conversion ofStorage = new Conversion() {
            @Override
            public ResourceType type() {
                return ResourceTypes.EVENTS;
            }

            @Override
            public ObjectNode toStorage(ObjectNode served) {
                return served;
            }

            @Override
            public ObjectNode fromStorage(ObjectNode stored) {
                return stored;
            }
        };
        List<Conversion> withStorage = new java.util.ArrayList<>(both);
        withStorage.add(ofStorage);
        IllegalStateException storage = assertThrows(IllegalStateException.class, () -> new Conversions(withStorage));
        assertTrue(storage.getMessage().startsWith("v1 events is a storage version and converts from nothing"), storage.getMessage());
        new Conversions(both);
    }

    private static ObjectNode json(String text) {
        return (ObjectNode) tree(text);
    }

    private static JsonNode tree(String text) {
        try {
            return KubusJson.json().readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}

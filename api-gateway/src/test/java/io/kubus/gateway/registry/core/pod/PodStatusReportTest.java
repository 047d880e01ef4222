package io.kubus.gateway.registry.core.pod;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.schema.KubusJson;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A node's status report and the conditions others set on the pod, merged as the kubelet's status manager merges
 * them: the kubelet's own conditions are the report's, every other one (the binding's PodScheduled, an eviction's
 * DisruptionTarget) stays while the report does not carry it.
 */
class PodStatusReportTest {
    private final PodStrategy strategy = new PodStrategy();

    @Test
    void conditionsTheNodeDoesNotOwnSurviveItsReport() throws Exception {
        ObjectNode current = (ObjectNode) KubusJson.json().readTree("""
                {"status":{"phase":"Running","conditions":[
                  {"type":"PodScheduled","status":"True"},
                  {"type":"Ready","status":"True"},
                  {"type":"ContainersReady","status":"True"},
                  {"type":"DisruptionTarget","status":"True","reason":"EvictionByEvictionAPI"}]}}""");
        ObjectNode reported = (ObjectNode) KubusJson.json().readTree("""
                {"phase":"Running","conditions":[{"type":"Ready","status":"False"},{"type":"Initialized","status":"True"}]}""");
        JsonNode merged = strategy.statusFromReport(current, reported);
        List<String> conditions = new ArrayList<>();
        merged.path("conditions").forEach(c -> conditions.add(c.path("type").asText() + "=" + c.path("status").asText()));
        assertEquals(List.of("Ready=False", "Initialized=True", "PodScheduled=True", "DisruptionTarget=True"), conditions);
    }

    @Test
    void aReportedConditionReplacesTheStoredOne() throws Exception {
        ObjectNode current = (ObjectNode) KubusJson.json().readTree("""
                {"status":{"conditions":[{"type":"PodScheduled","status":"True"}]}}""");
        ObjectNode reported = (ObjectNode) KubusJson.json().readTree("""
                {"conditions":[{"type":"PodScheduled","status":"False"}]}""");
        assertEquals(1, strategy.statusFromReport(current, reported).path("conditions").size());
    }
}

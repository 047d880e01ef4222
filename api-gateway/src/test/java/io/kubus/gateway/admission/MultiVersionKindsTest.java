package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.api.ApiException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.kubus.gateway.admission.Fixtures.json;
import static io.kubus.gateway.admission.KindRules.admitted;
import static io.kubus.gateway.admission.KindRules.admittedUpdate;
import static io.kubus.gateway.admission.KindRules.refused;
import static io.kubus.gateway.admission.KindRules.refusedUpdate;
import static io.kubus.gateway.admission.KindRules.with;
import static io.kubus.schema.ResourceTypes.EVENTS;
import static io.kubus.schema.ResourceTypes.EVENTS_V1;
import static io.kubus.schema.ResourceTypes.HORIZONTALPODAUTOSCALERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * autoscaling/v2 HorizontalPodAutoscalers (SetDefaults_HorizontalPodAutoscaler, ValidateHorizontalPodAutoscaler of
 * Kubernetes 1.32) and the validation events.k8s.io/v1 adds to core Events (ValidateEventCreate/Update for that
 * request version), with kube-apiserver's exact causes.
 */
class MultiVersionKindsTest {
    private static ObjectNode hpa(String spec) {
        return json("{'apiVersion':'autoscaling/v2','kind':'HorizontalPodAutoscaler','metadata':{'name':'web','namespace':'default'},"
                + "'spec':{'scaleTargetRef':{'apiVersion':'apps/v1','kind':'Deployment','name':'web'},'maxReplicas':5" + spec + "}}");
    }

    @Test
    void hpaDefaults() {
        ObjectNode stored = admitted(HORIZONTALPODAUTOSCALERS, hpa(""));
        assertEquals(1, stored.at("/spec/minReplicas").asInt());
        assertEquals(json("{'m':[{'type':'Resource','resource':{'name':'cpu','target':{'type':'Utilization','averageUtilization':80}}}]}")
                .get("m"), stored.at("/spec/metrics"));
        assertTrue(stored.at("/spec/behavior").isMissingNode(), "no behavior unless one is given");
        assertEquals(json("{'desiredReplicas':0}"), stored.get("status"));

        ObjectNode behaved = admitted(HORIZONTALPODAUTOSCALERS, hpa(",'behavior':{'scaleDown':{'selectPolicy':'Min'}}"));
        assertEquals(json("{'scaleUp':{'stabilizationWindowSeconds':0,'selectPolicy':'Max','policies':["
                + "{'type':'Pods','value':4,'periodSeconds':15},{'type':'Percent','value':100,'periodSeconds':15}]},"
                + "'scaleDown':{'selectPolicy':'Min','policies':[{'type':'Percent','value':100,'periodSeconds':15}]}}"),
                behaved.at("/spec/behavior"), "scale-down keeps no default window: the controller's flag decides it");
    }

    @Test
    void hpaDropsWhatAutoscalingV2DoesNotKeep() {
        ObjectNode stored = admitted(HORIZONTALPODAUTOSCALERS, with(hpa(",'behavior':{'scaleUp':{'tolerance':'0.05'}}"), h ->
                ((ObjectNode) h.get("metadata")).putObject("annotations").put("autoscaling.alpha.kubernetes.io/metrics", "[]")
                        .put("team", "a")));
        assertEquals(json("{'team':'a'}"), stored.at("/metadata/annotations"), "the round-trip annotations are v1's");
        assertFalse(stored.at("/spec/behavior/scaleUp").has("tolerance"), "a 1.33 field, dropped as its gate-off drops it");
    }

    @Test
    void hpaValidation() {
        refused(HORIZONTALPODAUTOSCALERS, hpa(",'minReplicas':6"),
                "spec.maxReplicas: Invalid value: 5: must be greater than or equal to `minReplicas`");
        refused(HORIZONTALPODAUTOSCALERS, with(hpa(",'minReplicas':0"), h -> h.with("spec").put("maxReplicas", 0)),
                "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1",
                "spec.maxReplicas: Invalid value: 0: must be greater than 0",
                "spec.metrics: Forbidden: must specify at least one Object or External metric to support scaling to zero replicas");
        refused(HORIZONTALPODAUTOSCALERS, with(hpa(""), h -> h.with("spec").putObject("scaleTargetRef").put("name", "..")),
                "spec.scaleTargetRef.kind: Required value",
                "spec.scaleTargetRef.name: Invalid value: \"..\": may not be '..'");
        refused(HORIZONTALPODAUTOSCALERS, hpa(",'metrics':[{'type':'Resource','resource':{'name':'cpu','target':"
                        + "{'type':'Utilization','averageUtilization':0,'averageValue':'100m'}}},{'type':'Pods','resource':{'name':'cpu',"
                        + "'target':{'type':'AverageValue','averageValue':'1'}}},{'type':'External','external':{'metric':{'name':'q/1'},"
                        + "'target':{'type':'Average','value':'0','averageValue':'-1'}}}]"),
                "spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0",
                "spec.metrics[0].resource.target.averageValue: Forbidden: may not set both a target raw value and a target utilization",
                "spec.metrics[1].pods: Required value: must populate information for the given metric source",
                "spec.metrics[2].external.metric.name: Invalid value: \"q/1\": may not contain '/'",
                "spec.metrics[2].external.target.type: Invalid value: \"Average\": must be either Utilization, Value, or AverageValue",
                "spec.metrics[2].external.target.value: Invalid value: resource.Quantity{i:resource.int64Amount{value:0, scale:0}, "
                        + "d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:\"0\", Format:\"DecimalSI\"}: must be positive",
                "spec.metrics[2].external.target.averageValue: Invalid value: resource.Quantity{i:resource.int64Amount{value:-1, scale:0}, "
                        + "d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:\"-1\", Format:\"DecimalSI\"}: must be positive",
                "spec.metrics[2].external.target.value: Forbidden: may not set both a target value for metric and a per-pod target");
        refused(HORIZONTALPODAUTOSCALERS, hpa(",'metrics':[{'type':'Magic'}]"),
                "spec.metrics[0].type: Unsupported value: \"Magic\": supported values: \"ContainerResource\", \"External\", "
                        + "\"Object\", \"Pods\", \"Resource\"",
                "spec.metrics[0].type: Unsupported value: \"Magic\": supported values: \"ContainerResource\", \"External\", "
                        + "\"Object\", \"Pods\", \"Resource\"");
        refused(HORIZONTALPODAUTOSCALERS, hpa(",'metrics':[{'type':'ContainerResource','containerResource':{'name':'gpu',"
                        + "'container':'App','target':{'type':'Utilization','averageUtilization':50}}}]"),
                "spec.metrics[0].containerResource.name: Invalid value: \"gpu\": must be a standard resource type or fully qualified",
                "spec.metrics[0].containerResource.name: Invalid value: \"gpu\": must be a standard resource for containers",
                "spec.metrics[0].containerResource.container: Invalid value: \"App\": a lowercase RFC 1123 label must consist of "
                        + "lower case alphanumeric characters or '-', and must start and end with an alphanumeric character "
                        + "(e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
        refused(HORIZONTALPODAUTOSCALERS, hpa(",'behavior':{'scaleUp':{'stabilizationWindowSeconds':3601,'selectPolicy':'Most',"
                        + "'policies':[{'type':'Nodes','value':0,'periodSeconds':1801}]}}"),
                "spec.behavior.scaleUp.stabilizationWindowSeconds: Invalid value: 3601: must be less than or equal to 3600",
                "spec.behavior.scaleUp.selectPolicy: Unsupported value: \"Most\": supported values: \"Disabled\", \"Max\", \"Min\"",
                "spec.behavior.scaleUp.policies[0].type: Unsupported value: \"Nodes\": supported values: \"Percent\", \"Pods\"",
                "spec.behavior.scaleUp.policies[0].value: Invalid value: 0: must be greater than zero",
                "spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 1801: must be less than or equal to 1800");
        // "policies: []" decodes to no list through the model, and gets the default policies: Kubernetes keeps the
        // empty list and answers "must specify at least one Policy".
        assertEquals(2, admitted(HORIZONTALPODAUTOSCALERS, hpa(",'behavior':{'scaleUp':{'policies':[]}}"))
                .at("/spec/behavior/scaleUp/policies").size());
    }

    @Test
    void hpaUpdates() {
        ObjectNode old = admitted(HORIZONTALPODAUTOSCALERS, hpa(""));
        // A status write (the status subresource keeps everything else) with a negative count.
        ObjectNode negative = with(old, h -> h.with("status").put("currentReplicas", -1));
        ApiException e = Fixtures.refuse(() -> Fixtures.ADMISSION.admitUpdate(HORIZONTALPODAUTOSCALERS, negative, old, Fixtures.CREATOR,
                FieldValidation.STRICT, new ArrayList<>()));
        assertEquals(List.of("status.currentReplicas: Invalid value: -1: must be greater than or equal to 0"),
                e.status().getDetails().getCauses().stream().map(c -> c.getField() + ": " + c.getMessage()).toList());
        // minReplicas 0 stays allowed for an object that has it (from before the gate went off); no other gets it.
        refusedUpdate(HORIZONTALPODAUTOSCALERS, with(old, h -> h.with("spec").put("minReplicas", 0)), old,
                "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1",
                "spec.metrics: Forbidden: must specify at least one Object or External metric to support scaling to zero replicas");
        ObjectNode scalesToZero = with(old, h -> h.with("spec").put("minReplicas", 0));
        refusedUpdate(HORIZONTALPODAUTOSCALERS, with(scalesToZero, h -> h.with("spec").put("maxReplicas", 4)), scalesToZero,
                "spec.metrics: Forbidden: must specify at least one Object or External metric to support scaling to zero replicas");
    }

    // ---- events.k8s.io/v1 ----

    private static ObjectNode event(String more) {
        return json("{'apiVersion':'v1','kind':'Event','metadata':{'name':'e1','namespace':'default'},"
                + "'eventTime':'2026-01-01T00:00:00.000000Z','reportingComponent':'example.com/scaler','reportingInstance':'s-1',"
                + "'action':'Scale','reason':'Scaled','type':'Normal',"
                + "'involvedObject':{'kind':'Deployment','namespace':'default','name':'web'}" + more + "}");
    }

    @Test
    void eventsV1CreateValidation() {
        admitted(EVENTS_V1, event(""));
        admitted(EVENTS, json("{'apiVersion':'v1','kind':'Event','metadata':{'name':'old','namespace':'default'},"
                + "'reason':'Pulled','type':'Normal'}"));
        refused(EVENTS_V1, with(event(""), e -> e.remove(List.of("reportingComponent", "action"))),
                "reportingController: Required value",
                "reportingController: Invalid value: \"\": name part must be non-empty",
                "reportingController: Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or "
                        + "'.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
                        + "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
                "action: Required value");
        refused(EVENTS_V1, with(event(",'count':2,'source':{'component':'kubelet'},'series':{'count':1}"),
                        e -> e.put("type", "Loud").put("message", "x".repeat(1025))),
                "message: Invalid value: \"\": can have at most 1024 characters",
                "series.count: Invalid value: \"\": should be at least 2",
                "series.lastObservedTime: Required value",
                "type: Invalid value: \"\": has invalid value: Loud",
                "count: Invalid value: \"\": needs to be unset",
                "source: Invalid value: \"\": needs to be unset");
        refused(EVENTS_V1, with(event(""), e -> e.remove("eventTime")),
                "eventTime: Required value");
    }

    @Test
    void eventsV1UpdateValidation() {
        ObjectNode old = admitted(EVENTS_V1, event(""));
        admittedUpdate(EVENTS_V1, with(old, e -> e.with("metadata").putObject("labels").put("seen", "yes")), old);
        refusedUpdate(EVENTS_V1, with(old, e -> e.put("reason", "Other").put("reportingComponent", "example.com/other")), old,
                "reason: Invalid value: \"Other\": field is immutable",
                "reason: Invalid value: \"Other\": field is immutable",
                "reportingController: Invalid value: \"example.com/other\": field is immutable");
    }
}

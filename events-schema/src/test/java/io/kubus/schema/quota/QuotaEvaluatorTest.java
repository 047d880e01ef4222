package io.kubus.schema.quota;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.quantity.ResourceAmounts;
import io.kubus.schema.quantity.ResourceQuantity;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Usage as Kubernetes' quota evaluators measure it, on the JSON the API serves. */
class QuotaEvaluatorTest {
    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    private static JsonNode json(String s) {
        try {
            return KubusJson.json().readTree(s.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    private static ResourceAmounts amounts(String... nameValue) {
        Map<String, ResourceQuantity> m = new TreeMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            m.put(nameValue[i], ResourceQuantity.parse(nameValue[i + 1]));
        }
        return ResourceAmounts.copyOf(m);
    }

    @Test
    void aPodUsesItsContainersSumOrItsLargestInitContainerAndItsOverhead() {
        JsonNode pod = json("{'metadata':{'name':'p'},'status':{'phase':'Running'},'spec':{"
                + "'overhead':{'cpu':'10m'},"
                + "'initContainers':[{'name':'setup','resources':{'requests':{'cpu':'2','memory':'10Mi'}}}],"
                + "'containers':[{'name':'a','resources':{'requests':{'cpu':'250m','memory':'64Mi'},'limits':{'memory':'128Mi'}}},"
                + "{'name':'b','resources':{'requests':{'cpu':'250m','memory':'64Mi'},'limits':{'memory':'128Mi','cpu':'1'}}}]}}");
        ResourceAmounts usage = QuotaEvaluator.usage(ResourceTypes.PODS, pod, NOW);
        // requests: the larger of the containers' 500m and the init container's 2, plus 10m overhead; limits summed,
        // with the overhead added to the ones set
        assertEquals(amounts("count/pods", "1", "pods", "1", "cpu", "2010m", "requests.cpu", "2010m", "memory", "128Mi",
                "requests.memory", "128Mi", "limits.memory", "256Mi", "limits.cpu", "1010m"), usage);
    }

    @Test
    void sidecarsAddToTheSumAndRunUnderLaterInitContainers() {
        JsonNode spec = json("{'initContainers':["
                + "{'name':'proxy','restartPolicy':'Always','resources':{'requests':{'cpu':'100m'}}},"
                + "{'name':'migrate','resources':{'requests':{'cpu':'1'}}}],"
                + "'containers':[{'name':'app','resources':{'requests':{'cpu':'200m'}}}]}");
        // the sum is 300m with the sidecar, the migration needs 1 + 100m while the sidecar runs
        assertEquals(amounts("cpu", "1100m"), PodResources.requests(spec, true));
    }

    @Test
    void aFinishedPodOrOneDeletedPastItsGraceCountsOnlyAsAnObject() {
        JsonNode done = json("{'status':{'phase':'Succeeded'},'spec':{'containers':[{'name':'a',"
                + "'resources':{'requests':{'cpu':'1'}}}]}}");
        assertEquals(amounts("count/pods", "1"), QuotaEvaluator.usage(ResourceTypes.PODS, done, NOW));
        JsonNode stuck = json("{'metadata':{'deletionTimestamp':'2026-11-22T09:58:00Z','deletionGracePeriodSeconds':30},"
                + "'status':{'phase':'Running'},'spec':{'containers':[{'name':'a'}]}}");
        assertEquals(amounts("count/pods", "1"), QuotaEvaluator.usage(ResourceTypes.PODS, stuck, NOW));
        JsonNode stopping = json("{'metadata':{'deletionTimestamp':'2026-11-22T09:59:50Z','deletionGracePeriodSeconds':30},"
                + "'status':{'phase':'Running'},'spec':{'containers':[{'name':'a'}]}}");
        assertEquals(amounts("count/pods", "1", "pods", "1"), QuotaEvaluator.usage(ResourceTypes.PODS, stopping, NOW));
    }

    @Test
    void servicesClaimsAndOtherKindsCountAsObjects() {
        assertEquals(amounts("count/services", "1", "services", "1", "services.nodeports", "2", "services.loadbalancers", "1"),
                QuotaEvaluator.usage(ResourceTypes.SERVICES, json("{'spec':{'type':'LoadBalancer','ports':[{'port':80},{'port':443}]}}"), NOW));
        assertEquals(amounts("count/services", "1", "services", "1", "services.nodeports", "0", "services.loadbalancers", "0"),
                QuotaEvaluator.usage(ResourceTypes.SERVICES, json("{'spec':{'type':'ClusterIP','ports':[{'port':80}]}}"), NOW));
        assertEquals(amounts("count/persistentvolumeclaims", "1", "persistentvolumeclaims", "1", "requests.storage", "2Gi",
                        "fast.storageclass.storage.k8s.io/persistentvolumeclaims", "1",
                        "fast.storageclass.storage.k8s.io/requests.storage", "2Gi"),
                QuotaEvaluator.usage(ResourceTypes.PERSISTENTVOLUMECLAIMS, json("{'spec':{'storageClassName':'fast',"
                        + "'resources':{'requests':{'storage':'1Gi'}}},'status':{'allocatedResources':{'storage':'2Gi'}}}"), NOW));
        assertEquals(amounts("count/configmaps", "1", "configmaps", "1"),
                QuotaEvaluator.usage(ResourceTypes.CONFIGMAPS, json("{}"), NOW));
        assertEquals(amounts("count/deployments.apps", "1"), QuotaEvaluator.usage(ResourceTypes.DEPLOYMENTS, json("{}"), NOW));
        assertFalse(QuotaEvaluator.counts(ResourceTypes.EVENTS), "kube-apiserver never counts events");
        assertFalse(QuotaEvaluator.counts(ResourceTypes.PRIORITYCLASSES), "nor cluster-scoped kinds");
    }

    @Test
    void eachQuotaResourceIsCountedByOneKind() {
        Map<?, List<String>> kinds = QuotaEvaluator.trackingKinds(List.of("pods", "requests.cpu", "count/pods", "services",
                "count/deployments.apps", "requests.storage", "requests.nvidia.com/gpu", "secrets", "unknown.example.com/x"));
        assertEquals(List.of("pods", "requests.cpu", "count/pods", "requests.nvidia.com/gpu"), kinds.get(ResourceTypes.PODS));
        assertEquals(List.of("services"), kinds.get(ResourceTypes.SERVICES));
        assertEquals(List.of("count/deployments.apps"), kinds.get(ResourceTypes.DEPLOYMENTS));
        assertEquals(List.of("requests.storage"), kinds.get(ResourceTypes.PERSISTENTVOLUMECLAIMS));
        assertEquals(List.of("secrets"), kinds.get(ResourceTypes.SECRETS));
        assertEquals(5, kinds.size());
    }

    @Test
    void scopesSelectPodsOnly() {
        JsonNode bestEffort = json("{'status':{'qosClass':'BestEffort'},'spec':{'priorityClassName':'high',"
                + "'activeDeadlineSeconds':60,'containers':[{'name':'a'}]}}");
        assertTrue(QuotaEvaluator.inScopes(ResourceTypes.PODS, json("{'scopes':['BestEffort','Terminating']}"), bestEffort));
        assertFalse(QuotaEvaluator.inScopes(ResourceTypes.PODS, json("{'scopes':['NotBestEffort']}"), bestEffort));
        assertTrue(QuotaEvaluator.inScopes(ResourceTypes.PODS, json("{'scopeSelector':{'matchExpressions':"
                + "[{'scopeName':'PriorityClass','operator':'In','values':['high','low']}]}}"), bestEffort));
        assertFalse(QuotaEvaluator.inScopes(ResourceTypes.PODS, json("{'scopeSelector':{'matchExpressions':"
                + "[{'scopeName':'PriorityClass','operator':'NotIn','values':['high']}]}}"), bestEffort));
        assertFalse(QuotaEvaluator.inScopes(ResourceTypes.CONFIGMAPS, json("{'scopes':['BestEffort']}"), json("{}")),
                "a scoped quota never counts what is not a pod");
        assertTrue(QuotaEvaluator.inScopes(ResourceTypes.CONFIGMAPS, json("{}"), json("{}")));
    }

    @Test
    void aCpuOrMemoryQuotaNamesTheContainersThatStateTooLittle() {
        JsonNode pod = json("{'spec':{'initContainers':[{'name':'init'}],'containers':["
                + "{'name':'a','resources':{'limits':{'memory':'1Gi'}}},{'name':'b','resources':{'requests':{'cpu':'1'}}}]}}");
        assertEquals("must specify limits.memory for: b,init; requests.cpu for: a,init",
                QuotaEvaluator.unmetConstraints(ResourceTypes.PODS, List.of("requests.cpu", "limits.memory", "pods"), pod));
        assertEquals("", QuotaEvaluator.unmetConstraints(ResourceTypes.PODS, List.of("pods", "count/pods"), pod));
        assertEquals("", QuotaEvaluator.unmetConstraints(ResourceTypes.CONFIGMAPS, List.of("requests.cpu"), json("{}")));
    }

    @Test
    void usedSumsTheObjectsInScopeWithZerosForWhatNothingUses() {
        List<JsonNode> pods = List.of(
                json("{'status':{'phase':'Running','qosClass':'Burstable'},'spec':{'containers':[{'name':'a','resources':{'requests':{'cpu':'300m'}}}]}}"),
                json("{'status':{'phase':'Running','qosClass':'BestEffort'},'spec':{'containers':[{'name':'a'}]}}"));
        assertEquals(amounts("pods", "2", "requests.cpu", "300m", "limits.memory", "0"),
                QuotaEvaluator.used(ResourceTypes.PODS, List.of("pods", "requests.cpu", "limits.memory"), json("{}"), pods, NOW));
        assertEquals(amounts("pods", "1"),
                QuotaEvaluator.used(ResourceTypes.PODS, List.of("pods"), json("{'scopes':['BestEffort']}"), pods, NOW));
    }
}

package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.config.GatewaySettings;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static io.kubus.gateway.admission.Fixtures.create;
import static io.kubus.gateway.admission.Fixtures.deployment;
import static io.kubus.gateway.admission.Fixtures.job;
import static io.kubus.gateway.admission.Fixtures.json;
import static io.kubus.gateway.admission.Fixtures.pod;
import static io.kubus.gateway.admission.Fixtures.service;
import static io.kubus.gateway.admission.Fixtures.workload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DefaultsTest {

    private static void assertPodSpecDefaults(JsonNode spec, boolean job) {
        if (!job) {
            assertEquals("Always", spec.path("restartPolicy").asText(), spec.toString());
        }
        assertEquals(30, spec.path("terminationGracePeriodSeconds").asInt());
        assertEquals("ClusterFirst", spec.path("dnsPolicy").asText());
        assertEquals("default-scheduler", spec.path("schedulerName").asText());
        assertTrue(spec.path("securityContext").isObject());
        assertTrue(spec.path("enableServiceLinks").asBoolean());
        JsonNode c = spec.path("containers").get(0);
        assertEquals("/dev/termination-log", c.path("terminationMessagePath").asText());
        assertEquals("File", c.path("terminationMessagePolicy").asText());
        assertFalse(c.path("imagePullPolicy").asText().isEmpty());
    }

    @Test
    void podSpecContainerAndStatusDefaults() {
        ObjectNode out = create(ResourceTypes.PODS, pod());
        assertPodSpecDefaults(out.get("spec"), false);
        assertEquals("TCP", out.at("/spec/containers/0/ports/0/protocol").asText());
        assertEquals("IfNotPresent", out.at("/spec/containers/0/imagePullPolicy").asText());
        assertEquals("Pending", out.at("/status/phase").asText());
        assertEquals("BestEffort", out.at("/status/qosClass").asText());
    }

    @Test
    void explicitValuesWin() {
        ObjectNode p = pod();
        ((ObjectNode) p.get("spec")).put("restartPolicy", "Never").put("terminationGracePeriodSeconds", 5);
        ((ObjectNode) p.at("/spec/containers/0")).put("imagePullPolicy", "Never");
        ObjectNode out = create(ResourceTypes.PODS, p);
        assertEquals("Never", out.at("/spec/restartPolicy").asText());
        assertEquals(5, out.at("/spec/terminationGracePeriodSeconds").asInt());
        assertEquals("Never", out.at("/spec/containers/0/imagePullPolicy").asText());
    }

    @ParameterizedTest
    @CsvSource({"nginx,Always", "nginx:latest,Always", "nginx:1.27,IfNotPresent", "localhost:5000/app,Always",
            "localhost:5000/app:v2,IfNotPresent", "nginx@sha256:abc,IfNotPresent", "repo/x:latest,Always"})
    void imagePullPolicy(String image, String policy) {
        assertEquals(policy, io.kubus.gateway.registry.core.pod.PodSpecDefaults.pullPolicy(image));
    }

    @Test
    void qosClasses() {
        ObjectNode p = pod();
        ((ObjectNode) p.at("/spec/containers/0")).set("resources", json("{'limits':{'cpu':'1','memory':'1Gi'}}"));
        ObjectNode out = create(ResourceTypes.PODS, p);
        assertEquals("Guaranteed", out.at("/status/qosClass").asText());
        assertEquals("1Gi", out.at("/spec/containers/0/resources/requests/memory").asText(), "requests default to limits");
        ObjectNode b = pod();
        ((ObjectNode) b.at("/spec/containers/0")).set("resources", json("{'requests':{'cpu':'100m'}}"));
        assertEquals("Burstable", create(ResourceTypes.PODS, b).at("/status/qosClass").asText());
    }

    @Test
    void phaseIsOnlySetOnCreate() {
        ObjectNode old = create(ResourceTypes.PODS, pod());
        ObjectNode running = old.deepCopy();
        ((ObjectNode) running.get("status")).put("phase", "Running");
        // a status write (the status subresource, or an agent's report) keeps everything else from the stored pod
        ObjectNode out = Fixtures.ADMISSION.admitUpdate(ResourceTypes.PODS, running, old, Fixtures.CREATOR, FieldValidation.STRICT,
                new java.util.ArrayList<>());
        assertEquals("Running", out.at("/status/phase").asText());
    }

    @Test
    void deploymentDefaults() {
        JsonNode spec = create(ResourceTypes.DEPLOYMENTS, Fixtures.deployment()).get("spec");
        assertEquals(1, spec.path("replicas").asInt());
        assertEquals("RollingUpdate", spec.at("/strategy/type").asText());
        assertEquals("25%", spec.at("/strategy/rollingUpdate/maxUnavailable").asText());
        assertEquals("25%", spec.at("/strategy/rollingUpdate/maxSurge").asText());
        assertEquals(10, spec.path("revisionHistoryLimit").asInt());
        assertEquals(600, spec.path("progressDeadlineSeconds").asInt());
        assertPodSpecDefaults(spec.at("/template/spec"), false);
    }

    @Test
    void recreateDeploymentGetsNoRollingUpdate() {
        ObjectNode d = deployment();
        ((ObjectNode) d.get("spec")).putObject("strategy").put("type", "Recreate");
        assertFalse(create(ResourceTypes.DEPLOYMENTS, d).at("/spec/strategy").has("rollingUpdate"));
    }

    @Test
    void replicaSetAndReplicationController() {
        JsonNode rs = create(ResourceTypes.REPLICASETS, workload("apps/v1", "ReplicaSet")).get("spec");
        assertEquals(1, rs.path("replicas").asInt());
        assertPodSpecDefaults(rs.at("/template/spec"), false);
        ObjectNode rc = json("{'apiVersion':'v1','kind':'ReplicationController','metadata':{'name':'web','namespace':'default'},"
                + "'spec':{'template':" + Fixtures.podTemplate() + "}}");
        ObjectNode out = create(ResourceTypes.REPLICATIONCONTROLLERS, rc);
        assertEquals(json("{'app':'web'}"), out.at("/spec/selector"));
        assertEquals(json("{'app':'web'}"), out.at("/metadata/labels"));
        assertEquals(1, out.at("/spec/replicas").asInt());
    }

    @Test
    void statefulSetDefaults() {
        JsonNode spec = create(ResourceTypes.STATEFULSETS, workload("apps/v1", "StatefulSet")).get("spec");
        assertEquals(1, spec.path("replicas").asInt());
        assertEquals("OrderedReady", spec.path("podManagementPolicy").asText());
        assertEquals("RollingUpdate", spec.at("/updateStrategy/type").asText());
        assertEquals(0, spec.at("/updateStrategy/rollingUpdate/partition").asInt(-1));
        assertEquals(10, spec.path("revisionHistoryLimit").asInt());
        assertPodSpecDefaults(spec.at("/template/spec"), false);
    }

    @Test
    void daemonSetDefaults() {
        JsonNode spec = create(ResourceTypes.DAEMONSETS, workload("apps/v1", "DaemonSet")).get("spec");
        assertEquals("RollingUpdate", spec.at("/updateStrategy/type").asText());
        assertEquals(1, spec.at("/updateStrategy/rollingUpdate/maxUnavailable").asInt());
        assertEquals(0, spec.at("/updateStrategy/rollingUpdate/maxSurge").asInt(-1));
        assertEquals(10, spec.path("revisionHistoryLimit").asInt());
        assertPodSpecDefaults(spec.at("/template/spec"), false);
    }

    @Test
    void jobDefaultsAndGeneratedSelector() {
        ObjectNode out = create(ResourceTypes.JOBS, job());
        JsonNode spec = out.get("spec");
        assertEquals(1, spec.path("parallelism").asInt());
        assertEquals(1, spec.path("completions").asInt());
        assertEquals(6, spec.path("backoffLimit").asInt());
        assertEquals("NonIndexed", spec.path("completionMode").asText());
        assertFalse(spec.path("suspend").asBoolean(true));
        assertEquals("Never", spec.at("/template/spec/restartPolicy").asText());
        assertEquals("j1", spec.at("/selector/matchLabels/batch.kubernetes.io~1controller-uid").asText());
        assertEquals("pi", spec.at("/template/metadata/labels/job-name").asText());
        assertPodSpecDefaults(spec.at("/template/spec"), true);
    }

    @Test
    void jobTemplateGetsNoRestartPolicy() {
        ObjectNode j = job();
        ((ObjectNode) j.at("/spec/template/spec")).remove("restartPolicy");
        Fixtures.assertInvalid(ResourceTypes.JOBS, j, "spec.template.spec.restartPolicy", "Required value");
    }

    @Test
    void cronJobDefaults() {
        JsonNode spec = create(ResourceTypes.CRONJOBS, Fixtures.cronJob()).get("spec");
        assertEquals("Allow", spec.path("concurrencyPolicy").asText());
        assertFalse(spec.path("suspend").asBoolean(true));
        assertEquals(3, spec.path("successfulJobsHistoryLimit").asInt());
        assertEquals(1, spec.path("failedJobsHistoryLimit").asInt());
        assertPodSpecDefaults(spec.at("/jobTemplate/spec/template/spec"), true);
    }

    @Test
    void serviceDefaults() {
        ObjectNode out = create(ResourceTypes.SERVICES, Fixtures.service());
        assertEquals("ClusterIP", out.at("/spec/type").asText());
        assertEquals("None", out.at("/spec/sessionAffinity").asText());
        assertEquals("TCP", out.at("/spec/ports/0/protocol").asText());
        assertEquals(80, out.at("/spec/ports/0/targetPort").asInt());
        ObjectNode named = service();
        ((ObjectNode) named.at("/spec/ports/0")).put("targetPort", "http");
        assertEquals("http", create(ResourceTypes.SERVICES, named).at("/spec/ports/0/targetPort").asText());
    }

    @Test
    void secretTypeAndStringData() {
        ObjectNode out = create(ResourceTypes.SECRETS, json("{'apiVersion':'v1','kind':'Secret','metadata':{'name':'s','namespace':'default'},"
                + "'stringData':{'user':'admin'}}"));
        assertEquals("Opaque", out.path("type").asText());
        assertEquals("YWRtaW4=", out.at("/data/user").asText());
        assertFalse(out.has("stringData"));
    }

    @Test
    void namespaceDefaults() {
        ObjectNode out = create(ResourceTypes.NAMESPACES, json("{'apiVersion':'v1','kind':'Namespace','metadata':{'name':'team-a'}}"));
        assertEquals("Active", out.at("/status/phase").asText());
        assertEquals(json("{'a':['kubernetes']}").get("a"), out.at("/spec/finalizers"));
        assertEquals("team-a", out.at("/metadata/labels/kubernetes.io~1metadata.name").asText());
    }

    @Test
    void nodeAndConfigMapAreLeftAlone() {
        ObjectNode node = json("{'apiVersion':'v1','kind':'Node','metadata':{'name':'node-1'}}");
        assertEquals(node, create(ResourceTypes.NODES, node.deepCopy()));
        ObjectNode cm = json("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c','namespace':'default'},'data':{'a':'b'}}");
        assertEquals(cm, create(ResourceTypes.CONFIGMAPS, cm.deepCopy()));
    }

    @Test
    void hostNetworkPortsAreHostPorts() {
        ObjectNode p = pod();
        ((ObjectNode) p.get("spec")).put("hostNetwork", true);
        assertEquals(80, create(ResourceTypes.PODS, p).at("/spec/containers/0/ports/0/hostPort").asInt());
        assertTrue(create(ResourceTypes.PODS, pod()).at("/spec/containers/0/ports/0/hostPort").isMissingNode());
    }

    @Test
    void pvcVolumeModeAndPhase() {
        ObjectNode out = create(ResourceTypes.PERSISTENTVOLUMECLAIMS, json("{'apiVersion':'v1','kind':'PersistentVolumeClaim',"
                + "'metadata':{'name':'d','namespace':'default'},'spec':{'accessModes':['ReadWriteOnce'],'resources':{'requests':{'storage':'1Gi'}}}}"));
        assertEquals("Filesystem", out.at("/spec/volumeMode").asText());
        assertEquals("Pending", out.at("/status/phase").asText());
    }

    @Test
    void newPodsTolerateNotReadyAndUnreachableFor300Seconds() {
        ObjectNode out = create(ResourceTypes.PODS, pod());
        assertEquals("[{\"key\":\"node.kubernetes.io/not-ready\",\"operator\":\"Exists\",\"effect\":\"NoExecute\","
                + "\"tolerationSeconds\":300},{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\","
                + "\"effect\":\"NoExecute\",\"tolerationSeconds\":300}]", out.at("/spec/tolerations").toString());
    }

    @Test
    void aPodsOwnTolerationsForTheNodeTaintsAreKept() {
        ObjectNode p = pod();
        ((ObjectNode) p.get("spec")).set("tolerations", json("{'t':[{'key':'node.kubernetes.io/unreachable',"
                + "'operator':'Exists','effect':'NoExecute','tolerationSeconds':5},{'key':'gpu','operator':'Exists'}]}").get("t"));
        JsonNode tolerations = create(ResourceTypes.PODS, p).at("/spec/tolerations");
        assertEquals(3, tolerations.size(), tolerations.toString());
        assertEquals(5, tolerations.get(0).path("tolerationSeconds").asInt(), "the pod's own bound stays");
        assertEquals("node.kubernetes.io/not-ready", tolerations.get(2).path("key").asText(), "only the missing one is added");
        assertEquals(300, tolerations.get(2).path("tolerationSeconds").asInt());
    }

    @Test
    void aTolerationOfEveryTaintOrEveryEffectNeedsNoDefaults() {
        for (String t : new String[]{"{'operator':'Exists'}", "{'operator':'Exists','effect':'NoExecute'}"}) {
            ObjectNode p = pod();
            ((ObjectNode) p.get("spec")).set("tolerations", json("{'t':[" + t + "]}").get("t"));
            assertEquals(1, create(ResourceTypes.PODS, p).at("/spec/tolerations").size(), t);
        }
        ObjectNode noSchedule = pod();
        ((ObjectNode) noSchedule.get("spec")).set("tolerations", json("{'t':[{'operator':'Exists','effect':'NoSchedule'}]}").get("t"));
        assertEquals(3, create(ResourceTypes.PODS, noSchedule).at("/spec/tolerations").size(), "NoSchedule does not count");
    }

    @Test
    void theSecondsAreConfigurableAndAReplaceKeepsThem() {
        GatewaySettings settings = new GatewaySettings();
        settings.setDefaultNotReadyTolerationSeconds(60);
        settings.setDefaultUnreachableTolerationSeconds(10);
        Admission admission = new Admission(Fixtures.STRATEGIES, io.kubus.gateway.testing.Registry.CONVERSIONS, List.of(new DefaultTolerationSeconds(settings)));
        ObjectNode created = Fixtures.admit(admission, ResourceTypes.PODS, pod(), null, FieldValidation.STRICT, new ArrayList<>());
        assertEquals(60, created.at("/spec/tolerations/0/tolerationSeconds").asInt());
        assertEquals(10, created.at("/spec/tolerations/1/tolerationSeconds").asInt());

        ObjectNode replaced = Fixtures.admit(admission, ResourceTypes.PODS, pod(), created, FieldValidation.STRICT,
                new ArrayList<>());
        assertEquals(created.at("/spec/tolerations"), replaced.at("/spec/tolerations"),
                "a replace without them gets them back instead of a refusal for removing tolerations");
        ObjectNode template = Fixtures.admit(admission, ResourceTypes.DEPLOYMENTS, deployment(), null, FieldValidation.STRICT,
                new ArrayList<>());
        assertTrue(template.at("/spec/template/spec/tolerations").isMissingNode(), "pods get them when they are created");
    }
}

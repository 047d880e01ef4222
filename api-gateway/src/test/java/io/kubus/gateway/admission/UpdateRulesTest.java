package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;

import static io.kubus.gateway.admission.Fixtures.assertInvalid;
import static io.kubus.gateway.admission.Fixtures.create;
import static io.kubus.gateway.admission.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

class UpdateRulesTest {

    private static ObjectNode update(ResourceType type, ObjectNode now, ObjectNode old) {
        return Fixtures.admit(type, now, old, FieldValidation.STRICT, new ArrayList<>());
    }

    @Test
    void selectorsAreImmutable() {
        for (ResourceType type : new ResourceType[]{ResourceTypes.DEPLOYMENTS, ResourceTypes.REPLICASETS, ResourceTypes.DAEMONSETS}) {
            ObjectNode old = create(type, Fixtures.workload("apps/v1", type.kind()));
            ObjectNode now = old.deepCopy();
            ((ObjectNode) now.at("/spec/selector/matchLabels")).put("tier", "front");
            ((ObjectNode) now.at("/spec/template/metadata/labels")).put("tier", "front");
            assertInvalid(type, now, old, "spec.selector", "Invalid value: v1.LabelSelector{\"matchLabels\":{\"app\":\"web\",\"tier\":\"front\"}}: field is immutable");
        }
    }

    @Test
    void jobSelectorIsImmutable() {
        ObjectNode old = create(ResourceTypes.JOBS, Fixtures.job());
        ObjectNode now = old.deepCopy();
        ((ObjectNode) now.at("/spec/selector/matchLabels")).put("x", "y");
        ((ObjectNode) now.at("/spec/template/metadata/labels")).put("x", "y");
        assertInvalid(ResourceTypes.JOBS, now, old, "spec.selector", "Invalid value:");
    }

    @Test
    void deploymentTemplateAndReplicasMayChange() {
        ObjectNode old = create(ResourceTypes.DEPLOYMENTS, Fixtures.deployment());
        ObjectNode now = old.deepCopy();
        ((ObjectNode) now.get("spec")).put("replicas", 5);
        ((ObjectNode) now.at("/spec/template/spec/containers/0")).put("image", "nginx:1.28");
        assertEquals(5, update(ResourceTypes.DEPLOYMENTS, now, old).at("/spec/replicas").asInt());
    }

    @Test
    void statefulSetSpecBeyondTemplateIsForbidden() {
        ObjectNode old = create(ResourceTypes.STATEFULSETS, Fixtures.workload("apps/v1", "StatefulSet"));
        ObjectNode ok = old.deepCopy();
        ((ObjectNode) ok.get("spec")).put("replicas", 3);
        update(ResourceTypes.STATEFULSETS, ok, old);
        ObjectNode bad = old.deepCopy();
        ((ObjectNode) bad.get("spec")).put("serviceName", "other");
        assertInvalid(ResourceTypes.STATEFULSETS, bad, old, "spec", "Forbidden: updates to statefulset spec for fields other than");
    }

    @Test
    void podImageDeadlineAndTolerationAdditionsMayChange() {
        ObjectNode old = create(ResourceTypes.PODS, Fixtures.pod());
        ObjectNode now = old.deepCopy();
        ((ObjectNode) now.at("/spec/containers/0")).put("image", "nginx:1.28");
        ((ObjectNode) now.get("spec")).put("activeDeadlineSeconds", 60);
        ((ObjectNode) now.get("spec")).putArray("tolerations").add(json("{'key':'k','operator':'Exists','effect':'NoSchedule'}"));
        ObjectNode out = update(ResourceTypes.PODS, now, old);
        assertEquals("nginx:1.28", out.at("/spec/containers/0/image").asText());
    }

    @Test
    void podLabelsAndStatusMayChange() {
        ObjectNode old = create(ResourceTypes.PODS, Fixtures.pod());
        ObjectNode now = old.deepCopy();
        ((ObjectNode) now.at("/metadata/labels")).put("env", "prod");
        ((ObjectNode) now.get("status")).put("phase", "Running");
        update(ResourceTypes.PODS, now, old);
    }

    @Test
    void otherPodSpecChangesAreForbidden() {
        ObjectNode old = create(ResourceTypes.PODS, Fixtures.pod());
        ObjectNode ports = old.deepCopy();
        ((ObjectNode) ports.at("/spec/containers/0/ports/0")).put("containerPort", 8080);
        assertInvalid(ResourceTypes.PODS, ports, old, "spec", "Forbidden: pod updates may not change fields other than `spec.containers[*].image`");
        ObjectNode added = old.deepCopy();
        ((ArrayNode) added.at("/spec/containers")).add(json("{'name':'sidecar','image':'busybox'}"));
        assertInvalid(ResourceTypes.PODS, added, old, "spec", "Forbidden: pod updates may not change fields");
    }

    @Test
    void removingTolerationsOrLengtheningDeadlineIsForbidden() {
        ObjectNode base = Fixtures.pod();
        ((ObjectNode) base.get("spec")).put("activeDeadlineSeconds", 60);
        ((ObjectNode) base.get("spec")).putArray("tolerations").add(json("{'key':'k','operator':'Exists'}"));
        ObjectNode old = create(ResourceTypes.PODS, base);
        ObjectNode removed = old.deepCopy();
        ((ObjectNode) removed.get("spec")).remove("tolerations");
        assertInvalid(ResourceTypes.PODS, removed, old, "spec", "Forbidden:");
        ObjectNode longer = old.deepCopy();
        ((ObjectNode) longer.get("spec")).put("activeDeadlineSeconds", 120);
        assertInvalid(ResourceTypes.PODS, longer, old, "spec", "Forbidden:");
    }

    @Test
    void jobTemplateIsImmutableUnlessSuspended() {
        ObjectNode old = create(ResourceTypes.JOBS, Fixtures.job());
        ObjectNode now = old.deepCopy();
        ((ObjectNode) now.at("/spec/template/spec/containers/0")).put("image", "perl:6");
        assertInvalid(ResourceTypes.JOBS, now, old, "spec.template", "Invalid value: core.PodTemplateSpec");
        ((ObjectNode) old.get("spec")).put("suspend", true);
        update(ResourceTypes.JOBS, now, old);
        ObjectNode more = old.deepCopy();
        ((ObjectNode) more.get("spec")).put("completions", 5);
        assertInvalid(ResourceTypes.JOBS, more, old, "spec.completions", "Invalid value: 5: field is immutable");
    }

    @Test
    void serviceKeepsItsAllocatedClusterIpAndNodePort() {
        ObjectNode svc = Fixtures.service();
        ((ObjectNode) svc.get("spec")).put("type", "NodePort");
        ObjectNode old = create(ResourceTypes.SERVICES, svc);
        ((ObjectNode) old.get("spec")).put("clusterIP", "10.96.0.10").putArray("clusterIPs").add("10.96.0.10");
        ((ObjectNode) old.at("/spec/ports/0")).put("nodePort", 30080);
        ObjectNode out = update(ResourceTypes.SERVICES, svc.deepCopy(), old);
        assertEquals("10.96.0.10", out.at("/spec/clusterIP").asText());
        assertEquals(30080, out.at("/spec/ports/0/nodePort").asInt());
        ObjectNode moved = svc.deepCopy();
        ((ObjectNode) moved.get("spec")).put("clusterIP", "10.96.0.99");
        assertInvalid(ResourceTypes.SERVICES, moved, old, "spec.clusterIPs[0]",
                "Invalid value: []string{\"10.96.0.99\"}: may not change once set");
    }

    @Test
    void immutableConfigMapsAndSecretTypes() {
        ObjectNode cm = json("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c','namespace':'default'},'data':{'a':'1'},'immutable':true}");
        ObjectNode old = create(ResourceTypes.CONFIGMAPS, cm);
        ObjectNode changed = old.deepCopy();
        ((ObjectNode) changed.get("data")).put("a", "2");
        assertInvalid(ResourceTypes.CONFIGMAPS, changed, old, "data", "Forbidden: field is immutable when `immutable` is set");
        ObjectNode relabelled = old.deepCopy();
        ((ObjectNode) relabelled.get("metadata")).putObject("labels").put("x", "y");
        update(ResourceTypes.CONFIGMAPS, relabelled, old);

        ObjectNode secret = json("{'apiVersion':'v1','kind':'Secret','metadata':{'name':'s','namespace':'default'},'data':{'a':'eA=='}}");
        ObjectNode oldSecret = create(ResourceTypes.SECRETS, secret);
        ObjectNode retyped = oldSecret.deepCopy().put("type", "kubernetes.io/tls");
        assertInvalid(ResourceTypes.SECRETS, retyped, oldSecret, "type", "Invalid value: \"kubernetes.io/tls\": field is immutable");
    }
}

package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.api.ApiException;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;

import static io.kubus.gateway.admission.Fixtures.deployment;
import static io.kubus.gateway.admission.Fixtures.json;
import static io.kubus.gateway.admission.Fixtures.pod;
import static io.kubus.gateway.admission.Fixtures.refuse;
import static org.junit.jupiter.api.Assertions.assertEquals;

class WrongTypesTest {

    private static String badRequest(ResourceType type, ObjectNode o) {
        ApiException e = refuse(type, o, null);
        assertEquals(400, e.code(), e.getMessage());
        assertEquals("BadRequest", e.status().getReason());
        return e.getMessage();
    }

    @Test
    void stringForInt32NamesTheGoStructField() {
        ObjectNode d = deployment();
        ((ObjectNode) d.get("spec")).put("replicas", "3");
        assertEquals("Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal string into "
                + "Go struct field DeploymentSpec.spec.replicas of type int32", badRequest(ResourceTypes.DEPLOYMENTS, d));
    }

    @Test
    void numberForStringInsideAList() {
        ObjectNode p = pod();
        ((ObjectNode) p.at("/spec/containers/0")).put("image", 5);
        assertEquals("Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal number into "
                + "Go struct field Container.spec.containers.image of type string", badRequest(ResourceTypes.PODS, p));
    }

    @Test
    void floatForInt() {
        ObjectNode p = pod();
        ((ObjectNode) p.at("/spec/containers/0/ports/0")).put("containerPort", 80.5);
        assertEquals("Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal number into "
                + "Go struct field ContainerPort.spec.containers.ports.containerPort of type int32", badRequest(ResourceTypes.PODS, p));
    }

    @Test
    void numberAsLabelValue() {
        ObjectNode p = pod();
        ((ObjectNode) p.at("/metadata/labels")).put("version", 2);
        String msg = badRequest(ResourceTypes.PODS, p);
        assertEquals("Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal number into "
                + "Go struct field ObjectMeta.metadata.labels of type string", msg);
    }

    @Test
    void stringForBoolAndObjectForList() {
        ObjectNode p = pod();
        ((ObjectNode) p.get("spec")).put("hostNetwork", "yes");
        assertEquals("Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal string into "
                + "Go struct field PodSpec.spec.hostNetwork of type bool", badRequest(ResourceTypes.PODS, p));
        ObjectNode q = pod();
        ((ObjectNode) q.get("spec")).putObject("containers");
        assertEquals("Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal object into "
                + "Go struct field PodSpec.spec.containers of type []interface {}", badRequest(ResourceTypes.PODS, q));
    }

    @Test
    void scalarForObject() {
        ObjectNode d = deployment();
        d.put("spec", "nope");
        String msg = badRequest(ResourceTypes.DEPLOYMENTS, d);
        assertEquals("Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal string into "
                + "Go struct field Deployment.spec of type v1.DeploymentSpec", msg);
    }

    @Test
    void badSecretBase64IsADecodingError() {
        ObjectNode s = json("{'apiVersion':'v1','kind':'Secret','metadata':{'name':'s','namespace':'default'},'data':{'k':'ab-d'}}");
        assertEquals("Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data at input byte 2",
                badRequest(ResourceTypes.SECRETS, s));
    }

    @Test
    void numbersAreFineWhereKubernetesTakesThem() {
        // quantities and int-or-string accept bare numbers, as YAML manifests write them
        ObjectNode p = pod();
        ((ObjectNode) p.at("/spec/containers/0")).set("resources", json("{'limits':{'cpu':1,'memory':'128Mi'}}"));
        ObjectNode out = Fixtures.create(ResourceTypes.PODS, p);
        assertEquals("1", out.at("/spec/containers/0/resources/limits/cpu").asText());
        ObjectNode d = deployment();
        ((ObjectNode) d.get("spec")).set("strategy", json("{'rollingUpdate':{'maxSurge':2,'maxUnavailable':'50%'}}"));
        ObjectNode dep = Fixtures.create(ResourceTypes.DEPLOYMENTS, d);
        assertEquals(2, dep.at("/spec/strategy/rollingUpdate/maxSurge").asInt());
        assertEquals("50%", dep.at("/spec/strategy/rollingUpdate/maxUnavailable").asText());
    }

    @Test
    void envValueMustBeAString() {
        ObjectNode p = pod();
        ((ObjectNode) p.at("/spec/containers/0")).set("env", json("{'e':[{'name':'PORT','value':8080}]}").get("e"));
        assertEquals("Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal number into "
                + "Go struct field EnvVar.spec.containers.env.value of type string", badRequest(ResourceTypes.PODS, p));
    }
}

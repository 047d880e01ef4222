package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static io.kubus.gateway.admission.Fixtures.json;
import static io.kubus.gateway.admission.KindRules.admitted;
import static io.kubus.gateway.admission.KindRules.admittedUpdate;
import static io.kubus.gateway.admission.KindRules.refused;
import static io.kubus.gateway.admission.KindRules.refusedUpdate;
import static io.kubus.gateway.admission.KindRules.with;
import static io.kubus.schema.ResourceTypes.CONTROLLERREVISIONS;
import static io.kubus.schema.ResourceTypes.ENDPOINTSLICES;
import static io.kubus.schema.ResourceTypes.PODTEMPLATES;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** core/v1 PodTemplate, apps/v1 ControllerRevision and discovery.k8s.io/v1 EndpointSlice, as Kubernetes 1.32 validates them. */
class TemplateRevisionSliceKindsTest {

    private static ObjectNode podTemplate() {
        return json("{'apiVersion':'v1','kind':'PodTemplate','metadata':{'name':'web','namespace':'default'},"
                + "'template':{'metadata':{'labels':{'app':'web'}},'spec':{'containers':[{'name':'nginx','image':'nginx:1.27',"
                + "'ports':[{'containerPort':80}]}]}}}");
    }

    @Test
    void podTemplateGetsThePodDefaults() {
        ObjectNode stored = admitted(PODTEMPLATES, podTemplate());
        assertEquals("Always", stored.at("/template/spec/restartPolicy").asText());
        assertEquals(30, stored.at("/template/spec/terminationGracePeriodSeconds").asInt());
        assertEquals("ClusterFirst", stored.at("/template/spec/dnsPolicy").asText());
        assertEquals("TCP", stored.at("/template/spec/containers/0/ports/0/protocol").asText());
        assertEquals("IfNotPresent", stored.at("/template/spec/containers/0/imagePullPolicy").asText());
        admitted(PODTEMPLATES, with(podTemplate(), t -> t.with("template").with("spec").put("restartPolicy", "Never")));
    }

    @Test
    void podTemplateIsValidatedAsAPodTemplate() {
        refused(PODTEMPLATES, with(podTemplate(), t -> t.remove("template")), "template.spec.containers: Required value");
        refused(PODTEMPLATES, with(podTemplate(), t -> ((ObjectNode) t.at("/template/spec/containers/0")).remove("image")),
                "template.spec.containers[0].image: Required value");
        refused(PODTEMPLATES, with(podTemplate(), t -> ((ObjectNode) t.at("/template/metadata/labels")).put("app", "a b")),
                "template.metadata.labels: Invalid value: \"a b\": a valid label must be an empty string or consist of "
                        + "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
                        + "'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
        ObjectNode old = admitted(PODTEMPLATES, podTemplate());
        admittedUpdate(PODTEMPLATES, with(old, t -> ((ObjectNode) t.at("/template/spec/containers/0")).put("image", "nginx:1.28")), old);
    }

    private static ObjectNode revision() {
        return json("{'apiVersion':'apps/v1','kind':'ControllerRevision','metadata':{'name':'web-7d4b9c','namespace':'default'},"
                + "'data':{'spec':{'template':{'spec':{'containers':[{'name':'nginx','image':'nginx:1.27'}]}}}},'revision':1}");
    }

    @Test
    void controllerRevisions() {
        admitted(CONTROLLERREVISIONS, with(revision(), r -> r.remove("revision")));
        refused(CONTROLLERREVISIONS, with(revision(), r -> r.remove("data")), "data: Required value: data is mandatory");
        refused(CONTROLLERREVISIONS, with(revision(), r -> r.put("revision", -1)),
                "revision: Invalid value: -1: must be greater than or equal to 0");
        ObjectNode old = admitted(CONTROLLERREVISIONS, revision());
        admittedUpdate(CONTROLLERREVISIONS, with(old, r -> r.put("revision", 3)), old);
        refusedUpdate(CONTROLLERREVISIONS, with(old, r -> r.set("data", json("{'spec':{}}"))), old,
                "data: Invalid value: runtime.RawExtension{\"spec\":{}}: field is immutable");
    }

    private static ObjectNode slice() {
        return json("{'apiVersion':'discovery.k8s.io/v1','kind':'EndpointSlice','metadata':{'name':'web-abc12','namespace':'default',"
                + "'labels':{'kubernetes.io/service-name':'web'}},'addressType':'IPv4',"
                + "'endpoints':[{'addresses':['10.1.2.3'],'conditions':{'ready':true},'nodeName':'node-1'}],"
                + "'ports':[{'name':'http','port':80}]}");
    }

    @Test
    void endpointSlicePortsDefault() {
        ObjectNode stored = admitted(ENDPOINTSLICES, with(slice(), s -> ((ArrayNode) s.get("ports")).addObject().put("port", 81)));
        assertEquals("TCP", stored.at("/ports/0/protocol").asText());
        assertEquals("", stored.at("/ports/1/name").asText());
        assertEquals("TCP", stored.at("/ports/1/protocol").asText());
    }

    @Test
    void endpointSliceAddresses() {
        refused(ENDPOINTSLICES, with(slice(), s -> s.remove("addressType")), "addressType: Required value");
        refused(ENDPOINTSLICES, with(slice(), s -> s.put("addressType", "IP")),
                "addressType: Unsupported value: \"IP\": supported values: \"FQDN\", \"IPv4\", \"IPv6\"");
        refused(ENDPOINTSLICES, with(slice(), s -> ((ArrayNode) s.at("/endpoints/0/addresses")).add("fd00::1").add("127.0.0.1")),
                "endpoints[0].addresses[1]: Invalid value: \"fd00::1\": must be a valid IPv4 address",
                "endpoints[0].addresses[2]: Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128)");
        refused(ENDPOINTSLICES, with(slice(), s -> ((ObjectNode) s.at("/endpoints/0")).putArray("addresses")),
                "endpoints[0].addresses: Required value: must contain at least 1 address");
        ArrayNode many = json("{'a':[]}").withArray("a");
        for (int i = 0; i < 101; i++) {
            many.add("10.0.0." + (i % 250 + 1));
        }
        refused(ENDPOINTSLICES, with(slice(), s -> ((ObjectNode) s.at("/endpoints/0")).set("addresses", many)),
                "endpoints[0].addresses: Too many: 101: must have at most 100 items");
        refused(ENDPOINTSLICES, with(slice(), s -> {
                    s.put("addressType", "FQDN");
                    ((ArrayNode) s.at("/endpoints/0/addresses")).removeAll().add("db");
                }), "endpoints[0].addresses[0]: Invalid value: \"db\": should be a domain with at least two segments separated by dots");
        admitted(ENDPOINTSLICES, with(slice(), s -> {
            s.put("addressType", "FQDN");
            ((ArrayNode) s.at("/endpoints/0/addresses")).removeAll().add("db.example.com");
        }));
        refused(ENDPOINTSLICES, with(slice(), s -> ((ObjectNode) s.at("/endpoints/0")).put("hostname", "db.1").put("nodeName", "Node_1")),
                "endpoints[0].nodeName: Invalid value: \"Node_1\": a lowercase RFC 1123 subdomain must consist of lower case "
                        + "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
                        + "'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                "endpoints[0].hostname: Invalid value: \"db.1\": must not contain dots");
        refused(ENDPOINTSLICES, with(slice(), s -> ((ObjectNode) s.at("/endpoints/0")).putObject("hints").putArray("forZones")
                        .add(json("{'name':'zone-a'}")).add(json("{'name':'zone-a'}"))),
                "endpoints[0].hints.forZones[1].name: Duplicate value: \"zone-a\"");
    }

    @Test
    void endpointSlicePorts() {
        refused(ENDPOINTSLICES, with(slice(), s -> ((ArrayNode) s.get("ports")).addObject().put("name", "http").put("port", 81)
                        .put("protocol", "HTTP").put("appProtocol", "a/b/c")),
                "ports[1].name: Duplicate value: \"http\"",
                "ports[1].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
                "ports[1].appProtocol: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', "
                        + "'_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
                        + "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS "
                        + "subdomain prefix and '/' (e.g. 'example.com/MyName')");
        refused(ENDPOINTSLICES, with(slice(), s -> ((ObjectNode) s.at("/ports/0")).put("name", "HTTP")),
                "ports[0].name: Invalid value: \"HTTP\": a lowercase RFC 1123 label must consist of lower case alphanumeric "
                        + "characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
                        + "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
        ArrayNode many = json("{'p':[]}").withArray("p");
        for (int i = 0; i < 101; i++) {
            many.addObject().put("name", "p" + i).put("port", 1000 + i);
        }
        refused(ENDPOINTSLICES, with(slice(), s -> s.set("ports", many)), "ports: Too many: 101: must have at most 100 items");
    }

    @Test
    void endpointSliceAddressTypeIsImmutable() {
        ObjectNode old = admitted(ENDPOINTSLICES, slice());
        admittedUpdate(ENDPOINTSLICES, with(old, s -> ((ArrayNode) s.at("/endpoints/0/addresses")).add("10.1.2.4")), old);
        refusedUpdate(ENDPOINTSLICES, with(old, s -> {
                    s.put("addressType", "IPv6");
                    ((ArrayNode) s.at("/endpoints/0/addresses")).removeAll().add("fd00::1");
                }), old,
                "addressType: Invalid value: \"IPv6\": field is immutable");
    }
}

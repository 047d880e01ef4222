package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static io.kubus.gateway.admission.Fixtures.json;
import static io.kubus.gateway.admission.KindRules.admitted;
import static io.kubus.gateway.admission.KindRules.admittedUpdate;
import static io.kubus.gateway.admission.KindRules.refused;
import static io.kubus.gateway.admission.KindRules.refusedUpdate;
import static io.kubus.gateway.admission.KindRules.with;
import static io.kubus.schema.ResourceTypes.INGRESSCLASSES;
import static io.kubus.schema.ResourceTypes.INGRESSES;
import static io.kubus.schema.ResourceTypes.NETWORKPOLICIES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** networking.k8s.io/v1: ValidateIngressCreate, ValidateIngressClass, ValidateNetworkPolicy and their defaults (Kubernetes 1.32). */
class NetworkingKindsTest {
    private static final String SUBDOMAIN = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
            + "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
            + "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    private static final String WILDCARD = "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS "
            + "subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric "
            + "character (e.g. '*.example.com', regex used for validation is "
            + "'\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    private static final String PATH = "/spec/rules/0/http/paths/0";

    private static ObjectNode ingress() {
        return json("{'apiVersion':'networking.k8s.io/v1','kind':'Ingress','metadata':{'name':'web','namespace':'default'},"
                + "'spec':{'ingressClassName':'nginx','rules':[{'host':'foo.example.com','http':{'paths':[{'path':'/bar',"
                + "'pathType':'Prefix','backend':{'service':{'name':'svc1','port':{'number':8080}}}}]}}],"
                + "'tls':[{'hosts':['foo.example.com'],'secretName':'foo-tls'}]}}");
    }

    private static ObjectNode path(ObjectNode ingress) {
        return (ObjectNode) ingress.at(PATH);
    }

    @Test
    void aValidIngressStartsWithAnEmptyLoadBalancerStatus() {
        ObjectNode stored = admitted(INGRESSES, with(ingress(), i -> i.putObject("status").putObject("loadBalancer")
                .putArray("ingress").addObject().put("ip", "10.0.0.1")));
        assertEquals(json("{'loadBalancer':{}}"), stored.get("status"));
        admitted(INGRESSES, with(ingress(), i -> i.with("spec").putArray("rules").addObject().put("host", "*.example.com")
                .putObject("http").putArray("paths").addObject().put("pathType", "ImplementationSpecific")
                .putObject("backend").putObject("resource").put("kind", "StorageBucket").put("name", "assets")));
    }

    @Test
    void rulesOrADefaultBackend() {
        refused(INGRESSES, with(ingress(), i -> i.with("spec").remove("rules")),
                "spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified");
        admitted(INGRESSES, with(ingress(), i -> {
            i.with("spec").remove("rules");
            i.with("spec").putObject("defaultBackend").putObject("service").put("name", "svc1").putObject("port").put("name", "http");
        }));
    }

    @Test
    void hosts() {
        refused(INGRESSES, with(ingress(), i -> ((ObjectNode) i.at("/spec/rules/0")).put("host", "10.1.2.3")),
                "spec.rules[0].host: Invalid value: \"10.1.2.3\": must be a DNS name, not an IP address");
        refused(INGRESSES, with(ingress(), i -> ((ObjectNode) i.at("/spec/rules/0")).put("host", "Foo.com")),
                "spec.rules[0].host: Invalid value: \"Foo.com\": " + SUBDOMAIN);
        refused(INGRESSES, with(ingress(), i -> ((ObjectNode) i.at("/spec/rules/0")).put("host", "foo.*.com")),
                "spec.rules[0].host: Invalid value: \"foo.*.com\": " + WILDCARD);
        refused(INGRESSES, with(ingress(), i -> ((ArrayNode) i.at("/spec/tls/0/hosts")).add("*"))
                , "spec.tls[0].hosts[1]: Invalid value: \"*\": " + WILDCARD);
        refused(INGRESSES, with(ingress(), i -> ((ObjectNode) i.at("/spec/tls/0")).put("secretName", "Foo_tls")),
                "spec.tls[0].secretName: Invalid value: \"Foo_tls\": " + SUBDOMAIN);
    }

    @Test
    void paths() {
        refused(INGRESSES, with(ingress(), i -> path(i).remove("pathType")),
                "spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified");
        refused(INGRESSES, with(ingress(), i -> path(i).put("pathType", "Regex")),
                "spec.rules[0].http.paths[0].pathType: Unsupported value: \"Regex\": supported values: \"Exact\", "
                        + "\"ImplementationSpecific\", \"Prefix\"");
        refused(INGRESSES, with(ingress(), i -> path(i).put("path", "bar")),
                "spec.rules[0].http.paths[0].path: Invalid value: \"bar\": must be an absolute path");
        refused(INGRESSES, with(ingress(), i -> path(i).put("path", "/a//b/..")),
                "spec.rules[0].http.paths[0].path: Invalid value: \"/a//b/..\": must not contain '//'",
                "spec.rules[0].http.paths[0].path: Invalid value: \"/a//b/..\": cannot end with '/..'");
        refused(INGRESSES, with(ingress(), i -> path(i).put("pathType", "ImplementationSpecific").put("path", "x")),
                "spec.rules[0].http.paths[0].path: Invalid value: \"x\": must be an absolute path");
        refused(INGRESSES, with(ingress(), i -> ((ObjectNode) i.at("/spec/rules/0/http")).putArray("paths")),
                "spec.rules[0].http.paths: Required value");
    }

    @Test
    void backends() {
        String backend = "spec.rules[0].http.paths[0].backend";
        refused(INGRESSES, with(ingress(), i -> path(i).remove("backend")),
                backend + ": Invalid value: \"\": resource or service backend is required");
        refused(INGRESSES, with(ingress(), i -> path(i).with("backend").putObject("resource").put("kind", "Bucket").put("name", "b")),
                backend + ": Invalid value: \"\": cannot set both resource and service backends");
        refused(INGRESSES, with(ingress(), i -> path(i).with("backend").with("service").remove("name")),
                backend + ".service.name: Required value");
        refused(INGRESSES, with(ingress(), i -> path(i).with("backend").with("service").put("name", "1svc")),
                backend + ".service.name: Invalid value: \"1svc\": a DNS-1035 label must consist of lower case alphanumeric "
                        + "characters or '-', start with an alphabetic character, and end with an alphanumeric character "
                        + "(e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')");
        refused(INGRESSES, with(ingress(), i -> path(i).with("backend").with("service").remove("port")),
                backend + ": Required value: port name or number is required");
        refused(INGRESSES, with(ingress(), i -> path(i).with("backend").with("service").with("port").put("name", "http")),
                backend + ": Invalid value: \"\": cannot set both port name & port number");
        refused(INGRESSES, with(ingress(), i -> path(i).with("backend").with("service").with("port").put("number", 70000)),
                backend + ".service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive");
        refused(INGRESSES, with(ingress(), i -> path(i).with("backend").with("service").putObject("port").put("name", "HTTP")),
                backend + ".service.port.name: Invalid value: \"HTTP\": must contain only alpha-numeric characters (a-z, 0-9), "
                        + "and hyphens (-)", backend + ".service.port.name: Invalid value: \"HTTP\": must contain at least one letter (a-z)");
        refused(INGRESSES, with(ingress(), i -> {
            path(i).with("backend").remove("service");
            path(i).with("backend").putObject("resource").put("apiGroup", "Example.com").put("name", "a/b");
        }), backend + ".resource.apiGroup: Invalid value: \"Example.com\": " + SUBDOMAIN,
                backend + ".resource.kind: Required value: kind is required",
                backend + ".resource.name: Invalid value: \"a/b\": may not contain '/'");
    }

    @Test
    void classNameAndTheDeprecatedAnnotation() {
        refused(INGRESSES, with(ingress(), i -> i.with("spec").put("ingressClassName", "Nginx")),
                "spec.ingressClassName: Invalid value: \"Nginx\": " + SUBDOMAIN);
        ObjectNode mismatch = with(ingress(), i -> i.with("metadata").putObject("annotations").put("kubernetes.io/ingress.class", "traefik"));
        refused(INGRESSES, mismatch,
                "annotations.kubernetes.io/ingress.class: Invalid value: \"traefik\": must match `ingressClassName` when both are specified");
        ObjectNode old = admitted(INGRESSES, with(ingress(), i -> i.with("metadata").putObject("annotations").put("kubernetes.io/ingress.class", "nginx")));
        // an update may make or keep a mismatch: ValidateIngressUpdate does not look
        admittedUpdate(INGRESSES, with(old, i -> i.with("metadata").with("annotations").put("kubernetes.io/ingress.class", "traefik")), old);
    }

    private static ObjectNode ingressClass() {
        return json("{'apiVersion':'networking.k8s.io/v1','kind':'IngressClass','metadata':{'name':'nginx'},"
                + "'spec':{'controller':'k8s.io/ingress-nginx','parameters':{'apiGroup':'k8s.example.com','kind':'IngressParameters',"
                + "'name':'external-lb'}}}");
    }

    @Test
    void ingressClassParametersDefaultToClusterScope() {
        ObjectNode stored = admitted(INGRESSCLASSES, ingressClass());
        assertEquals("Cluster", stored.at("/spec/parameters/scope").asText());
        refused(INGRESSCLASSES, with(ingressClass(), c -> c.with("spec").with("parameters").put("namespace", "team-a")),
                "spec.parameters.namespace: Forbidden: `parameters.scope` is set to 'Cluster'");
        refused(INGRESSCLASSES, with(ingressClass(), c -> c.with("spec").with("parameters").put("scope", "Namespace")),
                "spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'");
        refused(INGRESSCLASSES, with(ingressClass(), c -> c.with("spec").with("parameters").put("scope", "Namespace").put("namespace", "Team")),
                "spec.parameters.namespace: Invalid value: \"Team\": a lowercase RFC 1123 label must consist of lower case "
                        + "alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  "
                        + "or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
        refused(INGRESSCLASSES, with(ingressClass(), c -> c.with("spec").with("parameters").put("scope", "Global").remove("name")),
                "spec.parameters.name: Required value: name is required",
                "spec.parameters.scope: Unsupported value: \"Global\": supported values: \"Cluster\", \"Namespace\"");
    }

    @Test
    void ingressClassController() {
        refused(INGRESSCLASSES, with(ingressClass(), c -> c.with("spec").remove("controller")), "spec.controller: Required value");
        refused(INGRESSCLASSES, with(ingressClass(), c -> c.with("spec").put("controller", "nginx")),
                "spec.controller: Invalid value: \"nginx\": must be a domain-prefixed path (such as \"acme.io/foo\")");
        refused(INGRESSCLASSES, with(ingressClass(), c -> c.with("spec").put("controller", "K8s.io/a b")),
                "spec.controller: Invalid value: \"K8s.io\": " + SUBDOMAIN,
                "spec.controller: Invalid value: \"a b\": Invalid path (regex used for validation is "
                        + "'[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')");
        String longController = "example.com/" + "x".repeat(240);
        refused(INGRESSCLASSES, with(ingressClass(), c -> c.with("spec").put("controller", longController)),
                "spec.controller: Too long: may not be more than 250 bytes");
        ObjectNode old = admitted(INGRESSCLASSES, ingressClass());
        refusedUpdate(INGRESSCLASSES, with(old, c -> c.with("spec").put("controller", "example.com/other")), old,
                "spec.controller: Invalid value: \"example.com/other\": field is immutable");
    }

    private static ObjectNode networkPolicy() {
        return json("{'apiVersion':'networking.k8s.io/v1','kind':'NetworkPolicy','metadata':{'name':'db','namespace':'default'},"
                + "'spec':{'podSelector':{'matchLabels':{'role':'db'}},'ingress':[{'from':[{'ipBlock':{'cidr':'172.17.0.0/16',"
                + "'except':['172.17.1.0/24']}},{'namespaceSelector':{'matchLabels':{'project':'myproject'}},"
                + "'podSelector':{'matchLabels':{'role':'frontend'}}}],'ports':[{'port':6379}]}]}}");
    }

    @Test
    void networkPolicyDefaults() {
        ObjectNode stored = admitted(NETWORKPOLICIES, networkPolicy());
        assertEquals(json("{'p':['Ingress']}").get("p"), stored.at("/spec/policyTypes"));
        assertEquals("TCP", stored.at("/spec/ingress/0/ports/0/protocol").asText());
        ObjectNode egress = admitted(NETWORKPOLICIES, with(networkPolicy(), p -> p.with("spec").putArray("egress").addObject()
                .putArray("ports").addObject().put("protocol", "UDP").put("port", 53)));
        assertEquals(json("{'p':['Ingress','Egress']}").get("p"), egress.at("/spec/policyTypes"));
        assertEquals("UDP", egress.at("/spec/egress/0/ports/0/protocol").asText());
        ObjectNode egressOnly = admitted(NETWORKPOLICIES, with(networkPolicy(), p -> p.with("spec").putArray("policyTypes").add("Egress")));
        assertEquals(json("{'p':['Egress']}").get("p"), egressOnly.at("/spec/policyTypes"));
        JsonNode everything = admitted(NETWORKPOLICIES, with(networkPolicy(), p -> p.with("spec").putObject("podSelector")));
        assertFalse(everything.at("/spec/podSelector").isMissingNode());
    }

    @Test
    void networkPolicyPorts() {
        String port = "spec.ingress[0].ports[0]";
        refused(NETWORKPOLICIES, with(networkPolicy(), p -> ((ObjectNode) p.at("/spec/ingress/0/ports/0")).put("protocol", "ICMP")),
                port + ".protocol: Unsupported value: \"ICMP\": supported values: \"TCP\", \"UDP\", \"SCTP\"");
        refused(NETWORKPOLICIES, with(networkPolicy(), p -> ((ObjectNode) p.at("/spec/ingress/0/ports/0")).put("port", 0)),
                port + ".port: Invalid value: 0: must be between 1 and 65535, inclusive");
        refused(NETWORKPOLICIES, with(networkPolicy(), p -> ((ObjectNode) p.at("/spec/ingress/0/ports/0")).put("endPort", 6000)),
                port + ".endPort: Invalid value: 6379: must be greater than or equal to `port`");
        admitted(NETWORKPOLICIES, with(networkPolicy(), p -> ((ObjectNode) p.at("/spec/ingress/0/ports/0")).put("endPort", 6400)));
        refused(NETWORKPOLICIES, with(networkPolicy(), p -> ((ObjectNode) p.at("/spec/ingress/0/ports/0")).put("port", "redis").put("endPort", 6400)),
                port + ".endPort: Invalid value: 6400: may not be specified when `port` is non-numeric");
        refused(NETWORKPOLICIES, with(networkPolicy(), p -> ((ObjectNode) p.at("/spec/ingress/0/ports/0")).put("port", "Redis_Port")),
                port + ".port: Invalid value: \"Redis_Port\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        refused(NETWORKPOLICIES, with(networkPolicy(), p -> {
                    ObjectNode portSpec = (ObjectNode) p.at("/spec/ingress/0/ports/0");
                    portSpec.remove("port");
                    portSpec.put("endPort", 6400);
                }),
                port + ".endPort: Invalid value: 6400: may not be specified when `port` is not specified");
    }

    @Test
    void networkPolicyPeers() {
        String peer = "spec.ingress[0].from[0]";
        refused(NETWORKPOLICIES, with(networkPolicy(), p -> ((ObjectNode) p.at("/spec/ingress/0/from/0")).putObject("podSelector")),
                peer + ": Forbidden: may not specify both ipBlock and another peer");
        refused(NETWORKPOLICIES, with(networkPolicy(), p -> ((ObjectNode) p.at("/spec/ingress/0/from/0")).remove("ipBlock")),
                peer + ": Required value: must specify a peer");
        refused(NETWORKPOLICIES, with(networkPolicy(), p -> ((ObjectNode) p.at("/spec/ingress/0/from/0/ipBlock")).put("cidr", "172.17.0.0")),
                peer + ".ipBlock.cidr: Invalid value: \"172.17.0.0\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");
        refused(NETWORKPOLICIES, with(networkPolicy(), p -> ((ObjectNode) p.at("/spec/ingress/0/from/0/ipBlock")).remove("cidr")),
                peer + ".ipBlock.cidr: Required value");
        refused(NETWORKPOLICIES, with(networkPolicy(), p -> ((ArrayNode) p.at("/spec/ingress/0/from/0/ipBlock/except"))
                        .add("10.0.0.0/8").add("172.17.0.0/16").add("nope")),
                peer + ".ipBlock.except[1]: Invalid value: \"10.0.0.0/8\": must be a strict subset of `cidr`",
                peer + ".ipBlock.except[2]: Invalid value: \"172.17.0.0/16\": must be a strict subset of `cidr`",
                peer + ".ipBlock.except[3]: Invalid value: \"nope\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");
        refused(NETWORKPOLICIES, with(networkPolicy(), p -> ((ObjectNode) p.at("/spec/ingress/0/from/1/podSelector/matchLabels")).put("role", "a b")),
                "spec.ingress[0].from[1].podSelector.matchLabels: Invalid value: \"a b\": a valid label must be an empty string or "
                        + "consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character "
                        + "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
        admitted(NETWORKPOLICIES, with(networkPolicy(), p -> ((ObjectNode) p.at("/spec/ingress/0/from/0/ipBlock")).put("cidr", "fd00::/8")
                .putArray("except").add("fd00:1::/32")));
    }

    @Test
    void networkPolicyTypes() {
        refused(NETWORKPOLICIES, with(networkPolicy(), p -> p.with("spec").putArray("policyTypes").add("Ingress").add("Sideways")),
                "spec.policyTypes[1]: Unsupported value: \"Sideways\": supported values: \"Ingress\", \"Egress\"");
        refused(NETWORKPOLICIES, with(networkPolicy(), p -> p.with("spec").putArray("policyTypes").add("Ingress").add("Egress").add("Ingress")),
                "spec.policyTypes: Invalid value: []networking.PolicyType{\"Ingress\", \"Egress\", \"Ingress\"}: may not specify more than two policyTypes");
        refused(NETWORKPOLICIES, with(networkPolicy(), p -> p.with("spec").putObject("podSelector").putArray("matchExpressions")
                        .addObject().put("key", "tier").put("operator", "In")),
                "spec.podSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'");
    }
}

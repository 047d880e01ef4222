package io.kubus.gateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.gateway.testing.Kubectl;
import io.kubus.schema.KubusJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The installed kubectl against a real gateway, with the kinds Kubus stores and serves without acting on them:
 * Ingress, IngressClass, NetworkPolicy, StorageClass, CSIDriver, VolumeAttachment, PodTemplate, ControllerRevision
 * and EndpointSlice. What kubectl prints is what is checked, ages aside.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubectlStoredKindsEndToEndTest {
    private static final String MANIFEST = """
            apiVersion: networking.k8s.io/v1
            kind: IngressClass
            metadata:
              name: nginx
            spec:
              controller: k8s.io/ingress-nginx
            ---
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: web
            spec:
              ingressClassName: nginx
              tls:
              - hosts: [foo.example.com]
                secretName: foo-tls
              rules:
              - host: foo.example.com
                http:
                  paths:
                  - path: /
                    pathType: Prefix
                    backend:
                      service:
                        name: web
                        port:
                          number: 80
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: db
            spec:
              podSelector:
                matchLabels: {role: db}
              ingress:
              - from:
                - podSelector:
                    matchLabels: {role: frontend}
                ports:
                - port: 6379
                  protocol: TCP
            ---
            apiVersion: storage.k8s.io/v1
            kind: StorageClass
            metadata:
              name: fast
              annotations:
                storageclass.kubernetes.io/is-default-class: "true"
            provisioner: csi.example.com
            parameters:
              type: ssd
            allowVolumeExpansion: true
            ---
            apiVersion: storage.k8s.io/v1
            kind: CSIDriver
            metadata:
              name: csi.example.com
            spec:
              attachRequired: false
            ---
            apiVersion: storage.k8s.io/v1
            kind: VolumeAttachment
            metadata:
              name: csi-0123
            spec:
              attacher: csi.example.com
              nodeName: node-1
              source:
                persistentVolumeName: pv-1
            ---
            apiVersion: v1
            kind: PodTemplate
            metadata:
              name: web
            template:
              metadata:
                labels: {app: web}
              spec:
                containers:
                - name: nginx
                  image: nginx:1.27
            ---
            apiVersion: apps/v1
            kind: ControllerRevision
            metadata:
              name: web-1
            data:
              spec:
                template:
                  spec:
                    containers: [{name: nginx, image: nginx:1.27}]
            revision: 1
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: web-abc12
              labels:
                kubernetes.io/service-name: web
            addressType: IPv4
            endpoints:
            - addresses: [10.1.2.3]
              conditions: {ready: true}
            ports:
            - name: http
              port: 80
              protocol: TCP
            """;
    private static final List<String> CREATED = List.of(
            "ingressclass.networking.k8s.io/nginx", "ingress.networking.k8s.io/web", "networkpolicy.networking.k8s.io/db",
            "storageclass.storage.k8s.io/fast", "csidriver.storage.k8s.io/csi.example.com",
            "volumeattachment.storage.k8s.io/csi-0123", "podtemplate/web", "controllerrevision.apps/web-1",
            "endpointslice.discovery.k8s.io/web-abc12");

    @TempDir
    static Path dir;
    static GatewayFixture gateway;
    static Kubectl kubectl;

    @BeforeAll
    static void start() throws Exception {
        gateway = GatewayFixture.start();
        kubectl = new Kubectl(gateway.writeKubeconfig(dir), dir);
        Files.writeString(dir.resolve("all.yaml"), MANIFEST);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    /**
     * The manifest names the ports' protocols: without them a second apply reports the NetworkPolicy and the
     * EndpointSlice "configured", against Kubernetes as here, since their port lists are atomic and the stored ones
     * carry the defaulted protocol.
     */
    @Test
    @Order(1)
    void applyCreatesEveryKindAndASecondApplyChangesNothing() {
        assertEquals(CREATED.stream().map(n -> n + " created").toList(), lines(kubectl.run("apply", "-f", "all.yaml").ok().out()));
        assertEquals(CREATED.stream().map(n -> n + " unchanged").toList(), lines(kubectl.run("apply", "-f", "all.yaml").ok().out()));
    }

    @Test
    @Order(2)
    void getPrintsKubectlsColumns() {
        assertTable(List.of(
                "NAME   CLASS   HOSTS             ADDRESS   PORTS     AGE",
                "web    nginx   foo.example.com             80, 443   <age>"), "get", "ing");
        assertTable(List.of(
                "NAME    CONTROLLER             PARAMETERS   AGE",
                "nginx   k8s.io/ingress-nginx   <none>       <age>"), "get", "ingressclasses");
        assertTable(List.of(
                "NAME   POD-SELECTOR   AGE",
                "db     role=db        <age>"), "get", "netpol");
        assertTable(List.of(
                "NAME                   PROVISIONER           RECLAIMPOLICY   VOLUMEBINDINGMODE      ALLOWVOLUMEEXPANSION   AGE",
                "fast (default)         csi.example.com       Delete          Immediate              true                   <age>",
                "local-path (default)   kubus.io/local-path   Delete          WaitForFirstConsumer   false                  <age>"),
                "get", "sc");
        assertTable(List.of(
                "NAME              ATTACHREQUIRED   PODINFOONMOUNT   STORAGECAPACITY   TOKENREQUESTS   REQUIRESREPUBLISH   MODES        AGE",
                "csi.example.com   false            false            false             <unset>         false               Persistent   <age>"),
                "get", "csidrivers");
        assertTable(List.of(
                "NAME       ATTACHER          PV     NODE     ATTACHED   AGE",
                "csi-0123   csi.example.com   pv-1   node-1   false      <age>"), "get", "volumeattachments");
        assertTable(List.of(
                "NAME   CONTAINERS   IMAGES       POD LABELS",
                "web    nginx        nginx:1.27   app=web"), "get", "podtemplates");
        assertTable(List.of(
                "NAME    CONTROLLER   REVISION   AGE",
                "web-1   <none>       1          <age>"), "get", "controllerrevisions");
        assertTable(List.of(
                "NAME        ADDRESSTYPE   PORTS   ENDPOINTS   AGE",
                "web-abc12   IPv4          80      10.1.2.3    <age>"), "get", "endpointslices", "web-abc12");
    }

    @Test
    @Order(3)
    void describeShowsEachKind() {
        String ingress = kubectl.run("describe", "ingress", "web").ok().out();
        assertTrue(ingress.contains("Ingress Class:    nginx"), ingress);
        assertTrue(ingress.contains("foo-tls terminates foo.example.com"), ingress);
        assertTrue(ingress.matches("(?s).*foo\\.example\\.com\\s+\\n\\s+/\\s+web:80 \\(.*"), ingress);
        String policy = kubectl.run("describe", "netpol", "db").ok().out();
        assertTrue(policy.contains("PodSelector:     role=db"), policy);
        assertTrue(policy.contains("To Port: 6379/TCP"), policy);
        assertTrue(policy.contains("PodSelector: role=frontend"), policy);
        String storageClass = kubectl.run("describe", "sc", "fast").ok().out();
        assertTrue(storageClass.contains("IsDefaultClass:  Yes"), storageClass);
        assertTrue(storageClass.contains("Provisioner:           csi.example.com"), storageClass);
        assertTrue(storageClass.contains("Parameters:            type=ssd"), storageClass);
        assertTrue(storageClass.contains("ReclaimPolicy:         Delete"), storageClass);
        // kubectl's own describers (IngressClass, EndpointSlice) or its generic one, field by field
        for (String[] kind : new String[][] {{"csidriver", "csi.example.com", "Attach Required", "false"},
                {"volumeattachment", "csi-0123", "Node Name", "node-1"}, {"podtemplate", "web", "Image", "nginx:1.27"},
                {"controllerrevision", "web-1", "Revision", "1"}, {"endpointslice", "web-abc12", "AddressType", "IPv4"},
                {"ingressclass", "nginx", "Controller", "k8s.io/ingress-nginx"}}) {
            String out = kubectl.run("describe", kind[0], kind[1]).ok().out();
            assertTrue(out.matches("(?s)Name:\\s+" + Pattern.quote(kind[1]) + "\n.*"), out);
            assertTrue(Pattern.compile("(?m)^\\s*" + kind[2] + ":\\s+" + Pattern.quote(kind[3]) + "$").matcher(out).find(),
                    kind[0] + ": " + out);
        }
    }

    @Test
    @Order(4)
    void createIngressSendsProtobuf() {
        Kubectl.Result created = kubectl.run("create", "ingress", "rule", "--rule=foo.com/bar=svc1:8080", "--class=nginx", "-v=8").ok();
        assertEquals("ingress.networking.k8s.io/rule created", created.out().trim());
        String post = created.err().substring(Math.max(0, created.err().indexOf("POST")));
        assertTrue(post.contains("Content-Type: application/vnd.kubernetes.protobuf"), created.err());
        JsonNode rule = json("get", "ingress", "rule", "-o", "json");
        JsonNode path = rule.at("/spec/rules/0/http/paths/0");
        assertEquals("foo.com", rule.at("/spec/rules/0/host").asText());
        assertEquals("/bar", path.path("path").asText());
        assertEquals("Exact", path.path("pathType").asText());
        assertEquals("svc1", path.at("/backend/service/name").asText());
        assertEquals(8080, path.at("/backend/service/port/number").asInt());
        assertEquals("nginx", rule.at("/spec/ingressClassName").asText());
        Kubectl.Result bad = kubectl.run("create", "ingress", "bad", "--rule=10.0.0.1/=svc1:80");
        assertNotEquals(0, bad.exitCode());
        assertEquals("error: failed to create ingress: Ingress.networking.k8s.io \"bad\" is invalid: spec.rules[0].host: "
                + "Invalid value: \"10.0.0.1\": must be a DNS name, not an IP address", bad.err().trim());
    }

    @Test
    @Order(5)
    void immutableFieldsAndTheStatusSubresource() {
        Kubectl.Result parameters = kubectl.run("patch", "sc", "fast", "-p", "{\"parameters\":{\"type\":\"hdd\"}}");
        assertNotEquals(0, parameters.exitCode());
        assertEquals("The StorageClass \"fast\" is invalid: parameters: Forbidden: updates to parameters are forbidden.",
                parameters.err().trim());
        assertEquals("storageclass.storage.k8s.io/fast patched",
                kubectl.run("patch", "sc", "fast", "-p", "{\"allowVolumeExpansion\":false}").ok().out().trim());
        assertEquals("volumeattachment.storage.k8s.io/csi-0123 patched", kubectl.run("patch", "volumeattachment", "csi-0123",
                "--subresource=status", "--type=merge", "-p", "{\"status\":{\"attached\":true}}").ok().out().trim());
        assertEquals("true", kubectl.run("get", "volumeattachment", "csi-0123", "-o", "jsonpath={.status.attached}").ok().out());
        Kubectl.Result node = kubectl.run("patch", "volumeattachment", "csi-0123", "--type=merge", "-p", "{\"spec\":{\"nodeName\":\"node-2\"}}");
        assertNotEquals(0, node.exitCode());
        assertTrue(node.err().contains("The VolumeAttachment \"csi-0123\" is invalid: spec: Invalid value: "), node.err());
        assertTrue(node.err().trim().endsWith(": field is immutable"), node.err());
    }

    @Test
    @Order(6)
    void deleteRemovesThemAll() {
        assertEquals(CREATED.stream().map(n -> n.replaceFirst("/(.*)", " \"$1\" deleted")).toList(),
                lines(kubectl.run("delete", "-f", "all.yaml").ok().out()));
        assertEquals("ingress.networking.k8s.io \"rule\" deleted", kubectl.run("delete", "ingress", "rule").ok().out().trim());
        for (String kind : List.of("ingresses", "ingressclasses", "networkpolicies", "csidrivers",
                "volumeattachments", "podtemplates", "controllerrevisions")) {
            assertEquals("", kubectl.run("get", kind, "-o", "name").ok().out(), kind);
        }
        // the cluster's own default class stays
        assertEquals("storageclass.storage.k8s.io/local-path", kubectl.run("get", "storageclasses", "-o", "name")
                .ok().out().trim());
        // the API server's own slice (of the kubernetes Service) stays
        assertEquals("endpointslice.discovery.k8s.io/kubernetes", kubectl.run("get", "endpointslices", "-o", "name")
                .ok().out().trim());
    }

    /** kubectl's table with the age cells, the only cells that vary, replaced by {@code <age>}. */
    private static void assertTable(List<String> expected, String... args) {
        String out = kubectl.run(args).ok().out();
        List<String> actual = lines(out).stream().map(l -> l.replaceFirst("(\\s)\\d+s$", "$1<age>")).toList();
        assertEquals(expected, actual, out);
    }

    private static List<String> lines(String out) {
        return Arrays.stream(out.split("\n")).map(String::stripTrailing).filter(l -> !l.isEmpty()).toList();
    }

    private static JsonNode json(String... args) {
        try {
            return KubusJson.json().readTree(kubectl.run(args).ok().out());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}

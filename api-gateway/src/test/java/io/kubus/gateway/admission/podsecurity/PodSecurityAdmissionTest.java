package io.kubus.gateway.admission.podsecurity;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.broker.EmbeddedKafkaBroker;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.schema.KubusJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Pod Security admission in a real gateway over HTTP: what enforce refuses (and stores nothing of), what warn answers
 * in Warning headers, what tightening a namespace's enforce level reports about its pods, and the configured cluster
 * default (warn=baseline for namespaces without labels) and exemptions (namespace {@code exempt}, runtime class
 * {@code kata}, user {@code trusted-deployer}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PodSecurityAdmissionTest {
    private static final String JSON = "application/json";
    private static final String MERGE = "application/merge-patch+json";
    private static final String PLAIN_RESTRICTED = "would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation "
            + "!= false (container \"c\" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities "
            + "(container \"c\" must set securityContext.capabilities.drop=[\"ALL\"]), runAsNonRoot != true (pod or "
            + "container \"c\" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container \"c\" must "
            + "set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")";

    private GatewayFixture gateway;
    private ObjectStore store;

    @BeforeAll
    void start() {
        gateway = GatewayFixture.start(EmbeddedKafkaBroker.startTemporary(), true, GatewayFixture.h2InMemory(), Map.of(
                "kubus.pod-security.defaults.warn", "baseline",
                "kubus.pod-security.exemptions.namespaces", List.of("exempt"),
                "kubus.pod-security.exemptions.runtime-classes", List.of("kata"),
                "kubus.pod-security.exemptions.usernames", List.of("trusted-deployer")));
        store = gateway.context().getBean(ObjectStore.class);
        namespace("enforced", "{\"pod-security.kubernetes.io/enforce\":\"baseline\"}");
        namespace("warned", "{\"pod-security.kubernetes.io/warn\":\"restricted\"}");
        namespace("tighten", "{}");
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void enforceBaselineRefusesAPrivilegedPodOnTheHostWithKubesMessageAndStoresNothing() {
        long version = store.currentVersion();
        GatewayFixture.Reply refused = post("/api/v1/namespaces/enforced/pods", pod("x",
                "\"hostNetwork\":true,\"volumes\":[{\"name\":\"root\",\"hostPath\":{\"path\":\"/\"}}],",
                "\"securityContext\":{\"privileged\":true}"));

        assertEquals(403, refused.status(), refused.body());
        JsonNode status = json(refused.body());
        assertEquals("Forbidden", status.path("reason").asText());
        assertEquals("pods \"x\" is forbidden: violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true), "
                + "hostPath volumes (volume \"root\"), privileged (container \"c\" must not set securityContext.privileged=true)",
                status.path("message").asText());
        assertEquals(version, store.currentVersion(), "nothing stored, no event in the outbox");
        assertEquals(404, gateway.request("GET", "/api/v1/namespaces/enforced/pods/x", null, null).status());

        GatewayFixture.Reply plain = post("/api/v1/namespaces/enforced/pods", pod("plain", "", ""));
        assertEquals(201, plain.status(), plain.body());
        assertEquals(List.of(), warnings(plain), "a pod that meets baseline passes warn, which follows enforce");
    }

    @Test
    void anExemptUserIsNotChecked() {
        String privileged = pod("exempt-user", "\"volumes\":[{\"name\":\"root\",\"hostPath\":{\"path\":\"/\"}}],",
                "\"securityContext\":{\"privileged\":true}");
        // the administrator acting as the exempt user (impersonation: the user admission sees), and as another
        GatewayFixture.Reply exempt = gateway.request("POST", "/api/v1/namespaces/enforced/pods", JSON,
                privileged.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                Map.of("Impersonate-User", "trusted-deployer", "Impersonate-Group", "system:masters"));
        assertEquals(201, exempt.status(), exempt.body());
        assertEquals(List.of(), warnings(exempt));
        GatewayFixture.Reply other = gateway.request("POST", "/api/v1/namespaces/enforced/pods", JSON,
                privileged.replace("exempt-user", "other-user").getBytes(java.nio.charset.StandardCharsets.UTF_8),
                Map.of("Impersonate-User", "other-deployer", "Impersonate-Group", "system:masters"));
        assertEquals(403, other.status(), other.body());
    }

    @Test
    void warnRestrictedAnswersWarningHeadersAndStoresThePod() {
        GatewayFixture.Reply created = post("/api/v1/namespaces/warned/pods", pod("w", "", ""));
        assertEquals(201, created.status(), created.body());
        assertEquals(List.of(header(PLAIN_RESTRICTED)), warnings(created));
        assertEquals(200, gateway.request("GET", "/api/v1/namespaces/warned/pods/w", null, null).status());
    }

    @Test
    void workloadTemplatesAreWarnedAboutNeverRefused() {
        GatewayFixture.Reply warned = post("/apis/apps/v1/namespaces/warned/deployments", deployment("web", ""));
        assertEquals(201, warned.status(), warned.body());
        assertEquals(List.of(header(PLAIN_RESTRICTED)), warnings(warned));

        GatewayFixture.Reply privileged = post("/apis/apps/v1/namespaces/enforced/deployments",
                deployment("root", "\"securityContext\":{\"privileged\":true}"));
        assertEquals(201, privileged.status(), privileged.body());
        assertEquals(List.of(header("would violate PodSecurity \"baseline:latest\": privileged (container \"c\" must not set "
                + "securityContext.privileged=true)")), warnings(privileged));

        GatewayFixture.Reply scaled = gateway.request("PATCH", "/apis/apps/v1/namespaces/warned/deployments/web/scale", MERGE,
                "{\"spec\":{\"replicas\":2}}");
        assertEquals(200, scaled.status(), scaled.body());
        assertEquals(List.of(), warnings(scaled), "a scale leaves the template alone");
        GatewayFixture.Reply changed = gateway.request("PATCH", "/apis/apps/v1/namespaces/warned/deployments/web", MERGE,
                "{\"spec\":{\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\",\"rev\":\"2\"}}}}}");
        assertEquals(200, changed.status(), changed.body());
        assertEquals(List.of(header(PLAIN_RESTRICTED)), warnings(changed), "a new template is looked at again");
    }

    @Test
    void tighteningEnforceReportsExistingPodsThenRefusesChangesToWhatTheyRun() {
        GatewayFixture.Reply onHost = post("/api/v1/namespaces/tighten/pods", pod("b", "\"hostNetwork\":true,", ""));
        assertEquals(201, onHost.status(), onHost.body());
        assertEquals(List.of(header("would violate PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true)")),
                warnings(onHost), "the cluster default warns where the namespace has no label");
        assertEquals(201, post("/api/v1/namespaces/tighten/pods", pod("a", "", "")).status());
        assertEquals(201, post("/api/v1/namespaces/tighten/pods", pod("c", "\"hostNetwork\":true,", "")).status());
        assertEquals(201, post("/api/v1/namespaces/tighten/pods", pod("d", "", "\"securityContext\":{\"privileged\":true}")).status());

        GatewayFixture.Reply labelled = labels("tighten", "{\"pod-security.kubernetes.io/enforce\":\"baseline\"}");

        assertEquals(200, labelled.status(), labelled.body());
        assertEquals(List.of(
                header("existing pods in namespace \"tighten\" violate the new PodSecurity enforce level \"baseline:latest\""),
                header("b (and 1 other pod): host namespaces"),
                header("d: privileged")), warnings(labelled));
        assertEquals(List.of(), warnings(labels("tighten", "{\"pod-security.kubernetes.io/enforce\":\"privileged\"}")),
                "relaxing checks nothing");
        labels("tighten", "{\"pod-security.kubernetes.io/enforce\":\"baseline\"}");

        GatewayFixture.Reply relabelled = gateway.request("PATCH", "/api/v1/namespaces/tighten/pods/b", MERGE,
                "{\"metadata\":{\"labels\":{\"seen\":\"yes\"}}}");
        assertEquals(200, relabelled.status(), "a metadata change of a running pod is not judged: " + relabelled.body());
        GatewayFixture.Reply newImage = gateway.request("PATCH", "/api/v1/namespaces/tighten/pods/b",
                "application/strategic-merge-patch+json",
                "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox:1.37\"}]}}");
        assertEquals(403, newImage.status(), newImage.body());
        assertEquals("pods \"b\" is forbidden: violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true)",
                json(newImage.body()).path("message").asText());
    }

    @Test
    void anInvalidLabelOnAnUpdateIsRefusedNamingIt() {
        long version = store.currentVersion();
        GatewayFixture.Reply refused = labels("warned", "{\"pod-security.kubernetes.io/warn-version\":\"1.32\"}");
        assertEquals(422, refused.status(), refused.body());
        assertEquals("Namespace \"warned\" is invalid: metadata.labels[pod-security.kubernetes.io/warn-version]: "
                + "Invalid value: \"1.32\": must be \"latest\" or \"v1.x\"", json(refused.body()).path("message").asText());
        assertEquals(version, store.currentVersion());
    }

    @Test
    void exemptNamespacesAndRuntimeClassesAreLeftAlone() {
        GatewayFixture.Reply ns = post("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":"
                + "{\"name\":\"exempt\",\"labels\":{\"pod-security.kubernetes.io/enforce\":\"restricted\"}}}");
        assertEquals(201, ns.status(), ns.body());
        assertEquals(List.of(header("namespace \"exempt\" is exempt from Pod Security, and the policy "
                + "(enforce=restricted:latest) will be ignored")), warnings(ns), "warn follows enforce but was not labelled");
        GatewayFixture.Reply inExempt = post("/api/v1/namespaces/exempt/pods", pod("h", "\"hostNetwork\":true,", ""));
        assertEquals(201, inExempt.status(), inExempt.body());
        assertEquals(List.of(), warnings(inExempt));

        GatewayFixture.Reply kata = post("/api/v1/namespaces/enforced/pods", pod("k", "\"runtimeClassName\":\"kata\",",
                "\"securityContext\":{\"privileged\":true}"));
        assertEquals(201, kata.status(), kata.body());
    }

    // ---- helpers ----

    private static String pod(String name, String specFields, String containerFields) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{" + specFields
                + "\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"" + (containerFields.isEmpty() ? "" : "," + containerFields)
                + "}]}}";
    }

    private static String deployment(String name, String containerFields) {
        return "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{"
                + "\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},"
                + "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\""
                + (containerFields.isEmpty() ? "" : "," + containerFields) + "}]}}}}";
    }

    private void namespace(String name, String labels) {
        GatewayFixture.Reply r = post("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":"
                + "{\"name\":\"" + name + "\",\"labels\":" + labels + "}}");
        assertEquals(201, r.status(), r.body());
    }

    private GatewayFixture.Reply labels(String namespace, String labels) {
        return gateway.request("PATCH", "/api/v1/namespaces/" + namespace, MERGE, "{\"metadata\":{\"labels\":" + labels + "}}");
    }

    private GatewayFixture.Reply post(String path, String body) {
        return gateway.request("POST", path, JSON, body);
    }

    /** A warning as kube-apiserver sends it: code 299, no agent, the text quoted. */
    private static String header(String text) {
        return "299 - \"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static List<String> warnings(GatewayFixture.Reply r) {
        return r.headers().getOrDefault("warning", List.of());
    }

    private static JsonNode json(String body) {
        try {
            return KubusJson.json().readTree(body);
        } catch (Exception e) {
            throw new AssertionError(body, e);
        }
    }
}

package io.kubus.gateway.admission.podsecurity;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.schema.KubusJson;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each check of the Pod Security Standards with a pod that passes it and one that fails it, at the level and version
 * it belongs to; the expected texts are kube 1.32's ForbiddenDetail, reasons and details in its order.
 */
class PodSecurityChecksTest {
    /** A container that meets restricted: what kube's documentation gives as the compliant securityContext. */
    private static final String COMPLIANT = "{\"name\":\"c\",\"image\":\"i\",\"securityContext\":{"
            + "\"allowPrivilegeEscalation\":false,\"runAsNonRoot\":true,\"seccompProfile\":{\"type\":\"RuntimeDefault\"},"
            + "\"capabilities\":{\"drop\":[\"ALL\"]}%s}}";
    private static final String PLAIN = "{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}";

    private final PodSecurityChecks checks = new PodSecurityChecks();

    private record Case(String name, String policy, String annotations, String spec, String expected) {
    }

    @TestFactory
    Stream<DynamicTest> baselineChecks() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("a plain pod passes", "baseline:latest", "{}", PLAIN, ""));
        c.add(new Case("hostProcess", "baseline:latest", "{}",
                "{\"securityContext\":{\"windowsOptions\":{\"hostProcess\":true}},\"containers\":[{\"name\":\"c\","
                        + "\"image\":\"i\",\"securityContext\":{\"windowsOptions\":{\"hostProcess\":true}}}]}",
                "hostProcess (pod and container \"c\" must not set securityContext.windowsOptions.hostProcess=true)"));
        c.add(new Case("hostProcess=false passes", "baseline:latest", "{}",
                "{\"securityContext\":{\"windowsOptions\":{\"hostProcess\":false}},\"containers\":[{\"name\":\"c\"}]}", ""));
        c.add(new Case("host namespaces", "baseline:latest", "{}",
                "{\"hostNetwork\":true,\"hostPID\":true,\"hostIPC\":true,\"containers\":[{\"name\":\"c\"}]}",
                "host namespaces (hostNetwork=true, hostPID=true, hostIPC=true)"));
        c.add(new Case("hostNetwork=false passes", "baseline:latest", "{}",
                "{\"hostNetwork\":false,\"containers\":[{\"name\":\"c\"}]}", ""));
        c.add(new Case("privileged init and app containers", "baseline:latest", "{}",
                "{\"initContainers\":[{\"name\":\"init\",\"securityContext\":{\"privileged\":true}}],"
                        + "\"containers\":[{\"name\":\"c\",\"securityContext\":{\"privileged\":true}},"
                        + "{\"name\":\"ok\",\"securityContext\":{\"privileged\":false}}]}",
                "privileged (containers \"init\", \"c\" must not set securityContext.privileged=true)"));
        c.add(new Case("privileged ephemeral container", "baseline:latest", "{}",
                "{\"containers\":[{\"name\":\"c\"}],\"ephemeralContainers\":[{\"name\":\"debug\","
                        + "\"securityContext\":{\"privileged\":true}}]}",
                "privileged (container \"debug\" must not set securityContext.privileged=true)"));
        c.add(new Case("non-default capabilities", "baseline:latest", "{}",
                "{\"containers\":[{\"name\":\"c\",\"securityContext\":{\"capabilities\":{\"add\":[\"SYS_ADMIN\",\"CHOWN\",\"NET_RAW\"]}}}]}",
                "non-default capabilities (container \"c\" must not include \"NET_RAW\", \"SYS_ADMIN\" in securityContext.capabilities.add)"));
        c.add(new Case("default capabilities pass", "baseline:latest", "{}",
                "{\"containers\":[{\"name\":\"c\",\"securityContext\":{\"capabilities\":{\"add\":[\"CHOWN\",\"NET_BIND_SERVICE\"]}}}]}", ""));
        c.add(new Case("hostPath volumes", "baseline:latest", "{}",
                "{\"containers\":[{\"name\":\"c\"}],\"volumes\":[{\"name\":\"root\",\"hostPath\":{\"path\":\"/\"}},"
                        + "{\"name\":\"tmp\",\"emptyDir\":{}}]}",
                "hostPath volumes (volume \"root\")"));
        c.add(new Case("host ports", "baseline:latest", "{}",
                "{\"containers\":[{\"name\":\"c\",\"ports\":[{\"containerPort\":80,\"hostPort\":8080},"
                        + "{\"containerPort\":443,\"hostPort\":443},{\"containerPort\":9000}]}]}",
                "hostPort (container \"c\" uses hostPorts 443, 8080)"));
        c.add(new Case("AppArmor field and annotation", "baseline:latest",
                "{\"container.apparmor.security.beta.kubernetes.io/c\":\"unconfined\"}",
                "{\"containers\":[{\"name\":\"c\",\"securityContext\":{\"appArmorProfile\":{\"type\":\"Unconfined\"}}}]}",
                "forbidden AppArmor profiles (container \"c\" and annotation must not set AppArmor profile type to "
                        + "\"Unconfined\", \"container.apparmor.security.beta.kubernetes.io/c=\"unconfined\"\")"));
        c.add(new Case("AppArmor RuntimeDefault, Localhost and runtime/default pass", "baseline:latest",
                "{\"container.apparmor.security.beta.kubernetes.io/c\":\"runtime/default\"}",
                "{\"securityContext\":{\"appArmorProfile\":{\"type\":\"RuntimeDefault\"}},\"containers\":[{\"name\":\"c\","
                        + "\"securityContext\":{\"appArmorProfile\":{\"type\":\"Localhost\",\"localhostProfile\":\"p\"}}}]}", ""));
        c.add(new Case("SELinux type and user", "baseline:latest", "{}",
                "{\"securityContext\":{\"seLinuxOptions\":{\"type\":\"spc_t\"}},\"containers\":[{\"name\":\"c\","
                        + "\"securityContext\":{\"seLinuxOptions\":{\"user\":\"root\"}}}]}",
                "seLinuxOptions (pod and container \"c\" set forbidden securityContext.seLinuxOptions: type \"spc_t\"; "
                        + "user may not be set)"));
        c.add(new Case("SELinux container_engine_t passes since 1.31", "baseline:latest", "{}",
                "{\"securityContext\":{\"seLinuxOptions\":{\"type\":\"container_engine_t\",\"level\":\"s0\"}},\"containers\":[{\"name\":\"c\"}]}", ""));
        c.add(new Case("SELinux container_engine_t fails at v1.30", "baseline:v1.30", "{}",
                "{\"securityContext\":{\"seLinuxOptions\":{\"type\":\"container_engine_t\"}},\"containers\":[{\"name\":\"c\"}]}",
                "seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type \"container_engine_t\")"));
        c.add(new Case("procMount Unmasked", "baseline:latest", "{}",
                "{\"containers\":[{\"name\":\"c\",\"securityContext\":{\"procMount\":\"Unmasked\"}},"
                        + "{\"name\":\"d\",\"securityContext\":{\"procMount\":\"Default\"}}]}",
                "procMount (container \"c\" must not set securityContext.procMount to \"Unmasked\")"));
        c.add(new Case("seccomp Unconfined", "baseline:latest", "{}",
                "{\"securityContext\":{\"seccompProfile\":{\"type\":\"Unconfined\"}},\"containers\":[{\"name\":\"c\"}]}",
                "seccompProfile (pod must not set securityContext.seccompProfile.type to \"Unconfined\")"));
        c.add(new Case("seccomp unset passes baseline", "baseline:latest", "{}", PLAIN, ""));
        c.add(new Case("seccomp annotation before 1.19", "baseline:v1.18",
                "{\"seccomp.security.alpha.kubernetes.io/pod\":\"unconfined\"}",
                "{\"securityContext\":{\"seccompProfile\":{\"type\":\"Unconfined\"}},\"containers\":[{\"name\":\"c\"}]}",
                "seccompProfile (forbidden annotation seccomp.security.alpha.kubernetes.io/pod=\"unconfined\")"));
        c.add(new Case("unsafe sysctls, and tcp_rmem is safe since 1.32", "baseline:latest", "{}",
                "{\"securityContext\":{\"sysctls\":[{\"name\":\"kernel.msgmax\",\"value\":\"1\"},"
                        + "{\"name\":\"net.ipv4.tcp_rmem\",\"value\":\"1\"}]},\"containers\":[{\"name\":\"c\"}]}",
                "forbidden sysctls (kernel.msgmax)"));
        c.add(new Case("tcp_rmem is unsafe at v1.31", "baseline:v1.31", "{}",
                "{\"securityContext\":{\"sysctls\":[{\"name\":\"kernel.msgmax\",\"value\":\"1\"},"
                        + "{\"name\":\"net.ipv4.tcp_rmem\",\"value\":\"1\"}]},\"containers\":[{\"name\":\"c\"}]}",
                "forbidden sysctls (kernel.msgmax, net.ipv4.tcp_rmem)"));
        c.add(new Case("a version newer than every check's is the newest", "baseline:v1.40", "{}",
                "{\"securityContext\":{\"sysctls\":[{\"name\":\"net.ipv4.tcp_rmem\",\"value\":\"1\"}]},\"containers\":[{\"name\":\"c\"}]}", ""));
        c.add(new Case("several violations in kube's order", "baseline:latest", "{}",
                "{\"hostNetwork\":true,\"containers\":[{\"name\":\"c\",\"securityContext\":{\"privileged\":true}}],"
                        + "\"volumes\":[{\"name\":\"root\",\"hostPath\":{\"path\":\"/\"}}]}",
                "host namespaces (hostNetwork=true), hostPath volumes (volume \"root\"), "
                        + "privileged (container \"c\" must not set securityContext.privileged=true)"));
        c.add(new Case("privileged allows everything", "privileged:latest", "{}",
                "{\"hostNetwork\":true,\"containers\":[{\"name\":\"c\",\"securityContext\":{\"privileged\":true}}]}", ""));
        return run(c);
    }

    @TestFactory
    Stream<DynamicTest> restrictedChecks() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("a compliant pod passes", "restricted:latest", "{}",
                "{\"containers\":[" + COMPLIANT.formatted("") + "],\"volumes\":[{\"name\":\"cm\",\"configMap\":{\"name\":\"x\"}},"
                        + "{\"name\":\"pvc\",\"persistentVolumeClaim\":{\"claimName\":\"x\"}}]}", ""));
        c.add(new Case("a plain pod", "restricted:latest", "{}", PLAIN,
                "allowPrivilegeEscalation != false (container \"c\" must set securityContext.allowPrivilegeEscalation=false), "
                        + "unrestricted capabilities (container \"c\" must set securityContext.capabilities.drop=[\"ALL\"]), "
                        + "runAsNonRoot != true (pod or container \"c\" must set securityContext.runAsNonRoot=true), "
                        + "seccompProfile (pod or container \"c\" must set securityContext.seccompProfile.type to "
                        + "\"RuntimeDefault\" or \"Localhost\")"));
        c.add(new Case("restricted volume types, hostPath reported once", "restricted:latest", "{}",
                "{\"containers\":[" + COMPLIANT.formatted("") + "],\"volumes\":[{\"name\":\"root\",\"hostPath\":{\"path\":\"/\"}},"
                        + "{\"name\":\"share\",\"nfs\":{\"server\":\"s\",\"path\":\"/\"}}]}",
                "restricted volume types (volumes \"root\", \"share\" use restricted volume types \"hostPath\", \"nfs\")"));
        c.add(new Case("allowPrivilegeEscalation=true", "restricted:latest", "{}",
                "{\"containers\":[" + COMPLIANT.formatted("").replace("\"allowPrivilegeEscalation\":false", "\"allowPrivilegeEscalation\":true") + "]}",
                "allowPrivilegeEscalation != false (container \"c\" must set securityContext.allowPrivilegeEscalation=false)"));
        c.add(new Case("runAsNonRoot=false on the pod", "restricted:latest", "{}",
                "{\"securityContext\":{\"runAsNonRoot\":false},\"containers\":[" + COMPLIANT.formatted("").replace(",\"runAsNonRoot\":true", "") + "]}",
                "runAsNonRoot != true (pod must not set securityContext.runAsNonRoot=false)"));
        c.add(new Case("runAsNonRoot from the pod passes", "restricted:latest", "{}",
                "{\"securityContext\":{\"runAsNonRoot\":true},\"containers\":[" + COMPLIANT.formatted("").replace(",\"runAsNonRoot\":true", "") + "]}", ""));
        c.add(new Case("runAsUser=0", "restricted:latest", "{}",
                "{\"containers\":[" + COMPLIANT.formatted(",\"runAsUser\":0") + "]}",
                "runAsUser=0 (container \"c\" must not set runAsUser=0)"));
        c.add(new Case("runAsUser=1000 passes", "restricted:latest", "{}",
                "{\"securityContext\":{\"runAsUser\":1000},\"containers\":[" + COMPLIANT.formatted("") + "]}", ""));
        c.add(new Case("runAsUser=0 passes before 1.23", "restricted:v1.22", "{}",
                "{\"containers\":[" + COMPLIANT.formatted(",\"runAsUser\":0") + "]}", ""));
        c.add(new Case("seccomp Unconfined on the container", "restricted:latest", "{}",
                "{\"securityContext\":{\"seccompProfile\":{\"type\":\"RuntimeDefault\"}},\"containers\":["
                        + COMPLIANT.formatted("").replace("RuntimeDefault", "Unconfined") + "]}",
                "seccompProfile (container \"c\" must not set securityContext.seccompProfile.type to \"Unconfined\")"));
        c.add(new Case("capabilities: only NET_BIND_SERVICE may be added", "restricted:latest", "{}",
                "{\"containers\":[" + COMPLIANT.formatted("").replace("\"drop\":[\"ALL\"]",
                        "\"drop\":[\"ALL\"],\"add\":[\"NET_BIND_SERVICE\",\"SYS_ADMIN\"]") + "]}",
                "unrestricted capabilities (container \"c\" must not include \"SYS_ADMIN\" in securityContext.capabilities.add)"));
        c.add(new Case("before 1.22 the baseline capabilities check applies instead", "restricted:v1.21", "{}",
                "{\"containers\":[" + COMPLIANT.formatted("").replace("\"drop\":[\"ALL\"]", "\"add\":[\"SYS_ADMIN\"]") + "]}",
                "non-default capabilities (container \"c\" must not include \"SYS_ADMIN\" in securityContext.capabilities.add)"));
        c.add(new Case("before 1.8 only runAsNonRoot of these applies", "restricted:v1.7", "{}", PLAIN,
                "runAsNonRoot != true (pod or container \"c\" must set securityContext.runAsNonRoot=true)"));
        c.add(new Case("a Windows pod is exempt from three checks since 1.25", "restricted:latest", "{}",
                "{\"os\":{\"name\":\"windows\"},\"securityContext\":{\"runAsNonRoot\":true},\"containers\":[{\"name\":\"c\"}]}", ""));
        c.add(new Case("but not at v1.24", "restricted:v1.24", "{}",
                "{\"os\":{\"name\":\"windows\"},\"securityContext\":{\"runAsNonRoot\":true},\"containers\":[{\"name\":\"c\"}]}",
                "allowPrivilegeEscalation != false (container \"c\" must set securityContext.allowPrivilegeEscalation=false), "
                        + "unrestricted capabilities (container \"c\" must set securityContext.capabilities.drop=[\"ALL\"]), "
                        + "seccompProfile (pod or container \"c\" must set securityContext.seccompProfile.type to "
                        + "\"RuntimeDefault\" or \"Localhost\")"));
        c.add(new Case("restricted includes baseline", "restricted:latest", "{}",
                "{\"hostPID\":true,\"containers\":[" + COMPLIANT.formatted("") + "]}", "host namespaces (hostPID=true)"));
        return run(c);
    }

    @Test
    void theReasonsAloneAreWhatTheNamespaceWarningsShow() {
        List<PodSecurityChecks.Violation> v = checks.evaluate(lv("restricted:latest"), json("{}"), json(PLAIN));
        assertEquals("allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile",
                PodSecurityChecks.forbiddenReason(v));
    }

    @Test
    void onlyAChangeOfContainersOrImagesIsASignificantPodUpdate() {
        JsonNode before = json("{\"containers\":[{\"name\":\"c\",\"image\":\"a\"}],\"activeDeadlineSeconds\":5}");
        assertFalse(PodSecurityAdmission.changesWhatRuns(json("{\"containers\":[{\"name\":\"c\",\"image\":\"a\"}],"
                + "\"activeDeadlineSeconds\":3}"), before));
        assertTrue(PodSecurityAdmission.changesWhatRuns(json("{\"containers\":[{\"name\":\"c\",\"image\":\"b\"}]}"), before));
        assertTrue(PodSecurityAdmission.changesWhatRuns(json("{\"containers\":[{\"name\":\"c\",\"image\":\"a\"}],"
                + "\"ephemeralContainers\":[{\"name\":\"debug\",\"image\":\"busybox\"}]}"), before));
    }

    private Stream<DynamicTest> run(List<Case> cases) {
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            List<PodSecurityChecks.Violation> v = checks.evaluate(lv(c.policy()),
                    json("{\"annotations\":" + c.annotations() + "}"), json(c.spec()));
            assertEquals(c.expected(), PodSecurityChecks.forbiddenDetail(v));
        }));
    }

    private static LevelVersion lv(String text) {
        String[] parts = text.split(":");
        return new LevelVersion(Level.parse(parts[0]).orElseThrow(), PolicyVersion.parse(parts[1]).orElseThrow());
    }

    private static JsonNode json(String text) {
        try {
            return KubusJson.json().readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}

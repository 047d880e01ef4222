package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.api.ApiException;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.kubus.gateway.admission.Fixtures.assertInvalid;
import static io.kubus.gateway.admission.Fixtures.create;
import static io.kubus.gateway.admission.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ValidationTest {
    private static final String SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
            + "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
            + "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    private static ObjectNode o(ObjectNode root, String pointer) {
        return (ObjectNode) root.at(pointer);
    }

    private static Arguments pod(String what, Consumer<ObjectNode> change, String field, String message) {
        return Arguments.of(what, ResourceTypes.PODS, (Supplier<ObjectNode>) Fixtures::pod, change, field, message);
    }

    private static Arguments of(String what, ResourceType type, Supplier<ObjectNode> base, Consumer<ObjectNode> change,
                                String field, String message) {
        return Arguments.of(what, type, base, change, field, message);
    }

    static Stream<Arguments> invalidObjects() {
        Supplier<ObjectNode> deploy = Fixtures::deployment;
        return Stream.of(
                pod("tolerationSeconds without NoExecute", p -> o(p, "/spec").set("tolerations",
                                json("{'t':[{'key':'k','operator':'Exists','effect':'NoSchedule','tolerationSeconds':5}]}").get("t")),
                        "spec.tolerations[0].effect",
                        "Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set"),
                pod("toleration without key must be Exists", p -> o(p, "/spec").set("tolerations",
                                json("{'t':[{'operator':'Equal','value':'v'}]}").get("t")),
                        "spec.tolerations[0].operator", "Invalid value: \"Equal\": operator must be Exists when `key` is empty"),
                pod("toleration Exists with a value", p -> o(p, "/spec").set("tolerations",
                                json("{'t':[{'key':'k','operator':'Exists','value':'v'}]}").get("t")),
                        "spec.tolerations[0].operator", "Invalid value: \"v\": value must be empty when `operator` is 'Exists'"),
                pod("toleration operator", p -> o(p, "/spec").set("tolerations",
                                json("{'t':[{'key':'k','operator':'Lt','value':'1'}]}").get("t")),
                        "spec.tolerations[0].operator", "Unsupported value: \"Lt\": supported values: \"Equal\", \"Exists\""),
                pod("toleration effect", p -> o(p, "/spec").set("tolerations",
                                json("{'t':[{'key':'k','operator':'Exists','effect':'NoRun'}]}").get("t")),
                        "spec.tolerations[0].effect",
                        "Unsupported value: \"NoRun\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\""),
                pod("toleration key", p -> o(p, "/spec").set("tolerations",
                                json("{'t':[{'key':'bad key','operator':'Exists'}]}").get("t")),
                        "spec.tolerations[0].key", "Invalid value: \"bad key\": name part must consist of"),
                pod("name with capitals", p -> o(p, "/metadata").put("name", "Web_1"), "metadata.name",
                        "Invalid value: \"Web_1\": " + SUBDOMAIN_MSG),
                pod("no name", p -> o(p, "/metadata").remove("name"), "metadata.name",
                        "Required value: name or generateName is required"),
                pod("name too long", p -> o(p, "/metadata").put("name", "a".repeat(254)), "metadata.name",
                        "Invalid value: \"" + "a".repeat(254) + "\": must be no more than 253 characters"),
                pod("bad generateName", p -> {
                    o(p, "/metadata").remove("name");
                    o(p, "/metadata").put("generateName", "Web-");
                }, "metadata.generateName", "Invalid value: \"Web-\": a lowercase RFC 1123 subdomain"),
                pod("bad namespace", p -> o(p, "/metadata").put("namespace", "my.ns"), "metadata.namespace",
                        // a valid subdomain that is not a label fails for its dots, and Kubernetes says so
                        "Invalid value: \"my.ns\": must not contain dots"),
                pod("no namespace", p -> o(p, "/metadata").remove("namespace"), "metadata.namespace", "Required value"),
                pod("bad label key", p -> o(p, "/metadata/labels").put("-bad", "x"), "metadata.labels",
                        "Invalid value: \"-bad\": name part must consist of alphanumeric characters"),
                pod("bad label prefix", p -> o(p, "/metadata/labels").put("Example.com/x", "y"), "metadata.labels",
                        "Invalid value: \"Example.com/x\": prefix part a lowercase RFC 1123 subdomain"),
                pod("bad label value", p -> o(p, "/metadata/labels").put("app", "a b"), "metadata.labels",
                        "Invalid value: \"a b\": a valid label must be an empty string or consist of alphanumeric characters"),
                pod("label value too long", p -> o(p, "/metadata/labels").put("app", "x".repeat(64)), "metadata.labels",
                        "Invalid value: \"" + "x".repeat(64) + "\": must be no more than 63 characters"),
                pod("bad annotation key", p -> o(p, "/metadata").putObject("annotations").put("a/b/c", "v"),
                        "metadata.annotations", "Invalid value: \"a/b/c\": a qualified name must consist of"),
                pod("annotations too big", p -> o(p, "/metadata").putObject("annotations").put("big", "x".repeat(256 * 1024)),
                        "metadata.annotations", "Too long: may not be more than 262144 bytes"),
                pod("no containers", p -> o(p, "/spec").putArray("containers"), "spec.containers", "Required value"),
                pod("container name", p -> o(p, "/spec/containers/0").put("name", "App"), "spec.containers[0].name",
                        "Invalid value: \"App\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'"),
                pod("duplicate container", p -> ((ArrayNode) p.at("/spec/containers")).add(json("{'name':'app','image':'busybox'}")),
                        "spec.containers[1].name", "Duplicate value: \"app\""),
                pod("init and app container share a name", p -> o(p, "/spec").putArray("initContainers")
                        .add(json("{'name':'app','image':'busybox'}")), "spec.containers[0].name", "Duplicate value: \"app\""),
                pod("no image", p -> o(p, "/spec/containers/0").remove("image"), "spec.containers[0].image", "Required value"),
                pod("containerPort too big", p -> o(p, "/spec/containers/0/ports/0").put("containerPort", 70000),
                        "spec.containers[0].ports[0].containerPort", "Invalid value: 70000: must be between 1 and 65535, inclusive"),
                pod("containerPort missing", p -> o(p, "/spec/containers/0/ports/0").remove("containerPort"),
                        "spec.containers[0].ports[0].containerPort", "Required value"),
                pod("hostPort negative", p -> o(p, "/spec/containers/0/ports/0").put("hostPort", -1),
                        "spec.containers[0].ports[0].hostPort", "Invalid value: -1: must be between 1 and 65535, inclusive"),
                pod("bad protocol", p -> o(p, "/spec/containers/0/ports/0").put("protocol", "HTTP"),
                        "spec.containers[0].ports[0].protocol", "Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\""),
                pod("port name too long", p -> o(p, "/spec/containers/0/ports/0").put("name", "a-very-long-port-name"),
                        "spec.containers[0].ports[0].name", "Invalid value: \"a-very-long-port-name\": must be no more than 15 characters"),
                pod("duplicate port name", p -> ((ArrayNode) p.at("/spec/containers/0/ports")).add(json("{'containerPort':81,'name':'http'}")),
                        "spec.containers[0].ports[1].name", "Duplicate value: \"http\""),
                pod("env name with =", p -> o(p, "/spec/containers/0").putArray("env").add(json("{'name':'A=B','value':'x'}")),
                        "spec.containers[0].env[0].name", "Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='"),
                pod("env without name", p -> o(p, "/spec/containers/0").putArray("env").add(json("{'value':'x'}")),
                        "spec.containers[0].env[0].name", "Required value"),
                pod("bad quantity", p -> o(p, "/spec/containers/0").set("resources", json("{'limits':{'cpu':'lots'}}")),
                        "spec.containers[0].resources.limits[cpu]", "Invalid value: \"lots\": quantities must match the regular expression"),
                pod("negative quantity", p -> o(p, "/spec/containers/0").set("resources", json("{'requests':{'memory':'-1Gi'}}")),
                        "spec.containers[0].resources.requests[memory]", "Invalid value: \"-1Gi\": must be greater than or equal to 0"),
                pod("requests above limits", p -> o(p, "/spec/containers/0").set("resources",
                                json("{'requests':{'cpu':'2'},'limits':{'cpu':'500m'}}")),
                        "spec.containers[0].resources.requests[cpu]", "Invalid value: \"2\": must be less than or equal to cpu limit of 500m"),
                pod("duplicate volume", p -> o(p, "/spec").set("volumes", json("{'v':[{'name':'data','emptyDir':{}},{'name':'data','emptyDir':{}}]}").get("v")),
                        "spec.volumes[1].name", "Duplicate value: \"data\""),
                pod("volume without source", p -> o(p, "/spec").set("volumes", json("{'v':[{'name':'data'}]}").get("v")),
                        "spec.volumes[0]", "Required value: must specify a volume type"),
                pod("volume with two sources", p -> o(p, "/spec").set("volumes", json("{'v':[{'name':'data','emptyDir':{},'hostPath':{'path':'/x'}}]}").get("v")),
                        "spec.volumes[0].hostPath", "Forbidden: may not specify more than 1 volume type"),
                pod("mount of unknown volume", p -> o(p, "/spec/containers/0").set("volumeMounts", json("{'m':[{'name':'data','mountPath':'/d'}]}").get("m")),
                        "spec.containers[0].volumeMounts[0].name", "Not found: \"data\""),
                pod("bad restartPolicy", p -> o(p, "/spec").put("restartPolicy", "Sometimes"), "spec.restartPolicy",
                        "Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\""),
                of("deployment without selector", ResourceTypes.DEPLOYMENTS, deploy, d -> o(d, "/spec").remove("selector"),
                        "spec.selector", "Required value"),
                of("deployment selector mismatch", ResourceTypes.DEPLOYMENTS, deploy,
                        d -> o(d, "/spec/template/metadata/labels").put("app", "other"), "spec.template.metadata.labels",
                        "Invalid value: map[string]string{\"app\":\"other\"}: `selector` does not match template `labels`"),
                of("negative replicas", ResourceTypes.DEPLOYMENTS, deploy, d -> o(d, "/spec").put("replicas", -1),
                        "spec.replicas", "Invalid value: -1: must be greater than or equal to 0"),
                of("bad strategy", ResourceTypes.DEPLOYMENTS, deploy, d -> o(d, "/spec").putObject("strategy").put("type", "BlueGreen"),
                        "spec.strategy.type", "Unsupported value: \"BlueGreen\": supported values: \"Recreate\", \"RollingUpdate\""),
                of("zero surge and unavailable", ResourceTypes.DEPLOYMENTS, deploy, d -> o(d, "/spec").set("strategy",
                                json("{'type':'RollingUpdate','rollingUpdate':{'maxSurge':0,'maxUnavailable':0}}")),
                        "spec.strategy.rollingUpdate.maxUnavailable", "Invalid value: 0: may not be 0 when `maxSurge` is 0"),
                of("progress deadline not above minReadySeconds", ResourceTypes.DEPLOYMENTS, deploy,
                        d -> o(d, "/spec").put("minReadySeconds", 30).put("progressDeadlineSeconds", 30),
                        "spec.progressDeadlineSeconds", "Invalid value: 30: must be greater than minReadySeconds"),
                of("deployment template restartPolicy", ResourceTypes.DEPLOYMENTS, deploy,
                        d -> o(d, "/spec/template/spec").put("restartPolicy", "Never"), "spec.template.spec.restartPolicy",
                        "Unsupported value: \"Never\": supported values: \"Always\""),
                of("deployment container without image", ResourceTypes.DEPLOYMENTS, deploy,
                        d -> o(d, "/spec/template/spec/containers/0").remove("image"), "spec.template.spec.containers[0].image", "Required value"),
                of("replicaset selector mismatch", ResourceTypes.REPLICASETS, () -> Fixtures.workload("apps/v1", "ReplicaSet"),
                        d -> o(d, "/spec/selector/matchLabels").put("tier", "x"), "spec.template.metadata.labels",
                        "Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`"),
                of("statefulset podManagementPolicy", ResourceTypes.STATEFULSETS, () -> Fixtures.workload("apps/v1", "StatefulSet"),
                        d -> o(d, "/spec").put("podManagementPolicy", "Random"), "spec.podManagementPolicy",
                        "Unsupported value: \"Random\": supported values: \"OrderedReady\", \"Parallel\""),
                of("daemonset strategy", ResourceTypes.DAEMONSETS, () -> Fixtures.workload("apps/v1", "DaemonSet"),
                        d -> o(d, "/spec").putObject("updateStrategy").put("type", "Rolling"), "spec.updateStrategy.type",
                        "Unsupported value: \"Rolling\""),
                of("job restartPolicy Always", ResourceTypes.JOBS, Fixtures::job, j -> o(j, "/spec/template/spec").put("restartPolicy", "Always"),
                        "spec.template.spec.restartPolicy", "Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\""),
                of("job negative backoffLimit", ResourceTypes.JOBS, Fixtures::job, j -> o(j, "/spec").put("backoffLimit", -2),
                        "spec.backoffLimit", "Invalid value: -2: must be greater than or equal to 0"),
                of("job negative completions", ResourceTypes.JOBS, Fixtures::job, j -> o(j, "/spec").put("completions", -1),
                        "spec.completions", "Invalid value: -1: must be greater than or equal to 0"),
                of("job Indexed without completions", ResourceTypes.JOBS, Fixtures::job, j -> {
                    // with parallelism given, completions are not defaulted, as in Kubernetes
                    o(j, "/spec").put("completionMode", "Indexed").put("parallelism", 2);
                }, "spec.completions", "Required value: when completion mode is Indexed"),
                of("job completionMode", ResourceTypes.JOBS, Fixtures::job, j -> o(j, "/spec").put("completionMode", "Sorted"),
                        "spec.completionMode", "Unsupported value: \"Sorted\""),
                of("job backoffLimitPerIndex without Indexed", ResourceTypes.JOBS, Fixtures::job,
                        j -> o(j, "/spec").put("backoffLimitPerIndex", 1),
                        "spec.backoffLimitPerIndex", "Forbidden: requires indexed completion mode"),
                of("job maxFailedIndexes alone", ResourceTypes.JOBS, Fixtures::job, j -> {
                    o(j, "/spec").put("completionMode", "Indexed").put("completions", 3).put("maxFailedIndexes", 1);
                }, "spec.backoffLimitPerIndex", "Required value: when maxFailedIndexes is specified"),
                of("job podFailurePolicy with OnFailure", ResourceTypes.JOBS, Fixtures::job, j -> {
                    o(j, "/spec/template/spec").put("restartPolicy", "OnFailure");
                    o(j, "/spec").set("podFailurePolicy", json("{'rules':[{'action':'Ignore','onPodConditions':[{'type':'DisruptionTarget'}]}]}"));
                }, "spec.template.spec.restartPolicy", "Invalid value: \"OnFailure\": only \"Never\" is supported when podFailurePolicy is specified"),
                of("job podFailurePolicy action", ResourceTypes.JOBS, Fixtures::job, j -> o(j, "/spec").set("podFailurePolicy",
                                json("{'rules':[{'action':'Retry','onExitCodes':{'operator':'In','values':[1]}}]}")),
                        "spec.podFailurePolicy.rules[0].action", "Unsupported value: \"Retry\""),
                of("job podFailurePolicy exit code 0", ResourceTypes.JOBS, Fixtures::job, j -> o(j, "/spec").set("podFailurePolicy",
                                json("{'rules':[{'action':'FailJob','onExitCodes':{'operator':'In','values':[0,3]}}]}")),
                        "spec.podFailurePolicy.rules[0].onExitCodes.values[0]", "Invalid value: 0: must not be 0 for the In operator"),
                of("job podFailurePolicy rule with both", ResourceTypes.JOBS, Fixtures::job, j -> o(j, "/spec").set("podFailurePolicy",
                                json("{'rules':[{'action':'Count','onExitCodes':{'operator':'In','values':[1]},'onPodConditions':[{'type':'X'}]}]}")),
                        "spec.podFailurePolicy.rules[0]", "Invalid value: {\"action\":\"Count\""),
                of("job successPolicy without Indexed", ResourceTypes.JOBS, Fixtures::job, j -> o(j, "/spec").set("successPolicy",
                                json("{'rules':[{'succeededCount':1}]}")),
                        "spec.successPolicy", "Invalid value: {\"rules\":[{\"succeededCount\":1}]}: requires indexed completion mode"),
                of("job podReplacementPolicy", ResourceTypes.JOBS, Fixtures::job, j -> o(j, "/spec").put("podReplacementPolicy", "Never"),
                        "spec.podReplacementPolicy", "Unsupported value: \"Never\""),
                of("cronjob without schedule", ResourceTypes.CRONJOBS, Fixtures::cronJob, c -> o(c, "/spec").remove("schedule"),
                        "spec.schedule", "Required value"),
                of("cronjob bad schedule", ResourceTypes.CRONJOBS, Fixtures::cronJob, c -> o(c, "/spec").put("schedule", "every minute"),
                        "spec.schedule", "Invalid value: \"every minute\": expected exactly 5 fields, found 2: [every minute]"),
                of("cronjob minute out of range", ResourceTypes.CRONJOBS, Fixtures::cronJob, c -> o(c, "/spec").put("schedule", "61 * * * *"),
                        "spec.schedule", "Invalid value: \"61 * * * *\": end of range (61) above maximum (59): 61"),
                of("cronjob concurrencyPolicy", ResourceTypes.CRONJOBS, Fixtures::cronJob, c -> o(c, "/spec").put("concurrencyPolicy", "Sometimes"),
                        "spec.concurrencyPolicy", "Unsupported value: \"Sometimes\""),
                of("cronjob TZ in schedule", ResourceTypes.CRONJOBS, Fixtures::cronJob, c -> o(c, "/spec").put("schedule", "TZ=UTC */5 * * * *"),
                        "spec.schedule", "Invalid value: \"TZ=UTC */5 * * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead"),
                of("cronjob unknown descriptor", ResourceTypes.CRONJOBS, Fixtures::cronJob, c -> o(c, "/spec").put("schedule", "@often"),
                        "spec.schedule", "Invalid value: \"@often\": unrecognized descriptor: @often"),
                of("cronjob unknown timeZone", ResourceTypes.CRONJOBS, Fixtures::cronJob, c -> o(c, "/spec").put("timeZone", "Mars/Olympus_Mons"),
                        "spec.timeZone", "Invalid value: \"Mars/Olympus_Mons\": unknown time zone Mars/Olympus_Mons"),
                of("cronjob timeZone Local", ResourceTypes.CRONJOBS, Fixtures::cronJob, c -> o(c, "/spec").put("timeZone", "Local"),
                        "spec.timeZone", "Invalid value: \"Local\": timeZone must be an explicit time zone"),
                of("cronjob negative startingDeadlineSeconds", ResourceTypes.CRONJOBS, Fixtures::cronJob,
                        c -> o(c, "/spec").put("startingDeadlineSeconds", -10),
                        "spec.startingDeadlineSeconds", "Invalid value: -10: must be greater than or equal to 0"),
                of("cronjob negative successfulJobsHistoryLimit", ResourceTypes.CRONJOBS, Fixtures::cronJob,
                        c -> o(c, "/spec").put("successfulJobsHistoryLimit", -1),
                        "spec.successfulJobsHistoryLimit", "Invalid value: -1: must be greater than or equal to 0"),
                of("cronjob negative failedJobsHistoryLimit", ResourceTypes.CRONJOBS, Fixtures::cronJob,
                        c -> o(c, "/spec").put("failedJobsHistoryLimit", -1),
                        "spec.failedJobsHistoryLimit", "Invalid value: -1: must be greater than or equal to 0"),
                of("cronjob template restartPolicy", ResourceTypes.CRONJOBS, Fixtures::cronJob,
                        c -> o(c, "/spec/jobTemplate/spec/template/spec").put("restartPolicy", "Always"),
                        "spec.jobTemplate.spec.template.spec.restartPolicy", "Unsupported value: \"Always\""),
                of("service name must be DNS-1035", ResourceTypes.SERVICES, Fixtures::service, s -> o(s, "/metadata").put("name", "1web"),
                        "metadata.name", "Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters"),
                of("service port 0", ResourceTypes.SERVICES, Fixtures::service, s -> o(s, "/spec/ports/0").put("port", 0),
                        "spec.ports[0].port", "Invalid value: 0: must be between 1 and 65535, inclusive"),
                of("service duplicate port names", ResourceTypes.SERVICES, Fixtures::service, s -> o(s, "/spec").set("ports",
                                json("{'p':[{'name':'web','port':80},{'name':'web','port':81}]}").get("p")),
                        "spec.ports[1].name", "Duplicate value: \"web\""),
                of("service unnamed port among several", ResourceTypes.SERVICES, Fixtures::service, s -> ((ArrayNode) s.at("/spec/ports"))
                        .add(json("{'port':443}")), "spec.ports[0].name", "Required value"),
                of("service type", ResourceTypes.SERVICES, Fixtures::service, s -> o(s, "/spec").put("type", "Magic"),
                        "spec.type", "Unsupported value: \"Magic\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""),
                of("service without ports", ResourceTypes.SERVICES, Fixtures::service, s -> o(s, "/spec").remove("ports"),
                        "spec.ports", "Required value"),
                of("service port beyond 65535", ResourceTypes.SERVICES, Fixtures::service,
                        s -> o(s, "/spec/ports/0").put("port", 70000).put("targetPort", 8080),
                        "spec.ports[0].port", "Invalid value: 70000: must be between 1 and 65535, inclusive"),
                of("service targetPort beyond 65535", ResourceTypes.SERVICES, Fixtures::service,
                        s -> o(s, "/spec/ports/0").put("targetPort", 70000),
                        "spec.ports[0].targetPort", "Invalid value: 70000: must be between 1 and 65535, inclusive"),
                of("service targetPort that is no port name", ResourceTypes.SERVICES, Fixtures::service,
                        s -> o(s, "/spec/ports/0").put("targetPort", "http_web"), "spec.ports[0].targetPort",
                        "Invalid value: \"http_web\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"),
                of("service port twice for one protocol", ResourceTypes.SERVICES, Fixtures::service, s -> o(s, "/spec").set("ports",
                                json("{'p':[{'name':'a','port':80},{'name':'b','port':80,'targetPort':81}]}").get("p")),
                        "spec.ports[1]", "Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\", AppProtocol:(*string)(nil), "
                                + "Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}"),
                of("service protocol", ResourceTypes.SERVICES, Fixtures::service, s -> o(s, "/spec/ports/0").put("protocol", "HTTP"),
                        "spec.ports[0].protocol", "Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\""),
                of("service nodePort on a ClusterIP", ResourceTypes.SERVICES, Fixtures::service,
                        s -> o(s, "/spec/ports/0").put("nodePort", 30080),
                        "spec.ports[0].nodePort", "Forbidden: may not be used when `type` is 'ClusterIP'"),
                of("service nodePort twice", ResourceTypes.SERVICES, Fixtures::service, s -> o(s, "/spec").put("type", "NodePort")
                                .set("ports", json("{'p':[{'name':'a','port':80,'nodePort':30080},{'name':'b','port':81,'nodePort':30080}]}").get("p")),
                        "spec.ports[1].nodePort", "Duplicate value: 30080"),
                of("service clusterIP that is no IP", ResourceTypes.SERVICES, Fixtures::service, s -> o(s, "/spec").put("clusterIP", "ten"),
                        "spec.clusterIPs[0]", "Invalid value: \"ten\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"),
                of("service clusterIP and clusterIPs disagree", ResourceTypes.SERVICES, Fixtures::service, s -> o(s, "/spec")
                                .put("clusterIP", "10.96.0.60").set("clusterIPs", json("{'c':['10.96.0.61']}").get("c")),
                        "spec.clusterIPs", "Invalid value: []string{\"10.96.0.61\"}: first value must match `clusterIP`"),
                of("service headless NodePort", ResourceTypes.SERVICES, Fixtures::service,
                        s -> o(s, "/spec").put("type", "NodePort").put("clusterIP", "None"),
                        "spec.clusterIPs[0]", "Invalid value: \"None\": may not be set to 'None' for NodePort services"),
                of("service ExternalName with a clusterIP", ResourceTypes.SERVICES, Fixtures::service, s -> o(s, "/spec")
                                .put("type", "ExternalName").put("externalName", "db.example.com").put("clusterIP", "10.96.0.70"),
                        "spec.clusterIPs", "Forbidden: may not be set for ExternalName services"),
                of("service sessionAffinityConfig without ClientIP", ResourceTypes.SERVICES, Fixtures::service,
                        s -> o(s, "/spec").set("sessionAffinityConfig", json("{'clientIP':{'timeoutSeconds':60}}")),
                        "spec.sessionAffinityConfig", "Forbidden: must not be set when session affinity is None"),
                of("service ClientIP timeout beyond a day", ResourceTypes.SERVICES, Fixtures::service, s -> o(s, "/spec")
                                .put("sessionAffinity", "ClientIP").set("sessionAffinityConfig", json("{'clientIP':{'timeoutSeconds':86401}}")),
                        "spec.sessionAffinityConfig.clientIP.timeoutSeconds", "Invalid value: 86401: must be greater than 0 and less than 86400"),
                of("service ClientIP timeout 0", ResourceTypes.SERVICES, Fixtures::service, s -> o(s, "/spec")
                                .put("sessionAffinity", "ClientIP").set("sessionAffinityConfig", json("{'clientIP':{'timeoutSeconds':0}}")),
                        "spec.sessionAffinityConfig.clientIP.timeoutSeconds", "Invalid value: 0: must be greater than 0 and less than 86400"),
                of("service externalTrafficPolicy on a ClusterIP", ResourceTypes.SERVICES, Fixtures::service,
                        s -> o(s, "/spec").put("externalTrafficPolicy", "Local"), "spec.externalTrafficPolicy",
                        "Invalid value: \"Local\": may only be set for externally-accessible services"),
                of("service externalTrafficPolicy value", ResourceTypes.SERVICES, Fixtures::service,
                        s -> o(s, "/spec").put("type", "NodePort").put("externalTrafficPolicy", "Nearest"), "spec.externalTrafficPolicy",
                        "Unsupported value: \"Nearest\": supported values: \"Cluster\", \"Local\""),
                of("service internalTrafficPolicy value", ResourceTypes.SERVICES, Fixtures::service,
                        s -> o(s, "/spec").put("internalTrafficPolicy", "Node"), "spec.internalTrafficPolicy",
                        "Unsupported value: \"Node\": supported values: \"Cluster\", \"Local\""),
                of("service healthCheckNodePort without Local", ResourceTypes.SERVICES, Fixtures::service,
                        s -> o(s, "/spec").put("type", "LoadBalancer").put("healthCheckNodePort", 30100), "spec.healthCheckNodePort",
                        "Invalid value: 30100: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"),
                pod("more than 3 nameservers", p -> o(p, "/spec").set("dnsConfig",
                                json("{'nameservers':['1.1.1.1','1.0.0.1','8.8.8.8','8.8.4.4']}")), "spec.dnsConfig.nameservers",
                        "Invalid value: []string{\"1.1.1.1\", \"1.0.0.1\", \"8.8.8.8\", \"8.8.4.4\"}: must not have more than 3 nameservers"),
                pod("nameserver that is no IP", p -> o(p, "/spec").set("dnsConfig", json("{'nameservers':['dns.example']}")),
                        "spec.dnsConfig.nameservers[0]",
                        "Invalid value: \"dns.example\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"),
                pod("more than 32 search paths", p -> o(p, "/spec").set("dnsConfig", searches(33, "s")), "spec.dnsConfig.searches",
                        "Invalid value: []string{\"s0.example\", "),
                pod("search list beyond 2048 characters", p -> o(p, "/spec").set("dnsConfig", searches(9, "x".repeat(63) + "."
                                + "y".repeat(63) + "." + "z".repeat(63) + "." + "w".repeat(50))), "spec.dnsConfig.searches",
                        "Invalid value: []string{"),
                pod("search domain", p -> o(p, "/spec").set("dnsConfig", json("{'searches':['Corp_Net.']}")),
                        "spec.dnsConfig.searches[0]", "Invalid value: \"Corp_Net\": " + SUBDOMAIN_MSG),
                pod("dnsPolicy None without dnsConfig", p -> o(p, "/spec").put("dnsPolicy", "None"), "spec.dnsConfig",
                        "Required value: must provide `dnsConfig` when `dnsPolicy` is None"),
                pod("dnsPolicy None without nameservers", p -> o(p, "/spec").put("dnsPolicy", "None")
                                .set("dnsConfig", json("{'searches':['corp.example']}")), "spec.dnsConfig.nameservers",
                        "Required value: must provide at least one DNS nameserver when `dnsPolicy` is None"),
                pod("dnsPolicy", p -> o(p, "/spec").put("dnsPolicy", "Google"), "spec.dnsPolicy",
                        "Unsupported value: \"Google\": supported values: \"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\""),
                pod("dns option without a name", p -> o(p, "/spec").set("dnsConfig", json("{'options':[{'value':'2'}]}")),
                        "spec.dnsConfig.options[0]", "Required value: must not be empty"),
                pod("hostAlias ip", p -> o(p, "/spec").set("hostAliases", json("{'a':[{'ip':'300.1.1.1','hostnames':['db']}]}").get("a")),
                        "spec.hostAliases[0].ip", "Invalid value: \"300.1.1.1\": must be a valid IP address"),
                pod("hostAlias hostname", p -> o(p, "/spec").set("hostAliases", json("{'a':[{'ip':'10.0.0.9','hostnames':['DB_1']}]}").get("a")),
                        "spec.hostAliases[0].hostnames[0]", "Invalid value: \"DB_1\": " + SUBDOMAIN_MSG),
                pod("hostname with a dot", p -> o(p, "/spec").put("hostname", "web.1"), "spec.hostname",
                        "Invalid value: \"web.1\": must not contain dots"),
                pod("subdomain with an underscore", p -> o(p, "/spec").put("subdomain", "web_pods"), "spec.subdomain",
                        "Invalid value: \"web_pods\": a lowercase RFC 1123 label must consist of"),
                of("configmap key", ResourceTypes.CONFIGMAPS,
                        () -> json("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c','namespace':'default'},'data':{}}"),
                        c -> o(c, "/data").put("bad key", "v"), "data[bad key]",
                        "Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"),
                of("secret key", ResourceTypes.SECRETS,
                        () -> json("{'apiVersion':'v1','kind':'Secret','metadata':{'name':'s','namespace':'default'},'data':{}}"),
                        s -> o(s, "/data").put("a/b", "eA=="), "data[a/b]", "Invalid value: \"a/b\": a valid config key"),
                of("namespace name is a label", ResourceTypes.NAMESPACES,
                        () -> json("{'apiVersion':'v1','kind':'Namespace','metadata':{'name':'team-a'}}"),
                        n -> o(n, "/metadata").put("name", "team.a"), "metadata.name",
                        "Invalid value: \"team.a\": must not contain dots"),
                of("node name", ResourceTypes.NODES, () -> json("{'apiVersion':'v1','kind':'Node','metadata':{'name':'node-1'}}"),
                        n -> o(n, "/metadata").put("name", "Node_1"), "metadata.name", "Invalid value: \"Node_1\""),
                of("cluster-scoped with namespace", ResourceTypes.NODES, () -> json("{'apiVersion':'v1','kind':'Node','metadata':{'name':'node-1'}}"),
                        n -> o(n, "/metadata").put("namespace", "default"), "metadata.namespace", "Forbidden: not allowed on this type"),
                of("event name", ResourceTypes.EVENTS,
                        () -> json("{'apiVersion':'v1','kind':'Event','metadata':{'name':'web.1','namespace':'default'}}"),
                        e -> o(e, "/metadata").put("name", "web 1"), "metadata.name", "Invalid value: \"web 1\""),
                of("pvc without storage", ResourceTypes.PERSISTENTVOLUMECLAIMS,
                        () -> json("{'apiVersion':'v1','kind':'PersistentVolumeClaim','metadata':{'name':'d','namespace':'default'},"
                                + "'spec':{'accessModes':['ReadWriteOnce'],'resources':{'requests':{'storage':'1Gi'}}}}"),
                        c -> o(c, "/spec/resources/requests").remove("storage"), "spec.resources[storage]", "Required value")
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidObjects")
    void refusedWith422(String what, ResourceType type, Supplier<ObjectNode> base, Consumer<ObjectNode> change,
                        String field, String message) {
        ObjectNode valid = base.get();
        create(type, valid.deepCopy()); // the base must pass, so the change is what fails
        change.accept(valid);
        assertInvalid(type, valid, field, message);
    }

    @Test
    void statusMessageIsWhatKubectlPrints() {
        ObjectNode p = Fixtures.pod();
        o(p, "/spec/containers/0").remove("image");
        ApiException e = Fixtures.refuse(ResourceTypes.PODS, p, null);
        assertEquals("Pod \"web\" is invalid: spec.containers[0].image: Required value", e.getMessage());
        assertEquals("Pod", e.status().getDetails().getKind());
        assertEquals("web", e.status().getDetails().getName());
        assertEquals("FieldValueRequired", e.status().getDetails().getCauses().get(0).getReason());
    }

    @Test
    void everyProblemIsOneCause() {
        ObjectNode p = Fixtures.pod();
        o(p, "/spec/containers/0").remove("image");
        o(p, "/spec/containers/0/ports/0").put("containerPort", 0);
        o(p, "/metadata").put("name", "Bad");
        ApiException e = Fixtures.refuse(ResourceTypes.PODS, p, null);
        assertEquals(3, e.status().getDetails().getCauses().size(), e.getMessage());
    }

    @Test
    void validObjectsOfEveryShapePass() {
        create(ResourceTypes.CRONJOBS, withSchedule("@hourly"));
        create(ResourceTypes.CRONJOBS, withSchedule("0 9-17/2 * jan-jun mon-fri"));
        create(ResourceTypes.CRONJOBS, withSchedule("@every 90s"));
        ObjectNode zoned = withSchedule("0 9 * * *");
        o(zoned, "/spec").put("timeZone", "Europe/Berlin");
        create(ResourceTypes.CRONJOBS, zoned);
        ObjectNode headless = Fixtures.service();
        o(headless, "/spec").put("clusterIP", "None").remove("ports");
        create(ResourceTypes.SERVICES, headless);
        ObjectNode external = json("{'apiVersion':'v1','kind':'Service','metadata':{'name':'db','namespace':'default'},"
                + "'spec':{'type':'ExternalName','externalName':'db.example.com'}}");
        create(ResourceTypes.SERVICES, external);
        ObjectNode exprs = Fixtures.deployment();
        o(exprs, "/spec").set("selector", json("{'matchExpressions':[{'key':'app','operator':'In','values':['web','api']}]}"));
        create(ResourceTypes.DEPLOYMENTS, exprs);
    }

    /**
     * kube-apiserver does not validate a StatefulSet's template as a pod spec: its containers mount the claims of
     * volumeClaimTemplates, which become volumes only in the pods the controller makes.
     */
    @Test
    void aStatefulSetContainerMayMountAVolumeClaimTemplate() {
        ObjectNode sts = Fixtures.workload("apps/v1", "StatefulSet");
        o(sts, "/spec").put("serviceName", "web");
        ((ObjectNode) sts.at("/spec/template/spec/containers/0")).set("volumeMounts",
                json("{'m':[{'name':'data','mountPath':'/var/lib/data'}]}").get("m"));
        o(sts, "/spec").set("volumeClaimTemplates", json("{'t':[{'metadata':{'name':'data'},'spec':{"
                + "'accessModes':['ReadWriteOnce'],'resources':{'requests':{'storage':'1Gi'}}}}]}").get("t"));
        ObjectNode created = create(ResourceTypes.STATEFULSETS, sts);
        assertEquals("data", created.at("/spec/template/spec/containers/0/volumeMounts/0/name").asText());
        // the template still has to match the selector and run with restartPolicy Always
        ObjectNode never = sts.deepCopy();
        o(never, "/spec/template/spec").put("restartPolicy", "Never");
        assertInvalid(ResourceTypes.STATEFULSETS, never, "spec.template.spec.restartPolicy",
                "Unsupported value: \"Never\": supported values: \"Always\"");
    }

    /** A dnsConfig of {@code n} search domains {@code <i>.example} after {@code prefix}. */
    private static ObjectNode searches(int n, String prefix) {
        ObjectNode config = json("{}");
        ArrayNode list = config.putArray("searches");
        for (int i = 0; i < n; i++) {
            list.add(prefix + i + ".example");
        }
        return config;
    }

    /** SetDefaults_Service: ClientIP affinity without a timeout sticks for three hours. */
    @Test
    void clientIpAffinityDefaultsToThreeHours() {
        ObjectNode svc = Fixtures.service();
        o(svc, "/spec").put("sessionAffinity", "ClientIP");
        assertEquals(10800, create(ResourceTypes.SERVICES, svc).at("/spec/sessionAffinityConfig/clientIP/timeoutSeconds").asInt());
    }

    private static ObjectNode withSchedule(String schedule) {
        ObjectNode c = Fixtures.cronJob();
        o(c, "/spec").put("schedule", schedule);
        return c;
    }
}

package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.schema.ResourceType;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import static io.kubus.gateway.admission.Json.absent;
import static io.kubus.gateway.admission.Json.def;
import static io.kubus.gateway.admission.Json.obj;
import static io.kubus.gateway.admission.Json.objOrNull;
import static io.kubus.gateway.admission.Json.objects;
import static io.kubus.gateway.admission.Json.text;

/**
 * The defaults Kubernetes fills in (pkg/apis/core/v1/defaults.go, apps/v1, batch/v1, plus what the registry
 * strategies set on create), so that {@code kubectl get -o yaml} and the controllers see what they would on a
 * real cluster. Works on the JSON of an object that already decoded cleanly; one method per kind.
 */
final class Defaults {
    private Defaults() {
    }

    static void apply(ResourceType type, ObjectNode o, boolean create) {
        switch (type.kind()) {
            case "Pod" -> pod(o, create);
            case "ReplicationController" -> replicationController(o);
            case "ReplicaSet" -> {
                def(obj(o, "spec"), "replicas", 1);
                podTemplate(obj(o, "spec"), false);
            }
            case "Deployment" -> deployment(obj(o, "spec"));
            case "StatefulSet" -> statefulSet(obj(o, "spec"));
            case "DaemonSet" -> daemonSet(obj(o, "spec"));
            case "Job" -> job(o, create);
            case "CronJob" -> cronJob(obj(o, "spec"));
            case "Service" -> service(obj(o, "spec"));
            case "Secret" -> secret(o);
            case "Namespace" -> namespace(o, create);
            case "PersistentVolumeClaim" -> {
                def(obj(o, "spec"), "volumeMode", "Filesystem");
                if (create) {
                    obj(o, "status").put("phase", "Pending");
                }
            }
            case "PersistentVolume" -> {
                def(obj(o, "spec"), "persistentVolumeReclaimPolicy", "Retain");
                def(obj(o, "spec"), "volumeMode", "Filesystem");
                if (create) {
                    obj(o, "status").put("phase", "Pending");
                }
            }
            default -> {
                // ConfigMap, Endpoints, Event, Node: nothing kubectl users rely on
            }
        }
    }

    private static void pod(ObjectNode o, boolean create) {
        ObjectNode spec = obj(o, "spec");
        podSpec(spec, false);
        if (create) {
            // the pod registry's PrepareForCreate: a new pod starts Pending with its QoS class fixed
            ObjectNode status = obj(o, "status");
            status.put("phase", "Pending");
            status.put("qosClass", QosClass.of(spec));
        }
    }

    /** Defaults of a {@code spec} that carries a pod {@code template}. */
    private static void podTemplate(ObjectNode spec, boolean jobTemplate) {
        podSpec(obj(obj(spec, "template"), "spec"), jobTemplate);
    }

    /** SetDefaults_PodSpec and the container defaults; a Job's template keeps its restartPolicy unset. */
    static void podSpec(ObjectNode spec, boolean jobTemplate) {
        if (!jobTemplate) {
            def(spec, "restartPolicy", "Always");
        }
        def(spec, "terminationGracePeriodSeconds", 30);
        def(spec, "dnsPolicy", "ClusterFirst");
        def(spec, "schedulerName", "default-scheduler");
        obj(spec, "securityContext");
        def(spec, "enableServiceLinks", true);
        boolean hostNetwork = spec.path("hostNetwork").asBoolean(false);
        for (ObjectNode c : objects(spec, "initContainers")) {
            container(c, hostNetwork);
        }
        for (ObjectNode c : objects(spec, "containers")) {
            container(c, hostNetwork);
        }
        for (ObjectNode v : objects(spec, "volumes")) {
            for (String source : new String[]{"secret", "configMap", "downwardAPI", "projected"}) {
                ObjectNode s = objOrNull(v, source);
                if (s != null) {
                    def(s, "defaultMode", 420);
                }
            }
        }
    }

    private static void container(ObjectNode c, boolean hostNetwork) {
        for (ObjectNode p : objects(c, "ports")) {
            def(p, "protocol", "TCP");
            // on the host's network a container port is a host port
            if (hostNetwork && absent(p, "hostPort") && p.has("containerPort")) {
                p.set("hostPort", p.get("containerPort").deepCopy());
            }
        }
        def(c, "imagePullPolicy", pullPolicy(text(c, "image")));
        def(c, "terminationMessagePath", "/dev/termination-log");
        def(c, "terminationMessagePolicy", "File");
        for (String probe : new String[]{"livenessProbe", "readinessProbe", "startupProbe"}) {
            ObjectNode p = objOrNull(c, probe);
            if (p != null) {
                def(p, "timeoutSeconds", 1);
                def(p, "periodSeconds", 10);
                def(p, "successThreshold", 1);
                def(p, "failureThreshold", 3);
                ObjectNode http = objOrNull(p, "httpGet");
                if (http != null) {
                    def(http, "scheme", "HTTP");
                    def(http, "path", "/");
                }
            }
        }
        for (ObjectNode e : objects(c, "env")) {
            ObjectNode fieldRef = objOrNull(objOrNull(e, "valueFrom"), "fieldRef");
            if (fieldRef != null) {
                def(fieldRef, "apiVersion", "v1");
            }
        }
        // the pod defaulter copies limits into unset requests, which is what makes a pod Guaranteed
        ObjectNode resources = objOrNull(c, "resources");
        ObjectNode limits = objOrNull(resources, "limits");
        if (limits != null && !limits.isEmpty()) {
            ObjectNode requests = obj(resources, "requests");
            for (Map.Entry<String, JsonNode> l : limits.properties()) {
                if (absent(requests, l.getKey())) {
                    requests.set(l.getKey(), l.getValue().deepCopy());
                }
            }
        }
    }

    /** Always for :latest or an untagged image, IfNotPresent for any other tag or a digest. */
    static String pullPolicy(String image) {
        if (image.contains("@")) {
            return "IfNotPresent";
        }
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        if (colon <= slash) {
            return "Always";
        }
        return image.substring(colon + 1).equals("latest") ? "Always" : "IfNotPresent";
    }

    private static void replicationController(ObjectNode o) {
        ObjectNode spec = obj(o, "spec");
        ObjectNode templateLabels = objOrNull(objOrNull(objOrNull(spec, "template"), "metadata"), "labels");
        // the v1 RC defaulter takes selector and labels from the template when they are empty
        if (templateLabels != null && !templateLabels.isEmpty()) {
            if (objOrNull(spec, "selector") == null || spec.get("selector").isEmpty()) {
                spec.set("selector", templateLabels.deepCopy());
            }
            ObjectNode meta = obj(o, "metadata");
            if (objOrNull(meta, "labels") == null || meta.get("labels").isEmpty()) {
                meta.set("labels", templateLabels.deepCopy());
            }
        }
        def(spec, "replicas", 1);
        podTemplate(spec, false);
    }

    /** apps/v1 no longer takes selector or labels from the template (extensions/v1beta1 did): both are the user's. */
    private static void deployment(ObjectNode spec) {
        def(spec, "replicas", 1);
        ObjectNode strategy = obj(spec, "strategy");
        def(strategy, "type", "RollingUpdate");
        if (text(strategy, "type").equals("RollingUpdate")) {
            ObjectNode ru = obj(strategy, "rollingUpdate");
            def(ru, "maxUnavailable", "25%");
            def(ru, "maxSurge", "25%");
        }
        def(spec, "revisionHistoryLimit", 10);
        def(spec, "progressDeadlineSeconds", 600);
        podTemplate(spec, false);
    }

    private static void statefulSet(ObjectNode spec) {
        def(spec, "replicas", 1);
        def(spec, "podManagementPolicy", "OrderedReady");
        ObjectNode strategy = obj(spec, "updateStrategy");
        def(strategy, "type", "RollingUpdate");
        if (text(strategy, "type").equals("RollingUpdate")) {
            def(obj(strategy, "rollingUpdate"), "partition", 0);
        }
        def(spec, "revisionHistoryLimit", 10);
        ObjectNode retention = obj(spec, "persistentVolumeClaimRetentionPolicy");
        def(retention, "whenDeleted", "Retain");
        def(retention, "whenScaled", "Retain");
        podTemplate(spec, false);
    }

    private static void daemonSet(ObjectNode spec) {
        ObjectNode strategy = obj(spec, "updateStrategy");
        def(strategy, "type", "RollingUpdate");
        if (text(strategy, "type").equals("RollingUpdate")) {
            ObjectNode ru = obj(strategy, "rollingUpdate");
            def(ru, "maxUnavailable", 1);
            def(ru, "maxSurge", 0);
        }
        def(spec, "revisionHistoryLimit", 10);
        podTemplate(spec, false);
    }

    private static void job(ObjectNode o, boolean create) {
        ObjectNode spec = obj(o, "spec");
        jobSpec(spec);
        if (create && !spec.path("manualSelector").asBoolean(false)) {
            // the job registry labels the template with the job's uid and selects on it, so that two jobs
            // of the same name in time never adopt each other's pods
            String uid = text(objOrNull(o, "metadata"), "uid");
            String name = text(objOrNull(o, "metadata"), "name");
            if (!uid.isEmpty() && objOrNull(spec, "selector") == null) {
                ObjectNode labels = obj(obj(obj(spec, "template"), "metadata"), "labels");
                labels.put("batch.kubernetes.io/controller-uid", uid);
                labels.put("batch.kubernetes.io/job-name", name);
                labels.put("controller-uid", uid);
                labels.put("job-name", name);
                obj(obj(spec, "selector"), "matchLabels").put("batch.kubernetes.io/controller-uid", uid);
            }
        }
    }

    private static void jobSpec(ObjectNode spec) {
        if (absent(spec, "completions") && absent(spec, "parallelism")) {
            spec.put("completions", 1);
        }
        def(spec, "parallelism", 1);
        def(spec, "backoffLimit", 6);
        def(spec, "completionMode", "NonIndexed");
        def(spec, "suspend", false);
        if (absent(spec, "podFailurePolicy")) {
            def(spec, "podReplacementPolicy", "TerminatingOrFailed");
        }
        podTemplate(spec, true);
    }

    private static void cronJob(ObjectNode spec) {
        def(spec, "concurrencyPolicy", "Allow");
        def(spec, "suspend", false);
        def(spec, "successfulJobsHistoryLimit", 3);
        def(spec, "failedJobsHistoryLimit", 1);
        // the job template's pod template gets pod defaults; JobSpec defaults come when the Job is created
        podTemplate(obj(obj(spec, "jobTemplate"), "spec"), true);
    }

    private static void service(ObjectNode spec) {
        def(spec, "type", "ClusterIP");
        def(spec, "sessionAffinity", "None");
        String type = text(spec, "type");
        if (!type.equals("ExternalName")) {
            def(spec, "internalTrafficPolicy", "Cluster");
        }
        if (type.equals("NodePort") || type.equals("LoadBalancer")) {
            def(spec, "externalTrafficPolicy", "Cluster");
        }
        for (ObjectNode p : objects(spec, "ports")) {
            def(p, "protocol", "TCP");
            if (absent(p, "targetPort") && p.has("port")) {
                p.set("targetPort", p.get("port").deepCopy());
            }
        }
    }

    private static void secret(ObjectNode o) {
        def(o, "type", "Opaque");
        // stringData is write-only: the apiserver folds it into data when it converts the object
        ObjectNode stringData = objOrNull(o, "stringData");
        if (stringData != null) {
            ObjectNode data = obj(o, "data");
            for (Map.Entry<String, JsonNode> e : stringData.properties()) {
                data.put(e.getKey(), Base64.getEncoder().encodeToString(e.getValue().asText().getBytes(StandardCharsets.UTF_8)));
            }
            o.remove("stringData");
        }
    }

    private static void namespace(ObjectNode o, boolean create) {
        ObjectNode meta = obj(o, "metadata");
        String name = text(meta, "name");
        if (!name.isEmpty()) {
            // SetDefaults_Namespace: the immutable name label that lets selectors pick namespaces by name
            obj(meta, "labels").put("kubernetes.io/metadata.name", name);
        }
        if (create) {
            obj(o, "spec").set("finalizers", Json.F.arrayNode().add("kubernetes"));
            obj(o, "status").put("phase", "Active");
        }
    }
}

package io.kubus.gateway.registry.core.pod;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;

import static io.kubus.gateway.registry.JsonTree.absent;
import static io.kubus.gateway.registry.JsonTree.def;
import static io.kubus.gateway.registry.JsonTree.obj;
import static io.kubus.gateway.registry.JsonTree.objOrNull;
import static io.kubus.gateway.registry.JsonTree.objects;
import static io.kubus.gateway.registry.JsonTree.text;

/**
 * SetDefaults_PodSpec and the container defaults (pkg/apis/core/v1/defaults.go), for pods and every kind that embeds
 * a pod template, so that {@code kubectl get -o yaml} and the controllers see what they would on a real cluster.
 */
public final class PodSpecDefaults {
    private PodSpecDefaults() {
    }

    /** Defaults of a {@code spec} that carries a pod {@code template}; a Job's template keeps its restartPolicy unset. */
    public static void template(ObjectNode spec, boolean jobTemplate) {
        podSpec(obj(obj(spec, "template"), "spec"), jobTemplate);
    }

    public static void podSpec(ObjectNode spec, boolean jobTemplate) {
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
    public static String pullPolicy(String image) {
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
}

package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.schema.ResourceType;
import io.micronaut.core.annotation.Nullable;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

import static io.kubus.gateway.admission.Json.objOrNull;
import static io.kubus.gateway.admission.Json.objects;
import static io.kubus.gateway.admission.Json.text;

/** Create-time validation of each kind, after defaulting, as pkg/apis/{core,apps,batch}/validation does. */
final class Validation {
    private static final List<String> ALWAYS = List.of("Always");
    private static final List<String> JOB_RESTART = List.of("OnFailure", "Never");
    private static final List<String> SERVICE_TYPES = List.of("ClusterIP", "ExternalName", "LoadBalancer", "NodePort");
    private static final long CONFIG_MAX_BYTES = 1024 * 1024;
    private static final Pattern PERCENT = Pattern.compile("[0-9]+%");

    private Validation() {
    }

    static void validate(ResourceType type, ObjectNode o, Errors errs) {
        MetadataValidation.objectMeta(objOrNull(o, "metadata"), "metadata", nameFormat(type), type.namespaced(), errs);
        ObjectNode spec = objOrNull(o, "spec");
        switch (type.kind()) {
            case "Pod" -> PodValidation.spec(spec, "spec", PodValidation.RESTART_POLICIES, errs);
            case "ReplicationController" -> replicationController(spec, errs);
            case "ReplicaSet" -> replicatedWorkload(spec, errs);
            case "Deployment" -> deployment(spec, errs);
            case "StatefulSet" -> statefulSet(spec, errs);
            case "DaemonSet" -> daemonSet(spec, errs);
            case "Job" -> job(spec, "spec", errs);
            case "CronJob" -> cronJob(spec, errs);
            case "Service" -> service(spec, errs);
            case "ConfigMap" -> configData(objOrNull(o, "data"), objOrNull(o, "binaryData"), errs);
            case "Secret" -> configData(objOrNull(o, "data"), null, errs);
            case "Namespace" -> namespace(spec, errs);
            case "PersistentVolumeClaim" -> pvc(spec, errs);
            case "PersistentVolume" -> pv(spec, errs);
            default -> {
                // Node, Event, Endpoints: metadata only
            }
        }
    }

    /** Namespaces and services are DNS labels (services DNS-1035, they become DNS names); the rest subdomains. */
    private static Function<String, List<String>> nameFormat(ResourceType type) {
        return switch (type.kind()) {
            case "Namespace" -> Names::dns1123Label;
            case "Service" -> Names::dns1035Label;
            default -> Names::dns1123Subdomain;
        };
    }

    private static void replicationController(@Nullable ObjectNode spec, Errors errs) {
        if (spec == null) {
            errs.required("spec");
            return;
        }
        PodValidation.nonNegative(spec, "replicas", "spec", errs);
        ObjectNode selector = objOrNull(spec, "selector");
        if (selector == null || selector.isEmpty()) {
            errs.required("spec.selector");
        } else {
            MetadataValidation.labels(selector, "spec.selector", errs);
        }
        ObjectNode template = objOrNull(spec, "template");
        if (selector != null && !selector.isEmpty() && template != null) {
            ObjectNode labels = objOrNull(objOrNull(template, "metadata"), "labels");
            ObjectNode asSelector = Json.F.objectNode();
            asSelector.set("matchLabels", selector);
            if (!Selectors.matches(asSelector, labels)) {
                errs.invalid("spec.template.metadata.labels", new GoValue(Selectors.goMap(labels)), "`selector` does not match template `labels`");
            }
        }
        PodValidation.template(template, "spec.template", ALWAYS, errs);
    }

    /** The selector/template/replicas core shared by ReplicaSets, Deployments, StatefulSets and DaemonSets. */
    private static void replicatedWorkload(@Nullable ObjectNode spec, Errors errs) {
        if (spec == null) {
            errs.required("spec");
            return;
        }
        PodValidation.nonNegative(spec, "replicas", "spec", errs);
        PodValidation.nonNegative(spec, "minReadySeconds", "spec", errs);
        PodValidation.nonNegative(spec, "revisionHistoryLimit", "spec", errs);
        selectorAndTemplate(spec, "spec", errs);
        PodValidation.template(objOrNull(spec, "template"), "spec.template", ALWAYS, errs);
    }

    private static void selectorAndTemplate(ObjectNode spec, String path, Errors errs) {
        ObjectNode selector = objOrNull(spec, "selector");
        if (selector == null) {
            errs.required(path + ".selector");
            return;
        }
        Selectors.validate(selector, path + ".selector", errs);
        if (Selectors.isEmpty(selector)) {
            errs.invalid(path + ".selector", new GoValue("v1.LabelSelector" + selector), "empty selector is invalid for deployment");
            return;
        }
        ObjectNode labels = objOrNull(objOrNull(objOrNull(spec, "template"), "metadata"), "labels");
        if (objOrNull(spec, "template") != null && !Selectors.matches(selector, labels)) {
            errs.invalid(path + ".template.metadata.labels", new GoValue(Selectors.goMap(labels)),
                    "`selector` does not match template `labels`");
        }
    }

    private static void deployment(@Nullable ObjectNode spec, Errors errs) {
        replicatedWorkload(spec, errs);
        if (spec == null) {
            return;
        }
        PodValidation.nonNegative(spec, "progressDeadlineSeconds", "spec", errs);
        JsonNode deadline = spec.get("progressDeadlineSeconds");
        if (deadline != null && deadline.isIntegralNumber()
                && deadline.asLong() <= spec.path("minReadySeconds").asLong(0)) {
            // A pod is not available before minReadySeconds, so such a rollout could only ever exceed its deadline.
            errs.invalid("spec.progressDeadlineSeconds", deadline.asLong(), "must be greater than minReadySeconds");
        }
        ObjectNode strategy = objOrNull(spec, "strategy");
        String type = text(strategy, "type");
        ObjectNode rolling = objOrNull(strategy, "rollingUpdate");
        if (type.equals("Recreate")) {
            if (rolling != null) {
                errs.forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'");
            }
        } else if (type.equals("RollingUpdate")) {
            if (rolling != null) {
                JsonNode unavailable = rolling.get("maxUnavailable");
                JsonNode surge = rolling.get("maxSurge");
                intOrPercent(unavailable, "spec.strategy.rollingUpdate.maxUnavailable", errs);
                intOrPercent(surge, "spec.strategy.rollingUpdate.maxSurge", errs);
                if (isZero(unavailable) && isZero(surge)) {
                    errs.invalid("spec.strategy.rollingUpdate.maxUnavailable", show(unavailable), "may not be 0 when `maxSurge` is 0");
                }
                if (unavailable != null && unavailable.isTextual() && PERCENT.matcher(unavailable.asText()).matches()
                        && Integer.parseInt(unavailable.asText().replace("%", "")) > 100) {
                    errs.invalid("spec.strategy.rollingUpdate.maxUnavailable", unavailable.asText(), "must not be greater than 100%");
                }
            }
        } else {
            errs.notSupported("spec.strategy.type", type, List.of("Recreate", "RollingUpdate"));
        }
    }

    private static void statefulSet(@Nullable ObjectNode spec, Errors errs) {
        replicatedWorkload(spec, errs);
        if (spec == null) {
            return;
        }
        String policy = text(spec, "podManagementPolicy");
        if (!List.of("OrderedReady", "Parallel").contains(policy)) {
            errs.notSupported("spec.podManagementPolicy", policy, List.of("OrderedReady", "Parallel"));
        }
        String strategy = text(objOrNull(spec, "updateStrategy"), "type");
        if (!List.of("OnDelete", "RollingUpdate").contains(strategy)) {
            errs.notSupported("spec.updateStrategy.type", strategy, List.of("OnDelete", "RollingUpdate"));
        }
        JsonNode partition = spec.path("updateStrategy").path("rollingUpdate").get("partition");
        if (partition != null && partition.asLong() < 0) {
            errs.invalid("spec.updateStrategy.rollingUpdate.partition", partition.asLong(), "must be greater than or equal to 0");
        }
    }

    private static void daemonSet(@Nullable ObjectNode spec, Errors errs) {
        replicatedWorkload(spec, errs);
        if (spec == null) {
            return;
        }
        ObjectNode strategy = objOrNull(spec, "updateStrategy");
        String type = text(strategy, "type");
        if (!List.of("OnDelete", "RollingUpdate").contains(type)) {
            errs.notSupported("spec.updateStrategy.type", type, List.of("OnDelete", "RollingUpdate"));
        }
        ObjectNode rolling = objOrNull(strategy, "rollingUpdate");
        if (rolling != null) {
            intOrPercent(rolling.get("maxUnavailable"), "spec.updateStrategy.rollingUpdate.maxUnavailable", errs);
            intOrPercent(rolling.get("maxSurge"), "spec.updateStrategy.rollingUpdate.maxSurge", errs);
            if (isZero(rolling.get("maxUnavailable")) && isZero(rolling.get("maxSurge"))) {
                errs.invalid("spec.updateStrategy.rollingUpdate.maxUnavailable", show(rolling.get("maxUnavailable")),
                        "may not be 0 when `maxSurge` is 0");
            }
        }
    }

    private static void job(@Nullable ObjectNode spec, String path, Errors errs) {
        if (spec == null) {
            errs.required(path);
            return;
        }
        for (String f : List.of("parallelism", "completions", "backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished")) {
            PodValidation.nonNegative(spec, f, path, errs);
        }
        String mode = text(spec, "completionMode");
        if (!mode.isEmpty() && !List.of("NonIndexed", "Indexed").contains(mode)) {
            errs.notSupported(path + ".completionMode", mode, List.of("NonIndexed", "Indexed"));
        }
        if (mode.equals("Indexed") && spec.path("completions").isMissingNode()) {
            errs.required(path + ".completions", "when completion mode is Indexed");
        }
        // a Job's own spec has its selector generated on create; a CronJob's job template has none yet
        if (path.equals("spec")) {
            selectorAndTemplate(spec, path, errs);
        }
        PodValidation.template(objOrNull(spec, "template"), path + ".template", JOB_RESTART, errs);
    }

    private static void cronJob(@Nullable ObjectNode spec, Errors errs) {
        if (spec == null) {
            errs.required("spec");
            return;
        }
        String schedule = text(spec, "schedule");
        if (schedule.isEmpty()) {
            errs.required("spec.schedule");
        } else {
            String problem = Cron.check(schedule);
            if (problem != null) {
                errs.invalid("spec.schedule", schedule, problem);
            }
        }
        String policy = text(spec, "concurrencyPolicy");
        if (!List.of("Allow", "Forbid", "Replace").contains(policy)) {
            errs.notSupported("spec.concurrencyPolicy", policy, List.of("Allow", "Forbid", "Replace"));
        }
        for (String f : List.of("startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit")) {
            PodValidation.nonNegative(spec, f, "spec", errs);
        }
        ObjectNode jobTemplate = objOrNull(spec, "jobTemplate");
        if (jobTemplate == null) {
            errs.required("spec.jobTemplate");
            return;
        }
        MetadataValidation.labelsAndAnnotations(objOrNull(jobTemplate, "metadata"), "spec.jobTemplate.metadata", errs);
        job(objOrNull(jobTemplate, "spec"), "spec.jobTemplate.spec", errs);
    }

    private static void service(@Nullable ObjectNode spec, Errors errs) {
        if (spec == null) {
            errs.required("spec");
            return;
        }
        String type = text(spec, "type");
        if (!SERVICE_TYPES.contains(type)) {
            errs.notSupported("spec.type", type, SERVICE_TYPES);
        }
        List<ObjectNode> ports = objects(spec, "ports");
        boolean headless = text(spec, "clusterIP").equals("None");
        if (type.equals("ExternalName")) {
            String external = text(spec, "externalName");
            if (external.isEmpty()) {
                errs.required("spec.externalName");
            } else {
                for (String msg : Names.dns1123Subdomain(external)) {
                    errs.invalid("spec.externalName", external, msg);
                }
            }
        } else if (ports.isEmpty() && !headless) {
            errs.required("spec.ports");
        }
        String affinity = text(spec, "sessionAffinity");
        if (!affinity.isEmpty() && !List.of("ClientIP", "None").contains(affinity)) {
            errs.notSupported("spec.sessionAffinity", affinity, List.of("ClientIP", "None"));
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            ObjectNode port = ports.get(i);
            String p = "spec.ports[" + i + "]";
            String name = text(port, "name");
            if (name.isEmpty()) {
                if (ports.size() > 1) {
                    errs.required(p + ".name");
                }
            } else {
                errs.uniqueLabel(p + ".name", name, names);
            }
            long number = port.path("port").asLong(0);
            if (number < 1 || number > 65535) {
                errs.invalid(p + ".port", number, "must be between 1 and 65535, inclusive");
            }
            String protocol = text(port, "protocol");
            if (!PodValidation.PROTOCOLS.contains(protocol)) {
                errs.notSupported(p + ".protocol", protocol, PodValidation.PROTOCOLS);
            }
            JsonNode target = port.get("targetPort");
            if (target != null && target.isNumber() && (target.asLong() < 1 || target.asLong() > 65535)) {
                errs.invalid(p + ".targetPort", target.asLong(), "must be between 1 and 65535, inclusive");
            } else if (target != null && target.isTextual()) {
                for (String msg : Names.portName(target.asText())) {
                    errs.invalid(p + ".targetPort", target.asText(), msg);
                }
            }
            JsonNode nodePort = port.get("nodePort");
            if (nodePort != null && nodePort.asLong() != 0) {
                if (type.equals("ClusterIP") || type.equals("ExternalName")) {
                    errs.forbidden(p + ".nodePort", "may not be used when `type` is '" + type + "'");
                } else if (nodePort.asLong() < 1 || nodePort.asLong() > 65535) {
                    errs.invalid(p + ".nodePort", nodePort.asLong(), "must be between 1 and 65535, inclusive");
                }
            }
        }
        ObjectNode selector = objOrNull(spec, "selector");
        MetadataValidation.labels(selector, "spec.selector", errs);
    }

    /** ConfigMap and Secret keys: file names when mounted, environment names when imported. */
    private static void configData(@Nullable ObjectNode data, @Nullable ObjectNode binaryData, Errors errs) {
        long size = 0;
        for (String field : List.of("data", "binaryData")) {
            ObjectNode map = field.equals("data") ? data : binaryData;
            if (map == null) {
                continue;
            }
            for (Map.Entry<String, JsonNode> e : map.properties()) {
                for (String msg : Names.configKey(e.getKey())) {
                    errs.invalid(field + "[" + e.getKey() + "]", e.getKey(), msg);
                }
                if (map == binaryData && data != null && data.has(e.getKey())) {
                    errs.invalid(field + "[" + e.getKey() + "]", e.getKey(), "duplicate of key present in data");
                }
                size += e.getValue().asText().getBytes(StandardCharsets.UTF_8).length;
            }
        }
        if (size > CONFIG_MAX_BYTES) {
            errs.tooLong("data", CONFIG_MAX_BYTES);
        }
    }

    private static void namespace(@Nullable ObjectNode spec, Errors errs) {
        if (spec == null) {
            return;
        }
        List<JsonNode> finalizers = spec.path("finalizers").valueStream().toList();
        for (int i = 0; i < finalizers.size(); i++) {
            String f = finalizers.get(i).asText();
            for (String msg : Names.qualifiedName(f)) {
                errs.invalid("spec.finalizers[" + i + "]", f, msg);
            }
        }
    }

    private static void pvc(@Nullable ObjectNode spec, Errors errs) {
        if (spec == null) {
            errs.required("spec");
            return;
        }
        accessModes(spec, errs);
        if (spec.path("resources").path("requests").path("storage").isMissingNode()) {
            errs.required("spec.resources.requests[storage]");
        }
    }

    private static void pv(@Nullable ObjectNode spec, Errors errs) {
        if (spec == null) {
            errs.required("spec");
            return;
        }
        accessModes(spec, errs);
        if (spec.path("capacity").path("storage").isMissingNode()) {
            errs.required("spec.capacity");
        }
        String policy = text(spec, "persistentVolumeReclaimPolicy");
        if (!List.of("Delete", "Recycle", "Retain").contains(policy)) {
            errs.notSupported("spec.persistentVolumeReclaimPolicy", policy, List.of("Delete", "Recycle", "Retain"));
        }
    }

    private static void accessModes(ObjectNode spec, Errors errs) {
        List<String> supported = List.of("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod");
        List<JsonNode> modes = spec.path("accessModes").valueStream().toList();
        if (modes.isEmpty()) {
            errs.required("spec.accessModes");
        }
        for (int i = 0; i < modes.size(); i++) {
            if (!supported.contains(modes.get(i).asText())) {
                errs.notSupported("spec.accessModes[" + i + "]", modes.get(i).asText(), supported);
            }
        }
    }

    private static void intOrPercent(@Nullable JsonNode v, String path, Errors errs) {
        if (v == null || v.isNull()) {
            return;
        }
        if (v.isNumber() && v.asLong() < 0) {
            errs.invalid(path, v.asLong(), "must be greater than or equal to 0");
        } else if (v.isTextual() && !PERCENT.matcher(v.asText()).matches()) {
            errs.invalid(path, v.asText(), "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')");
        }
    }

    private static boolean isZero(@Nullable JsonNode v) {
        return v == null || v.isNull() || v.isNumber() && v.asLong() == 0 || v.isTextual() && v.asText().equals("0%");
    }

    private static Object show(@Nullable JsonNode v) {
        return v == null || v.isNull() ? 0 : v.isTextual() ? v.asText() : v.asLong();
    }

    /** A value already printed the Go way, shown unquoted. */
    record GoValue(String text) {
        @Override
        public String toString() {
            return text;
        }
    }
}

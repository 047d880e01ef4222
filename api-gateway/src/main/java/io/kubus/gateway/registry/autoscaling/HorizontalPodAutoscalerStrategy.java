package io.kubus.gateway.registry.autoscaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.auth.UserInfo;
import io.kubus.gateway.patch.PatchSchema;
import io.kubus.gateway.patch.PatchSchemas;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.ErrorList;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;

import java.util.List;

import static io.kubus.gateway.table.Cells.name;

/**
 * autoscaling/v2 HorizontalPodAutoscalers, the storage version of the kind (pkg/registry/autoscaling/
 * horizontalpodautoscaler and the autoscaling/v2 defaults of Kubernetes 1.32); autoscaling/v1 is converted from and
 * to it ({@link HorizontalPodAutoscalerV1Conversion}). The HPA controller that would act on them is not built: they
 * are stored and served.
 */
@Singleton
public class HorizontalPodAutoscalerStrategy implements Strategy {
    /**
     * The annotations autoscaling/v1 carries what it has no fields for in (pkg/apis/autoscaling/annotations.go). The
     * versions that have the fields drop them on the way in (DropRoundTripHorizontalPodAutoscalerAnnotations).
     */
    static final String METRIC_SPECS = "autoscaling.alpha.kubernetes.io/metrics";
    static final String METRIC_STATUSES = "autoscaling.alpha.kubernetes.io/current-metrics";
    static final String BEHAVIOR_SPECS = "autoscaling.alpha.kubernetes.io/behavior";
    static final String CONDITIONS = "autoscaling.alpha.kubernetes.io/conditions";
    static final List<String> ROUND_TRIP_ANNOTATIONS = List.of(METRIC_SPECS, BEHAVIOR_SPECS, METRIC_STATUSES, CONDITIONS);
    /** autoscaling.DefaultCPUUtilization: the target of the metric an HPA gets when it names none. */
    static final int DEFAULT_CPU_UTILIZATION = 80;

    /** status.conditions is a map keyed by type (patchStrategy merge); the spec's lists are atomic. */
    private static final PatchSchema SCHEMA = PatchSchemas.object(PatchSchema.EMPTY, PatchSchemas.CONDITIONS_STATUS);
    private static final TablePrinter PRINTER = new KindPrinter(KindPrinter.columns(
            "Reference", "string", "scaleTargetRef points to the target resource to scale, and is used to the pods for "
                    + "which metrics should be collected, as well as to actually change the replica count.",
            "Targets", "string", "metrics contains the specifications for which to use to calculate the desired replica "
                    + "count (the maximum replica count across all metrics will be used).  The desired replica count is "
                    + "calculated multiplying the ratio between the target value and the current value by the current "
                    + "number of pods.  Ergo, metrics used must decrease as the pod count is increased, and vice-versa.  "
                    + "See the individual metric source types for more information about how each type of metric must "
                    + "respond. If not set, the default metric will be set to 80% average CPU utilization.",
            "MinPods", "string", "minReplicas is the lower limit for the number of replicas to which the autoscaler can "
                    + "scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate "
                    + "HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is "
                    + "active as long as at least one metric value is available.",
            "MaxPods", "string", "maxReplicas is the upper limit for the number of replicas to which the autoscaler can "
                    + "scale up. It cannot be less that minReplicas.",
            "Replicas", "string", "currentReplicas is current number of replicas of pods managed by this autoscaler, as "
                    + "last seen by the autoscaler.",
            "Age", "string", TablePrinters.AGE),
            (o, now) -> {
                JsonNode spec = o.path("spec");
                JsonNode ref = spec.path("scaleTargetRef");
                return List.of(name(o), ref.path("kind").asText("") + "/" + ref.path("name").asText(""),
                        HorizontalPodAutoscalerMetrics.format(spec.path("metrics"), o.path("status").path("currentMetrics")),
                        spec.hasNonNull("minReplicas") ? spec.get("minReplicas").asText() : "<unset>",
                        spec.path("maxReplicas").asLong(0), o.path("status").path("currentReplicas").asLong(0),
                        TablePrinters.age(o, now));
            });

    @Override
    public ResourceType type() {
        return ResourceTypes.HORIZONTALPODAUTOSCALERS;
    }

    /**
     * SetDefaults_HorizontalPodAutoscaler of autoscaling/v2: one replica at least, an 80% CPU utilization target when
     * no metric is named, and a behavior, when there is one, filled in with the default scaling rules. The round-trip
     * annotations go, as the conversion from autoscaling/v2 drops them: the fields hold what they would carry.
     */
    @Override
    public void defaults(ObjectNode hpa) {
        ObjectNode annotations = JsonTree.objOrNull(hpa.path("metadata"), "annotations");
        if (annotations != null) {
            annotations.remove(ROUND_TRIP_ANNOTATIONS);
            if (annotations.isEmpty()) {
                ((ObjectNode) hpa.get("metadata")).remove("annotations");
            }
        }
        ObjectNode spec = JsonTree.obj(hpa, "spec");
        JsonTree.def(spec, "minReplicas", 1);
        if (JsonTree.isEmpty(spec.get("metrics"))) {
            spec.putArray("metrics").add(cpuUtilization(DEFAULT_CPU_UTILIZATION));
        }
        ObjectNode behavior = JsonTree.objOrNull(spec, "behavior");
        if (behavior != null) {
            behavior.set("scaleUp", scalingRules(behavior.get("scaleUp"), 0, List.of(policy("Pods", 4), policy("Percent", 100))));
            behavior.set("scaleDown", scalingRules(behavior.get("scaleDown"), null, List.of(policy("Percent", 100))));
        }
    }

    /** The Resource metric of a CPU utilization target, as the defaults and the v1 conversion write it. */
    static ObjectNode cpuUtilization(int percent) {
        ObjectNode metric = JsonTree.F.objectNode();
        metric.put("type", "Resource");
        ObjectNode resource = metric.putObject("resource");
        resource.put("name", "cpu");
        ObjectNode target = resource.putObject("target");
        target.put("type", "Utilization");
        target.put("averageUtilization", percent);
        return metric;
    }

    /**
     * GenerateHPAScaleUpRules / GenerateHPAScaleDownRules: the default rules, with what {@code given} sets in place
     * of each default (copyHPAScalingRules). Scale-down has no default window: the controller's flag decides it.
     */
    private static ObjectNode scalingRules(@Nullable JsonNode given, @Nullable Integer window, List<ObjectNode> policies) {
        ObjectNode rules = JsonTree.F.objectNode();
        if (window != null) {
            rules.put("stabilizationWindowSeconds", window);
        }
        rules.put("selectPolicy", "Max");
        ArrayNode list = rules.putArray("policies");
        policies.forEach(list::add);
        if (given instanceof ObjectNode from) {
            for (String field : List.of("stabilizationWindowSeconds", "selectPolicy", "policies")) {
                if (from.hasNonNull(field)) {
                    rules.set(field, from.get(field));
                }
            }
        }
        return rules;
    }

    private static ObjectNode policy(String type, int value) {
        ObjectNode p = JsonTree.F.objectNode();
        p.put("type", type);
        p.put("value", value);
        p.put("periodSeconds", 15);
        return p;
    }

    /** The Go zero autoscaling/v2 HorizontalPodAutoscalerStatus: desiredReplicas alone has no omitempty. */
    @Override
    public ObjectNode emptyStatus() {
        ObjectNode status = JsonTree.F.objectNode();
        status.put("desiredReplicas", 0);
        return status;
    }

    @Override
    public void prepareForCreate(ObjectNode hpa, UserInfo creator) {
        Strategy.super.prepareForCreate(hpa, creator);
        dropTolerance(hpa, null);
    }

    @Override
    public void prepareForUpdate(ObjectNode hpa, ObjectNode old) {
        Strategy.super.prepareForUpdate(hpa, old);
        dropTolerance(hpa, old);
    }

    /**
     * The scaling rules' tolerance is a field of Kubernetes 1.33 (the fabric8 model knows it), behind the
     * HPAConfigurableTolerance gate: dropped as 1.33 drops it with the gate off, unless the stored object uses it.
     */
    private static void dropTolerance(ObjectNode hpa, @Nullable ObjectNode old) {
        if (old != null && (old.at("/spec/behavior/scaleUp/tolerance").isValueNode()
                || old.at("/spec/behavior/scaleDown/tolerance").isValueNode())) {
            return;
        }
        for (String direction : List.of("scaleUp", "scaleDown")) {
            if (hpa.at("/spec/behavior/" + direction) instanceof ObjectNode rules) {
                rules.remove("tolerance");
            }
        }
    }

    /**
     * ValidateHorizontalPodAutoscaler: the spec (its metadata is validated generically), with minReplicas at least 1,
     * since the alpha HPAScaleToZero gate is off.
     */
    @Override
    public void validateCreate(ObjectNode hpa, ErrorList errs) {
        HorizontalPodAutoscalerValidation.spec(hpa.path("spec"), 1, errs);
    }

    /**
     * ValidateHorizontalPodAutoscalerUpdate, with minReplicas 0 kept valid for an object that has it already, and
     * ValidateHorizontalPodAutoscalerStatusUpdate's counts (a status write changes nothing else).
     */
    @Override
    public void validateUpdate(ObjectNode hpa, ObjectNode old, ErrorList errs) {
        boolean hadZero = old.path("spec").path("minReplicas").isNumber() && old.path("spec").path("minReplicas").asLong() == 0;
        HorizontalPodAutoscalerValidation.spec(hpa.path("spec"), hadZero ? 0 : 1, errs);
        errs.nonNegative("status.currentReplicas", hpa.path("status").path("currentReplicas").asLong(0));
        errs.nonNegative("status.desiredReplicas", hpa.path("status").path("desiredReplicas").asLong(0));
    }

    @Override
    public TablePrinter printer() {
        return PRINTER;
    }

    @Override
    public PatchSchema patchSchema() {
        return SCHEMA;
    }
}

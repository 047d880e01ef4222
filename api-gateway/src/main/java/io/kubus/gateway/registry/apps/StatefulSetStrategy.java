package io.kubus.gateway.registry.apps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.patch.PatchSchema;
import io.kubus.gateway.patch.PatchSchemas;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.ObjectMetaValidation;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.registry.core.PersistentVolumeClaimStrategy;
import io.kubus.gateway.registry.core.pod.PodSpecDefaults;
import io.kubus.gateway.registry.core.pod.PodSpecValidation;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.Names;
import jakarta.inject.Singleton;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.kubus.gateway.registry.JsonTree.def;
import static io.kubus.gateway.registry.JsonTree.obj;
import static io.kubus.gateway.registry.JsonTree.objects;
import static io.kubus.gateway.registry.JsonTree.objOrNull;
import static io.kubus.gateway.registry.JsonTree.text;
import static io.kubus.gateway.table.Cells.containerImages;
import static io.kubus.gateway.table.Cells.containerNames;
import static io.kubus.gateway.table.Cells.name;
import static io.kubus.gateway.table.Cells.number;

/** StatefulSets (pkg/registry/apps/statefulset). */
@Singleton
public class StatefulSetStrategy implements Strategy {
    private static final List<String> RETENTION_POLICIES = List.of("Retain", "Delete");
    private static final Set<String> MUTABLE = Set.of("replicas", "ordinals", "template", "updateStrategy",
            "persistentVolumeClaimRetentionPolicy", "minReadySeconds");
    private static final TablePrinter PRINTER = new KindPrinter(WorkloadColumns.columns(new String[]{
            "Ready", "string", "Number of the pod with ready state",
            "Age", "string", TablePrinters.AGE}, WorkloadColumns.WIDE_CONTAINERS),
            (o, now) -> {
                JsonNode template = o.path("spec").path("template").path("spec");
                return List.of(name(o), number(o, "/status/readyReplicas") + "/" + number(o, "/spec/replicas"),
                        TablePrinters.age(o, now), containerNames(template), containerImages(template));
            });

    @Override
    public ResourceType type() {
        return ResourceTypes.STATEFULSETS;
    }

    @Override
    public void defaults(ObjectNode sts) {
        ObjectNode spec = obj(sts, "spec");
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
        PodSpecDefaults.template(spec, false);
    }

    @Override
    public ObjectNode emptyStatus() {
        return Strategy.super.emptyStatus().put("availableReplicas", 0).put("replicas", 0);
    }

    /**
     * ValidateStatefulSetSpec. The template's pod spec is not validated as a pod's, as kube-apiserver does not: its
     * containers may mount the volumeClaimTemplates, which become volumes only in the pods the controller makes.
     */
    @Override
    public void validate(ObjectNode sts, ErrorList errs) {
        ObjectNode spec = objOrNull(sts, "spec");
        if (spec == null) {
            errs.required("spec");
            return;
        }
        PodSpecValidation.nonNegative(spec, "replicas", "spec", errs);
        PodSpecValidation.nonNegative(spec, "minReadySeconds", "spec", errs);
        PodSpecValidation.nonNegative(spec, "revisionHistoryLimit", "spec", errs);
        WorkloadValidation.selectorAndTemplate(spec, "spec", "statefulset", errs);
        ObjectNode template = objOrNull(spec, "template");
        if (template == null) {
            errs.required("spec.template");
        } else {
            ObjectMetaValidation.labelsAndAnnotations(objOrNull(template, "metadata"), "spec.template.metadata", errs);
            String restart = template.path("spec").path("restartPolicy").asText("");
            if (!restart.equals("Always")) {
                errs.notSupported("spec.template.spec.restartPolicy", restart, WorkloadValidation.ALWAYS);
            }
            JsonNode deadline = template.path("spec").get("activeDeadlineSeconds");
            if (deadline != null && !deadline.isNull()) {
                errs.invalid("spec.template.spec.activeDeadlineSeconds", deadline.asLong(), "must not be specified");
            }
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
        if (strategy.equals("RollingUpdate")) {
            WorkloadValidation.positiveIntOrPercent(spec.path("updateStrategy").path("rollingUpdate").get("maxUnavailable"),
                    "spec.updateStrategy.rollingUpdate.maxUnavailable", errs);
        }
        ObjectNode ordinals = objOrNull(spec, "ordinals");
        if (ordinals != null) {
            PodSpecValidation.nonNegative(ordinals, "start", "spec.ordinals", errs);
        }
        ObjectNode retention = objOrNull(spec, "persistentVolumeClaimRetentionPolicy");
        for (String when : List.of("whenDeleted", "whenScaled")) {
            String kept = text(retention, when);
            if (!RETENTION_POLICIES.contains(kept)) {
                errs.notSupported("spec.persistentVolumeClaimRetentionPolicy." + when, kept, RETENTION_POLICIES);
            }
        }
    }

    /**
     * The rules ValidateStatefulSetSpec skips on update: both fields are immutable, so checking them at create is
     * enough, and a set stored before they were checked stays writable (status, scale, finalizers). The claim
     * templates are checked as claims and their names as the pod volumes they become, since the controller would
     * otherwise have its claims and pods refused one ordinal at a time.
     */
    @Override
    public void validateCreate(ObjectNode sts, ErrorList errs) {
        ObjectNode spec = objOrNull(sts, "spec");
        if (spec == null) {
            return;
        }
        String service = text(spec, "serviceName");
        if (!service.isEmpty()) {
            errs.invalidEach("spec.serviceName", service, Names.dns1123Label(service));
        }
        List<ObjectNode> templates = objects(spec, "volumeClaimTemplates");
        Set<String> names = new HashSet<>();
        for (int i = 0; i < templates.size(); i++) {
            String path = "spec.volumeClaimTemplates[" + i + "]";
            String name = text(objOrNull(templates.get(i), "metadata"), "name");
            if (name.isEmpty()) {
                errs.required(path + ".metadata.name");
            } else {
                errs.uniqueLabel(path + ".metadata.name", name, names);
            }
            ObjectNode claimSpec = objOrNull(templates.get(i), "spec");
            PersistentVolumeClaimStrategy.validateSpec(claimSpec == null ? JsonTree.F.objectNode() : claimSpec,
                    path + ".spec", errs);
        }
    }

    @Override
    public void validateUpdate(ObjectNode sts, ObjectNode old, ErrorList errs) {
        ObjectNode a = sts.path("spec").deepCopy();
        ObjectNode b = old.path("spec").deepCopy();
        a.remove(MUTABLE);
        b.remove(MUTABLE);
        if (!KubusJson.equivalent(a, b)) {
            errs.forbidden("spec", "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
                    + "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden");
        }
    }

    @Override
    public TablePrinter printer() {
        return PRINTER;
    }

    @Override
    public PatchSchema patchSchema() {
        return PatchSchemas.TEMPLATED;
    }
}

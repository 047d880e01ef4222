package io.kubus.gateway.registry.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.Names;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static io.kubus.gateway.registry.JsonTree.absent;
import static io.kubus.gateway.registry.JsonTree.objOrNull;
import static io.kubus.gateway.registry.JsonTree.objects;
import static io.kubus.gateway.table.Cells.name;
import static io.kubus.gateway.table.Cells.text;

/**
 * StorageClasses (pkg/registry/storage/storageclass, ValidateStorageClass): how volumes of a class are provisioned.
 * Everything but the metadata and allowVolumeExpansion is fixed once the class exists.
 */
@Singleton
public class StorageClassStrategy implements Strategy {
    public static final String DEFAULT_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
    private static final String BETA_DEFAULT_ANNOTATION = "storageclass.beta.kubernetes.io/is-default-class";
    private static final List<String> RECLAIM_POLICIES = List.of("Delete", "Retain");
    private static final List<String> BINDING_MODES = List.of("Immediate", "WaitForFirstConsumer");
    private static final int MAX_PARAMETERS = 512;
    private static final int MAX_PARAMETERS_BYTES = 256 * 1024;
    private static final TablePrinter PRINTER = new KindPrinter(KindPrinter.columns(
            "Provisioner", "string", "provisioner indicates the type of the provisioner.",
            "ReclaimPolicy", "string", "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes "
                    + "of this storage class. Defaults to Delete.",
            "VolumeBindingMode", "string", "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and "
                    + "bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable "
                    + "the VolumeScheduling feature.",
            "AllowVolumeExpansion", "string", "allowVolumeExpansion shows whether the storage class allow volume expand.",
            "Age", "string", TablePrinters.AGE),
            (o, now) -> List.of(isDefault(o) ? name(o) + " (default)" : name(o), text(o, "/provisioner"),
                    JsonTree.text(o, "reclaimPolicy").isEmpty() ? "Delete" : JsonTree.text(o, "reclaimPolicy"),
                    JsonTree.text(o, "volumeBindingMode").isEmpty() ? "Immediate" : JsonTree.text(o, "volumeBindingMode"),
                    o.path("allowVolumeExpansion").asBoolean(false), TablePrinters.age(o, now)));

    @Override
    public ResourceType type() {
        return ResourceTypes.STORAGECLASSES;
    }

    @Override
    public void defaults(ObjectNode storageClass) {
        if (absent(storageClass, "reclaimPolicy")) {
            storageClass.put("reclaimPolicy", "Delete");
        }
        if (absent(storageClass, "volumeBindingMode")) {
            storageClass.put("volumeBindingMode", "Immediate");
        }
    }

    @Override
    public void validate(ObjectNode storageClass, ErrorList errs) {
        String provisioner = JsonTree.text(storageClass, "provisioner");
        if (provisioner.isEmpty()) {
            errs.required("provisioner");
        } else {
            String lower = provisioner.toLowerCase(Locale.ROOT);
            errs.invalidEach("provisioner", lower, Names.qualifiedName(lower));
        }
        parameters(objOrNull(storageClass, "parameters"), errs);
        String reclaimPolicy = JsonTree.text(storageClass, "reclaimPolicy");
        if (!reclaimPolicy.isEmpty() && !RECLAIM_POLICIES.contains(reclaimPolicy)) {
            errs.notSupported("reclaimPolicy", reclaimPolicy, RECLAIM_POLICIES);
        }
        String bindingMode = JsonTree.text(storageClass, "volumeBindingMode");
        if (!BINDING_MODES.contains(bindingMode)) {
            errs.notSupported("volumeBindingMode", bindingMode, BINDING_MODES);
        }
        allowedTopologies(objects(storageClass, "allowedTopologies"), errs);
    }

    /** Volumes already provisioned from the class were made by its provisioner with its parameters and policies. */
    @Override
    public void validateUpdate(ObjectNode storageClass, ObjectNode old, ErrorList errs) {
        if (!KubusJson.equivalent(parametersOf(storageClass), parametersOf(old))) {
            errs.forbidden("parameters", "updates to parameters are forbidden.");
        }
        for (String field : List.of("provisioner", "reclaimPolicy")) {
            if (!JsonTree.text(storageClass, field).equals(JsonTree.text(old, field))) {
                errs.forbidden(field, "updates to " + field + " are forbidden.");
            }
        }
        String bindingMode = JsonTree.text(storageClass, "volumeBindingMode");
        if (!bindingMode.equals(JsonTree.text(old, "volumeBindingMode"))) {
            errs.invalid("volumeBindingMode", bindingMode, "field is immutable");
        }
    }

    @Override
    public TablePrinter printer() {
        return PRINTER;
    }

    /** An empty parameter map is no map, as Go's reflect.DeepEqual sees a nil and an empty one after decoding. */
    private static JsonNode parametersOf(ObjectNode storageClass) {
        ObjectNode parameters = objOrNull(storageClass, "parameters");
        return parameters == null || parameters.isEmpty() ? JsonTree.F.objectNode() : parameters;
    }

    /** validateParameters: at most 512 keys, none empty, 256 KiB of keys and values. */
    private static void parameters(ObjectNode parameters, ErrorList errs) {
        if (parameters == null) {
            return;
        }
        if (parameters.size() > MAX_PARAMETERS) {
            errs.tooLong("parameters", MAX_PARAMETERS);
            return;
        }
        long total = 0;
        for (Map.Entry<String, JsonNode> e : parameters.properties()) {
            if (e.getKey().isEmpty()) {
                errs.invalid("parameters", e.getKey(), "field can not be empty.");
            }
            total += e.getKey().getBytes(StandardCharsets.UTF_8).length
                    + e.getValue().asText().getBytes(StandardCharsets.UTF_8).length;
        }
        if (total > MAX_PARAMETERS_BYTES) {
            errs.tooLong("parameters", MAX_PARAMETERS_BYTES);
        }
    }

    /**
     * validateAllowedTopologies: each term's requirements (ValidateTopologySelectorTerm), and no term twice. Kubernetes
     * starts its list of seen terms with one empty term per term, so a term without requirements is a duplicate.
     */
    private static void allowedTopologies(List<ObjectNode> terms, ErrorList errs) {
        List<Map<String, Set<String>>> seen = new ArrayList<>(Collections.nCopies(terms.size(), Map.of()));
        for (int i = 0; i < terms.size(); i++) {
            String path = "allowedTopologies[" + i + "]";
            Map<String, Set<String>> expressions = new HashMap<>();
            List<ObjectNode> requirements = objects(terms.get(i), "matchLabelExpressions");
            for (int r = 0; r < requirements.size(); r++) {
                String requirementPath = path + ".matchLabelExpressions[" + r + "]";
                ObjectNode requirement = requirements.get(r);
                Set<String> values = new HashSet<>();
                JsonNode valueList = requirement.path("values");
                if (valueList.isEmpty()) {
                    errs.required(requirementPath + ".values");
                }
                for (int v = 0; v < valueList.size(); v++) {
                    if (!values.add(valueList.get(v).asText())) {
                        errs.duplicate(requirementPath + ".values[" + v + "]", valueList.get(v).asText());
                    }
                }
                String key = JsonTree.text(requirement, "key");
                errs.invalidEach(requirementPath + ".key", key, Names.qualifiedName(key));
                if (expressions.containsKey(key)) {
                    errs.duplicate(requirementPath + ".key", key);
                }
                expressions.put(key, values);
            }
            if (seen.contains(expressions)) {
                errs.duplicate(path + ".matchLabelExpressions", "");
            }
            seen.add(expressions);
        }
    }

    /** storageutil.IsDefaultAnnotation: the class claims to be the default, by the GA or the beta annotation. */
    public static boolean isDefault(JsonNode storageClass) {
        JsonNode annotations = storageClass.path("metadata").path("annotations");
        return "true".equals(annotations.path(DEFAULT_ANNOTATION).asText(""))
                || "true".equals(annotations.path(BETA_DEFAULT_ANNOTATION).asText(""));
    }

    @Override
    public boolean returnDeletedObject() {
        return true;
    }
}

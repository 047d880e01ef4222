package io.kubus.gateway.apiextensions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.apiextensions.schema.StructuralChecks;
import io.kubus.gateway.apiextensions.schema.StructuralSchema;
import io.kubus.schema.validation.ErrorList;

/** ValidateCustomResourceDefinition, the first rules (the whole set is being written beside). */
public final class CustomResourceDefinitionValidation {
    private CustomResourceDefinitionValidation() {
    }

    public static void validate(ObjectNode crd, ErrorList errs) {
        JsonNode spec = crd.path("spec");
        String expected = spec.path("names").path("plural").asText() + "." + spec.path("group").asText();
        if (!crd.path("metadata").path("name").asText().equals(expected)) {
            errs.invalid("metadata.name", crd.path("metadata").path("name").asText(),
                    "must be spec.names.plural+\".\"+spec.group");
        }
        int storage = 0;
        int i = 0;
        for (JsonNode v : spec.path("versions")) {
            if (v.path("storage").asBoolean(false)) {
                storage++;
            }
            String path = "spec.versions[" + i++ + "].schema.openAPIV3Schema";
            JsonNode schema = v.path("schema").path("openAPIV3Schema");
            if (schema.isMissingNode() || schema.isNull()) {
                errs.required(path, "schemas are required");
            } else {
                errs.addAll(StructuralChecks.check(StructuralSchema.parse(schema), path));
            }
        }
        if (storage != 1) {
            errs.invalid("spec.versions", spec.path("versions"), "must have exactly one version marked as storage version");
        }
    }

    public static void validateUpdate(ObjectNode crd, ObjectNode old, ErrorList errs) {
    }

    public static void validateStatus(ObjectNode crd, ErrorList errs) {
    }
}

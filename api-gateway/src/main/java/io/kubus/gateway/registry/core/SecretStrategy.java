package io.kubus.gateway.registry.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.admission.AdmissionException;
import io.kubus.gateway.registry.Base64Check;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.ErrorList;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.kubus.gateway.registry.JsonTree.def;
import static io.kubus.gateway.registry.JsonTree.obj;
import static io.kubus.gateway.registry.JsonTree.objOrNull;
import static io.kubus.gateway.table.Cells.name;
import static io.kubus.gateway.table.Cells.text;

/** Secrets (pkg/registry/core/secret). Their values never travel in change events (see the kind's eventOmits). */
@Singleton
public class SecretStrategy implements Strategy {
    private static final TablePrinter PRINTER = new KindPrinter(KindPrinter.columns("Type", "string",
            "The type of the secret", "Data", "string", "The number of entries in the secret", "Age", "string",
            TablePrinters.AGE),
            (o, now) -> List.of(name(o), text(o, "/type"), (long) o.path("data").size(), TablePrinters.age(o, now)));

    @Override
    public ResourceType type() {
        return ResourceTypes.SECRETS;
    }

    /** Secret values are []byte in Kubernetes, so bad base64 is a decoding error (400), not a validation one. */
    @Override
    public void checkDecoding(ObjectNode secret) {
        JsonNode data = secret.get("data");
        if (data == null) {
            return;
        }
        for (Map.Entry<String, JsonNode> e : data.properties()) {
            int bad = Base64Check.firstIllegal(e.getValue().asText());
            if (bad >= 0) {
                throw AdmissionException.badRequest("Secret in version \"v1\" cannot be handled as a Secret: "
                        + "illegal base64 data at input byte " + bad);
            }
        }
    }

    /** The type defaults; stringData, which is write-only, is folded into data as the apiserver's conversion does. */
    @Override
    public void defaults(ObjectNode secret) {
        def(secret, "type", "Opaque");
        ObjectNode stringData = objOrNull(secret, "stringData");
        if (stringData != null) {
            ObjectNode folded = obj(secret, "data");
            for (Map.Entry<String, JsonNode> e : stringData.properties()) {
                folded.put(e.getKey(), Base64.getEncoder().encodeToString(e.getValue().asText().getBytes(StandardCharsets.UTF_8)));
            }
            secret.remove("stringData");
        }
    }

    @Override
    public void validate(ObjectNode secret, ErrorList errs) {
        ConfigData.validate(objOrNull(secret, "data"), null, errs);
    }

    @Override
    public void validateUpdate(ObjectNode secret, ObjectNode old, ErrorList errs) {
        if (!KubusJson.equivalent(old.path("type"), secret.path("type"))) {
            errs.invalid("type", secret.path("type").asText(), "field is immutable");
        }
        ConfigData.validateImmutable(secret, old, errs);
    }

    @Override
    public TablePrinter printer() {
        return PRINTER;
    }

    @Override
    public Set<String> selectableFields() {
        return Set.of("type");
    }
}

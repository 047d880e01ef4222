package io.kubus.gateway.registry.apps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.ErrorList.GoValue;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Locale;

import static io.kubus.gateway.table.Cells.name;

/**
 * ControllerRevisions (pkg/registry/apps/controllerrevision, ValidateControllerRevision): an immutable snapshot of a
 * StatefulSet's or DaemonSet's template, numbered by revision.
 */
@Singleton
public class ControllerRevisionStrategy implements Strategy {
    private static final TablePrinter PRINTER = new KindPrinter(KindPrinter.columns(
            "Controller", "string", "Controller of the object",
            "Revision", "string", "revision indicates the revision of the state represented by Data.",
            "Age", "string", TablePrinters.AGE),
            (o, now) -> List.of(name(o), controller(o), o.path("revision").asLong(0), TablePrinters.age(o, now)));

    @Override
    public ResourceType type() {
        return ResourceTypes.CONTROLLERREVISIONS;
    }

    @Override
    public void validate(ObjectNode revision, ErrorList errs) {
        JsonNode data = revision.get("data");
        if (data == null || data.isNull()) {
            errs.required("data", "data is mandatory");
        }
        errs.nonNegative("revision", revision.path("revision").asLong(0));
    }

    /**
     * The snapshot may not change (the revision number may: Kubernetes checks only the data, though its comment says
     * both, and the StatefulSet controller renumbers a revision it reuses).
     */
    @Override
    public void validateUpdate(ObjectNode revision, ObjectNode old, ErrorList errs) {
        JsonNode data = revision.get("data");
        if (!KubusJson.equivalent(data, old.get("data"))) {
            errs.invalid("data", new GoValue("runtime.RawExtension" + data), "field is immutable");
        }
    }

    @Override
    public TablePrinter printer() {
        return PRINTER;
    }

    /** The controller owner reference as kind.group/name, {@code <none>} without one. */
    private static String controller(JsonNode revision) {
        for (JsonNode owner : revision.path("metadata").path("ownerReferences")) {
            if (owner.path("controller").asBoolean(false)) {
                String apiVersion = owner.path("apiVersion").asText("");
                int slash = apiVersion.indexOf('/');
                String group = slash < 0 ? "" : apiVersion.substring(0, slash);
                String kind = owner.path("kind").asText("");
                String groupKind = group.isEmpty() ? kind : kind + "." + group;
                return groupKind.isEmpty() ? owner.path("name").asText("")
                        : groupKind.toLowerCase(Locale.ROOT) + "/" + owner.path("name").asText("");
            }
        }
        return "<none>";
    }
}

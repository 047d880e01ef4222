package io.kubus.gateway.registry.networking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.Names;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.kubus.gateway.registry.JsonTree.absent;
import static io.kubus.gateway.registry.JsonTree.objOrNull;
import static io.kubus.gateway.table.Cells.name;
import static io.kubus.gateway.table.Cells.text;

/** IngressClasses (pkg/registry/networking/ingressclass): which controller implements a class of Ingresses. */
@Singleton
public class IngressClassStrategy implements Strategy {
    private static final int MAX_CONTROLLER_LENGTH = 250;
    private static final List<String> SCOPES = List.of("Cluster", "Namespace");
    private static final TablePrinter PRINTER = new KindPrinter(KindPrinter.columns(
            "Controller", "string", "Controller that is responsible for handling this class",
            "Parameters", "string", "A reference to a resource with additional parameters",
            "Age", "string", TablePrinters.AGE),
            (o, now) -> List.of(name(o), text(o, "/spec/controller"), parameters(o.path("spec").path("parameters")),
                    TablePrinters.age(o, now)));

    @Override
    public ResourceType type() {
        return ResourceTypes.INGRESSCLASSES;
    }

    /** A parameters reference without a scope names a cluster-scoped resource. */
    @Override
    public void defaults(ObjectNode ingressClass) {
        ObjectNode parameters = objOrNull(objOrNull(ingressClass, "spec"), "parameters");
        if (parameters != null && absent(parameters, "scope")) {
            parameters.put("scope", "Cluster"); // only a missing scope: an empty one is the user's, and invalid
        }
    }

    @Override
    public void validate(ObjectNode ingressClass, ErrorList errs) {
        ObjectNode spec = objOrNull(ingressClass, "spec");
        String controller = JsonTree.text(spec, "controller");
        if (controller.getBytes(StandardCharsets.UTF_8).length > MAX_CONTROLLER_LENGTH) {
            errs.tooLong("spec.controller", MAX_CONTROLLER_LENGTH);
        }
        errs.addAll(Names.domainPrefixedPath("spec.controller", controller));
        ObjectNode parameters = objOrNull(spec, "parameters");
        if (parameters != null) {
            parameters(parameters, "spec.parameters", errs);
        }
    }

    /** Ingresses of the class rely on its controller: it may not change. */
    @Override
    public void validateUpdate(ObjectNode ingressClass, ObjectNode old, ErrorList errs) {
        String controller = ingressClass.path("spec").path("controller").asText("");
        if (!controller.equals(old.path("spec").path("controller").asText(""))) {
            errs.invalid("spec.controller", controller, "field is immutable");
        }
    }

    @Override
    public TablePrinter printer() {
        return PRINTER;
    }

    /** validateIngressClassParametersReference: a typed reference whose scope says whether it has a namespace. */
    private static void parameters(ObjectNode parameters, String path, ErrorList errs) {
        IngressStrategy.typedReference(parameters, path, errs);
        String scope = JsonTree.text(parameters, "scope");
        JsonNode namespace = parameters.get("namespace");
        boolean hasNamespace = namespace != null && !namespace.isNull();
        if (!SCOPES.contains(scope)) {
            errs.notSupported(path + ".scope", scope, SCOPES);
        } else if (scope.equals("Namespace")) {
            if (!hasNamespace) {
                errs.required(path + ".namespace", "`parameters.scope` is set to 'Namespace'");
            } else {
                errs.invalidEach(path + ".namespace", namespace.asText(), Names.dns1123Label(namespace.asText()));
            }
        } else if (hasNamespace) {
            errs.forbidden(path + ".namespace", "`parameters.scope` is set to 'Cluster'");
        }
    }

    /** The Parameters cell: Kind[.apiGroup]/name, {@code <none>} without parameters. */
    private static String parameters(JsonNode parameters) {
        if (!parameters.isObject()) {
            return "<none>";
        }
        String kind = parameters.path("kind").asText("");
        JsonNode apiGroup = parameters.get("apiGroup");
        if (apiGroup != null && !apiGroup.isNull()) {
            kind = kind + "." + apiGroup.asText();
        }
        return kind + "/" + parameters.path("name").asText("");
    }
}

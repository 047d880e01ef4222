package io.kubus.gateway.registry.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.api.ApiException;
import io.kubus.gateway.api.ApiRequest;
import io.kubus.gateway.api.ApiResponse;
import io.kubus.gateway.api.GenericRegistry;
import io.kubus.gateway.api.RequestBodies;
import io.kubus.gateway.api.Subresource;
import jakarta.inject.Singleton;

import static io.kubus.gateway.registry.JsonTree.obj;

/**
 * {@code PUT namespaces/NAME/finalize} (kube-apiserver's FinalizeREST): changes a namespace's spec.finalizers and
 * nothing else; the namespace controller removes {@code kubernetes} once it has emptied the namespace, and the
 * namespace goes when none is left.
 */
@Singleton
public class NamespaceFinalize implements Subresource {
    private final GenericRegistry registry;
    private final RequestBodies bodies;

    public NamespaceFinalize(GenericRegistry registry, RequestBodies bodies) {
        this.registry = registry;
        this.bodies = bodies;
    }

    @Override
    public String name() {
        return "finalize";
    }

    @Override
    public ApiResponse handle(ApiRequest request) {
        if (!request.method().equals("PUT")) {
            throw ApiException.methodNotAllowed("the server does not allow this method on finalize");
        }
        ObjectNode wanted = bodies.object(request.path().type(), request.contentType(), request.body());
        return registry.update(request, GenericRegistry.replacement(request.path(), wanted), NamespaceFinalize::withFinalizersOf);
    }

    private static ObjectNode withFinalizersOf(ObjectNode current, ObjectNode wanted) {
        ObjectNode next = current.deepCopy();
        JsonNode finalizers = wanted.path("spec").path("finalizers");
        if (!finalizers.isMissingNode() && !finalizers.isNull() && !finalizers.isArray()) {
            // Only this field of the body is used, so it is the one whose type is checked (as kube-apiserver's decode).
            String kind = finalizers.isTextual() ? "string" : finalizers.isNumber() ? "number"
                    : finalizers.isBoolean() ? "bool" : "object";
            throw ApiException.badRequest("Namespace in version \"v1\" cannot be handled as a Namespace: json: cannot "
                    + "unmarshal " + kind + " into Go struct field NamespaceSpec.spec.finalizers of type []v1.FinalizerName");
        }
        ObjectNode spec = obj(next, "spec");
        if (finalizers.isArray()) {
            spec.set("finalizers", finalizers);
        } else {
            spec.remove("finalizers");
        }
        return next;
    }
}

package io.kubus.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.patch.PatchSchema;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.store.WriteOutcome;
import io.kubus.gateway.store.WriteResult;
import io.kubus.schema.ResourceType;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The autoscaling/v1 Scale view of the kinds with a scale subresource (kube-apiserver's ScaleREST): read it, and set
 * the wanted replicas through it by PUT or PATCH. Where the counts and the selector live is the kind's strategy's
 * business: spec.replicas and status.replicas for the built-in kinds, the definition's paths for a custom kind.
 */
@Singleton
public class ScaleSubresource implements Subresource {
    private final GenericRegistry registry;
    private final RequestBodies bodies;

    public ScaleSubresource(GenericRegistry registry, RequestBodies bodies) {
        this.registry = registry;
        this.bodies = bodies;
    }

    @Override
    public String name() {
        return "scale";
    }

    @Override
    public ApiResponse handle(ApiRequest request) {
        ApiPath path = request.path();
        return switch (request.method()) {
            case "GET" -> registry.ok(toScale(path.type(), registry.require(path)), request.format());
            case "PUT" -> {
                ObjectNode scale = bodies.scale(request.contentType(), request.body());
                yield scaleTo(request, current -> scale);
            }
            case "PATCH" -> {
                PatchType patchType = PatchType.of(request.contentType());
                JsonNode patch = bodies.patch(patchType, request.body());
                // a Scale has no merge lists: a strategic patch merges it as JSON merge would
                yield scaleTo(request, current -> GenericRegistry.applyPatch(patchType, current, patch, PatchSchema.EMPTY));
            }
            default -> throw ApiException.methodNotAllowed("the server does not allow this method on scale");
        };
    }

    private ApiResponse scaleTo(ApiRequest request, UnaryOperator<ObjectNode> desiredScale) {
        ApiPath path = request.path();
        ResourceType type = path.type();
        WriteResult result = registry.store().write(type, path.storeNamespace(), path.name(), current -> {
            if (current == null) {
                throw ApiException.notFound(type, path.name());
            }
            ObjectNode wanted = desiredScale.apply(toScale(type, current));
            GenericRegistry.checkResourceVersion(type, path.name(), GenericRegistry.metadata(wanted), current);
            int replicas = replicas(type, path.name(), wanted);
            ObjectNode next = current.deepCopy();
            registry.strategy(type).setSpecReplicas(next, replicas);
            GenericRegistry.bumpGeneration(current, next);
            return GenericRegistry.isDryRun(request.query()) ? WriteOutcome.keep() : GenericRegistry.settle(current, next);
        });
        return registry.ok(toScale(type, result.object()), request.format());
    }

    private ObjectNode toScale(ResourceType type, ObjectNode object) {
        ObjectNode scale = JsonNodeFactory.instance.objectNode();
        scale.put("kind", "Scale");
        scale.put("apiVersion", "autoscaling/v1");
        ObjectNode meta = scale.putObject("metadata");
        JsonNode m = object.path("metadata");
        for (String f : List.of("name", "namespace", "uid", "resourceVersion", "creationTimestamp")) {
            if (m.has(f)) {
                meta.set(f, m.get(f));
            }
        }
        Strategy strategy = registry.strategy(type);
        scale.putObject("spec").put("replicas", strategy.specReplicas(object));
        ObjectNode status = scale.putObject("status");
        status.put("replicas", strategy.statusReplicas(object));
        String selector = strategy.scaleSelector(object);
        if (!selector.isEmpty()) {
            status.put("selector", selector);
        }
        return scale;
    }

    /** The wanted replicas of a Scale; 422 unless a non-negative integer. */
    private static int replicas(ResourceType type, String name, ObjectNode scale) {
        JsonNode r = scale.path("spec").path("replicas");
        if (!r.isMissingNode() && !r.isNull() && !(r.isIntegralNumber() && r.canConvertToInt())) {
            // Not an int32 at all is a decoding error (400), as kube-apiserver answers; only a negative one is invalid.
            throw ApiException.badRequest("Scale in version \"v1\" cannot be handled as a Scale: spec.replicas: "
                    + "expected an integer, got " + r);
        }
        if (!r.canConvertToInt() || !r.isIntegralNumber() || r.asInt() < 0) {
            throw ApiException.invalid(type, name, List.of(ApiException.cause("FieldValueInvalid", "spec.replicas",
                    "Invalid value: " + r + ": must be greater than or equal to 0")));
        }
        return r.asInt();
    }
}

package io.kubus.gateway.registry.core.pod;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.api.ApiException;
import io.kubus.gateway.api.ApiPath;
import io.kubus.gateway.api.ApiRequest;
import io.kubus.gateway.api.ApiResponse;
import io.kubus.gateway.api.GenericRegistry;
import io.kubus.gateway.api.RequestBodies;
import io.kubus.gateway.api.Subresource;
import io.kubus.gateway.store.WriteOutcome;
import io.kubus.schema.ResourceTypes;
import jakarta.inject.Singleton;

import java.util.List;

/**
 * {@code POST pods/NAME/binding} (kube-apiserver's BindingREST): the scheduler assigns a pending pod to a node, once;
 * the pod gets its nodeName and a PodScheduled condition in one write.
 */
@Singleton
public class PodBinding implements Subresource {
    private final GenericRegistry registry;
    private final RequestBodies bodies;

    public PodBinding(GenericRegistry registry, RequestBodies bodies) {
        this.registry = registry;
        this.bodies = bodies;
    }

    @Override
    public String name() {
        return "binding";
    }

    @Override
    public ApiResponse handle(ApiRequest request) {
        if (!request.method().equals("POST")) {
            throw ApiException.methodNotAllowed("the server does not allow this method on binding");
        }
        ApiPath path = request.path();
        JsonNode binding = bodies.json(request.contentType(), request.body());
        String node = binding.path("target").path("name").asText("");
        if (node.isEmpty()) {
            throw ApiException.invalid(ResourceTypes.PODS, path.name(), List.of(ApiException.cause("FieldValueRequired",
                    "target.name", "Required value")));
        }
        registry.store().write(ResourceTypes.PODS, path.storeNamespace(), path.name(), current -> {
            if (current == null) {
                throw ApiException.notFound(ResourceTypes.PODS, path.name());
            }
            if (current.path("metadata").hasNonNull("deletionTimestamp")) {
                throw ApiException.conflict(ResourceTypes.PODS, path.name(), "pod is being deleted, cannot be assigned to a host");
            }
            String bound = current.path("spec").path("nodeName").asText("");
            if (!bound.isEmpty()) {
                throw ApiException.conflict(ResourceTypes.PODS, path.name(), "pod " + path.name()
                        + " is already assigned to node \"" + bound + "\"");
            }
            ObjectNode next = current.deepCopy();
            ((ObjectNode) next.with("spec")).put("nodeName", node);
            ObjectNode status = (ObjectNode) next.with("status");
            ArrayNode conditions = status.get("conditions") instanceof ArrayNode a ? a : status.putArray("conditions");
            for (int i = conditions.size() - 1; i >= 0; i--) {
                if ("PodScheduled".equals(conditions.get(i).path("type").asText())) {
                    conditions.remove(i);
                }
            }
            ObjectNode scheduled = conditions.addObject();
            scheduled.put("type", "PodScheduled");
            scheduled.put("status", "True");
            scheduled.putNull("lastProbeTime");
            scheduled.put("lastTransitionTime", registry.now());
            return WriteOutcome.put(next);
        });
        return registry.created(request.format());
    }
}

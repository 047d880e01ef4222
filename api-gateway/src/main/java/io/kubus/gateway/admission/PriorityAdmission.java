package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.scheduling.PriorityClassStrategy;
import io.kubus.gateway.watch.CachedObjects;
import io.kubus.schema.ResourceTypes;
import io.micronaut.core.annotation.Nullable;
import io.kubus.gateway.GatewayApplication;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.util.Comparator;

/**
 * Kubernetes' Priority admission plugin (plugin/pkg/admission/priority): a new pod's {@code priorityClassName} becomes
 * its {@code spec.priority} and {@code spec.preemptionPolicy}; a pod that names no class takes the global default
 * class, or priority 0 when there is none; a class that does not exist, or a priority the pod states itself that
 * differs from its class's, is refused. An update keeps what the create resolved. And at most one PriorityClass may be
 * the global default.
 */
@Singleton
@Requires(env = GatewayApplication.ENVIRONMENT) // reads the cached objects, which only a gateway has
public class PriorityAdmission implements AdmissionPlugin {
    private final CachedObjects cache;

    public PriorityAdmission(CachedObjects cache) {
        this.cache = cache;
    }

    @Override
    public void mutate(AdmissionRequest request) {
        if (request.type() != ResourceTypes.PODS) {
            return;
        }
        ObjectNode spec = JsonTree.obj(request.object(), "spec");
        if (!request.isCreate()) {
            // API validation forbids changing them; a replace that leaves them out keeps them
            JsonNode oldSpec = request.old().path("spec");
            for (String field : new String[]{"priority", "preemptionPolicy"}) {
                if (JsonTree.absent(spec, field) && !JsonTree.absent(oldSpec, field)) {
                    spec.set(field, oldSpec.get(field).deepCopy());
                }
            }
            return;
        }
        String className = JsonTree.text(spec, "priorityClassName");
        long priority = 0;
        String policy = PriorityClassStrategy.PREEMPT_LOWER_PRIORITY;
        ObjectNode pc = className.isEmpty() ? globalDefault()
                : cache.get(ResourceTypes.PRIORITYCLASSES, "", className).orElseThrow(() -> request.forbidden(
                        "no PriorityClass with name " + className + " was found"));
        if (pc != null) {
            spec.put("priorityClassName", JsonTree.text(pc.path("metadata"), "name"));
            priority = pc.path("value").asLong(0);
            policy = JsonTree.text(pc, "preemptionPolicy");
        }
        if (!JsonTree.absent(spec, "priority") && spec.path("priority").asLong() != priority) {
            throw request.forbidden("the integer value of priority (" + spec.path("priority").asLong()
                    + ") must not be provided in pod spec; priority admission controller computed " + priority
                    + " from the given PriorityClass name");
        }
        spec.put("priority", (int) priority);
        if (!policy.isEmpty()) {
            String stated = JsonTree.text(spec, "preemptionPolicy");
            if (!stated.isEmpty() && !stated.equals(policy)) {
                throw request.forbidden("the string value of PreemptionPolicy (" + stated + ") must not be provided in "
                        + "pod spec; priority admission controller computed " + policy + " from the given PriorityClass name");
            }
            spec.put("preemptionPolicy", policy);
        }
    }

    /** A second global default is refused; re-marking the one that is the default is not. */
    @Override
    public void validate(AdmissionRequest request) {
        if (request.type() != ResourceTypes.PRIORITYCLASSES || !request.object().path("globalDefault").asBoolean(false)) {
            return;
        }
        ObjectNode current = globalDefault();
        String name = JsonTree.text(request.object().path("metadata"), "name");
        String currentName = current == null ? null : JsonTree.text(current.path("metadata"), "name");
        if (currentName != null && (request.isCreate() || !currentName.equals(name))) {
            throw request.forbidden("PriorityClass " + currentName + " is already marked as default. Only one default can exist");
        }
    }

    /** The global default class; of several (two made at once), the one of the lowest value, as Kubernetes picks. */
    private @Nullable ObjectNode globalDefault() {
        return cache.list(ResourceTypes.PRIORITYCLASSES, "").stream()
                .filter(pc -> pc.path("globalDefault").asBoolean(false))
                .min(Comparator.comparingLong(pc -> pc.path("value").asLong(0)))
                .orElse(null);
    }
}

package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.config.GatewaySettings;
import io.kubus.schema.ResourceTypes;
import jakarta.inject.Singleton;

import static io.kubus.gateway.registry.JsonTree.obj;
import static io.kubus.gateway.registry.JsonTree.objects;
import static io.kubus.gateway.registry.JsonTree.text;

/**
 * Kubernetes' DefaultTolerationSeconds admission plugin: a pod that does not already tolerate the node lifecycle's
 * {@code not-ready} and {@code unreachable} NoExecute taints gets tolerations for them with a bound
 * ({@code kubus.gateway.default-*-toleration-seconds}, 300 s), so that its node's failure evicts it after that long
 * rather than at once. On updates too, as Kubernetes: a replace without them (kubectl replace -f) gets them back rather
 * than being refused for removing tolerations.
 */
@Singleton
public class DefaultTolerationSeconds implements AdmissionPlugin {
    static final String NOT_READY = "node.kubernetes.io/not-ready";
    static final String UNREACHABLE = "node.kubernetes.io/unreachable";

    private final long notReadySeconds;
    private final long unreachableSeconds;

    public DefaultTolerationSeconds(GatewaySettings settings) {
        this.notReadySeconds = settings.getDefaultNotReadyTolerationSeconds();
        this.unreachableSeconds = settings.getDefaultUnreachableTolerationSeconds();
    }

    /** Adds the tolerations a pod's spec lacks; a toleration with an empty key or effect already counts. */
    @Override
    public void mutate(AdmissionRequest request) {
        if (request.type() != ResourceTypes.PODS) {
            return;
        }
        ObjectNode spec = obj(request.object(), "spec");
        boolean notReady = false;
        boolean unreachable = false;
        for (ObjectNode t : objects(spec, "tolerations")) {
            String key = text(t, "key");
            String effect = text(t, "effect");
            if (effect.isEmpty() || effect.equals("NoExecute")) {
                notReady |= key.isEmpty() || key.equals(NOT_READY);
                unreachable |= key.isEmpty() || key.equals(UNREACHABLE);
            }
        }
        if (notReady && unreachable) {
            return;
        }
        ArrayNode list = spec.get("tolerations") instanceof ArrayNode a ? a : spec.putArray("tolerations");
        if (!notReady) {
            add(list, NOT_READY, notReadySeconds);
        }
        if (!unreachable) {
            add(list, UNREACHABLE, unreachableSeconds);
        }
    }

    private static void add(ArrayNode list, String key, long seconds) {
        list.addObject().put("key", key).put("operator", "Exists").put("effect", "NoExecute")
                .put("tolerationSeconds", seconds);
    }
}

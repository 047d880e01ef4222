package io.kubus.gateway.bootstrap;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.ServerMetadata;
import io.kubus.gateway.registry.Strategies;
import io.kubus.gateway.registry.scheduling.SystemPriorityClasses;
import io.kubus.gateway.registry.storage.StorageClassStrategy;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.store.WriteOutcome;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.storage.LocalPath;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PostConstruct;

import java.time.Clock;

/**
 * The cluster-scoped objects every cluster has, made at start when absent and otherwise left as they are, with the
 * defaults a create gives them:
 * <ul>
 *   <li>the system priority classes, as kube-apiserver's scheduling post-start hook makes them;</li>
 *   <li>the StorageClass {@code local-path}, marked default, as k3s ships its local-path provisioner's class: volumes
 *   are folders on the node that first uses the claim ({@link LocalPath}). A cluster whose admin deleted it gets it
 *   back at the next start, as k3s re-applies its manifests; to have another default, mark that class default and
 *   take the annotation off this one.</li>
 * </ul>
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Context
public class SystemObjectsBootstrap {
    private final ObjectStore store;
    private final Strategies strategies;
    private final Clock clock;

    public SystemObjectsBootstrap(ObjectStore store, Strategies strategies, Clock clock) {
        this.store = store;
        this.strategies = strategies;
        this.clock = clock;
    }

    @PostConstruct
    void ensure() {
        for (ObjectNode pc : SystemPriorityClasses.objects()) {
            ensure(ResourceTypes.PRIORITYCLASSES, pc);
        }
        ensure(ResourceTypes.STORAGECLASSES, localPathStorageClass());
    }

    private void ensure(ResourceType type, ObjectNode object) {
        String name = object.path("metadata").path("name").asText();
        store.write(type, "", name, current -> current != null ? WriteOutcome.keep() : WriteOutcome.put(created(type, object)));
    }

    private ObjectNode created(ResourceType type, ObjectNode object) {
        strategies.of(type).defaults(object);
        ServerMetadata.created((ObjectNode) object.get("metadata"), clock);
        return object;
    }

    static ObjectNode localPathStorageClass() {
        ObjectNode sc = JsonTree.F.objectNode();
        sc.put("apiVersion", "storage.k8s.io/v1").put("kind", "StorageClass");
        sc.putObject("metadata").put("name", LocalPath.STORAGE_CLASS).putObject("annotations")
                .put(StorageClassStrategy.DEFAULT_ANNOTATION, "true");
        sc.put("provisioner", LocalPath.PROVISIONER).put("reclaimPolicy", "Delete")
                .put("volumeBindingMode", "WaitForFirstConsumer");
        return sc;
    }
}

package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.registry.storage.StorageClassStrategy;
import io.kubus.gateway.watch.CachedObjects;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.util.Comparator;

import static io.kubus.gateway.registry.JsonTree.obj;

/**
 * Kubernetes' DefaultStorageClass admission plugin: a claim created without {@code storageClassName} gets the
 * default class's name (of several defaults the newest, and of those made in the same second the first by name, as Kubernetes 1.26 on). A claim that names a
 * class, or the empty class ({@code ""}: no class, only pre-made volumes), is left as it is.
 */
@Singleton
@Requires(env = GatewayApplication.ENVIRONMENT) // reads the cached objects, which only a gateway has
public class DefaultStorageClass implements AdmissionPlugin {
    private final CachedObjects cache;

    public DefaultStorageClass(CachedObjects cache) {
        this.cache = cache;
    }

    @Override
    public void mutate(AdmissionRequest request) {
        if (request.type() != ResourceTypes.PERSISTENTVOLUMECLAIMS || !request.isCreate()
                || request.object().path("spec").has("storageClassName")
                && !request.object().path("spec").get("storageClassName").isNull()) {
            return;
        }
        cache.list(ResourceTypes.STORAGECLASSES, "").stream()
                .filter(StorageClassStrategy::isDefault)
                .max(Comparator.comparing((ObjectNode sc) -> sc.path("metadata").path("creationTimestamp").asText())
                        .thenComparing(sc -> sc.path("metadata").path("name").asText(), Comparator.reverseOrder()))
                .ifPresent(sc -> obj(request.object(), "spec").put("storageClassName",
                        sc.path("metadata").path("name").asText()));
    }
}

package io.kubus.gateway.encryption;

import io.kubus.gateway.GatewayApplication;
import io.kubus.schema.ResourceType;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How each resource's objects are stored: through the transformer the encryption configuration gives it, or as they
 * are. Read once at start (eagerly, so that a missing or invalid file stops the gateway before it serves anything),
 * as kube-apiserver reads its file without reloading it.
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Context
public class StorageTransformers {
    private static final Logger LOG = LoggerFactory.getLogger(StorageTransformers.class);

    private final EncryptionConfiguration config;
    private final ValueTransformer identity = ValueTransformer.identity();
    private final Map<ResourceType, ValueTransformer> byType = new ConcurrentHashMap<>();

    public StorageTransformers(EncryptionSettings settings) {
        Path file = settings.getProviderConfig();
        if (file == null) {
            LOG.warn("Secrets are not encrypted at rest: kubus.encryption.provider-config is not set");
            config = null;
        } else {
            config = EncryptionConfiguration.read(file, new SecureRandom());
            LOG.info("Encryption at rest configured by {}", file);
        }
    }

    /** The transformer of a kind's stored objects (those of its storage version). */
    public ValueTransformer of(ResourceType type) {
        if (config == null) {
            return identity;
        }
        return byType.computeIfAbsent(type.storageType(), t -> config.transformer(t).orElse(identity));
    }
}

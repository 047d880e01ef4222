package io.kubus.gateway.encryption;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;

import java.nio.file.Path;

/** Encryption at rest of the stored objects (kube-apiserver's {@code --encryption-provider-config}). */
@ConfigurationProperties("kubus.encryption")
public class EncryptionSettings {
    /**
     * An EncryptionConfiguration file (apiserver.config.k8s.io/v1); unset, objects are stored as they are. When set,
     * the file must exist and be valid, or the gateway does not start.
     */
    @Nullable
    private Path providerConfig;

    public @Nullable Path getProviderConfig() {
        return providerConfig;
    }

    public void setProviderConfig(@Nullable Path providerConfig) {
        this.providerConfig = providerConfig;
    }
}

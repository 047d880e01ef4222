package io.kubus.agent.pod;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;

import java.util.Optional;

/**
 * Where the agent reads the Secrets and ConfigMaps its pods refer to. Secrets never travel in events: the agent reads
 * them from the gateway when a container starts (and refreshes volumes now and then), never from an informer.
 */
public interface PodConfigSource {
    /** The secret, or empty when it does not exist; a transport failure throws. */
    Optional<Secret> secret(String namespace, String name);

    /** The config map, or empty when it does not exist; a transport failure throws. */
    Optional<ConfigMap> configMap(String namespace, String name);

    /** A source in which nothing exists. */
    static PodConfigSource none() {
        return new PodConfigSource() {
            @Override
            public Optional<Secret> secret(String namespace, String name) {
                return Optional.empty();
            }

            @Override
            public Optional<ConfigMap> configMap(String namespace, String name) {
                return Optional.empty();
            }
        };
    }
}

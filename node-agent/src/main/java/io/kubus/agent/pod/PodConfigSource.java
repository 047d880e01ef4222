package io.kubus.agent.pod;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where the agent reads the Secrets, ConfigMaps and claims its pods refer to. Secrets never travel in events: the agent reads
 * them from the gateway when a container starts (and refreshes volumes now and then), never from an informer.
 */
public interface PodConfigSource {
    /** The secret, or empty when it does not exist; a transport failure throws. */
    Optional<Secret> secret(String namespace, String name);

    /** The config map, or empty when it does not exist; a transport failure throws. */
    Optional<ConfigMap> configMap(String namespace, String name);

    /** The claim, or empty when it does not exist; a transport failure throws. */
    Optional<PersistentVolumeClaim> claim(String namespace, String name);

    /** The volume, or empty when it does not exist; a transport failure throws. */
    Optional<PersistentVolume> volume(String name);

    /**
     * A token of the pod's ServiceAccount bound to the pod (the TokenRequest API), for a projected volume; a refusal
     * or transport failure throws.
     */
    Token serviceAccountToken(String namespace, String serviceAccount, List<String> audiences, long expirationSeconds,
                              String podName, String podUid, Instant now);

    /** A token, and when to ask for the next one: once 80% of its life has passed, as the kubelet does. */
    record Token(String value, Instant renewAt) {
        public static Token of(String value, Instant issued, Instant expires) {
            return new Token(value, issued.plus(java.time.Duration.between(issued, expires).multipliedBy(8).dividedBy(10)));
        }
    }

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

            @Override
            public Optional<PersistentVolumeClaim> claim(String namespace, String name) {
                return Optional.empty();
            }

            @Override
            public Optional<PersistentVolume> volume(String name) {
                return Optional.empty();
            }

            @Override
            public Token serviceAccountToken(String namespace, String serviceAccount, List<String> audiences,
                                             long expirationSeconds, String podName, String podUid, Instant now) {
                throw new IllegalStateException("serviceaccount \"" + serviceAccount + "\" not found");
            }
        };
    }
}

package io.kubus.agent.node;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.kubus.agent.pod.PodConfigSource;
import io.kubus.client.api.KubusApi;
import io.kubus.schema.ResourceTypes;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Reads Secrets, ConfigMaps and claims from the gateway when a container needs them: Secrets' data never comes from
 * Kafka, and a claim's binding is read as it is now.
 */
final class ApiPodConfigSource implements PodConfigSource {
    private final KubusApi api;

    ApiPodConfigSource(KubusApi api) {
        this.api = api;
    }

    @Override
    public Optional<Secret> secret(String namespace, String name) {
        return api.get(ResourceTypes.SECRETS, namespace, name, Secret.class);
    }

    @Override
    public Optional<ConfigMap> configMap(String namespace, String name) {
        return api.get(ResourceTypes.CONFIGMAPS, namespace, name, ConfigMap.class);
    }

    @Override
    public Optional<PersistentVolumeClaim> claim(String namespace, String name) {
        return api.get(ResourceTypes.PERSISTENTVOLUMECLAIMS, namespace, name, PersistentVolumeClaim.class);
    }

    @Override
    public Optional<PersistentVolume> volume(String name) {
        return api.get(ResourceTypes.PERSISTENTVOLUMES, null, name, PersistentVolume.class);
    }

    @Override
    public Token serviceAccountToken(String namespace, String serviceAccount, List<String> audiences,
                                     long expirationSeconds, String podName, String podUid, Instant now) {
        KubusApi.IssuedToken issued = api.requestToken(namespace, serviceAccount, audiences, expirationSeconds, podName, podUid);
        return Token.of(issued.token(), now, issued.expires());
    }
}

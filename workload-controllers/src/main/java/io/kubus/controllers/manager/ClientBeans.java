package io.kubus.controllers.manager;

import io.kubus.client.api.KubusApi;
import io.kubus.client.config.ClientConfig;
import io.kubus.client.informer.CustomKinds;
import io.kubus.client.informer.SharedInformers;
import io.kubus.client.kafka.KafkaClientConfig;
import io.kubus.client.record.EventRecorder;
import io.kubus.controllers.ControllersApplication;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.value.PropertyResolver;
import jakarta.inject.Singleton;

import java.nio.file.Path;

/** The API client, the event recorder and the one set of informers every controller of this process shares. */
@Factory
@Requires(env = ControllersApplication.ENVIRONMENT)
public class ClientBeans {
    @Singleton
    ClientConfig credentials(ControllersSettings settings) {
        return ClientConfig.fromKubeconfig(Path.of(settings.getKubeconfig()));
    }

    @Singleton
    @Bean(preDestroy = "close")
    KubusApi kubusApi(ClientConfig credentials) {
        return new KubusApi(credentials, KubusApi.userAgent("kube-controller-manager"));
    }

    /** Kafka as the controller manager's kubeconfig identity: the broker's ACLs know it by that certificate. */
    @Singleton
    KafkaClientConfig kafka(PropertyResolver properties,
                            ClientConfig credentials) {
        return KafkaClientConfig.fromSettings(
                key -> properties.get(KafkaClientConfig.SETTINGS + key, String.class), credentials);
    }

    @Singleton
    @Bean(preDestroy = "close")
    SharedInformers sharedInformers(KubusApi api, KafkaClientConfig kafka) {
        return new SharedInformers(api, kafka, "controllers");
    }

    /** The kinds CustomResourceDefinitions add, for the controllers that handle every kind. */
    @Singleton
    CustomKinds customKinds(SharedInformers informers) {
        return new CustomKinds(informers);
    }

    /** Events as kube-controller-manager records them (its controllers' names are the source component). */
    @Singleton
    @Bean(preDestroy = "close")
    EventRecorder eventRecorder(KubusApi api) {
        return new EventRecorder(api, "kubus-controller-manager");
    }
}
